# sockrr replay of a server: a trace of python3 -m http.server answering a
# client, both recorded into one trace, is replayed with the server alone
# (no client runs): the recorded request reaches the server's listening
# socket, its response must be the recorded bytes, and once the recording
# is played out the server is ended with status 0.  A server that answers
# differently (the file changed) stops with status 86 and a report naming
# the connection and the byte.  A server listening on another port is still
# given the recorded clients.
. tests/integration/lib.inc
need python3
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mkdir "$tmp/www"
printf 'served twice: recorded, then replayed\n' > "$tmp/www/f.txt"
cat > "$tmp/get.py" << 'EOF'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())
EOF
port=$(free_port)
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/both.jsonl" -- sh -c "python3 -u -m http.server $port --bind 127.0.0.1 -d '$tmp/www' > '$tmp/rec.log' 2>&1 & p=\$!; for i in \$(seq 100); do grep -q Serving '$tmp/rec.log' && break; sleep 0.1; done; python3 '$tmp/get.py' http://127.0.0.1:$port/f.txt; kill \$p") > "$tmp/rec.out" 2> "$tmp/rec.err" ||
    fail "recording the server with its client: $(tail -3 "$tmp/rec.err")"
cmp -s "$tmp/rec.out" "$tmp/www/f.txt" || fail "the recorded client did not fetch the file"

# --- the server alone, with the recorded client as its peer -------------------
in_world "$tmp/srv" replay "$tmp/both.jsonl" -- python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www"
[ "$rc" = 0 ] || fail "replaying the server: exit $rc: $(tail -5 "$tmp/srv.err")"
grep -q '"GET /f.txt HTTP/1.1" 200' "$tmp/srv.err" || fail "the replayed server did not log the recorded request: $(cat "$tmp/srv.err")"
grep -q "^sockrr replay: the recording is played out and the program waits for another connection: ended" "$tmp/srv.err" ||
    fail "the replayed server was not ended once played out: $(tail -3 "$tmp/srv.err")"
[ "$wall" -lt 20000 ] || fail "the replayed server took $wall ms"

# --- on another port: the recorded clients still come -------------------------
other=$(free_port)
in_world "$tmp/srv2" replay "$tmp/both.jsonl" -- python3 -u -m http.server "$other" --bind 127.0.0.1 -d "$tmp/www"
[ "$rc" = 0 ] || fail "replaying the server on another port: exit $rc: $(tail -5 "$tmp/srv2.err")"
grep -q '"GET /f.txt HTTP/1.1" 200' "$tmp/srv2.err" || fail "the server on another port was not given the recorded request"

# --- a server that answers differently: 86 and the report ---------------------
cp -p "$tmp/www/f.txt" "$tmp/ref"
printf 'served twice: recorded, then CHANGED!\n' > "$tmp/www/f.txt"
touch -r "$tmp/ref" "$tmp/www/f.txt"
in_world "$tmp/bad" replay "$tmp/both.jsonl" -- python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www"
[ "$rc" = 86 ] || fail "a server answering other bytes: exit $rc, not 86: $(tail -5 "$tmp/bad.err")"
grep -q "^sockrr replay: [^ ]*\.jsonl: replay diverged: connection [0-9]* (sock [0-9]*, peer 127.0.0.1:[0-9]*, its call [0-9]*): the program sent different bytes; first difference at byte" "$tmp/bad.err" ||
    fail "the report does not name the connection and the byte: $(cat "$tmp/bad.err")"
grep -q "program  at [0-9]*: .*|.*CHANG" "$tmp/bad.err" || fail "the report does not dump the program's bytes: $(cat "$tmp/bad.err")"
exit 0
