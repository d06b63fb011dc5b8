#!/bin/sh
# bench/sim_interpose.sh — unmodified programs under `sockrr sim`.
#
# usage: sh bench/sim_interpose.sh BUILD
#
# Rows (tab-separated "name value unit baseline baseline_value"; bench/run.sh
# prints ratio = value / baseline_value):
#   sim_python_sleeps    wall seconds for fixtures/scripts/py_sleeps.py N
#                        (N sequential 1 s sleeps, then N recv timeouts of
#                        1 s: 2N virtual seconds); baseline: those 2N s.
#                        Goal: <= 1 s of wall time for N = 1000 (<= 0.2 s
#                        hoped for).
#   sim_interpose_pingpong  ns per round trip of fixtures/native/tcp_pingpong
#                        (server and client threads in one process) under
#                        sockrr sim; baseline: the same program on the
#                        kernel's loopback.  Reported, no goal.
# Each value is the median of SIM_BENCH_RUNS (3) runs; every time is the
# wall clock around the whole command, process start included.
# Environment: SIM_BENCH_N (1000 sleeps), SIM_BENCH_PP (100000 round trips).
set -eu
[ $# -ge 1 ] || { echo "sim_interpose: usage: sh bench/sim_interpose.sh BUILD" >&2; exit 1; }
BUILD=$1
SOCKRR=$BUILD/bin/sockrr
N=${SIM_BENCH_N:-1000}
PP=${SIM_BENCH_PP:-100000}
RUNS=${SIM_BENCH_RUNS:-3}
for f in "$SOCKRR" "$BUILD/native/tcp_pingpong" "$BUILD/lib/libsockrr-preload.so"; do
    [ -e "$f" ] || { echo "sim_interpose: $f is missing: build first (make)" >&2; exit 1; }
done
command -v python3 > /dev/null 2>&1 || { echo "sim_interpose: python3 is missing" >&2; exit 1; }
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

sleeps=""
for _ in $(seq "$RUNS"); do
    sleeps="$sleeps $(time_ns "$SOCKRR" sim -- python3 fixtures/scripts/py_sleeps.py "$N")"
done
# shellcheck disable=SC2086
s=$(median $sleeps)
printf 'sim_python_sleeps\t%s\ts\tvirtual_s\t%s\n' "$(awk -v n="$s" 'BEGIN{printf "%.4f", n/1e9}')" $((2 * N))

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
