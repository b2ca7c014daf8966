/*
 * bench_export.c - how long an attendance export takes: 10,000 check-ins,
 * each with answers to 6 survey questions (one of them changed once), to
 * CSV and to XLSX, written safely (partial file, fsync, rename) into a
 * folder on this machine's disk.  Prints the best and median of 5 runs of
 * each; not a test.  The issue asks for CSV < 0.5 s and XLSX < 3 s.
 *
 *   bench_export [CHECKINS] [FOLDER]     (default 10000, a new folder in /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "store.h"

#define RUNS 5

/* Seconds of a monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Orders doubles. */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Dies with a message. */
static void die(const char *what, const kerr *err)
{
    fprintf(stderr, "bench_export: %s: %s\n", what, err->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    char dir[256];
    if (argc > 2)
        snprintf(dir, sizeof dir, "%s", argv[2]);
    else if (!mkdtemp(strcpy(dir, "/tmp/kiosk-bench-export-XXXXXX")))
        return 1;
    kclock clock;
    kclock_virtual vc;
    kclock_virtual_init(&clock, &vc, 1764450000000LL, NULL);
    kstore *s;
    kerr err = {0};
    if (kstore_open(&s, dir, &clock, &err) != 0)
        die("open", &err);
    kevent ev;
    kevent_spec spec = {"Benchmark night", "youth organizing", "2025-11-29", "bench", NULL};
    if (kstore_event_add2(s, &spec, &ev, &err) != 0)
        die("event", &err);
    double t0 = now_s();
    static const char *const qk[6] = {"grades", "topic", "interpret", "lang", "age", "comment"};
    if (kstore_batch_begin(s, &err) != 0)
        die("batch", &err);
    for (int i = 0; i < n; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "Hương %d", i);
        snprintf(p.family, sizeof p.family, i % 3 ? "Nguyễn" : "김");
        snprintf(p.phone, sizeof p.phone, "+1 206 555 %04d", i % 10000);
        snprintf(p.email, sizeof p.email, "person%d@example.org", i);
        snprintf(p.zip, sizeof p.zip, "98%03d", i % 1000);
        vc.now_ms += 1000;
        if (kstore_signup(s, &p, ev.id, &err) != 0)
            die("signup", &err);
        char age[16];
        snprintf(age, sizeof age, "%d", 14 + i % 60);
        const char *v[6] = {i % 2 ? "k;g1" : "g2", i % 3 ? "housing" : "school",
                            i % 5 ? "no" : "yes", "vi", age,
                            i % 7 ? "" : "=looks like a formula, \"quoted\""};
        if (kstore_answers_add(s, p.id, ev.id, "bench", 1, "vi", 6, qk, v, &err) != 0 ||
            kstore_answer_add(s, p.id, ev.id, "bench", 1, "topic", "school", "vi", &err) != 0)
            die("answers", &err);
    }
    if (kstore_batch_commit(s, &err) != 0)
        die("commit", &err);
    printf("bench_export: %d check-ins with 7 answer records each made in %.2f s (%s)\n", n,
           now_s() - t0, dir);

    for (int fmt = 0; fmt < 2; fmt++) {
        double t[RUNS];
        kexport_result res = {0};
        char path[512];
        snprintf(path, sizeof path, "%s/bench.%s", dir, fmt ? "xlsx" : "csv");
        kexport_opts o = {.format = fmt ? KEXPORT_XLSX : KEXPORT_CSV};
        for (int r = 0; r < RUNS; r++) {
            double a = now_s();
            if (kexport_write(s, &o, path, &res, &err) != 0)
                die("export", &err);
            t[r] = now_s() - a;
        }
        qsort(t, RUNS, sizeof t[0], cmp_d);
        printf("%s: %ld rows, %d columns, %lld bytes: best %.3f s, median %.3f s "
               "(target < %s)\n", fmt ? "xlsx" : "csv ", res.rows, res.columns, res.bytes,
               t[0], t[RUNS / 2], fmt ? "3 s" : "0.5 s");
    }
    kstore_close(s);
    if (argc <= 2) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_export: cannot remove %s\n", dir);
    }
    return 0;
}
