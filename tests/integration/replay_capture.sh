# sockrr replay CAPTURE: tcpdump -i lo -w captures a Python client fetching
# a file from python3 -m http.server; the capture is then the peer of the
# same client (same output, also cut into 1-byte pieces) and of the same
# server (it is given the captured request and its answer must be the
# captured bytes), with no other program running and in a network
# namespace of its own when one can be made.  Bad captures (cut short, no
# TCP or UDP conversation, an unknown link type) give one line naming the
# file and the packet, exit 1, and the command never runs.
. tests/integration/lib.inc
need python3
need tcpdump
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
chmod 755 "$tmp" # tcpdump drops to its own user to write the capture
trap 'rm -rf "$tmp"' EXIT
replay() { out=$1; shift; in_world "$out" replay "$@"; }

mkdir "$tmp/www"
printf 'from a tcpdump capture\n' > "$tmp/www/f.txt"
cat > "$tmp/get.py" << 'EOF'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())
EOF
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The exchange, captured: in a namespace of its own when possible, so the
# capture holds nothing else; on the shared loopback the filter keeps it
# to this port.
cat > "$tmp/capture.sh" << EOF
cd "$tmp"
[ "\$1" = ns ] && ip link set lo up
tcpdump -i lo --immediate-mode -U -w cap.pcap "tcp port $port" 2> td.err &
td=\$!
for i in \$(seq 100); do grep -q listening td.err && break; sleep 0.1; done
python3 -u -m http.server $port --bind 127.0.0.1 -d www > srv.log 2>&1 &
sp=\$!
for i in \$(seq 100); do grep -q Serving srv.log && break; sleep 0.1; done
python3 get.py http://127.0.0.1:$port/f.txt > cap.out
sleep 0.5
kill \$sp
kill -INT \$td
wait \$td
EOF
if [ -n "$netns" ]; then
    timeout $LIMIT $netns sh "$tmp/capture.sh" ns
else
    timeout $LIMIT sh "$tmp/capture.sh" shared
fi
cmp -s "$tmp/cap.out" "$tmp/www/f.txt" || fail "the captured client did not fetch the file"
[ -s "$tmp/cap.pcap" ] && grep -q "^[1-9][0-9]* packets captured" "$tmp/td.err" ||
    skip "tcpdump could not capture on lo here: $(cat "$tmp/td.err")"

# --- the capture as the server of the same client ----------------------------
replay "$tmp/c" "$tmp/cap.pcap" -- python3 "$tmp/get.py" "http://127.0.0.1:$port/f.txt"
[ "$rc" = 0 ] || fail "replaying the client against the capture: exit $rc: $(tail -5 "$tmp/c.err")"
cmp -s "$tmp/c" "$tmp/cap.out" || fail "the client replayed against the capture printed other bytes"
replay "$tmp/c1" --rechunk 1 "$tmp/cap.pcap" -- python3 "$tmp/get.py" "http://127.0.0.1:$port/f.txt"
[ "$rc" = 0 ] || fail "replaying against the capture with --rechunk 1: exit $rc: $(tail -5 "$tmp/c1.err")"
cmp -s "$tmp/c1" "$tmp/cap.out" || fail "--rechunk 1 changed the client's output"

# --- the capture as the client of the same server ----------------------------
replay "$tmp/s" "$tmp/cap.pcap" -- python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www"
[ "$rc" = 0 ] || fail "replaying the server against the capture: exit $rc: $(tail -5 "$tmp/s.err")"
grep -q '"GET /f.txt HTTP/1.1" 200' "$tmp/s.err" || fail "the server was not given the captured request: $(cat "$tmp/s.err")"

# --- the converted trace lives only while the command runs -------------------
mkdir "$tmp/t"
(export TMPDIR="$tmp/t"; replay "$tmp/c2" "$tmp/cap.pcap" -- python3 "$tmp/get.py" "http://127.0.0.1:$port/f.txt")
[ -z "$(ls "$tmp/t")" ] || fail "the trace converted from the capture was left behind: $(ls "$tmp/t")"

# --- bad captures -------------------------------------------------------------
bad() { # NAME FILE EXPECTED-TEXT: one line, naming the file, exit 1, command not run
    replay "$tmp/$1" "$2" -- sh -c "touch '$tmp/ran'"
    [ "$rc" = 1 ] || fail "$1: exit $rc, not 1: $(cat "$tmp/$1.err")"
    [ ! -e "$tmp/ran" ] || fail "$1: the command ran"
    [ "$(wc -l < "$tmp/$1.err")" = 1 ] || fail "$1: not one line: $(cat "$tmp/$1.err")"
    grep -q "^sockrr replay: $2" "$tmp/$1.err" || fail "$1: the error does not name the file: $(cat "$tmp/$1.err")"
    grep -q "$3" "$tmp/$1.err" || fail "$1: the error does not say '$3': $(cat "$tmp/$1.err")"
}
size=$(wc -c < "$tmp/cap.pcap")
head -c $((size - 10)) "$tmp/cap.pcap" > "$tmp/cut.pcap"
bad cut "$tmp/cut.pcap" ": packet [0-9][0-9]*: file: .*truncated"
python3 - "$tmp" << 'EOF'
import struct, sys
d = sys.argv[1]
def pcap(name, linktype, packets):
    with open(f"{d}/{name}", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
# an ICMP echo request over raw IPv4 (link type 101): no TCP or UDP
icmp = bytes([0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
              8, 0, 0, 0, 0, 1, 0, 1])
pcap("icmp.pcap", 101, [icmp])
pcap("wifi.pcap", 105, [b"\x00" * 24])     # IEEE 802.11: not read
pcap("short.pcap", 101, [icmp[:12]])       # shorter than its IP header
EOF
bad noflow "$tmp/icmp.pcap" "no TCP or UDP conversation"
bad linktype "$tmp/wifi.pcap" "link type 105"
bad short "$tmp/short.pcap" ": packet 1: ip: "
# an error found after the conversion still names the capture, not the
# trace made from it
replay "$tmp/nopid" --pid 7 "$tmp/cap.pcap" -- sh -c "touch '$tmp/ran'"
[ "$rc" = 1 ] && [ ! -e "$tmp/ran" ] || fail "--pid 7 on a capture: exit $rc: $(cat "$tmp/nopid.err")"
grep -q "^sockrr replay: $tmp/cap.pcap: op: the trace holds no socket of that process" "$tmp/nopid.err" ||
    fail "--pid 7 on a capture: the error does not name the capture: $(cat "$tmp/nopid.err")"
exit 0
