# In-process fuzzing through the C API (sockrr/fuzz.h): libFuzzer drives
# tests/fuzz/fuzz_peer.c built with its planted bug (build-fuzz/planted_peer)
# from its one seed, with its dictionary and a fixed seed, and must find
# the bug (the line it says before its abort: no symbolizer needed) within
# a bounded number of runs; the input it writes must crash it again.
. tests/integration/lib.inc
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
bin=$FUZZ_BUILD/planted_peer
[ -x "$bin" ] || fail "$bin is not built (make fuzz-build)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"
t0=$(ms)
# shellcheck disable=SC2086
$netns "$bin" -seed=1 -runs=3000000 -max_total_time=300 -dict=tests/fuzz/dict/peer.dict \
    -artifact_prefix="$tmp/" "$tmp/corpus" tests/fuzz/corpus/peer > "$tmp/log" 2>&1
rc=$?
secs=$(( ($(ms) - t0) / 1000 ))
crash=$(ls "$tmp"/crash-* 2> /dev/null | head -1)
[ -n "$crash" ] || fail "libFuzzer did not find the planted bug (exit $rc): $(grep -E '^#[0-9]+' "$tmp/log" | tail -1)"
grep -q "^fuzz_peer: planted bug" "$tmp/log" || fail "the crash is not the planted one: $(grep -A3 'ERROR' "$tmp/log" | head -5)"
echo "FIND planted_peer ${secs}s $(grep -E '^#[0-9]+' "$tmp/log" | tail -1 | cut -c1-60)"
# shellcheck disable=SC2086
$netns "$bin" "$crash" > "$tmp/again" 2>&1 && fail "the crash's input does not crash planted_peer again"
echo ok
