# The files sockrr writes hold a program's payloads: a trace, a pcap and a
# trace converted from a capture end up mode 0600 whether they were created
# or were there before with another mode (and a device written to keeps
# its own).  An output that is the same file as an input or as another
# output (the same inode, or the same path when it does not exist yet) is
# refused with one line naming it, exit 2, before anything is written.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FIX=fixtures/pcap
# mode_is FILE WANT WHAT
mode_is() {
    got=$(stat -c %a "$1")
    [ "$got" = "$2" ] || fail "$3: $1 is mode $got, expected $2"
}
# old FILE MODE: a file that was there before, with that mode
old() { printf 'old\n' > "$1"; chmod "$2" "$1"; }

# a capture of one TCP handshake (raw IPv4)
python3 - "$tmp/h.pcap" << 'PY'
import struct, sys
def pkt(sp, dp, src, dst, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, bytes(src), bytes(dst)) + tcp
c, s = [10, 0, 0, 1], [10, 0, 0, 2]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate([pkt(40000, 80, c, s, 100, 0, 2), pkt(80, 40000, s, c, 500, 101, 0x12),
                           pkt(40000, 80, c, s, 101, 501, 0x10)]):
        f.write(struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)) + p)
PY

# --- modes --------------------------------------------------------------------
old "$tmp/r.jsonl" 644
old "$tmp/r.pcap" 666
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/r.jsonl" --pcap "$tmp/r.pcap" -- true) ||
    fail "sockrr record over older files exited $?"
mode_is "$tmp/r.jsonl" 600 "record over a 0644 trace"
mode_is "$tmp/r.pcap" 600 "record --pcap over a 0666 pcap"
"$SOCKRR" check "$tmp/r.jsonl" > /dev/null || fail "the trace recorded over an older file does not check"
old "$tmp/c.pcap" 666
"$SOCKRR" convert "$FIX/udp.jsonl" -o "$tmp/c.pcap" || fail "convert onto a 0666 pcap exited $?"
mode_is "$tmp/c.pcap" 600 "convert onto a 0666 pcap"
"$SOCKRR" convert "$FIX/udp.jsonl" -o "$tmp/new.pcap" || fail "convert onto a new pcap exited $?"
cmp -s "$tmp/c.pcap" "$tmp/new.pcap" || fail "convert onto an older file wrote other bytes than onto a new one"
old "$tmp/c.jsonl" 644
"$SOCKRR" convert "$tmp/h.pcap" -o "$tmp/c.jsonl" || fail "convert of a capture onto a 0644 trace exited $?"
mode_is "$tmp/c.jsonl" 600 "convert of a capture onto a 0644 trace"
# a new file is 0600 whatever the umask lets through
(umask 0; "$SOCKRR" convert "$FIX/udp.jsonl" -o "$tmp/u.pcap") || fail "convert under umask 0 exited $?"
mode_is "$tmp/u.pcap" 600 "convert under umask 0"
# the C API's tap, over an older trace
if [ -x "$BUILD/bin/tap_session" ]; then
    old "$tmp/tap.jsonl" 644
    "$BUILD/bin/tap_session" "$tmp/tap.jsonl" > /dev/null 2>&1 || fail "tap_session exited $?"
    mode_is "$tmp/tap.jsonl" 600 "the tap over a 0644 trace"
fi
# a device is written to, not changed
"$SOCKRR" convert "$FIX/udp.jsonl" -o /dev/null || fail "convert to /dev/null exited $?"
mode_is /dev/null 666 "convert to /dev/null"

# --- an output that is an input or another output ----------------------------
# refused WHAT FILE ARGS...: `sockrr ARGS` exits 2 with one line naming FILE,
# and FILE is as it was (or still absent)
refused() {
    what=$1 file=$2; shift 2
    before=$(cat "$file" 2> /dev/null | cksum)
    (preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" "$@") > "$tmp/out" 2> "$tmp/err" < "${stdin:-/dev/null}"
    got=$?
    [ "$got" = 2 ] || fail "$what: exited $got, expected 2: $(head -3 "$tmp/err")"
    [ "$(grep -c '' "$tmp/err")" = 1 ] || fail "$what: not one line on stderr: $(cat "$tmp/err")"
    grep -qF "$file is both " "$tmp/err" || fail "$what: the line does not name $file: $(cat "$tmp/err")"
    [ "$(cat "$file" 2> /dev/null | cksum)" = "$before" ] || fail "$what: $file was written"
}
cp "$FIX/udp.jsonl" "$tmp/t.jsonl"
refused "convert onto its input" "$tmp/t.jsonl" convert "$tmp/t.jsonl" -o "$tmp/t.jsonl"
refused "convert onto its input by another path" "$tmp/./t.jsonl" convert "$tmp/t.jsonl" -o "$tmp/./t.jsonl"
ln -s t.jsonl "$tmp/link.jsonl"
refused "convert onto its input through a symlink" "$tmp/t.jsonl" convert "$tmp/link.jsonl" -o "$tmp/t.jsonl"
stdin=$tmp/t.jsonl refused "convert of standard input onto the file behind it" "$tmp/t.jsonl" \
    convert - -o "$tmp/t.jsonl"
cp "$tmp/h.pcap" "$tmp/cap.pcap"
refused "convert of a capture onto itself" "$tmp/cap.pcap" convert "$tmp/cap.pcap" -o "$tmp/cap.pcap"
"$SOCKRR" check "$tmp/t.jsonl" > /dev/null || fail "a refused convert damaged its input"
refused "record with the pcap at the trace's path" "$tmp/X" record -o "$tmp/X" --pcap "$tmp/X" -- true
[ ! -e "$tmp/X" ] || fail "a refused record created $tmp/X"
again=$tmp/../$(basename "$tmp")/t.jsonl
refused "record with the pcap over the trace" "$again" record -o "$tmp/t.jsonl" --pcap "$again" -- true
printf '{}\n' > "$tmp/net.json"
refused "sim with the trace over its network" "$tmp/net.json" sim --net "$tmp/net.json" -o "$tmp/net.json" -- true
refused "sim with the pcap over its network" "$tmp/net.json" sim --net "$tmp/net.json" -o "$tmp/s.jsonl" --pcap "$tmp/net.json" -- true
[ ! -e "$tmp/s.jsonl" ] || fail "a refused sim created its trace"
exit 0
