# sockrr check: every valid fixture passes and every line of it parses with
# jq; every invalid fixture gives exactly the first error line its `error`
# file holds (file name as TRACE) and exit 1; every problem of a file is
# listed; several files, stdin, usage.
. tests/integration/lib.inc
need jq
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
V=fixtures/traces/valid
I=fixtures/traces/invalid

# trace_of DIR: the fixture's trace; a trace.printf (binary bytes as printf
# escapes, so none is committed) is expanded into the scratch directory.
trace_of() {
    if [ -f "$1/trace.printf" ]; then
        printf "$(cat "$1/trace.printf")" > "$d/$(basename "$1").jsonl"
        echo "$d/$(basename "$1").jsonl"
    else
        echo "$1/trace.jsonl"
    fi
}

n=0
for c in "$V"/*/; do
    c=${c%/}
    t=$c/trace.jsonl
    "$SOCKRR" check "$t" > "$d/out" 2> "$d/err" || fail "check rejects $t: $(cat "$d/err")"
    [ -s "$d/err" ] && fail "check printed problems for valid $t: $(cat "$d/err")"
    grep -q "^$t: valid: version 1, [0-9]* events\?$" "$d/out" || fail "no summary for $t: $(cat "$d/out")"
    jq -c . "$t" > "$d/jq" || fail "jq cannot parse $t"
    [ "$(wc -l < "$d/jq")" = "$(wc -l < "$t")" ] || fail "jq read another number of lines in $t"
    n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n valid fixtures"

n=0
for c in "$I"/*/; do
    c=${c%/}
    name=$(basename "$c")
    [ -f "$c/error" ] || fail "$name has no error file"
    t=$(trace_of "$c")
    "$SOCKRR" check "$t" > "$d/out" 2> "$d/err"
    rc=$?
    [ "$rc" = 1 ] || fail "$name: check exited $rc, expected 1"
    line=$(head -1 "$d/err")
    case $line in
    "$t:"*) got="TRACE:${line#"$t:"}" ;;
    *) got=$line ;;
    esac
    want=$(cat "$c/error")
    [ "$got" = "$want" ] || fail "$name: got
  $got
expected
  $want"
    [ -s "$d/out" ] && fail "$name: check printed a summary for an invalid trace"
    n=$((n + 1))
done
[ "$n" -ge 13 ] || fail "only $n invalid fixtures"

# Every problem, one line each, and the torn line last.
h=$(head -1 "$V/tcp4/trace.jsonl")
{
    echo "$h"
    sed -n 2p "$V/tcp4/trace.jsonl"
    echo '{"type":"event","seq":2,'
    sed -n 4p "$V/tcp4/trace.jsonl" | sed 's/"op":"[a-z0-9_]*"/"op":"frob"/'
    sed -n 6p "$V/tcp4/trace.jsonl"
    printf '%s' '{"type":"event","seq":'
} > "$d/many.jsonl"
"$SOCKRR" check "$d/many.jsonl" 2> "$d/err" && fail "check passed a trace with four problems"
[ "$(wc -l < "$d/err")" = 4 ] || { cat "$d/err"; fail "expected 4 problems"; }
sed -n 1p "$d/err" | grep -q "^$d/many.jsonl:3: not JSON" || fail "line 3 not reported: $(cat "$d/err")"
sed -n 2p "$d/err" | grep -q "^$d/many.jsonl:4: op: unknown op \"frob\"$" || fail "line 4 not reported"
sed -n 3p "$d/err" | grep -q "^$d/many.jsonl:5: seq: expected 4, got 5" || fail "gap not reported"
sed -n 4p "$d/err" | grep -q "^$d/many.jsonl:6: torn last line (the writer was killed?); 1 event before it is valid$" ||
    fail "torn line not reported: $(cat "$d/err")"

# Several files: each is reported, the status is the worst.
"$SOCKRR" check "$V/tcp4/trace.jsonl" "$I/seq_gap/trace.jsonl" "$V/udp/trace.jsonl" > "$d/out" 2> "$d/err"
[ $? = 1 ] || fail "a bad file among good ones did not fail check"
[ "$(wc -l < "$d/out")" = 2 ] || fail "expected two valid summaries: $(cat "$d/out")"
grep -q "^$I/seq_gap/trace.jsonl:4: seq:" "$d/err" || fail "the bad file was not named"

# stdin, a missing file, usage
"$SOCKRR" check - < "$V/unix/trace.jsonl" > "$d/out" || fail "check - rejects stdin"
grep -q "^<stdin>: valid" "$d/out" || fail "stdin summary: $(cat "$d/out")"
"$SOCKRR" check - < "$I/unknown_op/trace.jsonl" 2> "$d/err" && fail "check - passed a bad stdin"
grep -q "^<stdin>:3: op: " "$d/err" || fail "stdin error: $(cat "$d/err")"
"$SOCKRR" check "$d/nonexistent.jsonl" 2> "$d/err"
[ $? = 1 ] || fail "a missing file did not exit 1"
grep -q "^$d/nonexistent.jsonl: cannot open: No such file or directory$" "$d/err" ||
    fail "missing file: $(cat "$d/err")"
expect_status 2 "$SOCKRR" check
expect_status 2 "$SOCKRR" check --bogus "$V/tcp4/trace.jsonl"
"$SOCKRR" check --help | grep -q '^usage: sockrr check FILE' || fail "check --help shows no usage"
exit 0
