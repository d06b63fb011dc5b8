#!/bin/sh
# bench/path_calls.sh — the cost of the interposer's stat and getrandom
# hooks (interpose/path_calls.c, random_calls.c) on a program that calls
# them in a loop (bench/path_calls.c): ns per call under `sockrr record`
# (the kernel world: the hooks ask the world and go to libc) and under
# `sockrr sim` (the sim answers getrandom from its seed; stat of a file
# the sim holds no name at goes to libc), against the same program without
# sockrr, median of PATH_RUNS (3) interleaved runs in this call.
#
# usage: sh bench/path_calls.sh BUILD
set -eu
BUILD=$1
PROG=$BUILD/bench/path_calls
SOCKRR=$BUILD/bin/sockrr
N=${PATH_N:-200000}
RUNS=${PATH_RUNS:-3}
[ -x "$PROG" ] && [ -x "$SOCKRR" ] || { echo "path_calls: build $PROG and $SOCKRR first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/file"
netns=""
unshare -n true 2> /dev/null && netns="unshare -n"
for i in $(seq "$RUNS"); do
    "$PROG" "$tmp/file" "$N" >> "$tmp/native"
    "$SOCKRR" record -o "$tmp/t.jsonl" -- "$PROG" "$tmp/file" "$N" >> "$tmp/record"
    $netns "$SOCKRR" sim -- "$PROG" "$tmp/file" "$N" >> "$tmp/sim"
done
median() { # FILE NAME
    grep "^$2 " "$1" | awk '{print $2}' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
for call in stat getrandom; do
    base=$(median "$tmp/native" $call)
    for how in record sim; do
        printf 'path_calls_%s_%s\t%s\tns/call\tnative\t%s\n' "$call" "$how" "$(median "$tmp/$how" $call)" "$base"
    done
done
