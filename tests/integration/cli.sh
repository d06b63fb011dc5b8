# The CLI: --help, --version, usage errors; every verb's --help stands on
# its own (a usage line naming the verb, its options, its exit status).
. tests/integration/lib.inc
"$SOCKRR" --help | grep -q '^usage: sockrr VERB' || fail "--help shows no usage line"
"$SOCKRR" --version | grep -qx 'sockrr [0-9][0-9.]*' || fail "--version: $("$SOCKRR" --version)"
expect_status 2 "$SOCKRR"
expect_status 2 "$SOCKRR" no-such-verb
msg=$("$SOCKRR" no-such-verb 2>&1)
[ "$msg" = "sockrr: unknown verb 'no-such-verb' (see sockrr --help)" ] || fail "unknown verb said: $msg"
help=$(mktemp)
trap 'rm -f "$help"' EXIT
verbs=$("$SOCKRR" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
[ "$(echo $verbs)" = "record replay sim fuzz show convert check diff stats" ] || fail "the verbs listed: $verbs"
for v in $verbs; do
    "$SOCKRR" "$v" --help > "$help" 2>&1 || fail "$v --help exited non-zero"
    head -1 "$help" | grep -q "^usage: sockrr $v" || fail "$v --help: $(head -1 "$help")"
    grep -q "^exit status" "$help" || fail "$v --help says nothing of its exit status"
    grep -qi "not built\|arrives with" "$help" && fail "$v --help speaks of a verb not built"
done
"$SOCKRR" --help | grep -qi "not built" && fail "--help speaks of verbs not built"
expect_status 2 "$SOCKRR" diff
# fuzz is built: a campaign without its folders is a usage error that says so
expect_status 2 "$SOCKRR" fuzz -- true
"$SOCKRR" fuzz -- true 2>&1 | grep -q "^sockrr fuzz: a campaign needs -i SEEDS and -o OUT" ||
    fail "fuzz: no clear usage message: $("$SOCKRR" fuzz -- true 2>&1)"
exit 0
