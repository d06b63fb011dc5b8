# Shared by the integration scripts: sourced, never run.
BUILD=${BUILD:-build}
SOCKRR=$BUILD/bin/sockrr
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_status WANT CMD...: runs CMD, fails unless it exits WANT.
expect_status() {
    want=$1; shift
    "$@" > /dev/null 2>&1
    got=$?
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}
