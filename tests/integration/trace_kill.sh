# A writer killed with SIGKILL mid-stream leaves a trace that reads up to its
# last complete event, and its pcap opens in tshark.
. tests/integration/lib.inc
d=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null; rm -rf "$d"' EXIT
t=$d/flood.jsonl
"$BUILD/bin/tap_flood" "$t" &
pid=$!
for _ in $(seq 100); do
    [ -f "$t" ] && [ "$(wc -l < "$t")" -gt 3000 ] && break
    sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null
n=$(wc -l < "$t")
[ "$n" -gt 3000 ] || fail "the writer wrote only $n lines"
# A line cut by the kill may only be the last; check says so and names it.
# (wc counts the complete lines: a torn one after them is line n + 1)
if ! "$SOCKRR" check "$t" > "$d/check" 2>&1; then
    [ "$(wc -l < "$d/check")" = 1 ] &&
        grep -Eq "^$t:$((n + 1)): torn last line \(the writer was killed\?\); [0-9]+ events before it are valid$" "$d/check" ||
        fail "check found more than a torn last line ($((n + 1))): $(head -5 "$d/check")"
fi
"$SOCKRR" show "$t" > "$d/show" 2>&1 || { tail -3 "$d/show"; fail "show failed on the killed trace"; }
[ "$(wc -l < "$d/show")" -ge $((n - 2)) ] || fail "show printed $(wc -l < "$d/show") lines for $n"
"$SOCKRR" convert "$t" -o "$d/flood.pcap" || fail "convert failed on the killed trace"
need tshark
tshark -r "$d/flood.pcap" -q -z io,stat,0 > "$d/tshark" 2>&1 || { cat "$d/tshark"; fail "tshark cannot read the pcap"; }
exit 0
