/*
 * bench_hub_pg.c - the hub on PostgreSQL (issue 13), in one run:
 *
 *   bench_hub_pg KIOSK_HUB URI [RECORDS [ingest]]      (ingest: figure 1 only)
 *
 * URI is a PostgreSQL server whose role may create databases (tests/bench/
 * run.sh starts a throwaway durable one with scripts/pg-test-server.sh);
 * every figure uses new databases of its own, dropped at the end.
 *
 *   1. ingest of RECORDS (default 100,000) records through the hub's store
 *      (ksync_batch_parse + khub_ingest, batches of KSYNC_BATCH_RECORDS, a
 *      commit each, every check of the exactly-once contract) into
 *      PostgreSQL, as a ratio to a raw COPY of the same rows into the same
 *      table in one transaction (goal >= 0.5);
 *   2. batches per second with 50 kiosks posting at once over HTTP to one
 *      `kiosk-hub serve` process, and to two on the same database (each
 *      kiosk talks to one of them), with the median and p99 latency of a
 *      batch.
 * Each figure is run BENCH_REPS times: the best, the median and the worst
 * are printed (the machine is shared), then `bench NAME VALUE UNIT` lines
 * with the median.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "bench_hub.h"
#include "hub_store.h"
#include "kclock.h"
#include "sync_config.h"

#define BENCH_REPS 3
#define KIOSKS 50
#define KIOSK_BATCHES 20        /* batches each kiosk posts */
#define KIOSK_BATCH_RECORDS 20  /* records per batch: a few sign-ups, as a busy door sends */

extern char **environ;

static const char *prog = "bench_hub_pg";

static const char *g_uri;

static void new_db(char *uri, size_t cap, char name[40])
{
    bench_pg_new_db(prog, g_uri, uri, cap, name);
}

static void drop_db(const char *name)
{
    bench_pg_drop_db(prog, g_uri, name);
}

/* One batch of records seq from..to of device dev: a person, then their
 * check-in, as bench_sync makes them. */
static void make_batch(ksync_batch *b, const char *dev, int64_t from, int64_t to)
{
    ksync_batch_init(b);
    memcpy(b->device_id, dev, 33);
    krandom_id(b->batch_id);
    b->seq_from = from;
    b->seq_to = to;
    b->sent_wall_ms = 1781337600000LL + to * 1000LL;
    b->sent_mono_ms = 60000 + to * 1000LL;
    snprintf(b->sent_boot_id, sizeof b->sent_boot_id, "0b0b0b0b-0000-4000-8000-000000000001");
    char person[33] = "";
    for (int64_t seq = from; seq <= to; seq++) {
        ksync_record r;
        memset(&r, 0, sizeof r);
        krandom_id(r.id);
        r.seq = seq;
        r.wall_ms = 1781337600000LL + seq * 1000LL;
        r.mono_ms = 60000 + seq * 1000LL;
        snprintf(r.boot_id, sizeof r.boot_id, "0b0b0b0b-0000-4000-8000-000000000001");
        char f[512];
        if (seq % 2) {
            snprintf(r.table, sizeof r.table, "people");
            snprintf(f, sizeof f, "{\"given\":\"Hương%" PRId64 "\",\"family\":\"Nguyễn\",\"phone\":"
                     "\"408-555-%04d\",\"email\":\"\",\"zip\":\"95112\"}", seq, (int)(seq % 10000));
            memcpy(person, r.id, sizeof person);
        } else {
            snprintf(r.table, sizeof r.table, "checkins");
            snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"is_new\":1}", person, dev);
        }
        r.fields = strdup(f);
        ksync_batch_take(b, &r, NULL);
    }
}

/* ---- figure 1: ingest vs raw COPY ------------------------------------------- */

static double time_ingest(char **bodies, int nb)
{
    char uri[1024], name[40];
    new_db(uri, sizeof uri, name);
    khub *h;
    kerr e = {0};
    if (khub_open(&h, uri, &e))
        bench_die(prog, "khub_open", e.msg);
    double t = bench_ingest_bodies(prog, h, bodies, nb);
    khub_close(h);
    drop_db(name);
    return t;
}

/* Appends a COPY text field (the benchmark's rows need no escapes but
 * backslashes, which JSON text may hold). */
