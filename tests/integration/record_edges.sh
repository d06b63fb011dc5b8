# Corner cases of `sockrr record` that once went wrong (fixtures/native/
# record_edges.c, one subtest a run): each subtest prints the same bytes and
# exits the same way natively and under `sockrr record`, its trace passes
# `sockrr check` and holds the calls it made.  closefrom/closerange: a
# daemon that closes every descriptor and opens a log gets its log, not
# trace lines, and a dup2 onto the trace descriptor's number (limit - 16
# when the hard limit is the soft one, as `ulimit -n 1024` makes it;
# record_nofile.sh covers the other case) neither sends trace lines into
# the program's socket nor ends the trace; run at the inherited descriptor
# limit and at 1024.  sigmask: a thread that
# blocks every signal does not leave its mask on another.  sendfile and
# splice move every byte.  msgtrunc, sockopt, read0, iov0: odd arguments
# answer as Linux does, without a crash.  Then the launcher: an inherited
# SIG_IGN for SIGCHLD does not lose CMD's exit status, and SIGUSR1 sent to
# sockrr ends CMD with it.
#
# Every case runs, in a subshell of its own; the script fails when any did.
. tests/integration/lib.inc
need jq
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
PROG=$BUILD/native/record_edges
[ -x "$PROG" ] || fail "$PROG is not built (make $PROG)"
tmp=$(mktemp -d)
bgpid="" kidpid="" # case_usr1's sockrr and its sleep, killed if it fails
trap 'rm -rf "$tmp"' EXIT
LIMIT=120 # seconds any one run may take: a hang is a failure, not a stuck test
nfail=0

# run [-p] OUT CMD...: CMD's stdout to OUT, stderr to OUT.err, status in $rc.
# -p: in the environment of traced programs (preload_env).
run() {
    pre=""
    [ "$1" = -p ] && { pre=1; shift; }
    out=$1; shift
    if [ -n "$pre" ]; then
        (preload_env; exec timeout -k 5 $LIMIT "$@") > "$out" 2> "$out.err"
    else
        timeout -k 5 $LIMIT "$@" > "$out" 2> "$out.err"
    fi
    rc=$?
    case $rc in 124 | 137) fail "'$*' did not end within $LIMIT s: $(tail -5 "$out.err")" ;; esac
}
. tests/integration/trace_query.inc
# moved TRACE OP SOCK: the bytes OP events on sock id SOCK say they moved
moved() {
    jq -s --arg op "$2" --argjson s "$3" '[.[] | select(.op == $op and .sock == $s and .ret > 0) | .len] | add // 0' "$1"
}
# printed NAME LINE: the native run printed LINE, whole
printed() {
    grep -qxF -- "$2" "$tmp/$1.native" || fail "$1: the program printed no line '$2' natively:
$(head -20 "$tmp/$1.native")"
}

# edge NAME SUBTEST [ARG]: the subtest natively and under sockrr record (to
# $tmp/NAME.jsonl): same stdout, same status, and the trace is valid.  An
# ARG of @log is a log file, $tmp/NAME.log, removed before each run.
edge() {
    name=$1 sub=$2 arg=${3:-}
    case $arg in @log) arg=$tmp/$name.log ;; esac
    rm -f "$tmp/$name.log"
    run "$tmp/$name.native" "$PROG" $sub $arg
    [ "$rc" = 0 ] || fail "$name: exited $rc natively: $(tail -5 "$tmp/$name.native.err")"
    log_check "$name" natively
    rm -f "$tmp/$name.log"
    t=$tmp/$name.jsonl
    run -p "$tmp/$name.rec" "$SOCKRR" record -o "$t" -- "$PROG" $sub $arg
    log_check "$name" "under sockrr record"
    hint=""
    grep -q "^  sent through it: garbled, '{\"" "$tmp/$name.rec" && hint="
(trace lines arrived on the program's socket: after its dup2 onto the trace descriptor's number the trace went on writing there)"
    cmp -s "$tmp/$name.native" "$tmp/$name.rec" || fail "$name: standard output under sockrr record differs from the native run (exit $rc there, 0 natively):
