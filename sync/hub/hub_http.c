/*
 * hub_http.c - the hub's HTTP server on libmicrohttpd (PROTOCOL.md 3).
 *
 * A thread per connection (libmicrohttpd's MHD_USE_THREAD_PER_CONNECTION,
 * its listening thread on poll(), never select(), which stops at
 * FD_SETSIZE descriptors): a staff member's slow report on the web page
 * holds its own connection's thread only, and kiosks syncing meanwhile are
 * answered on theirs.  A store handle is never used by two threads at
 * once: KHUB_STORE_HANDLES handles (tctx: an SQLite connection, or a
 * PostgreSQL one, each with a view of the web page on it) are opened at
 * start, one after the other, and each request takes a free one for as
 * long as it runs (a request finding none waits up to
 * KHUB_BUSY_TIMEOUT_MS, then gets 503 busy).  They are not opened per
 * connection: khub_open opens and closes the store file, and closing a
 * descriptor drops every POSIX lock this process holds on that file,
 * those of another handle in a transaction too (SQLite's "disk I/O
 * error").  SQLite in WAL mode lets the handles read at once; writers take
 * turns within its busy timeout.  The handle opened first (migrations, the
 * web page's catalogs and style sheet, which views share read-only) serves
 * no request.  Slow or stalled uploads cost only their own connection's
 * thread, since bodies are read as they arrive.  Limits against lock-out (sync_config.h): at most
 * KHUB_MAX_CONNECTIONS connections, KHUB_MAX_CONNECTIONS_PER_IP from one
 * address, KHUB_HEADER_TIMEOUT_S of silence before the headers are whole,
 * KHUB_CONNECTION_TIMEOUT_S after.
 *
 * Each request's state (body so far, arrival time, device) lives in the
 * per-connection pointer that libmicrohttpd hands back to every callback;
 * the server's state is in a struct passed as the callbacks' closure.  There
 * is no mutable global: SIGINT/SIGTERM are blocked in every thread and taken
 * with sigwait() in the main thread.
 *
 * Request flow for POST /v1/batches and /v1/pair; everything up to the
 * body happens in the first access-handler call, which has the headers and
 * no body byte yet, so a refused request never costs the hub its body:
 *   headers ── Content-Length twice, or with Transfer-Encoding ──▶ 400
 *      │
 *   token ── missing/unknown/revoked ──▶ 401
 *      │
 *   content type ──▶ 415        Content-Length > limit ──▶ 413
 *      │
 *   body chunks appended (a chunked body past the limit: dropped, 413)
 *      │
 *   parse ── invalid ──▶ 400 naming the member
 *      │
 *   khub_ingest | khub_pair ──▶ 200 | 401 | 403 | 500 | 503 | 507
 * A response queued before the body was read makes libmicrohttpd close the
 * connection after it, so unread body bytes are never taken for a request.
 */
#define _GNU_SOURCE
#include "hub_http.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "batch.h"
#include "hub_store.h"
#include "hub_web.h"
#include "kbuf.h"
#include "sync_config.h"

/* A handle of the store with a view of the web page on it (see the top). */
typedef struct tctx {
    khub *hub;
    khub_web *web;
    int busy;
} tctx;

typedef struct server {
    khub *hub;                 /* opened at start: migrations; serves no request */
    size_t max_body;
    khub_web *web;             /* the staff web page: every URL outside /v1/ */
    int web_delay_ms;          /* test hook: a slow page (KHUB_TEST_WEB_DELAY_MS) */
    pthread_mutex_t mu;        /* guards pool[].busy */
    pthread_cond_t freed;
    int npool;
    tctx pool[KHUB_STORE_HANDLES];
} server;

/* Takes a free handle of the store for one request, waiting up to
 * KHUB_BUSY_TIMEOUT_MS while all are in use; NULL then (err set). */
