# sockrr diff: two traces compared per process and socket.  Two sim runs of
# one seed are the same; two seeds differ in ports only (-P); two recordings
# of one program differ in times, pids and ports only (-i); a changed
# message shows its event, the members that differ and a payload hex diff;
# a recording and its replay (replay -o) are the same but for what a kernel
# trace does not hold; --bytes sees past sends cut differently; -q says
# only whether they differ; bad input is trouble (2) with its place.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
tmp=$(mktemp -d)
trap 'kill $server 2> /dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/pingpong.py" << 'PY'
import socket, sys
msg = sys.argv[1].encode() if len(sys.argv) > 1 else b"hello, world"
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
c.sendall(msg)
s.sendall(s.recv(100).upper())
print(c.recv(100).decode())
PY
sim() { (preload_env; exec $netns "$SOCKRR" sim "$@") > /dev/null 2> "$tmp/err" || fail "sim $*: $(tail -2 "$tmp/err")"; }
record() { (preload_env; exec "$SOCKRR" record "$@") > /dev/null 2> "$tmp/err" || fail "record $*: $(tail -2 "$tmp/err")"; }
# diffs WANT ARGS...: sockrr diff ARGS exits WANT, output in $tmp/out
diffs() {
    want=$1; shift
    "$SOCKRR" diff "$@" > "$tmp/out" 2> "$tmp/derr"
    got=$?
    [ "$got" = "$want" ] || fail "diff $* exited $got, expected $want: $(head -20 "$tmp/out") $(cat "$tmp/derr")"
}

# the interpreter itself, not a launcher script that starts processes of
# its own (a pyenv shim): several processes, each with a network of its
# own, wait on each other's pipes in real time (#15), and one process
# gives one run
py=$(python3 -c 'import sys; print(sys.executable)')
sim --seed 7 -o "$tmp/s7a.jsonl" -- "$py" "$tmp/pingpong.py"
sim --seed 7 -o "$tmp/s7b.jsonl" -- "$py" "$tmp/pingpong.py"
sim --seed 8 -o "$tmp/s8.jsonl" -- "$py" "$tmp/pingpong.py"
diffs 0 "$tmp/s7a.jsonl" "$tmp/s7b.jsonl"
[ -s "$tmp/out" ] && fail "the same traces printed: $(head -5 "$tmp/out")"
diffs 1 "$tmp/s7a.jsonl" "$tmp/s8.jsonl"
grep -q "differs in: local" "$tmp/out" || fail "two seeds: no port difference shown: $(head "$tmp/out")"
diffs 0 -P "$tmp/s7a.jsonl" "$tmp/s8.jsonl"
diffs 1 -q "$tmp/s7a.jsonl" "$tmp/s8.jsonl"
[ "$(cat "$tmp/out")" = "$tmp/s7a.jsonl and $tmp/s8.jsonl differ" ] || fail "-q printed: $(cat "$tmp/out")"

record -o "$tmp/r1.jsonl" -- python3 "$tmp/pingpong.py"
record -o "$tmp/r2.jsonl" -- python3 "$tmp/pingpong.py"
record -o "$tmp/r3.jsonl" -- python3 "$tmp/pingpong.py" "hello, World!"
diffs 1 "$tmp/r1.jsonl" "$tmp/r2.jsonl"
grep -q "differs in: t, pid, tid" "$tmp/out" || fail "two recordings: $(head "$tmp/out")"
diffs 0 -i "$tmp/r1.jsonl" "$tmp/r2.jsonl"
diffs 1 -i "$tmp/r1.jsonl" "$tmp/r3.jsonl"
grep -q '^-.*sendmsg(.*"hello, world", 12' "$tmp/out" || fail "no - line for A's send: $(cat "$tmp/out")"
grep -q '^+.*sendmsg(.*"hello, World!", 13' "$tmp/out" || fail "no + line for B's send: $(cat "$tmp/out")"
grep -q "differs in: ret, args, data, len" "$tmp/out" || fail "members not named: $(cat "$tmp/out")"
grep -q "first difference at byte 7" "$tmp/out" || fail "no payload diff: $(cat "$tmp/out")"
grep -q '^+   00000000  68 65 6c 6c 6f 2c 20 57 6f 72 6c 64 21 .*|hello, World!|' "$tmp/out" ||
    fail "no hex row for B: $(cat "$tmp/out")"
