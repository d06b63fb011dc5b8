#!/bin/sh
# Runs the benchmark rows, prints a table of ratios against the baseline
# measured in the same run, and writes the rows to $BUILD/bench.json.
# ONLY=NAME runs one row.  Each row is a program printing tab-separated
# "name value unit baseline baseline_value" lines; a command may be a shell
# script (sh bench/interpose.sh ...), and one row may print several lines.
set -eu
BUILD=${BUILD:-build}
BENCH=$(dirname "$0")
ONLY=${ONLY:-}

# row name | command
rows="tcp_pingpong_1byte|$BUILD/bench/pingpong 100000 5
trace_write|$BUILD/bench/trace_write $BUILD 200000 512
sim|$BUILD/bench/sim 1000000 4096
interpose_pingpong|sh $BENCH/interpose.sh $BUILD pingpong
interpose_bulk|sh $BENCH/interpose.sh $BUILD bulk
interpose_proc|sh $BENCH/interpose.sh $BUILD proc
sim_interpose|sh $BENCH/sim_interpose.sh $BUILD
replay|sh $BENCH/replay.sh $BUILD
trace|sh $BENCH/trace.sh $BUILD
path_calls|sh $BENCH/path_calls.sh $BUILD
fuzz|sh $BENCH/fuzz.sh $BUILD"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
found=0
IFS='
'
for row in $rows; do
    name=${row%%|*}
    cmd=${row#*|}
    [ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
    found=1
    echo "bench: running $name" >&2
    IFS=' '
    # shellcheck disable=SC2086
    $cmd >> "$out"
    IFS='
'
done
if [ "$found" = 0 ]; then
    echo "bench: no row named '$ONLY'" >&2
    exit 2
fi

awk -F'\t' -v json="$BUILD/bench.json" '
    function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    BEGIN { printf "%-36s %14s %-14s %-14s %14s %8s\n", "name", "value", "unit", "baseline", "baseline_value", "ratio"
            print "[" > json; n = 0 }
    NF == 5 {
        ratio = ($5 > 0) ? $2 / $5 : 0
        printf "%-36s %14s %-14s %-14s %14s %8.3f\n", $1, $2, $3, $4, $5, ratio
        printf "%s  {\"name\": %s, \"value\": %s, \"unit\": %s, \"baseline\": %s, \"baseline_value\": %s, \"ratio\": %.4f}", (n++ ? ",\n" : ""), q($1), $2, q($3), q($4), $5, ratio > json
    }
    END { print "\n]" > json }
' "$out"
echo "bench: rows written to $BUILD/bench.json" >&2
