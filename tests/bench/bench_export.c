/*
 * bench_export.c - attendance exports at scale: CHECKINS check-ins (100,000
 * by default; tests/bench/run.sh --scale also runs 1,000,000), each with
 * answers to 6 survey questions (one of them changed once), to CSV and to
 * XLSX, written safely (partial file, fsync, rename) into a folder on this
 * machine's disk.  Each export runs RUNS times, each in a child process of
 * its own so that its peak resident memory (getrusage RUSAGE_CHILDREN
 * after wait) is the export's alone.  Prints median and spread of time and
 * peak memory, and the lines `bench NAME VALUE UNIT`; not a test.  The
 * issue asks for peak RSS < 64 MB at any size, CSV < 1 s and XLSX < 3 s at
 * 100,000, time linear in rows.
 *
 *   bench_export [CHECKINS] [FOLDER]     (default 100000, a new folder in /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "export.h"
#include "store.h"

#define RUNS 3

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

/* Prints a figure of n runs: median, spread, and the bench lines. */
static void figure(const char *label, const char *name, const char *unit, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("  %-40s %9.3f %-3s (%.3f-%.3f over %d runs)\n", label, med, unit, v[0], v[n - 1],
           n);
    printf("bench %s %.3f %s\n", name, med, unit);
    printf("bench %s_spread %.3f %s\n", name, v[n - 1] - v[0], unit);
    fflush(stdout);
}

/* Makes the store: CHECKINS check-ins at one event, 7 answer records
 * each, in batches. */
static void make_store(kstore *s, kclock_virtual *vc, int n, kevent *ev)
{
    kerr err = {0};
    kevent_spec spec = {"Benchmark night", "youth organizing", "2025-11-29", "bench", NULL};
    if (kstore_event_add2(s, &spec, ev, &err) != 0)
        die("event", &err);
    static const char *const qk[6] = {"grades", "topic", "interpret", "lang", "age", "comment"};
    for (int i = 0; i < n;) {
        if (kstore_batch_begin(s, &err) != 0)
            die("batch", &err);
        for (int end = i + KDEMO_BATCH / 8; i < n && i < end; i++) {
            kperson p;
            memset(&p, 0, sizeof p);
            snprintf(p.given, sizeof p.given, "Hương %d", i);
            snprintf(p.family, sizeof p.family, i % 3 ? "Nguyễn" : "김");
            snprintf(p.phone, sizeof p.phone, "+1 206 555 %04d", i % 10000);
            snprintf(p.email, sizeof p.email, "person%d@example.org", i);
            snprintf(p.zip, sizeof p.zip, "98%03d", i % 1000);
            vc->now_ms += 100;
            if (kstore_signup(s, &p, ev->id, &err) != 0)
                die("signup", &err);
            char age[16];
            snprintf(age, sizeof age, "%d", 14 + i % 60);
            const char *v[6] = {i % 2 ? "k;g1" : "g2", i % 3 ? "housing" : "school",
                                i % 5 ? "no" : "yes", "vi", age,
                                i % 7 ? "" : "=looks like a formula, \"quoted\""};
            if (kstore_answers_add(s, p.id, ev->id, "bench", 1, "vi", 6, qk, v, &err) != 0 ||
                kstore_answer_add(s, p.id, ev->id, "bench", 1, "topic", "school", "vi",
                                  &err) != 0)
                die("answers", &err);
        }
        if (kstore_batch_commit(s, &err) != 0)
            die("commit", &err);
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000;
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
    double t0 = now_s();
    make_store(s, &vc, n, &ev);
    printf("attendance files: %d check-ins with 7 answer records each, made in %.1f s (%s)\n",
           n, now_s() - t0, dir);
    kstore_close(s);

    char count[32];
    if (n >= 1000000 && n % 1000000 == 0)
        snprintf(count, sizeof count, "%dm", n / 1000000);
    else
        snprintf(count, sizeof count, "%dk", n / 1000);
    for (int fmt = 0; fmt < 2; fmt++) {
        double t[RUNS], rss[RUNS], cpu[RUNS];
        kexport_result res = {0};
        char path[512];
        snprintf(path, sizeof path, "%s/bench.%s", dir, fmt ? "xlsx" : "csv");
        for (int r = 0; r < RUNS; r++) {
            int fd[2];
            if (pipe(fd) != 0)
                return 1;
            double a = now_s();
            pid_t pid = fork();
            if (pid == 0) {                 /* the export, alone in its process */
                close(fd[0]);
                kstore *cs;
                kexport_opts o = {.format = fmt ? KEXPORT_XLSX : KEXPORT_CSV};
                if (kstore_open(&cs, dir, &clock, &err) != 0 ||
                    kexport_write(cs, &o, path, &res, &err) != 0)
                    die("export", &err);
                kstore_close(cs);
                if (write(fd[1], &res, sizeof res) != (ssize_t)sizeof res)
                    _exit(1);
                _exit(0);
            }
            close(fd[1]);
            int status = 0;
            struct rusage ru;
            if (read(fd[0], &res, sizeof res) != (ssize_t)sizeof res ||
                wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                fprintf(stderr, "bench_export: the export failed\n");
                return 1;
            }
            close(fd[0]);
            t[r] = now_s() - a;
            rss[r] = (double)ru.ru_maxrss / 1024.0;
            cpu[r] = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        }
        char label[96], name[64];
        printf("%s: %ld rows, %d columns, %lld bytes, each export in a process of its own:\n",
               fmt ? "xlsx" : "csv", res.rows, res.columns, res.bytes);
        snprintf(label, sizeof label, "time (open, export, fsync, rename)");
        snprintf(name, sizeof name, "export_%s_%s", fmt ? "xlsx" : "csv", count);
        figure(label, name, "s", t, RUNS);
        snprintf(label, sizeof label, "CPU time of the process (user + system)");
        snprintf(name, sizeof name, "export_%s_cpu_%s", fmt ? "xlsx" : "csv", count);
        figure(label, name, "s", cpu, RUNS);
        snprintf(label, sizeof label, "peak resident memory of the process");
        snprintf(name, sizeof name, "export_%s_rss_%s", fmt ? "xlsx" : "csv", count);
        figure(label, name, "MB", rss, RUNS);
    }
    if (argc <= 2) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_export: cannot remove %s\n", dir);
    }
    return 0;
}
