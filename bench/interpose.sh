#!/bin/sh
# bench/interpose.sh — what the LD_PRELOAD interposer costs an unmodified
# program, measured on whole processes of the plain-libc fixtures
# (fixtures/native/, built to BUILD/native/).
#
# usage: sh bench/interpose.sh BUILD [pingpong|bulk|proc|all]...
#
# Prints bench rows on stdout ("name value unit baseline baseline_value",
# tab-separated; bench/run.sh prints ratio = value / baseline_value) and
# notes on stderr.  Every time is the wall clock around the whole command,
# taken by this script, not the program's own report: process start, the
# connection set-up and anything the tool does at exit are inside it.
#
#   pingpong  tcp_pingpong N, ns per round trip; baseline: the same program
#             without any preload.  Goals: passthrough <= 1.05x, record
#             (JSONL + pcap) <= 1.5x; strace and socket_wrapper are
#             comparison rows, skipped with a note when the tool is missing
#             or the program does not run under it.
#   bulk      tcp_bulk BYTES under `sockrr record -o TRACE` (no pcap), and
#             with --payload-cap 0, MB/s (10^6 bytes/s); baseline: native
#             MB/s.  Here the ratio is a throughput ratio: the goal is >= 0.5.
#   proc      PROCS short-lived connect_once processes, one after another,
#             against one listener: mean ms per process with the preload
#             (passthrough), under `sockrr record -o TRACE --` (one CLI run
#             per process) and under `sockrr record --passthrough --`; and
#             the max RSS of one process with the preload.  Goals: <= +1 ms and <= +2 MB per process
#             start (the difference matters here, not the ratio; the notes
#             on stderr print it).
#
# Each row takes the median of INTERPOSE_RUNS runs, interleaved with the
# native runs (native, variant, variant..., native, variant, ...) so that
# all sides see the same machine noise.
#
# Environment:
#   INTERPOSE_N           round trips per pingpong run (100000)
#   INTERPOSE_RUNS        runs per row, median taken (3)
#   INTERPOSE_BULK_BYTES  bytes per bulk run (1073741824 = 1 GiB)
#   INTERPOSE_PROCS       processes per proc-start run (200)
#   INTERPOSE_CPU=LIST    run everything under taskset -c LIST (e.g. 1):
#                         steadier latency on a busy machine
#   INTERPOSE_VERBOSE=1   print every run's time on stderr
#   TMPDIR                where traces, pcaps and strace logs go (/tmp);
#                         each is deleted right after its run
#
# Exit status: 1 when a required program is missing, when the native
# program fails, or when a passthrough/record run fails (the rows that did
# run are still printed); comparison rows never fail the script.
set -eu

die() { echo "interpose: $*" >&2; exit 1; }
note() { echo "interpose: $*" >&2; }

if [ -n "${INTERPOSE_CPU:-}" ] && [ -z "${INTERPOSE_PINNED:-}" ]; then
    command -v taskset >/dev/null 2>&1 || die "INTERPOSE_CPU needs taskset (util-linux)"
    INTERPOSE_PINNED=1 exec taskset -c "$INTERPOSE_CPU" sh "$0" "$@"
fi

[ $# -ge 1 ] || die "usage: sh bench/interpose.sh BUILD [pingpong|bulk|proc|all]..."
BUILD=$1
shift
groups=${*:-all}
for g in $groups; do
    case $g in pingpong | bulk | proc | all) ;; *) die "unknown group '$g' (pingpong, bulk, proc, all)" ;; esac
done
want() { for g in $groups; do [ "$g" = "$1" ] || [ "$g" = all ] && return 0; done; return 1; }

N=${INTERPOSE_N:-100000}
RUNS=${INTERPOSE_RUNS:-3}
BULK=${INTERPOSE_BULK_BYTES:-1073741824}
PROCS=${INTERPOSE_PROCS:-200}
for v in "$N" "$RUNS" "$BULK" "$PROCS"; do
    case $v in '' | *[!0-9]* | 0) die "INTERPOSE_N, _RUNS, _BULK_BYTES and _PROCS must be positive integers" ;; esac
done