static void copy_field(kbuf *out, const char *s, char end)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '\t' || *s == '\n')
            kbuf_add(out, "\\", 1);
        kbuf_add(out, s, 1);
    }
    kbuf_add(out, &end, 1);
}

/* The same rows, parsed beforehand (parsing is not part of a raw COPY),
 * by one COPY into the records table of a fresh hub database. */
static double time_copy(char **bodies, int nb)
{
    char uri[1024], name[40];
    new_db(uri, sizeof uri, name);
    khub *h;
    kerr e = {0};
    if (khub_open(&h, uri, &e))            /* the same schema, indexes and all */
        bench_die(prog, "khub_open", e.msg);
    khub_close(h);
    ksync_batch *all = calloc((size_t)nb, sizeof *all);
    for (int k = 0; k < nb; k++)
        ksync_batch_parse(bodies[k], strlen(bodies[k]), &all[k], &e);
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(prog, "connect", PQerrorMessage(c));
    kbuf line = {0};
    double t0 = bench_now_s();
    PQclear(PQexec(c, "BEGIN"));
    /* the columns ingest reads out of the fields (schema 4), read beforehand too */
    PGresult *r = PQexec(c, "COPY kiosk_hub.records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms,"
                            " fields, corrected_ms, time_source, received_ms, event_id, person_id)"
                            " FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        bench_die(prog, "COPY", PQerrorMessage(c));
    PQclear(r);
    for (int k = 0; k < nb; k++) {
        for (int i = 0; i < all[k].n; i++) {
            const ksync_record *x = &all[k].recs[i];
            kbuf_printf(&line, "%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64 "\t", all[k].device_id,
                        x->id, x->table, x->seq, x->wall_ms, x->boot_id, x->mono_ms);
            copy_field(&line, x->fields, '\t');
            kbuf_printf(&line, "%" PRId64 "\tkiosk\t%" PRId64 "\t", x->wall_ms, x->wall_ms);
            char *ev = khub_field_text(x->fields, "event_id"), *pid = khub_field_text(x->fields, "person_id");
            if (ev)
                copy_field(&line, ev, '\t');
            else
                kbuf_add(&line, "\\N\t", 3);
            if (pid)
                copy_field(&line, pid, '\n');
            else
                kbuf_add(&line, "\\N\n", 3);
            free(ev);
            free(pid);
        }
        if (PQputCopyData(c, line.p, (int)line.len) != 1)
            bench_die(prog, "COPY", PQerrorMessage(c));
        kbuf_reset(&line);
    }
    if (PQputCopyEnd(c, NULL) != 1)
        bench_die(prog, "COPY", PQerrorMessage(c));
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            bench_die(prog, "COPY", PQerrorMessage(c));
        PQclear(r);
    }
    r = PQexec(c, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die(prog, "COMMIT", PQerrorMessage(c));
    PQclear(r);
    double t = bench_now_s() - t0;
    kbuf_free(&line);
    PQfinish(c);
    for (int k = 0; k < nb; k++)
        ksync_batch_free(&all[k]);
    free(all);
    drop_db(name);
    return t;
}

static void bench_ingest(int n)
{
    int per = KSYNC_BATCH_RECORDS, nb = (n + per - 1) / per;
    char **bodies = calloc((size_t)nb, sizeof *bodies);
    char dev[33];
    krandom_id(dev);
    for (int k = 0; k < nb; k++) {
        ksync_batch b;
        make_batch(&b, dev, (int64_t)k * per + 1, k == nb - 1 ? n : (int64_t)(k + 1) * per);
        kbuf out = {0};
        ksync_batch_encode(&b, &out, NULL);
        bodies[k] = out.p;
        ksync_batch_free(&b);
    }
    double ratio[BENCH_REPS], ti[BENCH_REPS], tc[BENCH_REPS];
    for (int rep = 0; rep < BENCH_REPS; rep++) {
        ti[rep] = time_ingest(bodies, nb);
        tc[rep] = time_copy(bodies, nb);
        ratio[rep] = tc[rep] / ti[rep];      /* (n / ti) / (n / tc) */
    }
    qsort(ratio, BENCH_REPS, sizeof ratio[0], bench_cmp_double);
    qsort(ti, BENCH_REPS, sizeof ti[0], bench_cmp_double);
    qsort(tc, BENCH_REPS, sizeof tc[0], bench_cmp_double);
    int m = BENCH_REPS / 2;
    printf("1. ingest into PostgreSQL: %.0f records/s median (best %.0f, worst %.0f); %d batches of %d,"
           " a commit each\n", n / ti[m], n / ti[0], n / ti[BENCH_REPS - 1], nb, per);
    printf("   raw COPY, same rows:     %.0f records/s median (best %.0f, worst %.0f); one transaction\n",
           n / tc[m], n / tc[0], n / tc[BENCH_REPS - 1]);
    printf("   ratio ingest / COPY:     %.2f median (%.2f .. %.2f over %d runs; goal >= 0.5)\n", ratio[m],
           ratio[0], ratio[BENCH_REPS - 1], BENCH_REPS);
    printf("bench pg_ingest_records_per_s %.0f records/s\n", n / ti[m]);
    printf("bench pg_copy_records_per_s %.0f records/s\n", n / tc[m]);
    printf("bench pg_ingest_vs_copy %.2f ratio\n", ratio[m]);
    for (int k = 0; k < nb; k++)
        free(bodies[k]);
    free(bodies);
}

/* ---- figure 2: 50 kiosks over HTTP ------------------------------------------ */

typedef struct hubproc {
    pid_t pid;
    int port;
} hubproc;

/* Starts `kiosk-hub serve --store uri` on 127.0.0.1:0 and reads its port. */
static hubproc start_hub(const char *exe, const char *uri)
{
    int fds[2];
    if (pipe(fds) != 0)
        bench_die(prog, "pipe", "failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
    char *argv[] = {(char *)exe, "serve", "--store", (char *)uri, "--listen", "127.0.0.1:0", NULL};
    hubproc hp = {0, 0};
    if (posix_spawn(&hp.pid, exe, &fa, NULL, argv, environ) != 0)
        bench_die(prog, "posix_spawn", exe);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    if (!f || !fgets(line, sizeof line, f))
        bench_die(prog, "hub", "did not start");
    const char *u = strstr(line, "127.0.0.1:");
    if (!u)
        bench_die(prog, "hub first line", line);
    hp.port = atoi(u + 10);
    /* the rest of its log goes nowhere (a full pipe would block the hub) */
    if (fork() == 0) {
        while (fgets(line, sizeof line, f))
            ;
        _exit(0);
    }
    fclose(f);
    return hp;
}

static void stop_hub(hubproc hp)
{
    kill(hp.pid, SIGTERM);
    waitpid(hp.pid, NULL, 0);
}

typedef struct kiosk {
    int port;
    char token[KHUB_TOKEN_LEN + 1];
    char dev[33];
    double *lat;        /* KIOSK_BATCHES latencies, s */
    int failed;
} kiosk;

/* POSTs one body over a new connection; 1 if the hub said 200. */
static int post(int port, const char *token, const char *body, size_t len)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        if (s >= 0)
            close(s);
        return 0;
    }
    char head[512];
    int hl = snprintf(head, sizeof head, "POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", token, len);
    int ok = send(s, head, (size_t)hl, MSG_NOSIGNAL) == hl &&
             send(s, body, len, MSG_NOSIGNAL) == (ssize_t)len;
    char resp[256];
    ssize_t got = ok ? recv(s, resp, sizeof resp - 1, MSG_WAITALL) : -1;
    close(s);
    if (got < 12)
        return 0;
    resp[got] = '\0';
    return strncmp(resp + 9, "200", 3) == 0;
}

