# sockrr replay: record a client against a real server, then replay it with
# no server (in a network namespace of its own when one can be made): curl
# against python3 -m http.server gives the same bytes, also with data cut
# into 1-byte pieces, and so does a client recorded in one trace with its
# server; a Python client whose recv times out after 20 s gives
# the same exception in under a second; a changed request stops with status
# 86 and a report naming the connection and the differing byte; a client
# that ends early fails strict mode with 87; bad traces and options are
# refused before the command runs.
. tests/integration/lib.inc
# the start of a replay's line; a process other than CMD (under SANITIZE=1
# the client runs under sh) names itself
said='^sockrr replay: \(\[pid [0-9]* [^]]*\] \)\?'
need python3
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
spid=""
trap '[ -z "$spid" ] || kill $spid 2> /dev/null; rm -rf "$tmp"' EXIT
# replay OUT ARGS...: `sockrr replay ARGS` (lib.inc's in_world)
replay() { out=$1; shift; in_world "$out" replay "$@"; }
record() {
    out=$1; shift
    (preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record "$@") > "$out" 2> "$out.err"
    rc=$?
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- an HTTP client against a real server, then against the recording ------
mkdir "$tmp/www"
printf 'hello from the recorded server\nsecond line\n' > "$tmp/www/f.txt"
port=$(free_port)
python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www" > "$tmp/server.log" 2>&1 &
spid=$!
for _ in $(seq 50); do grep -q "Serving HTTP" "$tmp/server.log" && break; sleep 0.1; done
url="http://127.0.0.1:$port/f.txt"
if [ "${SANITIZE:-0}" = 1 ] || ! command -v curl > /dev/null 2>&1; then
    # curl hangs with the ASan runtime preloaded (record_http.sh): urllib then
    client="python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())'"
    client_bad="python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1].replace(\"f.txt\", \"g.txt\")).read().decode())'"
else
    client="curl -s"
    client_bad="curl -s"
fi
# shellcheck disable=SC2086
record "$tmp/http.rec" -o "$tmp/http.jsonl" -- sh -c "$client \"\$0\"" "$url"
[ "$rc" = 0 ] || fail "recording the HTTP client: exit $rc: $(tail -3 "$tmp/http.rec.err")"
kill $spid; wait $spid 2> /dev/null; spid=""
cmp -s "$tmp/http.rec" "$tmp/www/f.txt" || fail "the recorded client did not fetch the file"
replay "$tmp/http.rep" "$tmp/http.jsonl" -- sh -c "$client \"\$0\"" "$url"
[ "$rc" = 0 ] || fail "replaying the HTTP client: exit $rc: $(tail -5 "$tmp/http.rep.err")"
cmp -s "$tmp/http.rec" "$tmp/http.rep" || fail "the replayed client printed other bytes:
$(diff "$tmp/http.rec" "$tmp/http.rep" | head)"
replay "$tmp/http.rep1" --rechunk 1 "$tmp/http.jsonl" -- sh -c "$client \"\$0\"" "$url"
[ "$rc" = 0 ] || fail "replaying with --rechunk 1: exit $rc: $(tail -5 "$tmp/http.rep1.err")"
cmp -s "$tmp/http.rec" "$tmp/http.rep1" || fail "--rechunk 1 changed the client's output"

# --- both sides in one trace: the client is the process replayed ------------
port2=$(free_port)
cat > "$tmp/get.py" << 'EOF'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())
EOF
record "$tmp/both.rec" -o "$tmp/both.jsonl" -- sh -c "python3 -u -m http.server $port2 --bind 127.0.0.1 -d '$tmp/www' > '$tmp/both.log' 2>&1 & p=\$!; for i in \$(seq 100); do grep -q Serving '$tmp/both.log' && break; sleep 0.1; done; python3 '$tmp/get.py' http://127.0.0.1:$port2/f.txt; kill \$p"
[ "$rc" = 0 ] || fail "recording server and client together: exit $rc: $(tail -3 "$tmp/both.rec.err")"
cmp -s "$tmp/both.rec" "$tmp/www/f.txt" || fail "the client recorded with its server did not fetch the file"
replay "$tmp/both.rep" "$tmp/both.jsonl" -- python3 "$tmp/get.py" "http://127.0.0.1:$port2/f.txt"
[ "$rc" = 0 ] || fail "replaying the client of a two-sided trace: exit $rc: $(tail -5 "$tmp/both.rep.err")"
cmp -s "$tmp/both.rec" "$tmp/both.rep" || fail "the client of a two-sided trace printed other bytes"

