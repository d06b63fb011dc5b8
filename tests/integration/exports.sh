# The shared library exports public srr_ names only (an LD_PRELOAD-able
# library must not leak internals), and every public name is declared in a
# public header.
. tests/integration/lib.inc
so=$BUILD/lib/libsockrr.so
syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
[ -n "$syms" ] || fail "no exported symbols in $so"
bad=$(echo "$syms" | grep -v '^srr_[a-z]' || true)
[ -z "$bad" ] || fail "exported outside srr_: $bad"
for s in $syms; do
    grep -qw "$s" lib/include/sockrr.h lib/include/sockrr_world.h lib/include/sockrr/*.h ||
        fail "$s exported but not in a public header"
done
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libsockrr.so.0 ] || fail "soname is '$soname'"
exit 0
