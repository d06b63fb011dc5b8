# What the verbs take from their command line and environment: an option
# whose value is missing, empty or "--" (the end of the options, never a
# value) is a usage error naming the option, and nothing is created under
# that name; SOCKRR_SEED, SOCKRR_RECHUNK and SOCKRR_REPLAY_PID, which stand
# for sim --seed, replay --rechunk and --pid, are checked by every verb that
# launches (one line naming the variable and its value, exit 2, the command
# never runs) and used when good; the preload, started without the CLI, ends
# the program before main with the same kind of line instead of running it
# in a world it was not asked for.
. tests/integration/lib.inc
[ -x "$SOCKRR" ] || fail "$SOCKRR is not built"
need python3
case $SOCKRR in /*) S=$SOCKRR ;; *) S=$PWD/$SOCKRR ;; esac
case $BUILD in /*) B=$BUILD ;; *) B=$PWD/$BUILD ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
printf '{"type":"header","format":"sockrr-trace","version":1,"sockrr":"0.1.0","program":"x","argv":["x"],"world":"kernel","seed":0,"pid":1,"start_realtime_ns":1,"start_monotonic_ns":0,"payload_cap":-1}\n' > "$tmp/t.jsonl"

# usage WANT_TEXT ARGS...: `sockrr ARGS` (in $tmp/cwd, the command a marker
# maker) exits 2 with one line on stderr holding WANT_TEXT; the marker and
# a file named "--" do not exist after
usage() {
    want=$1; shift
    rm -f "$tmp/ran"
    (cd "$tmp/cwd" && exec timeout -k 5 $LIMIT $netns "$S" "$@") > "$tmp/out" 2> "$tmp/err" < /dev/null
    got=$?
    [ "$got" = 2 ] || fail "'sockrr $*' exited $got, expected 2: $(cat "$tmp/err")"
    [ "$(grep -c '' "$tmp/err")" = 1 ] || fail "'sockrr $*': not one line on stderr: $(cat "$tmp/err")"
    grep -qF -- "$want" "$tmp/err" || fail "'sockrr $*' said: $(cat "$tmp/err") (expected it to say: $want)"
    [ ! -e "$tmp/ran" ] || fail "'sockrr $*' ran the command"
    [ -z "$(ls -A "$tmp/cwd")" ] || fail "'sockrr $*' created $(ls -A "$tmp/cwd")"
}
MARK="sh -c : > $tmp/ran"

# --- option values -------------------------------------------------------------
usage "--pcap needs a file name, not --" record --pcap -- $MARK
usage "--pcap needs a file name" record -o t.jsonl --pcap
usage "-o needs a file name, not --" record -o -- $MARK
usage "--output needs a file name" record --output= -- $MARK
usage "--payload-cap needs a byte count, not --" record --payload-cap -- $MARK
usage "--payload-cap needs a number from 0 to 9223372036854775807, not '-1'" record --payload-cap -1 -- $MARK
usage "-o needs a file name, not --" sim -o -- $MARK
usage "--net needs a file name, not --" sim --net -- $MARK
usage "--pcap needs a file name, not --" sim -o t.jsonl --pcap -- $MARK
usage "--seed needs a number, not --" sim --seed -- $MARK
usage "--seed needs a number from 0 to 18446744073709551615, not 'x'" sim --seed=x -- $MARK
usage "--rechunk needs a byte count, not --" replay --rechunk -- "$tmp/t.jsonl" -- $MARK
usage "--pid needs a number from 1 to 2147483647, not '0'" replay --pid 0 "$tmp/t.jsonl" -- $MARK
usage "--map needs RECORDED_ADDR=ADDR, not --" replay --map -- "$tmp/t.jsonl" -- $MARK
usage "--on-miss needs fail or passthrough, not --" replay --on-miss -- "$tmp/t.jsonl" -- $MARK
usage "-o needs a file name, not --" convert "$tmp/t.jsonl" -o --

# --- numbers from the environment ----------------------------------------------
for var in SOCKRR_SEED SOCKRR_RECHUNK SOCKRR_REPLAY_PID; do
    for bad in abc -1 12x 99999999999999999999999 ""; do
        for verb in record sim replay; do
            case $verb in replay) args="$tmp/t.jsonl" ;; *) args="" ;; esac
            export "$var=$bad"
            usage "$var needs a number from " $verb $args -- $MARK
            grep -qF -- "not '$bad'" "$tmp/err" || fail "$var='$bad' under $verb: the value is not named: $(cat "$tmp/err")"
            unset "$var"
        done
    done
done
# good values stand for the options they replace
(preload_env; cd "$tmp/cwd" && SOCKRR_SEED=5 exec timeout -k 5 $LIMIT $netns "$S" sim -o "$tmp/s5.jsonl" -- true) ||
    fail "SOCKRR_SEED=5 sockrr sim exited $?"
head -1 "$tmp/s5.jsonl" | grep -q '"seed":5,' || fail "SOCKRR_SEED=5: the trace's seed is not 5: $(head -1 "$tmp/s5.jsonl")"
(preload_env; cd "$tmp/cwd" && SOCKRR_SEED=5 exec timeout -k 5 $LIMIT $netns "$S" sim --seed 6 -o "$tmp/s6.jsonl" -- true) ||
    fail "SOCKRR_SEED=5 sockrr sim --seed 6 exited $?"
head -1 "$tmp/s6.jsonl" | grep -q '"seed":6,' || fail "--seed 6 does not win over SOCKRR_SEED=5: $(head -1 "$tmp/s6.jsonl")"
# a recorded server that answers "yo": with SOCKRR_RECHUNK=1 it comes a byte at a time
cat > "$tmp/client.py" << 'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"hi")
time.sleep(0.2)
print(s.recv(10).decode())
PY
cat > "$tmp/server.py" << 'PY'
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(1)
c, _ = l.accept(); c.recv(10); c.sendall(b"yo"); c.close()
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$tmp/server.py" "$port" &
spid=$!
sleep 0.3
(preload_env; exec timeout -k 5 $LIMIT "$S" record -o "$tmp/yo.jsonl" -- python3 "$tmp/client.py" "$port") > "$tmp/rec.out" 2> "$tmp/rec.err"
wait $spid
[ "$(cat "$tmp/rec.out")" = yo ] || fail "recording the client: $(cat "$tmp/rec.out" "$tmp/rec.err")"
(preload_env; SOCKRR_RECHUNK=1 exec timeout -k 5 $LIMIT $netns "$S" replay --lenient "$tmp/yo.jsonl" -- python3 "$tmp/client.py" "$port") > "$tmp/r1.out" 2> "$tmp/r1.err"
[ "$(cat "$tmp/r1.out")" = y ] || fail "SOCKRR_RECHUNK=1: the client got '$(cat "$tmp/r1.out")', expected 'y': $(cat "$tmp/r1.err")"
(preload_env; exec timeout -k 5 $LIMIT $netns "$S" replay --lenient "$tmp/yo.jsonl" -- python3 "$tmp/client.py" "$port") > "$tmp/r0.out" 2> "$tmp/r0.err"
[ "$(cat "$tmp/r0.out")" = yo ] || fail "without SOCKRR_RECHUNK: the client got '$(cat "$tmp/r0.out")': $(cat "$tmp/r0.err")"

# --- the preload alone ---------------------------------------------------------
for case in "sim SOCKRR_SEED" "replay SOCKRR_RECHUNK" "replay SOCKRR_REPLAY_PID"; do
    mode=${case% *} var=${case#* }
    rm -f "$tmp/ran"
    # (under SANITIZE=1 the ASan runtime goes first, as preload_env puts it)
    (preload_env; exec env LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$B/lib/libsockrr-preload.so" SOCKRR_MODE=$mode \
        SOCKRR_REPLAY="$tmp/yo.jsonl" "$var=12x" timeout -k 5 $LIMIT $netns sh -c ": > $tmp/ran") \
        > "$tmp/out" 2> "$tmp/err"
    got=$?
    [ "$got" != 0 ] && [ "$got" != 124 ] || fail "the preload with $var=12x: exit $got"
    [ ! -e "$tmp/ran" ] || fail "the preload with $var=12x ran the program"
    grep -q "^sockrr $mode: $var: not a decimal number up to [0-9]*: '12x'" "$tmp/err" ||
        fail "the preload with $var=12x said: $(cat "$tmp/err")"
done
exit 0
