# Every file a verb reads may be a pipe, a FIFO or standard input ("-"):
# check (a trace and a sim config), show, convert (a trace and a capture),
# replay (a trace and a capture) and sim --net each read it once (a second
# open of a FIFO would hang, a pipe's bytes come once), give what they give
# for the same file, name it in errors as the user named it, and leave no
# temporary file behind.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"
export TMPDIR="$tmp/t" # where sockrr copies what it reads once
TRACE=fixtures/pcap/udp.jsonl

# fifo NAME FILE: a FIFO at $tmp/NAME that gives FILE's bytes to one reader
fifo() {
    rm -f "$tmp/$1"
    mkfifo "$tmp/$1"
    (timeout $LIMIT sh -c 'cat "$1" > "$2"' sh "$2" "$tmp/$1" &) # ends even when nobody reads
}
# same HOW WANT GOT: GOT's output and status are WANT's
same() {
    cmp -s "$2" "$3" || fail "$1: the output differs from the file's:
$(diff "$2" "$3" | head -10)"
}
# sockrr ARGS... with stdin from $in (default /dev/null; /dev/stdin for a
# pipe into it), within the limit; stdout to $tmp/o, stderr to $tmp/e,
# status in $rc
srr() {
    timeout -k 5 $LIMIT "$SOCKRR" "$@" < "${in:-/dev/null}" > "$tmp/o" 2> "$tmp/e"
    rc=$?
    [ "$rc" != 124 ] || fail "'sockrr $*' did not end within $LIMIT s (a second open of a FIFO?)"
}
# as_file NAME ARGS... (with FILE in them): the run on the file, kept as NAME.*
as_file() {
    n=$1; shift
    srr "$@"
    mv "$tmp/o" "$tmp/$n.o"; mv "$tmp/e" "$tmp/$n.e"; echo "$rc" > "$tmp/$n.rc"
}
# like NAME HOW: the last run's stdout and status are those of as_file NAME
like() {
    [ "$rc" = "$(cat "$tmp/$1.rc")" ] || fail "$2: exit $rc, on the file $(cat "$tmp/$1.rc"): $(cat "$tmp/e")"
    same "$2" "$tmp/$1.o" "$tmp/o"
}

# --- check: a trace, and a config ----------------------------------------------
srr check -
[ "$rc" = 1 ] && grep -q '^<stdin>:1: empty file' "$tmp/e" || fail "check of an empty stdin said: $(cat "$tmp/e")"
in=$TRACE srr check -
[ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = "<stdin>: valid: version 1, 19 events" ] || fail "check - < FILE: $rc $(cat "$tmp/o" "$tmp/e")"
cat "$TRACE" | { in=/dev/stdin srr check /dev/stdin; [ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = "/dev/stdin: valid: version 1, 19 events" ]; } ||
    fail "check of a pipe: $(cat "$tmp/o" "$tmp/e")"
cat "$TRACE" | { in=/dev/stdin srr check -; [ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = "<stdin>: valid: version 1, 19 events" ]; } ||
    fail "check - of a pipe: $(cat "$tmp/o" "$tmp/e")"
fifo f.jsonl "$TRACE"
srr check "$tmp/f.jsonl"
[ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = "$tmp/f.jsonl: valid: version 1, 19 events" ] || fail "check of a FIFO: $rc $(cat "$tmp/o" "$tmp/e")"
NET=fixtures/sim/valid/example.json
fifo net.json "$NET"
srr check "$tmp/net.json"
[ "$rc" = 0 ] && grep -q "^$tmp/net.json: valid sim config: " "$tmp/o" || fail "check of a config in a FIFO: $rc $(cat "$tmp/o" "$tmp/e")"
printf '{"hosts": 3}\n' > "$tmp/bad.json"
fifo badnet.json "$tmp/bad.json"
srr check "$tmp/badnet.json"
[ "$rc" = 1 ] && grep -q "^$tmp/badnet.json:1:11: hosts: " "$tmp/e" || fail "check of a bad config in a FIFO: $rc $(cat "$tmp/e")"
printf 'garbage\n' > "$tmp/garbage"
fifo g "$tmp/garbage"
srr check "$tmp/g"
[ "$rc" = 1 ] && grep -q "^$tmp/g:1: not a sockrr trace" "$tmp/e" || fail "check of garbage in a FIFO: $rc $(cat "$tmp/e")"

# --- show ----------------------------------------------------------------------
as_file show show "$TRACE"
fifo s.jsonl "$TRACE"
srr show "$tmp/s.jsonl"; like show "show of a FIFO"
cat "$TRACE" | { in=/dev/stdin srr show -; like show "show - of a pipe"; }

# --- convert: a trace, and a capture -------------------------------------------
"$SOCKRR" convert "$TRACE" -o "$tmp/file.pcap" || fail "convert of the file exited $?"
fifo c.jsonl "$TRACE"
srr convert "$tmp/c.jsonl" -o "$tmp/fifo.pcap"
[ "$rc" = 0 ] && cmp -s "$tmp/file.pcap" "$tmp/fifo.pcap" || fail "convert of a FIFO: $rc $(cat "$tmp/e")"
cat "$TRACE" | { in=/dev/stdin srr convert - -o "$tmp/pipe.pcap"; [ "$rc" = 0 ] && cmp -s "$tmp/file.pcap" "$tmp/pipe.pcap"; } ||
    fail "convert - of a pipe: $(cat "$tmp/e")"
