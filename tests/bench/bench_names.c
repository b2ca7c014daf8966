/*
 * bench_names.c - the figures of issue 10 (every name found): search time
 * per keystroke with the new matching (separators ignored both ways,
 * second spellings, the count of matches and the checked-in mark, as the
 * find screen asks: kstore_search_event), warm and with the store's file
 * dropped from the page cache before each name, and the size of the store
 * per 100,000 people with today's name index against the index of schema 4
 * (prefix indexes 1-3, given names unmarked; rebuilt in the same file for
 * the comparison).
 * Figures with their spread, and `bench NAME VALUE UNIT` lines; never a
 * pass/fail test.
 *
 *   bench_names            100,000 people
 *   bench_names --scale    also 1,000,000 people (several minutes, ~1 GB)
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "kclock.h"
#include "store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* CPU time of this thread: the search's own cost, without the time the
 * machine gave to other processes (a shared machine preempts). */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* p-th percentile of v[0..n) (sorts v). */
static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p / 100.0 * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Bytes of the database file after a checkpoint. */
static long long file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Makes people_fts as schema 4 made it (prefix indexes 1-3, given-name
 * tokens unmarked: the same tokens without U+E000) or leaves today's,
 * then VACUUMs; returns the file size.  Both run on the same people in
 * the same file. */
static long long index_size(const char *path, int old_style)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    if (old_style)
        sqlite3_exec(db,
                     "BEGIN;"
                     "CREATE VIRTUAL TABLE people_fts4 USING fts5(given_key, family_key, cjk_key,"
                     " person_id UNINDEXED, tokenize = \"unicode61 remove_diacritics 2 "
                     "categories 'L* N* Co M*'\", prefix = '1 2 3', columnsize = 0);"
                     "INSERT INTO people_fts4(people_fts4, rank) VALUES ('pgsz', 1000);"
                     "INSERT INTO people_fts4(rowid, given_key, family_key, cjk_key, person_id)"
                     " SELECT rowid, replace(given_key, char(57344), ''), family_key, cjk_key,"
                     " person_id FROM people_fts ORDER BY rowid;"
                     "DROP TABLE people_fts;"
                     "ALTER TABLE people_fts4 RENAME TO people_fts;"
                     "COMMIT;",
                     NULL, NULL, NULL);
    sqlite3_exec(db, "INSERT INTO people_fts(people_fts) VALUES ('optimize');", NULL, NULL, NULL);
    sqlite3_exec(db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
    sqlite3_close(db);
    return file_bytes(path);
}

/* Drops the store's file from the page cache (a first search after the
 * kiosk sat idle, or after a reboot): what the disk must read again. */
static void drop_cache(const char *dir)
{
    static const char *const files[] = {"kiosk.db", "kiosk.db-wal"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            fdatasync(fd);
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        }
    }
}

/* Types each name of the list keystroke by keystroke, reps times, into
 * the find screen's search; t and c get each keystroke's wall and CPU
 * time.  With cold_dir, the store's file leaves the page cache before
 * each name.  Returns the keystrokes timed. */
static int keystrokes(kstore **sp, const char *event_id, const char *cold_dir, int reps,
                      double *t, double *c, int maxn)
{
    kstore *s = *sp;
    /* what people type, keystroke by keystroke: run together, with
     * separators, second spellings, several words */
    static const char *const typed[] = {
        "nguyen thi huong", "nguyenthihuong", "tran van duc", "kim min", "oconnor",
        "santos maria", "delacruz", "dela cruz", "de la cruz", "maryjane", "mary-jane",
        "le", "chan", "keala", "sok", "park ji", "huong", "vang", "sione", "phan", "lee",
        "wong", "pham", "ho", "tanaka", "mueller", "müller", "jean-luc",
    };
    int k = 0;
    kmatch m[KIOSK_SEARCH_RESULTS];
    kerr err = {0};
    for (int rep = 0; rep < reps; rep++)
        for (size_t q = 0; q < sizeof typed / sizeof typed[0]; q++) {
            if (cold_dir) {
                /* a kiosk just started on a disk that has not read the
                 * store yet: its own cache empty, the OS's too */
                kclock clock;
                kclock_system(&clock);
                kstore_close(s);
                drop_cache(cold_dir);
                if (kstore_open(sp, cold_dir, &clock, &err) != 0) {
                    fprintf(stderr, "bench_names: %s\n", err.msg);
                    exit(2);
                }
                s = *sp;
                drop_cache(cold_dir);
            }
            char buf[64];
            size_t len = strlen(typed[q]);
            for (size_t i = 1; i <= len && k < maxn; i++) {
                if (((unsigned char)typed[q][i] & 0xC0) == 0x80)
                    continue;                   /* whole characters only */
                memcpy(buf, typed[q], i);
                buf[i] = '\0';
                int got, total;
                double s0 = now_ms(), c0 = cpu_ms();
                kstore_search_event(s, buf, event_id, m, KIOSK_SEARCH_RESULTS, &got, &total,
                                    &err);
                c[k] = cpu_ms() - c0;
                t[k++] = now_ms() - s0;
                if (getenv("BENCH_NAMES_SLOW") && c[k - 1] > atof(getenv("BENCH_NAMES_SLOW")))
                    printf("  slow: \"%s\" %.3f ms CPU (%d shown of %d)\n", buf, c[k - 1],
                           got, total);
            }
        }
    return k;
}

