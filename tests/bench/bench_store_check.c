/*
 * bench_store_check.c - start-up time of the kiosk with the store check
 * (issue 9, item 11) at 10,000 and 100,000 people: figures, not a test.
 *
 * For each size a store is filled (kdemo_people, large transactions), then
 * opened and closed again and again, as a start does:
 *   clean      the file as the last clean close left it: only meta and
 *              events are checked (what every start after a clean
 *              shutdown costs)
 *   full warm  the clean-close record removed first (a start after a crash
 *              or after anything else wrote the file): PRAGMA quick_check
 *              over the whole file, pages in the page cache
 *   full cold  the same with the file's pages dropped from the page cache
 *              first (posix_fadvise DONTNEED): a first start after boot
 *   kiosk      with KIOSK set to the kiosk binary, the whole program to its
 *              first welcome frame (a one-line replay), clean and after a
 *              crash (record removed)
 * Each prints median, min and max of its runs, and a line
 * `bench NAME VALUE ms` (the median) for scripts.
 *
 *   bench_store_check [KIOSK]        (sizes: $BENCH_PEOPLE, default "10000 100000")
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "kclock.h"
#include "store.h"
#include "store_guard.h"

#define RUNS_MAX 31

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const kerr *err)
{
    fprintf(stderr, "bench_store_check: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* Drops the file's pages from the page cache (after writing them out). */
static void drop_cache(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

/* Prints median, min, max of t[0..n) and the bench line. */
static void report(const char *name, const char *label, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    printf("  %-34s median %8.1f ms   min %8.1f   max %8.1f   (%d runs)\n", label,
           t[n / 2], t[0], t[n - 1], n);
    printf("bench %s %.1f ms\n", name, t[n / 2]);
    fflush(stdout);
}

/* One open + close of the store, timed. */
static double open_close(const char *dir, const kclock *clock)
{
    kstore *s;
    kerr err = {0};
    double t0 = now_ms();
    if (kstore_open(&s, dir, clock, &err) != 0)
        die("open", &err);
    double t = now_ms() - t0;
    kstore_close(s);
    return t;
}

/* The kiosk binary to its first welcome frame, timed. */
static double kiosk_start(const char *kiosk, const char *dir)
{
    char script[300];
    snprintf(script, sizeof script, "%s/start.replay", dir);
    FILE *f = fopen(script, "w");
    if (!f)
        die("replay file", NULL);
    fputs("expect screen welcome\n", f);
    fclose(f);
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        execl(kiosk, kiosk, "--replay", script, "--data", dir, "--size", "800x480",
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("kiosk did not reach welcome", NULL);
    return now_ms() - t0;
}

static void one_size(int people, const char *kiosk)
{
    char dir[64], path[128], name[64], label[64];
    double t[RUNS_MAX];
    kclock clock;
    kstore *s;
    kerr err = {0};
    snprintf(dir, sizeof dir, "/tmp/kiosk-bench-check-XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    kclock_system(&clock);
    double t0 = now_ms();
    if (kstore_open(&s, dir, &clock, &err) != 0 || kdemo_seed(s, &err) != 0 ||
        kdemo_people(s, people, 1, &err) != 0)
        die("fill", &err);
    kstore_close(s);
    FILE *f = fopen(path, "rb");
    long size = 0;
    if (f && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (f)
        fclose(f);
    printf("%d people: %.1f MB store (filled in %.0f s)\n", people, size / 1e6,
           (now_ms() - t0) / 1e3);
    int runs = people >= 100000 ? 7 : 15;

    open_close(dir, &clock);                        /* warm, clean record written */
    for (int i = 0; i < runs; i++)
        t[i] = open_close(dir, &clock);
    snprintf(name, sizeof name, "store_open_clean_%dk", people / 1000);
    report(name, "open, clean close before", t, runs);

    for (int i = 0; i < runs; i++) {
        kstore_guard_forget(path);
        t[i] = open_close(dir, &clock);
    }
    snprintf(name, sizeof name, "store_open_quick_check_warm_%dk", people / 1000);
    report(name, "open + quick_check, warm", t, runs);

    for (int i = 0; i < runs; i++) {
        kstore_guard_forget(path);
        drop_cache(path);
        t[i] = open_close(dir, &clock);
    }
    snprintf(name, sizeof name, "store_open_quick_check_cold_%dk", people / 1000);
    report(name, "open + quick_check, cold cache", t, runs);

    if (kiosk) {
        for (int mode = 0; mode < 2; mode++) {
            kiosk_start(kiosk, dir);                /* warm fonts, clean record */
            for (int i = 0; i < runs; i++) {
                if (mode)
                    kstore_guard_forget(path);
                t[i] = kiosk_start(kiosk, dir);
            }
            snprintf(name, sizeof name, "kiosk_start_%s_%dk", mode ? "after_crash" : "clean",
                     people / 1000);
            snprintf(label, sizeof label, "kiosk to welcome, %s",
                     mode ? "after a crash" : "clean close before");
            report(name, label, t, runs);
        }
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

int main(int argc, char **argv)
{
    const char *kiosk = argc > 1 ? argv[1] : NULL;
    const char *sizes = getenv("BENCH_PEOPLE");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", sizes && *sizes ? sizes : "10000 100000");
    printf("start-up with the store check (issue 9): median, min, max\n");
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        one_size(atoi(tok), kiosk);
    return 0;
}
