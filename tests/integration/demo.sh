# The README's main job (make demo): a bundled client is recorded talking to
# a bundled server, the trace is shown, and the client is replayed with the
# server gone, printing the same answers.  Also the C API example, selftalk.
. tests/integration/lib.inc
out=$(preload_env; BUILD=$BUILD timeout -k 5 $((LIMIT * 3)) sh scripts/demo.sh 2>&1) || fail "scripts/demo.sh exited $? (124: it hung): $out"
[ "$(echo "$out" | grep -c '^hello, world$')" = 2 ] || fail "the client's answer is not there twice (record, replay): $out"
[ "$(echo "$out" | grep -c '^hello, sockrr$')" = 2 ] || fail "the second answer is not there twice: $out"
echo "$out" | grep -q 'recvmsg(3<TCP:.*"hello, world' || fail "sockrr show printed no recvmsg of the answer: $out"
echo "$out" | sed -n '/== 3\./,$p' | grep -q '^hello, sockrr$' || fail "the replay printed no answer: $out"
out=$("$BUILD/bin/selftalk") || fail "selftalk exited $?"
echo "$out" | grep -q '^client: recv echo: hello$' || fail "no echo of hello in: $out"
exit 0
