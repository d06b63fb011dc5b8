# sockrr fuzz's command line: on bad input each mistake is one line that
# says what to do, a non-zero exit, and afl-fuzz never started on it; a
# hang's trace is written (cut off after a few seconds) by sockrr fuzz
# traces; seeds come alike from a trace and from a tcpdump capture of the
# same session; -j 2 runs two instances; show and --help.
. tests/integration/lib.inc
need afl-clang-fast "afl++"
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# expect WANT_RC PATTERN CMD...: CMD exits WANT_RC and says PATTERN on stderr
expect() {
    want=$1 pat=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(tail -2 "$tmp/err")"
    grep -q -- "$pat" "$tmp/err" || fail "'$*' did not say '$pat': $(tail -2 "$tmp/err")"
    [ "$(grep -c . "$tmp/err")" -le 2 ] || fail "'$*' said more than a line or two: $(cat "$tmp/err")"
}

cat > "$tmp/serve.c" <<'C'
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
static void *idle(void *a) { for (;;) pause(); return a; }
int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "serve";
    if (!strcmp(how, "exit"))
        return 0; /* never waits for input */
    if (!strncmp(how, "fork", 4)) { /* a daemon's start: the child serves */
        pid_t child = fork();
        if (child > 0) {
            int st; /* forkpoll: the parent never waits, the child ends first */
            while (waitpid(child, &st, strcmp(how, "forkpoll") ? 0 : WNOHANG) == 0)
                ;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        }
    }
    if (!strcmp(how, "thread")) {
        pthread_t t;
        pthread_create(&t, NULL, idle, NULL);
    }
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7100)};
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4) < 0)
        return 1;
    if (!strcmp(how, "spin"))
        for (volatile int x = 0;; x++) /* never waits */
            ;
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            return 1;
        char b[64];
        ssize_t n = read(c, b, sizeof b);
        if (n >= 4 && !memcmp(b, "LOOP", 4))
            for (volatile int x = 0;; x++) /* a hang */
                ;
        close(c);
    }
}
C
AFL_QUIET=1 afl-clang-fast -O1 -pthread -o "$tmp/serve" "$tmp/serve.c" > "$tmp/cc" 2>&1 || fail "afl-clang-fast: $(cat "$tmp/cc")"
cc -O1 -pthread -o "$tmp/plain" "$tmp/serve.c" || fail "cc"
cc -O1 -static -pthread -o "$tmp/static" "$tmp/serve.c" || fail "cc -static"
mkdir "$tmp/seeds" "$tmp/empty" "$tmp/traceseeds"
printf '\000\004PING' > "$tmp/seeds/ping"
"$SOCKRR" fuzz seeds /dev/null -o "$tmp/x" > /dev/null 2>&1 && fail "seeds of /dev/null succeeded"
printf '{"type":"header","format":"sockrr-trace","version":1}\n' > "$tmp/traceseeds/t.jsonl"

run() { (preload_env; exec $netns "$SOCKRR" fuzz "$@"); }
# usage
expect 2 "needs -i SEEDS and -o OUT" run -- "$tmp/serve"
expect 2 "no command given" run -i "$tmp/seeds" -o "$tmp/o"
expect 2 "--afl's options end with --" run -i "$tmp/seeds" -o "$tmp/o" --afl -V 5
expect 2 "-j needs a number from 1 to 64" run -i "$tmp/seeds" -o "$tmp/o" -j 0 -- "$tmp/serve"
expect 2 "unknown option --frob" run --frob -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/serve"
# what is wrong before afl-fuzz starts
expect 1 "afl-fuzz is not in PATH: install AFL++" env PATH=/nonexistent "$PWD/$SOCKRR" fuzz -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/serve"
expect 1 "is not instrumented for AFL++: build it with afl-clang-fast" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/plain"
expect 1 "is statically linked" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/static"
expect 1 "command not found" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/nonexistent"
expect 1 "t.jsonl is a trace, not a test case: make test cases of it with sockrr fuzz seeds" run -i "$tmp/traceseeds" -o "$tmp/o" -- "$tmp/serve"
expect 1 "holds no test case" run -i "$tmp/empty" -o "$tmp/o" -- "$tmp/serve"
expect 1 "nonexistent: No such file or directory" run -i "$tmp/nonexistent" -o "$tmp/o" -- "$tmp/serve"
expect 1 "ended before it waited for input" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/serve" exit
expect 1 "starts threads before it first waits for input: .* --no-defer" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/serve" thread
expect 1 "did not end its first test case .* within 10 s" run -i "$tmp/seeds" -o "$tmp/o" -- "$tmp/serve" spin
[ -e "$tmp/o/default" ] && fail "afl-fuzz ran on bad input"
# the same programs, played once
expect 89 "ended before it waited for input" run run "$tmp/seeds/ping" -- "$tmp/serve" exit
expect 1 "nonexistent" run run "$tmp/nonexistent" -- "$tmp/serve"
# a fork before the program's first socket hands the child the whole world,
# a network with services of its own too
printf '{"hosts": {"db": {"addrs": ["192.0.2.5"]}}, "services": {"db:5432": {"script": [{"send": "hi"}]}}}' > "$tmp/net.json"
run run "$tmp/seeds/ping" --net "$tmp/net.json" -- "$tmp/serve" fork > "$tmp/fork.out" 2>&1 ||
    fail "a program that forks first did not play its case: $(tail -2 "$tmp/fork.out")"
