# A progress line for long jobs, on a terminal only: check, convert and
# replay's first pass over a trace draw "sockrr VERB: NAME  N% (...)" on
# stderr and clear it before they say anything else, when stderr is a
# terminal (a pty from script(1)); nothing when it is not, or with
# SOCKRR_PROGRESS=0.  SOCKRR_PROGRESS=1 draws from the first update, so the
# test needs no job long enough to wait a second for it.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
need script util-linux
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/loop.py" << 'PY'
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
for i in range(800):
    c.sendall(b"ping %d" % i)
    s.sendall(s.recv(100).upper())
    c.recv(100)
PY
(preload_env; exec $netns "$SOCKRR" sim -o "$tmp/t.jsonl" -- python3 "$tmp/loop.py") 2> "$tmp/err" ||
    fail "sim: $(tail -2 "$tmp/err")"
[ "$(wc -l < "$tmp/t.jsonl")" -gt 2048 ] || fail "the trace is too short to show replay's progress"
# on_tty NAME CMD: CMD on a pty, its output (stdout and stderr) in $tmp/NAME
on_tty() {
    name=$1; shift
    script -qec "$*" /dev/null > "$tmp/$name" 2>&1 < /dev/null
}
cr=$(printf '\r')
# shellcheck disable=SC2030,SC2031
(
preload_env
for job in "check $tmp/t.jsonl" "convert $tmp/t.jsonl -o $tmp/t.pcap" \
           "replay $tmp/t.jsonl -- python3 $tmp/loop.py"; do
    verb=${job%% *}
    run="$SOCKRR $job"
    [ "$verb" = replay ] && run="$netns $run"
    SOCKRR_PROGRESS=1 on_tty "$verb" "$run"
    grep -q "${cr}sockrr $verb: $tmp/t.jsonl *[0-9]*% (.* of .*/s)" "$tmp/$verb" ||
        fail "$verb on a terminal drew no progress line: $(od -c "$tmp/$verb" | head -5)"
    # cleared before anything else is said
    grep -q "$(printf '\r\033\\[K')" "$tmp/$verb" || fail "$verb did not clear its progress line"
    SOCKRR_PROGRESS=0 on_tty "$verb.off" "$run"
    grep -q "sockrr $verb: $tmp/t.jsonl *[0-9]*%" "$tmp/$verb.off" && fail "$verb drew progress with SOCKRR_PROGRESS=0"
    SOCKRR_PROGRESS=1 sh -c "$run" > "$tmp/$verb.pipe" 2>&1 < /dev/null
    grep -q "$cr" "$tmp/$verb.pipe" && fail "$verb drew progress with no terminal: $(od -c "$tmp/$verb.pipe" | head -3)"
done
true
) || exit 1
grep -q "valid" "$tmp/check" || fail "check said nothing after its progress: $(cat "$tmp/check")"
echo ok