$(diff "$tmp/$name.native" "$tmp/$name.rec" | head -20)
stderr: $(tail -5 "$tmp/$name.rec.err")$hint"
    [ "$rc" = 0 ] || fail "$name: exited $rc under sockrr record, 0 natively: $(tail -5 "$tmp/$name.rec.err")"
    [ -s "$t" ] || fail "$name: sockrr record wrote no trace"
    "$SOCKRR" check "$t" > "$tmp/$name.check" 2>&1 ||
        fail "$name: sockrr check rejects the trace: $(head -5 "$tmp/$name.check")"
    n=$(count "$t" true)
    [ "$n" -gt 0 ] || fail "$name: the trace holds no events"
}
# the closefrom/closerange log holds its one line, nothing else
printf "record_edges: the daemon's own log line\n" > "$tmp/want.log"
log_check() {
    [ -e "$tmp/$1.log" ] || return 0
    cmp -s "$tmp/want.log" "$tmp/$1.log" || fail "$1: the log file $2 holds $(wc -c < "$tmp/$1.log") bytes, not just the program's line; it begins:
$(head -c 600 "$tmp/$1.log")"
}

# case_daemon NAME SUBTEST [DESCRIPTOR LIMIT]
case_daemon() {
    name=$1 sub=$2
    [ -z "${3:-}" ] || ulimit -n "$3" || fail "$name: cannot lower the descriptor limit to $3"
    edge "$name" "$sub" @log
    t=$tmp/$name.jsonl
    has "$t" 'any(.[]; .op == "socketpair" and .ret == 0)' || fail "$name: no socketpair event in the trace"
    sent "$t" hi || fail "$name: no sendmsg of 'hi' in the trace"
    received "$t" hi || fail "$name: no recvmsg of 'hi' in the trace"
    # a send through each duplicate the program made, the trace descriptor's
    # number (limit - 16) included, and the last word after them all
    for fd in $(sed -n 's/^dup2 onto \([0-9]*\): ok$/\1/p' "$tmp/$name.native"); do
        sent "$t" "via $fd" || fail "$name: no sendmsg of 'via $fd' (the send through the dup2 onto $fd) in the trace"
    done
    top=$(ulimit -n)
    [ "$top" = unlimited ] || [ "$top" -gt 65536 ] && top=65536
    sent "$t" "via $((top - 16))" ||
        fail "$name: no sendmsg of 'via $((top - 16))' in the trace: after a dup2 onto the trace descriptor's number the trace went on elsewhere, or not at all"
    sent "$t" bye || fail "$name: the last sendmsg ('bye') is not in the trace: the trace ended early"
    received "$t" bye || fail "$name: the last recvmsg ('bye') is not in the trace: the trace ended early"
}

case_sigmask() {
    edge sigmask sigmask
    printed sigmask "mask ok"
    printed sigmask "worker mask ok"
    t=$tmp/sigmask.jsonl
    n=$(count "$t" '.op == "sendmsg" and .ret == 1')
    [ "$n" = 10000 ] || fail "sigmask: $n one-byte sendmsg events, the two threads sent 10000"
    n=$(jq -s '[.[] | select(.op == "sendmsg") | .tid] | unique | length' "$t")
    [ "$n" = 2 ] || fail "sigmask: sendmsg events from $n threads, expected 2"
}

case_sendfile() {
    edge sendfile sendfile "$tmp"
    printed sendfile "sendfile=1000000 offset now 1000000, file position 0"
    printed sendfile "sendfile (from the file position)=1000000, file position 1000000"
    printed sendfile "reader received 2000000 bytes, all as sent"
    t=$tmp/sendfile.jsonl
    n=$(moved "$t" sendmsg 1)
    [ "$n" = 2000000 ] || fail "sendfile: sendmsg events on the sending socket moved $n bytes, the two sendfile calls 2000000"
    n=$(moved "$t" recvmsg 2)
    [ "$n" = 2000000 ] || fail "sendfile: recvmsg events on the receiving socket moved $n bytes, the reader 2000000"
}