[ -d "$BUILD" ] || die "no build directory '$BUILD'"
BUILD=$(cd "$BUILD" && pwd)
PRELOAD=$BUILD/lib/libsockrr-preload.so
SOCKRR=$BUILD/bin/sockrr
NATIVE=$BUILD/native
[ -f "$PRELOAD" ] || die "$PRELOAD is missing: build the interposer first (make)"
need() {
    [ -x "$NATIVE/$1" ] || die "$NATIVE/$1 is missing: build the native fixtures first (make; sources in fixtures/native/)"
}
want pingpong && need tcp_pingpong
want bulk && need tcp_bulk
want proc && need connect_once
if want pingpong || want bulk || want proc; then
    [ -x "$SOCKRR" ] || die "$SOCKRR is missing: build the CLI first (make)"
fi

# Nothing from the caller's environment on the native side, and the CLI
# loads the very library measured here.  Passthrough is LD_PRELOAD plus
# SOCKRR_PASSTHROUGH=1 (docs/interpose.md): every call goes through the
# kernel world, nothing is traced.
unset LD_PRELOAD SOCKRR_MODE SOCKRR_TRACE SOCKRR_CTL SOCKRR_PASSTHROUGH
export SOCKRR_PRELOAD="$PRELOAD"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sockrr-interpose.XXXXXX")
LISTENER=
cleanup() {
    if [ -n "$LISTENER" ]; then
        kill "$LISTENER" 2>/dev/null || true
        wait "$LISTENER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
status=0

# Nanoseconds on the wall clock: GNU date, else python3.
if [ "$(date +%N)" != N ] && [ -n "$(date +%N)" ]; then
    now_ns() { date +%s%N; }
elif command -v python3 >/dev/null 2>&1; then
    now_ns() { python3 -c 'import time; print(time.time_ns())'; }
else
    die "need GNU date (+%N) or python3 for the clock"
fi

# median VALUES...: the middle one (the lower middle of an even count)
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
# div A B FORMAT: A / B printed with FORMAT (awk arithmetic, floats allowed)
div() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { printf f, a / b }'; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"; }
# show the end of the last run's stderr under a note
tail_err() { [ -s "$WORK/err" ] && tail -n 5 "$WORK/err" | sed 's/^/interpose:   | /' >&2; return 0; }

# timed CMD...: runs CMD with stdout to $WORK/out and stderr to $WORK/err;
# sets T to the wall-clock ns around it; returns CMD's status.
timed() {
    _t0=$(now_ns)
    "$@" > "$WORK/out" 2> "$WORK/err" && _rc=0 || _rc=$?
    _t1=$(now_ns)
    T=$((_t1 - _t0))
    [ "${INTERPOSE_VERBOSE:-0}" = 1 ] && note "run: $* -> $T ns (status $_rc)"
    return $_rc
}

# The comparison tools.
STRACE=$(command -v strace 2>/dev/null || true)
SWLIB=
if command -v dpkg >/dev/null 2>&1; then
    SWLIB=$(dpkg -L libsocket-wrapper 2>/dev/null | grep '/libsocket_wrapper\.so$' | head -n 1 || true)
fi
for f in /usr/lib/x86_64-linux-gnu/libsocket_wrapper.so /usr/lib/libsocket_wrapper.so /usr/local/lib/libsocket_wrapper.so; do
    [ -z "$SWLIB" ] && [ -f "$f" ] && SWLIB=$f
done
[ -n "$SWLIB" ] && [ ! -f "$SWLIB" ] && SWLIB=

# variant KIND ARG...: runs BUILD/native/ARG... the way KIND says.
#   native       the program alone
#   passthrough  with the preload loaded, tracing nothing
#   record       under `sockrr record -o TRACE --pcap PCAP`: the whole CLI
#                run is timed, the pcap it writes at the end included
#   record_nopcap, record_cap0   `sockrr record -o TRACE` (--payload-cap 0)
#   strace       strace -f of the network, read, write and poll calls
#   socket_wrapper  Samba's socket_wrapper writing a pcap (its sockets are
#                AF_UNIX ones in SOCKET_WRAPPER_DIR standing for 127.0.0.x)
# Traces and logs go to $WORK and are deleted by the caller after each run.
variant() {
    _k=$1
    shift
    _p=$NATIVE/$1
    shift
    # $TO: empty, or timeout(1) for the short checks
    case $_k in
    native) $TO "$_p" "$@" ;;
    passthrough) LD_PRELOAD=$PRELOAD SOCKRR_PASSTHROUGH=1 $TO "$_p" "$@" ;;
    record) $TO "$SOCKRR" record -o "$WORK/trace.jsonl" --pcap "$WORK/trace.pcap" -- "$_p" "$@" ;;
    record_nopcap) $TO "$SOCKRR" record -o "$WORK/trace.jsonl" -- "$_p" "$@" ;;
    record_cap0) $TO "$SOCKRR" record -o "$WORK/trace.jsonl" --payload-cap 0 -- "$_p" "$@" ;;
    strace) $TO "$STRACE" -f -e trace=network,read,write,poll -s 65535 -o "$WORK/strace.log" "$_p" "$@" ;;
    socket_wrapper)
        mkdir -p "$WORK/sw"
        SOCKET_WRAPPER_DIR=$WORK/sw SOCKET_WRAPPER_DEFAULT_IFACE=1 \
            SOCKET_WRAPPER_PCAP_FILE=$WORK/sw.pcap LD_PRELOAD=$SWLIB $TO "$_p" "$@"
        ;;
    *) die "internal: unknown variant $_k" ;;
    esac
}
TO=
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 120"
clean_run() { rm -rf "$WORK/trace.jsonl" "$WORK/trace.pcap" "$WORK/strace.log" "$WORK/sw.pcap" "$WORK/sw"; }

