/*
 * ksync_tool.c - test driver for sync: stands in for the kiosk binary's
 * `kiosk sync ...` commands (kiosk/main.c calls the same ksync_cli) and
 * makes kiosk database fixtures with the schema of kiosk/core/store.h.
 *
 *   ksync-tool fixture DIR [--people N] [--event NAME] [--date YYYY-MM-DD]
 *                          [--wall-ms W] [--mono-ms M] [--boot-id B]
 *                          [--person GIVEN,FAMILY,PHONE,EMAIL]
 *       adds to (or creates) DIR/kiosk.db: the event (reused if this kiosk
 *       has one of that name), then N generated people and the --person,
 *       each signed up and checked in; record i is stamped wall W + 1000 i,
 *       mono M + 1000 i.  Prints the event id.
 *   ksync-tool store DIR N
 *       the same through the real kiosk store (kstore): one event, N
 *       sign-ups; prints the event id.
 *   ksync-tool signup DIR EVENT_ID GIVEN FAMILY [PHONE [EMAIL [ZIP]]]
 *       one sign-up through the real store; prints the person's id.
 *   ksync-tool search DIR QUERY [EVENT_ID]
 *       the kiosk's search (kstore_search_event), one JSON object a line.
 *   ksync-tool checkin DIR PERSON_ID EVENT_ID
 *   ksync-tool events DIR
 *       the staff screen's event list (kstore_event_each): id TAB name.
 *   ksync-tool roster DIR
 *       counts of what the hub's roster put in the store, as JSON.
 *   ksync-tool sync DIR [--clock WALL_MS,MONO_MS,BOOT_ID] [ARGS...]
 *       = kiosk --data DIR sync ARGS..., optionally with a fixed clock.
 *   ksync-tool bg DIR SECONDS INTERVAL_MS
 *       runs the background sync for SECONDS, adding one check-in every
 *       50 ms as the screen would, and prints the worst time the "screen"
 *       waited for ksync_bg_status and for a store write, then the status.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "kclock.h"
#include "store.h"
#include "sync_bg.h"
#include "sync_cli.h"

static const char *const fixture_schema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(id TEXT PRIMARY KEY, device_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,"
    " name TEXT NOT NULL, program TEXT NOT NULL, date TEXT NOT NULL, UNIQUE(device_id, seq));"
    "CREATE TABLE IF NOT EXISTS people(id TEXT PRIMARY KEY, device_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,"
    " given TEXT NOT NULL, family TEXT NOT NULL, phone TEXT NOT NULL, email TEXT NOT NULL,"
    " zip TEXT NOT NULL, name_key TEXT NOT NULL, UNIQUE(device_id, seq));"
    "CREATE TABLE IF NOT EXISTS checkins(id TEXT PRIMARY KEY, device_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,"
    " person_id TEXT NOT NULL, event_id TEXT NOT NULL, is_new INTEGER NOT NULL,"
    " UNIQUE(person_id, event_id), UNIQUE(device_id, seq));";

typedef struct fixture {
    sqlite3 *db;
    char device_id[33];
    int64_t seq, wall, mono;
    const char *boot;
} fixture;

/* Dies with a message. */
static void die(const char *what, const char *msg)
{
    fprintf(stderr, "ksync-tool: %s: %s\n", what, msg);
    exit(1);
}

/* Runs SQL or dies. */
static void run(sqlite3 *db, const char *sql)
{
    char *e = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
        die("sqlite3_exec", e ? e : "?");
}

/* Reads a meta value into buf ("" if unset). */
static void meta_get(sqlite3 *db, const char *key, char *buf, size_t cap)
{
    sqlite3_stmt *st;
    buf[0] = '\0';
    sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, cap, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Writes a meta value. */
static void meta_set(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        die("meta", sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

/* Inserts one record: stamps plus text/int values of the remaining columns. */
static void insert(fixture *f, const char *sql, const char *id, const char *const *vals, int nvals,
                   int64_t last_int)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(f->db));
    f->seq++;
    int64_t i = f->seq;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f->seq);
    sqlite3_bind_int64(st, 4, f->wall + 1000 * i);
    sqlite3_bind_text(st, 5, f->boot, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, f->mono + 1000 * i);
    for (int v = 0; v < nvals; v++)
        sqlite3_bind_text(st, 7 + v, vals[v], -1, SQLITE_STATIC);
    if (last_int >= 0)
        sqlite3_bind_int64(st, 7 + nvals, last_int);
    if (sqlite3_step(st) != SQLITE_DONE)
        die("insert", sqlite3_errmsg(f->db));
    sqlite3_finalize(st);
}

