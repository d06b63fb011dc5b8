# The differential suite of tests/unit/test_differential.c through the
# interposer: fixtures/native/differential.c makes the same behaviours with
# plain libc calls and prints one line each, "NAME: RESULT".  It runs
# natively (the kernel's loopback, outside any namespace) and under
# `sockrr sim` (in a network namespace of its own, `unshare -n`, when one
# can be made, so nothing reaches a real network); both must exit 0 and
# print the same lines, and each line must be what Linux answers (the
# expectations of test_differential.c's table, below), so two equal wrong
# answers still fail.
. tests/integration/lib.inc
PROG=$BUILD/native/differential
[ -x "$PROG" ] || fail "$PROG is not built (make $PROG)"
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
"$SOCKRR" sim --help > /dev/null 2>&1 || fail "$SOCKRR has no sim verb: $("$SOCKRR" sim --help 2>&1 | head -2)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What Linux answers: test_differential.c's linux_says, one line per
# behaviour, in the table's order, and after them what only the interposer
# has to get right (a poll of sockets and real descriptors, close-on-exec).
cat > "$tmp/linux" << 'EOF'
connect refused: connect=ECONNREFUSED
non-blocking connect: connect_ex=EINPROGRESS poll=1 writable=1 so_error=0
EADDRINUSE: bind=EADDRINUSE reuse_bind=EADDRINUSE
100000-byte send: sendall=ok recv=100000 same=1
UDP to an unbound port: send1=ok send2=ECONNREFUSED
SO_PROTOCOL: tcp=6 udp=17 type=2 domain=10
IPv6 ::1: recv=3 data=six peer=::1
half-close: recv=3 eof=0 back=ok reply=4 send_after_shut=EPIPE
MSG_PEEK: peek=4 peek read=8 peekaboo
SO_RCVTIMEO: len=16 usec=100000 recv=EAGAIN
AF_UNIX abstract: bind=ok connect=ok abstract=1 same=1 data=abs
datagram boundaries: first=1 trunc=1 second=3
errors of state: recv_unconnected=ENOTCONN listen_udp=EOPNOTSUPP getpeername=ENOTCONN
EPIPE on AF_UNIX: send=EPIPE recv=0
SO_RCVBUF doubles: rcvbuf=65536
accept EAGAIN, connect EISCONN: accept=EAGAIN connect_again=EISCONN
UDP reply to a wildcard-bound client: from=127.0.0.1 reply=4
after a reset: recv=ECONNRESET getpeername=ENOTCONN shutdown=ENOTCONN listener_fionread=EINVAL
negative SO_RCVTIMEO: reads_back=0.000000 recv=EAGAIN
SOCK_SEQPACKET records: first=2 second=3 trunc=1 empty=0 then=EAGAIN
backlog overflow: c0=EINPROGRESS/1 c1=EINPROGRESS/0 c2=EINPROGRESS/0
listener and unconnected calls: connect_listener=EISCONN send_unconnected=EPIPE shutdown_listener=ok
SOCK_SEQPACKET after shutdown: send=EPIPE
UDP size limit: max=ok over=EMSGSIZE
poll of an unconnected stream: n=1 revents=20 pipe=0 negative=0
AF_UNIX send unconnected: send=ENOTCONN
TCP keepalive options: idle=7200 intvl=75 cnt=9 idle0=EINVAL idle32768=EINVAL intvl0=EINVAL cnt128=EINVAL back=60/10/5
TCP_USER_TIMEOUT, CORK, QUICKACK, DEFER_ACCEPT, MAXSEG: ut=0 ut_neg=EINVAL ut=5000 cork=0/1 quickack=1/0 defer=7/29887/0 mss=536 mss50=EINVAL mss1000=ok/1000
TCP options on other sockets: udp_get=EOPNOTSUPP udp_set=ENOPROTOOPT unix_get=EOPNOTSUPP unix_set=EOPNOTSUPP
TCP_INFO states: len=104 new=7 listen=10 established=1 eof=0 close_wait=8 fin_wait=1
send buffer once connected: before=16384 client=3939840 server=3939840 listener=16384 locked=131072 force=ok/2000000
write before read: took_300k=1 stopped=EAGAIN within_3_to_5_mb=1
dual-stack listener: connect=ok accepted_peer=::ffff:127.0.0.1 accepted_local=::ffff:127.0.0.1 client_peer=127.0.0.1 v4_bind=EADDRINUSE
IPV6_V6ONLY listener: v6only=1 connect=ECONNREFUSED v4_bind=ok
IPv4-mapped connect: connect=ok server_sees=127.0.0.1 client_local=::ffff:127.0.0.1
dual-stack UDP: from=::ffff:127.0.0.1 reply_from=127.0.0.1 data=back
SHUT_RD: tcp: queued=3 then=0 peer_send=3 after=3 unix: queued=3 then=0 peer_send=EPIPE after=0
close-on-exec: plain=0 socket=1 accept4=1
EOF

# natively: the kernel world, on the real loopback
timeout -k 5 $LIMIT "$PROG" > "$tmp/kernel" 2> "$tmp/kernel.err"
krc=$?
# under the interposer over the sim world
# shellcheck disable=SC2086
(preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim -- "$PROG") > "$tmp/sim" 2> "$tmp/sim.err"
src=$?

problems=""
# problem TEXT: remember a failure; all of them are reported at the end
problem() { problems="$problems
$*
"; }
# differs NAME_A FILE_A NAME_B FILE_B: the diff of two outputs, labelled
differs() { diff -U0 --label "$1" --label "$3" "$2" "$4" | head -60; }

for w in kernel sim; do
    rc=$krc
    [ $w = sim ] && rc=$src
    case $rc in
    0) ;;
    124 | 137) problem "$w world: did not end within $LIMIT s; stderr: $(tail -5 "$tmp/$w.err")" ;;
    *) problem "$w world: exited $rc, expected 0; stderr: $(tail -5 "$tmp/$w.err")" ;;
    esac
done
cmp -s "$tmp/kernel" "$tmp/sim" ||
    problem "the kernel world (native) and the sim world (sockrr sim) printed different lines:
$(differs kernel "$tmp/kernel" sim "$tmp/sim")"
for w in kernel sim; do
    cmp -s "$tmp/linux" "$tmp/$w" ||
        problem "the $w world differs from what Linux answers:
$(differs linux "$tmp/linux" $w "$tmp/$w")"
done
[ -z "$problems" ] || fail "$PROG, natively and under '$netns${netns:+ }$SOCKRR sim --':$problems"
exit 0
