# One argument check for both front doors: fixtures/native/badargs.c runs a
# table of socket calls with bad arguments (NULL and short addresses, wrong
# families, NULL iovecs, negative and huge lengths, iovec counts past
# IOV_MAX, refused flags, descriptors that are no sockets, UDP's
# connect(fd, NULL, 0)), one line per row: the row and its errno.  Every
# line must be the native one under `sockrr record`, under `sockrr sim`
# (the fixture serves its own connection there) and under `sockrr replay`
# of the recorded run, with no server.  None may crash.
# Native runs are outside a namespace (they need loopback); sim and replay
# runs are in one of their own (lib.inc's in_world).
. tests/integration/lib.inc
need python3
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
PROG=$BUILD/native/badargs
[ -x "$PROG" ] || fail "$PROG is not built"
tmp=$(mktemp -d)
spid=""
trap '[ -z "$spid" ] || kill $spid 2> /dev/null; rm -rf "$tmp"' EXIT

# A server for the fixture's connected socket: it accepts, reads until the
# client closes, and accepts the next; it gives up after LIMIT seconds.
cat > "$tmp/server.py" << 'EOF'
import socket, sys
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(4)
l.settimeout(int(sys.argv[1]))
print(l.getsockname()[1], flush=True)
while True:
    c, _ = l.accept()
    c.settimeout(int(sys.argv[1]))
    while c.recv(4096):
        pass
    c.close()
EOF
python3 "$tmp/server.py" "$LIMIT" > "$tmp/port" 2> "$tmp/server.err" &
spid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
[ -n "$port" ] || fail "the server did not start: $(cat "$tmp/server.err")"

# native OUT ARGS...: the fixture outside any world
native() {
    out=$1; shift
    timeout -k 5 $LIMIT "$PROG" "$@" > "$out" 2> "$out.err"
    rc=$?
    case $rc in 124 | 137) fail "'badargs $*' did not end within $LIMIT s natively" ;; esac
}
# record OUT TRACE ARGS...: under `sockrr record`, outside the namespace
# (the server is on the host's loopback)
record() {
    out=$1 trace=$2; shift 2
    (preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$trace" -- "$PROG" "$@") \
        > "$out" 2> "$out.err"
    rc=$?
    case $rc in 124 | 137) fail "'sockrr record badargs $*' did not end within $LIMIT s" ;; esac
}
# same NAME WANT GOT: GOT's rows are WANT's, or a diff of the rows that differ
same() {
    cmp -s "$2" "$3" && return 0
    fail "$1: rows that differ from the native run (< native, > $1):
$(diff "$2" "$3" | grep '^[<>]')
($(grep -c '' "$2") native rows, $(grep -c '' "$3") rows under $1; stderr: $(tail -3 "$3.err" 2> /dev/null))"
}
# ran NAME: the last run exited 0, or it crashed (a signal) or stopped early
ran() {
    [ "$rc" = 0 ] && return 0
    [ "$rc" -gt 128 ] && fail "$1: killed by signal $((rc - 128)) after $(grep -c '' "$out") rows; the next row crashed it: $(tail -3 "$out.err")"
    fail "$1: exited $rc after $(grep -c '' "$out") rows: $(tail -5 "$out.err")"
}

# --- native: the same rows served by a server or by itself --------------------
native "$tmp/native" "$port"
ran "native"
[ "$(grep -c '' "$tmp/native")" -ge 100 ] || fail "the native run printed $(grep -c '' "$tmp/native") rows, expected the whole table: $(tail -3 "$tmp/native.err")"
grep -q '^connect-U-null-0 EINVAL$' "$tmp/native" || fail "natively, UDP connect(fd, NULL, 0) is not EINVAL: $(grep connect-U-null-0 "$tmp/native")"
native "$tmp/native.self" self
ran "native (self)"
same "native (self)" "$tmp/native" "$tmp/native.self"

# --- sockrr record: the interposer over the kernel ------------------------------
record "$tmp/record" "$tmp/all.jsonl" "$port"
ran "sockrr record"
same "sockrr record" "$tmp/native" "$tmp/record"
"$SOCKRR" check "$tmp/all.jsonl" > "$tmp/check.out" 2>&1 || fail "the trace of every row fails sockrr check: $(head -5 "$tmp/check.out")"

# --- sockrr sim: the sim world, which holds one process ------------------------
in_world "$tmp/sim" sim -- "$PROG" self
ran "sockrr sim"
same "sockrr sim" "$tmp/native" "$tmp/sim"

# --- sockrr replay of the recording (no server) ------------------------------
kill $spid 2> /dev/null
wait $spid 2> /dev/null
spid=""
in_world "$tmp/replay" replay "$tmp/all.jsonl" -- "$PROG" "$port"
ran "sockrr replay"
same "sockrr replay" "$tmp/native" "$tmp/replay"
exit 0
