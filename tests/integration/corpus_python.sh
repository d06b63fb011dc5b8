# The corpus, Python: an asyncio server and its clients in one process, a
# threading http.server shut down from the main thread, signal.alarm
# interrupting a blocking recv and sendall, a thread pool joined in a loop,
# and an HTTP client.  Natively, under record and under sim each prints the
# same; under sim the waits cost no wall time; the client replays from its
# recording with no server.
. tests/integration/lib.inc
. tests/integration/corpus.inc
S=fixtures/scripts

for case in py_asyncio_echo py_http_shutdown py_pool; do
    native "$tmp/$case.nat" python3 "$S/$case.py"
    ok "$case natively"
    record "$tmp/$case.rec" "$tmp/$case.jsonl" python3 "$S/$case.py"
    ok "$case under record"
    same "$case under record" "$tmp/$case.nat" "$tmp/$case.rec"
    traced "$case" "$tmp/$case.jsonl"
    sim "$tmp/$case.sim" -- python3 "$S/$case.py"
    ok "$case under sim"
    same "$case under sim" "$tmp/$case.nat" "$tmp/$case.sim"
done
lines "asyncio" "$tmp/py_asyncio_echo.nat" "CLIENT 0 LINE 0 | CLIENT 0 LINE 1 | CLIENT 0 LINE 2
CLIENT 1 LINE 0 | CLIENT 1 LINE 1 | CLIENT 1 LINE 2
CLIENT 2 LINE 0 | CLIENT 2 LINE 1 | CLIENT 2 LINE 2
wait_for timed out"
lines "http.server shutdown" "$tmp/py_http_shutdown.nat" "hello from a threaded server
hello from a threaded server
shut down"

# waits in virtual time: 2.5 s of wait_for, 2 s of alarm, 2.4 s of pool sleeps
sim "$tmp/asyncio.quick" -- python3 "$S/py_asyncio_echo.py"
quick "asyncio's wait_for under sim"
sim "$tmp/alarm.sim" -- python3 "$S/py_alarm_recv.py"
ok "signal.alarm under sim"
lines "signal.alarm under sim" "$tmp/alarm.sim" "alarm interrupted recv after 2.0 s
alarm interrupted sendall"
quick "signal.alarm under sim"
sim "$tmp/pool.quick" -- python3 "$S/py_pool.py"
quick "the thread pool under sim"

# --- a client against a real server, then against its recording --------------
mkdir "$tmp/www"
printf 'a file served by http.server\n' > "$tmp/www/f.txt"
port=$(free_port)
serve "$tmp/server.log" "Serving HTTP" python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www"
url="http://127.0.0.1:$port/f.txt"
native "$tmp/client.nat" python3 "$S/py_http_client.py" "$url"
ok "HTTP client natively"
record "$tmp/client.rec" "$tmp/client.jsonl" python3 "$S/py_http_client.py" "$url"
ok "HTTP client under record"
same "HTTP client under record" "$tmp/client.nat" "$tmp/client.rec"
replay "$tmp/client.rep" "$tmp/client.jsonl" -- python3 "$S/py_http_client.py" "$url"
ok "HTTP client under replay"
same "HTTP client under replay" "$tmp/client.nat" "$tmp/client.rep"
exit 0
