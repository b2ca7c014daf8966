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
 *      check-in record) and per record;
 *   4. hub throughput under load: batches/s and request latency (p50, p99)
 *      with 50 kiosks posting at once, each over its own keep-alive
 *      connection (three runs: median and range);
 *   5. the same while 1,000 slow connections (headers never finished, kept
 *      alive under the header timeout, from 40 addresses) are held;
 *   6. hub RSS before and after 250 unauthenticated 4 MiB uploads (50 at a
 *      time), and its peak (goal: under 50 MB after).
 * Everything runs in a fresh temporary folder under $BENCH_SYNC_DIR (default
 * /tmp), on 127.0.0.1 only.  The ratio depends on the disk's fsync time
 * (the ingest commits once per batch, the bare insert once in all): on a
 * busy shared disk it varies from run to run, hence best of 3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "bench_hub.h"
#include "kclock.h"
#include "client.h"
#include "hub_store.h"
#include "sync_config.h"

extern char **environ;

/* Monotonic seconds. */

/* Dies with a message. */

/* Builds the bodies of n records of a realistic mix (a person, then their
 * check-in) in batches of per records. */
static const char *prog = "bench_sync";

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
        bench_die(prog, "khub_open", e.msg);
    double t_ingest = bench_ingest_bodies(prog, h, bodies, nb);
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
        bench_die(prog, "khub_open", e.msg);
    ksync_batch *all = calloc((size_t)nb, sizeof *all);
    for (int k = 0; k < nb; k++)
        ksync_batch_parse(bodies[k], strlen(bodies[k]), &all[k], &e);
    sqlite3 *db = khub_db(h);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO records(id, tbl, device_id, seq, wall_ms, boot_id, mono_ms, fields,"
                       " corrected_ms, time_source, received_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                       -1, &st, NULL);
    double t0 = bench_now_s();
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
                bench_die(prog, "bare insert", sqlite3_errmsg(db));
        }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t_bare = bench_now_s() - t0;
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
        bench_die(prog, "popen", cmd);
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
        bench_die(prog, "fixture", cmd);

    int fds[2];
    if (pipe(fds) != 0)
        bench_die(prog, "pipe", "failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *argv[] = {(char *)hub, "serve", "--store", store, "--listen", "127.0.0.1:0", NULL};
    pid_t pid;
    if (posix_spawn(&pid, hub, &fa, NULL, argv, environ) != 0)
        bench_die(prog, "posix_spawn", hub);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    char line[512] = "", url[128] = "";
    if (!fgets(line, sizeof line, out))
        bench_die(prog, "hub", "no listening line");
    const char *u = strstr(line, "\"url\":\"");
    if (!u || sscanf(u + 7, "%127[^\"]", url) != 1)
        bench_die(prog, "hub", line);

    kerr e = {0};
    int confirmed = 0;
    if (ksync_global_init(&e) || ksync_pair(kdir, url, token, NULL, &confirmed, &e) || !confirmed)
        bench_die(prog, "pair", e.msg);
    ksync_report rep;
    double t0 = bench_now_s();
    int rc = ksync_run(kdir, NULL, &rep, &e);
    double t = bench_now_s() - t0;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    fclose(out);
    if (rc)
        bench_die(prog, "ksync_run", e.msg);
    *per_record = (double)rep.bytes_sent / (double)rep.sent;
    *per_checkin = (double)rep.bytes_sent / 5000.0;
    printf("2. sync of a %" PRId64 "-record backlog over loopback: %.3f s in %d batches (goal < 2 s)\n",
           rep.sent, t, rep.batches);
    printf("3. bytes sent: %.0f per sign-up (person + check-in), %.0f per record "
           "(request bodies, %" PRId64 " bytes)\n", *per_checkin, *per_record, rep.bytes_sent);
    return t;
}

/* ---- 4-6: the hub under load and abuse ------------------------------------ */

#define LOAD_KIOSKS 50
#define LOAD_BATCHES 20          /* per kiosk and run */
#define LOAD_RECORDS 50          /* per batch */
#define LOAD_RUNS 3
#define SLOW_CONNECTIONS 1000
#define SLOW_ADDRESSES 40        /* 25 each, under the per-IP limit */

typedef struct hub_proc {
    pid_t pid;
    FILE *out;
    int port;
    char url[128];
} hub_proc;

