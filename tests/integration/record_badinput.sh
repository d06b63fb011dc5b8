# sockrr record refuses what it cannot do before the command starts: a
# trace it cannot create, an unknown option, a command that does not exist
# or cannot be run, a statically linked program (LD_PRELOAD cannot reach
# it), a $SOCKRR_PRELOAD that is no shared library.  Each gives exactly one
# line on stderr starting with "sockrr", the exit status `sockrr record
# --help` documents (1 trace, 2 usage, 127 not found, 126 cannot run), and
# the command never runs: it would have left a marker file.  A library that
# loads but is not the interposer leaves the run untraced: that is said
# after the run, exit 1.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LIMIT=60

# refused WANT MARKER ARGS...: `sockrr record ARGS...` exits WANT with one
# line on stderr that starts with "sockrr", and MARKER does not exist after
refused() {
    want=$1 marker=$2; shift 2
    (preload_env; exec timeout -k 5 $LIMIT "$SOCKRR" record "$@") > "$tmp/out" 2> "$tmp/err" < /dev/null
    got=$?
    [ "$got" != 124 ] || fail "'sockrr record $*' did not end within $LIMIT s"
    [ "$got" = "$want" ] || fail "'sockrr record $*' exited $got, expected $want; stderr: $(head -5 "$tmp/err")"
    n=$(grep -c '' "$tmp/err")
    [ "$n" = 1 ] || fail "'sockrr record $*' wrote $n lines on stderr, expected one:
$(head -10 "$tmp/err")"
    grep -q '^sockrr' "$tmp/err" || fail "'sockrr record $*': stderr does not start with \"sockrr\": $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "'sockrr record $*' wrote on stdout: $(head -5 "$tmp/out")"
    [ ! -e "$marker" ] || fail "'sockrr record $*' ran the command: $marker exists"
}

# the marker command works when run directly, so its absence means something
sh -c ': > "$1"' sh "$tmp/m0" && [ -e "$tmp/m0" ] || fail "the marker command does not create its marker"

# 1. a trace that cannot be created
refused 1 "$tmp/m1" -o "$tmp/no/such/dir/t.jsonl" -- sh -c ': > "$1"' sh "$tmp/m1"
[ ! -e "$tmp/no" ] || fail "sockrr record created $tmp/no for an unwritable trace"
refused 1 "$tmp/m1b" --pcap "$tmp/no/such/dir/t.pcap" -o "$tmp/t1b.jsonl" -- sh -c ': > "$1"' sh "$tmp/m1b"

# 2. an unknown option
refused 2 "$tmp/m2" --bogus -o "$tmp/t2.jsonl" -- sh -c ': > "$1"' sh "$tmp/m2"
[ ! -e "$tmp/t2.jsonl" ] || fail "sockrr record --bogus created the trace"

# 3. a command that does not exist, by path and on PATH; one that is not executable
refused 127 "$tmp/m3" -o "$tmp/t3.jsonl" -- "$tmp/no-such-program" "$tmp/m3"
refused 127 "$tmp/m3" -o "$tmp/t3.jsonl" -- sockrr-no-such-program-on-path "$tmp/m3"
printf '#!/bin/sh\n: > "$1"\n' > "$tmp/notexec"
chmod 644 "$tmp/notexec"
refused 126 "$tmp/m3b" -o "$tmp/t3b.jsonl" -- "$tmp/notexec" "$tmp/m3b"

# 4. a statically linked program: LD_PRELOAD would not reach it, so nothing
# would be traced; refusing is the honest answer
cat > "$tmp/static.c" << 'EOF'
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    int fd = argc > 1 ? open(argv[1], O_CREAT | O_WRONLY, 0600) : -1;
    return fd < 0 ? 1 : close(fd);
}
EOF
if ${CC:-cc} -static -o "$tmp/static" "$tmp/static.c" 2> "$tmp/cc.err"; then
    "$tmp/static" "$tmp/m4" && [ -e "$tmp/m4" ] || fail "the static marker program does not create its marker"
    rm -f "$tmp/m4"
    refused 126 "$tmp/m4" -o "$tmp/t4.jsonl" -- "$tmp/static" "$tmp/m4"
else
    fail "cc -static failed (libc6-dev's libc.a, from build-essential): $(head -3 "$tmp/cc.err")"
fi

# 5. $SOCKRR_PRELOAD that the loader cannot preload (it would only warn and
# run the command untraced)
SOCKRR_PRELOAD=/etc/passwd refused 1 "$tmp/m5" -o "$tmp/t5.jsonl" -- sh -c ': > "$1"' sh "$tmp/m5"
grep -q 'SOCKRR_PRELOAD=/etc/passwd cannot be preloaded: not an ELF file' "$tmp/err" ||
    fail "SOCKRR_PRELOAD=/etc/passwd said: $(cat "$tmp/err")"
SOCKRR_PRELOAD=$BUILD/native/record_edges refused 1 "$tmp/m5b" -o "$tmp/t5b.jsonl" -- sh -c ': > "$1"' sh "$tmp/m5b"
# a shared library that is not the interposer: the loader takes it, nothing
# is traced, and the run is not a recording
(preload_env; SOCKRR_PRELOAD=$BUILD/lib/libsockrr.so exec timeout -k 5 $LIMIT "$SOCKRR" record -o "$tmp/t5c.jsonl" -- true) \
    > "$tmp/out" 2> "$tmp/err"
got=$?
[ "$got" = 1 ] || fail "SOCKRR_PRELOAD=libsockrr.so (not the interposer): exit $got, expected 1: $(cat "$tmp/err")"
[ "$(grep -c '' "$tmp/err")" = 1 ] && grep -q '^sockrr record: true ran without the interposer .*nothing was recorded' "$tmp/err" ||
    fail "SOCKRR_PRELOAD=libsockrr.so (not the interposer) said: $(cat "$tmp/err")"

exit 0