/* Signs a person up and checks them in at event_id. */
static void signup(fixture *f, const char *event_id, const char *given, const char *family,
                   const char *phone, const char *email)
{
    char pid[33], cid[33], key[300];
    krandom_id(pid);
    krandom_id(cid);
    snprintf(key, sizeof key, "%s %s", given, family);
    const char *pv[] = {given, family, phone, email, "95112", key};
    insert(f, "INSERT INTO people VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)", pid, pv, 6, -1);
    const char *cv[] = {pid, event_id};
    insert(f, "INSERT INTO checkins VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", cid, cv, 2, 1);
}

/* ksync-tool fixture DIR ... */
static int cmd_fixture(int argc, char **argv)
{
    const char *dir = argv[0], *event = "Community Workshop", *date = "2026-06-13";
    const char *boot = "0b0b0b0b-0000-4000-8000-000000000001", *person = NULL;
    int people = 0;
    int64_t wall = 1781337600000LL, mono = 60000;   /* 2026-06-13T08:00:00Z */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--people") == 0) people = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--event") == 0) event = argv[i + 1];
        else if (strcmp(argv[i], "--date") == 0) date = argv[i + 1];
        else if (strcmp(argv[i], "--wall-ms") == 0) wall = strtoll(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--mono-ms") == 0) mono = strtoll(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--boot-id") == 0) boot = argv[i + 1];
        else if (strcmp(argv[i], "--person") == 0) person = argv[i + 1];
        else die("fixture", "unknown option");
    }
    mkdir(dir, 0755);
    char path[4200];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    fixture f = {0};
    if (sqlite3_open(path, &f.db) != SQLITE_OK)
        die(path, sqlite3_errmsg(f.db));
    sqlite3_busy_timeout(f.db, 5000);
    run(f.db, fixture_schema);
    run(f.db, "BEGIN IMMEDIATE");
    meta_get(f.db, "device_id", f.device_id, sizeof f.device_id);
    if (!f.device_id[0]) {
        krandom_id(f.device_id);
        meta_set(f.db, "device_id", f.device_id);
    }
    char buf[64];
    meta_get(f.db, "next_seq", buf, sizeof buf);
    f.seq = buf[0] ? strtoll(buf, NULL, 10) - 1 : 0;
    f.wall = wall - 1000 * (f.seq + 1);   /* the next record gets exactly wall */
    f.mono = mono - 1000 * (f.seq + 1);
    f.boot = boot;
    char event_id[33] = "";
    sqlite3_stmt *st;
    sqlite3_prepare_v2(f.db, "SELECT id FROM events WHERE name = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, event, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(event_id, sizeof event_id, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!event_id[0]) {
        krandom_id(event_id);
        const char *ev[] = {event, "general", date};
        insert(&f, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", event_id, ev, 3, -1);
    }
    static const char *const given[] = {"Hương", "Wei", "Ji-ho", "Maria", "Sokha", "Malia", "Aroha", "José"};
    static const char *const family[] = {"Nguyễn", "Chen", "Kim", "Santos", "Chea", "Tuilagi", "Ngata", "Peña"};
    for (int i = 0; i < people; i++) {
        char g[64], fam[64], phone[32], email[64];
        snprintf(g, sizeof g, "%s%d", given[i % 8], i);
        snprintf(fam, sizeof fam, "%s", family[(i / 8) % 8]);
        snprintf(phone, sizeof phone, "408-%03d-%04d", (i / 10000) % 1000, i % 10000);
        snprintf(email, sizeof email, "%s", i % 3 ? "" : "someone@example.org");
        signup(&f, event_id, g, fam, phone, email);
    }
    if (person) {
        char copy[512], *parts[4] = {"", "", "", ""};
        snprintf(copy, sizeof copy, "%s", person);
        char *save = NULL, *p = copy;
        for (int k = 0; k < 4; k++) {
            char *comma = strchr(p, ',');
            parts[k] = p;
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        (void)save;
        signup(&f, event_id, parts[0], parts[1], parts[2], parts[3]);
    }
    snprintf(buf, sizeof buf, "%" PRId64, f.seq + 1);
    meta_set(f.db, "next_seq", buf);
    run(f.db, "COMMIT");
    sqlite3_close(f.db);
    printf("%s\n", event_id);
    return 0;
}

/* ksync-tool store DIR N: sign-ups through kstore itself. */
static int cmd_store(int argc, char **argv)
{
    if (argc != 2)
        die("store", "usage: store DIR N");
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    kerr e = {0};
    if (kstore_open(&s, argv[0], &clock, &e))
        die("kstore_open", e.msg);
    kevent ev;
    if (kstore_event_add(s, "Store Night", "general", "2026-06-13", &ev, &e))
        die("kstore_event_add", e.msg);
    int n = atoi(argv[1]);
    if (n > 100 && kstore_batch_begin(s, &e))
        die("kstore_batch_begin", e.msg);
    for (int i = 0; i < n; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "Sokha%d", i);
        snprintf(p.family, sizeof p.family, "Chea");
        snprintf(p.phone, sizeof p.phone, "408-555-%04d", i);
        if (kstore_signup(s, &p, ev.id, &e))
            die("kstore_signup", e.msg);
    }
    if (n > 100 && kstore_batch_commit(s, &e))
        die("kstore_batch_commit", e.msg);
    kstore_close(s);
    printf("%s\n", ev.id);
    return 0;
}

