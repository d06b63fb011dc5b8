# sockrr convert: traces in fixtures/pcap/ (and a live tap_session trace when
# that program is built) become pcaps that tshark reads without a malformed
# packet or a bad checksum, whose TCP streams give back exactly the bytes of
# each recorded connection in both directions (each byte once when both ends
# are in the trace), and whose UDP datagrams are the ones sent or received.
. tests/integration/lib.inc
need tshark
need python3
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"

FIX=fixtures/pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CK="-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE"
# sockrr writes the link, IP, TCP and UDP layers: only those are checked.  An
# application dissector picked by port (an ephemeral port can be ENIP's
# 44818) calls bytes it cannot parse malformed, which says nothing of ours.
for p in frame eth sll sll2 null loop raw ip ipv6 tcp udp; do
    CK="$CK --enable-protocol $p"
done
CK="--disable-protocol ALL $CK"
ts() { tshark "$@" 2> "$tmp/tshark.err"; }

# check_bytes TRACE PCAP: the streams and datagrams against the trace's payloads.
cat > "$tmp/bytes.py" << 'EOF'
import base64, json, re, subprocess, sys
from collections import Counter
trace, pcap = sys.argv[1], sys.argv[2]
sent, recvd, dsend, drecv, addrs = {}, {}, Counter(), Counter(), {}
with open(trace, "rb") as f:
    lines = f.read().split(b"\n")
for line in lines[1:]:
    try:
        e = json.loads(line)
    except ValueError:
        continue  # a torn last line: convert leaves it out too
    op = e.get("op")
    if op not in ("sendmsg", "recvmsg") or e.get("ret", -1) <= 0:
        continue
    if op == "recvmsg" and e["args"]["flags"] & 2:  # MSG_PEEK moves nothing
        continue
    data = base64.b64decode(e.get("data", ""))
    if e.get("stype") == "SOCK_DGRAM":
        (dsend if op == "sendmsg" else drecv)[data] += 1
    else:
        d = sent if op == "sendmsg" else recvd
        d.setdefault(e["sock"], bytearray()).extend(data)
        if e.get("family") in ("AF_INET", "AF_INET6"):
            addrs[e["sock"]] = tuple(re.sub("%[^]]*", "", a) for a in (e["local"], e["peer"]))

