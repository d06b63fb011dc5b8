# sockrr record over an HTTP exchange between two real programs: one
# `sockrr record --pcap` runs a shell that starts `python3 -m http.server`
# on a free port, fetches a known file with curl, and stops the server.
# curl prints the same bytes as in a native run; the trace passes `sockrr
# check` and holds both processes (a pid that accepts, another that
# connects); the pcap (tshark) carries the request and the response on one
# TCP stream, each byte once and the same bytes the trace says were sent.
. tests/integration/lib.inc
need python3
[ "${SANITIZE:-0}" = 1 ] || need curl
need jq
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LIMIT=120 # seconds one exchange may take

# the served file: lines that say where they are, one line longer than a
# few packets so the response spans several reads
mkdir "$tmp/www"
i=0
while [ $i -lt 400 ]; do
    echo "line $i of the file http.server serves to curl"
    i=$((i + 1))
done > "$tmp/www/hello.txt"

# Under SANITIZE=1 curl cannot be traced: with the ASan runtime in
# LD_PRELOAD (which the ASan-built interposer needs) curl 7.88 hangs in its
# first setlocale() even untraced; python3's urllib is the client there.
client=curl
if [ "${SANITIZE:-0}" = 1 ]; then
    client=python3
    echo "note: SANITIZE=1: the client is python3's urllib, not curl (curl hangs with the ASan runtime preloaded)"
fi

# $1 the served folder, $2 the port, $3 the server's log, $4 the client
cat > "$tmp/http.sh" << 'EOF'
python3 -u -m http.server --bind 127.0.0.1 --directory "$1" "$2" > "$3" 2>&1 &
spid=$!
for _ in $(seq 400); do
    grep -q "^Serving HTTP" "$3" && break
    kill -0 $spid 2> /dev/null || break
    sleep 0.05
done
grep -q "^Serving HTTP" "$3" || { echo "http.server did not start: $(cat "$3")" >&2; kill $spid; exit 1; }
url=http://127.0.0.1:$2/hello.txt
if [ "$4" = curl ]; then
    curl -sS --max-time 60 "$url"
else
    python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=60).read())' "$url"
fi
rc=$?
# under record, the server writes its last events just after curl has its
# bytes: a server stopped before that loses them (sockrr traces after the
# call), so wait for the trace to go quiet first
if [ -n "${SOCKRR_TRACE:-}" ]; then
    last=-1
    for _ in $(seq 50); do
        n=$(wc -c < "$SOCKRR_TRACE")
        [ "$n" = "$last" ] && break
        last=$n
        sleep 0.1
    done
fi
kill $spid
wait $spid
exit $rc
EOF
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port=$(free_port)
timeout -k 5 $LIMIT sh "$tmp/http.sh" "$tmp/www" "$port" "$tmp/native.log" $client > "$tmp/native" 2> "$tmp/native.err" ||
    fail "the native exchange exited $?: $(tail -5 "$tmp/native.err")"
cmp -s "$tmp/native" "$tmp/www/hello.txt" || fail "$client printed something other than the file natively"

port=$(free_port)
t=$tmp/http.jsonl
p=$tmp/http.pcap
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$t" --pcap "$p" -- \
    sh "$tmp/http.sh" "$tmp/www" "$port" "$tmp/rec.log" $client) > "$tmp/rec" 2> "$tmp/rec.err"
rc=$?
[ "$rc" = 0 ] || fail "the exchange exited $rc under sockrr record, 0 natively: $(tail -5 "$tmp/rec.err")
server log: $(tail -5 "$tmp/rec.log")"
cmp -s "$tmp/native" "$tmp/rec" || fail "$client's output under sockrr record differs from the native run:
$(diff "$tmp/native" "$tmp/rec" | head -10)"
"$SOCKRR" check "$t" > "$tmp/check" 2>&1 || fail "sockrr check rejects the trace: $(head -5 "$tmp/check")"

# two processes: the server accepts, curl (another pid) connects to it
jq -s -e --arg a "127.0.0.1:$port" '
    [.[] | select(.op == "accept4" and .ret >= 0 and .local == $a) | .pid] as $srv
    | [.[] | select(.op == "connect" and .args.addr == $a and (.ret == 0 or .errno == "EINPROGRESS")) | .pid] as $cli
    | ($srv | length) > 0 and ($cli | length) > 0 and ($srv[0] != $cli[0])' "$t" > /dev/null ||
    fail "the trace does not show one pid accepting on 127.0.0.1:$port and another connecting to it:
