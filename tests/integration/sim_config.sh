# Sim network configs (docs/sim-config.md) through $BUILD/bin/sim_config_check:
# every valid fixture loads ("ok", exit 0); every invalid fixture gives
# exactly the line its .error file holds (file name written as NET) and exit
# 1; the document's own example is one of the valid fixtures; a missing file
# and a directory are read errors.
. tests/integration/lib.inc
CHECK=$BUILD/bin/sim_config_check
[ -x "$CHECK" ] || fail "$CHECK is not built"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
V=fixtures/sim/valid
I=fixtures/sim/invalid

n=0
for f in "$V"/*.json; do
    out=$("$CHECK" "$f" 2>&1)
    rc=$?
    [ "$rc" = 0 ] || fail "$f: exit $rc: $out"
    [ "$out" = ok ] || fail "$f: printed '$out', expected ok"
    n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n valid fixtures"

n=0
for f in "$I"/*.json; do
    name=$(basename "$f" .json)
    [ -f "$I/$name.error" ] || fail "$name has no .error file"
    out=$("$CHECK" "$f" 2>&1)
    rc=$?
    [ "$rc" = 1 ] || fail "$name: exit $rc, expected 1 ($out)"
    case $out in
    "$f:"*) got="NET:${out#"$f:"}" ;;
    *) got=$out ;;
    esac
    want=$(cat "$I/$name.error")
    [ "$got" = "$want" ] || fail "$name: got
  $got
expected
  $want"
    n=$((n + 1))
done
[ "$n" -ge 14 ] || fail "only $n invalid fixtures"
for f in "$I"/*.error; do
    [ -f "${f%.error}.json" ] || fail "$f has no .json"
done

# The example in the document is the example fixture, byte for byte.
awk '/^```json$/ { f = 1; next } /^```$/ { if (f) exit } f' docs/sim-config.md > "$d/doc.json"
cmp -s "$d/doc.json" "$V/example.json" ||
    fail "docs/sim-config.md's example differs from $V/example.json"

out=$("$CHECK" "$d/missing.json" 2>&1)
[ $? = 1 ] || fail "a missing file did not exit 1"
[ "$out" = "$d/missing.json: cannot read: No such file or directory" ] || fail "missing file: $out"
out=$("$CHECK" "$d" 2>&1)
[ $? = 1 ] || fail "a directory did not exit 1"
[ "$out" = "$d: cannot read: Is a directory" ] || fail "directory: $out"
expect_status 2 "$CHECK"

# sockrr check reads a config as a config and says the same line.
out=$("$SOCKRR" check "$V/example.json") || fail "sockrr check rejects the example config"
case $out in *"valid sim config: 3 hosts"*) ;; *) fail "sockrr check on the example said: $out" ;; esac
for f in "$I"/*.json; do
    name=$(basename "$f" .json)
    case $name in empty | top_level_array) continue ;; esac # not recognizably a config
    out=$("$SOCKRR" check "$f" 2>&1)
    [ $? = 1 ] || fail "sockrr check $name did not exit 1"
    case $out in "$f:"*) got="NET:${out#"$f:"}" ;; *) got=$out ;; esac
    [ "$got" = "$(cat "$I/$name.error")" ] || fail "sockrr check $name said: $out"
done
exit 0
