# sockrr sim over unmodified programs, in the network of
# fixtures/sim/interpose_net.json and with virtual time: a blackholed
# connect with a 30 s timeout fails at once; getaddrinfo answers in the
# config's order; a flaky name fails with EAI_AGAIN, then answers; curl
# fetches a scripted HTTP service by name; a threaded Python echo and an
# edge-triggered / one-shot epoll program print what they print natively;
# 2N seconds of sleeps and recv timeouts take no real time; one seed gives
# byte-identical traces; a forked child's socket calls fail with EOPNOTSUPP;
# a bad network, an unknown option and --pcap without -o are refused before
# the command runs.  Sim runs are in a network namespace of their own
# (`unshare -n`, when it can be made), so nothing can reach a real network;
# native runs are outside it (they need the loopback).  A missing program
# fails; under SANITIZE=1 the curl case is left out and the script says so
# as a skip.
. tests/integration/lib.inc
need python3
need jq
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
"$SOCKRR" sim --help > /dev/null 2>&1 || fail "$SOCKRR has no sim verb: $("$SOCKRR" sim --help 2>&1 | head -2)"
NAT=$BUILD/native
[ -x "$NAT/epoll_et" ] || fail "$NAT/epoll_et is not built"
NET=fixtures/sim/interpose_net.json
for f in "$NET" fixtures/scripts/py_threaded_echo.py fixtures/scripts/py_sleeps.py; do
    [ -f "$f" ] || fail "$f is missing (run from the repository root)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
left_out=""

# sim OUT ARGS...: `sockrr sim ARGS` (lib.inc's in_world)
sim() { out=$1; shift; in_world "$out" sim "$@"; }
# native OUT CMD...: CMD outside the namespace, as sim does
native() {
    out=$1; shift
    timeout -k 5 $LIMIT "$@" > "$out" 2> "$out.err"
    rc=$?
    case $rc in 124 | 137) fail "'$*' did not end within $LIMIT s natively: $(tail -5 "$out.err")" ;; esac
}
# same_as_native NAME CMD...: exit 0 and the same stdout natively and in the sim
same_as_native() {
    name=$1; shift
    native "$tmp/$name.native" "$@"
    [ "$rc" = 0 ] || fail "$name: exited $rc natively: $(tail -5 "$tmp/$name.native.err")"
    sim "$tmp/$name.sim" --net "$NET" -- "$@"
    [ "$rc" = 0 ] || fail "$name: exited $rc under sockrr sim, 0 natively: $(tail -5 "$tmp/$name.sim.err")"
    cmp -s "$tmp/$name.native" "$tmp/$name.sim" || fail "$name: standard output under sockrr sim differs from the native run (< native, > sim):
$(diff "$tmp/$name.native" "$tmp/$name.sim" | head -20)"
}
# expect_lines NAME FILE WANT: FILE holds exactly the lines WANT
expect_lines() {
    printf '%s\n' "$3" > "$tmp/want"
    cmp -s "$tmp/want" "$2" || fail "$1: printed (< expected, > got)
$(diff "$tmp/want" "$2" | head -20)
stderr: $(tail -5 "$2.err" 2> /dev/null)"
}

