# sockrr record over real programs (fixtures/native, a python3 script,
# socat): each prints the same bytes and exits the same way natively, under
# `sockrr record` and under `sockrr record --passthrough`; each trace passes
# `sockrr check` and holds the calls the program is there to make: the
# fortified reads and polls, the signal handler's sends, sends on one socket
# from both sides of a fork, sends from exec'd images (one exec'd with an
# environment of its own), every round trip of a ping-pong, capped payloads.
. tests/integration/lib.inc
need jq
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
NAT=$BUILD/native
for p in fortified_io accept_blocked sig_write fork_inherit exec_inherit tcp_pingpong tcp_bulk connect_once; do
    [ -x "$NAT/$p" ] || fail "$NAT/$p is not built"
done
tmp=$(mktemp -d)
spid=""
trap '[ -z "$spid" ] || kill $spid 2> /dev/null; rm -rf "$tmp"' EXIT
LIMIT=120   # seconds any one run may take: a hang is a failure, not a stuck test

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
# same_output NAME HOW FILE: FILE holds what the native run printed, or fail
same_output() {
    cmp -s "$tmp/$1.native" "$3" || fail "$1: standard output $2 differs from the native run:
$(diff "$tmp/$1.native" "$3" | head -20)"
}
# events TRACE: the number of event lines (0 when there is no file)
events() {
    [ -e "$1" ] || { echo 0; return; }
    jq -s '[.[] | select(.type == "event")] | length' "$1"
}
# run_case NAME CMD...: native, recorded to $tmp/NAME.jsonl, passthrough.
run_case() {
    name=$1; shift
    run "$tmp/$name.native" "$@"
    [ "$rc" = 0 ] || fail "$name: exited $rc natively: $(tail -5 "$tmp/$name.native.err")"
    t=$tmp/$name.jsonl
    run -p "$tmp/$name.rec" "$SOCKRR" record -o "$t" -- "$@"
    [ "$rc" = 0 ] || fail "$name: exited $rc under sockrr record, 0 natively: $(tail -5 "$tmp/$name.rec.err")"
    same_output "$name" "under sockrr record" "$tmp/$name.rec"
    [ -s "$t" ] || fail "$name: sockrr record wrote no trace"
    [ "$(stat -c %a "$t")" = 600 ] || fail "$name: trace mode is $(stat -c %a "$t"), not 600"
    "$SOCKRR" check "$t" > "$tmp/$name.check" 2>&1 ||
        fail "$name: sockrr check rejects the trace: $(head -5 "$tmp/$name.check")"
    run -p "$tmp/$name.pt" "$SOCKRR" record --passthrough -o "$tmp/$name.pt.jsonl" -- "$@"
    [ "$rc" = 0 ] || fail "$name: exited $rc under --passthrough, 0 natively: $(tail -5 "$tmp/$name.pt.err")"
    same_output "$name" "under --passthrough" "$tmp/$name.pt"
    n=$(events "$tmp/$name.pt.jsonl")
    [ "$n" = 0 ] || fail "$name: --passthrough recorded $n events"
}
. tests/integration/trace_query.inc

# --- fortified_io: glibc's _chk entry points are caught -----------------------
run_case fortified_io "$NAT/fortified_io"
t=$tmp/fortified_io.jsonl
for m in "read on a socketpair" "recv on a socketpair" "recv over TCP" "recvfrom over TCP" "read over TCP"; do
    received "$t" "$m" || fail "fortified_io: no recvmsg event moved '$m' (a _chk entry point not caught?)"
done
has "$t" 'any(.[]; .op == "recvmsg" and .ret == 0)' || fail "fortified_io: no recvmsg event for the read at EOF"
n=$(jq -s '[.[] | select(.op == "poll" and .ret == 1 and .revents == [1])] | length' "$t")
[ "$n" -ge 2 ] || fail "fortified_io: $n poll events with one fd ready (POLLIN), expected 2 (__poll_chk and __ppoll_chk)"

# SOCKRR_PASSTHROUGH=1 is --passthrough
run -p "$tmp/fortified_io.env" env SOCKRR_PASSTHROUGH=1 "$SOCKRR" record -o "$tmp/env.jsonl" -- "$NAT/fortified_io"
[ "$rc" = 0 ] || fail "fortified_io: exited $rc with SOCKRR_PASSTHROUGH=1: $(tail -5 "$tmp/fortified_io.env.err")"
same_output fortified_io "with SOCKRR_PASSTHROUGH=1" "$tmp/fortified_io.env"
n=$(events "$tmp/env.jsonl")
[ "$n" = 0 ] || fail "SOCKRR_PASSTHROUGH=1 recorded $n events"

