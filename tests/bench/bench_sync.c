/*
 * bench_sync.c - how fast sync is, in one run (on demand:
 * `cmake --build BUILD --target bench-sync`, or
 * `bench_sync PATH/kiosk-hub PATH/ksync-tool [RECORDS]`).
 *
 * Prints three figures:
 *   1. hub ingest rate: records per second through ksync_batch_parse +
 *      khub_ingest (batches of KSYNC_BATCH_RECORDS, one transaction each,
 *      synchronous=FULL), as a ratio to a bare bulk insert of the same rows
 *      into the same table in one transaction (goal >= 0.5);
 *   2. time for a kiosk to sync a backlog of 10,000 records to a real
 *      kiosk-hub over loopback (goal < 2 s);
 *   3. bytes sent per check-in (request bodies; a sign-up is a person and a
 *      check-in record) and per record.
 * Everything runs in a fresh temporary folder under $BENCH_SYNC_DIR (default
 * /tmp), on 127.0.0.1 only.  The ratio depends on the disk's fsync time
 * (the ingest commits once per batch, the bare insert once in all): on a
 * busy shared disk it varies from run to run, hence best of 3.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "client.h"
#include "hub_store.h"
#include "sync_config.h"

extern char **environ;

/* Monotonic seconds. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Dies with a message. */
static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_sync: %s: %s\n", what, msg);
    exit(1);
}

/* Builds the bodies of n records of a realistic mix (a person, then their
 * check-in) in batches of per records. */
static char **make_bodies(int n, int per, int *nbodies)
{
    int nb = (n + per - 1) / per;
    char **bodies = calloc((size_t)nb, sizeof *bodies);
    char dev[33];
    krandom_id(dev);
    int seq = 0;
    for (int k = 0; k < nb; k++) {
        ksync_batch b;
        ksync_batch_init(&b);
        memcpy(b.device_id, dev, sizeof dev);
        krandom_id(b.batch_id);
        b.seq_from = seq + 1;
        b.sent_wall_ms = 1781337600000LL + n * 1000LL;
        b.sent_mono_ms = 60000 + n * 1000LL;
        snprintf(b.sent_boot_id, sizeof b.sent_boot_id, "0b0b0b0b-0000-4000-8000-000000000001");
        char person[33] = "";
        for (int i = 0; i < per && seq < n; i++) {
            ksync_record r;
            memset(&r, 0, sizeof r);
            seq++;
            krandom_id(r.id);
            r.seq = seq;
            r.wall_ms = 1781337600000LL + seq * 1000LL;
            r.mono_ms = 60000 + seq * 1000LL;
            snprintf(r.boot_id, sizeof r.boot_id, "0b0b0b0b-0000-4000-8000-000000000001");
            char f[512];
            if (seq % 2) {
                snprintf(r.table, sizeof r.table, "people");
                snprintf(f, sizeof f, "{\"given\":\"Hương%d\",\"family\":\"Nguyễn\",\"phone\":\"408-555-%04d\","
                         "\"email\":\"\",\"zip\":\"95112\"}", seq, seq % 10000);
                memcpy(person, r.id, sizeof person);
            } else {
                snprintf(r.table, sizeof r.table, "checkins");
                snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"is_new\":1}", person, dev);
            }
            r.fields = strdup(f);
            ksync_batch_take(&b, &r, NULL);
        }
        b.seq_to = seq;
        kbuf out = {0};
        ksync_batch_encode(&b, &out, NULL);
        bodies[k] = out.p;
        ksync_batch_free(&b);
    }
    *nbodies = nb;
    return bodies;
}

/* One timed ingest of the bodies into a fresh store; returns seconds. */
static double time_ingest(const char *dir, int rep, char **bodies, int nb)
{
    char path[256];
    kerr e = {0};
    snprintf(path, sizeof path, "%s/ingest%d.db", dir, rep);
    khub *h;
    if (khub_open(&h, path, &e))
        die("khub_open", e.msg);
    double t0 = now_s();
    for (int k = 0; k < nb; k++) {
        ksync_batch b;
        if (ksync_batch_parse(bodies[k], strlen(bodies[k]), &b, &e))
            die("parse", e.msg);
        khub_source src = {NULL, khub_now_ms(), 1, "bench"};
        khub_result res;
        if (khub_ingest(h, &src, &b, 1, &res, &e))
            die("khub_ingest", e.msg);
        ksync_batch_free(&b);
    }
    double t_ingest = now_s() - t0;
    khub_close(h);
    return t_ingest;
}

/* One timed bare insert of the same rows, parsed beforehand (parsing is
 * not part of a bare insert), into the same table of a fresh store, in one
 * transaction; returns seconds. */
static double time_bare(const char *dir, int rep, char **bodies, int nb)
{
    char path[256];
    kerr e = {0};
    khub *h;
    snprintf(path, sizeof path, "%s/bare%d.db", dir, rep);
    if (khub_open(&h, path, &e))
        die("khub_open", e.msg);
    ksync_batch *all = calloc((size_t)nb, sizeof *all);
    for (int k = 0; k < nb; k++)
        ksync_batch_parse(bodies[k], strlen(bodies[k]), &all[k], &e);
    sqlite3 *db = khub_db(h);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO records(id, tbl, device_id, seq, wall_ms, boot_id, mono_ms, fields,"
                       " corrected_ms, time_source, received_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                       -1, &st, NULL);
    double t0 = now_s();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < all[k].n; i++) {
            const ksync_record *r = &all[k].recs[i];
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, r->table, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, all[k].device_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, r->seq);
            sqlite3_bind_int64(st, 5, r->wall_ms);
            sqlite3_bind_text(st, 6, r->boot_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 7, r->mono_ms);
            sqlite3_bind_text(st, 8, r->fields, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 9, r->wall_ms);
            sqlite3_bind_text(st, 10, "kiosk", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 11, r->wall_ms);
            if (sqlite3_step(st) != SQLITE_DONE)
                die("bare insert", sqlite3_errmsg(db));
        }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t_bare = now_s() - t0;
    sqlite3_finalize(st);
    khub_close(h);
    for (int k = 0; k < nb; k++)
        ksync_batch_free(&all[k]);
    free(all);
    return t_bare;
}