static tctx *handle_take(server *s, kerr *err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += KHUB_BUSY_TIMEOUT_MS / 1000;
    tctx *t = NULL;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (int i = 0; i < s->npool && !t; i++)
            if (!s->pool[i].busy)
                t = &s->pool[i];
        if (t || pthread_cond_timedwait(&s->freed, &s->mu, &until) != 0)
            break;
    }
    if (t)
        t->busy = 1;
    pthread_mutex_unlock(&s->mu);
    if (!t)
        kerr_set(err, KHUB_BUSY, "the hub is busy: all %d handles of its store are in use; try "
                 "again", s->npool);
    return t;
}

/* Gives a handle back. */
static void handle_give(server *s, tctx *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&s->mu);
    t->busy = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
}

/* Closes the pool's handles (after the daemon stopped). */
static void pool_close(server *s)
{
    for (int i = 0; i < s->npool; i++) {
        free(s->pool[i].web);
        khub_close(s->pool[i].hub);
    }
    s->npool = 0;
}

/* Opens the pool's handles, one after the other, before any request: a
 * handle opened while another is in a transaction could take that one's
 * file locks away (khub_open opens and closes the store file). */
static int pool_open(server *s, const khub_serve_opts *o, kerr *err)
{
    for (int i = 0; i < KHUB_STORE_HANDLES; i++) {
        tctx *t = &s->pool[i];
        int rc = khub_open(&t->hub, o->store_path, err);
        if (rc == 0 && o->max_pages > 0)
            rc = khub_limit_pages(t->hub, o->max_pages, err);
        if (rc == 0 && !(t->web = khub_web_view(s->web, t->hub)))
            rc = kerr_set(err, KERR_INTERNAL, "out of memory");
        if (rc) {
            khub_close(t->hub);
            t->hub = NULL;
            pool_close(s);
            return rc;
        }
        khub_set_ingest_delay(t->hub, o->ingest_delay_ms);
        s->npool++;
    }
    return 0;
}

typedef struct request {
    kbuf body;
    int too_large;
    int64_t recv_ms;
    char token[KHUB_TOKEN_LEN + 8];            /* checked in the first call */
    char name[KHUB_DEVICE_NAME_MAX + 1];
} request;

/* Prints one JSON log line to stdout and flushes it. */
void khub_log(const char *event, const char *members)
{
    printf("{\"ts\":%" PRId64 ",\"event\":\"%s\"%s%s}\n", khub_now_ms(), event,
           members && *members ? "," : "", members ? members : "");
    fflush(stdout);
}

/* Queues a JSON response; body is the whole JSON text. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (status == 503 || status == 507)
        MHD_add_response_header(r, "Retry-After", "30");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Queues a protocol error {"error":{status,code,message}}. */
static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *message)
{
    kbuf b = {0};
    kbuf_printf(&b, "{\"error\":{\"status\":%u,\"code\":\"%s\",\"message\":", status, code);
    kbuf_json_str(&b, message);
    kbuf_str(&b, "}}");
    enum MHD_Result ok = b.oom ? MHD_NO : respond(c, status, b.p);
    kbuf_free(&b);
    return ok;
}