fifo cg "$tmp/garbage"
srr convert "$tmp/cg" -o "$tmp/g.pcap"
[ "$rc" = 1 ] && grep -q "^sockrr convert: $tmp/cg:1: not a sockrr trace" "$tmp/e" || fail "convert of garbage in a FIFO: $rc $(cat "$tmp/e")"
# a capture of one exchange: "hi" to 10.0.0.2:80, "yo" back, FINs
python3 - "$tmp/x.pcap" << 'PY'
import struct, sys
def pkt(sp, dp, src, dst, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, bytes(src), bytes(dst)) + tcp
c, s, C, S = [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80
ps = [pkt(C, S, c, s, 100, 0, 0x02), pkt(S, C, s, c, 500, 101, 0x12), pkt(C, S, c, s, 101, 501, 0x10),
      pkt(C, S, c, s, 101, 501, 0x18, b"hi"), pkt(S, C, s, c, 501, 103, 0x18, b"yo"),
      pkt(C, S, c, s, 103, 503, 0x11), pkt(S, C, s, c, 503, 104, 0x11), pkt(C, S, c, s, 104, 504, 0x10)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(ps):
        f.write(struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)) + p)
PY
"$SOCKRR" convert "$tmp/x.pcap" -o "$tmp/x.jsonl" || fail "convert of the capture exited $?"
fifo x.fifo "$tmp/x.pcap"
srr convert "$tmp/x.fifo" -o "$tmp/xf.jsonl"
[ "$rc" = 0 ] || fail "convert of a capture in a FIFO: exit $rc: $(cat "$tmp/e")"
# the same trace but for the capture's name in the header
sed "s|\"argv\":\[\"$tmp/x.fifo\"\]|\"argv\":[\"$tmp/x.pcap\"]|" "$tmp/xf.jsonl" | cmp -s - "$tmp/x.jsonl" ||
    fail "convert of a capture in a FIFO gave another trace: $(diff "$tmp/x.jsonl" "$tmp/xf.jsonl" | head -5)"
in=$tmp/x.pcap srr convert - -o "$tmp/xs.jsonl"
[ "$rc" = 0 ] || fail "convert - < CAPTURE: exit $rc: $(cat "$tmp/e")"

# --- replay: a trace, and a capture --------------------------------------------
cat > "$tmp/client.py" << 'EOF2'
import socket
s = socket.create_connection(("10.0.0.2", 80))
s.sendall(b"hi")
print(s.recv(10).decode())
s.close()
EOF2
replay() { (preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" replay "$@") > "$tmp/o" 2> "$tmp/e"; rc=$?; }
fifo rx.pcap "$tmp/x.pcap"
replay "$tmp/rx.pcap" -- python3 "$tmp/client.py"
[ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = yo ] || fail "replay of a capture in a FIFO: exit $rc: $(cat "$tmp/o" "$tmp/e")"
fifo rt.jsonl "$tmp/x.jsonl"
replay "$tmp/rt.jsonl" -- python3 "$tmp/client.py"
[ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = yo ] || fail "replay of a trace in a FIFO: exit $rc: $(cat "$tmp/o" "$tmp/e")"
cat "$tmp/x.jsonl" | { replay - -- python3 "$tmp/client.py"; [ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = yo ]; } ||
    fail "replay - of a pipe: $(cat "$tmp/o" "$tmp/e")"
# a divergence names the recording as the user named it
sed 's/"hi"/"ho"/' "$tmp/client.py" > "$tmp/client2.py"
fifo rd.jsonl "$tmp/x.jsonl"
replay "$tmp/rd.jsonl" -- python3 "$tmp/client2.py"
[ "$rc" = 86 ] && grep -q "^sockrr replay: $tmp/rd.jsonl: replay diverged" "$tmp/e" ||
    fail "a divergence from a trace in a FIFO: exit $rc: $(cat "$tmp/e")"

# --- sim --net -----------------------------------------------------------------
# the program's own process reads the network too: "db" is known only there
printf '{"hosts": {"app": {"addrs": ["192.0.2.1"], "self": true}, "db": {"addrs": ["192.0.2.9"]}}}\n' > "$tmp/db.json"
fifo db.fifo "$tmp/db.json"
(preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim --net "$tmp/db.fifo" -- \
    python3 -c 'import socket; print(socket.gethostbyname("db"))') > "$tmp/o" 2> "$tmp/e"
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = 192.0.2.9 ] || fail "sim --net FIFO: exit $rc: $(cat "$tmp/o" "$tmp/e")"
fifo badsim.fifo "$tmp/bad.json"
(exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim --net "$tmp/badsim.fifo" -- true) > "$tmp/o" 2> "$tmp/e"
rc=$?
[ "$rc" = 1 ] && grep -q "^sockrr sim: $tmp/badsim.fifo:1:11: hosts: " "$tmp/e" || fail "sim --net with a bad config in a FIFO: exit $rc: $(cat "$tmp/e")"

[ -z "$(ls "$tmp/t")" ] || fail "temporary files left behind: $(ls "$tmp/t")"
exit 0
