/*
 * ktest.h - the in-tree unit test harness: a handful of macros, no framework.
 *
 *   #include "ktest.h"
 *   static void test_something(void) { CHECK(1 + 1 == 2); CHECK_STR(a, b); }
 *   int main(void) { RUN(test_something); return ktest_summary(); }
 *
 * Each failed check prints FILE:LINE and what was seen; the summary prints
 * "N passed, N failed" and returns the exit code (1 if any failed).
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ktest_pass, ktest_fail;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) {                                                           \
            ktest_pass++;                                                     \
        } else {                                                              \
            ktest_fail++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                   \
        }                                                                     \
    } while (0)

#define CHECK_INT(got, want)                                                  \
    do {                                                                      \
        long long g_ = (long long)(got), w_ = (long long)(want);              \
        if (g_ == w_) {                                                       \
            ktest_pass++;                                                     \
        } else {                                                              \
            ktest_fail++;                                                     \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__,  \
                    __LINE__, #got, g_, w_);                                  \
        }                                                                     \
    } while (0)

#define CHECK_STR(got, want)                                                  \
    do {                                                                      \
        const char *g_ = (got), *w_ = (want);                                 \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                \
            ktest_pass++;                                                     \
        } else {                                                              \
            ktest_fail++;                                                     \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",        \
                    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",             \
                    w_ ? w_ : "(null)");                                      \
        }                                                                     \
    } while (0)

#define RUN(fn)                                                               \
    do {                                                                      \
        fprintf(stderr, "-- %s\n", #fn);                                      \
        fn();                                                                 \
    } while (0)

static inline int ktest_summary(void)
{
    printf("%d passed, %d failed\n", ktest_pass, ktest_fail);
    return ktest_fail ? 1 : 0;
}

/* Makes a fresh temporary folder; returns its path (static buffer per call
 * site is the caller's: pass buf of at least 64 bytes). */
#include <unistd.h>
static inline const char *ktest_tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/kiosk-test-XXXXXX");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(2);
    }
    return buf;
}

#endif