# --- bad input: refused before the command runs -------------------------------
bad=fixtures/sim/invalid/unknown_key.json
sim "$tmp/bad" --net "$bad" -- touch "$tmp/marker"
[ "$rc" = 1 ] || fail "a bad network ($bad): exit $rc, expected 1"
[ ! -e "$tmp/marker" ] || fail "a bad network ($bad): the command ran anyway"
want="sockrr sim: $bad:$(sed 's/^NET://' fixtures/sim/invalid/unknown_key.error)"
[ "$(cat "$tmp/bad.err")" = "$want" ] || fail "a bad network: stderr is
$(cat "$tmp/bad.err")
expected the one line
$want"
sim "$tmp/bad" --bogus-option -- touch "$tmp/marker"
[ "$rc" = 2 ] || fail "an unknown option: exit $rc, expected 2 ($(head -2 "$tmp/bad.err"))"
[ ! -e "$tmp/marker" ] || fail "an unknown option: the command ran anyway"
sim "$tmp/bad" --pcap "$tmp/lone.pcap" -- touch "$tmp/marker"
[ "$rc" = 2 ] || fail "--pcap without -o: exit $rc, expected 2 ($(head -2 "$tmp/bad.err"))"
[ ! -e "$tmp/marker" ] || fail "--pcap without -o: the command ran anyway"
[ ! -e "$tmp/lone.pcap" ] || fail "--pcap without -o: a pcap was written anyway"
sim "$tmp/bad" -o "$tmp/no/such/dir/t.jsonl" -- touch "$tmp/marker"
[ "$rc" = 1 ] || fail "an unwritable trace: exit $rc, expected 1 ($(head -2 "$tmp/bad.err"))"
[ ! -e "$tmp/marker" ] || fail "an unwritable trace: the command ran anyway"
# the exit status is the command's
sim "$tmp/st" -- sh -c 'exit 3'
[ "$rc" = 3 ] || fail "sockrr sim of 'exit 3' exited $rc: $(tail -3 "$tmp/st.err")"
sim "$tmp/st" -- "$tmp/no-such-command"
[ "$rc" = 127 ] || fail "sockrr sim of a missing command exited $rc, expected 127"

# --- a blackholed host: create_connection(timeout=30) fails at once ------------
cat > "$tmp/blackhole.py" << 'EOF'
import socket, sys, time
if sys.argv[1] == "connect":
    t = time.monotonic()
    try:
        socket.create_connection(("dark.internal", 443), timeout=30)
    except socket.timeout as e:  # TimeoutError since 3.10
        print("%s after %.1f s" % (type(e).__name__, time.monotonic() - t))
    else:
        print("connected")
EOF
sim "$tmp/base" --net "$NET" -- python3 "$tmp/blackhole.py" nothing # the start-up alone
[ "$rc" = 0 ] || fail "python3 under sockrr sim exited $rc: $(tail -5 "$tmp/base.err")"
base=$wall
sim "$tmp/bh" --net "$NET" -- python3 "$tmp/blackhole.py" connect
[ "$rc" = 0 ] || fail "blackhole: exited $rc: $(tail -5 "$tmp/bh.err")"
expect_lines blackhole "$tmp/bh" "$(python3 -c 'import socket; print(socket.timeout.__name__)') after 30.0 s"
[ $((wall - base)) -lt 1000 ] ||
    fail "blackhole: the 30 s connect timeout took $((wall - base)) ms of wall time (the run $wall ms, python3's start $base ms), expected under 1000"

# --- getaddrinfo: the config's answers in the config's order ------------------
cat > "$tmp/gai.py" << 'EOF'
import socket
def ask(name, fam):
    try:
        return " ".join(a[4][0] for a in socket.getaddrinfo(name, 80, fam, socket.SOCK_STREAM))
    except socket.gaierror as e:
        return {socket.EAI_NONAME: "EAI_NONAME", socket.EAI_AGAIN: "EAI_AGAIN"}.get(e.errno, str(e.errno))
for name in ("many.internal", "many"):
    for fam, label in ((socket.AF_UNSPEC, "unspec"), (socket.AF_INET, "inet"), (socket.AF_INET6, "inet6")):
        print("%s %s: %s" % (label, name, ask(name, fam)))
print("gone.internal: " + ask("gone.internal", socket.AF_UNSPEC))
print("www.example.com: " + ask("www.example.com", socket.AF_UNSPEC))
for i in range(3):
    print("flaky.internal %d: %s" % (i, ask("flaky.internal", socket.AF_INET)))
