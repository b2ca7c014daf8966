/*
 * bench_hub_scale.c - the SQLite hub as it fills (issue 15, items 5 and 6):
 *
 *   bench_hub_scale DIR [RECORDS [KIOSK_HUB]]      (RECORDS default 1,000,000)
 *
 * A hub in DIR is filled through khub_ingest, as the server stores batches
 * (KSYNC_BATCH_RECORDS a batch, one transaction and fsync each), by 10
 * kiosks: events one a day at each, each with its record, about 330
 * sign-ups and check-ins (a third sign-ups) and 60 survey answers, record
 * ids time-ordered as kiosks make
 * them (a millisecond prefix, then random bits).  Printed, each with its
 * spread and a `bench NAME VALUE UNIT` line:
 *   - ingest rate per slice of the fill (records/s), first to last;
 *   - ingest ÷ bare insert on a fresh hub and at RECORDS: the same rows
 *     (the next 50,000 of the stream) stored by khub_ingest, and by a bare
 *     INSERT of the rows already parsed and their columns already read,
 *     in one transaction, into a copy of the same store (3 runs each);
 *   - `kiosk-hub events` at RECORDS: the query in this process (open,
 *     every row, close) and, when KIOSK_HUB is given, the command itself;
 *   - the merged CSV export of one event (about 220 check-ins) at 100,000
 *     records and at RECORDS: the same time when it follows the event.
 * Takes minutes and about 0.6 GB of disk at 1,000,000 (tests/bench/run.sh
 * --scale runs it).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "bench_hub.h"
#include "hub_export.h"
#include "hub_store.h"
#include "kclock.h"

extern char **environ;

#define KIOSKS 10
#define PER_EVENT_RECORDS 330     /* sign-ups and check-ins */
#define PER_EVENT_ANSWERS 60
#define SLICE 100000
#define RATIO_ROWS 50000
#define REPS 3

static const char *prog = "bench_hub_scale";

/* One kiosk's stream of records. */
typedef struct kiosk {
    char dev[33];
    int64_t seq;
    int64_t clock_ms;          /* the kiosk's wall clock, moves 1 s per record */
    char event[33];
    int left;                  /* records left in the current event */
    int step;
    int nperson;               /* people this kiosk signed up */
    char (*people)[33];
    int cap;
    int nevents;
} kiosk;

static kiosk kiosks[KIOSKS];
static char first_event[33];

/* A time-ordered id: 12 hex digits of ms, 20 random. */
static void time_id(char out[33], int64_t ms)
{
    char r[33];
    krandom_id(r);
    snprintf(out, 33, "%012" PRIx64 "%.20s", (uint64_t)(ms & 0xffffffffffffLL), r);
}

static void kiosks_init(void)
{
    for (int d = 0; d < KIOSKS; d++) {
        kiosk *k = &kiosks[d];
        memset(k, 0, sizeof *k);
        snprintf(k->dev, sizeof k->dev, "%08x%024x", 0x5ca1e000u + (unsigned)d, 0);
        k->clock_ms = 1767254400000LL + d * 7;       /* 2026-01-01 */
    }
}