def tshark(*args):
    return subprocess.run(["tshark", "-r", pcap] + list(args), check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout

rows = [r.split("\t") for r in tshark("-T", "fields", "-e", "tcp.stream", "-e", "udp.payload").split("\n") if r]
streams = sorted({int(r[0]) for r in rows if r[0]})
follow, nodes = {}, {}
if streams:
    zs = []
    for n in streams:
        zs += ["-z", "follow,tcp,raw,%d" % n]
    cur = None
    for line in tshark("-q", *zs).split("\n"):
        if line.startswith("Filter: tcp.stream eq "):
            cur = int(line.split()[-1])
            follow[cur] = [bytearray(), bytearray()]
            nodes[cur] = []
        elif cur is not None and line.startswith("Node "):
            nodes[cur].append(line.split(": ", 1)[1])
        elif cur is not None and line.strip() and not line.startswith(("=", "Follow:", "Node ")):
            side = 1 if line.startswith("\t") else 0
            follow[cur][side].extend(bytes.fromhex(line.strip()))
follow = {n: (bytes(a), bytes(b)) for n, (a, b) in follow.items()}
bad = []
used = set()
for s in sorted(set(sent) | set(recvd)):
    want = (bytes(sent.get(s, b"")), bytes(recvd.get(s, b"")))
    if s in addrs:  # IP: the stream between its own two addresses, in its direction
        local, peer = addrs[s]
        hit = [n for n in streams if nodes[n] == [local, peer] and follow[n] == want or
               nodes[n] == [peer, local] and follow[n] == want[::-1]]
    else:  # AF_UNIX: the addresses are synthetic; the bytes must match
        hit = [n for n in streams if follow[n] in (want, want[::-1])]
    if not hit:
        bad.append("sock %d: no TCP stream carries its %d bytes sent and %d received"
                   % (s, len(want[0]), len(want[1])))
    else:
        used.add(hit[0])
for n in streams:
    if n not in used and (follow[n][0] or follow[n][1]):
        bad.append("TCP stream %d carries %d+%d bytes no socket accounts for (shown twice?)"
                   % (n, len(follow[n][0]), len(follow[n][1])))
got = Counter(bytes.fromhex(r[1].replace(":", "")) for r in rows if len(r) > 1 and r[1])
for d in set(dsend) | set(drecv) | set(got):
    want = max(dsend[d], drecv[d])
    if got[d] != want:
        bad.append("datagram %r: %d in the pcap, expected %d" % (d[:40], got[d], want))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# convert CASE: fixtures/pcap/CASE.jsonl -> $tmp/CASE.pcap, exit 0 required.
convert() {
    "$SOCKRR" convert "$FIX/$1.jsonl" -o "$tmp/$1.pcap" 2> "$tmp/$1.err" ||
        fail "convert $1 exited $?: $(cat "$tmp/$1.err")"
}
# check_pcap TRACE PCAP: what every pcap must satisfy.
check_pcap() {
    bad=$(ts -r "$2" $CK -Y '_ws.malformed || tcp.checksum.status==0 || udp.checksum.status==0 || ip.checksum.status==0') ||
        fail "tshark cannot read $2: $(cat "$tmp/tshark.err")"
    [ -z "$bad" ] || fail "$2: malformed packets or bad checksums:
$bad"
    out=$(python3 "$tmp/bytes.py" "$1" "$2") || fail "$2 against $1:
$out"
}
# count PCAP FILTER: packets that match.
count() { ts -r "$1" -Y "$2" | wc -l | tr -d ' '; }
field() { ts -r "$1" -Y "$2" -T fields -e "$3" | tr '\n' ' ' | sed 's/ $//'; }

for c in tcp4_both tcp6_client udp unix refused reset big capped; do
    convert "$c"
    check_pcap "$FIX/$c.jsonl" "$tmp/$c.pcap"
done

# The checks must be able to fail: a flipped byte is a bad checksum (status 0).
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[-1] ^= 0xff; open(sys.argv[2], "wb").write(d)' \
    "$tmp/tcp4_both.pcap" "$tmp/flipped.pcap"
[ "$(ts -r "$tmp/flipped.pcap" $CK -Y 'tcp.checksum.status==0' | wc -l)" = 1 ] ||
    fail "a corrupted TCP packet is not reported as a bad checksum"

# The file: classic pcap, nanosecond magic, LINKTYPE_RAW (101), mode 0600.
hdr=$(od -An -tx4 -N24 "$tmp/udp.pcap" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
[ "$hdr" = "a1b23c4d 00040002 00000000 00000000 00040000 00000065" ] || fail "pcap header: $hdr"
mode=$(stat -c %a "$tmp/udp.pcap")
[ "$mode" = 600 ] || fail "pcap mode $mode, expected 600"
# wall time = start_realtime_ns + (t - start_monotonic_ns): event 2 has
# t = start_monotonic_ns + 2111
first=$(field "$tmp/udp.pcap" 'frame.number==1' frame.time_epoch)
[ "$first" = "1795000000.000002111" ] || fail "first packet's time is $first"

# Both ends traced (one connection written accept4-first, one picked up
# mid-way): three streams, two with handshakes, and the payload once: the
# pcap's TCP bytes are the bytes the trace sent.
[ "$(field "$tmp/tcp4_both.pcap" 'tcp.flags==0x002' tcp.stream)" = "0 1" ] ||
    fail "tcp4_both: SYNs in streams '$(field "$tmp/tcp4_both.pcap" 'tcp.flags==0x002' tcp.stream)', expected 0 1"
[ "$(ts -r "$tmp/tcp4_both.pcap" -T fields -e tcp.stream | sort -u | wc -l)" = 3 ] ||
    fail "tcp4_both: expected 3 TCP streams"
sum=$(ts -r "$tmp/tcp4_both.pcap" -T fields -e tcp.len | awk '{s += $1} END {print s}')
[ "$sum" = 96 ] || fail "tcp4_both: $sum bytes of TCP payload, expected the 96 its sendmsg events moved"
# the duplicate descriptor keeps the socket open: its FIN comes after "221 bye"
[ "$(field "$tmp/tcp4_both.pcap" 'tcp.stream==1 && tcp.srcport==8080 && tcp.flags.fin==1' tcp.seq)" = 21 ] ||
    fail "tcp4_both: the server's FIN is not after its last bytes"
# a FIN takes a sequence number: the client's FIN acknowledges the
# server's (21 + 1), and the server's last ACK the client's (7 + 1)
[ "$(field "$tmp/tcp4_both.pcap" 'tcp.stream==1 && tcp.srcport!=8080 && tcp.flags.fin==1' tcp.ack)" = 22 ] ||
    fail "tcp4_both: the client's FIN does not acknowledge the server's FIN"
[ "$(field "$tmp/tcp4_both.pcap" 'tcp.stream==1 && tcp.srcport==8080 && tcp.flags.fin==0 && tcp.seq==22' tcp.ack)" = 8 ] ||
    fail "tcp4_both: the server's last ACK does not acknowledge the client's FIN"

# v6 client, untraced server: handshake, the server's bytes, its FIN.
[ "$(count "$tmp/tcp6_client.pcap" 'ipv6 && tcp.flags==0x012')" = 2 ] || fail "tcp6_client: no SYN-ACKs"
[ "$(count "$tmp/tcp6_client.pcap" 'tcp.srcport==8080 && tcp.flags.fin==1')" = 1 ] ||
    fail "tcp6_client: no FIN from the server after recv returned 0"

# Refused: SYN answered by RST-ACK (ack = ISN+1, seq 0); the EINPROGRESS
# connect that SO_ERROR later calls refused, too; the one SO_ERROR calls
# connected completes its handshake.
[ "$(field "$tmp/refused.pcap" 'tcp.flags==0x014' tcp.srcport)" = "9 10" ] ||
    fail "refused: RST-ACKs from '$(field "$tmp/refused.pcap" 'tcp.flags==0x014' tcp.srcport)'"
[ "$(ts -r "$tmp/refused.pcap" -o tcp.relative_sequence_numbers:FALSE -Y 'tcp.flags==0x014' -T fields -e tcp.seq | sort -u)" = 0 ] ||
    fail "refused: a RST answering a SYN must have sequence number 0"
[ "$(count "$tmp/refused.pcap" 'tcp.flags==0x012')" = 1 ] || fail "refused: expected one SYN-ACK"

# Resets: SO_LINGER {1,0} then close = RST from the closer; ECONNRESET = RST
# from the untraced peer.
[ "$(field "$tmp/reset.pcap" 'tcp.flags.reset==1' tcp.srcport)" = "40400 8082" ] ||
    fail "reset: RSTs from '$(field "$tmp/reset.pcap" 'tcp.flags.reset==1' tcp.srcport)'"
[ "$(count "$tmp/reset.pcap" 'tcp.flags.fin==1')" = 0 ] || fail "reset: a FIN after a RST"

# Bigger than a packet: segments of at most 65000 bytes, each packet < 64 KiB.
[ "$(field "$tmp/big.pcap" 'tcp.len>0' tcp.len)" = "65000 1000 65000 1000" ] ||
    fail "big: segments $(field "$tmp/big.pcap" 'tcp.len>0' tcp.len)"

# Capped payloads: the packets say the full length (so sequence numbers go on
# counting every byte) but hold only the recorded bytes; tshark calls their
# checksums unverified, not bad.
[ "$(field "$tmp/capped.pcap" 'frame.cap_len < frame.len' frame.len)" = "116 77" ] ||
    fail "capped: truncated frames $(field "$tmp/capped.pcap" 'frame.cap_len < frame.len' frame.len)"
[ "$(ts -r "$tmp/capped.pcap" $CK -Y 'frame.cap_len < frame.len' -T fields -e tcp.checksum.status | sort -u)" = 2 ] ||
    fail "capped: truncated frames' checksums should be unverified (2)"
[ "$(field "$tmp/capped.pcap" 'tcp.len==5' tcp.seq)" = 77 ] || fail "capped: sequence numbers skip the uncaptured bytes"

# AF_UNIX: synthetic TCP/UDP over 127.88.0.0/16 (traced sockets), 127.89/16
# (their unnamed untraced peers), 127.90/16 (untraced paths).
others=$(ts -r "$tmp/unix.pcap" -Y '!(ip.src==127.88.0.0/16 || ip.src==127.89.0.0/16 || ip.src==127.90.0.0/16)' | wc -l)
[ "$others" = 0 ] || fail "unix: $others packets outside 127.88-90"
[ "$(count "$tmp/unix.pcap" 'tcp.flags==0x002')" = 4 ] || fail "unix: expected 4 connections"

# A torn last line: a warning, exit 0, and a pcap of everything before it.
"$SOCKRR" convert "$FIX/torn.jsonl" -o "$tmp/torn.pcap" 2> "$tmp/torn.err" || fail "torn: convert exited $?"
grep -q '^sockrr convert: warning: .*torn.jsonl:5: .*torn' "$tmp/torn.err" || fail "torn: warning was '$(cat "$tmp/torn.err")'"
[ "$(wc -l < "$tmp/torn.err")" = 1 ] || fail "torn: more than one line on stderr"
check_pcap "$FIX/torn.jsonl" "$tmp/torn.pcap"
[ "$(count "$tmp/torn.pcap" 'tcp')" = 4 ] || fail "torn: expected the handshake and one segment"

# Same trace, same bytes; standard output works as a pipe.
"$SOCKRR" convert "$FIX/unix.jsonl" -o "$tmp/again.pcap" && cmp -s "$tmp/unix.pcap" "$tmp/again.pcap" ||
    fail "two conversions of one trace differ"
"$SOCKRR" convert "$FIX/udp.jsonl" -o - | cmp -s - "$tmp/udp.pcap" || fail "-o - differs from the file"

# Errors: an invalid line names file, line and field; exit 1; no pcap left.
{ head -3 "$FIX/udp.jsonl"; echo '{"type":"event","seq":3,"t":1}'; } > "$tmp/bad.jsonl"
expect_status 1 "$SOCKRR" convert "$tmp/bad.jsonl" -o "$tmp/bad.pcap"
msg=$("$SOCKRR" convert "$tmp/bad.jsonl" -o "$tmp/bad.pcap" 2>&1)
echo "$msg" | grep -q "^sockrr convert: $tmp/bad.jsonl:4: " || fail "invalid line reported as: $msg"
[ "$(echo "$msg" | wc -l)" = 1 ] || fail "invalid line: more than one line: $msg"
[ ! -e "$tmp/bad.pcap" ] || fail "a pcap was left behind for an invalid trace"
# pcap's seconds are unsigned 32-bit: a trace from 2065 keeps its time; one
# past 2106 is an error at its first packet, not a wrapped time
sed 's/"start_realtime_ns":1795000000000000000/"start_realtime_ns":3000000000000000000/' \
    "$FIX/udp.jsonl" > "$tmp/y2065.jsonl"
"$SOCKRR" convert "$tmp/y2065.jsonl" -o "$tmp/y2065.pcap" || fail "convert of a trace from 2065 exited $?"
first=$(field "$tmp/y2065.pcap" 'frame.number==1' frame.time_epoch)
[ "$first" = "3000000000.000002111" ] || fail "a trace from 2065: first packet's time is $first"
sed 's/"start_realtime_ns":1795000000000000000/"start_realtime_ns":4294967296000000000/' \
    "$FIX/udp.jsonl" > "$tmp/y2106.jsonl"
msg=$("$SOCKRR" convert "$tmp/y2106.jsonl" -o "$tmp/y2106.pcap" 2>&1)
[ $? = 1 ] || fail "convert of a trace past 2106 did not exit 1: $msg"
echo "$msg" | grep -q "^sockrr convert: $tmp/y2106.jsonl:2: t: .*past 2106" || fail "a trace past 2106 said: $msg"
[ ! -e "$tmp/y2106.pcap" ] || fail "a pcap was left behind for a trace past 2106"
# an output that cannot be created: one line naming it, exit 1
expect_status 1 "$SOCKRR" convert "$FIX/udp.jsonl" -o "$tmp/no/such/dir/x.pcap"
msg=$("$SOCKRR" convert "$FIX/udp.jsonl" -o "$tmp/no/such/dir/x.pcap" 2>&1)
case $msg in "sockrr convert: $tmp/no/such/dir/x.pcap: "*) ;; *) fail "unwritable output said: $msg" ;; esac
[ "$(echo "$msg" | wc -l)" = 1 ] || fail "unwritable output: more than one line"
expect_status 1 "$SOCKRR" convert "$tmp/missing.jsonl" -o "$tmp/m.pcap"
# a disk that fills up mid-way: one line naming the output, and the device
# is not removed as if it were a half-written pcap
if [ -w /dev/full ]; then
    msg=$("$SOCKRR" convert "$FIX/big.jsonl" -o /dev/full 2>&1)
    [ $? = 1 ] || fail "convert to /dev/full did not exit 1"
    [ "$msg" = "sockrr convert: /dev/full: cannot write: No space left on device" ] ||
        fail "convert to /dev/full said: $msg"
    [ -c /dev/full ] || fail "/dev/full is gone"
