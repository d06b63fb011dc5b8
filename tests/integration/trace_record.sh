# The tap records a C API session over the kernel world (TCP v4 and v6, UDP,
# AF_UNIX, a refused connect, a reset): the trace is mode 0600, every line
# parses with jq, sockrr check passes it, stream offsets are continuous, and
# what each side sent is what the other side received.
. tests/integration/lib.inc
need jq
need python3
# has FILE [jq args] FILTER: the filter, over all lines at once, is true
has() { f=$1; shift; jq -s -e "$@" "$f" > /dev/null; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
t=$d/session.jsonl
"$BUILD/bin/tap_session" "$t" || fail "tap_session exited $?"
[ "$(stat -c %a "$t")" = 600 ] || fail "trace mode is $(stat -c %a "$t"), not 600"
jq -c . "$t" > /dev/null || fail "a line does not parse with jq"
n=$(wc -l < "$t")
[ "$(jq -c . "$t" | wc -l)" = "$n" ] || fail "jq read a different number of objects than lines"
"$SOCKRR" check "$t" || fail "sockrr check rejects the tap's trace"
for op in socket socketpair bind listen accept4 connect sendmsg recvmsg shutdown close setsockopt getsockname; do
    has "$t" --arg op "$op" 'any(.[]; .op == $op)' || fail "no $op event"
done
has "$t" 'any(.[]; .op == "connect" and .errno == "ECONNREFUSED")' || fail "no refused connect"
has "$t" 'any(.[]; .op == "recvmsg" and .errno == "ECONNRESET")' || fail "no reset"
has "$t" 'any(.[]; .family == "AF_INET6")' || [ ! -e /proc/net/if_inet6 ] || fail "no IPv6 event"
python3 - "$t" <<'PY' || fail "payload check failed"
import base64, collections, json, sys
lines = open(sys.argv[1]).read().splitlines()
tx, rx = collections.defaultdict(bytes), collections.defaultdict(bytes)
local, peer = {}, {}
for line in lines[1:]:
    e = json.loads(line)
    s = e.get("sock")
    if s: local[s], peer[s] = e.get("local", ""), e.get("peer", "")
    if e["op"] == "accept4" and e["ret"] >= 0:
        local[e["new_sock"]], peer[e["new_sock"]] = e["new_local"], e["new_peer"]
    if e["op"] not in ("sendmsg", "recvmsg") or e["ret"] < 0 or e.get("stype") != "SOCK_STREAM":
        continue
    data = base64.b64decode(e["data"])
    assert len(data) == e["len"], (e["seq"], len(data), e["len"])
    side = tx if e["op"] == "sendmsg" else rx
    assert e["off"] == len(side[s]), ("offset gap", e["seq"], e["off"], len(side[s]))
    side[s] += data
# every TCP/IP stream's bytes arrive at the socket whose local is its peer
checked = 0
for s, sent in tx.items():
    if not peer.get(s) or not peer[s][0] in "0123456789[":
        continue
    for r, got in rx.items():
        if local.get(r) == peer[s] and peer.get(r) == local[s]:
            assert got == sent, ("bytes differ", s, r, len(sent), len(got))
            checked += 1
assert checked >= 2, ("too few connections matched", checked)
print(f"{checked} directions matched")
PY
exit 0