grep -q "differ in 2 of" "$tmp/out" || fail "the summary: $(tail -1 "$tmp/out")"

# a recording and its replay, traced (replay -o): a client against a server
# outside the trace
mkdir "$tmp/www" && echo hello > "$tmp/www/index.html"
port=$((40000 + $$ % 20000))
(cd "$tmp/www" && exec python3 -m http.server "$port" --bind 127.0.0.1) > /dev/null 2>&1 &
server=$!
cat > "$tmp/get.py" << 'PY'
import sys, time, urllib.request
for i in range(100):  # the server is starting
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())
        break
    except ConnectionRefusedError:
        time.sleep(0.05)
PY
url=http://127.0.0.1:$port/index.html
record -o "$tmp/u1.jsonl" -- python3 "$tmp/get.py" "$url"
kill $server
(preload_env; exec $netns "$SOCKRR" replay -o "$tmp/u2.jsonl" "$tmp/u1.jsonl" -- python3 "$tmp/get.py" "$url") \
    > "$tmp/replayed" 2> "$tmp/err" || fail "replay -o: $(tail -2 "$tmp/err")"
[ "$(cat "$tmp/replayed")" = hello ] || fail "the replay printed: $(cat "$tmp/replayed")"
grep -q '"world":"replay"' "$tmp/u2.jsonl" || fail "replay -o's header: $(head -1 "$tmp/u2.jsonl")"
"$SOCKRR" check "$tmp/u2.jsonl" > /dev/null 2>&1 || fail "replay -o's trace does not check"
diffs 0 -i "$tmp/u1.jsonl" "$tmp/u2.jsonl"
grep -q "now and sleep events are left out" "$tmp/out" || fail "no note of the clock events: $(cat "$tmp/out")"
(preload_env; exec $netns "$SOCKRR" replay -o "$tmp/u1.jsonl" "$tmp/u1.jsonl" -- true) 2> "$tmp/err" &&
    fail "replay -o onto the recording itself succeeded"
grep -q "both the recording and the trace" "$tmp/err" || fail "replay -o onto its input: $(cat "$tmp/err")"

# --bytes: B sends A's message in two pieces
python3 - "$tmp/r1.jsonl" "$tmp/split.jsonl" << 'PY'
import base64, json, sys
out, seq = [], 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("op") == "sendmsg" and e.get("len") == 12:
        data = base64.b64decode(e["data"])
        for part, off in ((data[:5], 0), (data[5:], 5)):
            p = dict(e, ret=len(part), len=len(part), off=e["off"] + off,
                     data=base64.b64encode(part).decode(), args=dict(e["args"], iov=len(part)))
            out.append(p)
        continue
    out.append(e)
with open(sys.argv[2], "w") as f:
    for i, e in enumerate(out):
        if e["type"] == "event":
            e["seq"] = i
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
"$SOCKRR" check "$tmp/split.jsonl" > /dev/null 2>&1 || fail "the split trace does not check: $("$SOCKRR" check "$tmp/split.jsonl" 2>&1 | head -3)"
diffs 1 "$tmp/r1.jsonl" "$tmp/split.jsonl"
diffs 0 --bytes "$tmp/r1.jsonl" "$tmp/split.jsonl"

# trouble: 2, with the place
diffs 2 "$tmp/r1.jsonl" "$tmp/nonexistent.jsonl"
grep -q "nonexistent.jsonl" "$tmp/derr" || fail "a missing trace: $(cat "$tmp/derr")"
{ head -3 "$tmp/r1.jsonl"; echo '{"type":"event",'; } > "$tmp/bad.jsonl"
diffs 2 "$tmp/r1.jsonl" "$tmp/bad.jsonl"
grep -q "bad.jsonl:4" "$tmp/derr" || fail "a bad line: $(cat "$tmp/derr")"
diffs 2 "$tmp/r1.jsonl"
diffs 2 --skip-op nosuchop "$tmp/r1.jsonl" "$tmp/r2.jsonl"
diffs 2 -C x "$tmp/r1.jsonl" "$tmp/r2.jsonl"
diffs 2 --nosuchoption "$tmp/r1.jsonl" "$tmp/r2.jsonl"
[ "$(grep -c . "$tmp/derr")" = 1 ] || fail "a bad option said more than a line: $(cat "$tmp/derr")"
diffs 0 --help
echo ok