/* The bearer token of the request, or NULL. */
static const char *bearer(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

/* HTTP status and protocol code of an ingest/auth failure. */
static unsigned status_of(int code, const char **name)
{
    switch (code) {
    case KHUB_UNAUTHORIZED: *name = "unauthorized"; return 401;
    case KHUB_FORBIDDEN: *name = "forbidden"; return 403;
    case KHUB_NOT_PAIRED: *name = "not_paired"; return 403;
    case KHUB_BUSY: *name = "busy"; return 503;
    case KERR_FULL: *name = "storage_full"; return 507;
    case KERR_INVALID: *name = "malformed"; return 400;
    default: *name = "internal"; return 500;
    }
}

/* Logs a batch request's outcome. */
static void log_batch(const char *device, const ksync_batch *b, const khub_result *res, unsigned status,
                      const char *result, const char *message, size_t bytes, int64_t t0)
{
    kbuf m = {0};
    kbuf_str(&m, "\"device\":");
    kbuf_json_str(&m, device ? device : "");
    if (b && b->device_id[0]) {
        kbuf_str(&m, ",\"device_id\":");
        kbuf_json_str(&m, b->device_id);
        kbuf_str(&m, ",\"batch_id\":");
        kbuf_json_str(&m, b->batch_id);
        kbuf_printf(&m, ",\"seq_from\":%" PRId64 ",\"seq_to\":%" PRId64 ",\"count\":%d",
                    b->seq_from, b->seq_to, b->n);
    }
    if (res)
        kbuf_printf(&m, ",\"stored\":%d,\"duplicates\":%d,\"acked_seq\":%" PRId64, res->stored,
                    res->duplicates, res->acked_seq);
    kbuf_printf(&m, ",\"bytes\":%zu,\"status\":%u,\"result\":\"%s\"", bytes, status, result);
    if (message) {
        kbuf_str(&m, ",\"message\":");
        kbuf_json_str(&m, message);
    }
    kbuf_printf(&m, ",\"ms\":%" PRId64, khub_now_ms() - t0);
    if (!m.oom)
        khub_log("batch", m.p);
    kbuf_free(&m);
}

/* POST /v1/batches with the whole body in req (token, type and declared
 * size were checked in the first call). */
static enum MHD_Result post_batch(server *s, khub *hub, struct MHD_Connection *c, request *req)
{
    const char *token = req->token;
    const char *name = req->name;
    size_t bytes = req->body.len;
    kerr e = {0};
    int rc;
    if (req->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "batch larger than %zu bytes", s->max_body);
        log_batch(name, NULL, NULL, 413, "too_large", msg, bytes, req->recv_ms);
        return respond_error(c, 413, "too_large", msg);
    }
    ksync_batch b;
    rc = ksync_batch_parse(req->body.p ? req->body.p : "", req->body.len, &b, &e);
    if (rc) {
        const char *code;
        unsigned st = status_of(rc, &code);
        log_batch(name, NULL, NULL, st, code, e.msg, bytes, req->recv_ms);
        return respond_error(c, st, code, e.msg);
    }
    khub_source src = {token, req->recv_ms, 1, "http"};
    khub_result res;
    rc = khub_ingest(hub, &src, &b, 1, &res, &e);
    enum MHD_Result ok;
    if (rc) {
        const char *code;
        unsigned st = status_of(rc, &code);
        log_batch(name, &b, NULL, st, code, e.msg, bytes, req->recv_ms);
        ok = respond_error(c, st, code, e.msg);
    } else {
        log_batch(res.device_name, &b, &res, 200, "ok", NULL, bytes, req->recv_ms);
        kbuf out = {0};
        kbuf_printf(&out, "{\"protocol\":%d,\"device_id\":\"%s\",\"batch_id\":\"%s\",\"stored\":%d,"
                    "\"duplicates\":%d,\"acked_seq\":%" PRId64 ",\"hub_time_ms\":%" PRId64 "}",
                    KSYNC_PROTOCOL, b.device_id, b.batch_id, res.stored, res.duplicates,
                    res.acked_seq, khub_now_ms());
        ok = out.oom ? MHD_NO : respond(c, 200, out.p);
        kbuf_free(&out);
    }
    ksync_batch_free(&b);
    return ok;
}

