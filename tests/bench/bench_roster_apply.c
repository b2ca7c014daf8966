/*
 * bench_roster_apply.c - applying the hub's roster on a kiosk, without a
 * network (kstore_roster_apply, kiosk/core/store_roster.c): what a
 * download of a large roster costs the kiosk's store, page by page.
 *
 *   1. N people (default 100,000; names from the demo generator) applied
 *      in pages of 1,000 to an empty kiosk: time per page (median, range)
 *      and in all, and the store's size;
 *   2. A aliases (default 5,000; an id merged into another, random pairs)
 *      in pages of 1,000 on the kiosk holding the N people: time per alias
 *      (median of the pages, range);
 *   3. 1,000 tombstones the same way;
 *   4. checks that the figures mean something: merged and forgotten ids
 *      are gone from search, the ids they were merged into are found.
 *
 * Before the aliases took a person out of the name index by its rowid
 * range (kst_person_unindex), each alias and tombstone read the whole
 * index (people_fts has no index on person_id): about 0.1 s per alias at
 * 100,000 people.  Figures with their spread and `bench NAME VALUE UNIT`
 * lines; never a pass/fail test (a failed check in 4 exits 1).
 *
 *   bench_roster_apply [PEOPLE [ALIASES]]
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "demo.h"
#include "kclock.h"
#include "store.h"

#define PAGE 1000
#define RID "5d0f6c1e9b2a4c3d8e7f60718293a4b5"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median, min and max of v[0..n) (sorts v). */
static void spread(double *v, int n, double *med, double *lo, double *hi)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *med = v[n / 2];
    *lo = v[0];
    *hi = v[n - 1];
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_roster_apply: %s: %s\n", what, msg);
    exit(2);
}

