# The event ring of `sockrr record` (lib/trace/ring.c): traced processes put
# their events into a shared ring and sockrr writes them to the trace.
#  - a full ring waits (the default): every event is in the trace;
#  - --ring-full drop: events are dropped and counted in `lost` events,
#    which check accepts (each socket's offsets start afresh after one),
#    show prints, convert passes over and replay refuses by line and field;
#  - sockrr killed while the program runs on: the program's own exit writes
#    what the ring holds, and the trace has every event;
#  - sockrr stopped, then sockrr and the program killed: the trace ends at a
#    whole event, and `sockrr record --rescue CTL TRACE` writes the rest
#    from the ring left in /dev/shm;
#  - bad options and bad rescues are one-line errors.
. tests/integration/lib.inc
need python3
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
SOCKRR=$(cd "$(dirname "$SOCKRR")" && pwd)/$(basename "$SOCKRR")
d=$(mktemp -d)
cli=""
prog=""
trap '[ -z "$cli" ] || kill -9 $cli 2> /dev/null; [ -z "$prog" ] || kill -9 $prog 2> /dev/null
      rm -rf "$d"' EXIT

# N one-byte messages over a socketpair, in two halves: after the first it
# writes $d/ready and waits (bounded) for $d/go; after the second, $d/done,
# then waits for $d/end (or its bound) and prints how many it sent.
cat > "$d/pair.py" << 'EOF'
import os, socket, sys, time
d, n, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "wait"
a, b = socket.socketpair()
def half():
    for _ in range(n // 2):
        a.send(b"x")
        b.recv(1)
def until(name):
    for _ in range(1500):
        if os.path.exists(os.path.join(d, name)):
            return
        time.sleep(0.01)
half()
if wait:
    open(os.path.join(d, "ready"), "w").close()
    until("go")
half()
if wait:
    open(os.path.join(d, "done"), "w").close()
    until("end")
print("sent", n)
EOF
sends() { grep -c '"op":"sendmsg"' "$1"; }
wait_file() {
    for _ in $(seq 500); do [ -f "$1" ] && return 0; sleep 0.02; done
    fail "no $1 after 10 s"
}

# a full ring waits: nothing is lost, the program's output is its own
(preload_env; exec timeout $LIMIT "$SOCKRR" record --ring-size 65536 -o "$d/wait.jsonl" -- \
    python3 "$d/pair.py" "$d" 20000 no) > "$d/wait.out" 2>&1 || fail "record (wait) failed: $(cat "$d/wait.out")"
[ "$(cat "$d/wait.out")" = "sent 20000" ] || fail "wait: the program said $(cat "$d/wait.out")"
"$SOCKRR" check "$d/wait.jsonl" > /dev/null || fail "wait: the trace does not check"
[ "$(sends "$d/wait.jsonl")" = 20000 ] || fail "wait: $(sends "$d/wait.jsonl") sends of 20000 traced"
! grep -q '"op":"lost"' "$d/wait.jsonl" || fail "wait: a lost event in the trace"

# drop: events go, lost events count them, and every reader knows them
(preload_env; exec timeout $LIMIT "$SOCKRR" record --ring-size 65536 --ring-full drop -o "$d/drop.jsonl" -- \
    python3 "$d/pair.py" "$d" 60000 no) > "$d/drop.out" 2>&1 || fail "record (drop) failed: $(cat "$d/drop.out")"
[ "$(cat "$d/drop.out")" = "sent 60000" ] || fail "drop: the program said $(cat "$d/drop.out")"
"$SOCKRR" check "$d/drop.jsonl" > "$d/drop.check" 2>&1 || fail "drop: the trace does not check: $(head -3 "$d/drop.check")"
lost=$(grep '"op":"lost"' "$d/drop.jsonl" | sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
events=$(($(wc -l < "$d/drop.jsonl") - 1))
[ "$lost" -gt 0 ] || echo "note: drop: the consumer kept up, nothing was lost" >&2
if [ "$lost" -gt 0 ]; then
    first=$(grep -n '"op":"lost"' "$d/drop.jsonl" | head -1 | cut -d: -f1)
    "$SOCKRR" show "$d/drop.jsonl" | grep -q -- "--- [0-9]* events lost: the ring was full" ||
        fail "drop: show does not say the events lost"
    "$SOCKRR" convert "$d/drop.jsonl" -o "$d/drop.pcap" || fail "drop: convert failed"
    ! (cd "$d" && timeout $LIMIT unshare -n "$SOCKRR" replay drop.jsonl -- python3 pair.py . 60000 no) \
        > "$d/replay.out" 2>&1 || fail "drop: the replay of a trace with lost events passed"
    grep -q "^sockrr replay: drop.jsonl:$first: op: the recording lost events here" "$d/replay.out" ||
        fail "drop: replay said: $(cat "$d/replay.out")"
    # every send and receive is an event or counted as lost, with the
    # socketpair's two events
    all=$(grep -vc '"op":"lost"' "$d/drop.jsonl")
    [ $((all - 1 + lost)) -ge 120000 ] || fail "drop: $((all - 1)) events and $lost lost for 120000 calls"
fi
echo "drop: $events events written, $lost lost" >&2

# the control files in /dev/shm a killed sockrr leaves: the test removes its own
ctls() { ls /dev/shm/sockrr-ctl-* 2> /dev/null | sort; }
new_ctl() { ctls > "$d/ctl.after"; comm -13 "$d/ctl.before" "$d/ctl.after" | head -1; }
# start NAME: `sockrr record -o $d/NAME.jsonl` of pair.py (2000 messages,
# waiting between its halves) in the background, up to its first half:
# cli and prog are sockrr's and the program's pids, ctl the run's file
start() {
    rm -f "$d/ready" "$d/go" "$d/done" "$d/end"
    ctls > "$d/ctl.before"
    # the subshell execs sockrr: $! is sockrr's pid
    (preload_env; exec "$SOCKRR" record -o "$d/$1.jsonl" -- python3 "$d/pair.py" "$d" 2000 wait) \
        > "$d/$1.out" 2>&1 &
    cli=$!
    wait_file "$d/ready"
    prog=$(pgrep -P $cli | head -1)
    [ -n "$prog" ] || fail "$1: the program is not found running"
    ctl=$(new_ctl)
    [ -n "$ctl" ] || fail "$1: no control file of the run in /dev/shm"
}

# sockrr killed while the program runs on: the program's exit writes the ring
start kill
kill -9 $cli
wait $cli 2> /dev/null
cli=""
touch "$d/go"
wait_file "$d/done"
touch "$d/end"
for _ in $(seq 250); do kill -0 $prog 2> /dev/null || break; sleep 0.02; done
prog=""
rm -f "$ctl"
"$SOCKRR" check "$d/kill.jsonl" > /dev/null || fail "killed sockrr: the trace does not check"
[ "$(sends "$d/kill.jsonl")" = 2000 ] || fail "killed sockrr: $(sends "$d/kill.jsonl") sends of 2000 traced"

# sockrr stopped, then both killed: rescue writes the ring's rest
start rescue
sleep 0.1
kill -STOP $cli
touch "$d/go"
wait_file "$d/done"
kill -9 $prog $cli
kill -CONT $cli 2> /dev/null
wait $cli 2> /dev/null
cli="" prog=""
"$SOCKRR" check "$d/rescue.jsonl" > /dev/null || fail "rescue: the trace left does not check"
before=$(sends "$d/rescue.jsonl")
[ "$before" -lt 2000 ] || fail "rescue: all 2000 sends were in the trace before the rescue"
"$SOCKRR" record --rescue "$ctl" "$d/rescue.jsonl" || fail "rescue failed"
"$SOCKRR" check "$d/rescue.jsonl" > /dev/null || fail "rescue: the trace does not check after it"
[ "$(sends "$d/rescue.jsonl")" = 2000 ] || fail "rescue: $(sends "$d/rescue.jsonl") sends of 2000 after it"
[ ! -e "$ctl" ] || fail "rescue: the control file $ctl is still there"
echo "rescue: $before sends in the trace, 2000 after the rescue" >&2

# bad input
expect_usage() {
    out=$("$SOCKRR" "$@" 2>&1)
    rc=$?
    [ $rc = 2 ] && [ "$(printf '%s\n' "$out" | grep -c '')" = 1 ] || fail "$*: exit $rc: $out"
}
expect_usage record --ring-size 10 -- true
expect_usage record --ring-full maybe -- true
expect_usage record --rescue only-one
printf 'x' > "$d/notctl"
out=$("$SOCKRR" record --rescue "$d/notctl" "$d/wait.jsonl" 2>&1) && fail "rescue of a non-control file passed"
[ "$out" = "sockrr record: $d/notctl: not a trace's control file with an event ring" ] || fail "rescue said: $out"
out=$("$SOCKRR" record --rescue "$d/none" "$d/wait.jsonl" 2>&1) && fail "rescue of a missing file passed"
[ "$out" = "sockrr record: $d/none: No such file or directory" ] || fail "rescue said: $out"
exit 0
