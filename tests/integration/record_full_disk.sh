# A trace's disk fills up while the program runs (a 64 KiB tmpfs, mounted
# in a mount namespace of the test's own, so it goes away with it): the
# program is not disturbed (same output), sockrr says so in one line
# naming the trace and the error and exits 1 (the program's own status
# when that is not 0), and the trace ends at a whole event (sockrr check
# passes it).  Under record and under sim -o, with a program of one
# process and one that forks (both write the trace).
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
NAT=$BUILD/native
[ -x "$NAT/tcp_bulk" ] || fail "$NAT/tcp_bulk is not built"
[ -x "$NAT/fork_inherit" ] || fail "$NAT/fork_inherit is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/full"
# a private mount namespace: as root, or as root of a user namespace
ns="unshare -m"
[ "$(id -u)" = 0 ] || ns="unshare -r -m"
$ns true 2> /dev/null || fail "cannot make a mount namespace ($ns): $($ns true 2>&1)"

# full NAME STATUS VERB CMD...: `sockrr VERB -o FULL/NAME.jsonl -- CMD` on the
# full disk; its stdout, stderr, status and `sockrr check` of the trace go
# to $tmp/NAME.*
full() {
    name=$1 want=$2 verb=$3; shift 3
    (preload_env; exec timeout -k 5 $LIMIT $ns sh -c '
        d=$1 name=$2 verb=$3 sockrr=$4; shift 4
        mount -t tmpfs -o size=64k tmpfs "$d/full" || exit 99
        $W "$sockrr" "$verb" -o "$d/full/$name.jsonl" -- "$@" > "$d/$name.out" 2> "$d/$name.err"
        echo $? > "$d/$name.rc"
        "$sockrr" check "$d/full/$name.jsonl" > "$d/$name.check" 2>&1
        echo $? > "$d/$name.checkrc"' sh "$tmp" "$name" "$verb" "$SOCKRR" "$@") ||
        fail "$name: the mount namespace failed ($?)"
    rc=$(cat "$tmp/$name.rc")
    [ "$rc" = "$want" ] || fail "$name: exited $rc, expected $want: $(cat "$tmp/$name.err")"
    [ "$(grep -c '' "$tmp/$name.err")" = 1 ] || fail "$name: not one line on stderr: $(cat "$tmp/$name.err")"
    grep -q "^sockrr $verb: $tmp/full/$name.jsonl: cannot write the trace: No space left on device" \
        "$tmp/$name.err" || fail "$name: stderr says: $(cat "$tmp/$name.err")"
    [ "$(cat "$tmp/$name.checkrc")" = 0 ] || fail "$name: the trace left does not check: $(cat "$tmp/$name.check")"
}
export W=""

"$NAT/tcp_bulk" 4000000 > "$tmp/bulk.native" 2> /dev/null || fail "tcp_bulk exited $? natively"
full bulk 1 record sh -c 'exec "$0" 4000000 2> /dev/null' "$NAT/tcp_bulk"
cmp -s "$tmp/bulk.out" "$tmp/bulk.native" || fail "bulk: the program's output differs from the native run: $(cat "$tmp/bulk.out")"
# the program's own failure status stays its own; the line is said all the same
full bulk3 3 record sh -c '"$0" 4000000 > /dev/null 2>&1 && exit 3' "$NAT/tcp_bulk"
# two processes writing the trace
"$NAT/fork_inherit" > "$tmp/fork.native" 2> /dev/null || fail "fork_inherit exited $? natively"
full fork 1 record sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$0" || exit; done' "$NAT/fork_inherit"
for i in $(seq 20); do cat "$tmp/fork.native"; done > "$tmp/fork.native20"
cmp -s "$tmp/fork.out" "$tmp/fork.native20" || fail "fork: the program's output differs from the native run: $(head -5 "$tmp/fork.out")"
# the sim's trace, in a network namespace of its own where one can be made
export W="$netns"
full simbulk 1 sim sh -c 'exec "$0" 4000000 2> /dev/null' "$NAT/tcp_bulk"
cmp -s "$tmp/simbulk.out" "$tmp/bulk.native" || fail "simbulk: the program's output differs from the native run: $(cat "$tmp/simbulk.out")"
exit 0
