/*
 * bench_hub_export.c - the hub's merged attendance file of one event with
 * 10,000 people who checked in at 5 kiosks (issue 13's figure), on each
 * backend, in one run:
 *
 *   bench_hub_export DIR [PG_URI]
 *
 * DIR takes the SQLite hub file; PG_URI is a PostgreSQL server whose role
 * may create databases (tests/bench/run.sh starts a throwaway one), where a
 * new database is made and dropped.  The hub holds the event's records
 * (each kiosk's own event record, 2,000 sign-ups, their check-ins and one
 * survey answer each) and as many again of another event, so that the
 * export is measured picking its event out of a larger store.  Each export
 * (CSV, then XLSX) runs BENCH_REPS times into a file; the median and the
 * spread are printed, wall time and this process's CPU time, with
 * `bench NAME VALUE UNIT` lines.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "bench_hub.h"
#include "hub_export.h"
#include "hub_store.h"
#include "kclock.h"

#define BENCH_REPS 5
#define KIOSKS 5
#define PEOPLE_PER_KIOSK 2000
#define PER_BATCH 500

static const char *prog = "bench_hub_export";

/* Device d's records: its record of the event (the same name and date at
 * every kiosk, so the hub takes them for one event), then for each person
 * a sign-up, a check-in and an answer; then the same for another event. */
static void seed(khub *h, int d, char event_out[33])
{
    char dev[33], ev[2][33], person[33] = "";
    kerr e = {0};
    snprintf(dev, sizeof dev, "%08x%024x", 0xd0d0d000u + (unsigned)d, 0);
    krandom_id(ev[0]);
    krandom_id(ev[1]);
    memcpy(event_out, ev[0], 33);
    int64_t seq = 0;
    int total = 2 + 2 * PEOPLE_PER_KIOSK * 3;
    while (seq < total) {
        ksync_batch b;
        ksync_batch_init(&b);
        memcpy(b.device_id, dev, 33);
        krandom_id(b.batch_id);
        b.seq_from = seq + 1;
        snprintf(b.sent_boot_id, sizeof b.sent_boot_id, "0b0b0b0b-0000-4000-8000-00000000000%d", d);
        for (int k = 0; k < PER_BATCH && seq < total; k++) {
            ksync_record r;
            char f[512];
            memset(&r, 0, sizeof r);
            seq++;
            krandom_id(r.id);
            r.seq = seq;
            r.wall_ms = 1781337600000LL + seq * 1000LL;
            r.mono_ms = 60000 + seq * 1000LL;
            memcpy(r.boot_id, b.sent_boot_id, sizeof r.boot_id);
            int which = seq <= 2 ? (int)seq - 1 : (int)((seq - 3) / (3 * PEOPLE_PER_KIOSK));
            int step = seq <= 2 ? -1 : (int)((seq - 3) % 3);
            int person_no = seq <= 2 ? 0 : (int)((seq - 3) / 3) % PEOPLE_PER_KIOSK;
            if (step < 0) {
                snprintf(r.table, sizeof r.table, "events");
                snprintf(f, sizeof f, "{\"name\":\"%s\",\"program\":\"summer bootcamp\","
                         "\"date\":\"2026-07-%02d\",\"survey\":\"\",\"link\":\"\"}",
                         which ? "Bootcamp day 2" : "Bootcamp day 1", which + 1);
                memcpy(r.id, ev[which], 33);
            } else if (step == 0) {
                snprintf(r.table, sizeof r.table, "people");
                snprintf(f, sizeof f, "{\"given\":\"Hương %d-%d\",\"family\":\"Nguyễn\","
                         "\"phone\":\"408-555-%04d\",\"email\":\"\",\"zip\":\"95112\"}",
                         d, person_no, person_no);
                memcpy(person, r.id, sizeof person);
            } else if (step == 1) {
                snprintf(r.table, sizeof r.table, "checkins");
                snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"is_new\":1}",
                         person, ev[which]);
            } else {
                snprintf(r.table, sizeof r.table, "answers");
                snprintf(f, sizeof f, "{\"person_id\":\"%s\",\"event_id\":\"%s\",\"survey_key\":"
                         "\"daily\",\"survey_version\":1,\"question_key\":\"feeling\",\"value\":"
                         "\"%d\",\"lang\":\"vi\"}", person, ev[which], 1 + person_no % 5);
            }
            r.fields = strdup(f);
            if (ksync_batch_take(&b, &r, &e))
                bench_die(prog, "batch", e.msg);
        }
        b.seq_to = seq;
        b.sent_wall_ms = 1781337600000LL + seq * 1000LL;
        b.sent_mono_ms = 60000 + seq * 1000LL;
        khub_source src = {NULL, khub_now_ms(), 1, "bench"};
        khub_result res;
        if (khub_ingest(h, &src, &b, 1, &res, &e))
            bench_die(prog, "khub_ingest", e.msg);
        ksync_batch_free(&b);
    }
}

