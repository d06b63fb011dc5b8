# The CLI: --help, --version, usage errors and verbs that later issues build.
. tests/integration/lib.inc
"$SOCKRR" --help | grep -q '^usage: sockrr VERB' || fail "--help shows no usage line"
"$SOCKRR" --version | grep -qx 'sockrr [0-9][0-9.]*' || fail "--version: $("$SOCKRR" --version)"
expect_status 2 "$SOCKRR"
expect_status 2 "$SOCKRR" no-such-verb
msg=$("$SOCKRR" no-such-verb 2>&1)
[ "$msg" = "sockrr: unknown verb 'no-such-verb' (see sockrr --help)" ] || fail "unknown verb said: $msg"
for v in diff; do
    expect_status 3 "$SOCKRR" "$v" -- true
    "$SOCKRR" "$v" 2>&1 | grep -q "^sockrr: '$v' is not built yet" || fail "$v: no clear not-built message"
done
# fuzz is built: a campaign without its folders is a usage error that says so
expect_status 2 "$SOCKRR" fuzz -- true
"$SOCKRR" fuzz -- true 2>&1 | grep -q "^sockrr fuzz: a campaign needs -i SEEDS and -o OUT" ||
    fail "fuzz: no clear usage message: $("$SOCKRR" fuzz -- true 2>&1)"
exit 0
