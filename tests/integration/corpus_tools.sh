# The corpus, command-line clients and servers from Debian: curl and wget
# fetch a file, socat and nc talk to a PING/PONG server, and nc listens for
# a client.  Each prints the same natively, under record, replayed from its
# recording (no server; for nc -l, no client), and in the sim against the
# scripted services of fixtures/sim/tools_net.json; curl's connect timeout
# to a blackholed host ends at once there, in virtual time.
. tests/integration/lib.inc
. tests/integration/corpus.inc
need curl wget socat nc
NET=fixtures/sim/tools_net.json
mkdir "$tmp/www"
printf 'hello tools\n' > "$tmp/www/f.txt"
printf 'PING\r\n' > "$tmp/ping"

web=$(free_port)
serve "$tmp/web.log" "Serving HTTP" python3 -u -m http.server "$web" --bind 127.0.0.1 -d "$tmp/www"
pong=$(free_port)
serve "$tmp/pong.log" "listening" python3 -u fixtures/scripts/py_pong.py "$pong"

# client NAME NATIVE_CMD SIM_CMD: natively, recorded, replayed, simulated
client() {
    name=$1 cmd=$2 simcmd=$3
    native "$tmp/$name.nat" sh -c "$cmd"
    ok "$name natively"
    record "$tmp/$name.rec" "$tmp/$name.jsonl" sh -c "$cmd"
    ok "$name under record"
    same "$name under record" "$tmp/$name.nat" "$tmp/$name.rec"
    traced "$name" "$tmp/$name.jsonl"
    replay "$tmp/$name.rep" "$tmp/$name.jsonl" -- sh -c "$cmd"
    ok "$name replayed"
    same "$name replayed" "$tmp/$name.nat" "$tmp/$name.rep"
    sim "$tmp/$name.sim" --net "$NET" -- sh -c "$simcmd"
    ok "$name under sim"
    same "$name under sim" "$tmp/$name.nat" "$tmp/$name.sim"
    quick "$name under sim"
}

# curl and wget hang on the ASan runtime alone, without sockrr (in glibc's
# setlocale): under SANITIZE=1 their cases are left out, and said so below
left_out=""
if [ "${SANITIZE:-0}" = 1 ]; then
    left_out="curl wget"
else
    client curl "curl -s http://127.0.0.1:$web/f.txt" "curl -s http://web.internal/f.txt"
    lines "curl" "$tmp/curl.nat" "hello tools"
    client wget "wget -q -O - http://127.0.0.1:$web/f.txt" "wget -q -O - http://web.internal:8080/f.txt"
    lines "wget" "$tmp/wget.nat" "hello tools"
fi
client socat "socat - TCP:127.0.0.1:$pong < $tmp/ping" "socat - TCP:echo.internal:7000 < $tmp/ping"
cmp -s "$tmp/socat.nat" "$tmp/ping" && fail "socat: the server echoed PING instead of answering"
printf 'PONG\r\n' | cmp -s - "$tmp/socat.nat" || fail "socat natively printed: $(od -c "$tmp/socat.nat" | head -2)"
client nc "nc -N 127.0.0.1 $pong < $tmp/ping" "nc -N echo.internal 7000 < $tmp/ping"
cmp -s "$tmp/nc.nat" "$tmp/socat.nat" || fail "nc natively printed: $(od -c "$tmp/nc.nat" | head -2)"

# --- curl's connect timeout to a blackholed host: virtual time ---------------
if [ -z "$left_out" ]; then
    sim "$tmp/dark" --net "$NET" -- curl -s --connect-timeout 20 http://dark.internal/
    [ "$rc" = 28 ] || fail "curl to a blackholed host under sim: exited $rc, expected 28 (timeout): $(tail -3 "$tmp/dark.err")"
    quick "curl's 20 s connect timeout under sim"
fi

# --- nc as a server: a client's line, then its recording as the client --------
port=$(free_port)
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/ncl.jsonl" -- nc -l 127.0.0.1 "$port") \
    < /dev/null > "$tmp/ncl.rec" 2> "$tmp/ncl.rec.err" &
ncl=$!
pids="$pids $ncl"
for _ in $(seq 100); do
    printf 'hello server\n' | nc -N 127.0.0.1 "$port" 2> /dev/null && break
    sleep 0.1
done
wait $ncl
rc=$?
[ "$rc" = 0 ] || fail "nc -l under record: exited $rc: $(cat "$tmp/ncl.rec.err")"
lines "nc -l under record" "$tmp/ncl.rec" "hello server"
replay "$tmp/ncl.rep" "$tmp/ncl.jsonl" -- sh -c "nc -l 127.0.0.1 $port < /dev/null"
ok "nc -l replayed from its recording"
same "nc -l replayed from its recording" "$tmp/ncl.rec" "$tmp/ncl.rep"
[ -z "$left_out" ] || skip "the rest passed; $left_out left out: they hang on the ASan runtime alone"
exit 0