/* Figure 1: ingest vs bare insert, best of BENCH_REPS runs each (the disk's
 * fsync time varies from run to run); returns the ratio. */
#define BENCH_REPS 3
static double bench_ingest(const char *dir, int n)
{
    int nb;
    char **bodies = make_bodies(n, KSYNC_BATCH_RECORDS, &nb);
    double t_ingest = 1e9, t_bare = 1e9;
    for (int rep = 0; rep < BENCH_REPS; rep++) {
        double ti = time_ingest(dir, rep, bodies, nb), tb = time_bare(dir, rep, bodies, nb);
        if (ti < t_ingest)
            t_ingest = ti;
        if (tb < t_bare)
            t_bare = tb;
    }
    for (int k = 0; k < nb; k++)
        free(bodies[k]);
    free(bodies);
    double r_ingest = n / t_ingest, r_bare = n / t_bare;
    printf("1. hub ingest:  %.0f records/s (parse + exactly-once store, %d batches of %d, fsync each)\n"
           "   bare insert: %.0f records/s (same rows, same table, one transaction)\n"
           "   ratio:       %.2f  (goal >= 0.5; best of %d runs each)\n", r_ingest, nb,
           KSYNC_BATCH_RECORDS, r_bare, r_ingest / r_bare, BENCH_REPS);
    return r_ingest / r_bare;
}

/* Runs a command and returns the first line of its output (static). */
static const char *first_line(const char *cmd)
{
    static char line[512];
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(line, sizeof line, p))
        die("popen", cmd);
    pclose(p);
    line[strcspn(line, "\r\n")] = '\0';
    return line;
}

/* Figure 2 and 3: a 10k backlog synced to a real hub over loopback. */
static double bench_loopback(const char *dir, const char *hub, const char *tool, double *per_checkin,
                             double *per_record)
{
    char cmd[2048], store[256], kdir[256];
    snprintf(store, sizeof store, "%s/hub.db", dir);
    snprintf(kdir, sizeof kdir, "%s/kiosk", dir);
    snprintf(cmd, sizeof cmd, "'%s' device add bench --store '%s' 2>/dev/null", hub, store);
    char token[512];
    snprintf(token, sizeof token, "%s", first_line(cmd));
    /* 5000 sign-ups = 1 event + 5000 people + 5000 check-ins = 10,001 records */
    snprintf(cmd, sizeof cmd, "'%s' fixture '%s' --people 5000 >/dev/null", tool, kdir);
    if (system(cmd) != 0)
        die("fixture", cmd);

    int fds[2];
    if (pipe(fds) != 0)
        die("pipe", "failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *argv[] = {(char *)hub, "serve", "--store", store, "--listen", "127.0.0.1:0", NULL};
    pid_t pid;
    if (posix_spawn(&pid, hub, &fa, NULL, argv, environ) != 0)
        die("posix_spawn", hub);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    char line[512] = "", url[128] = "";
    if (!fgets(line, sizeof line, out))
        die("hub", "no listening line");
    const char *u = strstr(line, "\"url\":\"");
    if (!u || sscanf(u + 7, "%127[^\"]", url) != 1)
        die("hub", line);

    kerr e = {0};
    int confirmed = 0;
    if (ksync_global_init(&e) || ksync_pair(kdir, url, token, NULL, &confirmed, &e) || !confirmed)
        die("pair", e.msg);
    ksync_report rep;
    double t0 = now_s();
    int rc = ksync_run(kdir, NULL, &rep, &e);
    double t = now_s() - t0;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    fclose(out);
    if (rc)
        die("ksync_run", e.msg);
    *per_record = (double)rep.bytes_sent / (double)rep.sent;
    *per_checkin = (double)rep.bytes_sent / 5000.0;
    printf("2. sync of a %" PRId64 "-record backlog over loopback: %.3f s in %d batches (goal < 2 s)\n",
           rep.sent, t, rep.batches);
    printf("3. bytes sent: %.0f per sign-up (person + check-in), %.0f per record "
           "(request bodies, %" PRId64 " bytes)\n", *per_checkin, *per_record, rep.bytes_sent);
    return t;
}

/* Entry point. */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sync KIOSK_HUB KSYNC_TOOL [RECORDS]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 20000;
    /* BENCH_SYNC_DIR picks the disk measured (default /tmp) */
    const char *base = getenv("BENCH_SYNC_DIR");
    char dir[160];
    if (snprintf(dir, sizeof dir, "%s/bench-sync-XXXXXX", base && *base ? base : "/tmp") >= (int)sizeof dir)
        die("BENCH_SYNC_DIR", "path too long");
    if (!mkdtemp(dir))
        die("mkdtemp", "failed");
    double ratio = bench_ingest(dir, n);
    double pc, pr;
    double t = bench_loopback(dir, argv[1], argv[2], &pc, &pr);
    printf("summary: ingest_ratio=%.2f sync_10k_s=%.3f bytes_per_signup=%.0f bytes_per_record=%.0f\n", ratio, t,
           pc, pr);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sync: could not remove %s\n", dir);
    return 0;
}