EOF
sim "$tmp/gai" --net "$NET" -- python3 "$tmp/gai.py"
[ "$rc" = 0 ] || fail "getaddrinfo: exited $rc: $(tail -5 "$tmp/gai.err")"
# the expected lines, from the config itself
jq -r '
  def line(how; name; list): "\(how) \(name): \(list | join(" "))";
  def three(name; list): line("unspec"; name; list),
      line("inet"; name; list | map(select(contains(":") | not))),
      line("inet6"; name; list | map(select(contains(":"))));
  three("many.internal"; .dns["many.internal"].answers),
  three("many"; .hosts.many.addrs),
  "gone.internal: \(.dns["gone.internal"].error)",
  "www.example.com: EAI_NONAME",
  "flaky.internal 0: \(.dns["flaky.internal"].script[0].error)",
  "flaky.internal 1: \(.dns["flaky.internal"].script[1].answers | join(" "))",
  "flaky.internal 2: \(.dns["flaky.internal"].script[1].answers | join(" "))"
' "$NET" > "$tmp/gai.want" 2> "$tmp/jq.err" || fail "jq could not read $NET: $(head -3 "$tmp/jq.err")"
grep -q "^unspec many.internal: 2001:db8::40 192.0.2.40 " "$tmp/gai.want" ||
    fail "$NET no longer has many.internal's unsorted answers this test relies on"
cmp -s "$tmp/gai.want" "$tmp/gai" || fail "getaddrinfo: the answers differ from the config (< config, > got):
$(diff "$tmp/gai.want" "$tmp/gai")"

# --- a forked child cannot use the network; the parent goes on ----------------
cat > "$tmp/fork.py" << 'EOF'
import os, socket, sys
pid = os.fork()
if pid == 0:
    try:
        socket.socket()
    except OSError as e:
        print("child: socket.socket() failed with errno %d" % e.errno, flush=True)
        os._exit(0)
    print("child: socket.socket() worked", flush=True)
    os._exit(1)
_, st = os.waitpid(pid, 0)
print("parent: the child exited %d" % os.waitstatus_to_exitcode(st))
s = socket.create_connection(("echo.internal", 7000), timeout=5)
s.sendall(b"PING\r\n")
print("parent: %r" % s.recv(100))
EOF
sim "$tmp/fork" --net "$NET" -- python3 "$tmp/fork.py"
[ "$rc" = 0 ] || fail "fork: exited $rc: $(tail -5 "$tmp/fork.err")"
expect_lines fork "$tmp/fork" "child: socket.socket() failed with errno 95
parent: the child exited 0
parent: b'PONG\\r\\n'"
n=$(grep -c "^sockrr sim: \[pid [0-9]* python3\] a forked child cannot use the simulated network" "$tmp/fork.err")
[ "$n" = 1 ] || fail "fork: $n stderr lines starting 'sockrr sim: [pid N python3] a forked child cannot use the simulated network', expected 1:
$(cat "$tmp/fork.err")"

# --- virtual time: 2N seconds of sleeps and recv timeouts ----------------------
sim "$tmp/sleeps" -- python3 fixtures/scripts/py_sleeps.py 50
[ "$rc" = 0 ] || fail "py_sleeps.py 50: exited $rc: $(tail -5 "$tmp/sleeps.err")"
{ grep -qx "sleeps: 50" "$tmp/sleeps" && grep -qx "recv timeouts: 50" "$tmp/sleeps"; } ||
    fail "py_sleeps.py 50 printed
$(cat "$tmp/sleeps")"
v=$(sed -n 's/^elapsed: \([0-9.]*\) s$/\1/p' "$tmp/sleeps")
awk -v v="$v" 'BEGIN { exit !(v != "" && v >= 100) }' ||
    fail "py_sleeps.py 50: time.monotonic() says '$v' s elapsed, expected at least 100"
[ "$wall" -lt 2000 ] || fail "py_sleeps.py 50: 100 virtual seconds took $wall ms of wall time, expected under 2000"

# --- one seed, one trace -------------------------------------------------------
cat > "$tmp/det.py" << 'EOF'
import socket
print([a[4][0] for a in socket.getaddrinfo("many.internal", 80, 0, socket.SOCK_STREAM)])
s = socket.create_connection(("echo.internal", 7000), timeout=5)
s.sendall(b"PING\r\n")
print(s.recv(100))
s.close()
try:
    socket.create_connection(("dark.internal", 443), timeout=2)
