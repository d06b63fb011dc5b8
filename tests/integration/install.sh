# make install PREFIX=... puts lib, headers, CLI and sockrr.pc in place, and
# a program builds against the installed copy through pkg-config.
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
