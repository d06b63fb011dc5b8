# Threaded programs, unmodified, under record and sim: C fixtures (a ping-pong
# between two threads, a pool of workers started and joined 1000 times,
# futex waits), Python thread pools and a threading HTTP server, node's
# libuv threads.  Each must end with status 0; under `make check TSAN=1` (the
# preload library built with ThreadSanitizer) a report is a failure.  This is
# the threaded part of the TSan run (tests/run.sh); the plain and ASan runs
# take it too.
# Left out here: fixtures/native/vtimers (signals and SIGEV_THREAD timers),
# which corpus_c.sh runs in the other builds: under TSan's runtime a timer's
# helper thread, which glibc starts outside pthread_create, crashes in TSan's
# allocator once the preload library is loaded, and TSan defers signals a
# program waits for in sigsuspend.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
need node
NAT=$BUILD/native
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
# check VERB CMD...: CMD under `sockrr VERB` ends with 0 and no TSan report
check() {
    verb=$1; shift
    n=$((n + 1))
    case $verb in
    record) (preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/$n.jsonl" -- "$@") \
                > "$tmp/out" 2> "$tmp/err"; rc=$? ;;
    sim) in_world "$tmp/out" sim -- "$@"; cp "$tmp/out.err" "$tmp/err" ;;
    esac
    [ "$rc" = 0 ] || fail "$verb $*: exited $rc: $(tail -5 "$tmp/err")"
    if grep -q "WARNING: ThreadSanitizer" "$tmp/err"; then
        fail "$verb $*: ThreadSanitizer reports:
$(grep -A14 "WARNING: ThreadSanitizer" "$tmp/err" | head -60)"
    fi
}
for verb in record sim; do
    check $verb "$NAT/tcp_pingpong" 2000
    check $verb "$NAT/thread_stress"
    check $verb "$NAT/futex_wait"
    check $verb python3 fixtures/scripts/py_pool.py
    check $verb python3 fixtures/scripts/py_pool_waits.py 4 50 0.01
    check $verb python3 fixtures/scripts/py_threaded_echo.py
    check $verb python3 fixtures/scripts/py_http_shutdown.py
    check $verb node fixtures/scripts/node_http_self.js
done
echo "$n threaded runs under record and sim ended cleanly${TSAN:+ (ThreadSanitizer: no report)}"