/* The next record of kiosk k into r (fields malloc'd). */
static void next_record(kiosk *k, ksync_record *r)
{
    char f[512];
    memset(r, 0, sizeof *r);
    r->seq = ++k->seq;
    k->clock_ms += 1000;
    r->wall_ms = k->clock_ms;
    r->mono_ms = r->seq * 1000;
    snprintf(r->boot_id, sizeof r->boot_id, "5ca1e000-0000-4000-8000-%012x", (unsigned)(k - kiosks));
    time_id(r->id, r->wall_ms);
    if (k->left == 0) {
        /* a new event, a day later */
        k->clock_ms += 86400000LL;
        r->wall_ms = k->clock_ms;
        memcpy(k->event, r->id, 33);
        if (!first_event[0])
            memcpy(first_event, r->id, 33);
        int day = k->nevents++;
        snprintf(r->table, sizeof r->table, "events");
        snprintf(f, sizeof f, "{\"name\":\"Session %d at door %d\",\"program\":\"Program %d\","
                 "\"date\":\"2026-%02d-%02d\",\"survey\":\"daily\",\"link\":\"\"}", day,
                 (int)(k - kiosks), day % 7, 1 + day / 28 % 12, 1 + day % 28);
        k->left = PER_EVENT_RECORDS + PER_EVENT_ANSWERS;
        k->step = 0;
    } else {
        int s = k->step++;
        k->left--;
        /* 8 of every 25 a sign-up, the rest check-ins, then the answers */
        int signup = s % 25 < 8 && k->left > PER_EVENT_ANSWERS;
        if (k->left < PER_EVENT_ANSWERS && k->nperson > 0) {
            snprintf(r->table, sizeof r->table, "answers");
            snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"survey_key\":\"daily\","
                     "\"survey_version\":1,\"question_key\":\"feeling\",\"value\":\"%d\",\"lang\":\"en\"}",
                     k->people[(s * 7919) % k->nperson], k->event, 1 + s % 5);
        } else if (signup || k->nperson == 0) {
            snprintf(r->table, sizeof r->table, "people");
            snprintf(f, sizeof f, "{\"given\":\"Given%d\",\"family\":\"Family%d\",\"phone\":\"408-555-%04d\","
                     "\"email\":\"\",\"zip\":\"95112\"}", k->nperson, (int)(k - kiosks), k->nperson % 10000);
            if (k->nperson == k->cap) {
                k->cap = k->cap ? k->cap * 2 : 1024;
                k->people = realloc(k->people, (size_t)k->cap * sizeof *k->people);
                if (!k->people)
                    bench_die(prog, "realloc", "out of memory");
            }
            memcpy(k->people[k->nperson++], r->id, 33);
        } else {
            snprintf(r->table, sizeof r->table, "checkins");
            snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"is_new\":%d}",
                     k->people[(s * 104729 + k->nevents) % k->nperson], k->event, s % 25 < 10);
        }
    }
    if (!r->fields)
        r->fields = strdup(f);
}

/* The next n records of the stream as batches (the kiosks in turn, one
 * batch each); *nb gets their number. */
static ksync_batch *next_batches(int n, int *nb)
{
    int per = KSYNC_BATCH_RECORDS, cap = n / per + KIOSKS + 1, k = 0, made = 0;
    ksync_batch *bs = calloc((size_t)cap, sizeof *bs);
    kerr e = {0};
    while (made < n) {
        kiosk *ki = &kiosks[k % KIOSKS];
        ksync_batch *b = &bs[k++];
        ksync_batch_init(b);
        memcpy(b->device_id, ki->dev, 33);
        krandom_id(b->batch_id);
        b->seq_from = ki->seq + 1;
        snprintf(b->sent_boot_id, sizeof b->sent_boot_id, "5ca1e000-0000-4000-8000-%012x",
                 (unsigned)(k % KIOSKS));
        for (int i = 0; i < per && made < n; i++, made++) {
            ksync_record r;
            next_record(ki, &r);
            if (ksync_batch_take(b, &r, &e))
                bench_die(prog, "batch", e.msg);
        }
        b->seq_to = ki->seq;
        b->sent_wall_ms = ki->clock_ms;
        b->sent_mono_ms = ki->seq * 1000;
    }
    *nb = k;
    return bs;
}

static void free_batches(ksync_batch *bs, int nb)
{
    for (int i = 0; i < nb; i++)
        ksync_batch_free(&bs[i]);
    free(bs);
}

static double g_cpu;     /* CPU seconds of the last ingest() or bare() */

/* Stores the batches through khub_ingest, one transaction each; seconds. */
static double ingest(khub *h, ksync_batch *bs, int nb)
{
    kerr e = {0};
    double t0 = bench_now_s(), c0 = bench_cpu_s();
    for (int i = 0; i < nb; i++) {
        khub_source src = {NULL, khub_now_ms(), 1, "bench"};
        khub_result res;
        if (khub_ingest(h, &src, &bs[i], 1, &res, &e))
            bench_die(prog, "khub_ingest", e.msg);
    }
    g_cpu = bench_cpu_s() - c0;
    return bench_now_s() - t0;
}

