/*
 * cli_demo.c - `kiosk demo seed` (see cli_demo.h).
 */
#include "cli_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo.h"
#include "kclock.h"
#include "store.h"

/* Seconds of a monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses a whole non-negative number; -1 if it is not one. */
static long number(const char *t)
{
    char *end;
    if (!t || !*t || *t == '-' || *t == '+')
        return -1;
    long v = strtol(t, &end, 10);
    return *end ? -1 : v;
}

/* Prints progress on stderr, at most once a second. */
typedef struct progress_state {
    double start, last;
} progress_state;

static int on_progress(void *ctx, long done, long total)
{
    progress_state *p = ctx;
    double t = now_s();
    if (t - p->last >= 1.0 || done == total) {
        p->last = t;
        fprintf(stderr, "kiosk: demo seed: %ld of %ld check-ins (%.0f s)\n", done, total,
                t - p->start);
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: kiosk demo seed --people N --checkins M [--events E] [--seed S]\n");
    return 2;
}

int kcli_demo(const char *data_dir, int paired, int argc, char **argv)
{
    kdemo_fill_opts o;
    memset(&o, 0, sizeof o);
    o.people = o.checkins = -1;
    if (argc < 1 || strcmp(argv[0], "seed") != 0)
        return usage();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = number(v);
        if (!v) {
            fprintf(stderr, "kiosk: demo seed: %s needs a value\n", a);
            return usage();
        }
        if (strcmp(a, "--people") == 0)
            o.people = n;
        else if (strcmp(a, "--checkins") == 0)
            o.checkins = n;
        else if (strcmp(a, "--events") == 0)
            o.events = n < 0 || n > KDEMO_FILL_EVENTS_MAX ? -1 : (int)n;
        else if (strcmp(a, "--seed") == 0)
            o.seed = (unsigned)n;
        else {
            fprintf(stderr, "kiosk: demo seed: unknown option %s\n", a);
            return usage();
        }
        if (n < 0 || (strcmp(a, "--events") == 0 && n == 0)) {
            fprintf(stderr, "kiosk: demo seed: %s: expected a whole number above 0, got '%s'\n",
                    a, v);
            return 2;
        }
        i++;
    }
    if (o.people < 0 || o.checkins < 0) {
        fprintf(stderr, "kiosk: demo seed: --people and --checkins are required\n");
        return usage();
    }
    if (paired) {
        fprintf(stderr, "kiosk: demo seed: this kiosk is paired with a hub, which would "
                        "receive the fictional people; seed another --data folder, or "
                        "'kiosk sync unpair' first\n");
        return 1;
    }
    kclock clock;
    kclock_virtual vc;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    kclock_virtual_init(&clock, &vc, (int64_t)ts.tv_sec * 1000 - 366LL * 86400000, NULL);
    o.vclock = &vc;
    o.now_ms = (int64_t)ts.tv_sec * 1000;
    kstore *s;
    kerr err = {0};
    if (kstore_open(&s, data_dir, &clock, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        return 1;
    }
    progress_state ps = {now_s(), now_s()};
    o.progress = on_progress;
    o.progress_ctx = &ps;
    kdemo_fill_result res;
    int rc = kdemo_fill(s, &o, &res, &err);
    kstore_close(s);
    if (rc != 0) {
        fprintf(stderr, "kiosk: demo seed: %s\n", err.msg);
        return 1;
    }
    printf("seeded %ld people and %ld check-ins at %d events in %.1f s; current event: "
           "%s (%s)\n", res.people, res.checkins, res.events, now_s() - ps.start,
           res.current.name, res.current.id);
    return 0;
}