case_splice() {
    edge splice splice
    printed splice "spliced 2000000 of 2000000 written to the pipe, 0 left in it"
    printed splice "reader received 2000000 bytes, all as sent"
    t=$tmp/splice.jsonl
    n=$(moved "$t" sendmsg 1)
    [ "$n" = 2000000 ] || fail "splice: sendmsg events on the sending socket moved $n bytes, splice 2000000"
    n=$(moved "$t" recvmsg 2)
    [ "$n" = 2000000 ] || fail "splice: recvmsg events on the receiving socket moved $n bytes, the reader 2000000"
    has "$t" 'any(.[]; .op == "sendmsg" and .errno == "EAGAIN")' ||
        fail "splice: no sendmsg failed with EAGAIN: the socket never filled, the case tested nothing"
}

case_msgtrunc() {
    edge msgtrunc msgtrunc
    printed msgtrunc "recv(NULL, 5, MSG_TRUNC)=5"
    printed msgtrunc "then recv=5 '56789'"
    t=$tmp/msgtrunc.jsonl
    has "$t" 'any(.[]; .op == "recvmsg" and .args.flags == 32 and .ret == 5)' ||
        fail "msgtrunc: no recvmsg event with flags MSG_TRUNC (32) that returned 5"
    received "$t" 56789 || fail "msgtrunc: no recvmsg of '56789' (what MSG_TRUNC left)"
}

case_sockopt() {
    edge sockopt sockopt
    printed sockopt "setsockopt(SO_RCVBUF, an int, len 1<<20): ok"
    t=$tmp/sockopt.jsonl
    n=$(count "$t" '.op == "setsockopt"')
    [ "$n" = 4 ] || fail "sockopt: $n setsockopt events, the program made 4 calls"
    has "$t" 'any(.[]; .op == "setsockopt" and .args.name == 8 and .ret == 0 and .args.value == "AAABAA==")' ||
        fail "sockopt: no successful SO_RCVBUF setsockopt event with the value 65536 (the 4 bytes before the guard page): $(jq -c 'select(.op == "setsockopt") | .args' "$t" | head -2)"
}

case_read0() {
    edge read0 read0
    printed read0 "read of 0 bytes=0"
    printed read0 "then read=3 'abc'"
    received "$tmp/read0.jsonl" abc || fail "read0: no recvmsg of 'abc' in the trace"
}

case_iov0() {
    edge iov0 iov0
    printed iov0 "stream sendmsg, no iovec=0"
    t=$tmp/iov0.jsonl
    has "$t" 'any(.[]; .op == "sendmsg" and .stype == "SOCK_STREAM" and .ret == 0 and .args.iov == 0)' ||
        fail "iov0: no sendmsg event of no iovec on the stream socket that returned 0"
    sent "$t" x || fail "iov0: no sendmsg of 'x' (the byte between empty iovecs)"
    has "$t" 'any(.[]; .op == "sendmsg" and .stype == "SOCK_DGRAM" and .ret == 0 and (.args.cmsg | length) == 1)' ||
        fail "iov0: no sendmsg event of the datagram with only a descriptor"
    has "$t" 'any(.[]; .op == "recvmsg" and .stype == "SOCK_DGRAM" and .ret == 0 and (.cmsg | length) == 1)' ||
        fail "iov0: no recvmsg event of the datagram with only a descriptor"
}

# --- the launcher -------------------------------------------------------------
# sockrr started with SIGCHLD ignored: CMD's status still comes back
case_sigchld() {
    for pcap in "" "--pcap $tmp/chld.pcap"; do
        how="with SIGCHLD ignored${pcap:+ and --pcap}"
        run -p "$tmp/chld" sh -c 'trap "" CHLD; exec "$@"' sh "$SOCKRR" record -o "$tmp/chld.jsonl" $pcap -- sh -c 'exit 3'
        [ "$rc" = 3 ] || fail "sockrr record $how of 'exit 3' exited $rc, expected 3: $(tail -5 "$tmp/chld.err")"
        run -p "$tmp/chld" sh -c 'trap "" CHLD; exec "$@"' sh "$SOCKRR" record -o "$tmp/chld.jsonl" $pcap -- sh -c 'kill -TERM $$'
        [ "$rc" = 143 ] || fail "sockrr record $how of a command killed by SIGTERM exited $rc, expected 143: $(tail -5 "$tmp/chld.err")"
        "$SOCKRR" check "$tmp/chld.jsonl" > "$tmp/chld.check" 2>&1 ||
            fail "sockrr check rejects the trace made $how: $(head -5 "$tmp/chld.check")"
        [ -z "$pcap" ] || [ -s "$tmp/chld.pcap" ] || fail "sockrr record $how wrote no pcap"
    done
}