# The first number after LABEL on the last run's stdout (empty if none).
stdout_count() { sed -n "s/.*$1[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$WORK/out" | head -n 1; }

# A variant's failure: fatal for the interposer's own rows, a skip for the
# comparison rows.
failed() {
    case $1 in
    native) note "$2: the native program failed on its own"; tail_err; exit 1 ;;
    strace | socket_wrapper) note "$2 under $1 failed: skipping its row"; tail_err ;;
    *) note "$2 under $1 failed"; tail_err; status=1 ;;
    esac
}

# ---------------------------------------------------------------- pingpong
if want pingpong; then
    kinds="native passthrough record"
    if [ -n "$STRACE" ]; then kinds="$kinds strace"; else note "strace not installed: no interpose_pingpong_strace row"; fi
    if [ -n "$SWLIB" ]; then kinds="$kinds socket_wrapper"; else note "libsocket-wrapper not installed: no interpose_pingpong_socket_wrapper row"; fi
    small=$((N < 1000 ? N : 1000))
    live=
    # A short run of each under timeout(1) first, so that a variant that
    # hangs (socket_wrapper's address mapping, an interposer bug) is caught
    # before the timed runs, which run without it.
    for k in $kinds; do
        clean_run
        TO=$TIMEOUT
        if timed variant "$k" tcp_pingpong "$small" && [ "$(stdout_count 'round trips:')" = "$small" ]; then
            live="$live $k"
        else
            failed "$k" "tcp_pingpong $small"
        fi
        TO=
        clean_run
    done
    for k in $live; do eval "pp_$k="; done
    r=0
    while [ $r -lt "$RUNS" ]; do
        for k in $live; do
            eval "[ \"\${pp_$k-x}\" = x ]" && continue # dropped after a failure
            clean_run
            if timed variant "$k" tcp_pingpong "$N" && [ "$(stdout_count 'round trips:')" = "$N" ]; then
                eval "pp_$k=\"\$pp_$k $T\""
            else
                failed "$k" "tcp_pingpong $N"
                eval "unset pp_$k"
            fi
            clean_run
        done
        r=$((r + 1))
    done
    # shellcheck disable=SC2086,SC2154
    base=$(median $pp_native)
    for k in $live; do
        [ "$k" = native ] && continue
        eval "[ \"\${pp_$k-x}\" = x ]" && continue
        eval "v=\$pp_$k"
        # shellcheck disable=SC2086
        row "interpose_pingpong_$k" "$(div "$(median $v)" "$N" %.0f)" ns/roundtrip native "$(div "$base" "$N" %.0f)"
    done
