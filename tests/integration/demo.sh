# The README's main job: the built-in example talks to itself over loopback.
. tests/integration/lib.inc
out=$("$BUILD/bin/selftalk") || fail "selftalk exited $?"
echo "$out" | grep -q '^client: recv echo: hello$' || fail "no echo of hello in: $out"
echo "$out" | grep -q "^client: recv echo: sockrr speaks Python's socket API in C$" || fail "no second echo"
exit 0