# --- a changed request: status 86 and a report --------------------------------
if [ "$client" = "curl -s" ]; then
    replay "$tmp/bad" "$tmp/http.jsonl" -- curl -s "http://127.0.0.1:$port/g.txt"
else
    replay "$tmp/bad" "$tmp/http.jsonl" -- sh -c "$client_bad \"\$0\"" "$url"
fi
[ "$rc" = 86 ] || fail "a changed request: exit $rc, expected 86: $(tail -5 "$tmp/bad.err")"
grep -q "$said[^ ]*\.jsonl: replay diverged: connection 1 (sock [0-9]*, peer 127.0.0.1:$port, its call [0-9]*): the program sent different bytes; first difference at byte 5 of the stream" "$tmp/bad.err" ||
    fail "the divergence report does not name connection 1, the peer and byte 5:
$(cat "$tmp/bad.err")"
grep -q "recorded at 0: 47 45 54 20 2f 66 .*|GET /f.txt" "$tmp/bad.err" ||
    fail "the report has no dump of the recorded bytes: $(cat "$tmp/bad.err")"
grep -q "program  at 0: 47 45 54 20 2f 67 .*|GET /g.txt" "$tmp/bad.err" ||
    fail "the report has no dump of the program's bytes: $(cat "$tmp/bad.err")"
grep -q "last calls that matched: .*connection 1: connect 127.0.0.1:$port" "$tmp/bad.err" ||
    fail "the report does not recall the calls before it: $(cat "$tmp/bad.err")"
# --lenient: the same difference is reported, and the replay goes on
if [ "$client" = "curl -s" ]; then
    replay "$tmp/len" --lenient "$tmp/http.jsonl" -- curl -s "http://127.0.0.1:$port/g.txt"
else
    replay "$tmp/len" --lenient "$tmp/http.jsonl" -- sh -c "$client_bad \"\$0\"" "$url"
fi
[ "$rc" = 0 ] || fail "--lenient with a changed request: exit $rc: $(tail -5 "$tmp/len.err")"
cmp -s "$tmp/len" "$tmp/http.rec" || fail "--lenient did not give the recorded answer"
grep -q "$said[^ ]*\.jsonl: difference tolerated (lenient): connection 1 (.*): the program sent different bytes; first difference at byte 5" "$tmp/len.err" ||
    fail "--lenient did not report the difference: $(cat "$tmp/len.err")"

# --- a recv that timed out after 20 s, replayed in no time --------------------
cat > "$tmp/server.py" << 'EOF'
import socket, sys, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
print(l.getsockname()[1], flush=True)
c, _ = l.accept()
c.sendall(c.recv(100).upper())
time.sleep(30)
EOF
cat > "$tmp/client.py" << 'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(b"hello\n")
print(s.recv(100))
if len(sys.argv) > 2:
    sys.exit(0)  # leaves early: strict replay must notice
t = time.monotonic()
try:
    s.recv(100)
    print("no timeout")
except socket.timeout as e:
    print("%s after %.1f s" % (type(e).__name__, time.monotonic() - t))
