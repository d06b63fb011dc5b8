# No test assumes how many addresses localhost has: the kernel world's unit
# tests that name localhost pass with an /etc/hosts that gives it one address
# (127.0.0.1) and with Debian's standard one that gives it two (::1 first),
# bind-mounted over the host's in a mount namespace of the test's own.
. tests/integration/lib.inc
unshare -m true 2> /dev/null || fail "unshare -m: a mount namespace is needed to swap /etc/hosts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '127.0.0.1\tlocalhost\n' > "$tmp/one"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$tmp/debian"
printf '::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tlocalhost\n' > "$tmp/v6first"
for hosts in one debian v6first; do
    for t in test_addr test_errors test_faults test_resolver test_socket; do
        [ -x "$BUILD/tests/$t" ] || fail "$BUILD/tests/$t is not built"
        unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$1"' "$tmp/$hosts" "$BUILD/tests/$t" \
            > "$tmp/out" 2>&1 ||
            fail "$t with the '$hosts' /etc/hosts: $(grep -E 'ERROR|FAILED' "$tmp/out" | head -5)"
    done
done
echo "kernel unit tests pass with localhost as 127.0.0.1 alone, as Debian's pair, and ::1 first"
