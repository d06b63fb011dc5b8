# docs/api.md covers the seed: every function, method, exception, attribute
# and data item of the seed has a row, and every test a row names exists.
. tests/integration/lib.inc
seed=${SEED:-../shared/seed-socket-api.rst}
[ -f "$seed" ] || skip "no seed at $seed (set SEED=)"
need python3
python3 - "$seed" docs/api.md tests/unit <<'PY' || exit 1
import glob, re, sys
seed, doc_path, unit = sys.argv[1:]
doc = open(doc_path).read()
items = re.findall(r'^\.\. (?:function|method|exception|data|attribute):: ([\w.*]+)', open(seed).read(), re.M)
missing = []
for it in items:
    name = it.split('.')[-1] if it.startswith('socket.') else it
    # a row cites the item as `name(` , `name` or `name_*` (SO_* style)
    if not re.search(r'`' + re.escape(name.rstrip('*')) + r'[`(*_ ]', doc):
        missing.append(it)
src = "".join(open(f).read() for f in glob.glob(unit + "/*.c"))
# cmocka_unit_test(test_x), cmocka_unit_test_setup_teardown(test_x, ...),
# or a file's own shorthand for them: T(test_x)
defined = set(re.findall(r'(?:cmocka_unit_test\w*|\bT)\((test_\w+)', src))
cited = set(re.findall(r'`(test_\w+)`', doc))
ghosts = sorted(cited - defined)
if missing: print("seed items with no row in docs/api.md:", ", ".join(missing))
if ghosts: print("tests named in docs/api.md that do not exist:", ", ".join(ghosts))
print(f"{len(items)} seed items, {len(cited)} tests cited")
sys.exit(1 if missing or ghosts else 0)
PY
