/*
 * bench_survey.c - how long loading and checking a survey takes.
 *
 * The goal (issue: surveys): loading and checking the largest default
 * survey takes under 5 ms on the target hardware.  This loads the largest
 * file in assets/surveys (by size) 1000 times from memory (parse and check
 * only) and 1000 times from its path (read, parse, check: what the kiosk
 * and `kiosk survey check` do), and prints the median and the 99th
 * percentile of each in microseconds.  A figure, not a test: it never
 * fails on time, only if the survey does not load.
 *
 *   bench_survey [FILE]      (default: the largest default survey)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "survey.h"

#ifndef SURVEY_ASSETS_DIR
#define SURVEY_ASSETS_DIR "assets/surveys"
#endif

#define RUNS 1000

static const char *const defaults[] = {
    "general-interest.csv", "youth-bootcamp-daily.csv", "parent-workshop.csv",
    "example.csv"
};

/* Monotonic time in microseconds. */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Orders doubles for qsort. */
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints the median and p99 of t[RUNS] (sorts it). */
static void report(const char *what, double *t)
{
    qsort(t, RUNS, sizeof t[0], cmp);
    printf("%-34s median %8.1f us   p99 %8.1f us   (%d runs)\n", what,
           t[RUNS / 2], t[RUNS * 99 / 100], RUNS);
}

int main(int argc, char **argv)
{
    static char path[1024];
    static double t[RUNS];
    static ksurvey_diags d;
    struct stat st;
    long best = -1;
    char *data;
    FILE *f;
    size_t len;

    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", SURVEY_ASSETS_DIR, defaults[i]);
            if (stat(p, &st) == 0 && st.st_size > best) {
                best = st.st_size;
                snprintf(path, sizeof path, "%s", p);
            }
        }
    }
    f = fopen(path, "rb");
    if (!f || stat(path, &st) != 0) {
        fprintf(stderr, "bench_survey: cannot open %s\n", path);
        return 1;
    }
    len = (size_t)st.st_size;
    data = malloc(len + 1);
    if (!data || fread(data, 1, len, f) != len) {
        fprintf(stderr, "bench_survey: cannot read %s\n", path);
        return 1;
    }
    fclose(f);

    for (int i = 0; i < RUNS; i++) {
        ksurvey *s = NULL;
        double t0 = now_us();
        int rc = ksurvey_load_buffer(path, data, len, &s, &d, NULL);
        t[i] = now_us() - t0;
        if (rc != KERR_OK) {
            ksurvey_diags_print(&d, stderr);
            return 1;
        }
        ksurvey_free(s);
    }
    printf("%s: %zu bytes, goal < 5000 us\n", path, len);
    report("load + check from memory", t);

    for (int i = 0; i < RUNS; i++) {
        ksurvey *s = NULL;
        double t0 = now_us();
        int rc = ksurvey_load_file(path, &s, &d, NULL);
        t[i] = now_us() - t0;
        if (rc != KERR_OK)
            return 1;
        ksurvey_free(s);
    }
    report("read + load + check from the file", t);
    free(data);
    return 0;
}