fi
# usage
expect_status 2 "$SOCKRR" convert
expect_status 2 "$SOCKRR" convert "$FIX/udp.jsonl"
expect_status 2 "$SOCKRR" convert "$FIX/udp.jsonl" -o
expect_status 2 "$SOCKRR" convert "$FIX/udp.jsonl" "$FIX/unix.jsonl" -o "$tmp/x.pcap"
expect_status 2 "$SOCKRR" convert --bogus "$FIX/udp.jsonl" -o "$tmp/x.pcap"
"$SOCKRR" convert --help | grep -q '^usage: sockrr convert TRACE -o OUT.pcap' || fail "convert --help"

# A real session recorded through the tap, when that program is built.
if [ -x "$BUILD/bin/tap_session" ]; then
    "$BUILD/bin/tap_session" "$tmp/live.jsonl" > /dev/null 2>&1 ||
        fail "tap_session could not record"
    "$SOCKRR" convert "$tmp/live.jsonl" -o "$tmp/live.pcap" 2> "$tmp/live.err" ||
        fail "convert of a tap_session trace: $(cat "$tmp/live.err")"
    check_pcap "$tmp/live.jsonl" "$tmp/live.pcap"
    [ "$(count "$tmp/live.pcap" 'tcp.flags==0x002')" -ge 1 ] || fail "tap_session: no TCP connection"
else
    echo "note: $BUILD/bin/tap_session not built; live trace not checked"
fi
exit 0
