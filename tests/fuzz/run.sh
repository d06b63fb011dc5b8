#!/bin/sh
# Runs the libFuzzer targets of tests/fuzz/ (built by `make fuzz-build`
# into $FUZZ_BUILD, default build-fuzz/).  tests/fuzz/README.md says more.
#
#   run.sh replay [TARGET...]      every input of corpus/T and regress/T once
#   run.sh fuzz SECONDS [TARGET...]  each target SECONDS seconds, one after
#                                  another; what it learns stays in
#                                  $FUZZ_BUILD/corpus/T for the next run
#   run.sh check SECONDS [TARGET...] replay, then fuzz each target SECONDS
#                                  seconds from its seeds alone (a fresh
#                                  corpus: the same start on every machine)
#
# TARGET is a name without fuzz_ (trace, capture, ...); none means all.
# A finding is written to $FUZZ_BUILD/artifacts/T/ and printed with the
# command that reproduces it; then the script exits 1 (never 77: a fuzzer
# that cannot run is a failure, not a skip).
set -u
cd "$(dirname "$0")/../.."
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
mode=${1:-}
case $mode in
replay) shift ;;
fuzz | check)
    secs=${2:-}
    case $secs in '' | *[!0-9]*) echo "usage: run.sh $mode SECONDS [TARGET...]" >&2; exit 2 ;; esac
    shift 2 ;;
*) echo "usage: run.sh replay|fuzz SECONDS|check SECONDS [TARGET...]" >&2; exit 2 ;;
esac

targets=$*
if [ -z "$targets" ]; then
    for src in tests/fuzz/fuzz_*.c; do
        t=$(basename "$src" .c)
        targets="$targets ${t#fuzz_}"
    done
fi

# UBSan reports stop the run and name their stack; leaks are findings.
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1
export UBSAN_OPTIONS ASAN_OPTIONS

failed=0

# The inputs a target keeps in the repository, one file name a line.
inputs() {
    for d in tests/fuzz/corpus/$1 tests/fuzz/regress/$1; do
        [ -d "$d" ] && find "$d" -type f ! -name 'README*' | sort
    done
}

# The dictionary a target uses, if any: the trace's words for both
# readers of traces.
dict_of() {
    case $1 in
    trace | replay_load) echo tests/fuzz/dict/trace.dict ;;
    sim_config) echo tests/fuzz/dict/sim_config.dict ;;
    peer) echo tests/fuzz/dict/peer.dict ;;
    esac
}

replay() {
    t=$1 bin=$FUZZ_BUILD/fuzz_$1 log=$2
    list=$(inputs "$t")
    n=$(printf '%s\n' "$list" | grep -c .)
    if [ "$n" = 0 ]; then
        echo "fuzz_$t: no seed inputs in tests/fuzz/corpus/$t"
        return 1
    fi
    # shellcheck disable=SC2086 # one argument per file: names have no spaces
    if "$bin" -error_exitcode=1 -timeout_exitcode=1 -timeout=10 $list > "$log" 2>&1; then
        echo "fuzz_$t: replayed $n inputs (corpus and regress): ok"
        return 0
    fi
    echo "fuzz_$t: an input of the corpus or regress/ fails:"
    grep -E '^Running:|ERROR|SUMMARY|fuzz_' "$log" | tail -8 | sed 's/^/    /'
    return 1
}

fuzz() {
    t=$1 bin=$FUZZ_BUILD/fuzz_$1 work=$2 log=$3
    art=$FUZZ_BUILD/artifacts/$t/
    mkdir -p "$work" "$art"
    dict=$(dict_of "$t")
    seeds=""
    for d in tests/fuzz/corpus/$t tests/fuzz/regress/$t; do
        [ -d "$d" ] && seeds="$seeds $d"
    done
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
        -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix="$art" \
        ${dict:+-dict=$dict} "$work" $seeds > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
    files=$(find "$work" -type f | wc -l)
    if [ "$rc" = 0 ]; then
        echo "fuzz_$t: ${secs}s, ${runs:-?} inputs, ${eps:-?} exec/s, cov ${cov:-?}," \
            "corpus ${corp:-?} (inputs/bytes; $files new files): no findings"
        return 0
    fi
    found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "fuzz_$t: FINDING after ${runs:-?} inputs:"
    grep -E 'ERROR|SUMMARY|fuzz_[a-z_]*:|Assertion|runtime error' "$log" | head -6 | sed 's/^/    /'
    if [ -n "$found" ]; then
        echo "    input: $found"
        echo "    reproduce: $bin $found"
        echo "    then fix it at its cause and keep it in tests/fuzz/regress/$t/"
    else
        tail -20 "$log" | sed 's/^/    /'
    fi
    return 1
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for t in $targets; do
    bin=$FUZZ_BUILD/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "fuzz_$t: $bin is not built (make fuzz-build; clang and libclang-rt-dev: scripts/deps.sh libs)"
        failed=1
        continue
    fi
    case $mode in
    replay) replay "$t" "$logs/$t.replay" || failed=1 ;;
    fuzz) fuzz "$t" "$FUZZ_BUILD/corpus/$t" "$logs/$t.fuzz" || failed=1 ;;
    check)
        replay "$t" "$logs/$t.replay" || failed=1
        rm -rf "$FUZZ_BUILD/check-corpus/$t"
        fuzz "$t" "$FUZZ_BUILD/check-corpus/$t" "$logs/$t.fuzz" || failed=1
        ;;
    esac
done
exit $failed