fi

# -------------------------------------------------------------------- bulk
if want bulk; then
    kinds="native"
    # A 1 GiB transfer makes a trace of about 3 GB with its payloads: ask
    # for 8 bytes free per byte sent (8 GiB for 1 GiB).
    free_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
    need_kb=$((BULK / 128))
    if [ "$free_kb" -ge "$need_kb" ]; then
        kinds="$kinds record_nopcap"
    else
        note "only $((free_kb / 1024)) MiB free in $WORK, $((need_kb / 1024)) MiB wanted: no interpose_bulk_record row"
    fi
    kinds="$kinds record_cap0"
    for k in $kinds; do eval "bk_$k="; done
    r=0
    while [ $r -lt "$RUNS" ]; do
        for k in $kinds; do
            eval "[ \"\${bk_$k-x}\" = x ]" && continue
            clean_run
            if timed variant "$k" tcp_bulk "$BULK" && [ "$(stdout_count 'bytes:')" = "$BULK" ]; then
                eval "bk_$k=\"\$bk_$k $T\""
            else
                failed "$k" "tcp_bulk $BULK"
                eval "unset bk_$k"
            fi
            clean_run
        done
        r=$((r + 1))
    done
    # shellcheck disable=SC2086,SC2154
    base=$(awk -v b="$BULK" -v t="$(median $bk_native)" 'BEGIN { printf "%.1f", b / t * 1000 }')
    for k in $kinds; do
        [ "$k" = native ] && continue
        eval "[ \"\${bk_$k-x}\" = x ]" && continue
        eval "v=\$bk_$k"
        case $k in record_nopcap) name=interpose_bulk_record ;; *) name=interpose_bulk_$k ;; esac
        # shellcheck disable=SC2086
        row "$name" "$(awk -v b="$BULK" -v t="$(median $v)" 'BEGIN { printf "%.1f", b / t * 1000 }')" MB/s native "$base"
    done
fi

# -------------------------------------------------------------------- proc
if want proc; then
    command -v python3 > /dev/null 2>&1 || die "python3 is needed for the proc rows' listener"
    # The listener: one connection at a time, read the byte, answer, close.
    # It runs until killed; the clients come one after another.
    python3 -c '
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    try:
        c.recv(1)
        c.sendall(b"y")
    except OSError:
        pass
    c.close()