/* POST /v1/pair: {"protocol":1,"device_id":ID,"public_key":HEX}. */
static enum MHD_Result post_pair(khub *hub, struct MHD_Connection *c, request *req)
{
    kerr e = {0};
    char device_id[33] = "";
    unsigned char pk[32];
    int rc = req->too_large ? kerr_set(&e, KERR_INVALID, "pairing request too large") : 0;
    cJSON *j = NULL;
    if (rc == 0 && !req->body.len)
        rc = kerr_set(&e, KERR_INVALID, "pair: empty body");
    if (rc == 0 && !(j = cJSON_ParseWithLength(req->body.p, req->body.len)))
        rc = kerr_set(&e, KERR_INVALID, "pair: not JSON");
    if (rc == 0)
        rc = ksync_json_strict(req->body.p, req->body.len, &e);
    const cJSON *proto = cJSON_GetObjectItemCaseSensitive(j, "protocol");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(j, "public_key");
    if (rc == 0 && (!cJSON_IsNumber(proto) || proto->valuedouble != KSYNC_PROTOCOL))
        rc = kerr_set(&e, KERR_INVALID, "protocol: expected %d", KSYNC_PROTOCOL);
    if (rc == 0 && (!cJSON_IsString(dev) || !ksync_is_id(dev->valuestring)))
        rc = kerr_set(&e, KERR_INVALID, "device_id: expected 32 lower-case hex digits");
    if (rc == 0 && (!cJSON_IsString(key) || strlen(key->valuestring) != 64 ||
                    strspn(key->valuestring, "0123456789abcdef") != 64 ||
                    sodium_hex2bin(pk, sizeof pk, key->valuestring, 64, NULL, NULL, NULL) != 0))
        rc = kerr_set(&e, KERR_INVALID, "public_key: expected 64 lower-case hex digits (Ed25519)");
    if (rc == 0)
        snprintf(device_id, sizeof device_id, "%s", dev->valuestring);
    cJSON_Delete(j);
    char name[KHUB_DEVICE_NAME_MAX + 1] = "";
    if (rc == 0)
        rc = khub_pair(hub, req->token, device_id, pk, name, &e);
    int64_t acked = 0;
    if (rc == 0)
        rc = khub_acked(hub, device_id, &acked, &e);
    kbuf m = {0};
    kbuf_str(&m, "\"device\":");
    kbuf_json_str(&m, rc ? req->name : name);
    if (device_id[0])
        kbuf_printf(&m, ",\"device_id\":\"%s\"", device_id);
    const char *code = "ok";
    unsigned st = rc ? status_of(rc, &code) : 200;
    kbuf_printf(&m, ",\"status\":%u,\"result\":\"%s\"", st, code);
    if (rc) {
        kbuf_str(&m, ",\"message\":");
        kbuf_json_str(&m, e.msg);
    }
    if (!m.oom)
        khub_log("pair", m.p);
    kbuf_free(&m);
    if (rc)
        return respond_error(c, st, code, e.msg);
    kbuf out = {0};
    kbuf_str(&out, "{\"protocol\":1,\"device\":");
    kbuf_json_str(&out, name);
    kbuf_printf(&out, ",\"device_id\":\"%s\",\"acked_seq\":%" PRId64 ",\"hub_time_ms\":%" PRId64 "}",
                device_id, acked, khub_now_ms());
    enum MHD_Result ok = out.oom ? MHD_NO : respond(c, 200, out.p);
    kbuf_free(&out);
    return ok;
}

/* GET /v1/devices/{id}/ack. */
static enum MHD_Result get_ack(khub *hub, struct MHD_Connection *c, const char *device_id)
{
    const char *token = bearer(c);
    if (!token)
        return respond_error(c, 401, "unauthorized", "missing Authorization: Bearer token");
    char name[KHUB_DEVICE_NAME_MAX + 1], bound[33];
    kerr e = {0};
    int rc = khub_auth(hub, token, name, bound, &e);
    if (rc == 0 && !ksync_is_id(device_id))
        return respond_error(c, 404, "not_found", "device id must be 32 lower-case hex digits");
    if (rc == 0 && !bound[0])
        rc = kerr_set(&e, KHUB_NOT_PAIRED, "token of device %s is not paired with a kiosk yet: on "
                      "the kiosk run kiosk sync pair URL", name);
    if (rc == 0 && strcmp(bound, device_id) != 0)
        rc = kerr_set(&e, KHUB_FORBIDDEN, "token of device %s is paired with another device id", name);
    int64_t acked = 0;
    if (rc == 0)
        rc = khub_acked(hub, device_id, &acked, &e);
    if (rc) {
        const char *code;
        unsigned st = status_of(rc, &code);
        return respond_error(c, st, code, e.msg);
    }
    char body[256];
    snprintf(body, sizeof body, "{\"protocol\":%d,\"device_id\":\"%s\",\"acked_seq\":%" PRId64
             ",\"hub_time_ms\":%" PRId64 "}", KSYNC_PROTOCOL, device_id, acked, khub_now_ms());
    return respond(c, 200, body);
}