EOF
python3 "$tmp/server.py" > "$tmp/port" &
spid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
record "$tmp/to.rec" -o "$tmp/to.jsonl" -- python3 "$tmp/client.py" "$port"
[ "$rc" = 0 ] || fail "recording the timing-out client: exit $rc: $(tail -3 "$tmp/to.rec.err")"
kill $spid; wait $spid 2> /dev/null; spid=""
grep -q "after 20.0 s" "$tmp/to.rec" || fail "the recorded client did not time out after 20 s: $(cat "$tmp/to.rec")"
replay "$tmp/to.rep" "$tmp/to.jsonl" -- python3 "$tmp/client.py" "$port"
[ "$rc" = 0 ] || fail "replaying the timing-out client: exit $rc: $(tail -5 "$tmp/to.rep.err")"
cmp -s "$tmp/to.rec" "$tmp/to.rep" || fail "the replayed client printed other lines:
$(diff "$tmp/to.rec" "$tmp/to.rep")"
[ "$wall" -lt 1500 ] || fail "the replayed 20 s timeout took $wall ms of wall time (python3 start included), expected well under a second of waiting"

# --- strict: a client that ends before the recording does --------------------
replay "$tmp/early" "$tmp/to.jsonl" -- python3 "$tmp/client.py" "$port" early
[ "$rc" = 87 ] || fail "a client ending early: exit $rc, expected 87: $(tail -3 "$tmp/early.err")"
grep -q "${said}the program ended before the recording did: connection 1" "$tmp/early.err" ||
    fail "no strict-mode report: $(cat "$tmp/early.err")"
replay "$tmp/early2" --lenient "$tmp/to.jsonl" -- python3 "$tmp/client.py" "$port" early
[ "$rc" = 0 ] || fail "--lenient still failed an early end: exit $rc"

# --- --map: the program reaches the recorded server at another address -------
"$BUILD/native/demo_server" > "$tmp/dport" &
spid=$!
for _ in $(seq 50); do [ -s "$tmp/dport" ] && break; sleep 0.1; done
dport=$(cat "$tmp/dport")
record "$tmp/lines.rec" -o "$tmp/lines.jsonl" -- "$BUILD/native/lines_client" "$dport" 3
[ "$rc" = 0 ] || fail "recording lines_client: exit $rc: $(tail -3 "$tmp/lines.rec.err")"
other=$(free_port)
replay "$tmp/map" --map "127.0.0.1:$dport=127.0.0.1:$other" "$tmp/lines.jsonl" -- "$BUILD/native/lines_client" "$other" 3
[ "$rc" = 0 ] || fail "--map: exit $rc: $(tail -3 "$tmp/map.err")"
cmp -s "$tmp/lines.rec" "$tmp/map" || fail "--map changed the client's output"
replay "$tmp/maphost" --map "127.0.0.1=127.0.0.1" "$tmp/lines.jsonl" -- "$BUILD/native/lines_client" "$dport" 3
[ "$rc" = 0 ] || fail "--map HOST=HOST: exit $rc: $(tail -3 "$tmp/maphost.err")"
replay "$tmp/nomap" "$tmp/lines.jsonl" -- "$BUILD/native/lines_client" "$other" 3
[ "$rc" = 86 ] || fail "another port without --map: exit $rc, not 86"
grep -q "the program connects to 127.0.0.1:$other, the recording connected to 127.0.0.1:$dport" "$tmp/nomap.err" ||
    fail "another port without --map: $(cat "$tmp/nomap.err")"

# --- a trace of another program: a divergence, not a crash -------------------
replay "$tmp/other" "$tmp/to.jsonl" -- "$BUILD/native/lines_client" "$port" 3
[ "$rc" = 86 ] || fail "a trace of another program: exit $rc, not 86: $(cat "$tmp/other.err")"
grep -q "$said[^ ]*\.jsonl: replay diverged: connection 1 .*: the program sent different bytes; first difference at byte 0" "$tmp/other.err" ||
    fail "a trace of another program: $(cat "$tmp/other.err")"

# --- --on-miss passthrough: what the recording lacks goes to the network -----
# (no namespace here: the unrecorded server is a real one on loopback)
cat > "$tmp/two.py" << 'EOF'
import socket, sys
for port in sys.argv[1:]:
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(b"line 0\n")
    print(port == sys.argv[1] and "recorded:" or "live:", s.recv(100))
    s.close()
