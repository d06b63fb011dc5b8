# Differential: srr_getaddrinfo gives the list python3's socket.getaddrinfo
# gives, for the same questions (only names every machine has).
. tests/integration/lib.inc
need python3
py() {
python3 - "$@" <<'PY'
import socket, sys
host = None if sys.argv[1] == "-" else sys.argv[1]
fam, typ, flags = (int(x) for x in (sys.argv[3:] + ["0", "0", "0"])[:3])
try:
    for f, t, p, c, a in socket.getaddrinfo(host, sys.argv[2], fam, typ, 0, flags):
        print(f"({f.name}, {t.name}, {p}, '{c}', {a!r})".replace('"', "'"))
except socket.gaierror as e:
    print(f"gaierror {e.errno}"); sys.exit(1)
PY
}
# AF_INET=2 AF_INET6=10 SOCK_STREAM=1 SOCK_DGRAM=2 AI_PASSIVE=1 AI_CANONNAME=2 AI_NUMERICHOST=4
while read -r args; do
    [ -z "$args" ] && continue
    # shellcheck disable=SC2086
    want=$(py $args); got=$("$BUILD/bin/gai_list" $args)
    [ "$want" = "$got" ] || fail "getaddrinfo $args: python says
$want
sockrr says
$got"
done <<'EOF2'
127.0.0.1 80
::1 443 10 1
localhost http
localhost 8080 2 2
- 8080 0 1 1
- 8080 10 1 1
localhost 80 0 1 2
localhost 80 0 0 4
no-such-host.invalid 80
127.0.0.1 no-such-service-xyz
EOF2
exit 0