static void *kiosk_run(void *arg)
{
    kiosk *k = arg;
    for (int i = 0; i < KIOSK_BATCHES; i++) {
        ksync_batch b;
        make_batch(&b, k->dev, (int64_t)i * KIOSK_BATCH_RECORDS + 1,
                   (int64_t)(i + 1) * KIOSK_BATCH_RECORDS);
        kbuf body = {0};
        ksync_batch_encode(&b, &body, NULL);
        ksync_batch_free(&b);
        double t0 = bench_now_s();
        int ok = 0;
        for (int tries = 0; tries < 20 && !ok; tries++)
            ok = post(k->port, k->token, body.p, body.len);
        k->lat[i] = bench_now_s() - t0;
        if (!ok)
            k->failed++;
        kbuf_free(&body);
    }
    return NULL;
}

/* One run: KIOSKS kiosks over nhubs hubs; returns batches/s, fills p50/p99. */
static double kiosks_once(const char *exe, int nhubs, double *p50, double *p99)
{
    char uri[1024], name[40];
    new_db(uri, sizeof uri, name);
    khub *h;
    kerr e = {0};
    if (khub_open(&h, uri, &e))
        bench_die(prog, "khub_open", e.msg);
    hubproc hubs[2];
    for (int i = 0; i < nhubs; i++)
        hubs[i] = start_hub(exe, uri);
    kiosk *ks = calloc(KIOSKS, sizeof *ks);
    double *lat = calloc(KIOSKS * KIOSK_BATCHES, sizeof *lat);
    for (int i = 0; i < KIOSKS; i++) {
        char dname[32];
        unsigned char pk[32];
        randombytes_buf(pk, sizeof pk);
        krandom_id(ks[i].dev);
        snprintf(dname, sizeof dname, "door-%d", i);
        if (khub_device_add_bound(h, dname, ks[i].dev, pk, ks[i].token, &e))
            bench_die(prog, "device add", e.msg);
        ks[i].port = hubs[i % nhubs].port;
        ks[i].lat = lat + i * KIOSK_BATCHES;
    }
    khub_close(h);
    pthread_t th[KIOSKS];
    double t0 = bench_now_s();
    for (int i = 0; i < KIOSKS; i++)
        pthread_create(&th[i], NULL, kiosk_run, &ks[i]);
    int failed = 0;
    for (int i = 0; i < KIOSKS; i++) {
        pthread_join(th[i], NULL);
        failed += ks[i].failed;
    }
    double t = bench_now_s() - t0;
    for (int i = 0; i < nhubs; i++)
        stop_hub(hubs[i]);
    if (failed)
        fprintf(stderr, "bench_hub_pg: %d batches not accepted\n", failed);
    qsort(lat, KIOSKS * KIOSK_BATCHES, sizeof *lat, bench_cmp_double);
    *p50 = lat[KIOSKS * KIOSK_BATCHES / 2];
    *p99 = lat[KIOSKS * KIOSK_BATCHES * 99 / 100];
    free(lat);
    free(ks);
    drop_db(name);
    return KIOSKS * KIOSK_BATCHES / t;
}

