#!/bin/sh
# bench/fuzz.sh — exec/s of one server (bench/fuzz/target.c: 50 ms of
# start-up, then line commands), fuzzed four ways by afl-fuzz for
# FUZZ_BENCH_SECONDS (10) each, one after another, from the same seed:
#   (a) sockrr fuzz, deferred forkserver (the start-up runs once)
#   (b) sockrr fuzz --persistent (1000 cases a process)
#   (c) the AFLNet way: the forkserver starts the program per exec, which
#       starts the server and talks to it over a real loopback connection
#   (d) the server hand-modified to read one message from stdin, with
#       __AFL_INIT after its start-up: the ceiling
# exec/s is execs_done / run_time from afl-fuzz's fuzzer_stats.
# Rows (tab-separated "name value unit baseline baseline_value"; bench/run.sh
# prints ratio = value / baseline_value):
#   fuzz_deferred      (a) against (c)      goal: >= 10
#   fuzz_persistent    (b) against (d)      goal: >= 0.5
#   fuzz_deferred_vs_stdin (a) against (d)  reported
# usage: sh bench/fuzz.sh BUILD
set -eu
[ $# -ge 1 ] || { echo "fuzz: usage: sh bench/fuzz.sh BUILD" >&2; exit 1; }
BUILD=$1
SOCKRR=$BUILD/bin/sockrr
SECS=${FUZZ_BENCH_SECONDS:-10}
for p in afl-fuzz afl-clang-fast; do
    command -v $p > /dev/null 2>&1 || { echo "fuzz: $p is missing (scripts/deps.sh libs: afl++)" >&2; exit 1; }
done
[ -x "$SOCKRR" ] || { echo "fuzz: $SOCKRR is missing: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
netns=""
unshare -n true 2> /dev/null && netns="unshare -n"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_QUIET=1
grep -q '^|' /proc/sys/kernel/core_pattern && export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
src=bench/fuzz/target.c
afl-clang-fast -O1 -o "$tmp/server" "$src" 2> /dev/null
afl-clang-fast -O1 -DAFLNET_STYLE -o "$tmp/aflnet" "$src" 2> /dev/null
afl-clang-fast -O1 -DSTDIN_STYLE -o "$tmp/stdin" "$src" 2> /dev/null
mkdir "$tmp/seeds" "$tmp/raw"
printf 'HELLO\nSET a 1\nGET a\n' > "$tmp/raw/seed"
printf '\000\022HELLO\nSET a 1\nGET a\n' > "$tmp/seeds/seed"

# rate OUT: execs_done / run_time of an afl-fuzz output folder
rate() {
    awk -F': *' '$1 ~ /^execs_done/ {e = $2} $1 ~ /^run_time/ {t = $2}
                 END { if (t > 0) printf "%.1f", e / t; else print 0 }' "$1/default/fuzzer_stats"
}

# shellcheck disable=SC2086
$netns "$SOCKRR" fuzz -i "$tmp/seeds" -o "$tmp/a" --no-dict --afl -V "$SECS" -- -- "$tmp/server" 7201 > "$tmp/a.log" 2>&1 ||
    { echo "fuzz: (a) failed: $(tail -3 "$tmp/a.log")" >&2; exit 1; }
# shellcheck disable=SC2086
$netns "$SOCKRR" fuzz -i "$tmp/seeds" -o "$tmp/b" --persistent --no-dict --afl -V "$SECS" -- -- "$tmp/server" 7201 > "$tmp/b.log" 2>&1 ||
    { echo "fuzz: (b) failed: $(tail -3 "$tmp/b.log")" >&2; exit 1; }
afl-fuzz -i "$tmp/raw" -o "$tmp/c" -V "$SECS" -t 1000 -- "$tmp/aflnet" @@ 7202 > "$tmp/c.log" 2>&1 ||
    { echo "fuzz: (c) failed: $(tail -3 "$tmp/c.log")" >&2; exit 1; }
afl-fuzz -i "$tmp/raw" -o "$tmp/d" -V "$SECS" -- "$tmp/stdin" > "$tmp/d.log" 2>&1 ||
    { echo "fuzz: (d) failed: $(tail -3 "$tmp/d.log")" >&2; exit 1; }
a=$(rate "$tmp/a") b=$(rate "$tmp/b") c=$(rate "$tmp/c") d=$(rate "$tmp/d")
printf 'fuzz_deferred\t%s\texec/s\taflnet_style\t%s\n' "$a" "$c"
printf 'fuzz_persistent\t%s\texec/s\tstdin_ceiling\t%s\n' "$b" "$d"
printf 'fuzz_deferred_vs_stdin\t%s\texec/s\tstdin_ceiling\t%s\n' "$a" "$d"
