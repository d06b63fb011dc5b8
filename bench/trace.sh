#!/bin/sh
# bench/trace.sh — what recording costs where the I/O is heavy, against
# the I/O a machine can do (issue "Recording that costs less than the I/O
# it must do").  Prints bench rows on stdout (name value unit baseline
# baseline_value, tab-separated; bench/run.sh prints value / baseline) and
# notes on stderr.  Every figure is a median of TRACE_RUNS runs measured
# in this one call, interleaved with its baseline's.
#
# usage: sh bench/trace.sh BUILD
#
#   trace_bulk_write_rate   bytes of trace and pcap that `sockrr record -o T
#                           --pcap P -- tcp_bulk BYTES` writes per second of
#                           its whole run, against dd writing as many bytes
#                           to the same file system (MB/s).  Goal >= 0.5.
#   trace_bulk_strace_write_rate   the same for strace -f -s 65535 -o LOG.
#   trace_bulk_pcap_time    the whole run with --pcap against the same run
#                           without it (s).  Goal <= 1.2.
#   trace_convert_bulk, trace_convert_small   `sockrr convert` of the bulk
#                           trace and of a ping-pong trace (small events),
#                           MB/s of JSONL, against dd copying the same file
#                           on the same file system.  Goal: >= 500 MB/s.
#   trace_redis_record      redis-benchmark's requests/s against a
#                           redis-server under `sockrr record -o T`, against
#                           the same server run natively.  Goal >= 0.8.
#   trace_redis_record_pcap the same with --pcap P (the pcap made alongside).
#   trace_redis_strace      the same under strace -f -s 65535.
#
# Environment: TRACE_RUNS (3), TRACE_BULK_BYTES (268435456), TRACE_PP (20000
# round trips for the small-event trace), TRACE_REDIS_N (20000 requests per
# redis-benchmark test), TMPDIR (where the files go; deleted after).
set -eu
die() { echo "trace: $*" >&2; exit 1; }
note() { echo "trace: $*" >&2; }
[ $# -ge 1 ] || die "usage: sh bench/trace.sh BUILD"
BUILD=$(cd "$1" && pwd) || die "no build directory '$1'"
RUNS=${TRACE_RUNS:-3}
BULK=${TRACE_BULK_BYTES:-268435456}
PP=${TRACE_PP:-20000}
REDIS_N=${TRACE_REDIS_N:-20000}
for v in "$RUNS" "$BULK" "$PP" "$REDIS_N"; do
    case $v in '' | *[!0-9]* | 0) die "TRACE_RUNS, _BULK_BYTES, _PP and _REDIS_N must be positive integers" ;; esac
done
SOCKRR=$BUILD/bin/sockrr
NATIVE=$BUILD/native
for f in "$SOCKRR" "$NATIVE/tcp_bulk" "$NATIVE/tcp_pingpong"; do
    [ -x "$f" ] || die "$f is missing: build first (make)"
done
for p in strace dd redis-server redis-benchmark; do
    command -v $p > /dev/null 2>&1 || die "$p is missing: make deps installs it"
done
unset LD_PRELOAD SOCKRR_MODE SOCKRR_TRACE SOCKRR_CTL SOCKRR_PASSTHROUGH
export SOCKRR_PRELOAD="$BUILD/lib/libsockrr-preload.so"
W=$(mktemp -d "${TMPDIR:-/tmp}/sockrr-trace.XXXXXX")
SERVER=
trap '[ -z "$SERVER" ] || kill $SERVER 2> /dev/null; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"; }
size() { stat -c %s "$1"; }
# timed CMD...: T = the wall-clock ns around CMD (its output to $W/out, err)
timed() {
    _t0=$(now_ns)
    "$@" > "$W/out" 2> "$W/err" || { tail -5 "$W/err" >&2; die "failed: $*"; }
    T=$(($(now_ns) - _t0))
}
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / t * 1000 }'; } # bytes, ns -> MB/s
secs() { awk -v t="$1" 'BEGIN { printf "%.3f", t / 1e9 }'; }

# ------------------------------------------------------------------- bulk
rec= pcap= nopcap= dd= st= stdd= bytes=0 stbytes=0
r=0
while [ $r -lt "$RUNS" ]; do
    timed "$SOCKRR" record -o "$W/b.jsonl" --pcap "$W/b.pcap" -- "$NATIVE/tcp_bulk" "$BULK"
    pcap="$pcap $T"
    bytes=$(($(size "$W/b.jsonl") + $(size "$W/b.pcap")))
    rm -f "$W/b.pcap"
    [ $r -lt $((RUNS - 1)) ] && rm -f "$W/b.jsonl" # the last one stays, for convert
    timed dd if=/dev/zero of="$W/dd.out" bs=1M count=$((bytes / 1048576))
    dd="$dd $T"
    rm -f "$W/dd.out"
    timed "$SOCKRR" record -o "$W/n.jsonl" -- "$NATIVE/tcp_bulk" "$BULK"
    nopcap="$nopcap $T"
    rm -f "$W/n.jsonl"
    timed strace -f -e trace=network,read,write,poll -s 65535 -o "$W/s.log" "$NATIVE/tcp_bulk" "$BULK"
    st="$st $T"
    stbytes=$(size "$W/s.log")
    rm -f "$W/s.log"
    timed dd if=/dev/zero of="$W/dd.out" bs=1M count=$((stbytes / 1048576))
    stdd="$stdd $T"
    rm -f "$W/dd.out"
    r=$((r + 1))
