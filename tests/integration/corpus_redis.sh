# The corpus, redis (Debian's redis-server, redis-cli and redis-benchmark,
# all on jemalloc): a redis-cli session prints the same natively, under
# record, replayed from its recording and from a tcpdump capture of it
# (with no server), and against a scripted cache in the sim; redis-benchmark
# (-n bounded) against a traced redis-server has no errors, and that
# server's recording replays to the same server with every connection
# played in order; redis-server alone under sim starts, and ends idle with
# a report, since no one in its sim connects.
. tests/integration/lib.inc
. tests/integration/corpus.inc
need redis-server redis-cli redis-benchmark tcpdump ip
NET=fixtures/sim/redis_net.json
printf 'set k hello\nget k\nping\n' > "$tmp/session"


# --- a session against a real server, natively and recorded -----------------
port=$(free_port)
serve "$tmp/native.log" "Ready to accept" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
native "$tmp/cli.nat" sh -c "redis-cli -p $port < $tmp/session"
ok "redis-cli natively"
lines "redis-cli natively" "$tmp/cli.nat" "OK
hello
PONG"
record "$tmp/cli.rec" "$tmp/cli.jsonl" sh -c "redis-cli -p $port < $tmp/session"
ok "redis-cli under record"
same "redis-cli under record" "$tmp/cli.nat" "$tmp/cli.rec"
traced "redis-cli" "$tmp/cli.jsonl"
redis-cli -p "$port" shutdown nosave > /dev/null 2>&1

# --- its recording as the server -------------------------------------------
replay "$tmp/cli.rep" "$tmp/cli.jsonl" -- sh -c "redis-cli -p $port < $tmp/session"
ok "redis-cli replayed from its recording"
same "redis-cli replayed from its recording" "$tmp/cli.nat" "$tmp/cli.rep"
replay "$tmp/cli.rep1" --rechunk 1 "$tmp/cli.jsonl" -- sh -c "redis-cli -p $port < $tmp/session"
ok "redis-cli replayed a byte at a time"
same "redis-cli replayed a byte at a time" "$tmp/cli.nat" "$tmp/cli.rep1"

# --- a tcpdump capture of the same session as the server ---------------------
cat > "$tmp/capture.sh" << CAP
ip link set lo up
tcpdump -i lo --immediate-mode -U -w $tmp/cap.pcap "tcp port $port" 2> $tmp/td.err &
td=\$!
for i in \$(seq 100); do grep -q listening $tmp/td.err && break; sleep 0.1; done
redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no > $tmp/cap-server.log 2>&1 &
srv=\$!
for i in \$(seq 100); do grep -q "Ready to accept" $tmp/cap-server.log && break; sleep 0.1; done
redis-cli -p $port < $tmp/session > $tmp/cap.out
kill \$srv; wait \$srv
sleep 0.3
kill -INT \$td; wait \$td
CAP
timeout $LIMIT unshare -n sh "$tmp/capture.sh" || fail "capturing a redis-cli session: $(cat "$tmp/td.err")"
same "redis-cli, captured" "$tmp/cli.nat" "$tmp/cap.out"
grep -q "^[1-9][0-9]* packets captured" "$tmp/td.err" || fail "tcpdump captured nothing: $(cat "$tmp/td.err")"
replay "$tmp/cap.rep" "$tmp/cap.pcap" -- sh -c "redis-cli -p $port < $tmp/session"
ok "redis-cli replayed from a tcpdump capture"
same "redis-cli replayed from a tcpdump capture" "$tmp/cli.nat" "$tmp/cap.rep"

# --- redis-benchmark against a traced redis-server ---------------------------
port=$(free_port)
(preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/server.jsonl" -- \
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no) > "$tmp/server.log" 2>&1 &
server=$!
pids="$pids $server"
for _ in $(seq 100); do grep -q "Ready to accept" "$tmp/server.log" && break; sleep 0.1; done
grep -q "Ready to accept" "$tmp/server.log" || fail "redis-server under record did not start: $(tail -5 "$tmp/server.log")"
native "$tmp/bench" redis-benchmark -p "$port" -n 2000 -c 4 -q -t set,get,incr,lpush
ok "redis-benchmark against a traced redis-server"
grep -qi "error" "$tmp/bench" "$tmp/bench.err" && fail "redis-benchmark: errors: $(grep -i error "$tmp/bench" "$tmp/bench.err" | head -3)"
n=$(tr '\r' '\n' < "$tmp/bench" | grep -c "requests per second")
[ "$n" -ge 4 ] || fail "redis-benchmark: $n of 4 tests reported: $(tail -c 300 "$tmp/bench")"
record "$tmp/bench.rec" "$tmp/bench.jsonl" redis-benchmark -p "$port" -n 500 -c 2 -q -t set,get
ok "redis-benchmark under record"
grep -qi "error" "$tmp/bench.rec" && fail "redis-benchmark under record: errors: $(head -3 "$tmp/bench.rec")"
native "$tmp/shutdown" redis-cli -p "$port" shutdown nosave
wait $server
rc=$?
[ "$rc" = 0 ] || fail "redis-server under record exited $rc: $(tail -5 "$tmp/server.log")"
traced "redis-server" "$tmp/server.jsonl"

# --- the server's recording replayed to the same server ------------------------
replay "$tmp/server.rep" "$tmp/server.jsonl" -- redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
ok "redis-server replayed from its recording (every client played, in order)"
grep -q "User requested shutdown" "$tmp/server.rep" || fail "the replayed redis-server did not take its last client's SHUTDOWN: $(tail -3 "$tmp/server.rep")"

# --- the sim: redis-cli against a scripted cache; redis-server alone ----------
sim "$tmp/cli.sim" --net "$NET" -- sh -c "redis-cli -h cache -p 6379 < $tmp/session"
ok "redis-cli under sim"
same "redis-cli under sim" "$tmp/cli.nat" "$tmp/cli.sim"
quick "redis-cli under sim"
sim "$tmp/server.sim" --net "$NET" -- redis-server --port 6379 --save '' --appendonly no
[ "$rc" = 88 ] || fail "redis-server alone under sim: exited $rc, expected 88 (idle): $(tail -3 "$tmp/server.sim.err")"
grep -q "Ready to accept connections" "$tmp/server.sim" || fail "redis-server under sim did not start: $(tail -3 "$tmp/server.sim")"
grep -q "^sockrr sim: the run is stuck: idle at virtual time" "$tmp/server.sim.err" ||
    fail "redis-server alone under sim: no idle report: $(tail -3 "$tmp/server.sim.err")"
quick "redis-server alone under sim"
exit 0