/* GET /v1/devices/{id}/roster?since=N&limit=M: one page of the roster
 * (PROTOCOL.md 12; khub_roster_page). */
static enum MHD_Result get_roster(khub *hub, struct MHD_Connection *c, const char *device_id)
{
    const char *token = bearer(c);
    if (!token)
        return respond_error(c, 401, "unauthorized", "missing Authorization: Bearer token");
    const char *a_since = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since");
    const char *a_limit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    char *end = NULL;
    long long since = 0, limit = KHUB_ROSTER_PAGE_DEFAULT;
    kerr e = {0};
    int rc = 0;
    if (a_since && (!*a_since || (since = strtoll(a_since, &end, 10), *end) || since < 0 ||
                    a_since[0] == '-' || a_since[0] == '+'))
        rc = kerr_set(&e, KERR_INVALID, "since: expected an integer >= 0");
    else if (a_limit && (!*a_limit || (limit = strtoll(a_limit, &end, 10), *end) || limit < 1 ||
                         limit > KHUB_ROSTER_PAGE_MAX))
        rc = kerr_set(&e, KERR_INVALID, "limit: expected an integer 1..%d", KHUB_ROSTER_PAGE_MAX);
    char name[KHUB_DEVICE_NAME_MAX + 1] = "";
    kbuf out = {0};
    int64_t t0 = khub_now_ms();
    if (rc == 0 && !ksync_is_id(device_id))
        return respond_error(c, 404, "not_found", "device id must be 32 lower-case hex digits");
    if (rc == 0)
        rc = khub_roster_page(hub, token, device_id, since, (int)limit, &out, name, &e);
    kbuf m = {0};
    kbuf_str(&m, "\"device\":");
    kbuf_json_str(&m, name);
    kbuf_printf(&m, ",\"device_id\":\"%s\",\"since\":%lld,\"bytes\":%zu", device_id, since,
                rc ? 0 : out.len);
    enum MHD_Result ok;
    if (rc) {
        const char *code;
        unsigned st = status_of(rc, &code);
        kbuf_printf(&m, ",\"status\":%u,\"result\":\"%s\",\"message\":", st, code);
        kbuf_json_str(&m, e.msg);
        ok = respond_error(c, st, code, e.msg);
    } else {
        kbuf_printf(&m, ",\"status\":200,\"result\":\"ok\"");
        ok = respond(c, 200, out.p);
    }
    kbuf_printf(&m, ",\"ms\":%" PRId64, khub_now_ms() - t0);
    if (!m.oom)
        khub_log("roster", m.p);
    kbuf_free(&m);
    kbuf_free(&out);
    return ok;
}

static enum MHD_Result route_on(server *s, tctx *t, struct MHD_Connection *c, const char *url,
                                const char *method, request *req);

/* Routes a request whose body (if any) has been read completely, on a
 * handle of the store taken for it. */
static enum MHD_Result route(server *s, struct MHD_Connection *c, const char *url, const char *method,
                             request *req)
{
    kerr te = {0};
    tctx *t = handle_take(s, &te);
    if (!t)
        return respond_error(c, 503, "busy", te.msg);
    enum MHD_Result r = route_on(s, t, c, url, method, req);
    handle_give(s, t);
    return r;
}