typedef struct who {
    char id[33], given[KIOSK_NAME_BYTES], family[KIOSK_NAME_BYTES];
} who;

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    int na = argc > 2 ? atoi(argv[2]) : 5000;
    if (n < 2 * PAGE || na < PAGE || na > n / 2) {
        fprintf(stderr, "usage: bench_roster_apply [PEOPLE >= 2000 [ALIASES 1000..PEOPLE/2]]\n");
        return 2;
    }
    const char *tmp = getenv("BENCH_SYNC_DIR");
    char base[200], src[260], dst[260], cmd[600];
    snprintf(base, sizeof base, "%s/bench-roster-apply-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base))
        die("mkdtemp", base);
    snprintf(src, sizeof src, "%s/names", base);
    snprintf(dst, sizeof dst, "%s/kiosk", base);
    kclock clock;
    kclock_system(&clock);
    kerr e = {0};

    /* names as the demo makes them, read back from a store of their own */
    kstore *s = NULL;
    if (kstore_open(&s, src, &clock, &e) || kdemo_people(s, n, 7, &e))
        die("names", e.msg);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    who *w = calloc((size_t)n, sizeof *w);
    if (!w || sqlite3_open_v2(kstore_path(s), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT id, given, family FROM people LIMIT ?1", -1, &st, NULL))
        die("names", "cannot read them back");
    sqlite3_bind_int(st, 1, n);
    int got = 0;
    while (got < n && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(w[got].id, sizeof w[got].id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(w[got].given, sizeof w[got].given, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(w[got].family, sizeof w[got].family, "%s", (const char *)sqlite3_column_text(st, 2));
        got++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    kstore_close(s);
    n = got;

    /* 1. the people, page by page, to an empty kiosk */
    if (kstore_open(&s, dst, &clock, &e))
        die("kiosk", e.msg);
    kroster_change *ch = calloc(PAGE, sizeof *ch);
    int pages = n / PAGE;
    double *pt = calloc((size_t)pages + 8, sizeof *pt);
    int64_t seq = 0;
    double t0 = now_ms();
    for (int p = 0; p < pages; p++) {
        for (int i = 0; i < PAGE; i++) {
            who *x = &w[p * PAGE + i];
            memset(&ch[i], 0, sizeof ch[i]);
            ch[i].seq = ++seq;
            ch[i].kind = KROSTER_PERSON;
            ch[i].id = x->id;
            ch[i].given = x->given;
            ch[i].family = x->family;
            ch[i].hint = "95112";
        }
        double a = now_ms();
        int applied = 0;
        if (kstore_roster_apply(s, RID, seq, ch, PAGE, 0, &applied, &e))
            die("people", e.msg);
        pt[p] = now_ms() - a;
    }
    double all = now_ms() - t0, med, lo, hi;
    spread(pt, pages, &med, &lo, &hi);
    struct stat sb;
    long long size = stat(kstore_path(s), &sb) == 0 ? (long long)sb.st_size : -1;
    printf("%d people in %d pages of %d: %.1f s in all; a page median %.0f ms (%.0f-%.0f); "
           "store %.1f MB\n", pages * PAGE, pages, PAGE, all / 1000, med, lo, hi, size / 1048576.0);
    printf("bench roster_apply_people_%dk_s %.2f s\n", n / 1000, all / 1000);
    printf("bench roster_apply_page_%dk_ms %.1f ms\n", n / 1000, med);

    /* 2. aliases: person 2k+1 merged into person 2k, spread over the roster */
    int apages = na / PAGE, step = (pages * PAGE) / (2 * na);
    if (step < 1)
        step = 1;
    for (int p = 0; p < apages; p++) {
        for (int i = 0; i < PAGE; i++) {
            int k = (p * PAGE + i) * 2 * step;
            memset(&ch[i], 0, sizeof ch[i]);
            ch[i].seq = ++seq;
            ch[i].kind = KROSTER_ALIAS;
            ch[i].id = w[k + 1].id;
            ch[i].to = w[k].id;
        }
        double a = now_ms();
        int applied = 0;
        if (kstore_roster_apply(s, RID, seq, ch, PAGE, 0, &applied, &e))
            die("aliases", e.msg);
        pt[p] = (now_ms() - a) / PAGE;
    }
    spread(pt, apages, &med, &lo, &hi);
    printf("%d aliases in pages of %d on a kiosk holding %d people: %.3f ms per alias "
           "(pages: %.3f-%.3f)\n", apages * PAGE, PAGE, pages * PAGE, med, lo, hi);
    printf("bench roster_apply_alias_%dk_ms %.3f ms\n", n / 1000, med);

    /* 3. tombstones: a person beside each of the first 1,000 merged pairs
     * (the one kept, when no one is beside them) */
    int nf = 0, off = step >= 2 ? 2 : 0;
    for (int i = 0; i < PAGE; i++, nf++) {
        memset(&ch[i], 0, sizeof ch[i]);
        ch[i].seq = ++seq;
        ch[i].kind = KROSTER_FORGET;
        ch[i].id = w[i * 2 * step + off].id;
    }
    double a = now_ms();
    int applied = 0;
    if (nf && kstore_roster_apply(s, RID, seq, ch, nf, 0, &applied, &e))
        die("tombstones", e.msg);
    double ft = nf ? (now_ms() - a) / nf : 0;
    printf("%d tombstones in one page: %.3f ms each\n", nf, ft);
    printf("bench roster_apply_forget_%dk_ms %.3f ms\n", n / 1000, ft);

    /* 4. the figures mean something: merged and forgotten ids left search */
    int bad = 0;
    kevent ev;
    if (kstore_event_add(s, "Check", "general", "2026-06-13", &ev, &e))
        die("event", e.msg);
    for (int i = 0; i < 20; i++) {
        int k = (i * (apages * PAGE / 20)) * 2 * step;
        const char *merged = w[k + 1].id, *kept = w[k].id;
        char q[2 * KIOSK_NAME_BYTES + 2];
        snprintf(q, sizeof q, "%s %s", w[k + 1].given, w[k + 1].family);
        kmatch m[KIOSK_SEARCH_RESULTS];
        int nm = 0, total = 0;
        if (kstore_search_event(s, q, ev.id, m, KIOSK_SEARCH_RESULTS, &nm, &total, &e))
            die("search", e.msg);
        for (int j = 0; j < nm; j++)
            bad += strcmp(m[j].person_id, merged) == 0;
        snprintf(q, sizeof q, "%s %s", w[k].given, w[k].family);
        kstore_search_event(s, q, ev.id, m, KIOSK_SEARCH_RESULTS, &nm, &total, &e);
        int found = 0;
        for (int j = 0; j < nm; j++)
            found |= strcmp(m[j].person_id, kept) == 0;
        bad += !found && total <= nm;   /* (more namesakes than rows: not shown, not wrong) */
    }
    kroster_counts rc;
    kstore_roster_counts(s, &rc, &e);
    printf("check: %ld people searchable, %ld aliases, %ld forgotten; merged ids found in search: "
           "%s\n", rc.people, rc.aliases, rc.forgotten, bad ? "YES (wrong)" : "none");
    kstore_close(s);
    free(ch);
    free(pt);
    free(w);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_roster_apply: could not remove %s\n", base);
    return bad ? 1 : 0;
}