except socket.timeout:
    print("timeout")
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
c = socket.create_connection(l.getsockname())
a, _ = l.accept()
c.sendall(b"hi")
print(a.recv(10))
EOF
# the interpreter itself: a python3 on the PATH may be a wrapper (pyenv's
# shim is a shell script that runs a dozen processes, whose events interleave
# as the host schedules them)
py=$(python3 -c 'import sys; print(sys.executable)')
for run in a b c; do
    seed=5
    [ $run = c ] && seed=6
    sim "$tmp/det.$run" --net "$NET" --seed $seed -o "$tmp/det.$run.jsonl" -- "$py" "$tmp/det.py"
    [ "$rc" = 0 ] || fail "determinism: run $run (--seed $seed) exited $rc: $(tail -5 "$tmp/det.$run.err")"
    [ -s "$tmp/det.$run.jsonl" ] || fail "determinism: run $run wrote no trace"
    "$SOCKRR" check "$tmp/det.$run.jsonl" > "$tmp/det.check" 2>&1 ||
        fail "determinism: sockrr check rejects the trace of --seed $seed: $(head -5 "$tmp/det.check")"
    s=$(jq -r 'select(.type == "header") | "\(.world) \(.seed)"' "$tmp/det.$run.jsonl")
    [ "$s" = "sim $seed" ] || fail "determinism: the header says world and seed '$s', expected 'sim $seed'"
done
cmp "$tmp/det.a.jsonl" "$tmp/det.b.jsonl" > "$tmp/det.cmp" 2>&1 ||
    fail "determinism: two runs with --seed 5 wrote different traces: $(cat "$tmp/det.cmp")
$(diff "$tmp/det.a.jsonl" "$tmp/det.b.jsonl" | head -6 | cut -c1-300)"
cmp -s "$tmp/det.a" "$tmp/det.c" || fail "determinism: --seed 6 changed what the program printed"
sed 1d "$tmp/det.c.jsonl" > "$tmp/det.c.body"
sed 1d "$tmp/det.a.jsonl" | cmp -s - "$tmp/det.c.body" &&
    fail "determinism: --seed 5 and --seed 6 wrote the same events (the seed chooses the ephemeral ports)"
# --pcap with -o
sim "$tmp/pc" --net "$NET" -o "$tmp/pc.jsonl" --pcap "$tmp/pc.pcap" -- python3 "$tmp/det.py"
[ "$rc" = 0 ] || fail "--pcap: exited $rc: $(tail -5 "$tmp/pc.err")"
[ "$(wc -c < "$tmp/pc.pcap" 2> /dev/null || echo 0)" -gt 24 ] || fail "--pcap: no packets in $tmp/pc.pcap"

# --- curl by name against the scripted HTTP service ----------------------------
if [ "${SANITIZE:-}" = 1 ]; then
    # curl 7.88 hangs in its first setlocale() whenever the ASan runtime is
    # preloaded, with or without sockrr (record_http.sh says the same)
    left_out="$left_out curl"
elif command -v curl > /dev/null 2>&1; then
    # the service expects curl 7.88.1's request byte for byte: -A pins the
    # User-Agent line for other versions
    sim "$tmp/curl" --net "$NET" -- curl -s -S -A curl/7.88.1 http://web.internal/
    [ "$rc" = 0 ] || fail "curl: exited $rc: $(tail -5 "$tmp/curl.err")"
    expect_lines curl "$tmp/curl" "hello from the sim web"
    # curl's own connect timeout against the blackholed host: 28 is
    # CURLE_OPERATION_TIMEDOUT, after 30 virtual seconds
    sim "$tmp/curl" --net "$NET" -- curl -s --connect-timeout 30 http://dark.internal/
    [ "$rc" = 28 ] || fail "curl --connect-timeout 30 to the blackholed host: exit $rc, expected 28 (timed out): $(tail -3 "$tmp/curl.err")"
    [ "$wall" -lt 1000 ] || fail "curl --connect-timeout 30 to the blackholed host took $wall ms of wall time, expected under 1000"