$(jq -c 'select(.op == "accept4" or .op == "connect") | {pid, op, ret, errno, local, addr: .args.addr}' "$t")"
n=$(jq -s '[.[] | select(.type == "event") | .pid] | unique | length' "$t")
[ "$n" -ge 2 ] || fail "events from $n processes, expected the server and the client"

# what the trace says each side sent: the request and the response
python3 - "$t" "$port" "$tmp/req" "$tmp/resp" << 'EOF' || fail "the trace does not hold the HTTP exchange"
import base64, json, sys
trace, port, reqf, respf = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
me = "127.0.0.1:" + port
req, resp = bytearray(), bytearray()
for line in open(trace, "rb").read().splitlines()[1:]:
    e = json.loads(line)
    if e.get("op") != "sendmsg" or e.get("ret", -1) <= 0 or e.get("family") != "AF_INET":
        continue
    data = base64.b64decode(e.get("data", ""))
    if e.get("peer") == me:
        req += data
    elif e.get("local") == me:
        resp += data
if not req.startswith(b"GET /hello.txt HTTP/1.1\r\n"):
    sys.exit("the client's request is not in the trace: %r" % bytes(req[:80]))
if b"\r\n\r\n" not in resp or not resp.startswith(b"HTTP/1.0 200"):
    sys.exit("the server's response is not in the trace: %r" % bytes(resp[:80]))
open(reqf, "wb").write(req)
open(respf, "wb").write(resp)
EOF
body=$(python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n", 1)[1])' "$tmp/resp" | cksum)
[ "$body" = "$(cksum < "$tmp/www/hello.txt")" ] || fail "the response in the trace does not end with the file"

need tshark
[ -s "$p" ] || fail "--pcap wrote no pcap"
bad=$(tshark -r "$p" -Y '_ws.malformed' 2> "$tmp/tshark.err") || fail "tshark cannot read the pcap: $(cat "$tmp/tshark.err")"
[ -z "$bad" ] || fail "malformed packets in the pcap:
$bad"
streams=$(tshark -r "$p" -Y "tcp.port == $port" -T fields -e tcp.stream 2> /dev/null | sort -u)
[ "$(echo "$streams" | grep -c .)" = 1 ] || fail "TCP streams on port $port: '$(echo $streams)', expected one"
tshark -r "$p" -q -z "follow,tcp,ascii,$streams" > "$tmp/follow" 2> "$tmp/tshark.err" ||
    fail "tshark cannot follow stream $streams: $(cat "$tmp/tshark.err")"
grep -q "^GET /hello.txt HTTP/1.1" "$tmp/follow" || fail "following the stream does not show the GET request"
grep -q "^line 399 of the file http.server serves to curl" "$tmp/follow" ||
    fail "following the stream does not show the end of the file"
# each byte once, in its own direction: the stream's payload in each
# direction is exactly what the trace says that side sent
tshark -r "$p" -q -z "follow,tcp,raw,$streams" > "$tmp/raw" 2> "$tmp/tshark.err" ||
    fail "tshark cannot follow stream $streams: $(cat "$tmp/tshark.err")"
python3 - "$tmp/raw" "$tmp/req" "$tmp/resp" "$port" << 'EOF' || fail "the pcap's stream is not the exchange in the trace"
import sys
raw, req, resp, port = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read(), sys.argv[4]
sides, nodes = [bytearray(), bytearray()], []
for line in open(raw).read().split("\n"):
    if line.startswith("Node "):
        nodes.append(line.split(": ", 1)[1])
    elif line.strip() and not line.startswith(("=", "Follow:", "Filter:", "Node ")):
        sides[1 if line.startswith("\t") else 0].extend(bytes.fromhex(line.strip()))
# node 0 is the side that sent first: curl, whose request opens the stream
if len(nodes) != 2 or not nodes[1].endswith(":" + port):
    sys.exit("stream nodes %r: expected the client first, then 127.0.0.1:%s" % (nodes, port))
for name, got, want in (("request", sides[0], req), ("response", sides[1], resp)):
    if bytes(got) != want:
        sys.exit("%s: %d bytes in the pcap, %d sent in the trace%s" % (
            name, len(got), len(want), " (each byte twice?)" if len(got) == 2 * len(want) else ""))
EOF
sum=$(tshark -r "$p" -Y "tcp.stream == $streams" -T fields -e tcp.len 2> /dev/null | awk '{s += $1} END {print s + 0}')
want=$(($(wc -c < "$tmp/req") + $(wc -c < "$tmp/resp")))
[ "$sum" = "$want" ] || fail "the stream carries $sum bytes of TCP payload, the request and response are $want"
exit 0