/* Seeds the store at spec, then times both exports of the event. */
static void run(const char *backend, const char *spec, const char *dir)
{
    khub *h;
    kerr e = {0};
    char event[33], path[512];
    if (khub_open(&h, spec, &e))
        bench_die(prog, "khub_open", e.msg);
    double t0 = bench_now_s();
    for (int d = 0; d < KIOSKS; d++)
        seed(h, d, event);
    printf("%s: %d records stored in %.1f s\n", backend, KIOSKS * (2 + 6 * PEOPLE_PER_KIOSK),
           bench_now_s() - t0);
    static const char *const formats[] = {"csv", "xlsx"};
    for (int f = 0; f < 2; f++) {
        double t[BENCH_REPS], cpu[BENCH_REPS];
        long rows = 0;
        snprintf(path, sizeof path, "%s/attendance.%s", dir, formats[f]);
        for (int k = 0; k < BENCH_REPS; k++) {
            khub_export_opts o = {.event = event, .format = formats[f], .path = path};
            double s = bench_now_s(), c = bench_cpu_s();
            if (khub_export(h, &o, &rows, &e))
                bench_die(prog, "khub_export", e.msg);
            t[k] = bench_now_s() - s;
            cpu[k] = bench_cpu_s() - c;
        }
        if (rows != KIOSKS * PEOPLE_PER_KIOSK)
            bench_die(prog, "khub_export", "wrong number of rows");
        char name[64], label[128];
        snprintf(name, sizeof name, "hub_export_10k_%s_%s_ms", formats[f], backend);
        snprintf(label, sizeof label, "%s: merged %s of 10,000 people from %d kiosks", backend,
                 formats[f], KIOSKS);
        bench_report(name, label, t, BENCH_REPS, 1e3, "ms");
        snprintf(name, sizeof name, "hub_export_10k_%s_%s_cpu_ms", formats[f], backend);
        snprintf(label, sizeof label, "  the hub process's own CPU time");
        bench_report(name, label, cpu, BENCH_REPS, 1e3, "ms");
        unlink(path);
    }
    khub_close(h);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_hub_export DIR [PG_URI]\n");
        return 2;
    }
    if (sodium_init() < 0)
        bench_die(prog, "sodium_init", "failed");
    char path[512];
    snprintf(path, sizeof path, "%s/bench-export-hub.db", argv[1]);
    unlink(path);
    run("sqlite", path, argv[1]);
    unlink(path);
    if (argc > 2) {
#ifdef KHUB_WITH_PG
        char uri[1024], name[40];
        bench_pg_new_db(prog, argv[2], uri, sizeof uri, name);
        run("pg", uri, argv[1]);
        bench_pg_drop_db(prog, argv[2], name);
#else
        fprintf(stderr, "bench_hub_export: built without PostgreSQL; %s not measured\n", argv[2]);
        return 1;
#endif
    }
    return 0;
}
