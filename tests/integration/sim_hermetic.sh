# The sim needs nothing from the host: with /etc/services, /etc/protocols and
# /etc/hosts empty (bind-mounted over in a mount namespace of the test's
# own), the sim's resolver answers as it does on a machine with netbase,
# through the C API (test_sim_dns) and for an unmodified program.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
[ -x "$BUILD/tests/test_sim_dns" ] || fail "$BUILD/tests/test_sim_dns is not built"
unshare -m true 2> /dev/null || fail "unshare -m: a mount namespace is needed to hide host files"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/empty"

# bare CMD...: CMD with the host's name databases empty and no network
bare() {
    unshare -m -n sh -c '
        for f in /etc/services /etc/protocols /etc/hosts; do
            [ -e "$f" ] && { mount --bind "$0" "$f" || exit 99; }
        done
        exec "$@"' "$tmp/empty" "$@"
}

bare sh -c 'test ! -s /etc/services' || fail "the host's /etc/services is still readable in the bare namespace"
# (its differential tests compare with the host's glibc, which needs the
# host's files: they run in the suite's own run of test_sim_dns)
SRR_TEST_LEAVE_OUT='test_differential_*' bare "$BUILD/tests/test_sim_dns" > "$tmp/unit" 2>&1 ||
    fail "test_sim_dns with no host files: $(grep -E 'FAILED|ERROR|Failure' "$tmp/unit" | head -5)"

# an unmodified program: a service name and a port's name in the sim
prog='import socket
print(socket.getaddrinfo("localhost", "http", socket.AF_INET, socket.SOCK_STREAM)[0][4])
print(socket.getaddrinfo("localhost", "domain", socket.AF_INET, socket.SOCK_DGRAM)[0][4])
print(socket.getnameinfo(("127.0.0.1", 22), 0))'
want="('127.0.0.1', 80)
('127.0.0.1', 53)
('localhost', 'ssh')"
got=$( (preload_env; bare timeout -k 5 "$LIMIT" "$SOCKRR" sim -- python3 -c "$prog") 2> "$tmp/err") ||
    fail "python3 under sim with no host files: exited $?: $(cat "$tmp/err")"
[ "$got" = "$want" ] || fail "python3 under sim with no host files printed '$got', wanted '$want'"
echo "sim with no host files: resolver unit tests and a program's service lookups pass"
