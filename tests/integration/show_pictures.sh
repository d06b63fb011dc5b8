# sockrr show --svg / --html: a sim run's trace drawn as a sequence diagram.
# The SVG is XML with a lane per socket and an arrow per message; both files
# are 0600; headless Chromium (in a fresh network namespace: the page needs
# no network) loads each, its DOM holds the diagram, and the screenshot is
# not blank (many colours, against a blank page's few, taken in the same
# run).  A trace of thousands of events folds its repeats and still draws.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
need chromium chromium
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/pingpong.py" << 'PY'
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
s.setblocking(False)
for i in range(int(sys.argv[1])):  # nothing to read yet: EAGAIN, again and again
    try:
        s.recv(10)
    except BlockingIOError:
        pass
s.setblocking(True)
for i in range(int(sys.argv[2])):
    c.sendall(b"hello %d" % i)
    s.sendall(s.recv(100).upper())
    c.recv(100)
c.close()
s.recv(10)
PY
sim() { (preload_env; exec $netns "$SOCKRR" sim -o "$@") > /dev/null 2> "$tmp/err" || fail "sim: $(tail -2 "$tmp/err")"; }
sim "$tmp/small.jsonl" -- python3 "$tmp/pingpong.py" 3 1
"$SOCKRR" show --svg "$tmp/small.svg" --html "$tmp/small.html" "$tmp/small.jsonl" > "$tmp/out" 2> "$tmp/err" ||
    fail "show --svg --html: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "show --svg printed the text too: $(head -3 "$tmp/out")"
for f in small.svg small.html; do
    [ "$(stat -c %a "$tmp/$f")" = 600 ] || fail "$f is mode $(stat -c %a "$tmp/$f"), not 600"
done
python3 - "$tmp/small.svg" << 'PY' || fail "the SVG: see above"
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
groups = d.getElementsByTagName("g")
cls = lambda g: g.getAttribute("class").split()
socks = [g for g in groups if cls(g)[:2] == ["lane", "sock"]]
msgs = [g for g in groups if "msg" in cls(g)]
waits = [g for g in groups if "wait" in cls(g)]
assert len(socks) == 3, "lanes: %d" % len(socks)
assert len(msgs) == 2, "message arrows: %d" % len(msgs)
labels = [t.firstChild.data for g in msgs for t in g.getElementsByTagName("text") if "label" in t.getAttribute("class")]
assert any('hello 0' in l for l in labels) and any('HELLO 0' in l for l in labels), labels
# three EAGAINs in a row fold into one row that says so
folded = [t.firstChild.data for g in waits for t in g.getElementsByTagName("text") if "label" in t.getAttribute("class")]
assert any(l.endswith("\u00d73") for l in folded), folded
assert all(g.getElementsByTagName("title") for g in groups if "row" in cls(g)), "a row without its tooltip"
PY
chrome() { timeout -k 5 120 $netns chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/profile" "$@" 2> "$tmp/chrome.err"; }
for f in small.html small.svg; do
    chrome --dump-dom "file://$tmp/$f" > "$tmp/$f.dom" || fail "chromium could not load $f: $(tail -3 "$tmp/chrome.err")"
    grep -q '<svg[^>]*id="diagram"' "$tmp/$f.dom" || fail "$f: no diagram in the DOM: $(head -c 300 "$tmp/$f.dom")"
    [ "$(grep -o 'class="row msg"' "$tmp/$f.dom" | wc -l)" = 2 ] || fail "$f: the DOM does not hold the two messages"
done
grep -q 'id="zoom"' "$tmp/small.html.dom" || fail "the page has no zoom"
echo '<!DOCTYPE html><html><body></body></html>' > "$tmp/blank.html"
chrome --screenshot="$tmp/blank.png" --window-size=1000,700 "file://$tmp/blank.html" > /dev/null ||
    fail "chromium: no screenshot of a blank page: $(tail -3 "$tmp/chrome.err")"
for f in small.html small.svg; do
chrome --screenshot="$tmp/$f.png" --window-size=1000,700 "file://$tmp/$f" > /dev/null ||
    fail "chromium: no screenshot of $f: $(tail -3 "$tmp/chrome.err")"
# colours in the screenshot: the distinct bytes of its pixel data
python3 - "$tmp/blank.png" "$tmp/$f.png" << 'PY' || fail "the screenshot of $f is empty"
import struct, sys, zlib
def colours(path):
    data, raw = open(path, "rb").read(), b""
    pos = 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            raw += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return len(set(zlib.decompress(raw)))
blank, page = colours(sys.argv[1]), colours(sys.argv[2])
print("distinct bytes: blank page %d, diagram %d" % (blank, page))
sys.exit(0 if page > 4 * blank and page > 40 else 1)
PY
done

# thousands of events: 2 000 EAGAINs fold into one row; 500 exchanges draw
sim "$tmp/big.jsonl" -- python3 "$tmp/pingpong.py" 2000 500
events=$(($(wc -l < "$tmp/big.jsonl") - 1))
[ "$events" -gt 3000 ] || fail "the big run made $events events"
"$SOCKRR" show --html "$tmp/big.html" "$tmp/big.jsonl" 2> "$tmp/err" || fail "show --html of $events events: $(cat "$tmp/err")"
grep -q "×2000<" "$tmp/big.html" || fail "2 000 EAGAINs were not folded"
chrome --dump-dom "file://$tmp/big.html" > "$tmp/big.dom" || fail "chromium could not load the big page"
[ "$(grep -o 'class="row msg"' "$tmp/big.dom" | wc -l)" = 1000 ] || fail "the big page does not hold its 1000 messages"
# bad input
"$SOCKRR" show --svg "$tmp/x.svg" "$tmp/nonexistent" 2> "$tmp/err" && fail "a missing trace succeeded"
grep -q nonexistent "$tmp/err" || fail "a missing trace: $(cat "$tmp/err")"
[ -e "$tmp/x.svg" ] && fail "a picture was written for a missing trace"
expect_status 2 "$SOCKRR" show --svg "$tmp/small.jsonl" "$tmp/small.jsonl"
expect_status 2 "$SOCKRR" show --svg
echo ok