/* A bare INSERT of the same rows (columns read beforehand) into the store
 * at path, one transaction; seconds. */
static double bare(const char *path, ksync_batch *bs, int nb)
{
    khub *h;
    kerr e = {0};
    if (khub_open(&h, path, &e))
        bench_die(prog, "khub_open", e.msg);
    int n = 0;
    for (int i = 0; i < nb; i++)
        n += bs[i].n;
    char **ev = calloc((size_t)n, sizeof *ev), **pid = calloc((size_t)n, sizeof *pid);
    for (int i = 0, j = 0; i < nb; i++)
        for (int r = 0; r < bs[i].n; r++, j++) {
            ev[j] = khub_field_text(bs[i].recs[r].fields, "event_id");
            pid[j] = khub_field_text(bs[i].recs[r].fields, "person_id");
        }
    sqlite3 *db = khub_db(h);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO records(id, tbl, device_id, seq, wall_ms, boot_id, mono_ms,"
                           " fields, corrected_ms, time_source, received_ms, event_id, person_id)"
                           " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", -1, &st, NULL) != SQLITE_OK)
        bench_die(prog, "prepare", sqlite3_errmsg(db));
    double t0 = bench_now_s(), c0 = bench_cpu_s();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int i = 0, j = 0; i < nb; i++)
        for (int k = 0; k < bs[i].n; k++, j++) {
            const ksync_record *r = &bs[i].recs[k];
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, r->table, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, bs[i].device_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, r->seq);
            sqlite3_bind_int64(st, 5, r->wall_ms);
            sqlite3_bind_text(st, 6, r->boot_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 7, r->mono_ms);
            sqlite3_bind_text(st, 8, r->fields, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 9, r->wall_ms);
            sqlite3_bind_text(st, 10, "kiosk", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 11, r->wall_ms);
            sqlite3_bind_text(st, 12, ev[j], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 13, pid[j], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                bench_die(prog, "bare insert", sqlite3_errmsg(db));
        }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        bench_die(prog, "commit", sqlite3_errmsg(db));
    double t = bench_now_s() - t0;
    g_cpu = bench_cpu_s() - c0;
    sqlite3_finalize(st);
    khub_close(h);
    for (int j = 0; j < n; j++) {
        free(ev[j]);
        free(pid[j]);
    }
    free(ev);
    free(pid);
    return t;
}

/* Copies a closed store file (WAL checkpointed at close). */
static void copy_file(const char *from, const char *to)
{
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
    if (system(cmd) != 0)
        bench_die(prog, "cp", from);
}

/* Ingest ÷ bare insert of the next RATIO_ROWS rows, REPS times: ingest into
 * the store at path (which grows), bare insert into a copy of it made just
 * before. */
static void ratio(const char *name, const char *label, const char *dir, const char *path)
{
    double r[REPS], ti[REPS], tb[REPS], rc[REPS];
    char copy[1100];
    snprintf(copy, sizeof copy, "%s/bare.db", dir);
    for (int k = 0; k < REPS; k++) {
        int nb;
        ksync_batch *bs = next_batches(RATIO_ROWS, &nb);
        copy_file(path, copy);
        tb[k] = bare(copy, bs, nb);
        double cb = g_cpu;
        khub *h;
        kerr e = {0};
        if (khub_open(&h, path, &e))
            bench_die(prog, "khub_open", e.msg);
        ti[k] = ingest(h, bs, nb);
        khub_close(h);
        r[k] = tb[k] / ti[k];
        rc[k] = cb / g_cpu;
        free_batches(bs, nb);
        unlink(copy);
    }
    qsort(r, REPS, sizeof r[0], bench_cmp_double);
    qsort(rc, REPS, sizeof rc[0], bench_cmp_double);
    qsort(ti, REPS, sizeof ti[0], bench_cmp_double);
    qsort(tb, REPS, sizeof tb[0], bench_cmp_double);
    printf("%s: ingest %.0f records/s, bare insert %.0f records/s (medians of %d)\n", label,
           RATIO_ROWS / bench_median(ti, REPS), RATIO_ROWS / bench_median(tb, REPS), REPS);
    char l2[300];
    snprintf(l2, sizeof l2, "%s: ingest / bare insert, wall time (goal >= 0.8)", label);
    bench_report(name, l2, r, REPS, 1, "ratio");
    char n2[128];
    snprintf(n2, sizeof n2, "%s_cpu", name);
    snprintf(l2, sizeof l2, "%s: the same in this process's CPU time (fsync waits left out)", label);
    bench_report(n2, l2, rc, REPS, 1, "ratio");
}