/* Search per keystroke and store size with n people.  BENCH_NAMES_STORE
 * names an existing data folder to search instead (kept as it is; no
 * size figures): for profiling one store many times. */
static void bench(int n)
{
    char dir[] = "/tmp/bench-names-XXXXXX";
    const char *given_dir = getenv("BENCH_NAMES_STORE");
    if (!given_dir && !mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    const char *use = given_dir ? given_dir : dir;
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    kerr err = {0};
    kevent ev;
    double t0 = now_ms();
    if (kstore_open(&s, use, &clock, &err) != 0 ||
        (!given_dir && (kdemo_seed(s, &err) != 0 || kdemo_people(s, n, 7, &err) != 0)) ||
        kstore_event_current(s, &ev, &err) != 0) {
        fprintf(stderr, "bench_names: %s\n", err.msg);
        exit(2);
    }
    printf("== %d people (+ demo), made in %.1f s\n", n, (now_ms() - t0) / 1000);
    enum { MAXN = 8192 };
    static double t[MAXN], c[MAXN];
    keystrokes(&s, ev.id, NULL, 1, t, c, MAXN);    /* warm: a kiosk that has run */
    int k = keystrokes(&s, ev.id, NULL, 3, t, c, MAXN);
    double med = pct(t, k, 50), p90 = pct(t, k, 90), p99 = pct(t, k, 99), mx = pct(t, k, 100);
    printf("search per keystroke (%d keystrokes)   median %.3f ms  p90 %.3f ms  p99 %.3f ms  "
           "max %.3f ms\n", k, med, p90, p99, mx);
    double cmed = pct(c, k, 50), cp90 = pct(c, k, 90), cp99 = pct(c, k, 99);
    printf("  the same, CPU time of the search    median %.3f ms  p90 %.3f ms  p99 %.3f ms  "
           "max %.3f ms\n", cmed, cp90, cp99, pct(c, k, 100));
    printf("bench search_p99_%dk %.3f ms\n", n / 1000, p99);
    printf("bench search_median_%dk %.3f ms\n", n / 1000, med);
    printf("bench search_cpu_p99_%dk %.3f ms\n", n / 1000, cp99);
    /* cold: the store opened anew and its file dropped from the page cache
     * before each name is typed (its first keystrokes read from the disk) */
    k = keystrokes(&s, ev.id, use, 1, t, c, MAXN);
    med = pct(t, k, 50), p99 = pct(t, k, 99), mx = pct(t, k, 100);
    printf("cold: store opened anew, page cache dropped before each name (%d keystrokes)   median %.3f ms  p99 %.3f ms  "
           "max %.3f ms\n", k, med, p99, mx);
    printf("bench search_cold_p99_%dk %.3f ms\n", n / 1000, p99);
    printf("bench search_cold_median_%dk %.3f ms\n", n / 1000, med);
    if (given_dir) {
        kstore_close(s);
        return;
    }
    kstore_close(s);

    char path[128];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    long long now_sz = index_size(path, 0);
    long long old_sz = index_size(path, 1);
    double per = 100000.0 / n / 1e6;
    printf("store size per 100,000 people: schema-4 index %.1f MB, today's index %.1f MB "
           "(%+.1f %%)\n", old_sz * per, now_sz * per, 100.0 * (now_sz - old_sz) / old_sz);
    printf("bench store_mb_per_100k_before %.1f MB\n", old_sz * per);
    printf("bench store_mb_per_100k_after %.1f MB\n", now_sz * per);
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
    int scale = argc > 1 && strcmp(argv[1], "--scale") == 0;
    int n = getenv("BENCH_NAMES_PEOPLE") ? atoi(getenv("BENCH_NAMES_PEOPLE")) : 100000;
    bench(n);
    if (scale)
        bench(1000000);
    return 0;
}