# children PID: the pids of PID's children
children() {
    if [ -r "/proc/$1/task/$1/children" ]; then
        cat /proc/$1/task/*/children 2> /dev/null
    else
        for s in /proc/[0-9]*/stat; do
            awk -v p="$1" '$4 == p { print $1 }' "$s" 2> /dev/null
        done
    fi
}

# kill -USR1 to sockrr while CMD sleeps: CMD gets it, sockrr exits 138
case_usr1() {
    trap 'for p in $bgpid $kidpid; do kill -KILL $p 2> /dev/null; done' EXIT
    for pcap in "" "--pcap $tmp/usr1.pcap"; do
        how="${pcap:+ with --pcap}"
        (preload_env; exec "$SOCKRR" record -o "$tmp/usr1.jsonl" $pcap -- sleep 30) > "$tmp/usr1.out" 2> "$tmp/usr1.err" &
        bgpid=$! kidpid=""
        i=0
        while [ $i -lt 100 ]; do # until CMD is sleep: sockrr forwards signals from then on
            for k in $(children $bgpid); do
                [ "$(cat /proc/$k/comm 2> /dev/null)" = sleep ] && kidpid=$k
            done
            [ -n "$kidpid" ] && break
            sleep 0.1
            i=$((i + 1))
        done
        [ -n "$kidpid" ] || fail "sockrr record$how -- sleep 30: no sleep process under sockrr (pid $bgpid) after 10 s: $(tail -5 "$tmp/usr1.err")"
        kill -USR1 $bgpid
        i=0
        while [ $i -lt 50 ] && kill -0 $bgpid 2> /dev/null && [ -d /proc/$bgpid ] &&
            [ "$(awk '{ print $3 }' /proc/$bgpid/stat 2> /dev/null)" != Z ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if [ $i -ge 50 ]; then
            fail "sockrr record$how -- sleep 30: still running 5 s after kill -USR1 to sockrr (the signal was not passed on to sleep?)"
        fi
        wait $bgpid
        rc=$? bgpid=""
        if kill -0 $kidpid 2> /dev/null && [ "$(cat /proc/$kidpid/comm 2> /dev/null)" = sleep ]; then
            fail "sockrr record$how exited $rc on kill -USR1 but left sleep running: sockrr died of the signal instead of passing it on"
        fi
        kidpid=""
        [ "$rc" = 138 ] || fail "sockrr record$how -- sleep 30 exited $rc after kill -USR1 to sockrr, expected 138 (128 + SIGUSR1): $(tail -5 "$tmp/usr1.err")"
        "$SOCKRR" check "$tmp/usr1.jsonl" > "$tmp/usr1.check" 2>&1 ||
            fail "sockrr check rejects the trace of the run ended by SIGUSR1$how: $(head -5 "$tmp/usr1.check")"
    done
}

# try NAME FUNCTION [ARGS]: one case, in a subshell of its own
try() {
    name=$1; shift
    if ("$@"); then
        echo "ok: $name"
    else
        nfail=$((nfail + 1))
        echo "not ok: $name"
    fi
}

try closefrom case_daemon closefrom closefrom
try closerange case_daemon closerange closerange
try "closefrom, descriptor limit 1024" case_daemon closefrom1024 closefrom 1024
try "closerange, descriptor limit 1024" case_daemon closerange1024 closerange 1024
try sigmask case_sigmask
try sendfile case_sendfile
try splice case_splice
try msgtrunc case_msgtrunc
try sockopt case_sockopt
try read0 case_read0
try iov0 case_iov0
try "launcher with SIGCHLD ignored" case_sigchld
try "launcher passes SIGUSR1 on" case_usr1
[ "$nfail" = 0 ] || { echo "FAIL: $nfail case(s) failed (above)"; exit 1; }
exit 0