/* `events` in this process: open, every row, close; seconds (CPU into g_cpu). */
static double events_once(const char *path)
{
    khub *h;
    khub_rows *r;
    kerr e = {0};
    double t0 = bench_now_s(), c0 = bench_cpu_s();
    if (khub_open(&h, path, &e) || khub_query(h, KHUB_Q_EVENTS_LIST, NULL, 0, &r, &e))
        bench_die(prog, "events", e.msg);
    long n = 0;
    int rc;
    while ((rc = khub_rows_next(r, &e)) == 1)
        n++;
    if (rc != 0 || n < KIOSKS)
        bench_die(prog, "events", "too few rows");
    khub_rows_free(r);
    khub_close(h);
    g_cpu = bench_cpu_s() - c0;
    return bench_now_s() - t0;
}

/* The command `kiosk-hub events --store path`, output to /dev/null; seconds
 * (its CPU time, user and system, into g_cpu). */
static double events_cmd(const char *hub, const char *path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)hub, "events", "--store", (char *)path, NULL};
    pid_t pid;
    double t0 = bench_now_s();
    if (posix_spawn(&pid, hub, &fa, NULL, argv, environ) != 0)
        bench_die(prog, "spawn", hub);
    int st;
    struct rusage ru;
    wait4(pid, &st, 0, &ru);
    double t = bench_now_s() - t0;
    g_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
            ru.ru_stime.tv_usec / 1e6;
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        bench_die(prog, "kiosk-hub events", "failed");
    return t;
}

static void time_events(const char *path, const char *hub, const char *at)
{
    double t[9], c[9];
    char name[96], label[160];
    for (int k = 0; k < 9; k++) {
        t[k] = events_once(path);
        c[k] = g_cpu;
    }
    qsort(t, 9, sizeof t[0], bench_cmp_double);
    qsort(c, 9, sizeof c[0], bench_cmp_double);
    snprintf(name, sizeof name, "hub_events_%s_ms", at);
    snprintf(label, sizeof label, "events at %s records (open, query every event, close), wall", at);
    bench_report(name, label, t, 9, 1e3, "ms");
    snprintf(name, sizeof name, "hub_events_%s_cpu_ms", at);
    snprintf(label, sizeof label, "  the same, CPU time");
    bench_report(name, label, c, 9, 1e3, "ms");
    if (hub) {
        for (int k = 0; k < 9; k++) {
            t[k] = events_cmd(hub, path);
            c[k] = g_cpu;
        }
        qsort(t, 9, sizeof t[0], bench_cmp_double);
        qsort(c, 9, sizeof c[0], bench_cmp_double);
        snprintf(name, sizeof name, "hub_events_cmd_%s_ms", at);
        snprintf(label, sizeof label, "`kiosk-hub events` at %s records (the whole command), wall", at);
        bench_report(name, label, t, 9, 1e3, "ms");
        snprintf(name, sizeof name, "hub_events_cmd_%s_cpu_ms", at);
        snprintf(label, sizeof label, "  the same, the command's CPU time (user + system)");
        bench_report(name, label, c, 9, 1e3, "ms");
    }
}

