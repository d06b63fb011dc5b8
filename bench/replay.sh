#!/bin/sh
# bench/replay.sh — how fast sockrr replay plays a trace, and its memory.
#
# usage: sh bench/replay.sh BUILD
#
# A client (fixtures/native/lines_client) sends REPLAY_BENCH_N lines to a
# demo_server one at a time, recorded; then it is replayed with no server.
# Rows (tab-separated "name value unit baseline baseline_value"):
#   replay_events_per_s  recorded events replayed per second of wall time
#                        (the whole run: loading the trace and the
#                        program); baseline: the goal, 1 000 000.
#   replay_peak_rss_kb   the replaying process's peak RSS; baseline: the
#                        trace's size in KB.  Goal: under 64 MB and flat in
#                        the trace's size (this version loads the whole
#                        trace: docs/replay.md).
set -eu
[ $# -ge 1 ] || { echo "replay bench: usage: sh bench/replay.sh BUILD" >&2; exit 1; }
BUILD=$1
N=${REPLAY_BENCH_N:-200000}
S=$BUILD/bin/sockrr
for f in "$S" "$BUILD/native/demo_server" "$BUILD/native/lines_client"; do
    [ -x "$f" ] || { echo "replay bench: $f is missing: build first (make)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "replay bench: /usr/bin/time is missing (Debian package time)" >&2; exit 1; }
d=$(mktemp -d)
spid=""
trap '[ -z "$spid" ] || kill $spid 2> /dev/null; rm -rf "$d"' EXIT
unset LD_PRELOAD SOCKRR_MODE SOCKRR_TRACE SOCKRR_CTL SOCKRR_PASSTHROUGH

"$BUILD/native/demo_server" > "$d/port" &
spid=$!
for _ in $(seq 50); do [ -s "$d/port" ] && break; sleep 0.1; done
port=$(cat "$d/port")
"$S" record -o "$d/t.jsonl" -- "$BUILD/native/lines_client" "$port" "$N" > /dev/null
kill $spid
spid=""
events=$(($(wc -l < "$d/t.jsonl") - 1))
size_kb=$(($(wc -c < "$d/t.jsonl") / 1024))

t0=$(date +%s%N)
/usr/bin/time -f %M -o "$d/rss" "$S" replay "$d/t.jsonl" -- "$BUILD/native/lines_client" "$port" "$N" > /dev/null
t1=$(date +%s%N)
# the replaying process is the client's (its RSS is what the world holds);
# /usr/bin/time reports the largest of sockrr and its child
rss=$(cat "$d/rss")
printf 'replay_events_per_s\t%s\tevents/s\tgoal\t1000000\n' "$((events * 1000000000 / (t1 - t0)))"
printf 'replay_peak_rss_kb\t%s\tKB\ttrace_KB\t%s\n' "$rss" "$size_kb"
echo "replay bench: $events events, trace $size_kb KB" >&2