static void bench_kiosks(const char *exe, int nhubs)
{
    double rate[BENCH_REPS], p50[BENCH_REPS], p99[BENCH_REPS];
    for (int rep = 0; rep < BENCH_REPS; rep++)
        rate[rep] = kiosks_once(exe, nhubs, &p50[rep], &p99[rep]);
    qsort(rate, BENCH_REPS, sizeof *rate, bench_cmp_double);
    qsort(p50, BENCH_REPS, sizeof *p50, bench_cmp_double);
    qsort(p99, BENCH_REPS, sizeof *p99, bench_cmp_double);
    int m = BENCH_REPS / 2;
    printf("2. %d kiosks, %d hub process%s on one database: %.0f batches/s median (%.0f .. %.0f);"
           " latency p50 %.1f ms, p99 %.1f ms (medians; p99 %.1f .. %.1f)\n", KIOSKS, nhubs,
           nhubs > 1 ? "es" : "", rate[m], rate[0], rate[BENCH_REPS - 1], p50[m] * 1e3, p99[m] * 1e3,
           p99[0] * 1e3, p99[BENCH_REPS - 1] * 1e3);
    printf("bench pg_%dhub_batches_per_s %.0f batches/s\n", nhubs, rate[m]);
    printf("bench pg_%dhub_p99_ms %.1f ms\n", nhubs, p99[m] * 1e3);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_hub_pg KIOSK_HUB URI [RECORDS [ingest]]\n");
        return 2;
    }
    if (sodium_init() < 0)
        bench_die(prog, "sodium_init", "failed");
    signal(SIGPIPE, SIG_IGN);
    g_uri = argv[2];
    int n = argc > 3 ? atoi(argv[3]) : 100000;
    printf("== the hub on PostgreSQL (%d records; %d kiosks x %d batches of %d records; %d runs each)\n", n,
           KIOSKS, KIOSK_BATCHES, KIOSK_BATCH_RECORDS, BENCH_REPS);
    bench_ingest(n);
    if (argc > 4 && strcmp(argv[4], "ingest") == 0)
        return 0;               /* figure 1 only (to read the server's statement log) */
    bench_kiosks(argv[1], 1);
    bench_kiosks(argv[1], 2);
    return 0;
}
