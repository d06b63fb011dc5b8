# Every run under sim or replay ends, or says why it cannot: what CMD
# leaves running is ended with it, by name (under record it is left alone,
# as it would be without sockrr); a shell waiting for a child holds its
# virtual time still instead of being called stuck; a server no one in the
# sim connects to ends idle with a report (exit 88); and a sockrr that is
# told to stop stops its whole run.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need pgrep procps
tmp=$(mktemp -d)
trap 'pkill -KILL -f "$tmp/" 2> /dev/null; rm -rf "$tmp"' EXIT
mkfifo "$tmp/never"

# alive PATTERN: a process whose command line holds PATTERN runs
alive() { pgrep -f "$1" > /dev/null; }

# --- what a sim or replay run leaves running ends with it -------------------
# cat blocks opening a fifo no one writes: it would wait forever
in_world "$tmp/left" sim -- sh -c "cat $tmp/never > /dev/null & echo started"
[ "$rc" = 0 ] || fail "sim, a left-over child: exited $rc: $(cat "$tmp/left.err")"
alive "cat $tmp/never" && fail "sim: the cat CMD left running outlived the run"
# (named as it is when ended: cat, or sh when the background child has not
# yet exec'd cat)
grep -Eq "^sockrr sim: CMD ended; ending the 1 process it left running: [0-9]+ \((cat|sh)\)$" "$tmp/left.err" ||
    fail "sim: no line naming the process it ended: $(cat "$tmp/left.err")"

# the same under replay (any recording will do: its verdict is not the point)
(preload_env; exec "$SOCKRR" record -o "$tmp/empty.jsonl" -- python3 -c 'import socket; socket.socket().close()') ||
    fail "recording a socket: exited $?"
in_world "$tmp/rleft" replay "$tmp/empty.jsonl" -- sh -c "cat $tmp/never > /dev/null & echo started"
alive "cat $tmp/never" && fail "replay: the cat CMD left running outlived the run"
grep -Eq "ending the 1 process it left running: [0-9]+ \((cat|sh)\)" "$tmp/rleft.err" ||
    fail "replay: no line naming the process it ended: $(cat "$tmp/rleft.err")"

# --- record leaves a daemon alone --------------------------------------------
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/d.jsonl" -- sh -c "cat $tmp/never > /dev/null & echo started") > "$tmp/d" 2> "$tmp/d.err"
[ "$?" = 0 ] || fail "record, a daemon: $(cat "$tmp/d.err")"
alive "cat $tmp/never" || fail "record ended the process CMD left running; it must not"
pkill -f "cat $tmp/never"

# --- waits for a child: on the outside, never stuck; time follows real time ---
# timeout's own 0.3 s timer is virtual; it waits for its child in
# sigsuspend, so the timer fires after 0.3 s of real time, not at once
# and not never; the shell waits in wait4
in_world "$tmp/wait" sim -- sh -c "timeout 0.3 cat $tmp/never; echo timeout \$?"
[ "$rc" = 0 ] || fail "sim, waits for a child: exited $rc: $(cat "$tmp/wait.err")"
[ "$(cat "$tmp/wait")" = "timeout 124" ] || fail "sim, waits for a child printed: $(cat "$tmp/wait") $(cat "$tmp/wait.err")"
[ "$wall" -ge 250 ] || fail "sim, waits for a child: timeout's 0.3 s took $wall ms of real time"

# --- a timer's signal interrupts a wait for a child ---------------------------
cat > "$tmp/watchdog.py" << EOF
import os, signal, subprocess
def expired(sig, frame):
    raise TimeoutError
signal.signal(signal.SIGALRM, expired)
child = subprocess.Popen(["cat", "$tmp/never"])
signal.alarm(1)
try:
    os.waitpid(child.pid, 0)
    print("the child ended")
except TimeoutError:
    print("the alarm ended the wait")
    child.kill()
    child.wait()
EOF
in_world "$tmp/watchdog" sim -- python3 "$tmp/watchdog.py"
[ "$rc" = 0 ] || fail "sim, alarm during waitpid: exited $rc: $(cat "$tmp/watchdog.err")"
[ "$(cat "$tmp/watchdog")" = "the alarm ended the wait" ] ||
    fail "sim, alarm during waitpid printed: $(cat "$tmp/watchdog") $(cat "$tmp/watchdog.err")"

# --- a server no one connects to ends idle, with a report --------------------
cat > "$tmp/idle.json" << 'EOF'
{"idle_limit": "60s"}
EOF
cat > "$tmp/server.py" << 'EOF'
import selectors, socket
s = socket.socket()
s.bind(("127.0.0.1", 8080))
s.listen()
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
while True:             # housekeeping every 100 ms, forever
    sel.select(0.1)
EOF
in_world "$tmp/idle" sim --net "$tmp/idle.json" -- python3 "$tmp/server.py"
[ "$rc" = 88 ] || fail "sim, an idle server: exited $rc, expected 88: $(cat "$tmp/idle.err")"
grep -q "^sockrr sim: the run is stuck: idle at virtual time [0-9]* ns: for 59 s the program did nothing" "$tmp/idle.err" ||
    fail "sim, an idle server: no idle report: $(cat "$tmp/idle.err")"
grep -q "waits in poll" "$tmp/idle.err" || fail "sim, an idle server: the report does not say who waits on what: $(cat "$tmp/idle.err")"

# --- sockrr told to stop stops its whole run ---------------------------------
# shellcheck disable=SC2086
(preload_env; exec $netns "$SOCKRR" sim -- sh -c "cat $tmp/never > /dev/null & cat $tmp/never") > "$tmp/term" 2> "$tmp/term.err" &
run=$!
for _ in $(seq 50); do [ "$(pgrep -fc "^cat $tmp/never")" -ge 2 ] && break; sleep 0.1; done
kill -TERM $run
for _ in $(seq 50); do alive "cat $tmp/never" || break; sleep 0.1; done
alive "cat $tmp/never" && fail "SIGTERM to sockrr sim left its run's processes running"
wait $run
exit 0
