# AF_UNIX filesystem names under `sockrr sim` behave as Linux's socket
# files: a Python socketserver that removes its old socket file before it
# binds, chmods it and leaves it behind, and a node (libuv) server that
# listens, closes and listens again on one path, print the same natively
# and under sim (in a fresh network namespace).  The sim's names are its
# own: the run leaves no file behind, and a file of the same name on the
# machine is neither seen nor removed.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
need node nodejs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# both PROGRAM SCRIPT: the script natively, then under sim; same output
both() {
    mkdir "$tmp/native" "$tmp/sim"
    timeout -k 5 $LIMIT "$1" "$2" "$tmp/native/s.sock" > "$tmp/native.out" 2> "$tmp/native.err" ||
        fail "$2 natively: $(tail -3 "$tmp/native.err")"
    (preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim -- "$1" "$2" "$tmp/sim/s.sock") \
        > "$tmp/sim.out" 2> "$tmp/sim.err" || fail "$2 under sim: $(tail -3 "$tmp/sim.err")"
    cmp -s "$tmp/native.out" "$tmp/sim.out" ||
        fail "$2 printed (< native, > sim): $(diff "$tmp/native.out" "$tmp/sim.out")"
    [ -z "$(ls -A "$tmp/sim")" ] || fail "$2 under sim left files behind: $(ls -A "$tmp/sim")"
    rm -rf "$tmp/native" "$tmp/sim"
}
both python3 fixtures/scripts/py_unix_names.py
grep -q "bind without unlink: Address already in use" "$tmp/native.out" ||
    fail "the Python script did not find its name taken after close: $(cat "$tmp/native.out")"
both node fixtures/scripts/node_unix_names.js
grep -q 'round 2: socket file true answer "echo hi"' "$tmp/native.out" ||
    fail "node did not listen twice: $(cat "$tmp/native.out")"

# a file on the machine at the path is not the sim's: bind takes the name
# in the sim all the same (nothing of the machine counts in the sim), stat
# shows the sim's socket over the file, and unlink removes the sim's name,
# after which the path is the machine's again, its file untouched
: > "$tmp/real.sock"
cat > "$tmp/keep.py" << 'PY'
import os, socket, stat, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
print("bound:", stat.S_ISSOCK(os.stat(sys.argv[1]).st_mode))
os.unlink(sys.argv[1])
print("unlinked:", stat.S_ISREG(os.stat(sys.argv[1]).st_mode))
PY
(preload_env; exec timeout -k 5 $LIMIT $netns "$SOCKRR" sim -- python3 "$tmp/keep.py" "$tmp/real.sock") \
    > "$tmp/keep.out" 2> "$tmp/keep.err" || fail "keep.py under sim: $(tail -3 "$tmp/keep.err")"
printf 'bound: True\nunlinked: True\n' | cmp -s - "$tmp/keep.out" ||
    fail "a machine's file under a sim name: $(cat "$tmp/keep.out")"
[ -f "$tmp/real.sock" ] || fail "the sim removed a file of the machine"
echo ok
