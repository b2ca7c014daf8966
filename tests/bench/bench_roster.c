/*
 * bench_roster.c - the figures of issue 12 (one roster across kiosks):
 *
 *   1. a roster of N people (default 100,000; names from the demo
 *      generator) downloaded by an empty kiosk from a real `kiosk-hub
 *      serve` over loopback: time and bytes (three fresh kiosks: median
 *      and range);
 *   2. an incremental download of 100 changes (100 people signed up on
 *      another kiosk since): time and bytes (three rounds);
 *   3. search per keystroke on the kiosk holding the roster
 *      (kstore_search_event, as the find screen asks): median, p90, p99,
 *      max, wall and CPU time; the goal is the search goal, p99 < 5 ms.
 *   4. the fault test of a kiosk with little disk: the same roster to a
 *      kiosk with its own sign-ups whose store can grow by only the
 *      reserve and half the roster (a page cap, as on a nearly full SD
 *      card): the download stops
 *      cleanly when 32 MiB would be left (KSYNC_ROSTER_DISK_RESERVE) with
 *      the store's message, whole pages only, the kiosk's own people
 *      intact; with room again the next sync goes on from the cursor and
 *      completes.  Times of both runs; a broken promise exits 1.
 *
 * Figures with their spread, and `bench NAME VALUE UNIT` lines; never a
 * pass/fail test.
 *
 *   bench_roster KIOSK_HUB [PEOPLE]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "demo.h"
#include "kclock.h"
#include "store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

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

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p / 100.0 * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_roster: %s: %s\n", what, msg);
    exit(2);
}

/* Runs a shell command and returns its first output line. */
static void run_line(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(out, (int)cap, p))
        die("command", cmd);
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

