#!/bin/sh
# bench/sim_interpose.sh — unmodified programs under `sockrr sim`.
#
# usage: sh bench/sim_interpose.sh BUILD
#
# Rows (tab-separated "name value unit baseline baseline_value"; bench/run.sh
# prints ratio = value / baseline_value):
#   sim_python_sleeps    wall seconds for fixtures/scripts/py_sleeps.py N
#                        (N sequential 1 s sleeps, then N recv timeouts of
#                        1 s: 2N virtual seconds) under sockrr sim;
#                        baseline: the same program natively with waits of
#                        1 us (its own cost with nothing to wait for).
#                        Goal: <= 1 s of wall time for N = 1000 (<= 0.2 s
#                        hoped for).
#   sim_interpose_pingpong  ns per round trip of fixtures/native/tcp_pingpong
#                        (server and client threads in one process) under
#                        sockrr sim; baseline: the same program on the
#                        kernel's loopback.  Reported, no goal.
#   sim_node_timers      wall seconds for fixtures/scripts/node_timers_seq.js:
#                        NT sequential setTimeout(..., 1000) (NT virtual
#                        seconds) under sockrr sim; baseline: the same NT
#                        timers of 0 ms natively (node clamps 0 to 1 ms:
#                        1 ms of real time each).
#                        Goal: <= 1 s of wall time for NT = 1000.
#   sim_python_pool      wall seconds for fixtures/scripts/py_pool_waits.py:
#                        8 threads doing NP timed waits of 10 ms each on a
#                        condition no one signals, under sockrr sim;
#                        baseline: the same waits of 0 s natively.
# Each value is the median of SIM_BENCH_RUNS (3) runs; every time is the
# wall clock around the whole command, process start included.
# Environment: SIM_BENCH_N (1000 sleeps), SIM_BENCH_PP (100000 round trips),
# SIM_BENCH_NT (1000 timers), SIM_BENCH_NP (1000 waits per thread).
set -eu
[ $# -ge 1 ] || { echo "sim_interpose: usage: sh bench/sim_interpose.sh BUILD" >&2; exit 1; }
BUILD=$1
SOCKRR=$BUILD/bin/sockrr
N=${SIM_BENCH_N:-1000}
PP=${SIM_BENCH_PP:-100000}
NT=${SIM_BENCH_NT:-1000}
NP=${SIM_BENCH_NP:-1000}
RUNS=${SIM_BENCH_RUNS:-3}
for f in "$SOCKRR" "$BUILD/native/tcp_pingpong" "$BUILD/lib/libsockrr-preload.so"; do
    [ -e "$f" ] || { echo "sim_interpose: $f is missing: build first (make)" >&2; exit 1; }
done
for p in python3 node; do
    command -v $p > /dev/null 2>&1 || { echo "sim_interpose: $p is missing (scripts/deps.sh tools)" >&2; exit 1; }
done
[ -f fixtures/scripts/py_sleeps.py ] || { echo "sim_interpose: run from the repository root" >&2; exit 1; }
unset LD_PRELOAD SOCKRR_MODE SOCKRR_TRACE SOCKRR_CTL SOCKRR_PASSTHROUGH

now_ns() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
# time_ns CMD...: wall ns of CMD, which must succeed
time_ns() {
    t0=$(now_ns)
    "$@" > /dev/null 2>&1 || { echo "sim_interpose: '$*' failed" >&2; exit 1; }
    echo $(($(now_ns) - t0))
}

sleeps="" quick=""
for _ in $(seq "$RUNS"); do
    sleeps="$sleeps $(time_ns "$SOCKRR" sim -- python3 fixtures/scripts/py_sleeps.py "$N")"
    quick="$quick $(time_ns python3 fixtures/scripts/py_sleeps.py "$N" 0.000001)"
done
# shellcheck disable=SC2086
s=$(median $sleeps)
# shellcheck disable=SC2086
q=$(median $quick)
printf 'sim_python_sleeps\t%s\ts\tnative_1us\t%s\n' "$(awk -v n="$s" 'BEGIN{printf "%.4f", n/1e9}')" \
    "$(awk -v n="$q" 'BEGIN{printf "%.4f", n/1e9}')"

native="" sim=""
for _ in $(seq "$RUNS"); do
    native="$native $(time_ns "$BUILD/native/tcp_pingpong" "$PP")"
    sim="$sim $(time_ns "$SOCKRR" sim -- "$BUILD/native/tcp_pingpong" "$PP")"
done
# shellcheck disable=SC2086
nv=$(median $native)
# shellcheck disable=SC2086
sv=$(median $sim)
printf 'sim_interpose_pingpong\t%s\tns/roundtrip\tkernel\t%s\n' $((sv / PP)) $((nv / PP))

# seconds with four decimals, from ns
secs() { awk -v n="$1" 'BEGIN{printf "%.4f", n/1e9}'; }
# row NAME NATIVE_CMD SIM_CMD: the median wall time of each, as a row
row() {
    name=$1 nat=$2 simc=$3 nv="" sv=""
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086
        nv="$nv $(time_ns $nat)"
        # shellcheck disable=SC2086
        sv="$sv $(time_ns "$SOCKRR" sim -- $simc)"
    done
    # shellcheck disable=SC2086
    printf '%s\t%s\ts\tnative_0s\t%s\n' "$name" "$(secs "$(median $sv)")" "$(secs "$(median $nv)")"
}
row sim_node_timers "node fixtures/scripts/node_timers_seq.js $NT 0" \
    "node fixtures/scripts/node_timers_seq.js $NT 1000"
row sim_python_pool "python3 fixtures/scripts/py_pool_waits.py 8 $NP 0" \
    "python3 fixtures/scripts/py_pool_waits.py 8 $NP 0.01"
