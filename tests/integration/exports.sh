# What each library exports, against the allow-lists in tests/exports/: an
# LD_PRELOAD library's accidental export changes other programs, and a
# shared library's is an API nobody meant.
#  - libsockrr.so exports exactly tests/exports/libsockrr.so.txt, every name
#    of it declared in a public header;
#  - libsockrr.a's global names are those, or internal (srr__);
#  - libsockrr-preload.so exports exactly the libc names of
#    tests/exports/libsockrr-preload.so.txt.
. tests/integration/lib.inc
lists=tests/exports
dyn() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sed 's/@.*//' | sort -u; }
# against LIST: the names that are not in it, and the names of it missing
compare() {
    extra=$(echo "$1" | comm -23 - "$2")
    [ -z "$extra" ] || fail "$3 exports names not in $2: $(echo $extra)"
    missing=$(echo "$1" | comm -13 - "$2")
    [ -z "$missing" ] || fail "$3 does not export names of $2: $(echo $missing)"
}

so=$BUILD/lib/libsockrr.so
syms=$(dyn "$so")
[ -n "$syms" ] || fail "no exported symbols in $so"
compare "$syms" $lists/libsockrr.so.txt "$so"
for s in $syms; do
    grep -qw "$s" lib/include/sockrr.h lib/include/sockrr_world.h lib/include/sockrr/*.h ||
        fail "$s exported but not in a public header"
done
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libsockrr.so.0 ] || fail "soname is '$soname'"

a=$BUILD/lib/libsockrr.a
globals=$(nm -g --defined-only "$a" | awk 'NF == 3 {print $3}' | sort -u)
[ -n "$globals" ] || fail "no global symbols in $a"
# (ASan's one-definition-rule markers, __odr_asan.NAME, are the sanitizer's)
outside=$(echo "$globals" | grep -v -e '^srr__' -e '^__odr_asan\.' | comm -23 - $lists/libsockrr.so.txt)
[ -z "$outside" ] || fail "$a has global names neither public nor internal (srr__): $(echo $outside)"

pre=$BUILD/lib/libsockrr-preload.so
compare "$(dyn "$pre")" $lists/libsockrr-preload.so.txt "$pre"
leak=$(dyn "$pre" | grep '^srr_' || true)
[ -z "$leak" ] || fail "$pre exports the library inside it: $leak"
exit 0