# passthrough is the preload loaded and staying out of the way (its own
# cost, which bench/ measures), not the preload left out
for how in "--passthrough" "SOCKRR_PASSTHROUGH=1"; do
    case $how in
    --*) run -p "$tmp/maps" "$SOCKRR" record --passthrough -o "$tmp/maps.jsonl" -- cat /proc/self/maps ;;
    *) run -p "$tmp/maps" env "$how" "$SOCKRR" record -o "$tmp/maps.jsonl" -- cat /proc/self/maps ;;
    esac
    [ "$rc" = 0 ] || fail "cat under $how: exited $rc: $(tail -3 "$tmp/maps.err")"
    grep -q 'libsockrr-preload' "$tmp/maps" || fail "under $how the program runs without the preload library"
done

# without -o the trace is ./sockrr.jsonl
case $SOCKRR in /*) abs_sockrr=$SOCKRR ;; *) abs_sockrr=$PWD/$SOCKRR ;; esac
case $NAT in /*) abs_nat=$NAT ;; *) abs_nat=$PWD/$NAT ;; esac
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && preload_env && exec timeout -k 5 $LIMIT "$abs_sockrr" record -- "$abs_nat/fortified_io") \
    > "$tmp/cwd.out" 2> "$tmp/cwd.err" || fail "sockrr record without -o exited $?: $(tail -5 "$tmp/cwd.err")"
[ -s "$tmp/cwd/sockrr.jsonl" ] || fail "sockrr record without -o wrote no ./sockrr.jsonl (files: $(ls "$tmp/cwd"))"
"$SOCKRR" check "$tmp/cwd/sockrr.jsonl" > /dev/null 2>&1 || fail "sockrr check rejects ./sockrr.jsonl"

# --- accept_blocked: exit from main while a thread waits in accept -----------
run_case accept_blocked "$NAT/accept_blocked"
t=$tmp/accept_blocked.jsonl
has "$t" 'any(.[]; .op == "accept4" and .ret >= 0)' || fail "accept_blocked: no successful accept4 event"
received "$t" "ping through the echo thread" || fail "accept_blocked: the echo is not in a recvmsg event"
n=$(jq -s '[.[] | select(.type == "event") | .tid] | unique | length' "$t")
[ "$n" -ge 2 ] || fail "accept_blocked: events from $n threads, expected the main and the echo thread"

# --- sig_write: a signal handler's sends while main is in recv/send ------------
run_case sig_write "$NAT/sig_write" 50
t=$tmp/sig_write.jsonl
n=$(count "$t" '.op == "recvmsg" and .ret == 1 and d == "s"')
[ "$n" = 50 ] || fail "sig_write: $n recvmsg events of the handler's byte, the program received 50"
n=$(count "$t" '.op == "sendmsg" and .ret == 1 and d == "s"')
[ "$n" -ge 50 ] || fail "sig_write: $n sendmsg events from the handler, it sent at least 50"
# the handler alternates write() (flags 0) and send(MSG_DONTWAIT)
has "$t" "$D"' any(.[]; .op == "sendmsg" and d == "s" and .args.flags == 0)' ||
    fail "sig_write: the handler's write() calls are not recorded"
has "$t" "$D"' any(.[]; .op == "sendmsg" and d == "s" and .args.flags == 64)' ||
    fail "sig_write: the handler's send(MSG_DONTWAIT) calls are not recorded"
has "$t" 'any(.[]; .op == "recvmsg" and .errno == "EINTR")' ||
    fail "sig_write: no recvmsg failed with EINTR (the native run is interrupted on every signal)"

# --- fork_inherit: one socket, sends from two processes -----------------------
run_case fork_inherit "$NAT/fork_inherit"
t=$tmp/fork_inherit.jsonl
sent "$t" "from the child
" || fail "fork_inherit: the child's send is not in the trace"
has "$t" "$D"' [.[] | select(.op == "sendmsg" and .ret > 0)] as $s
    | ($s | map(select(d == "from the child\n")) | first) as $c
    | ($s | map(select(d == "from the parent\n")) | first) as $p
    | $c != null and $p != null and $c.sock == $p.sock and $c.pid != $p.pid' ||
    fail "fork_inherit: the child's and the parent's sends are not on one sock id from two pids:
$(jq -c "$D"' select(.op == "sendmsg") | {pid, sock, fd, data: d}' "$t")"
has "$t" "$D"' [.[] | select(.op == "recvmsg" and .ret > 0) | d] | add | contains("from the child\nfrom the parent\n")' ||
    fail "fork_inherit: the server's receive is not in the trace"

# --- exec_inherit: exec'd images keep tracing, minimal envp too ---------------
run_case exec_inherit "$NAT/exec_inherit"
t=$tmp/exec_inherit.jsonl
for m in "hello from the exec'd image" "hello from sh" "A=1"; do
    has "$t" --arg m "$m" "$D"' (first(.[] | select(.op == "socketpair")) | .pid) as $main
        | any(.[]; .op == "sendmsg" and .ret > 0 and d == $m and .pid != $main)' ||
        fail "exec_inherit: no sendmsg of '$m' from an exec'd process (pids in the trace: $(jq -s -c '[.[] | .pid] | unique' "$t"))"
done

# --- tcp_pingpong: every call once --------------------------------------------
run_case tcp_pingpong "$NAT/tcp_pingpong" 200
t=$tmp/tcp_pingpong.jsonl
for op in sendmsg recvmsg; do
    n=$(count "$t" '.op == $op and .ret == 1' --arg op $op)
    [ "$n" = 400 ] || fail "tcp_pingpong: $n one-byte $op events, expected 400 (200 round trips, two ends)"
done
n=$(count "$t" '.op == "setsockopt"')
[ "$n" -ge 2 ] || fail "tcp_pingpong: $n setsockopt events, expected TCP_NODELAY on both ends"

# --- tcp_bulk: big payloads, whole and capped ---------------------------------
run_case tcp_bulk "$NAT/tcp_bulk" 1000000
t=$tmp/tcp_bulk.jsonl
for op in sendmsg recvmsg; do
    n=$(jq -s --arg op $op '[.[] | select(.op == $op and .ret > 0) | .len] | add' "$t")
    [ "$n" = 1000000 ] || fail "tcp_bulk: $op events moved $n bytes, the program 1000000"
done
run -p "$tmp/tcp_bulk.cap" "$SOCKRR" record --payload-cap 100 -o "$tmp/cap.jsonl" -- "$NAT/tcp_bulk" 1000000
[ "$rc" = 0 ] || fail "tcp_bulk: exited $rc with --payload-cap 100: $(tail -5 "$tmp/tcp_bulk.cap.err")"
same_output tcp_bulk "with --payload-cap 100" "$tmp/tcp_bulk.cap"
"$SOCKRR" check "$tmp/cap.jsonl" > "$tmp/cap.check" 2>&1 ||
    fail "tcp_bulk: sockrr check rejects the capped trace: $(head -5 "$tmp/cap.check")"
has "$tmp/cap.jsonl" '.[0].payload_cap == 100' || fail "tcp_bulk: the header does not say payload_cap 100"
n=$(count "$tmp/cap.jsonl" '(.data // "" | length) > 136')
[ "$n" = 0 ] || fail "tcp_bulk: $n events hold more than 100 bytes with --payload-cap 100"
n=$(count "$tmp/cap.jsonl" '.len > 100 and .capped != true')
[ "$n" = 0 ] || fail "tcp_bulk: $n events moved more than 100 bytes and are not marked capped"
n=$(jq -s '[.[] | select(.op == "sendmsg" and .ret > 0) | .len] | add' "$tmp/cap.jsonl")
[ "$n" = 1000000 ] || fail "tcp_bulk: capped sendmsg events say $n bytes moved, the program 1000000"

# --- the exit status is the command's ---------------------------------------
run -p "$tmp/st" "$SOCKRR" record -o "$tmp/st.jsonl" -- sh -c 'exit 3'
[ "$rc" = 3 ] || fail "sockrr record of 'exit 3' exited $rc: $(tail -5 "$tmp/st.err")"
run -p "$tmp/st" "$SOCKRR" record -o "$tmp/st.jsonl" -- sh -c 'kill -TERM $$'
[ "$rc" = 143 ] || fail "sockrr record of a command killed by SIGTERM exited $rc, expected 143: $(tail -5 "$tmp/st.err")"
run -p "$tmp/st" "$SOCKRR" record -o "$tmp/st.jsonl" -- sh -c 'kill -USR1 $$'
[ "$rc" = 138 ] || fail "sockrr record of a command killed by SIGUSR1 exited $rc, expected 138: $(tail -5 "$tmp/st.err")"

# --- python3: CPython's socket module ------------------------------------------
if command -v python3 > /dev/null 2>&1; then
    run_case python python3 fixtures/scripts/py_clientserver.py
    t=$tmp/python.jsonl
    for f in AF_INET AF_UNIX; do
        has "$t" --arg f $f 'any(.[]; .family == $f and .op == "recvmsg")' || fail "python: no recvmsg on $f"
    done
    if ! grep -q "no IPv6 loopback" "$tmp/python.native"; then
        has "$t" 'any(.[]; .family == "AF_INET6" and .op == "recvmsg")' || fail "python: no recvmsg on AF_INET6"
    fi
    for m in "FIRST LINE OVER TCP4" "FIRST LINE OVER TCP6" "FIRST LINE OVER UNIX"; do
        grep -q "$m" "$tmp/python.native" || continue
        has "$t" --arg m "$m" "$D"' any(.[]; .op == "recvmsg" and .ret > 0 and (d | contains($m)))' ||
            fail "python: no recvmsg event holds '$m'"
    done
    has "$t" "$D"' any(.[]; .op == "recvmsg" and .stype == "SOCK_DGRAM" and d == "datagram two" and .from != null)' ||
        fail "python: the UDP datagram 'datagram two' and its sender are not in a recvmsg event"
    has "$t" 'any(.[]; .op == "poll")' || fail "python: no poll event (CPython waits in poll for a socket with a timeout)"

    # connect_once: a traced client against an untraced python3 peer
    cat > "$tmp/peer.py" << 'EOF'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(2)
print(s.getsockname()[1], flush=True)
s.settimeout(60)
for _ in range(3):  # native, recorded, passthrough
    c, _ = s.accept()
    with c:
        c.settimeout(60)
        c.recv(1)
        c.sendall(b"y")
EOF
    python3 "$tmp/peer.py" > "$tmp/port" &
    spid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    port=$(cat "$tmp/port")
    [ -n "$port" ] || fail "connect_once: the python3 peer printed no port"
    run_case connect_once "$NAT/connect_once" "$port"
    wait $spid || fail "connect_once: the python3 peer exited $?"
    spid=""
    t=$tmp/connect_once.jsonl
    has "$t" --arg a "127.0.0.1:$port" 'any(.[]; .op == "connect" and .ret == 0 and .args.addr == $a)' ||
        fail "connect_once: no connect to 127.0.0.1:$port"
    sent "$t" x || fail "connect_once: no sendmsg of 'x'"
    received "$t" y || fail "connect_once: no recvmsg of 'y'"
else
    fail "python3 is not installed (scripts/deps.sh tools installs it)"
fi

# --- socat: two socat processes and an exec'd tr, all under one record --------
if command -v socat > /dev/null 2>&1; then
    # $1: a directory for the listener's log, from which the port is read
    cat > "$tmp/socat.sh" << 'EOF'
log=$(mktemp "$1/socat.XXXXXX")
socat -d -d TCP-LISTEN:0,bind=127.0.0.1 EXEC:"tr a-z A-Z" 2> "$log" &
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "no port from the socat listener: $(cat "$log")" >&2; exit 1; }
printf 'hello socat\n' | socat - TCP:127.0.0.1:$port
wait $! || exit 1
EOF
    run_case socat sh "$tmp/socat.sh" "$tmp"
    [ "$(cat "$tmp/socat.native")" = "HELLO SOCAT" ] || fail "socat: the exchange printed '$(cat "$tmp/socat.native")'"
    t=$tmp/socat.jsonl
    n=$(jq -s '[.[] | select(.type == "event") | .pid] | unique | length' "$t")
    [ "$n" -ge 3 ] || fail "socat: events from $n processes, expected the two socats and tr"
    for m in "hello socat" "HELLO SOCAT"; do
        for f in AF_INET AF_UNIX; do
            has "$t" --arg m "$m
" --arg f $f "$D"' any(.[]; .op == "recvmsg" and .family == $f and .ret > 0 and (d | contains($m)))' ||
                fail "socat: '$m' was not received on an $f socket (socat <-> tr is a socketpair)"
        done
    done
    has "$t" 'any(.[]; .op == "accept4" and .ret >= 0)' || fail "socat: no accept4 event"
else
    fail "socat is not installed (scripts/deps.sh tools installs it)"
fi

exit 0
