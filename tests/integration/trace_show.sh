# sockrr show: one line per event for every valid fixture, strace -yy style
# (a few lines checked exactly); the --pid, --sock and --op filters; -x hex
# dumps; an invalid line stops it with one error line and exit 1; a torn
# last line warns and exits 0; stdin; usage.
. tests/integration/lib.inc
need jq
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
V=fixtures/traces/valid
I=fixtures/traces/invalid

# events FILE [JQ-FILTER]: how many events (matching the filter) FILE has
events() { jq -s "[.[1:][] | select(${2:-true})] | length" "$1"; }

for c in "$V"/*/; do
    t=${c%/}/trace.jsonl
    "$SOCKRR" show "$t" > "$d/out" 2> "$d/err" || fail "show failed on $t: $(cat "$d/err")"
    [ -s "$d/err" ] && fail "show wrote to stderr for $t: $(cat "$d/err")"
    [ "$(wc -l < "$d/out")" = "$(events "$t")" ] || fail "show printed $(wc -l < "$d/out") lines for $(events "$t") events of $t"
    # every line: seq, relative time, [pid] or [pid/tid], op(...) = result
    grep -v '^ *[0-9][0-9]* +[0-9]*\.[0-9]\{6\} \[[0-9/]*\] [a-z0-9_]*(.*) = -\?[0-9]' "$d/out" &&
        fail "lines of $t are not in the event form"
done

# has CASE LINE: show's output for the fixture holds exactly this line
has() {
    "$SOCKRR" show "$V/$1/trace.jsonl" | grep -qxF -- "$2" || {
        "$SOCKRR" show "$V/$1/trace.jsonl"
        fail "$1: no line
  $2"
    }
}
has doc_example '   2 +0.000020 [4242] connect(3<TCP:[127.0.0.1:40000]>, "127.0.0.1:9") = -1 ECONNREFUSED (Connection refused)'
has doc_example '   3 +0.000031 [4242] sendmsg(4<TCP:[127.0.0.1:40002->127.0.0.1:8080]>, "hello", 5, MSG_NOSIGNAL) = 5'
has tcp4 '   1 +0.000001 [4242] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<TCP:[1]>'
has tcp4 '   2 +0.000002 [4242] setsockopt(3<TCP:[1]>, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0'
has tcp4 '   8 +0.000008 [4242] fcntl(4<TCP:[2]>, F_SETFL, O_RDWR|O_NONBLOCK) = 0'
has tcp4 '  12 +0.000012 [4242/4243] accept4(3<TCP:[127.0.0.1:8080]>, SOCK_CLOEXEC) = 5<TCP:[127.0.0.1:8080->127.0.0.1:40002]>'
has tcp4 '  17 +0.000017 [4242/4243] sendmsg(5<TCP:[127.0.0.1:8080->127.0.0.1:40002]>, "HTTP/1.0 200 OK\r\nContent-Length:"..., 79, MSG_NOSIGNAL) = 79'
has tcp4 '  19 +0.000019 [4242] recvmsg(4<TCP:[127.0.0.1:40002->127.0.0.1:8080]>, 4096, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)'
has tcp4 '  10 +0.000010 [4242] poll([{fd=4<TCP:[127.0.0.1:40002->127.0.0.1:8080]>, events=POLLOUT}, {fd=0, events=POLLIN}], 2, 1000) = 1 ([{fd=4, revents=POLLOUT}])'
has tcp6 '   6 +0.000006 [4242] connect(3<TCPv6:[[::1]:51000->[::1]:8443]>, "[::1]:8443") = 0'
has udp '   4 +0.000004 [4242] recvmsg(3<UDP:[0.0.0.0:53000]>, "\0224\201\200\0\1\0\0\0\0\0\0\7example\3com\0\0\1\0\1\0\0\0", 32, 0, "127.0.0.53:53") = 32 msg_flags=MSG_TRUNC'
has unix '   1 +0.000001 [4242] socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3<UNIX-STREAM:[1]>, 4<UNIX-STREAM:[2]>]) = 0'
has unix '  13 +0.000013 [4242] sendmsg(10<UNIX-DGRAM:[7]>, "hello", 5, 0, "@app\x00x") = 5'
has unix '   8 +0.000008 [4242] connect(7<UNIX-STREAM:[->/tmp/app.sock]>, "/tmp/app.sock") = 0'
has resolver '   3 +0.000052 [4242] getaddrinfo("nonexistent.invalid", "http", {ai_family=AF_UNSPEC, ai_socktype=SOCK_STREAM, ai_protocol=IPPROTO_IP, ai_flags=0}) = -2 EAI_NONAME (Name or service not known)'
has resolver '   1 +0.000050 [4242] getaddrinfo("localhost", "8080", {ai_family=AF_UNSPEC, ai_socktype=SOCK_STREAM, ai_protocol=IPPROTO_IP, ai_flags=AI_ADDRCONFIG}) = 0 [{AF_INET6, SOCK_STREAM, IPPROTO_TCP, "[::1]:8080"}, {AF_INET, SOCK_STREAM, IPPROTO_TCP, "127.0.0.1:8080"}]'
has resolver '   8 +0.000057 [4242] gethostbyname2_r("nohost.invalid", AF_INET6) = 0 h_errno=HOST_NOT_FOUND (Unknown host)'
has capped '   3 +0.000003 [4242] sendmsg(3<TCP:[127.0.0.1:41000->127.0.0.1:9000]>, "\0\1\2\3\4\5\6\7"..., 4096, 0) = 1000 [capped: 8 of 1000 bytes kept]'
has sim_clock '   4 +30.000003 [100] poll([{fd=3<TCP:[10.0.0.1:49152->10.0.0.2:80]>, events=POLLOUT}], 1, 30000) = 0 (Timeout)'
has sim_clock '   6 +30.250004 [100] sleep(CLOCK_MONOTONIC, 0.250000000) = 0'

# Filters: the count jq finds, and only matching lines.
t=$V/tcp4/trace.jsonl
"$SOCKRR" show --pid 4242 "$t" > "$d/out" || fail "--pid failed"
[ "$(wc -l < "$d/out")" = "$(events "$t" '.pid == 4242')" ] || fail "--pid 4242 lost lines"
"$SOCKRR" show --pid=1 "$t" > "$d/out" || fail "--pid=1 failed"
[ -s "$d/out" ] && fail "--pid 1 showed events of another process"
"$SOCKRR" show --sock 3 "$t" > "$d/out" || fail "--sock failed"
[ "$(wc -l < "$d/out")" = "$(events "$t" '.sock == 3 or .new_sock == 3')" ] || fail "--sock 3: $(cat "$d/out")"
grep -v '5<TCP' "$d/out" && fail "--sock 3 showed another socket"
"$SOCKRR" show --sock 1 "$V/unix/trace.jsonl" | grep -q 'socketpair(' || fail "--sock misses socketpair's socks"
"$SOCKRR" show --sock 1 "$V/udp/trace.jsonl" | grep -q 'poll(' || fail "--sock misses poll's fds"
"$SOCKRR" show --op connect,close "$t" > "$d/out" || fail "--op failed"
[ "$(wc -l < "$d/out")" = "$(events "$t" '.op == "connect" or .op == "close"')" ] || fail "--op connect,close: $(cat "$d/out")"
grep -v ' connect(\| close(' "$d/out" && fail "--op showed other ops"
"$SOCKRR" show --op close --op socket --pid 4242 --sock 1 "$t" > "$d/out" || fail "combined filters failed"
[ "$(wc -l < "$d/out")" = 2 ] || fail "combined filters: $(cat "$d/out")"
expect_status 2 "$SOCKRR" show --op bogus "$t"
expect_status 2 "$SOCKRR" show --pid x "$t"
expect_status 2 "$SOCKRR" show --sock "$t"

# -x: a hexdump -C row per 16 bytes of each payload, under its event.
"$SOCKRR" show -x "$t" > "$d/out" || fail "-x failed"
rows=$(jq -s '[.[1:][] | select(.data) | ((.len + 15) / 16 | floor)] | add' "$t")
[ "$(grep -c '^    [0-9a-f]\{8\}  ' "$d/out")" = "$rows" ] || fail "-x printed $(grep -c '^    [0-9a-f]\{8\}  ' "$d/out") rows, expected $rows"
grep -A1 '^  14 ' "$d/out" | grep -qxF '    00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|' ||
    fail "-x: no dump under event 14"
grep -qF '    00000040  19 1a 1b 1c 1d 1e 1f 20  21 22 23 24 25 26 27     |....... !"#$%&' "$d/out" ||
    fail "-x: no short last row"
"$SOCKRR" show -x "$V/capped/trace.jsonl" | grep -qxF '    00000000  00 01 02 03 04 05 06 07                           |........|' ||
    fail "-x: a capped payload dumps what was kept"

# Invalid input: the events before it, then one error line, exit 1.
"$SOCKRR" show "$I/seq_gap/trace.jsonl" > "$d/out" 2> "$d/err"
[ $? = 1 ] || fail "show passed an invalid trace"
[ "$(wc -l < "$d/out")" = 2 ] || fail "show did not print the events before the error"
[ "$(cat "$d/err")" = "sockrr show: $I/seq_gap/trace.jsonl:4: seq: expected 3, got 4 (a gap: events missing)" ] ||
    fail "show's error: $(cat "$d/err")"
for c in "$I"/*/; do
    c=${c%/}
    # torn: a warning; off_gap: stream continuity is check's, not show's
    case $(basename "$c") in torn | off_gap) continue ;; esac
    [ -f "$c/trace.jsonl" ] || continue
    "$SOCKRR" show "$c/trace.jsonl" > /dev/null 2> "$d/err"
    [ $? = 1 ] || fail "show passed $c"
    [ "$(wc -l < "$d/err")" = 1 ] || fail "show printed more than one error for $c"
    want="sockrr show: $c/trace.jsonl:$(cut -d: -f2- "$c/error")"
    [ "$(cat "$d/err")" = "$want" ] || fail "show on $c: $(cat "$d/err")"