/* One integer from a query on the kiosk database in dir (-1 if none). */
static long q_long(const char *dir, const char *sql)
{
    char path[260];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#define OWN_PEOPLE "SELECT count(*) FROM people WHERE device_id <> '" KSTORE_HUB_DEVICE "'" \
                   " AND name_key <> ''"

static const char *hub_bin;
static char base[128], store[200], url[128];

/* Pairs the kiosk in dir with a new device's token. */
static void pair(const char *dir, const char *name)
{
    char cmd[600], token[128];
    snprintf(cmd, sizeof cmd, "'%s' device add %s --store '%s' 2>/dev/null", hub_bin, name, store);
    run_line(cmd, token, sizeof token);
    int ok = 0;
    kerr e = {0};
    if (ksync_pair(dir, url, token, NULL, &ok, &e) != 0 || !ok)
        die("pair", e.msg);
}

/* One sync of dir; fills the report and returns wall ms. */
static double sync_once(const char *dir, ksync_report *rep)
{
    kclock c;
    kclock_system(&c);
    ksync_opts o = {&c, 0, NULL, NULL, NULL, 0};
    kerr e = {0};
    double t0 = now_ms();
    if (ksync_run(dir, &o, rep, &e) != 0)
        die("sync", e.msg);
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_roster KIOSK_HUB [PEOPLE]\n");
        return 2;
    }
    hub_bin = argv[1];
    int n = argc > 2 ? atoi(argv[2]) : 100000;
    const char *tmp = getenv("BENCH_SYNC_DIR");
    snprintf(base, sizeof base, "%s/bench-roster-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base))
        die("mkdtemp", base);
    snprintf(store, sizeof store, "%s/hub.db", base);
    kerr e = {0};
    if (ksync_global_init(&e))
        die("curl", e.msg);
    signal(SIGPIPE, SIG_IGN);

    /* the hub, on a free port */
    char cmd[800], line[512];
    snprintf(cmd, sizeof cmd, "'%s' device add warmup --store '%s' >/dev/null 2>&1", hub_bin, store);
    if (system(cmd) != 0)
        die("hub", "cannot make the store");
    char log[200];
    snprintf(log, sizeof log, "%s/hub.log", base);
    pid_t hub = fork();
    if (hub == 0) {
        if (!freopen(log, "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(hub_bin, hub_bin, "serve", "--store", store, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !url[0]; i++) {
        usleep(50000);
        FILE *f = fopen(log, "r");
        if (f && fgets(line, sizeof line, f)) {
            char *u = strstr(line, "\"url\":\"");
            if (u) {
                u += 7;
                snprintf(url, sizeof url, "%.*s", (int)strcspn(u, "\""), u);
            }
        }
        if (f)
            fclose(f);
    }
    if (!url[0])
        die("hub", "did not start");

    /* kiosk A: n demo people, uploaded */
    kclock clock;
    kclock_system(&clock);
    char ka[200];
    snprintf(ka, sizeof ka, "%s/kiosk-a", base);
    kstore *s;
    double t0 = now_ms();
    if (kstore_open(&s, ka, &clock, &e) || kdemo_seed(s, &e) || kdemo_people(s, n, 7, &e))
        die("kiosk a", e.msg);
    kevent ev;
    if (kstore_event_current(s, &ev, &e))
        die("kiosk a", e.msg);
    kstore_close(s);
    pair(ka, "kiosk-a");
    ksync_report rep;
    double up = sync_once(ka, &rep);
    printf("== %d people on kiosk A (made in %.1f s), uploaded in %.1f s (%lld records)\n", n,
           (now_ms() - t0 - up) / 1000, up / 1000, (long long)rep.sent);

    /* 1. full download to an empty kiosk, three times */
    double full_t[3], full_b[3], full_c[3];
    char kb[200] = "";
    for (int r = 0; r < 3; r++) {
        snprintf(kb, sizeof kb, "%s/kiosk-b%d", base, r);
        if (kstore_open(&s, kb, &clock, &e))
            die("kiosk b", e.msg);
        kstore_close(s);
        char name[32];
        snprintf(name, sizeof name, "kiosk-b%d", r);
        pair(kb, name);
        full_t[r] = sync_once(kb, &rep) / 1000;
        full_b[r] = (double)rep.roster_bytes;
        full_c[r] = (double)rep.roster_changes;
    }
    double ft = pct(full_t, 3, 50), fb = pct(full_b, 3, 50);
    printf("full roster download, %d people to an empty kiosk: median %.2f s (%.2f-%.2f), "
           "%.1f MB (%.0f bytes per person), %.0f changes in %d pages\n", n, ft, full_t[0],
           full_t[2], fb / 1048576, fb / n, full_c[1], rep.roster_pages);
    printf("bench roster_full_%dk_s %.3f s\n", n / 1000, ft);
    printf("bench roster_full_%dk_bytes %.0f bytes\n", n / 1000, fb);

    /* 2. incremental: 100 new people on kiosk A, then kiosk b2 syncs */
    double inc_t[3], inc_b[3];
    for (int r = 0; r < 3; r++) {
        if (kstore_open(&s, ka, &clock, &e))
            die("kiosk a", e.msg);
        for (int i = 0; i < 100; i++) {
            kperson p;
            memset(&p, 0, sizeof p);
            snprintf(p.given, sizeof p.given, "Lan%d", r * 100 + i);
            snprintf(p.family, sizeof p.family, "Phạm");
            snprintf(p.zip, sizeof p.zip, "95112");
            if (kstore_signup(s, &p, ev.id, &e))
                die("sign-up", e.msg);
        }
        kstore_close(s);
        sync_once(ka, &rep);
        inc_t[r] = sync_once(kb, &rep);
        inc_b[r] = (double)rep.roster_bytes;
        if (rep.roster_changes != 100)
            fprintf(stderr, "bench_roster: incremental round %d brought %lld changes\n", r,
                    (long long)rep.roster_changes);
    }
    double it = pct(inc_t, 3, 50), ib = pct(inc_b, 3, 50);
    printf("incremental download of 100 changes: median %.1f ms (%.1f-%.1f), %.0f bytes (%.0f-%.0f)\n",
           it, inc_t[0], inc_t[2], ib, inc_b[0], inc_b[2]);
    printf("bench roster_incremental_100_ms %.1f ms\n", it);
    printf("bench roster_incremental_100_bytes %.0f bytes\n", ib);

    /* 3. search per keystroke on kiosk b2, which holds the roster */
    if (kstore_open(&s, kb, &clock, &e))
        die("kiosk b", e.msg);
    kroster_counts rc;
    kstore_roster_counts(s, &rc, &e);
    static const char *const typed[] = {
        "nguyen thi huong", "nguyenthihuong", "tran van duc", "kim min", "oconnor",
        "santos maria", "delacruz", "dela cruz", "de la cruz", "maryjane", "mary-jane",
        "le", "chan", "keala", "sok", "park ji", "huong", "vang", "sione", "phan", "lee",
        "wong", "pham", "ho", "tanaka", "mueller", "müller", "jean-luc", "lan1",
    };
    enum { MAXK = 8192 };
    static double t[MAXK], c[MAXK];
    int k = 0;
    kmatch m[KIOSK_SEARCH_RESULTS];
    for (int rep3 = 0; rep3 < 3; rep3++)
        for (size_t q = 0; q < sizeof typed / sizeof typed[0]; q++) {
            char buf[64];
            size_t len = strlen(typed[q]);
            for (size_t i = 1; i <= len && k < MAXK; i++) {
                if (((unsigned char)typed[q][i] & 0xC0) == 0x80)
                    continue;
                memcpy(buf, typed[q], i);
                buf[i] = '\0';
                int got, total;
                double s0 = now_ms(), c0 = cpu_ms();
                kstore_search_event(s, buf, ev.id, m, KIOSK_SEARCH_RESULTS, &got, &total, &e);
                c[k] = cpu_ms() - c0;
                t[k++] = now_ms() - s0;
            }
        }
    kstore_close(s);
    double med = pct(t, k, 50), p90 = pct(t, k, 90), p99 = pct(t, k, 99), mx = pct(t, k, 100);
    double cp99 = pct(c, k, 99), cmed = pct(c, k, 50);
    printf("search per keystroke on a kiosk holding %ld roster people (%d keystrokes): wall median "
           "%.3f ms p90 %.3f ms p99 %.3f ms max %.3f ms; CPU median %.3f ms p99 %.3f ms (goal p99 "
           "< 5 ms)\n", rc.people, k, med, p90, p99, mx, cmed, cp99);
    printf("bench roster_search_p99_%dk %.3f ms\n", n / 1000, p99);
    printf("bench roster_search_cpu_p99_%dk %.3f ms\n", n / 1000, cp99);

    /* 4. little disk: stops cleanly, loses nothing, resumes */
    int broken = 0;
    char kd[200];
    snprintf(kd, sizeof kd, "%s/kiosk-d", base);
    if (kstore_open(&s, kd, &clock, &e) || kdemo_seed(s, &e))
        die("kiosk d", e.msg);
    kstore_close(s);
    pair(kd, "kiosk-d");
    long own = q_long(kd, OWN_PEOPLE), pc = q_long(kd, "PRAGMA page_count");
    char capv[32];
    /* room for the 32 MiB reserve and about half the roster (350 bytes a person) */
    long room = (32L << 20) + (long)n * 175;
    snprintf(capv, sizeof capv, "%ld", pc + room / 4096);
    setenv("KSYNC_TEST_MAX_PAGES", capv, 1);
    kclock sc;
    kclock_system(&sc);
    ksync_opts so = {&sc, 0, NULL, NULL, NULL, 0};
    kerr fe = {0};
    double f0 = now_ms();
    int frc = ksync_run(kd, &so, &rep, &fe);
    double f1 = now_ms() - f0;
    unsetenv("KSYNC_TEST_MAX_PAGES");
    int64_t part = rep.roster_changes, cur1 = rep.roster_cursor;
    long own1 = q_long(kd, OWN_PEOPLE), held1 = q_long(kd, "SELECT count(*) FROM people WHERE device_id = '"
                                                        KSTORE_HUB_DEVICE "'");
    printf("little disk (%.1f MB of room, %d people coming): the first sync stopped after %.1f s "
           "with %lld changes applied (cursor %lld): \"%s\"\n", room / 1048576.0, n, f1 / 1000, (long long)part,
           (long long)cur1, fe.msg);
    if (frc == 0 || !strstr(fe.msg, "nearly full") || part <= 0 || part >= n || own1 != own ||
        held1 <= 0 || held1 > part) {
        printf("little disk: FAILED: expected a clean stop part-way with the disk message\n");
        broken = 1;
    }
    double r0 = now_ms();
    frc = ksync_run(kd, &so, &rep, &fe);
    double r1 = now_ms() - r0;
    long own2 = q_long(kd, OWN_PEOPLE), held2 = q_long(kd, "SELECT count(*) FROM people WHERE device_id = '"
                                                        KSTORE_HUB_DEVICE "'");
    long held_b = q_long(kb, "SELECT count(*) FROM people WHERE device_id = '" KSTORE_HUB_DEVICE "'");
    printf("with room again the next sync went on from change %lld: %lld more changes in %.1f s; "
           "the kiosk holds %ld roster people (%ld on a kiosk with room); its own people: %ld before, %ld after the stop, %ld "
           "at the end\n", (long long)cur1, (long long)rep.roster_changes, r1 / 1000, held2, held_b, own, own1,
           own2);
    if (frc != 0 || rep.roster_changes >= n || own2 != own || held2 != held_b) {
        printf("little disk: FAILED: the second sync did not resume from the cursor (%s)\n", fe.msg);
        broken = 1;
    }
    printf("bench roster_little_disk_stop_s %.2f s\n", f1 / 1000);
    printf("bench roster_little_disk_resume_s %.2f s\n", r1 / 1000);

    kill(hub, SIGTERM);
    waitpid(hub, NULL, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_roster: could not remove %s\n", base);
    return broken;
}