EOF
record "$tmp/two.rec" -o "$tmp/two.jsonl" -- python3 "$tmp/two.py" "$dport"
[ "$rc" = 0 ] || fail "recording two.py: exit $rc: $(tail -3 "$tmp/two.rec.err")"
kill $spid; wait $spid 2> /dev/null; spid=""
"$BUILD/native/demo_server" > "$tmp/lport" &
spid=$!
for _ in $(seq 50); do [ -s "$tmp/lport" ] && break; sleep 0.1; done
lport=$(cat "$tmp/lport")
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" replay --on-miss passthrough "$tmp/two.jsonl" -- python3 "$tmp/two.py" "$dport" "$lport") > "$tmp/pass" 2> "$tmp/pass.err" ||
    fail "--on-miss passthrough: exit $?: $(cat "$tmp/pass.err")"
grep -q "^recorded: b'hello, line 0" "$tmp/pass" && grep -q "^live: b'hello, line 0" "$tmp/pass" ||
    fail "--on-miss passthrough: $(cat "$tmp/pass" "$tmp/pass.err")"
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" replay "$tmp/two.jsonl" -- python3 "$tmp/two.py" "$dport" "$lport") > "$tmp/fail" 2> "$tmp/fail.err"
[ $? = 86 ] || fail "--on-miss fail (the default) let an unrecorded connection through: $(cat "$tmp/fail.err")"
kill $spid; wait $spid 2> /dev/null; spid=""

# --- a damaged line in the middle of a trace ----------------------------------
sed '5s/.*/{"type":"event","seq":4,"t":1,/' "$tmp/to.jsonl" > "$tmp/damaged.jsonl"

# --- bad input: one line, no command run --------------------------------------
marker=$tmp/marker
bad() {
    want=$1; shift
    rm -f "$marker"
    "$SOCKRR" replay "$@" -- sh -c ": > '$marker'" > "$tmp/b.out" 2> "$tmp/b.err"
    got=$?
    [ "$got" = "$want" ] || fail "sockrr replay $*: exit $got, expected $want: $(cat "$tmp/b.err")"
    [ "$(wc -l < "$tmp/b.err")" = 1 ] && grep -q "^sockrr replay: " "$tmp/b.err" ||
        fail "sockrr replay $*: not one 'sockrr replay:' line on stderr: $(cat "$tmp/b.err")"
    [ ! -e "$marker" ] || fail "sockrr replay $*: the command ran"
}
bad 1 "$tmp/missing.jsonl"
printf 'not a trace\n' > "$tmp/junk.jsonl"
bad 1 "$tmp/junk.jsonl"
grep -q "junk.jsonl:1:" "$tmp/b.err" || fail "a bad trace's error does not name file and line: $(cat "$tmp/b.err")"
head -c 300 "$tmp/to.jsonl" > "$tmp/cut.jsonl"  # a header cut short
bad 1 "$tmp/cut.jsonl"
(preload_env; exec "$SOCKRR" record -o "$tmp/none.jsonl" -- true) || fail "recording true failed"
bad 1 "$tmp/none.jsonl"
grep -q "no socket" "$tmp/b.err" || fail "a trace of a program without sockets: $(cat "$tmp/b.err")"
bad 1 "$tmp/damaged.jsonl"
grep -q "damaged.jsonl:5: not a JSON object" "$tmp/b.err" || fail "a damaged line: $(cat "$tmp/b.err")"
bad 2 --no-such-flag "$tmp/to.jsonl"
bad 2 --on-miss sometimes "$tmp/to.jsonl"
bad 2 --map 127.0.0.1 "$tmp/to.jsonl"
bad 1 --map "nowhere=127.0.0.1:1" "$tmp/to.jsonl"
bad 2 --rechunk 0 "$tmp/to.jsonl"
exit 0