grep -q "\] the test case is played out" "$tmp/fork.out" ||
    fail "the forked child did not play the case: $(tail -2 "$tmp/fork.out")"
# the same when the parent ends without ever waiting, after its child
run run "$tmp/seeds/ping" -- "$tmp/serve" forkpoll > "$tmp/fork.out" 2>&1 ||
    fail "a parent that never waits judged the case its child played: $(tail -2 "$tmp/fork.out")"
grep -q "\] the test case is played out" "$tmp/fork.out" ||
    fail "the forked child did not play the case: $(tail -2 "$tmp/fork.out")"
expect 1 "nonexistent" run show "$tmp/nonexistent"
expect 1 "t.jsonl:1" run seeds "$tmp/traceseeds/t.jsonl" -o "$tmp/s2"

# a hang's trace: afl-fuzz's layout, written by hand; the hang is cut off
mkdir -p "$tmp/findings/default/hangs" "$tmp/findings/default/crashes"
: > "$tmp/findings/default/fuzzer_stats"
printf '\000\004LOOP' > "$tmp/findings/default/hangs/id:000000,src:000000,op:havoc"
t0=$(ms)
run traces "$tmp/findings" -- "$tmp/serve" > "$tmp/tr" 2>&1 || fail "fuzz traces: $(cat "$tmp/tr")"
[ $(( $(ms) - t0 )) -lt 30000 ] || fail "the hang was not cut off"
trace="$tmp/findings/default/traces/hangs/id:000000,src:000000,op:havoc.jsonl"
[ -s "$trace" ] || fail "no trace of the hang: $(cat "$tmp/tr")"
"$SOCKRR" check "$trace" > /dev/null 2>&1 || fail "the hang's trace does not check: $("$SOCKRR" check "$trace" 2>&1 | head -2)"
"$SOCKRR" show "$trace" | grep -q '"LOOP"' || fail "the hang's trace lacks its input"
grep -q "traces of crashes and hangs" "$tmp/tr" || fail "fuzz traces said nothing: $(cat "$tmp/tr")"

# a good campaign of two instances (-j 2: -M main, -S s2) on one folder
(preload_env; AFL_NO_UI=1 exec timeout -k 5 90 $netns "$SOCKRR" fuzz -i "$tmp/seeds" -o "$tmp/j2" -j 2 \
    --afl -V 5 -- -- "$tmp/serve") > "$tmp/j2.log" 2>&1 || fail "fuzz -j 2: $(tail -3 "$tmp/j2.log")"
for inst in main s2; do
    grep -q '^execs_done *: [1-9]' "$tmp/j2/$inst/fuzzer_stats" 2> /dev/null ||
        fail "fuzz -j 2: instance $inst did not run: $(tail -3 "$tmp/j2.log")"
done
grep -q "Deferred forkserver\|deprecated" "$tmp/j2/s2.log" && fail "afl-fuzz was told of deferral itself (deprecated)"
[ -s "$tmp/j2/s2.log" ] || fail "the secondary wrote no log"
# seeds from a capture of a session are the seeds of its trace: the same
# messages
(preload_env; exec "$SOCKRR" record -o "$tmp/sess.jsonl" --pcap "$tmp/sess.pcap" -- "$tmp/serve" serve) \
    > /dev/null 2>&1 &
srv=$!
python3 - <<PY || fail "the session with serve failed"
import socket, time
for i in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", 7100)); break
    except OSError: time.sleep(0.05)
s.sendall(b"PING"); s.close()
PY
sleep 0.3
kill $srv; wait $srv 2> /dev/null
"$SOCKRR" fuzz seeds "$tmp/sess.jsonl" -o "$tmp/from_trace" > /dev/null 2>&1 || fail "seeds of the trace"
"$SOCKRR" fuzz seeds "$tmp/sess.pcap" -o "$tmp/from_pcap" > /dev/null 2>&1 || fail "seeds of the capture: $("$SOCKRR" fuzz seeds "$tmp/sess.pcap" -o "$tmp/from_pcap" 2>&1)"
# (a capture holds both ends: the server's is the one that got PING)
"$SOCKRR" fuzz show "$tmp"/from_trace/* | tail -n +2 > "$tmp/t.show"
server=$(grep -l PING "$tmp"/from_pcap/* | head -1)
[ -n "$server" ] || fail "no seed of the capture holds PING: $(ls "$tmp/from_pcap")"
"$SOCKRR" fuzz show "$server" | tail -n +2 > "$tmp/p.show"
grep -q '"PING"' "$tmp/t.show" || fail "the trace's seed lacks PING: $(cat "$tmp/t.show")"
cmp -s "$tmp/t.show" "$tmp/p.show" || fail "the capture's seed differs from the trace's: $(diff "$tmp/t.show" "$tmp/p.show")"
# show, and --help standing on its own
"$SOCKRR" fuzz show "$tmp/seeds/ping" | grep -q '^   1 slot 0 data  *4 "PING"$' || fail "fuzz show: $("$SOCKRR" fuzz show "$tmp/seeds/ping")"
"$SOCKRR" fuzz --help | grep -q "sockrr fuzz seeds session.jsonl -o seeds" || fail "fuzz --help lacks its walk-through"
echo ok