done
printf '\000\001binary\n' > "$d/bin"
"$SOCKRR" show "$d/bin" 2> "$d/err" && fail "show passed a binary file"
grep -q '^sockrr show: .*binary' "$d/err" || fail "binary: $(cat "$d/err")"

# A torn last line: the events before it, a warning, exit 0.
"$SOCKRR" show "$I/torn/trace.jsonl" > "$d/out" 2> "$d/err" || fail "show failed on a torn trace"
[ "$(wc -l < "$d/out")" = 2 ] || fail "torn: $(cat "$d/out")"
[ "$(cat "$d/err")" = "sockrr show: warning: $I/torn/trace.jsonl:4: torn last line (the writer was killed?); 2 events before it are valid" ] ||
    fail "torn warning: $(cat "$d/err")"

# stdin, a closed pipe, usage
"$SOCKRR" show - < "$t" > "$d/out" || fail "show - failed"
[ "$(wc -l < "$d/out")" = "$(events "$t")" ] || fail "show - lost lines"
# a reader that stops early: show ends as cat does (SIGPIPE, 141) or
# cleanly, says nothing, and does not crash or go on writing (the hexdump of
# a 64 KB payload is far more than a pipe holds)
{ timeout -k 5 $LIMIT "$SOCKRR" show -x fixtures/pcap/big.jsonl 2> "$d/pipe.err"; echo $? > "$d/pipe.st"; } |
    head -1 > /dev/null
case $(cat "$d/pipe.st") in
0 | 141) ;;
*) fail "show into a closed pipe exited $(cat "$d/pipe.st"): $(cat "$d/pipe.err")" ;;
esac
[ -s "$d/pipe.err" ] && fail "show into a closed pipe said: $(cat "$d/pipe.err")"
expect_status 2 "$SOCKRR" show
expect_status 2 "$SOCKRR" show "$t" "$t"
"$SOCKRR" show --help | grep -q '^usage: sockrr show' || fail "show --help shows no usage"
exit 0
