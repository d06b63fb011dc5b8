#define _GNU_SOURCE
/* Virtual time's parked waits through the C API, as the interposer makes
 * them (srr_sim_park, park_due, unpark, wake): a thread pool whose idle
 * workers wait on a condition with a timeout, a supervisor that waits for
 * their batches, and joins of threads that sleep, round after round.  A
 * lost wakeup (a waiter counted as settled after a wake it had not seen)
 * deadlocks it: the sleeps then fail with EDEADLK.  Run under
 * SANITIZE=1 too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "sockrr.h"
#include "sockrr/worlds.h"
#include "sockrr_world.h"

#define WORKERS 4
#define ROUNDS 500
#define MS 1000000LL

static srr_world *w;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static int jobs, finished, stop, deadlocks;

/* A condition wait as the interposer makes it: parked, in the world's
 * slices of real time; 0 woken (perhaps spuriously), ETIMEDOUT. */
static int cwait(pthread_cond_t *c, int64_t deadline)
{
    srr_sim_parked p;
    assert_int_equal(srr_sim_park(w, &p, c, deadline), 1);
    int r;
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += p.slice_ns;
        if (ts.tv_nsec >= 1000000000)
            ts.tv_sec++, ts.tv_nsec -= 1000000000;
        r = pthread_cond_clockwait(c, &m, CLOCK_MONOTONIC, &ts);
        if (r != ETIMEDOUT)
            break;
        int due = srr_sim_park_due(w, &p);
        if (due == 1)
            break;
        if (due == 2) {
            r = 0;
            break;
        }
    }
    srr_sim_unpark(w, &p);
    return r;
}

static void cwake(pthread_cond_t *c)
{
    srr_sim_wake(w, c);
    pthread_cond_broadcast(c);
}

static void vsleep(int64_t ns)
{
    if (w->ops->sleep(w, CLOCK_MONOTONIC, ns) == -EDEADLK)
        __atomic_add_fetch(&deadlocks, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    (void)arg;
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    pthread_mutex_lock(&m);
    for (;;) {
        while (!jobs && !stop)
            cwait(&work, srr_sim_now(w) + 50 * MS); /* an idle worker's timed wait */
        if (stop && !jobs)
            break;
        jobs--;
        pthread_mutex_unlock(&m);
        vsleep(MS); /* the job */
        pthread_mutex_lock(&m);
        finished++;
        cwake(&done);
    }
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *napper(void *arg)
{
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    vsleep((int64_t)(intptr_t)arg);
    return NULL;
}

static pthread_t start(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    assert_int_equal(srr_sim_expect_thread(w), 0);
    assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
    return t;
}

/* A join as the interposer makes it: parked on the thread. */
static void vjoin(pthread_t t)
{
    srr_sim_parked p;
    assert_int_equal(srr_sim_park(w, &p, (const void *)(uintptr_t)t, -1), 1);
    while (pthread_tryjoin_np(t, NULL) != 0) {
        struct timespec ts = {0, p.slice_ns};
        nanosleep(&ts, NULL);
        srr_sim_park_due(w, &p);
    }
    srr_sim_unpark(w, &p);
}

static void test_pool_batches_and_joins_of_sleepers_never_deadlock(void **state)
{
    (void)state;
    char msg[256];
    w = srr_world_sim_string("{}", msg, sizeof msg);
    assert_non_null(w);
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    pthread_t pool[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pool[i] = start(worker, NULL);
    for (int r = 0; r < ROUNDS; r++) {
        pthread_mutex_lock(&m);
        jobs += WORKERS;
        int want = finished + WORKERS;
        cwake(&work);
        while (finished < want)
            cwait(&done, -1);
        pthread_mutex_unlock(&m);
        /* the long sleeper is joined first: the short one ends meanwhile */
        pthread_t longer = start(napper, (void *)(intptr_t)((r % 7 + 2) * 100000));
        pthread_t shorter = start(napper, (void *)(intptr_t)50000);
        vjoin(longer);
        vjoin(shorter);
    }
    pthread_mutex_lock(&m);
    stop = 1;
    cwake(&work);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < WORKERS; i++)
        vjoin(pool[i]);
    assert_int_equal(deadlocks, 0);
    assert_int_equal(finished, ROUNDS * WORKERS);
    /* each round: at least its jobs' 1 ms, then its longer sleeper */
    int64_t least = 0;
    for (int r = 0; r < ROUNDS; r++)
        least += MS + (r % 7 + 2) * 100000;
    assert_true(srr_sim_now(w) >= least);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_batches_and_joins_of_sleepers_never_deadlock),
    };
    return cmocka_run_group_tests_name("test_vtime_parks", tests, NULL, NULL);
}
