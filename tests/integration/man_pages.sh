# The man pages (man/*.scd, made by scdoc in the build): one for the command,
# each verb, the trace and config formats, the library and its test
# helpers; each verb's page carries its --help text as the binary prints it
# today, so the two cannot drift apart.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need scdoc scdoc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
verbs=$("$SOCKRR" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
for page in sockrr.1 $(for v in $verbs; do echo "sockrr-$v.1"; done) sockrr-trace.5 \
            sockrr-sim-config.5 libsockrr.3 sockrr-testing.3; do
    [ -f "man/$page.scd" ] || fail "no man/$page.scd"
    [ -s "$BUILD/man/$page" ] || fail "$BUILD/man/$page was not made (make all makes the man pages)"
    head -1 "man/$page.scd" | grep -qx "${page%.*}(${page##*.})" || fail "man/$page.scd does not start with its name"
done
for v in $verbs; do
    # the literal block under DESCRIPTION, and --help without its usage lines
    sed -n '/^# DESCRIPTION/,/^# EXAMPLES/p' "man/sockrr-$v.1.scd" |
        sed -n '/^```$/,/^```$/p' | sed '1d;$d' > "$tmp/page"
    "$SOCKRR" "$v" --help | sed '/^usage:/d; /^       sockrr /d' > "$tmp/help"
    cmp -s "$tmp/page" "$tmp/help" ||
        fail "man/sockrr-$v.1.scd is not the --help of today (< page, > --help): $(diff "$tmp/page" "$tmp/help" | head -10)"
    "$SOCKRR" "$v" --help | grep '^usage:' | sed 's/^usage: //' > "$tmp/usage"
    grep -qF "$(sed 's/\*/\\*/g; s/_/\\_/g' "$tmp/usage")" "man/sockrr-$v.1.scd" ||
        fail "man/sockrr-$v.1.scd's synopsis is not the usage line: $(cat "$tmp/usage")"
done
echo ok
