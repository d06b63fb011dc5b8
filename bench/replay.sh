#!/bin/sh
# bench/replay.sh — how fast sockrr replay plays a trace, and its memory.
#
# usage: sh bench/replay.sh BUILD
#
# A client (fixtures/native/lines_client) sends REPLAY_BENCH_N lines to a
# demo_server one at a time, recorded; then it is replayed with no server.
# Then a client (fixtures/native/bulk_client) sends REPLAY_BENCH_BYTES (and
# an eighth of that) to a sink in 64 KiB calls, recorded; each trace is
# replayed and the replaying process's peak RSS measured.
# Rows (tab-separated "name value unit baseline baseline_value"):
#   replay_events_per_s  recorded events replayed per second of wall time
#                        (the whole run of sockrr replay: its check of the
#                        trace, the program's start, the replay; the median
#                        of three runs); baseline: the same client natively
#                        against the live server, events/s (median of three).
#   replay_peak_rss_kb   peak RSS replaying the lines trace; baseline: the
#                        trace's size in KB.
#   replay_big_rss_kb    peak RSS replaying the bulk trace (about 1.4 GB for
#                        the default 1 GiB of payload); baseline: the peak
#                        RSS replaying the trace an eighth of its size.
#                        Goal: under 64 MB, and flat (the two close).
set -eu
[ $# -ge 1 ] || { echo "replay bench: usage: sh bench/replay.sh BUILD" >&2; exit 1; }
BUILD=$1
N=${REPLAY_BENCH_N:-200000}
S=$BUILD/bin/sockrr
BYTES=${REPLAY_BENCH_BYTES:-1073741824}
for f in "$S" "$BUILD/native/demo_server" "$BUILD/native/lines_client" "$BUILD/native/bulk_client"; do
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
for run in 1 2 3; do
    t0=$(date +%s%N)
    "$BUILD/native/lines_client" "$port" "$N" > /dev/null
    echo $(($(date +%s%N) - t0)) >> "$d/native"
done
kill $spid
spid=""
events=$(($(wc -l < "$d/t.jsonl") - 1))
size_kb=$(($(wc -c < "$d/t.jsonl") / 1024))

# the median of three runs: the machine is shared and noisy
for run in 1 2 3; do
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$d/rss" "$S" replay "$d/t.jsonl" -- "$BUILD/native/lines_client" "$port" "$N" > /dev/null
    t1=$(date +%s%N)
    echo $((t1 - t0)) >> "$d/runs"
done
elapsed=$(sort -n "$d/runs" | sed -n 2p)
# the replaying process is the client's (its RSS is what the world holds);
# /usr/bin/time reports the largest of sockrr and its child
rss=$(cat "$d/rss")
native=$(sort -n "$d/native" | sed -n 2p)
printf 'replay_events_per_s\t%s\tevents/s\tnative\t%s\n' "$((events * 1000000000 / elapsed))" \
    "$((events * 1000000000 / native))"
printf 'replay_peak_rss_kb\t%s\tKB\ttrace_KB\t%s\n' "$rss" "$size_kb"
echo "replay bench: $events events, trace $size_kb KB, median of 3 runs $((elapsed / 1000000)) ms ($(sort -n "$d/runs" | awk '{printf "%d ", $1 / 1000000}')ms)" >&2
rm -f "$d/t.jsonl"

# --- RSS against trace size: a bulk sender, an eighth and the whole ----------
sink_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(4)
while True:
    c, _ = l.accept()
    n = 0
    while True:
        b = c.recv(1 << 20)
        if not b: break
        n += len(b)
    c.sendall(b"%d\n" % n); c.close()
' "$sink_port" &
spid=$!
sleep 0.5
bulk_rss() { # BYTES -> peak RSS in KB replaying its recorded trace
    "$S" record -o "$d/b.jsonl" -- "$BUILD/native/bulk_client" "$sink_port" "$1" > "$d/b.rec"
    /usr/bin/time -f %M -o "$d/rss" "$S" replay "$d/b.jsonl" -- "$BUILD/native/bulk_client" "$sink_port" "$1" > "$d/b.rep"
    cmp -s "$d/b.rec" "$d/b.rep" || { echo "replay bench: the bulk replay printed other output" >&2; exit 1; }
    echo "replay bench: bulk trace of $1 bytes: $(($(wc -c < "$d/b.jsonl") / 1048576)) MB" >&2
    rm -f "$d/b.jsonl"
    cat "$d/rss"
}
small=$(bulk_rss $((BYTES / 8)))
big=$(bulk_rss "$BYTES")
kill $spid
spid=""
printf 'replay_big_rss_kb\t%s\tKB\tsmall_trace_rss_KB\t%s\n' "$big" "$small"