/* The merged CSV of first_event, 9 times; median ms printed. */
static void time_export(const char *path, const char *dir, const char *at)
{
    khub *h;
    kerr e = {0};
    if (khub_open(&h, path, &e))
        bench_die(prog, "khub_open", e.msg);
    char out[1100], name[96], label[160];
    snprintf(out, sizeof out, "%s/event.csv", dir);
    double t[9], c[9];
    long rows = 0;
    for (int k = 0; k < 9; k++) {
        khub_export_opts o = {.event = first_event, .format = "csv", .path = out};
        double s = bench_now_s(), cs = bench_cpu_s();
        if (khub_export(h, &o, &rows, &e))
            bench_die(prog, "khub_export", e.msg);
        t[k] = bench_now_s() - s;
        c[k] = bench_cpu_s() - cs;
    }
    khub_close(h);
    unlink(out);
    qsort(t, 9, sizeof t[0], bench_cmp_double);
    qsort(c, 9, sizeof c[0], bench_cmp_double);
    snprintf(name, sizeof name, "hub_event_export_%s_ms", at);
    snprintf(label, sizeof label, "merged CSV of one event (%ld rows) at %s records, wall", rows, at);
    bench_report(name, label, t, 9, 1e3, "ms");
    snprintf(name, sizeof name, "hub_event_export_%s_cpu_ms", at);
    snprintf(label, sizeof label, "  the same, CPU time");
    bench_report(name, label, c, 9, 1e3, "ms");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_hub_scale DIR [RECORDS [KIOSK_HUB]]\n");
        return 2;
    }
    if (sodium_init() < 0)
        bench_die(prog, "sodium_init", "failed");
    const char *dir = argv[1];
    long total = argc > 2 ? atol(argv[2]) : 1000000;
    const char *hub = argc > 3 ? argv[3] : NULL;
    if (total < SLICE)
        total = SLICE;
    char path[1100], fresh[1100];
    snprintf(path, sizeof path, "%s/hub-scale.db", dir);
    snprintf(fresh, sizeof fresh, "%s/hub-fresh.db", dir);
    unlink(path);
    unlink(fresh);
    kiosks_init();
    /* fresh: ingest / bare on an empty store (its own stream position) */
    {
        khub *h;
        kerr e = {0};
        if (khub_open(&h, fresh, &e))
            bench_die(prog, "khub_open", e.msg);
        khub_close(h);
        ratio("hub_ingest_ratio_fresh", "fresh hub", dir, fresh);
        unlink(fresh);
        char side[1200];
        snprintf(side, sizeof side, "%s-wal", fresh);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", fresh);
        unlink(side);
    }
    kiosks_init();
    first_event[0] = '\0';
    khub *h;
    kerr e = {0};
    if (khub_open(&h, path, &e))
        bench_die(prog, "khub_open", e.msg);
    double first = 0, last = 0;
    for (long done = 0; done < total; done += SLICE) {
        int nb;
        ksync_batch *bs = next_batches(SLICE, &nb);
        double t = ingest(h, bs, nb);
        free_batches(bs, nb);
        printf("fill: records %ld-%ld: %.0f records/s\n", done + 1, done + SLICE, SLICE / t);
        fflush(stdout);
        if (done == 0)
            first = SLICE / t;
        last = SLICE / t;
        if (done == 0) {
            khub_close(h);
            time_export(path, dir, "100k");
            if (khub_open(&h, path, &e))
                bench_die(prog, "khub_open", e.msg);
        }
    }
    khub_close(h);
    printf("bench hub_fill_first_slice %.0f records/s\nbench hub_fill_last_slice %.0f records/s\n",
           first, last);
    char at[32];
    snprintf(at, sizeof at, "%ldk", total / 1000);
    if (total == 1000000)
        snprintf(at, sizeof at, "1m");
    time_events(path, hub, at);
    time_export(path, dir, at);
    char name[96], label[160];
    snprintf(name, sizeof name, "hub_ingest_ratio_%s", at);
    snprintf(label, sizeof label, "at %ld records", total);
    ratio(name, label, dir, path);
    if (!getenv("BENCH_KEEP"))      /* BENCH_KEEP=1 leaves the store for a look (EXPLAIN) */
        unlink(path);
    return 0;
}