/* Starts `kiosk-hub serve` on 127.0.0.1:0 and reads its URL. */
static void hub_start(hub_proc *hp, const char *hub, const char *store)
{
    int fds[2];
    if (pipe(fds) != 0)
        bench_die(prog, "pipe", "failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)hub, "serve", "--store", (char *)store, "--listen", "127.0.0.1:0", NULL};
    if (posix_spawn(&hp->pid, hub, &fa, NULL, argv, environ) != 0)
        bench_die(prog, "posix_spawn", hub);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    hp->out = fdopen(fds[0], "r");
    char line[512] = "";
    if (!fgets(line, sizeof line, hp->out))
        bench_die(prog, "hub", "no listening line");
    const char *u = strstr(line, "\"url\":\"");
    if (!u || sscanf(u + 7, "%127[^\"]", hp->url) != 1)
        bench_die(prog, "hub", line);
    const char *c = strrchr(hp->url, ':');
    hp->port = c ? atoi(c + 1) : 0;
    /* the log goes on; drain it so the hub never blocks on a full pipe */
    if (fork() == 0) {
        char buf[4096];
        while (fread(buf, 1, sizeof buf, hp->out) > 0)
            ;
        _exit(0);
    }
}

static void hub_stop(hub_proc *hp)
{
    kill(hp->pid, SIGTERM);
    waitpid(hp->pid, NULL, 0);
    fclose(hp->out);
}

/* Reads "VmRSS" or "VmHWM" of pid in MB. */
static double proc_mb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double mb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
            mb = atof(line + strlen(key) + 1) / 1024.0;
    if (f)
        fclose(f);
    return mb;
}