' "$WORK/port" 2> "$WORK/listener.err" &
    LISTENER=$!
    i=0
    while [ ! -s "$WORK/port" ]; do
        kill -0 "$LISTENER" 2>/dev/null || { cat "$WORK/listener.err" >&2; die "the listener did not start"; }
        i=$((i + 1))
        [ $i -lt 200 ] || die "the listener did not start in 10 s"
        sleep 0.05
    done
    PORT=$(cat "$WORK/port")

    # proc_loop KIND: PROCS connect_once processes, one after another.
    # The environment is exported once, in a subshell, so that no extra
    # exec (env) sits in the loop; the shell's own fork per process is in
    # every kind's time alike.  Returns how many failed.
    #   record     `sockrr record -o TRACE -- connect_once`: the CLI's own
    #              fork/exec and trace writing are counted, honestly
    #   cli_passthrough  `sockrr record --passthrough -- connect_once`: the
    #              CLI without a trace, to tell its cost from recording's
    proc_loop() {
        (
            co=$NATIVE/connect_once
            case $1 in passthrough) export LD_PRELOAD="$PRELOAD" SOCKRR_PASSTHROUGH=1 ;; esac
            fails=0
            i=0
            while [ $i -lt "$PROCS" ]; do
                case $1 in
                native | passthrough) "$co" "$PORT" || fails=$((fails + 1)) ;;
                record) "$SOCKRR" record -o "$WORK/trace.jsonl" -- "$co" "$PORT" || fails=$((fails + 1)) ;;
                cli_passthrough) "$SOCKRR" record --passthrough -- "$co" "$PORT" || fails=$((fails + 1)) ;;
                esac
                i=$((i + 1))
            done
            [ $fails = 0 ] || echo "$fails of $PROCS processes failed" >&2
            [ $fails = 0 ]
        )
    }
    kinds="native passthrough record cli_passthrough"
    for k in $kinds; do eval "ps_$k="; done
    r=0
    while [ $r -lt "$RUNS" ]; do
        for k in $kinds; do
            eval "[ \"\${ps_$k-x}\" = x ]" && continue
            clean_run
            if timed proc_loop "$k"; then
                eval "ps_$k=\"\$ps_$k $T\""
            else
                failed "$k" "$PROCS x connect_once"
                eval "unset ps_$k"
            fi
            clean_run
        done
        r=$((r + 1))
    done
    # shellcheck disable=SC2086,SC2154
    base=$(awk -v t="$(median $ps_native)" -v n="$PROCS" 'BEGIN { printf "%.3f", t / n / 1e6 }')
    for k in passthrough record cli_passthrough; do
        eval "[ \"\${ps_$k-x}\" = x ]" && continue
        eval "v=\$ps_$k"
        case $k in
        passthrough) name=interpose_proc_start_ms ;;
        *) name=interpose_proc_start_$k ;;
        esac
        # shellcheck disable=SC2086
        ms=$(awk -v t="$(median $v)" -v n="$PROCS" 'BEGIN { printf "%.3f", t / n / 1e6 }')
        row "$name" "$ms" ms/process native "$base"
        case $k in
        passthrough) why="goal <= +1 ms" ;;
        record) why="the sockrr CLI's fork/exec and the trace's writing included" ;;
        *) why="the sockrr CLI's fork/exec, no trace" ;;
        esac
        note "$name: $(awk -v a="$ms" -v b="$base" 'BEGIN { printf "%+.3f", a - b }') ms per process over native ($why)"
    done

    # Max RSS of one process.  /usr/bin/time forks, so the child's peak
    # counts the anonymous pages it inherits from time until its exec; time
    # gets the same LD_PRELOAD as its child so that nothing (env, a shell)
    # sits between them, and its own pages stay below the child's.
    rss_once() {
        case $1 in
        native) /usr/bin/time -f %M -o "$WORK/rss" "$NATIVE/connect_once" "$PORT" ;;
        passthrough) LD_PRELOAD=$PRELOAD SOCKRR_PASSTHROUGH=1 /usr/bin/time -f %M -o "$WORK/rss" "$NATIVE/connect_once" "$PORT" ;;
        esac > /dev/null 2> "$WORK/err" || return 1
        tail -n 1 "$WORK/rss"
    }
    if [ ! -x /usr/bin/time ]; then
        # python3 forks (not vfork: a vfork child's peak would be python's)
        rss_once() {
            case $1 in passthrough) pre=$PRELOAD ;; *) pre= ;; esac
            python3 -c '
import os, resource, sys
pid = os.fork()
if pid == 0:
    env = dict(os.environ)
    if sys.argv[1]:
        env["LD_PRELOAD"] = sys.argv[1]
        env["SOCKRR_PASSTHROUGH"] = "1"
    os.execve(sys.argv[2], sys.argv[2:], env)
_, st = os.waitpid(pid, 0)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(0 if st == 0 else 1)
' "$pre" "$NATIVE/connect_once" "$PORT" 2> "$WORK/err"
        }
        note "no /usr/bin/time: RSS from python3, whose own pages may raise the floor"
    fi
    rss_n=
    rss_p=
    r=0
    while [ $r -lt "$RUNS" ]; do
        v=$(rss_once native) || failed native "connect_once (RSS)"
        rss_n="$rss_n $v"
        if v=$(rss_once passthrough); then rss_p="$rss_p $v"; else failed passthrough "connect_once (RSS)"; rss_p=; break; fi
        r=$((r + 1))
    done
    if [ -n "$rss_p" ]; then
        # shellcheck disable=SC2086
        a=$(median $rss_p)
        # shellcheck disable=SC2086
        b=$(median $rss_n)
        row interpose_proc_rss_kb "$a" KB native "$b"
        note "interpose_proc_rss_kb: $((a - b)) KB over native (goal <= +2048 KB)"
    fi
fi

exit $status