/* Opens the real store of dir or dies. */
static kstore *open_store(const char *dir, kclock *clock)
{
    kclock_system(clock);
    kstore *s;
    kerr e = {0};
    if (kstore_open(&s, dir, clock, &e))
        die("kstore_open", e.msg);
    return s;
}

/* Prints a JSON string (enough escaping for names). */
static void json_str(const char *t)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static int print_event(const kevent *e, void *ctx)
{
    (void)ctx;
    printf("%s\t%s\t%s\t%s\n", e->id, e->name, e->date, e->survey);
    return 0;
}

/* ksync-tool signup|search|checkin|events|roster DIR ... */
static int cmd_store_op(const char *op, int argc, char **argv)
{
    kclock clock;
    kstore *s = open_store(argv[0], &clock);
    kerr e = {0};
    int rc = 0;
    if (strcmp(op, "signup") == 0 && argc >= 4) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "%s", argv[2]);
        snprintf(p.family, sizeof p.family, "%s", argv[3]);
        snprintf(p.phone, sizeof p.phone, "%s", argc > 4 ? argv[4] : "");
        snprintf(p.email, sizeof p.email, "%s", argc > 5 ? argv[5] : "");
        snprintf(p.zip, sizeof p.zip, "%s", argc > 6 ? argv[6] : "");
        rc = kstore_signup(s, &p, argv[1], &e);
        if (rc == 0)
            printf("%s\n", p.id);
    } else if (strcmp(op, "search") == 0 && argc >= 2) {
        kmatch m[KIOSK_SEARCH_RESULTS];
        int n = 0, total = 0;
        rc = kstore_search_event(s, argv[1], argc > 2 ? argv[2] : NULL, m, KIOSK_SEARCH_RESULTS, &n,
                                 &total, &e);
        for (int i = 0; rc == 0 && i < n; i++) {
            printf("{\"id\":\"%s\",\"first\":", m[i].person_id);
            json_str(m[i].first);
            printf(",\"initial\":");
            json_str(m[i].initial);
            printf(",\"hint\":");
            json_str(m[i].hint);
            printf(",\"checked_in\":%d}\n", m[i].checked_in);
        }
    } else if (strcmp(op, "checkin") == 0 && argc >= 3) {
        rc = kstore_checkin(s, argv[1], argv[2], &e);
    } else if (strcmp(op, "events") == 0) {
        rc = kstore_event_each(s, print_event, NULL, &e);
    } else if (strcmp(op, "roster") == 0) {
        kroster_counts c;
        rc = kstore_roster_counts(s, &c, &e);
        if (rc == 0)
            printf("{\"people\":%ld,\"events\":%ld,\"surveys\":%ld,\"aliases\":%ld,"
                   "\"forgotten\":%ld}\n", c.people, c.events, c.surveys, c.aliases, c.forgotten);
    } else {
        kstore_close(s);
        fprintf(stderr, "ksync-tool %s: missing arguments\n", op);
        return 2;
    }
    kstore_close(s);
    if (rc) {
        fprintf(stderr, "ksync-tool %s: %s\n", op, e.msg);
        return 1;
    }
    return 0;
}

