/*
 * bench_hub.h - what the hub's benchmarks share (after bench_util.h): a
 * timed ingest of encoded batches through the store, and throwaway
 * PostgreSQL databases on a server whose role may create them.
 * Header-only, like bench_util.h; prog is the including program's name.
 */
#ifndef KIOSK_BENCH_HUB_H
#define KIOSK_BENCH_HUB_H

#include <string.h>

#include "batch.h"
#include "bench_util.h"
#include "hub_store.h"
#include "kclock.h"
#ifdef KHUB_WITH_PG
#include <libpq-fe.h>
#endif

/* Parses and ingests nb encoded batches, one transaction each, as the
 * server does; returns the seconds it took. */
static inline double bench_ingest_bodies(const char *prog, khub *h, char **bodies, int nb)
{
    kerr e = {0};
    double t0 = bench_now_s();
    for (int k = 0; k < nb; k++) {
        ksync_batch b;
        if (ksync_batch_parse(bodies[k], strlen(bodies[k]), &b, &e))
            bench_die(prog, "parse", e.msg);
        khub_source src = {NULL, khub_now_ms(), 1, "bench"};
        khub_result res;
        if (khub_ingest(h, &src, &b, 1, &res, &e))
            bench_die(prog, "khub_ingest", e.msg);
        ksync_batch_free(&b);
    }
    return bench_now_s() - t0;
}

#ifdef KHUB_WITH_PG
/* Runs SQL on the server's own database (CREATE/DROP DATABASE). */
static inline void bench_pg_admin(const char *prog, const char *server, const char *sql)
{
    PGconn *c = PQconnectdb(server);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(prog, "connect", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die(prog, sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A new empty database on server: its URI into uri, its name into name. */
static inline void bench_pg_new_db(const char *prog, const char *server, char *uri, size_t cap,
                                   char name[40])
{
    char id[33], sql[128];
    krandom_id(id);
    snprintf(name, 40, "khub_bench_%.16s", id);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    bench_pg_admin(prog, server, sql);
    snprintf(uri, cap, "%s%sdbname=%s", server, strchr(server, '?') ? "&" : "?", name);
}

/* Drops it.  A hub process just stopped may still hold a connection for a
 * moment: the drop is retried for up to 10 s before it counts as failed. */
static inline void bench_pg_drop_db(const char *prog, const char *server, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\"", name);
    PGconn *c = PQconnectdb(server);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(prog, "connect", PQerrorMessage(c));
    for (int tries = 0;; tries++) {
        PGresult *r = PQexec(c, sql);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok)
            break;
        if (tries == 100)
            bench_die(prog, sql, PQerrorMessage(c));
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    PQfinish(c);
}
#endif

#endif
