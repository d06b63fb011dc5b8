# The trace's descriptor costs the program none of its own: under a soft
# descriptor limit of 64 with room under the hard limit, a program opens as
# many sockets under sockrr record and sim -o as it does natively (the
# trace sits at the limit's own number, which the program cannot open).  A
# program that raises its limit and dup2's a socket onto that number sends
# through it, and the trace goes on (the trace's descriptor moves aside).
# With the hard limit at 64 too there is no number above the program's:
# the traced processes then hold no descriptor of the trace at all (their
# events go through the event ring, which sockrr writes), and the program
# still opens as many sockets as natively.
. tests/integration/lib.inc
need python3
need jq
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/integration/trace_query.inc
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -gt 64 ] || fail "the hard descriptor limit is $hard: no room above a soft limit of 64"

# nofile.py [count]: sockets until EMFILE; then (without "count") the
# number at the limit, reached by raising it
cat > "$tmp/nofile.py" << 'EOF2'
import os, resource, socket, sys
socks = []
try:
    while True:
        socks.append(socket.socket())
except OSError as e:
    print("sockets before EMFILE:", len(socks), e.errno)
if sys.argv[1:] == ["count"]:
    sys.exit(0)
for s in socks:
    s.close()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
print("limit:", soft)
# the number at the old limit, once the program may open it
resource.setrlimit(resource.RLIMIT_NOFILE, (soft + 8, hard))
a, b = socket.socketpair()
os.dup2(a.fileno(), soft)
top = socket.socket(fileno=soft)
top.send(b"via the limit's number")
print(b.recv(64).decode())
a.send(b"after it")
print(b.recv(64).decode())
EOF2
# run NAME CMD...: under `ulimit -Sn 64`, stdout to $tmp/NAME, status in $rc
run() {
    n=$1; shift
    (ulimit -Sn 64 && preload_env && exec timeout -k 5 $LIMIT "$@") > "$tmp/$n" 2> "$tmp/$n.err"
    rc=$?
}
run native python3 "$tmp/nofile.py"
[ "$rc" = 0 ] || fail "natively: exit $rc: $(cat "$tmp/native.err")"
grep -q '^sockets before EMFILE: [0-9]* 24$' "$tmp/native" || fail "natively: $(cat "$tmp/native")"
run record "$SOCKRR" record -o "$tmp/r.jsonl" -- python3 "$tmp/nofile.py"
[ "$rc" = 0 ] || fail "under record: exit $rc: $(cat "$tmp/record.err")"
cmp -s "$tmp/native" "$tmp/record" || fail "under record the program saw another world:
$(diff "$tmp/native" "$tmp/record")"
sent "$tmp/r.jsonl" "via the limit's number" || fail "the send through the limit's number is not in the trace"
sent "$tmp/r.jsonl" "after it" || fail "the trace ended at the dup2 onto its descriptor's number"
"$SOCKRR" check "$tmp/r.jsonl" > /dev/null || fail "the trace does not check"
run sim $netns "$SOCKRR" sim -o "$tmp/s.jsonl" -- python3 "$tmp/nofile.py"
[ "$rc" = 0 ] || fail "under sim -o: exit $rc: $(cat "$tmp/sim.err")"
cmp -s "$tmp/native" "$tmp/sim" || fail "under sim -o the program saw another world:
$(diff "$tmp/native" "$tmp/sim")"

# the hard limit at 64 too (ulimit -n): the same count of sockets
hardrun() {
    n=$1; shift
    (ulimit -n 64 && preload_env && exec timeout -k 5 $LIMIT "$@") > "$tmp/$n" 2> "$tmp/$n.err"
    rc=$?
}
hardrun hnative python3 "$tmp/nofile.py" count
[ "$rc" = 0 ] || fail "natively, hard limit 64: exit $rc: $(cat "$tmp/hnative.err")"
hardrun hrecord "$SOCKRR" record -o "$tmp/h.jsonl" -- python3 "$tmp/nofile.py" count
[ "$rc" = 0 ] || fail "under record, hard limit 64: exit $rc: $(cat "$tmp/hrecord.err")"
cmp -s "$tmp/hnative" "$tmp/hrecord" || fail "under record with a hard limit of 64: $(cat "$tmp/hnative") natively, $(cat "$tmp/hrecord") traced"
"$SOCKRR" check "$tmp/h.jsonl" > /dev/null || fail "the hard-limit trace does not check"
[ "$(grep -c '"op":"socket"' "$tmp/h.jsonl")" -ge 60 ] || fail "the hard-limit trace lacks the sockets"
hardrun hsim $netns "$SOCKRR" sim -o "$tmp/hs.jsonl" -- python3 "$tmp/nofile.py" count
[ "$rc" = 0 ] || fail "under sim -o, hard limit 64: exit $rc: $(cat "$tmp/hsim.err")"
cmp -s "$tmp/hnative" "$tmp/hsim" || fail "under sim -o with a hard limit of 64: $(cat "$tmp/hnative") natively, $(cat "$tmp/hsim") traced"
exit 0