else
    fail "curl is not installed (scripts/deps.sh tools installs it)"
fi

# --- threads: a threaded echo server, a pool of clients -------------------------
same_as_native py_threaded_echo python3 fixtures/scripts/py_threaded_echo.py
grep -qx "server: 9 connections, 200312 bytes echoed" "$tmp/py_threaded_echo.sim" ||
    fail "py_threaded_echo: printed $(tail -1 "$tmp/py_threaded_echo.sim")"

# --- dual-stack: servers on "::" as node and http.server listen by default -------
same_as_native node_dual_stack node fixtures/scripts/node_dual_stack.js
same_as_native py_dual_stack python3 fixtures/scripts/py_dual_stack.py
grep -qx "127.0.0.1 seen as ::ffff:127.0.0.1" "$tmp/py_dual_stack.sim" ||
    fail "py_dual_stack: the IPv4 client was not seen as IPv4-mapped: $(head -3 "$tmp/py_dual_stack.sim")"

# --- epoll: edge-triggered, one-shot, a pipe among the sockets ----------------
same_as_native epoll_et "$NAT/epoll_et"
grep -qx "done" "$tmp/epoll_et.sim" || fail "epoll_et: did not print done"

# --- raw syscalls: socket calls reach the world, io_uring is refused -----------
cat > "$tmp/raw.py" << 'EOF'
import ctypes, os, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def say(name, r):
    print("%s: %d %s" % (name, r, os.strerror(ctypes.get_errno()) if r < 0 else ""))
pair = (ctypes.c_int * 2)()
say("socketpair", libc.syscall(53, socket.AF_UNIX, socket.SOCK_STREAM, 0, pair))
say("sendto", libc.syscall(44, pair[0], b"raw!", 4, 0, None, 0))
print("read:", os.read(pair[1], 16))
s = libc.syscall(41, socket.AF_INET, socket.SOCK_STREAM, 0)
say("socket", min(0, s))
addr = ctypes.create_string_buffer(struct.pack("=H", socket.AF_INET) + struct.pack("!H4s8x", 0, bytes([127, 0, 0, 1])))
say("bind", libc.syscall(49, s, addr, 16))
n = ctypes.c_uint(16)
say("getsockname", libc.syscall(51, s, addr, ctypes.byref(n)))
print("bound:", addr.raw[4:8] == bytes([127, 0, 0, 1]))
say("getpeername", libc.syscall(52, s, addr, ctypes.byref(n)))
say("io_uring_setup", libc.syscall(425, 8, 0))
EOF
sim "$tmp/raw" -o "$tmp/raw.jsonl" -- python3 "$tmp/raw.py"
[ "$rc" = 0 ] || fail "raw syscalls: exited $rc: $(tail -5 "$tmp/raw.err")"
expect_lines raw "$tmp/raw" "socketpair: 0 
sendto: 4 
read: b'raw!'
socket: 0 
bind: 0 
getsockname: 0 
bound: True
getpeername: -1 Transport endpoint is not connected
io_uring_setup: -1 Function not implemented"
jq -s -e 'any(.[]; .op == "unsupported" and (.args.what | startswith("io_uring_setup")))' \
    "$tmp/raw.jsonl" > /dev/null || fail "raw syscalls: no unsupported event for io_uring_setup in the trace"
jq -s -e 'any(.[]; .op == "getpeername" and .errno == "ENOTCONN")' "$tmp/raw.jsonl" > /dev/null ||
    fail "raw syscalls: SYS_getpeername is not the world's getpeername in the trace"

[ -z "$left_out" ] || skip "the rest passed; left out under SANITIZE=1:$left_out (it hangs on the ASan runtime alone)"
exit 0
