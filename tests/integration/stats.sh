# sockrr stats: a recorded ping-pong adds up to what it did (bytes each way
# per socket, roles, a wait on the client and a reply on the server, the
# busiest peer), in text and --json; the turns are timed from the events'
# times (set here to known values); errors count by name; bad input is an
# error with its place, and the text and JSON agree.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/pingpong.py" << 'PY'
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
s.setblocking(False)
try:
    s.recv(10)  # nothing yet: EAGAIN
except BlockingIOError:
    pass
s.setblocking(True)
c.sendall(b"hello, world")
s.sendall(s.recv(100).upper() + b"!")
print(c.recv(100).decode())
PY
(preload_env; exec "$SOCKRR" record -o "$tmp/r.jsonl" -- python3 "$tmp/pingpong.py") > /dev/null 2> "$tmp/err" ||
    fail "record: $(tail -2 "$tmp/err")"
# the data events' times set to known values: the client sends at +1 us,
# the server receives at +2 us and answers at +5 us, the client reads at +9 us
python3 - "$tmp/r.jsonl" "$tmp/t.jsonl" << 'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
t0 = lines[0]["start_monotonic_ns"]
data = [e for e in lines if e.get("op") in ("sendmsg", "recvmsg") and e.get("ret", 0) > 0]
assert len(data) == 4, data
at = {id(e): t0 + us * 1000 for e, us in zip(data, (1, 2, 5, 9))}
last = t0
for e in lines[1:]:  # the others a nanosecond apart, in their order
    last = e["t"] = at.get(id(e), last + 1)
with open(sys.argv[2], "w") as f:
    for e in lines:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
"$SOCKRR" stats --json "$tmp/t.jsonl" > "$tmp/json" 2> "$tmp/err" || fail "stats --json: $(cat "$tmp/err")"
python3 - "$tmp/json" << 'PY' || fail "stats --json: $(cat "$tmp/json")"
import json, sys
s = json.load(open(sys.argv[1]))
by = {c["role"]: c for c in s["connections"]}
assert set(by) == {"client", "server", "listener"}, by.keys()
c, v = by["client"], by["server"]
assert (c["sent"], c["received"], v["sent"], v["received"]) == (12, 13, 13, 12), (c, v)
assert c["waits"] == {"count": 1, "min_ns": 8000, "median_ns": 8000, "max_ns": 8000}, c["waits"]
assert v["replies"] == {"count": 1, "min_ns": 3000, "median_ns": 3000, "max_ns": 3000}, v["replies"]
assert v["errors"] == {"EAGAIN": 1}, v["errors"]
assert c["peer"] == by["listener"]["local"], (c["peer"], by["listener"])
assert s["peers"][0]["connections"] == 1 and s["peers"][0]["sent"] + s["peers"][0]["received"] == 25
assert s["ops"]["recvmsg"] == {"calls": 3, "failed": 1}, s["ops"]["recvmsg"]
assert s["connections"][0]["sent"] + s["connections"][0]["received"] == 25  # most bytes first
PY
"$SOCKRR" stats "$tmp/t.jsonl" > "$tmp/text" 2> "$tmp/err" || fail "stats: $(cat "$tmp/err")"
grep -Eq "^ +[0-9]+ +[0-9]+ client .* 12 +13 .* 1 0\.008/0\.008/0\.008 ms" "$tmp/text" ||
    fail "the client's row: $(cat "$tmp/text")"
grep -Eq "^ +[0-9]+ +[0-9]+ server .* 13 +12 .* 1 0\.003/0\.003/0\.003 ms +EAGAIN x1" "$tmp/text" ||
    fail "the server's row: $(cat "$tmp/text")"
grep -q "^busiest peers:" "$tmp/text" || fail "no peers: $(cat "$tmp/text")"
# bad input
"$SOCKRR" stats "$tmp/nonexistent" > /dev/null 2> "$tmp/err" && fail "a missing trace succeeded"
grep -q "nonexistent" "$tmp/err" || fail "a missing trace: $(cat "$tmp/err")"
{ head -2 "$tmp/t.jsonl"; echo '{"type":"event","seq":2}'; } > "$tmp/bad.jsonl"
"$SOCKRR" stats "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"
[ $? = 1 ] || fail "a bad line did not exit 1"
grep -q "bad.jsonl:3" "$tmp/err" || fail "a bad line: $(cat "$tmp/err")"
expect_status 2 "$SOCKRR" stats
expect_status 2 "$SOCKRR" stats --top 0 "$tmp/t.jsonl"
expect_status 2 "$SOCKRR" stats "$tmp/t.jsonl" "$tmp/t.jsonl"
echo ok
