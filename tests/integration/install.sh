# make install PREFIX=... puts lib, headers, CLI, sockrr.pc, the man pages
# and the bash completion in place; the README's example program builds
# against the installed copy through pkg-config and runs; man finds a page
# for the command, each verb, the file formats and the library; make
# uninstall takes all of it back.
. tests/integration/lib.inc
[ "${SANITIZE:-}" = 1 ] && skip "install is checked in the plain build"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
make -s install PREFIX="$d/usr" > "$d/log" 2>&1 || { cat "$d/log"; fail "make install"; }
for f in lib/libsockrr.a lib/libsockrr.so lib/libsockrr.so.0 include/sockrr.h \
         include/sockrr_world.h include/sockrr/testing.h include/sockrr/worlds.h bin/sockrr lib/pkgconfig/sockrr.pc \
         lib/libsockrr-preload.so; do
    [ -e "$d/usr/$f" ] || fail "missing after install: $f"
done
"$d/usr/bin/sockrr" --version > /dev/null || fail "installed CLI does not run"
# a man page for the command, every verb, the formats and the library
need man man-db
verbs=$("$d/usr/bin/sockrr" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
for page in sockrr.1 $(for v in $verbs; do echo "sockrr-$v.1"; done) sockrr-trace.5 \
            sockrr-sim-config.5 libsockrr.3 sockrr-testing.3; do
    f="$d/usr/share/man/man${page##*.}/$page"
    [ -s "$f" ] || fail "no man page $page after install"
    name=${page%.*}
    MANWIDTH=80 man -M "$d/usr/share/man" "${page##*.}" "$name" > "$d/man.txt" 2> "$d/man.err" ||
        fail "man $name: $(cat "$d/man.err")"
    grep -q "^NAME" "$d/man.txt" || fail "man $name has no NAME section: $(head -5 "$d/man.txt")"
    grep -q "$name" "$d/man.txt" || fail "man $name does not name itself"
done
[ -s "$d/usr/share/bash-completion/completions/sockrr" ] || fail "no bash completion after install"
# the README's example, as it is written there
sed -n '/^\/\* hello.c:/,/^```$/p' README.md | sed '$d' > "$d/hello.c"
grep -q "int main" "$d/hello.c" || fail "the README's hello.c was not found"
cat > "$d/t.c" <<'C'
#include <sockrr.h>
int main(void) { return srr_htons(1) == 256 ? 0 : 1; }
C
export PKG_CONFIG_PATH="$d/usr/lib/pkgconfig"
# the public headers need nothing of libpcap's: its include paths (dbus's,
# on Debian) stay out of a user's build; a static link still gets -lpcap
cflags=$(pkg-config --cflags sockrr | sed 's/ *$//')
[ "$cflags" = "-I$d/usr/include" ] || fail "pkg-config --cflags sockrr gives more than the include directory: $cflags"
# the static library, with what pkg-config --static says it needs besides
cc -std=gnu11 -Wall -Werror $cflags "$d/t.c" -o "$d/t.static" "$d/usr/lib/libsockrr.a" \
    $(pkg-config --static --libs sockrr | sed 's/-lsockrr//; s/-L[^ ]*//') ||
    fail "cannot link the installed libsockrr.a with what pkg-config --static --libs names"
"$d/t.static" || fail "the program linked to the installed libsockrr.a failed"
cc -std=gnu11 -Wall -Werror $(pkg-config --cflags sockrr) "$d/t.c" -o "$d/t" $(pkg-config --libs sockrr) \
    || fail "cannot build against the installed library"
cc $(pkg-config --cflags sockrr) "$d/hello.c" -o "$d/hello" $(pkg-config --libs sockrr) ||
    fail "cannot build the README's example against the installed library"
[ "$("$d/hello")" = "the server got hello" ] || fail "the README's example printed: $("$d/hello" 2>&1)"
# outside the loader's path, the rpath pkg-config gives finds the library
"$d/t" || fail "the program built with pkg-config against $d/usr does not run (no rpath?)"
grep -q "is not on the loader's path" "$d/log" || fail "make install did not say what a non-system prefix needs"
# the installed CLI finds the installed interposer beside it
LD_LIBRARY_PATH="$d/usr/lib" "$d/usr/bin/sockrr" record -o "$d/t.jsonl" -- "$d/t" || fail "installed sockrr record failed"
"$d/usr/bin/sockrr" check "$d/t.jsonl" > /dev/null || fail "installed record wrote a bad trace"
# make uninstall takes back every file make install put there
make -s uninstall PREFIX="$d/usr" > "$d/log" 2>&1 || { cat "$d/log"; fail "make uninstall"; }
left=$(find "$d/usr" ! -type d)
[ -z "$left" ] || fail "left after make uninstall: $left"
exit 0
