# The corpus, C programs: stdio on a socket (fdopen, fprintf, fgets both
# ways), the same round trip on jemalloc, tcmalloc and mimalloc with a
# library that allocates before sockrr starts, timers that signal and
# timers to read, futex waits made through syscall(2), and threads that
# park, wake, join and sleep round after round.  Each prints what it prints
# natively under record and under sim; the timers take 13 s natively and
# none under sim, the stress rounds give one output every run.
. tests/integration/lib.inc
. tests/integration/corpus.inc
NAT=$BUILD/native
for p in stdio_sock vtimers thread_stress futex_wait alloc_jemalloc alloc_tcmalloc alloc_mimalloc; do
    [ -x "$NAT/$p" ] || fail "$NAT/$p is not built"
done

# --- stdio on a socket: the bytes reach the world and the trace ---------------
native "$tmp/stdio.nat" "$NAT/stdio_sock"
ok "stdio natively"
grep -q "client read: echo stdio on a socket (17 bytes)" "$tmp/stdio.nat" ||
    fail "stdio natively: $(cat "$tmp/stdio.nat")"
record "$tmp/stdio.rec" "$tmp/stdio.jsonl" "$NAT/stdio_sock"
ok "stdio under record"
same "stdio under record" "$tmp/stdio.nat" "$tmp/stdio.rec"
traced "stdio" "$tmp/stdio.jsonl"
"$SOCKRR" show "$tmp/stdio.jsonl" > "$tmp/stdio.show"
grep -q 'sendmsg(.*"stdio on a socket\\n"' "$tmp/stdio.show" ||
    fail "stdio under record: fprintf's line is not in the trace: $(grep sendmsg "$tmp/stdio.show" | head -3)"
# one close per descriptor: fclose of an fdopen'ed socket closes once
closes=$(grep -c ' close(' "$tmp/stdio.show")
[ "$closes" = 4 ] || fail "stdio under record: $closes close events, expected 4 (two sockets, two dups)"
sim "$tmp/stdio.sim" -- "$NAT/stdio_sock"
ok "stdio under sim"
same "stdio under sim" "$tmp/stdio.nat" "$tmp/stdio.sim"

# --- other allocators, started before sockrr is -------------------------------
for a in jemalloc tcmalloc mimalloc; do
    native "$tmp/$a.nat" "$NAT/alloc_$a"
    ok "$a natively"
    lines "$a natively" "$tmp/$a.nat" "echoed 690 bytes in 100 lines"
    record "$tmp/$a.rec" "$tmp/$a.jsonl" "$NAT/alloc_$a"
    ok "$a under record"
    same "$a under record" "$tmp/$a.nat" "$tmp/$a.rec"
    traced "$a" "$tmp/$a.jsonl"
    sim "$tmp/$a.sim" -- "$NAT/alloc_$a"
    ok "$a under sim"
    same "$a under sim" "$tmp/$a.nat" "$tmp/$a.sim"
done

# --- timers on virtual time ---------------------------------------------------
sim "$tmp/timers" -- "$NAT/vtimers"
ok "timers under sim"
lines "timers under sim" "$tmp/timers" "sleep left 8 got 1
posix timer: got 5
timerfd 1
timerfd after 3s: 3 (3.0 s)
timerfd after a new setting: 1 (1.0 s)
thread timer 7
done"
quick "timers under sim"

# --- futex waits through syscall(2): a timeout, a wake, an absolute deadline --
native "$tmp/futex.nat" "$NAT/futex_wait"
ok "futex waits natively"
lines "futex waits natively" "$tmp/futex.nat" "wait: -1 ETIMEDOUT after 1.0 s
woken: word 1 after 0.5 s
bitset: -1 ETIMEDOUT after 0.5 s"
sim "$tmp/futex.sim" -- "$NAT/futex_wait"
ok "futex waits under sim"
same "futex waits under sim" "$tmp/futex.nat" "$tmp/futex.sim"
quick "futex waits under sim"

# --- threads: a pool, a semaphore ping-pong, joins of sleeping threads ----------
native "$tmp/stress.nat" "$NAT/thread_stress" 100
ok "thread stress natively"
sim "$tmp/stress.sim1" -- "$NAT/thread_stress" 1000
ok "thread stress under sim"
sim "$tmp/stress.sim2" -- "$NAT/thread_stress" 1000
ok "thread stress under sim, again"
lines "thread stress under sim" "$tmp/stress.sim1" "rounds 1000 jobs 6000 joined 549700 workers ok"
same "thread stress, two sim runs" "$tmp/stress.sim1" "$tmp/stress.sim2"
exit 0
