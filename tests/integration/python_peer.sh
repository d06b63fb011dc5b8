# The C API against real programs: a python3 socket client talks to a C API
# server, and a C API client (create_connection to "localhost", which must
# fall back across ::1 and 127.0.0.1) talks to a python3 server.
. tests/integration/lib.inc
need python3
d=$(mktemp -d)
trap 'kill $spid 2>/dev/null; rm -rf "$d"' EXIT

# 1. python3 client -> C API server
"$BUILD/bin/echo_peer" server > "$d/port" &
spid=$!
for _ in $(seq 50); do [ -s "$d/port" ] && break; sleep 0.1; done
port=$(cat "$d/port")
[ -n "$port" ] || fail "C API server printed no port"
got=$(python3 - "$port" <<'PY'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall(b"hello from python\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(4096):
        data += chunk
print(data.decode(), end="")
PY
) || fail "python3 client failed"
[ "$got" = "hello from python" ] || fail "python3 client got '$got'"
wait $spid || fail "C API server exited $?"

# 2. C API client -> python3 server on 127.0.0.1 only
python3 - > "$d/pyport" <<'PY' &
import socket
with socket.socket() as l:
    l.bind(("127.0.0.1", 0)); l.listen(1)
    print(l.getsockname()[1], flush=True)
    c, _ = l.accept()
    with c:
        data = b""
        while chunk := c.recv(4096):
            data += chunk
        c.sendall(b"python heard: " + data)
PY
spid=$!
for _ in $(seq 50); do [ -s "$d/pyport" ] && break; sleep 0.1; done
port=$(cat "$d/pyport")
got=$("$BUILD/bin/echo_peer" client localhost "$port" "hi from C") || fail "C API client failed"
[ "$got" = "python heard: hi from C" ] || fail "C API client got '$got'"
wait $spid || fail "python3 server exited $?"
exit 0