/* route with a handle of the store in hand. */
static enum MHD_Result route_on(server *s, tctx *t, struct MHD_Connection *c, const char *url,
                                const char *method, request *req)
{
    if (khub_web_owns(url)) {
        if (s->web_delay_ms > 0) {          /* test hook: a slow report */
            struct timespec d = {s->web_delay_ms / 1000, (long)(s->web_delay_ms % 1000) * 1000000L};
            nanosleep(&d, NULL);
        }
        return khub_web_handle(t->web, c, url, method, req->body.p, req->body.len, req->too_large);
    }
    int is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/v1/health") == 0) {
        if (!is_get)
            return respond_error(c, 405, "method_not_allowed", "use GET");
        char body[128];
        snprintf(body, sizeof body, "{\"protocol\":%d,\"ok\":true,\"hub_time_ms\":%" PRId64 "}",
                 KSYNC_PROTOCOL, khub_now_ms());
        return respond(c, 200, body);
    }
    if (strcmp(url, "/v1/batches") == 0) {
        if (!is_post)
            return respond_error(c, 405, "method_not_allowed", "use POST");
        return post_batch(s, t->hub, c, req);
    }
    if (strcmp(url, "/v1/pair") == 0) {
        if (!is_post)
            return respond_error(c, 405, "method_not_allowed", "use POST");
        return post_pair(t->hub, c, req);
    }
    static const char prefix[] = "/v1/devices/";
    size_t n = strlen(url);
    if (strncmp(url, prefix, sizeof prefix - 1) == 0 && n == sizeof prefix - 1 + 32 + 4 &&
        strcmp(url + n - 4, "/ack") == 0) {
        if (!is_get)
            return respond_error(c, 405, "method_not_allowed", "use GET");
        char id[33];
        memcpy(id, url + sizeof prefix - 1, 32);
        id[32] = '\0';
        return get_ack(t->hub, c, id);
    }
    if (strncmp(url, prefix, sizeof prefix - 1) == 0 && n == sizeof prefix - 1 + 32 + 7 &&
        strcmp(url + n - 7, "/roster") == 0) {
        if (!is_get)
            return respond_error(c, 405, "method_not_allowed", "use GET");
        char id[33];
        memcpy(id, url + sizeof prefix - 1, 32);
        id[32] = '\0';
        return get_roster(t->hub, c, id);
    }
    return respond_error(c, 404, "not_found", "no such path");
}

/* Counts the request's headers named name (case-insensitive). */
typedef struct header_count {
    const char *name;
    int n;
    char first[64];
    int differ;
} header_count;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    header_count *hc = cls;
    if (key && strcasecmp(key, hc->name) == 0) {
        if (hc->n++ == 0)
            snprintf(hc->first, sizeof hc->first, "%s", value ? value : "");
        else if (strcmp(hc->first, value ? value : "") != 0)
            hc->differ = 1;
    }
    return MHD_YES;
}

/* The first access-handler call: headers only, no body byte read yet.
 * Refuses here everything that can be told from the headers (see the flow
 * at the top of this file); returns MHD_YES with *refused = 0 to go on. */
