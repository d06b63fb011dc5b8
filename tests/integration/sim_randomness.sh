# Under `sockrr sim` the program's randomness comes from the seed: a Python
# program's hash seed, os.urandom, random, uuid4 and tempfile names, and a C
# program's getrandom, getentropy, arc4random, arc4random_uniform,
# arc4random_buf and raw syscall(SYS_getrandom), print the same for one seed
# and otherwise for another; natively they differ run to run.  In a fresh
# network namespace.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
need cc build-essential
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/rand.c" << 'C'
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
    unsigned char a[8], b[8], c[8], d[8];
    if (getrandom(a, sizeof a, 0) != 8 || getentropy(b, sizeof b) != 0 ||
        syscall(SYS_getrandom, d, sizeof d, 0) != 8)
        return 1;
    arc4random_buf(c, sizeof c);
    for (int i = 0; i < 8; i++)
        printf("%02x%02x%02x%02x", a[i], b[i], c[i], d[i]);
    printf(" %u %u\n", arc4random(), arc4random_uniform(1000003));
    return 0;
}
C
cc -O1 -o "$tmp/rand" "$tmp/rand.c" || fail "cc"
py=$(python3 -c 'import sys; print(sys.executable)') # the interpreter, not a launcher script
# run NAME SEED CMD...: CMD under sim with SEED, output in $tmp/NAME
run() {
    name=$1 seed=$2; shift 2
    (preload_env; exec $netns "$SOCKRR" sim --seed "$seed" -- "$@") > "$tmp/$name" 2> "$tmp/$name.err" ||
        fail "$name: $(tail -3 "$tmp/$name.err")"
}
for prog in c py; do
    if [ $prog = c ]; then cmd="$tmp/rand"; else cmd="$py fixtures/scripts/py_randomness.py"; fi
    $cmd > "$tmp/$prog.native1" && $cmd > "$tmp/$prog.native2" || fail "$prog natively"
    cmp -s "$tmp/$prog.native1" "$tmp/$prog.native2" && fail "$prog drew the same natively twice: $(cat "$tmp/$prog.native1")"
    run $prog.a 5 $cmd
    run $prog.b 5 $cmd
    run $prog.c 6 $cmd
    cmp -s "$tmp/$prog.a" "$tmp/$prog.b" ||
        fail "$prog: one seed, two outputs (< first, > second): $(diff "$tmp/$prog.a" "$tmp/$prog.b")"
    cmp -s "$tmp/$prog.a" "$tmp/$prog.c" && fail "$prog: two seeds, one output: $(cat "$tmp/$prog.a")"
    [ -s "$tmp/$prog.a" ] || fail "$prog printed nothing under sim"
done
# every line of the Python program is the seed's (each source, not one)
paste -d'|' "$tmp/py.a" "$tmp/py.c" | while IFS='|' read -r x y; do
    [ "$x" != "$y" ] || fail "the seed does not reach: $x"
done || exit 1
echo ok
