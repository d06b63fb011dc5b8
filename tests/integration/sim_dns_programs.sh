# Programs that do their own DNS answer from the sim's config: dig, host
# (bind9-dnsutils), getent, and node's dns.resolve*/reverse (c-ares) under
# `sockrr sim --net fixtures/sim/dns_server.json`, which serves /etc/resolv.conf
# and /etc/hosts from the config and runs a DNS server (UDP and TCP, port 53
# of its nameserver address).  Every run is in a fresh network namespace
# and, where a mount namespace can be made, with the machine's
# /etc/resolv.conf and /etc/hosts hidden, so nothing real can answer.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
for p in dig host getent node; do
    command -v $p > /dev/null 2>&1 || fail "$p is not installed (scripts/deps.sh tools installs it)"
done
NET=fixtures/sim/dns_server.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/empty"
hide=""
unshare -m true 2> /dev/null && hide=1

# dns NAME CMD...: CMD under sim, the host's name files hidden; exit in $rc
dns() {
    name=$1; shift
    if [ -n "$hide" ]; then
        (preload_env; exec timeout -k 5 $LIMIT unshare -m -n sh -c '
            for f in /etc/resolv.conf /etc/hosts; do
                [ -e "$f" ] && { mount --bind "$0" "$f" || exit 99; }
            done
            exec "$@"' "$tmp/empty" "$SOCKRR" sim --net "$NET" -- "$@") > "$tmp/$name" 2> "$tmp/$name.err"
    else
        (preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim --net "$NET" -- "$@") \
            > "$tmp/$name" 2> "$tmp/$name.err"
    fi
    rc=$?
    case $rc in 124 | 137) fail "$name: '$*' did not end within $LIMIT s: $(tail -5 "$tmp/$name.err")" ;; esac
}
# expect NAME WANT: exit 0 and exactly the lines WANT
expect() {
    [ "$rc" = 0 ] || fail "$1: exited $rc: $(tail -5 "$tmp/$1.err")"
    printf '%s\n' "$2" > "$tmp/want"
    cmp -s "$tmp/want" "$tmp/$1" || fail "$1: printed (< expected, > got)
$(diff "$tmp/want" "$tmp/$1" | head -20)
stderr: $(tail -5 "$tmp/$1.err")"
}

# --- the files the sim serves ---------------------------------------------------
dns files sh -c 'cat /etc/resolv.conf /etc/hosts'
expect files "# sockrr sim: the sim's DNS server, answering from the config
nameserver 127.0.0.53
# sockrr sim: this host; the others are in the sim's DNS
127.0.0.1	localhost
::1	localhost
192.0.2.2	app"

# --- dig: every record type, errors, truncation, a delay, TCP ---------------------
dns dig sh -c '
dig www.example.test +short
dig db AAAA +short
dig mail.example.test MX +short
dig mail.example.test TXT +short
dig _sip._tcp.example.test SRV +short
dig -x 192.0.2.5 +short
dig -x 2001:db8::5 +short
dig gone.example.test | grep -o "status: [A-Z]*"
dig flaky.example.test +tries=1 | grep -o "status: [A-Z]*"
dig big.example.test +ignore | grep -o "flags: [a-z ]*;"
dig big.example.test +short
dig +tcp db A +short
dig slow.example.test | grep -o "Query time: [0-9]* msec"'
expect dig "web.example.test.
192.0.2.80
2001:db8::5
10 mx1.example.test.
\"v=spf1 -all\"
0 5 5060 sip.example.test.
db.
db.
status: NXDOMAIN
status: SERVFAIL
flags: qr aa tc rd ra;
192.0.2.90
192.0.2.5
Query time: 2000 msec"

# --- host ---------------------------------------------------------------------------
dns host sh -c 'host mail.example.test; host 192.0.2.5; host gone.example.test; echo "exit $?"'
expect host "mail.example.test mail is handled by 10 mx1.example.test.
5.2.0.192.in-addr.arpa domain name pointer db.
Host gone.example.test not found: 3(NXDOMAIN)
exit 1"

# --- getent (glibc's resolver: the sim answers its calls) ----------------------------
dns getent sh -c 'getent ahostsv4 www.example.test | head -1; getent hosts gone.example.test; echo "exit $?"'
expect getent "192.0.2.80      STREAM web.example.test
exit 2"

# --- node: c-ares reads /etc/resolv.conf and asks the server itself ------------------
dns node node fixtures/scripts/node_dns_resolve.js
expect node 'resolve4 ["192.0.2.80"]
resolve6 ["2001:db8::5"]
resolveCname ["web.example.test"]
resolveMx [{"exchange":"mx1.example.test","priority":10}]
resolveTxt [["v=spf1 -all"]]
resolveSrv [{"name":"sip.example.test","port":5060,"priority":0,"weight":5}]
reverse ["db"]
reverse6 ["db"]
nxdomain error ENOTFOUND
servfail error ESERVFAIL
lookup [{"address":"192.0.2.5","family":4},{"address":"2001:db8::5","family":6}]
slow ["192.0.2.91"]
truncated ["192.0.2.90"]'

exit 0
