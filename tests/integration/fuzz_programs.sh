# sockrr fuzz on a real program from Debian, unmodified and not built for
# AFL++: redis-server (jemalloc, its own threads, timers) in AFL++'s blind
# mode (-n) for 10 s, from seeds made of a recorded redis-cli session.
# Every case must end by itself (no hang: the fuzz world ends each one when
# the messages are used up and redis waits again), and no crash.
. tests/integration/lib.inc
need redis-server
need redis-cli
need afl-fuzz "afl++"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((43000 + $$ % 2000))
(preload_env; exec "$SOCKRR" record -o "$tmp/r.jsonl" -- redis-server --port "$port" --save '' --appendonly no) \
    > "$tmp/rec" 2>&1 &
srv=$!
for _ in $(seq 100); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$port" set k v > /dev/null || fail "redis-cli set"
redis-cli -p "$port" get k > /dev/null || fail "redis-cli get"
redis-cli -p "$port" shutdown nosave > /dev/null 2>&1
wait $srv
"$SOCKRR" fuzz seeds "$tmp/r.jsonl" -o "$tmp/seeds" > "$tmp/seeds.out" 2>&1 || fail "seeds: $(cat "$tmp/seeds.out")"
# shellcheck disable=SC2086
(preload_env; AFL_NO_UI=1 exec timeout -k 5 120 $netns "$SOCKRR" fuzz -i "$tmp/seeds" -o "$tmp/out" \
    --afl -n -V 10 -- -- redis-server --port "$port" --save '' --appendonly no) > "$tmp/fuzz" 2>&1 ||
    fail "sockrr fuzz redis-server: $(tail -3 "$tmp/fuzz")"
last=$(tail -1 "$tmp/out/plot_data")
execs=$(echo "$last" | awk -F', *' '{print $12}')
hangs=$(echo "$last" | awk -F', *' '{print $9}')
crashes=$(echo "$last" | awk -F', *' '{print $8}')
echo "redis-server blind: $execs execs in 10 s, $hangs hangs, $crashes crashes"
[ "${execs:-0}" -ge 100 ] || fail "redis-server: only ${execs:-0} execs in 10 s: $(tail -3 "$tmp/fuzz")"
[ "$hangs" = 0 ] || fail "redis-server: $hangs cases hung (a case that does not end)"
[ "$crashes" = 0 ] || fail "redis-server: $crashes crashes: $(ls "$tmp/out/crashes")"
echo ok
