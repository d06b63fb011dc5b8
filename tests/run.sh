#!/bin/sh
# Runs every unit test program and integration script; prints each one's
# output and a closing "N passed, N failed, N skipped" line (counted per test
# case for cmocka programs, per script for integration tests).  Exit 0 only
# when nothing failed.  An integration script exits 77 to skip.
set -u
BUILD=${BUILD:-build}
export BUILD TSAN
passed=0 failed=0 skipped=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka's own summary lines: "[  PASSED  ] 5 test(s)."
# ("[  FAILED  ] 2 test(s), listed below:" ends with a comma)
count() { sed -n "s/^\[  *$1 *\] \([0-9][0-9]*\) test(s)[.,].*/\1/p" "$log" | head -1; }

# Sim and replay tests run in a fresh network namespace where one can be made: it
# proves nothing they do reaches a real network.
netns=""
unshare -n true 2>/dev/null && netns="unshare -n"

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    case $(basename "$t") in
    test_sim* | test_replay* | test_fuzz*) $netns "$t" > "$log" 2>&1 ;;
    *) "$t" > "$log" 2>&1 ;;
    esac
    rc=$?
    cat "$log"
    p=$(count PASSED); f=$(count FAILED); s=$(count SKIPPED)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
    if [ "$rc" != 0 ]; then
        failures="$failures $(basename "$t")"
        # a crash before cmocka's summary still counts as a failure
        [ -z "$f" ] && failed=$((failed + 1))
    fi
done

# Under TSAN=1 (ThreadSanitizer) the unit tests run, and of the integration
# scripts the threaded ones: the others run no threads of sockrr's.
TSAN_SCRIPTS="threads"
for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if [ "${TSAN:-0}" = 1 ]; then
        case " $TSAN_SCRIPTS " in *" $name "*) ;; *) continue ;; esac
    fi
    sh "$t" > "$log" 2>&1
    rc=$?
    case $rc in
    0) passed=$((passed + 1)); echo "[ PASS ] integration/$name" ;;
    77) skipped=$((skipped + 1)); echo "[ SKIP ] integration/$name: $(tail -1 "$log")" ;;
    *) failed=$((failed + 1)); failures="$failures $name"
       echo "[ FAIL ] integration/$name (exit $rc)"; sed 's/^/    /' "$log" ;;
    esac
done

[ -n "$netns" ] || echo "note: unshare -n is not available: sim tests ran in the host's network namespace"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
