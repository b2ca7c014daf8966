/*
 * bench_util.h - what every benchmark here shares: a monotonic clock, the
 * median and spread of repeated runs, and the one-line result format
 * `bench NAME VALUE UNIT` that scripts compare between runs.
 *
 * Figures are printed as "median (min-max over N runs)" for people and as
 * one `bench` line (the median) for scripts.  Header-only: each benchmark
 * is one program and includes it once.
 */
#ifndef KIOSK_BENCH_UTIL_H
#define KIOSK_BENCH_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) and returns its median. */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The p-th percentile (0..100) of v[0..n), which must be sorted. */
static inline double bench_percentile(const double *v, int n, double p)
{
    int i = (int)(p / 100.0 * (n - 1) + 0.5);
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* Prints "LABEL: MEDIAN UNIT (MIN-MAX over N runs)" and the bench line of
 * the median; v[0..n) is sorted.  scale multiplies every value (1e3: s to
 * ms). */
static inline void bench_report(const char *name, const char *label, double *v, int n,
                                double scale, const char *unit)
{
    double m = bench_median(v, n) * scale;
    int dp = m >= 100 ? 0 : m >= 10 ? 1 : m >= 1 ? 2 : 3;
    printf("%s: %.*f %s (%.*f-%.*f over %d runs)\n", label, dp, m, unit, dp, v[0] * scale, dp,
           v[n - 1] * scale, n);
    printf("bench %s %.*f %s\n", name, dp, m, unit);
    fflush(stdout);
}

/* This process's CPU time, s: beside wall time on a shared machine, where
 * wall time is mostly the scheduler's. */
static inline double bench_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints "PROG: WHAT: MSG" and exits 1. */
static inline void bench_die(const char *prog, const char *what, const char *msg)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, msg);
    exit(1);
}

#endif