/* A clock fixed at the values given (tests of time correction). */
typedef struct fixed_clock {
    int64_t wall, mono;
} fixed_clock;

static int64_t fixed_wall(void *ctx) { return ((fixed_clock *)ctx)->wall; }
static int64_t fixed_mono(void *ctx) { return ((fixed_clock *)ctx)->mono; }

/* ms on CLOCK_MONOTONIC. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define CATCH_UP_POLLS 1200     /* 50 ms apart: a minute at most */
#define LAST_BATCH 300          /* records of the batch a stop interrupts */

/* ksync-tool bg DIR SECONDS INTERVAL_MS */
static int cmd_bg(int argc, char **argv)
{
    if (argc != 3)
        die("bg", "usage: bg DIR SECONDS INTERVAL_MS");
    const char *dir = argv[0];
    int seconds = atoi(argv[1]), interval = atoi(argv[2]);
    ksync_bg *bg;
    kerr e = {0};
    if (ksync_bg_start(&bg, dir, interval, NULL, &e))
        die("ksync_bg_start", e.msg);
    char path[4200];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 5000);
    run(db, "PRAGMA synchronous=FULL");
    int64_t end = now_ms() + seconds * 1000LL, worst_status = 0, worst_write = 0;
    int writes = 0;
    /* Order of events, not durations, is what the tests assert: writes that
     * committed while one sync stayed in flight around them, and status
     * answers given while a sync was in flight. */
    int writes_while_running = 0, status_while_running = 0;
    char device_id[33];
    meta_get(db, "device_id", device_id, sizeof device_id);
    while (now_ms() < end) {
        int64_t t0 = now_ms();
        ksync_status st;
        ksync_bg_status(bg, &st);
        int64_t t1 = now_ms();
        status_while_running += st.running;
        /* a check-in as the store writes it: seq from meta, one transaction */
        run(db, "BEGIN IMMEDIATE");
        char buf[32], id[33];
        meta_get(db, "next_seq", buf, sizeof buf);
        int64_t seq = strtoll(buf, NULL, 10);
        krandom_id(id);
        char sql[512];
        snprintf(sql, sizeof sql, "INSERT INTO events VALUES('%s','%s',%" PRId64 ",%" PRId64
                 ",'b',0,'bg event %d','general','2026-06-13')", id, device_id, seq,
                 (int64_t)1781337600000LL + seq, writes);
        run(db, sql);
        snprintf(buf, sizeof buf, "%" PRId64, seq + 1);
        meta_set(db, "next_seq", buf);
        run(db, "COMMIT");
        int64_t t2 = now_ms();
        writes++;
        ksync_status after;
        ksync_bg_status(bg, &after);
        if (st.running && after.running && after.last_attempt_ms == st.last_attempt_ms)
            writes_while_running++;
        if (t1 - t0 > worst_status)
            worst_status = t1 - t0;
        if (t2 - t1 > worst_write)
            worst_write = t2 - t1;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* Catching up: asked once more, then given up to CATCH_UP_POLLS looks
     * (a bound, not a timed expectation: the caller reads "pending"). */
    ksync_bg_kick(bg);
    struct timespec ts = {0, 50 * 1000000L};
    ksync_status st;
    for (int i = 0; i < CATCH_UP_POLLS; i++) {
        nanosleep(&ts, NULL);
        ksync_bg_status(bg, &st);
        if (st.pending == 0 || (st.failures > 0 && i >= 10))
            break;
    }
    /* Stopping with a sync in flight: LAST_BATCH more records (a hub run
     * with --test-ingest-delay-ms holds their batch that many times the
     * delay), a sync asked for, stop as soon as it runs.
     * "stop_returned_first": the stop returned while the last record was
     * not acknowledged yet, i.e. it did not wait for the sync to complete. */
    int stopped_while_running = 0, stop_returned_first = 0;
    int64_t last_seq = 0;
    if (st.pending == 0 && st.failures == 0) {
        char buf[32], id[33], sql[512];
        run(db, "BEGIN IMMEDIATE");
        meta_get(db, "next_seq", buf, sizeof buf);
        int64_t seq = strtoll(buf, NULL, 10);
        for (int i = 0; i < LAST_BATCH; i++, seq++) {
            krandom_id(id);
            snprintf(sql, sizeof sql, "INSERT INTO events VALUES('%s','%s',%" PRId64 ",%" PRId64
                     ",'b',0,'bg event last','general','2026-06-13')", id, device_id, seq,
                     (int64_t)1781337600000LL + seq);
            run(db, sql);
        }
        last_seq = seq - 1;
        snprintf(buf, sizeof buf, "%" PRId64, seq);
        meta_set(db, "next_seq", buf);
        run(db, "COMMIT");
        ksync_bg_kick(bg);
        struct timespec nap = {0, 1000000L};
        ksync_status now;
        for (int i = 0; i < CATCH_UP_POLLS * 50; i++) {
            ksync_bg_status(bg, &now);
            if (now.running)
                break;
            nanosleep(&nap, NULL);
        }
        stopped_while_running = now.running;
    }
    int64_t t0 = now_ms();
    ksync_bg_stop(bg);
    int64_t stop_ms = now_ms() - t0;
    if (stopped_while_running) {
        char buf[32] = "";
        meta_get(db, "sync.acked_seq", buf, sizeof buf);
        stop_returned_first = strtoll(buf, NULL, 10) < last_seq;
    }
    sqlite3_close(db);
    printf("{\"writes\":%d,\"worst_status_ms\":%" PRId64 ",\"worst_write_ms\":%" PRId64
           ",\"stop_ms\":%" PRId64 ",\"pending\":%" PRId64 ",\"acked_seq\":%" PRId64
           ",\"failures\":%d,\"last_ok_ms\":%" PRId64 ",\"last_error\":\"%s\""
           ",\"writes_while_running\":%d,\"status_while_running\":%d"
           ",\"stopped_while_running\":%d,\"stop_returned_first\":%d}\n",
           writes, worst_status, worst_write, stop_ms, st.pending, st.acked_seq, st.failures,
           st.last_ok_ms, st.last_error[0] ? "set" : "", writes_while_running,
           status_while_running, stopped_while_running, stop_returned_first);
    return 0;
}