static enum MHD_Result first_call(server *s, struct MHD_Connection *c, const char *url,
                                  const char *method, request *req, int *refused)
{
    *refused = 1;
    header_count cl = {"Content-Length", 0, "", 0}, te = {"Transfer-Encoding", 0, "", 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &cl);
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &te);
    if (cl.n > 1 || (cl.n && te.n)) {
        const char *msg = cl.n > 1 ? "Content-Length given twice: the body's length is ambiguous"
                                   : "Content-Length together with Transfer-Encoding: the body's "
                                     "length is ambiguous";
        log_batch("", NULL, NULL, 400, "malformed", msg, 0, req->recv_ms);
        return respond_error(c, 400, "malformed", msg);
    }
    if (khub_web_owns(url) && strcmp(method, "POST") == 0) {
        /* a web form: its session and CSRF token are checked with the
         * whole (small) body; a longer one is refused unread */
        unsigned long long n = cl.n ? strtoull(cl.first, NULL, 10) : 0;
        if (n > KHUB_WEB_MAX_FORM)
            return route(s, c, url, method, &(request){.too_large = 1});
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)KHUB_CONNECTION_TIMEOUT_S);
        *refused = 0;
        return MHD_YES;
    }
    int needs_body = (strcmp(url, "/v1/batches") == 0 || strcmp(url, "/v1/pair") == 0) &&
                     strcmp(method, "POST") == 0;
    if (!needs_body)            /* answered now: no other request has a body to read */
        return route(s, c, url, method, req);
    const char *token = bearer(c);
    char bound[33];
    kerr e = {0};
    tctx *t = NULL;
    int rc = !token ? kerr_set(&e, KHUB_UNAUTHORIZED, "missing Authorization: Bearer token")
             : strlen(token) >= sizeof req->token ? kerr_set(&e, KHUB_UNAUTHORIZED, "unknown token")
             : !(t = handle_take(s, &e)) ? KHUB_BUSY
             : khub_auth(t->hub, token, req->name, bound, &e);
    handle_give(s, t);
    if (rc) {
        const char *code;
        unsigned st = status_of(rc, &code);
        log_batch("", NULL, NULL, st, code, e.msg, 0, req->recv_ms);
        return respond_error(c, st, code, e.msg);
    }
    snprintf(req->token, sizeof req->token, "%s", token);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        log_batch(req->name, NULL, NULL, 415, "unsupported_media_type", ct ? ct : "", 0, req->recv_ms);
        return respond_error(c, 415, "unsupported_media_type", "Content-Type must be application/json");
    }
    if (cl.n) {
        char *end;
        unsigned long long n = strtoull(cl.first, &end, 10);
        if (n > s->max_body) {
            char msg[96];
            snprintf(msg, sizeof msg, "batch larger than %zu bytes", s->max_body);
            log_batch(req->name, NULL, NULL, 413, "too_large", msg, (size_t)n, req->recv_ms);
            return respond_error(c, 413, "too_large", msg);
        }
        /* one allocation of the announced size (mmapped when large, see
         * khub_serve) instead of doubling */
        if (n > 0 && !req->body.p) {
            char *p = malloc((size_t)n + 1);
            if (p) {
                req->body.p = p;
                req->body.cap = (size_t)n + 1;
                p[0] = '\0';
            }
        }
    }
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)KHUB_CONNECTION_TIMEOUT_S);
    *refused = 0;
    return MHD_YES;
}