typedef struct kiosk_load {
    const char *url;
    char token[80];
    char device[33];
    int64_t next_seq;
    double *lat;           /* LOAD_BATCHES latencies of this run, s */
    int failed;
} kiosk_load;

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* One POST; returns the HTTP status (0 if no answer). */
static long post_json(CURL *c, const char *url, const char *token, const char *body, size_t len)
{
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

/* A kiosk thread: LOAD_BATCHES batches of LOAD_RECORDS check-ins. */
static void *kiosk_thread(void *arg)
{
    kiosk_load *k = arg;
    CURL *c = curl_easy_init();
    char url[200];
    snprintf(url, sizeof url, "%s/v1/batches", k->url);
    kbuf body = {0};
    for (int i = 0; i < LOAD_BATCHES; i++) {
        ksync_batch b;
        ksync_batch_init(&b);
        memcpy(b.device_id, k->device, 33);
        krandom_id(b.batch_id);
        b.seq_from = k->next_seq;
        b.seq_to = k->next_seq + LOAD_RECORDS - 1;
        b.sent_wall_ms = khub_now_ms();
        b.sent_mono_ms = 1000000 + i;
        snprintf(b.sent_boot_id, sizeof b.sent_boot_id, "bench-boot");
        for (int r = 0; r < LOAD_RECORDS; r++) {
            ksync_record rec;
            memset(&rec, 0, sizeof rec);
            snprintf(rec.table, sizeof rec.table, "checkins");
            krandom_id(rec.id);
            rec.seq = k->next_seq + r;
            rec.wall_ms = b.sent_wall_ms - 1000;
            snprintf(rec.boot_id, sizeof rec.boot_id, "bench-boot");
            rec.mono_ms = 999000 + r;
            rec.fields = strdup("{\"person_id\":\"aa11aa11aa11aa11aa11aa11aa11aa11\","
                                "\"event_id\":\"bb22bb22bb22bb22bb22bb22bb22bb22\",\"is_new\":0}");
            ksync_batch_take(&b, &rec, NULL);
        }
        kbuf_reset(&body);
        ksync_batch_encode(&b, &body, NULL);
        ksync_batch_free(&b);
        double t0 = bench_now_s();
        long st = post_json(c, url, k->token, body.p, body.len);
        k->lat[i] = bench_now_s() - t0;
        if (st != 200)
            k->failed++;
        k->next_seq += LOAD_RECORDS;
    }
    kbuf_free(&body);
    curl_easy_cleanup(c);
    return NULL;
}


/* Slow connections: opened from SLOW_ADDRESSES loopback addresses, each
 * with an unfinished request, a header line every 4 s (under the hub's
 * 10 s header timeout), reopened if the hub drops one. */
typedef struct slow {
    int port, n, fds[SLOW_CONNECTIONS];
    atomic_int stop;
    atomic_int held;
    pthread_t thread;
} slow;

static int slow_open(const slow *sl, int i)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {0}, dst = {0};
    src.sin_family = dst.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000200u + 10 + (unsigned)(i % SLOW_ADDRESSES)); /* 127.0.2.x */
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    dst.sin_port = htons((uint16_t)sl->port);
    static const char head[] = "POST /v1/batches HTTP/1.1\r\nHost: hub\r\n";
    if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 ||
        send(fd, head, sizeof head - 1, MSG_NOSIGNAL) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void *slow_thread(void *arg)
{
    slow *sl = arg;
    while (!atomic_load(&sl->stop)) {
        int held = 0;
        for (int i = 0; i < sl->n; i++) {
            if (sl->fds[i] >= 0 && send(sl->fds[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0) {
                close(sl->fds[i]);
                sl->fds[i] = -1;
            }
            if (sl->fds[i] < 0)
                sl->fds[i] = slow_open(sl, i);
            held += sl->fds[i] >= 0;
        }
        atomic_store(&sl->held, held);
        for (int t = 0; t < 40 && !atomic_load(&sl->stop); t++)
            usleep(100000);
    }
    for (int i = 0; i < sl->n; i++)
        if (sl->fds[i] >= 0)
            close(sl->fds[i]);
    return NULL;
}

/* One load run: every kiosk thread at once; fills rate and latencies. */
static void load_run(kiosk_load *ks, double *rate, double *p50, double *p99, int *failed)
{
    pthread_t th[LOAD_KIOSKS];
    double t0 = bench_now_s();
    for (int k = 0; k < LOAD_KIOSKS; k++)
        pthread_create(&th[k], NULL, kiosk_thread, &ks[k]);
    for (int k = 0; k < LOAD_KIOSKS; k++)
        pthread_join(th[k], NULL);
    double t = bench_now_s() - t0;
    static double all[LOAD_KIOSKS * LOAD_BATCHES];
    int n = 0;
    *failed = 0;
    for (int k = 0; k < LOAD_KIOSKS; k++) {
        for (int i = 0; i < LOAD_BATCHES; i++)
            all[n++] = ks[k].lat[i];
        *failed += ks[k].failed;
        ks[k].failed = 0;
    }
    qsort(all, (size_t)n, sizeof all[0], bench_cmp_double);
    *rate = n / t;
    *p50 = all[n / 2];
    *p99 = all[(n * 99) / 100];
}

/* Figures 4 and 5. */
static void bench_load(const char *dir, const char *hub)
{
    char store[256], cmd[1024];
    snprintf(store, sizeof store, "%s/load.db", dir);
    static kiosk_load ks[LOAD_KIOSKS];
    static double lat[LOAD_KIOSKS][LOAD_BATCHES];
    for (int k = 0; k < LOAD_KIOSKS; k++) {
        snprintf(cmd, sizeof cmd, "'%s' device add load-%d --store '%s' 2>/dev/null", hub, k, store);
        snprintf(ks[k].token, sizeof ks[k].token, "%s", first_line(cmd));
        krandom_id(ks[k].device);
        ks[k].next_seq = 1;
        ks[k].lat = lat[k];
    }
    hub_proc hp;
    hub_start(&hp, hub, store);
    for (int k = 0; k < LOAD_KIOSKS; k++) {
        ks[k].url = hp.url;
        CURL *c = curl_easy_init();
        char url[200], body[256];
        snprintf(url, sizeof url, "%s/v1/pair", hp.url);
        int n = snprintf(body, sizeof body, "{\"protocol\":1,\"device_id\":\"%s\",\"public_key\":\"%064d\"}",
                         ks[k].device, k);
        if (post_json(c, url, ks[k].token, body, (size_t)n) != 200)
            bench_die(prog, "pair", ks[k].device);
        curl_easy_cleanup(c);
    }
    static slow sl;
    const char *label[2] = {"4. 50 kiosks at once", "5. the same, 1,000 slow connections held"};
    for (int phase = 0; phase < 2; phase++) {
        if (phase == 1) {
            sl.port = hp.port;
            sl.n = SLOW_CONNECTIONS;
            for (int i = 0; i < sl.n; i++)
                sl.fds[i] = -1;
            atomic_store(&sl.stop, 0);
            pthread_create(&sl.thread, NULL, slow_thread, &sl);
            for (int w = 0; w < 100 && atomic_load(&sl.held) < SLOW_CONNECTIONS; w++)
                usleep(100000);
        }
        double rate[LOAD_RUNS], p50[LOAD_RUNS], p99[LOAD_RUNS];
        int failed = 0, held_min = SLOW_CONNECTIONS;
        for (int r = 0; r < LOAD_RUNS; r++) {
            int f;
            load_run(ks, &rate[r], &p50[r], &p99[r], &f);
            failed += f;
            if (phase == 1 && atomic_load(&sl.held) < held_min)
                held_min = atomic_load(&sl.held);
        }
        qsort(rate, LOAD_RUNS, sizeof rate[0], bench_cmp_double);
        qsort(p50, LOAD_RUNS, sizeof p50[0], bench_cmp_double);
        qsort(p99, LOAD_RUNS, sizeof p99[0], bench_cmp_double);
        printf("%s: %.0f batches/s (runs %.0f-%.0f), latency p50 %.1f ms, p99 %.1f ms (runs %.1f-%.1f)\n"
               "   %d kiosks x %d batches of %d records per run, %d runs, %d requests failed",
               label[phase], rate[1], rate[0], rate[2], p50[1] * 1e3, p99[1] * 1e3, p99[0] * 1e3,
               p99[2] * 1e3, LOAD_KIOSKS, LOAD_BATCHES, LOAD_RECORDS, LOAD_RUNS, failed);
        if (phase == 1)
            printf(", at least %d slow connections held throughout", held_min);
        printf("\n");
        const char *key = phase ? "hub_slowloris" : "hub_50_kiosks";
        printf("bench %s_batches_per_s %.0f batches/s\n", key, rate[1]);
        printf("bench %s_p99_ms %.1f ms\n", key, p99[1] * 1e3);
        if (phase == 1)
            printf("bench hub_slowloris_held %d connections\n", held_min);
    }
    atomic_store(&sl.stop, 1);
    pthread_join(sl.thread, NULL);
    hub_stop(&hp);
}

/* One unauthenticated 4 MiB upload; the hub answers 401 and closes. */
static void *bad_upload(void *arg)
{
    int port = *(int *)arg;
    static char body[64 * 1024];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in dst = {0};
    dst.sin_family = AF_INET;
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    dst.sin_port = htons((uint16_t)port);
    char head[512];
    int n = snprintf(head, sizeof head, "POST /v1/batches HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer "
                     "khub_%064d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 0,
                     4 * 1024 * 1024);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0 &&
        send(fd, head, (size_t)n, MSG_NOSIGNAL) == n) {
        for (int i = 0; i < 64 && send(fd, body, sizeof body, MSG_NOSIGNAL) > 0; i++)
            ;
        char ans[64];
        while (recv(fd, ans, sizeof ans, 0) > 0)
            ;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* Figure 6. */
static void bench_rss(const char *dir, const char *hub)
{
    char store[256];
    snprintf(store, sizeof store, "%s/rss.db", dir);
    hub_proc hp;
    hub_start(&hp, hub, store);
    usleep(200000);
    double before = proc_mb(hp.pid, "VmRSS");
    double after[3];
    for (int round = 0; round < 3; round++) {
        for (int wave = 0; wave < 5; wave++) {        /* 250 uploads, 50 at a time */
            pthread_t th[50];
            for (int i = 0; i < 50; i++)
                pthread_create(&th[i], NULL, bad_upload, &hp.port);
            for (int i = 0; i < 50; i++)
                pthread_join(th[i], NULL);
        }
        usleep(300000);
        after[round] = proc_mb(hp.pid, "VmRSS");
    }
    double peak = proc_mb(hp.pid, "VmHWM");
    hub_stop(&hp);
    printf("6. hub RSS: %.1f MB before, %.1f MB after 250 unauthenticated 4 MiB uploads "
           "(3 rounds: %.1f, %.1f, %.1f MB), peak %.1f MB (goal: under 50 MB after)\n", before, after[0],
           after[0], after[1], after[2], peak);
    printf("bench hub_rss_before_mb %.1f MB\n", before);
    printf("bench hub_rss_after_250_unauth_uploads_mb %.1f MB\n", after[0]);
    printf("bench hub_rss_peak_mb %.1f MB\n", peak);
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
        bench_die(prog, "BENCH_SYNC_DIR", "path too long");
    if (!mkdtemp(dir))
        bench_die(prog, "mkdtemp", "failed");
    double ratio = bench_ingest(dir, n);
    double pc, pr;
    double t = bench_loopback(dir, argv[1], argv[2], &pc, &pr);
    printf("bench hub_ingest_ratio %.2f ratio\n", ratio);
    printf("bench sync_10k_backlog %.3f s\n", t);
    printf("bench sync_bytes_per_signup %.0f bytes\n", pc);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
        rl.rlim_cur = 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    bench_load(dir, argv[1]);
    bench_rss(dir, argv[1]);
    printf("summary: ingest_ratio=%.2f sync_10k_s=%.3f bytes_per_signup=%.0f bytes_per_record=%.0f\n", ratio, t,
           pc, pr);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sync: could not remove %s\n", dir);
    return 0;
}
