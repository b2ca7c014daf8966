/*
 * sync_bg.c - the background sync thread (see sync_bg.h).
 *
 * States of the thread, all transitions under bg->mu:
 *
 *   WAIT ──deadline or kick──▶ SYNC (mutex released while ksync_run runs)
 *     ▲                          │ ok: next = interval, failures = 0
 *     │                          │ failed: next = min(interval * 2^failures,
 *     └──────────────────────────┘          max) +- 20 %; 401/403: max
 *   WAIT ──every KSYNC_STATUS_REFRESH_MS──▶ recount waiting records
 *   any ──stop──▶ EXIT (a transfer in flight is aborted through `cancel`)
 *
 * Time for deadlines is CLOCK_MONOTONIC (the wall clock may jump when a
 * Pi finds NTP); the condition variable waits on the same clock.
 */
#define _GNU_SOURCE
#include "sync_bg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sync_config.h"

struct ksync_bg {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, kick;
    atomic_int cancel;
    char data_dir[4096];
    int interval_ms;
    const kclock *clock;
    ksync_status status;     /* guarded by mu */
    int64_t next_attempt;    /* monotonic ms, guarded by mu */
};

/* CLOCK_MONOTONIC in ms. */
static int64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits on bg->cv until the monotonic deadline (ms), a kick or stop. */
static void wait_until(ksync_bg *bg, int64_t deadline)
{
    struct timespec ts = {(time_t)(deadline / 1000), (long)(deadline % 1000) * 1000000L};
    while (!bg->stop && !bg->kick && mono_now() < deadline)
        if (pthread_cond_timedwait(&bg->cv, &bg->mu, &ts) != 0)
            break;
}

/* The delay before the next attempt after `failures` failures in a row. */
static int64_t backoff_ms(int interval, int failures, int refused)
{
    if (failures == 0)
        return interval;
    int64_t d = interval;
    for (int i = 0; i < failures && d < KSYNC_BACKOFF_MAX_MS; i++)
        d *= 2;
    if (refused || d > KSYNC_BACKOFF_MAX_MS)
        d = KSYNC_BACKOFF_MAX_MS;
    unsigned char r = 0;
    krandom_bytes(&r, 1);
    return d * (80 + (r % 41)) / 100;   /* jitter: 80 .. 120 % */
}

/* Re-reads the status from the database into bg->status (mu not held). */
static void refresh(ksync_bg *bg)
{
    ksync_status st;
    kerr e = {0};
    int rc = ksync_status_read(bg->data_dir, &st, &e);
    pthread_mutex_lock(&bg->mu);
    if (rc == 0) {
        st.running = bg->status.running;
        st.failures = bg->status.failures;
        bg->status = st;
    } else {
        snprintf(bg->status.last_error, sizeof bg->status.last_error, "%s", e.msg);
    }
    pthread_mutex_unlock(&bg->mu);
}

/* The thread body. */
static void *bg_main(void *arg)
{
    ksync_bg *bg = arg;
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    refresh(bg);
    pthread_mutex_lock(&bg->mu);
    while (!bg->stop) {
        int64_t now = mono_now();
        if (bg->kick || now >= bg->next_attempt) {
            bg->kick = 0;
            bg->status.running = 1;
            pthread_mutex_unlock(&bg->mu);
            ksync_opts o = {bg->clock, 0, NULL, NULL, &bg->cancel, 0};
            ksync_report rep;
            kerr e = {0};
            int rc = ksync_run(bg->data_dir, &o, &rep, &e);
            refresh(bg);
            pthread_mutex_lock(&bg->mu);
            bg->status.running = 0;
            if (rc == 0 || rc == KSYNC_ERR_UNPAIRED)
                bg->status.failures = 0;
            else
                bg->status.failures++;
            if (rc == KSYNC_ERR_UNPAIRED)
                snprintf(bg->status.last_error, sizeof bg->status.last_error, "%s", e.msg);
            int refused = rc == KSYNC_ERR_REFUSED && (rep.http_status == 401 || rep.http_status == 403);
            bg->next_attempt = mono_now() + backoff_ms(bg->interval_ms, bg->status.failures, refused);
            continue;
        }
        int64_t deadline = bg->next_attempt;
        if (deadline > now + KSYNC_STATUS_REFRESH_MS)
            deadline = now + KSYNC_STATUS_REFRESH_MS;
        wait_until(bg, deadline);
        if (!bg->stop && !bg->kick && mono_now() < bg->next_attempt) {
            pthread_mutex_unlock(&bg->mu);
            refresh(bg);
            pthread_mutex_lock(&bg->mu);
        }
    }
    pthread_mutex_unlock(&bg->mu);
    return NULL;
}

/* Allocates the state and starts the thread (first attempt at once). */
int ksync_bg_start(ksync_bg **out, const char *data_dir, int interval_ms, const kclock *clock,
                   kerr *err)
{
    *out = NULL;
    int rc = ksync_global_init(err);
    if (rc)
        return rc;
    ksync_bg *bg = calloc(1, sizeof *bg);
    if (!bg)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    snprintf(bg->data_dir, sizeof bg->data_dir, "%s", data_dir);
    bg->interval_ms = interval_ms > 0 ? interval_ms : KSYNC_INTERVAL_MS;
    bg->clock = clock;
    atomic_init(&bg->cancel, 0);
    bg->next_attempt = mono_now();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&bg->mu, NULL);
    pthread_cond_init(&bg->cv, &ca);
    pthread_condattr_destroy(&ca);
    int e = pthread_create(&bg->thread, NULL, bg_main, bg);
    if (e != 0) {
        pthread_cond_destroy(&bg->cv);
        pthread_mutex_destroy(&bg->mu);
        free(bg);
        return kerr_set(err, KERR_INTERNAL, "pthread_create: %s", strerror(e));
    }
    *out = bg;
    return 0;
}

/* Signals stop, cancels a transfer in flight, joins and frees. */
void ksync_bg_stop(ksync_bg *bg)
{
    if (!bg)
        return;
    pthread_mutex_lock(&bg->mu);
    bg->stop = 1;
    atomic_store(&bg->cancel, 1);
    pthread_cond_signal(&bg->cv);
    pthread_mutex_unlock(&bg->mu);
    pthread_join(bg->thread, NULL);
    pthread_cond_destroy(&bg->cv);
    pthread_mutex_destroy(&bg->mu);
    free(bg);
}

/* Copies the status under the mutex and adds the time to the next attempt. */
void ksync_bg_status(ksync_bg *bg, ksync_status *out)
{
    pthread_mutex_lock(&bg->mu);
    *out = bg->status;
    int64_t left = bg->next_attempt - mono_now();
    out->next_in_ms = bg->status.running ? 0 : left > 0 ? left : 0;
    pthread_mutex_unlock(&bg->mu);
}

/* Wakes the thread for an attempt now. */
void ksync_bg_kick(ksync_bg *bg)
{
    pthread_mutex_lock(&bg->mu);
    bg->kick = 1;
    pthread_cond_signal(&bg->cv);
    pthread_mutex_unlock(&bg->mu);
}