/* Entry point. */
int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "fixture") == 0)
        return cmd_fixture(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "store") == 0)
        return cmd_store(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "bg") == 0)
        return cmd_bg(argc - 2, argv + 2);
    if (argc >= 3 && (strcmp(argv[1], "signup") == 0 || strcmp(argv[1], "search") == 0 ||
                      strcmp(argv[1], "checkin") == 0 || strcmp(argv[1], "events") == 0 ||
                      strcmp(argv[1], "roster") == 0))
        return cmd_store_op(argv[1], argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "sync") == 0) {
        const char *dir = argv[2];
        int rest = 3;
        kclock c, *cp = NULL;
        fixed_clock fc;
        if (argc >= 5 && strcmp(argv[3], "--clock") == 0) {
            char boot[40] = "";
            long long w = 0, m = 0;
            if (sscanf(argv[4], "%lld,%lld,%39s", &w, &m, boot) != 3)
                die("--clock", "expected WALL_MS,MONO_MS,BOOT_ID");
            fc.wall = w;
            fc.mono = m;
            c.wall_ms = fixed_wall;
            c.mono_ms = fixed_mono;
            c.ctx = &fc;
            snprintf(c.boot_id, sizeof c.boot_id, "%s", boot);
            cp = &c;
            rest = 5;
        }
        return ksync_cli_clock(dir, cp, argc - rest, argv + rest);
    }
    fprintf(stderr, "usage: ksync-tool fixture DIR ... | sync DIR [--clock W,M,B] ARGS | bg DIR S MS\n");
    return 2;
}