done
# shellcheck disable=SC2086
row trace_bulk_write_rate "$(mbs "$bytes" "$(median $pcap)")" MB/s "dd of as many bytes" \
    "$(mbs "$(($((bytes / 1048576)) * 1048576))" "$(median $dd)")"
# shellcheck disable=SC2086
row trace_bulk_strace_write_rate "$(mbs "$stbytes" "$(median $st)")" MB/s "dd of as many bytes" \
    "$(mbs "$(($((stbytes / 1048576)) * 1048576))" "$(median $stdd)")"
# shellcheck disable=SC2086
row trace_bulk_pcap_time "$(secs "$(median $pcap)")" s "record without --pcap" "$(secs "$(median $nopcap)")"
note "bulk: $BULK bytes each way: trace + pcap $bytes bytes, strace's log $stbytes bytes"

# ---------------------------------------------------------------- convert
"$SOCKRR" record -o "$W/pp.jsonl" -- "$NATIVE/tcp_pingpong" "$PP" > /dev/null 2>&1 ||
    die "record of tcp_pingpong failed"
for t in bulk:b small:pp; do
    name=${t%%:*} f=$W/${t#*:}.jsonl
    cv= cp=
    r=0
    while [ $r -lt "$RUNS" ]; do
        timed "$SOCKRR" convert "$f" -o "$W/c.pcap"
        cv="$cv $T"
        rm -f "$W/c.pcap"
        timed dd if="$f" of="$W/c.copy" bs=1M
        cp="$cp $T"
        rm -f "$W/c.copy"
        r=$((r + 1))
    done
    # shellcheck disable=SC2086
    row "trace_convert_$name" "$(mbs "$(size "$f")" "$(median $cv)")" MB/s "dd copying the trace" \
        "$(mbs "$(size "$f")" "$(median $cp)")"
    note "convert $name: $(size "$f") bytes of JSONL"
done
rm -f "$W/b.jsonl" "$W/pp.jsonl"

# ------------------------------------------------------------------ redis
# start_redis [WRAPPER...]: a redis-server on a free port, in the
# background as SERVER, up when it answers
PORT=0
start_redis() {
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$@" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
        > "$W/redis.out" 2>&1 &
    SERVER=$!
    i=0
    until redis-cli -p "$PORT" ping > /dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 200 ] || { tail -5 "$W/redis.out" >&2; die "redis-server did not start: $*"; }
        sleep 0.05
    done
}
stop_redis() {
    redis-cli -p "$PORT" shutdown nosave > /dev/null 2>&1 || kill $SERVER 2> /dev/null || true
    wait $SERVER 2> /dev/null || true
    SERVER=
}
# requests/s of redis-benchmark's SET and GET, summed
bench_redis() {
    redis-benchmark -p "$PORT" -t set,get -n "$REDIS_N" -c 10 -q 2> /dev/null |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "requests") s += $(i - 1) } END { printf "%.0f", s }'
}
nat= rec= recp= st=
r=0
while [ $r -lt "$RUNS" ]; do
    start_redis
    nat="$nat $(bench_redis)"
    stop_redis
    start_redis "$SOCKRR" record -o "$W/r.jsonl" --
    rec="$rec $(bench_redis)"
    stop_redis
    rm -f "$W/r.jsonl"
    start_redis "$SOCKRR" record -o "$W/r.jsonl" --pcap "$W/r.pcap" --
    recp="$recp $(bench_redis)"
    stop_redis
    rm -f "$W/r.jsonl" "$W/r.pcap"
    start_redis strace -f -s 65535 -o "$W/r.strace"
    st="$st $(bench_redis)"
    stop_redis
    rm -f "$W/r.strace"
    r=$((r + 1))
done
# shellcheck disable=SC2086
row trace_redis_record "$(median $rec)" requests/s "native redis-server" "$(median $nat)"
# shellcheck disable=SC2086
row trace_redis_record_pcap "$(median $recp)" requests/s "native redis-server" "$(median $nat)"
# shellcheck disable=SC2086
row trace_redis_strace "$(median $st)" requests/s "native redis-server" "$(median $nat)"
