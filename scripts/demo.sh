#!/bin/sh
# make demo: the whole loop on the built-in example.  A bundled client talks
# to a bundled server and is recorded; the trace is shown; the server goes
# away, and the client runs again against the recording alone.
set -eu
BUILD=${BUILD:-build}
S=$BUILD/bin/sockrr
d=$(mktemp -d)
spid=""
trap '[ -z "$spid" ] || kill $spid 2> /dev/null; rm -rf "$d"' EXIT

"$BUILD/native/demo_server" > "$d/port" &
spid=$!
for _ in $(seq 50); do [ -s "$d/port" ] && break; sleep 0.1; done
port=$(cat "$d/port")

echo "== 1. record the client talking to the real server"
echo "\$ sockrr record -o demo.jsonl -- demo_client $port"
"$S" record -o "$d/demo.jsonl" -- "$BUILD/native/demo_client" "$port"

echo
echo "== 2. the trace"
echo "\$ sockrr show demo.jsonl"
"$S" show "$d/demo.jsonl"

kill $spid
wait $spid 2> /dev/null || true
spid=""
echo
echo "== 3. the server is gone: replay the client against the recording"
echo "\$ sockrr replay demo.jsonl -- demo_client $port"
"$S" replay "$d/demo.jsonl" -- "$BUILD/native/demo_client" "$port"
