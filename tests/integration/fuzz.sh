# The libFuzzer targets (tests/fuzz/): every input kept in the repository
# (corpus/ and regress/: what was ever found stays found) runs once through
# its target, then each target fuzzes FUZZ_CHECK_SECONDS (20) seconds from
# its seeds.  A crash, leak, hang or UB report fails, with the input and the
# command that reproduces it.  The targets are clang builds of their own
# (build-fuzz/, whatever SANITIZE says); a missing clang fails: it is one of
# the libraries scripts/deps.sh installs, not an optional program.
. tests/integration/lib.inc
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
command -v clang > /dev/null 2>&1 || fail "clang is not installed (scripts/deps.sh libs installs it)"
for src in tests/fuzz/fuzz_*.c; do
    bin=$FUZZ_BUILD/$(basename "$src" .c)
    [ -x "$bin" ] || fail "$bin is not built (make fuzz-build)"
done
FUZZ_BUILD=$FUZZ_BUILD sh tests/fuzz/run.sh check "${FUZZ_CHECK_SECONDS:-20}" || fail "a fuzz target found something (above)"
