# The examples the documents show are the ones the tests compile and run:
# docs/testing.md's first C block is tests/unit/test_testing_example.c.
. tests/integration/lib.inc
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
awk '/^```c$/ { f = 1; next } /^```$/ { if (f) exit } f' docs/testing.md > "$d/example.c"
cmp -s "$d/example.c" tests/unit/test_testing_example.c ||
    fail "docs/testing.md's example differs from tests/unit/test_testing_example.c"
exit 0