/* libmicrohttpd's access handler: called once with the headers, then once
 * per body chunk, then once more with no data. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    server *s = cls;
    request *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->recv_ms = khub_now_ms();
        *con_cls = req;
        int refused;
        enum MHD_Result r = first_call(s, c, url, method, req, &refused);
        if (refused)
            req->too_large = -1;     /* answered: ignore whatever follows */
        return r;
    }
    if (req->too_large < 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t limit = khub_web_owns(url) ? (size_t)KHUB_WEB_MAX_FORM : s->max_body;
        if (!req->too_large && req->body.len + *upload_data_size > limit) {
            req->too_large = 1;
            kbuf_free(&req->body);
        }
        if (!req->too_large && kbuf_add(&req->body, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return route(s, c, url, method, req);
}

/* libmicrohttpd's completion callback: frees the request state. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request *req = *con_cls;
    if (req) {
        kbuf_free(&req->body);
        sodium_memzero(req->token, sizeof req->token);
        free(req);
        *con_cls = NULL;
    }
}

/* Reads a whole (small) file into a malloc'd NUL-terminated string. */
static char *slurp(const char *path, kerr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kerr_set(err, KERR_IO, "cannot open %s: %m", path);
        return NULL;
    }
    kbuf b = {0};
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        kbuf_add(&b, tmp, n);
    int bad = ferror(f) || b.oom;
    fclose(f);
    if (bad || !b.p) {
        kbuf_free(&b);
        kerr_set(err, KERR_IO, "cannot read %s", path);
        return NULL;
    }
    return b.p;
}

/* Parses "A.B.C.D:PORT" into sa. */
static int parse_listen(const char *listen, struct sockaddr_in *sa, kerr *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return kerr_set(err, KERR_INVALID, "--listen %s: expected HOST:PORT", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (*end || port > 65535 || inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
                                          &sa->sin_addr) != 1)
        return kerr_set(err, KERR_INVALID, "--listen %s: expected an IPv4 address and a port", listen);
    return 0;
}

/* Opens the store, starts libmicrohttpd and waits for SIGINT/SIGTERM. */
int khub_serve(const khub_serve_opts *o, kerr *err)
{
    struct sockaddr_in sa;
    int rc = parse_listen(o->listen ? o->listen : KHUB_LISTEN, &sa, err);
    if (rc)
        return rc;
    if (!o->tls_cert != !o->tls_key)
        return kerr_set(err, KERR_INVALID, "--tls-cert and --tls-key go together");
    static server s;                /* the pool is large for a stack: one server a process */
    memset(&s, 0, sizeof s);
    s.max_body = o->max_body ? o->max_body : KSYNC_MAX_BATCH_BYTES;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.freed, NULL);
    const char *wd = getenv("KHUB_TEST_WEB_DELAY_MS");
    s.web_delay_ms = wd && atoi(wd) > 0 ? atoi(wd) : 0;
    if ((rc = khub_open(&s.hub, o->store_path, err)))
        return rc;
    if ((rc = khub_web_open(&s.web, s.hub, o->tls_cert != NULL, NULL, err))) {
        khub_close(s.hub);
        return rc;
    }
    if (o->max_pages > 0 && (rc = khub_limit_pages(s.hub, o->max_pages, err))) {
        khub_web_close(s.web);
        khub_close(s.hub);
        return rc;
    }
    khub_set_ingest_delay(s.hub, o->ingest_delay_ms);
    char *cert = NULL, *key = NULL;
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            khub_web_close(s.web);
            khub_close(s.hub);
            return kerr_set(err, KERR_INVALID, "this libmicrohttpd has no TLS: use a reverse proxy");
        }
        if (!(cert = slurp(o->tls_cert, err)) || !(key = slurp(o->tls_key, err))) {
            free(cert);
            khub_web_close(s.web);
            khub_close(s.hub);
            return KERR_IO;
        }
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Bodies of 256 KiB and more are mmapped, so their memory goes back to
     * the system when the request ends instead of staying in the heap. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
    /* Room for the connection limit: one descriptor each, plus the store. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)KHUB_MAX_CONNECTIONS + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)KHUB_MAX_CONNECTIONS + 64 ? rl.rlim_max
                      : (rlim_t)KHUB_MAX_CONNECTIONS + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    unsigned conn_limit = (unsigned)KHUB_MAX_CONNECTIONS;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)conn_limit + 64)
        conn_limit = rl.rlim_cur > 128 ? (unsigned)rl.rlim_cur - 64 : 64;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | (cert ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    if ((rc = pool_open(&s, o, err)) != 0) {
        free(cert);
        free(key);
        khub_web_close(s.web);
        khub_close(s.hub);
        return rc;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)KHUB_HEADER_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, conn_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)KHUB_MAX_CONNECTIONS_PER_IP,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)KHUB_THREAD_STACK_BYTES,
        MHD_OPTION_ARRAY, cert ? tls : tls + 2, MHD_OPTION_END);
    if (!d) {
        free(cert);
        free(key);
        pool_close(&s);
        khub_web_close(s.web);
        khub_close(s.hub);
        return kerr_set(err, KERR_IO, "MHD_start_daemon: cannot listen on %s",
                        o->listen ? o->listen : KHUB_LISTEN);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    kbuf members = {0};
    kbuf_printf(&members, "\"url\":\"%s://%s:%u\",\"store\":", cert ? "https" : "http", host,
                info ? (unsigned)info->port : (unsigned)ntohs(sa.sin_port));
    kbuf_json_str(&members, o->store_path);
    kbuf_printf(&members, ",\"max_connections\":%u,\"max_per_ip\":%u,\"poll\":\"poll\","
                "\"threads\":\"per_connection\",\"store_handles\":%d", conn_limit,
                (unsigned)KHUB_MAX_CONNECTIONS_PER_IP, s.npool);
    khub_log("listening", members.oom ? "" : members.p);
    kbuf_free(&members);
    int sig = 0;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    khub_log("stopped", sig == SIGINT ? "\"signal\":\"SIGINT\"" : "\"signal\":\"SIGTERM\"");
    free(cert);
    free(key);
    pool_close(&s);                 /* after MHD_stop_daemon: no request runs */
    khub_web_close(s.web);
    khub_close(s.hub);
    return 0;
}
