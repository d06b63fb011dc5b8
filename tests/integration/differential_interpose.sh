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
socket() bad arguments: family=EAFNOSUPPORT type=EINVAL flags=EINVAL rdm=ESOCKTNOSUPPORT
socket() protocols: stream_udp=EPROTONOSUPPORT dgram_tcp=EPROTONOSUPPORT stream_tcp=ok dgram_udp=ok v6_tcp=ok v6_udp=ok unix1=ok unix2=EPROTONOSUPPORT
socketpair kinds: inet=EOPNOTSUPP inet6=EOPNOTSUPP unix_stream=1/1 unix_dgram=2/2 unix_seqpacket=5/5
AF_UNIX type, domain, protocol: stream=1/1/0 seqpacket=5/1/0 tcp=1/2/6
SOCK_NONBLOCK: plain=2 nonblock=2050 set=2050 type=1
SO_ACCEPTCONN: fresh=0 udp=0 listener=1 client=0 accepted=0
read-only options: error=0 set_type=ENOPROTOOPT set_protocol=ENOPROTOOPT set_domain=ENOPROTOOPT set_acceptconn=ENOPROTOOPT set_error=ENOPROTOOPT
boolean options: reuseaddr=0/1/0 keepalive=0/1/0 nodelay=0/1/0
SO_BROADCAST: udp=0/1/0 tcp=0/1/0
SO_LINGER values: len=8 default=0/0 on=1/5 three=1/7 short=EINVAL
SO_SNDTIMEO values: default=0.000000 set=2.500000 usec_1e6=EDOM short=EINVAL
unknown options: get=ENOPROTOOPT set=ENOPROTOOPT unix_level=EOPNOTSUPP
int option lengths: get2=ok/2 tcp_get2=ok/2 set2=EINVAL tcp_set2=EINVAL
buffer size limits: zero=2304/4608 100000=200000/200000 1000=2304/4608
buffer defaults: udp=212992/212992 unix_stream=212992/212992 unix_dgram=212992/212992
bind twice: tcp=EINVAL udp=EINVAL
bind port 0: tcp=1 udp=1 tcp6=1
bind a foreign address: v4=EADDRNOTAVAIL v6=EADDRNOTAVAIL udp=EADDRNOTAVAIL
bind 127.0.0.2: bind=ok name=127.0.0.2
bind after connect: bind=EINVAL
UDP port sharing: plain=EADDRINUSE reuse1=ok reuse2=ok
SO_REUSEPORT: bind1=ok bind2=ok listen1=ok listen2=ok plain=EADDRINUSE opt=1
wildcard and specific binds: specific_after_any=EADDRINUSE any_after_specific=EADDRINUSE udp=EADDRINUSE
listen autobinds: listen=ok host=0.0.0.0 ephemeral=1
unbound names: v6=ok/::/0 unix=ok/0
AF_UNIX path bind: bind=ok again=EADDRINUSE name_same=1
AF_UNIX connect errors: missing=ENOENT dgram=EPROTOTYPE
AF_UNIX connection names: client_peer=1 client_name=0 accepted_name=1 accepted_peer=0
AF_UNIX listen and accept errors: listen_unbound=EINVAL listen_dgram=EOPNOTSUPP accept=EINVAL
AF_UNIX abstract name in use: in_use=EADDRINUSE after_close=ok
UDP disconnect with AF_UNSPEC: peer=ok disconnect=ok peer_after=ENOTCONN send=EDESTADDRREQ
connected UDP sendto another address: sendto=ok other_got=3
connected UDP filters senders: stranger=EAGAIN peer=3
UDP zero-length datagram: send=0 poll=1 fionread=0 recv=0 then=EAGAIN
UDP MSG_TRUNC: first=5 flag=1 data=wo second=6
UDP MSG_PEEK and FIONREAD: fionread=2 peek=2 first=2 fionread=3 waitall=3 then=EAGAIN
UDP recvfrom sender: recv=1 from=127.0.0.1 same_port=1
UDP shutdown: unconnected=ENOTCONN connected=ok
UDP without a destination: send=EDESTADDRREQ recv=EAGAIN oob=EOPNOTSUPP
MSG_WAITALL until end of stream: waitall=3 then=0
MSG_DONTWAIT on a stream: recv=EAGAIN still_blocking=1
MSG_TRUNC on TCP: trunc=3 untouched=1 rest=3 def
zero-length TCP send and recv: send0=0 recv0_empty=EAGAIN recv0_data=0 then=1
TCP FIONREAD and SIOCOUTQ: fionread=5 outq=0 fresh_in=0 fresh_out=0
shutdown errors: bad_how=EINVAL unconnected=ENOTCONN wr=ok wr_again=ok
SHUT_RDWR: recv=0 send=EPIPE peer_recv=0
poll after SHUT_WR: peer=8197 self=4 both=8213
AF_UNIX SHUT_WR: peer_eof=0 peer_send=ok got=2 send=EPIPE
poll of TCP states: listener_idle=0 listener_pending=1 connected=4 with_data=5
poll after a reset: revents=29 so_error=ECONNRESET after=21
poll of AF_UNIX sockets: unconnected=20 pair=4 peer_closed=21 dgram_pair=4
accept4 flags: plain=0 nonblock=1
accepted peer address: peer=127.0.0.1 same_port=1 accepted_local_port_is_listener=1
listen states: listen_connected=EINVAL listen_again=ok accept_unlistening=EINVAL
IPV6_V6ONLY option: default=0 set7=1 after_bind=EINVAL v4_get=EOPNOTSUPP v4_set=ENOPROTOOPT
address lengths: v4=16 v6=28 unix=2 short_v4=ok/16/2 short_v6=ok/28
IPv6 peer scope and flow: host=::1 scope=0 flowinfo=0
IP_TOS: default=0 set=16
accept inherits options: keepalive=1 nodelay=1 rcvbuf=131072 client_keepalive=0
dup shares the socket: nonblock_shared=1 sent=3 peer=3 dup
FIONBIO: on=ok/1 off=ok/0
poll of a closed handle: n=1 revents=32
AF_UNIX data then close: recv=3 then=0
AF_UNIX close with unread data: recv=ECONNRESET then=0
AF_UNIX datagram queue: fionread=2 peek=2 first=2 empty=0 fionread=3 third=3
AF_UNIX stream queue: fionread=5 peek=4 read=5 then=EAGAIN
AF_UNIX SOCK_SEQPACKET listener: listen=ok connect=ok type=5 records=3/5
AF_UNIX MSG_WAITALL until end of stream: waitall=2
AF_UNIX listener poll: accept_empty=EAGAIN idle=0 pending=1 accept=ok
accept order: first_is_c1=1 second_is_c2=1
TCP sendto: connected=ok unconnected=EPIPE listener_peer=ENOTCONN
AF_UNIX datagram connect: connect=ok send=2 recv=2 peer_same=1
TCP recv into a small buffer: first=4 second=6 data=0123456789
MSG_PEEK on an empty stream: tcp=EAGAIN unix=EAGAIN
accepted socket's type, domain, protocol: type=1 domain=10 protocol=6
connect again after a refusal: first=ECONNREFUSED so_error=0 retry=ok
getpeername after the peer closed: eof=0 getpeername=ok host=127.0.0.1
UDP connect to another peer: reconnect=ok peer_is_b=1 b_got=1 a=EAGAIN
port 0 as a destination: udp_sendto=EINVAL tcp_connect=ECONNREFUSED
UDP datagrams keep their order: sizes=1,2,3
IPv6 UDP to IPv4 through a mapped address: sendto=ok recv=3 from=127.0.0.1
send and recv on a listener: tcp_send=EPIPE tcp_recv=ENOTCONN unix_send=ENOTCONN
AF_UNIX connect twice: again=EISCONN
AF_UNIX SHUT_RDWR: recv=0 send=EPIPE peer_recv=0 peer_send=EPIPE
SOCK_SEQPACKET MSG_PEEK and FIONREAD: peek=3 first=3 second=2 fionread=0
SOCK_SEQPACKET peer closed: recv=4 then=0 send=EPIPE
AF_UNIX datagram MSG_TRUNC: recv=5 data=he
poll of an AF_UNIX datagram with data: with_data=5 after=4
AF_UNIX SO_ACCEPTCONN: bound=0 listener=1 client=0 accepted=0
SO_RCVTIMEO on accept, UDP and AF_UNIX: accept=EAGAIN udp=EAGAIN unix=EAGAIN
SO_ERROR after a reset is read: recv=ECONNRESET so_error=0 then=0
TCP and UDP ports are apart: udp_on_tcp_port=ok
IPv4 and IPv6 loopback on one port: v6_loopback=ok
IPv6 wildcard after the IPv4 wildcard: dual=EADDRINUSE v6only=ok
non-blocking partial send: partial=1
socketpair names: name=ok/0 peer=ok/0
UDP socket options: keepalive=0/1/0 reuseaddr=0/1/0 sndbuf=20000 rcvbuf=20000
AF_UNIX buffer sizes: sndbuf=20000 rcvbuf=20000
closing a listener with a queued connection: connect=ok recv=ECONNRESET
AF_UNIX non-blocking connect and backlog: c0=0 c1=EAGAIN c2=EAGAIN
CLOSE_WAIT reads: eof=0/0/0 send=ok
IPv6 TCP options: nodelay=0/1/0 keepalive=0/1/0 keepidle=7200
SO_LINGER on AF_UNIX: set=ok back=1/5
socketpair flags: cloexec=ok/1/1 nonblock=ok/1/1 recv=EAGAIN
accept4 close-on-exec: plain=0 cloexec=1
F_DUPFD minimum: at_least_100=1 type=2
UDP MSG_PEEK with MSG_TRUNC: peek_trunc=5 then=5
local address after connect: tcp=127.0.0.1/1 tcp6=::1/1 udp=127.0.0.1/1 udp6=::1/1
AF_UNIX zero-length stream send: send=0 peer_recv=EAGAIN
IPv6 bound names: loopback=::1 any=::
keepalive options inherited by accept: accepted=60/10/3 client=7200
IPv6 EADDRINUSE and ECONNREFUSED: bind_again=EADDRINUSE connect_closed=ECONNREFUSED
AF_UNIX data then SHUT_WR: recv=3 then=0 revents=8197
SO_SNDTIMEO on AF_UNIX: set=ok back=1.500000
IP_TOS and IPV6_TCLASS: tcp_tos=252 udp_tos256=0 udp_tos-1=255 tcp6_tos=16 tclass=40/0/EINVAL tcp6_tclass=252 v4_tclass=ENOPROTOOPT/EOPNOTSUPP
IP_RECVERR and MSG_ERRQUEUE: recverr=0/1 recverr6=1 udp=EAGAIN tcp=EAGAIN unix=ok
SO_TIMESTAMP and SO_TIMESTAMPNS: default=0 ts=1 ns=1 ts_after_ns=0 off=0
datagram control messages: ctrunc=0 len=56 [0/8/28 if=1 spec=127.0.0.1 addr=127.0.0.1] [0/1/17 tos=32] | ctrunc=0 len=88 [1/29/32] | ctrunc=1 len=32 [1/29/32] | ctrunc=1 len=0
IPv6 control messages: ctrunc=0 len=64 [41/50/36 if=1 addr=::1] [41/67/20 tclass=40]
SO_REUSEPORT spreads connections: accepted=40 spread=1
AF_UNIX datagram send buffer: pair_1B=278 pair_1000B=93 unpaired=11/EAGAIN pollout_1000B=24
SO_OOBINLINE, SO_DONTROUTE: oobinline=0/1/0 dontroute=0/1/0
SO_LINGER off: off=0/7
SO_RCVLOWAT, SO_SNDLOWAT: rcvlowat=1/1/10 sndlowat=1 set_sndlowat=ENOPROTOOPT
unknown option level: tcp_level=EOPNOTSUPP udp_level=EOPNOTSUPP
IP_TTL: default=64 zero=EINVAL 256=EINVAL set=200 minus1=64
IPV6_UNICAST_HOPS: default=64 300=EINVAL set=9 minus1=64
SIOCOUTQ on a listener: siocoutq=EINVAL
IPv6 UDP size limit: max=ok over=EMSGSIZE
UDP send after SHUT_WR: send=EPIPE
AF_UNIX SOCK_RAW: socket=ok type=2
connect to the any address: v4=ok peer=127.0.0.1 v6=ok peer=::1
IPv6 link-local bind without a scope: bind=EINVAL
AF_UNIX connect to an unlistening path: connect=ECONNREFUSED
AF_UNIX datagram send errors: missing=ENOENT to_stream=EPROTOTYPE unconnected=ENOTCONN
recv on an AF_UNIX listener: recv=EINVAL
AF_UNIX unconnected calls: recv=EINVAL getpeername=ENOTCONN shutdown=ok
AF_UNIX connect on a listener: connect=EINVAL
AF_UNIX abstract name nobody bound: connect=ECONNREFUSED sendto=ECONNREFUSED
SOCK_SEQPACKET connect to a stream listener: connect=ECONNREFUSED
AF_UNIX datagram shutdown: shutdown=ok send=EPIPE peer_recv=-1
AF_UNIX datagram peer closed: send1=ECONNREFUSED send2=ENOTCONN
AF_UNIX datagram from an unnamed socket: connect=ok send=2 recv=2 from_len=0 peer_same=1
connect after EINPROGRESS: first=EINPROGRESS second=ok third=EISCONN
refused non-blocking connect: connect=EINPROGRESS revents=28 so_error=ECONNREFUSED then=0
AF_UNIX path bound by another type: dgram=EADDRINUSE
AF_UNIX autobind: bind=ok abstract=1 pathlen=6
SO_REUSEADDR TCP rules: bind1=ok bind2=ok listen1=ok listen2=EADDRINUSE
UDP autobind on send: before=0.0.0.0:0 after=0.0.0.0 ephemeral=1
UDP name after a disconnect: name=0.0.0.0 port_kept=0
send after the peer closed: eof=0 send1=ok revents=24 send2=EPIPE
TCP disconnect with AF_UNSPEC: disconnect=ok getpeername=ENOTCONN peer_recv=ECONNRESET
IPV6_V6ONLY and IPv4-mapped addresses: bind=EINVAL connect=ENETUNREACH sendto=ENETUNREACH
SO_PEERCRED: len=12 pid_is_mine=1 uid=0 gid=0
IPv6 UDP name after a mapped send: local=::
AF_UNIX name outlives its socket: connect=ECONNREFUSED other_type=EADDRINUSE bind=EADDRINUSE unlink=ok unlink_again=ENOENT bind_after=ok
AF_UNIX name unlinked while bound: connect=ENOENT name_kept=1 rebind=ok connect_new=ok accept=ok sendto=ENOENT
AF_UNIX datagram peer outlives its name: rebind=ok send=ok old_got=3 new_got=-1
close-on-exec: plain=0 socket=1 accept4=1
AF_UNIX name as a file: socket_file=1 access=1 chmod=600 after_close=1 unlink=ok stat=ENOENT access=ENOENT
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
