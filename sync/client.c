/*
 * client.c - pairing, the sync loop over HTTP, bundle export and status
 * (see client.h).
 *
 * The sync loop, with a = sync.acked_seq:
 *
 *   read batch (seq > a, up to N) ── empty ──▶ done (in sync)
 *      │
 *   POST /v1/batches ── no answer ──▶ stop: KSYNC_ERR_NET (a unchanged)
 *      │             ── 413 ──▶ N = N/2, same records again (N = 1: refused)
 *      │             ── 4xx ──▶ stop: KSYNC_ERR_REFUSED   ── 5xx ──▶ KSYNC_ERR_HUB
 *      ▼ 200 {acked_seq = h}
 *   a = h (stored in meta; even if lower: the hub lacks records, resend)
 *      └──▶ read next batch
 *
 * The loop is bounded: at most 2 + 2 * (pending / N) + 8 requests per run;
 * a hub whose answers never let acked_seq reach the batch end stops it.
 */
#define _GNU_SOURCE
#include "client.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "kbuf.h"
#include "outbox.h"
#include "roster.h"
#include "sync_config.h"

#define KSYNC_MAX_RESPONSE 65536

/* Initialises libcurl once for the process. */
int ksync_global_init(kerr *err)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    return c == CURLE_OK ? 0 : kerr_set(err, KERR_INTERNAL, "curl_global_init: %s", curl_easy_strerror(c));
}

/* Clears the hub URL and token from meta. */
int ksync_unpair(const char *data_dir, kerr *err)
{
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    if ((rc = ksync_meta_set(ob, "sync.url", "", err)) == 0 &&
        (rc = ksync_meta_set(ob, "sync.token", "", err)) == 0)
        rc = ksync_meta_set(ob, "sync.paired", "", err);
    ksync_outbox_close(ob);
    return rc;
}

/* libcurl write callback: collects the response body (bounded). */
static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    kbuf *b = ctx;
    size_t len = size * n;
    if (b->len + len > KSYNC_MAX_RESPONSE)
        return 0;
    return kbuf_add(b, p, len) == 0 ? len : 0;
}

/* libcurl progress callback: aborts the transfer when cancel is set. */
static int on_xfer(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    atomic_int *cancel = ctx;
    return cancel && atomic_load(cancel) ? 1 : 0;
}

/* Fills b->batch_id and the sent clock readings. */
static void stamp_batch(ksync_batch *b, const kclock *clock)
{
    if (krandom_id(b->batch_id) != 0)
        snprintf(b->batch_id, sizeof b->batch_id, "%032" PRIx64, (uint64_t)clock->mono_ms(clock->ctx));
    b->sent_wall_ms = clock->wall_ms(clock->ctx);
    b->sent_mono_ms = clock->mono_ms(clock->ctx);
    snprintf(b->sent_boot_id, sizeof b->sent_boot_id, "%s", clock->boot_id);
}

/* The message of a hub error body, or the status line. */
void ksync_hub_message(const kbuf *body, long status, char *out, size_t cap)
{
    cJSON *j = body->p ? cJSON_ParseWithLength(body->p, body->len) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
    if (cJSON_IsString(m))
        snprintf(out, cap, "hub answered %ld: %s", status, m->valuestring);
    else
        snprintf(out, cap, "hub answered %ld", status);
    cJSON_Delete(j);
}

/* Records the outcome of a run in meta (best effort). */
static void note_outcome(ksync_outbox *ob, const kclock *clock, int rc, const kerr *err)
{
    int64_t now = clock->wall_ms(clock->ctx);
    ksync_meta_set_int(ob, "sync.last_attempt_ms", now, NULL);
    if (rc == 0) {
        ksync_meta_set_int(ob, "sync.last_ok_ms", now, NULL);
        ksync_meta_set(ob, "sync.last_error", "", NULL);
    } else {
        ksync_meta_set(ob, "sync.last_error", err->msg, NULL);
    }
}

/* One POST of body; fills *status and resp.  0 when the hub answered. */
static int post(CURL *c, const char *url, struct curl_slist *hdrs, const kbuf *body, long *status,
                kbuf *resp, kerr *err)
{
    kbuf_reset(resp);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->p);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        return kerr_set(err, KSYNC_ERR_NET, "curl_easy_perform: %s", curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

/* Reads acked_seq (and checks device_id) from a 200 answer. */
static int parse_ack(const kbuf *resp, const char *device_id, int64_t *acked, kerr *err)
{
    cJSON *j = resp->p ? cJSON_ParseWithLength(resp->p, resp->len) : NULL;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "acked_seq");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    int rc = 0;
    if (!cJSON_IsNumber(a) || a->valuedouble < 0 || !cJSON_IsString(d) ||
        strcmp(d->valuestring, device_id) != 0)
        rc = kerr_set(err, KSYNC_ERR_HUB, "hub answered 200 without a valid acked_seq for this device");
    else
        *acked = (int64_t)a->valuedouble;
    cJSON_Delete(j);
    return rc;
}

/* The kiosk's Ed25519 key for signing bundles (meta sync.sign_key, the
 * 64-byte secret key in hex), made on first use.  The public half goes to
 * the hub at pairing. */
static int sign_key(ksync_outbox *ob, unsigned char sk[crypto_sign_SECRETKEYBYTES],
                    unsigned char pk[crypto_sign_PUBLICKEYBYTES], kerr *err)
{
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    char hex[crypto_sign_SECRETKEYBYTES * 2 + 1];
    int rc = 0;
    if (ksync_meta_get(ob, "sync.sign_key", hex, sizeof hex, NULL) != 0 ||
        strlen(hex) != sizeof hex - 1 ||
        sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, sizeof hex - 1, NULL, NULL, NULL) != 0) {
        crypto_sign_keypair(pk, sk);
        sodium_bin2hex(hex, sizeof hex, sk, crypto_sign_SECRETKEYBYTES);
        rc = ksync_meta_set(ob, "sync.sign_key", hex, err);
    }
    sodium_memzero(hex, sizeof hex);
    if (rc == 0)
        crypto_sign_ed25519_sk_to_pk(pk, sk);
    return rc;
}

/* Sets the options every request of a run shares. */
static void curl_common(CURL *c, const ksync_opts *o)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)KSYNC_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)KSYNC_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, o ? o->cancel : NULL);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kiosk-sync/1");
}

/* POST /v1/pair: tells the hub this kiosk's device id and bundle key under
 * the token.  0 when the hub paired it; KSYNC_ERR_NET when it did not
 * answer; KSYNC_ERR_REFUSED / KSYNC_ERR_HUB with the hub's message. */
static int pair_request(ksync_outbox *ob, CURL *c, const char *base, const char *token,
                        const char *ca, kerr *err)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    int rc = sign_key(ob, sk, pk, err);
    sodium_memzero(sk, sizeof sk);
    if (rc)
        return rc;
    char url[300], auth[160], pkhex[65];
    snprintf(url, sizeof url, "%s/v1/pair", base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    if (ca && ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    kbuf body = {0}, resp = {0};
    kbuf_printf(&body, "{\"protocol\":%d,\"device_id\":\"%s\",\"public_key\":\"%s\"}", KSYNC_PROTOCOL,
                ksync_outbox_device_id(ob), pkhex);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    long status = 0;
    rc = body.oom ? kerr_set(err, KERR_INTERNAL, "pair: out of memory")
                  : post(c, url, hdrs, &body, &status, &resp, err);
    if (rc == 0 && status != 200) {
        char msg[400];
        ksync_hub_message(&resp, status, msg, sizeof msg);
        rc = kerr_set(err, status >= 500 ? KSYNC_ERR_HUB : KSYNC_ERR_REFUSED, "%s", msg);
    }
    if (rc == 0)
        rc = ksync_meta_set(ob, "sync.paired", "1", err);
    curl_slist_free_all(hdrs);
    sodium_memzero(auth, sizeof auth);
    kbuf_free(&body);
    kbuf_free(&resp);
    return rc;
}

/* This kiosk's device id and bundle key (made on first use). */
int ksync_key(const char *data_dir, char device_id[33], char key_hex[65], kerr *err)
{
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    rc = sign_key(ob, sk, pk, err);
    sodium_memzero(sk, sizeof sk);
    if (rc == 0) {
        snprintf(device_id, 33, "%s", ksync_outbox_device_id(ob));
        sodium_bin2hex(key_hex, 65, pk, sizeof pk);
    }
    ksync_outbox_close(ob);
    return rc;
}

/* Validates the URL and token, pairs with the hub (POST /v1/pair) and
 * stores URL, token and CA file in meta.  A hub that does not answer
 * leaves the pairing to the next sync (*confirmed = 0); a hub that refuses
 * changes nothing stored. */
int ksync_pair(const char *data_dir, const char *url, const char *token, const char *ca_file,
               int *confirmed, kerr *err)
{
    *confirmed = 0;
    size_t ul = strlen(url);
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || ul >= 200)
        return kerr_set(err, KERR_INVALID, "hub URL %s: expected http://HOST:PORT or https://...", url);
    if (strncmp(token, "khub_", 5) != 0 || strlen(token) != 69 || strspn(token + 5, "0123456789abcdef") != 64)
        return kerr_set(err, KERR_INVALID, "token: expected khub_ and 64 hex digits (from kiosk-hub device add)");
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    char base[256];
    snprintf(base, sizeof base, "%s", url);
    while (ul > 0 && base[ul - 1] == '/')
        base[--ul] = '\0';
    CURL *c = curl_easy_init();
    if (!c) {
        ksync_outbox_close(ob);
        return kerr_set(err, KERR_INTERNAL, "curl_easy_init: failed");
    }
    curl_common(c, NULL);
    kerr pe = {0};
    int prc = pair_request(ob, c, base, token, ca_file, &pe);
    curl_easy_cleanup(c);
    if (prc != 0 && prc != KSYNC_ERR_NET) {
        ksync_outbox_close(ob);
        return kerr_set(err, prc, "%s", pe.msg);
    }
    *confirmed = prc == 0;
    if ((rc = ksync_meta_set(ob, "sync.url", base, err)) == 0 &&
        (rc = ksync_meta_set(ob, "sync.token", token, err)) == 0 &&
        (rc = ksync_meta_set(ob, "sync.ca", ca_file ? ca_file : "", err)) == 0 &&
        (rc = ksync_meta_set(ob, "sync.paired", prc == 0 ? "1" : "", err)) == 0)
        rc = ksync_meta_set(ob, "sync.last_error", prc == 0 ? "" : pe.msg, err);
    ksync_outbox_close(ob);
    if (rc == 0 && prc != 0)
        kerr_set(err, 0, "%s", pe.msg);
    return rc;
}

/* GET /v1/devices/{id}/ack: what the hub holds of this kiosk. */
static int get_ack(ksync_outbox *ob, CURL *c, const char *base, const char *auth, int64_t *acked,
                   kerr *err)
{
    char url[360];
    snprintf(url, sizeof url, "%s/v1/devices/%s/ack", base, ksync_outbox_device_id(ob));
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    kbuf resp = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    int rc = 0;
    if (cc != CURLE_OK)
        rc = kerr_set(err, KSYNC_ERR_NET, "curl_easy_perform: %s", curl_easy_strerror(cc));
    else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status == 200)
        rc = parse_ack(&resp, ksync_outbox_device_id(ob), acked, err);
    else {
        char msg[400];
        ksync_hub_message(&resp, status, msg, sizeof msg);
        rc = kerr_set(err, status >= 500 ? KSYNC_ERR_HUB : KSYNC_ERR_REFUSED, "%s", msg);
    }
    curl_slist_free_all(hdrs);
    kbuf_free(&resp);
    return rc;
}

/* 1 if a hub error body carries the given code. */
static int hub_code_is(const kbuf *body, const char *code)
{
    cJSON *j = body->p ? cJSON_ParseWithLength(body->p, body->len) : NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "code");
    int is = cJSON_IsString(c) && strcmp(c->valuestring, code) == 0;
    cJSON_Delete(j);
    return is;
}

/* The sync loop proper, on an open outbox and curl handle. */
static int sync_loop(ksync_outbox *ob, const char *data_dir, CURL *c, const kclock *clock,
                     const ksync_opts *o, ksync_report *rep, kerr *err)
{
    char base[256], token[128], url[300], auth[160];
    ksync_meta_get(ob, "sync.url", base, sizeof base, NULL);
    ksync_meta_get(ob, "sync.token", token, sizeof token, NULL);
    if (!base[0] || !token[0])
        return kerr_set(err, KSYNC_ERR_UNPAIRED, "not paired with a hub (kiosk sync pair URL, token on standard input)");
    snprintf(url, sizeof url, "%s/v1/batches", base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    char ca[512] = "", paired[8] = "";
    if (ksync_meta_get(ob, "sync.ca", ca, sizeof ca, NULL) == 0 && ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    /* Paired before the hub checked pairing, or the hub did not answer at
     * `kiosk sync pair`: pair now (the hub learns the device id and key). */
    ksync_meta_get(ob, "sync.paired", paired, sizeof paired, NULL);
    int rc = strcmp(paired, "1") == 0 ? 0 : pair_request(ob, c, base, token, ca, err);
    int repaired = 0;
    int64_t acked = ksync_meta_get_int(ob, "sync.acked_seq", 0);
    /* Ask what the hub holds before trusting the acked_seq kept here: a hub
     * restored from a backup, or one that learnt to count only records it
     * holds, may hold less than it once said. */
    int64_t h0 = 0;
    if (rc == 0 && (rc = get_ack(ob, c, base, auth, &h0, err)) == KSYNC_ERR_REFUSED && !repaired &&
        strstr(err->msg, "not paired")) {
        repaired = 1;
        if ((rc = pair_request(ob, c, base, token, ca, err)) == 0)
            rc = get_ack(ob, c, base, auth, &h0, err);
    }
    if (rc == 0 && h0 != acked) {
        acked = h0;
        rc = ksync_meta_set_int(ob, "sync.acked_seq", acked, err);
    }
    if (rc)
        return rc;
    rc = ksync_outbox_pending(ob, acked, &rep->pending_before, err);
    if (rc)
        return rc;
    int n = o && o->batch_records > 0 ? o->batch_records : KSYNC_BATCH_RECORDS;
    if (o && o->progress)
        o->progress(o->progress_ctx, 0, rep->pending_before);

    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    kbuf body = {0}, resp = {0};
    int64_t budget = 10 + 2 * (rep->pending_before / n);
    while (rc == 0) {
        if (budget-- <= 0) {
            rc = kerr_set(err, KSYNC_ERR_HUB, "hub does not acknowledge the records sent (gave up after %d requests)",
                          rep->batches);
            break;
        }
        ksync_batch b;
        if ((rc = ksync_outbox_next(ob, acked, n, &b, err)) != 0)
            break;
        if (b.n == 0) {
            ksync_batch_free(&b);
            break;
        }
        stamp_batch(&b, clock);
        kbuf_reset(&body);
        rc = ksync_batch_encode(&b, &body, err);
        long status = 0;
        if (rc == 0)
            rc = post(c, url, hdrs, &body, &status, &resp, err);
        rep->http_status = (int)status;
        if (rc == 0) {
            rep->batches++;
            rep->bytes_sent += (int64_t)body.len;
        }
        int64_t h = 0;
        if (rc == 0 && status == 200 && (rc = parse_ack(&resp, b.device_id, &h, err)) == 0) {
            if (h >= b.seq_to)
                rep->sent += b.n;
            else if (h >= b.seq_from - 1)
                rc = kerr_set(err, KSYNC_ERR_HUB, "hub acknowledged seq %" PRId64 " after storing up to %" PRId64,
                              h, b.seq_to);
            if (rc == 0 && h != acked) {
                acked = h;
                rc = ksync_meta_set_int(ob, "sync.acked_seq", acked, err);
            }
            if (rc == 0 && o && o->progress)
                o->progress(o->progress_ctx, rep->sent, rep->pending_before);
        } else if (rc == 0 && status == 413 && n > 1) {
            n = n / 2;
        } else if (rc == 0 && status == 403 && !repaired && hub_code_is(&resp, "not_paired")) {
            /* the hub forgot the pairing (a store restored from before it) */
            repaired = 1;
            rc = pair_request(ob, c, base, token, ca, err);
        } else if (rc == 0) {
            char msg[400];
            ksync_hub_message(&resp, status, msg, sizeof msg);
            rc = kerr_set(err, status >= 500 ? KSYNC_ERR_HUB : KSYNC_ERR_REFUSED, "%s", msg);
        }
        ksync_batch_free(&b);
    }
    kbuf_free(&body);
    kbuf_free(&resp);
    curl_slist_free_all(hdrs);
    /* the download half (PROTOCOL.md 12): after every record is held */
    if (rc == 0) {
        ksync_roster_report rr;
        rc = ksync_roster_pull(c, data_dir, clock, base, auth,
                               ksync_outbox_device_id(ob), acked, o ? o->roster_page : 0, &rr, err);
        rep->roster_pages = rr.pages;
        rep->roster_changes = rr.changes;
        rep->roster_bytes = rr.bytes;
        rep->roster_cursor = rr.cursor;
        rep->roster_skipped = rr.skipped;
        rep->roster_unsupported = rr.hub_without_roster;
        rep->roster_paused = rr.paused;
        snprintf(rep->roster_note, sizeof rep->roster_note, "%s", rr.paused_note);
    }
    rep->acked_seq = acked;
    kerr e2 = {0};
    if (ksync_outbox_pending(ob, acked, &rep->pending_after, &e2) != 0)
        rep->pending_after = -1;
    return rc;
}

/* Opens the outbox and a curl handle, runs the sync loop, notes the outcome. */
int ksync_run(const char *data_dir, const ksync_opts *o, ksync_report *rep, kerr *err)
{
    memset(rep, 0, sizeof *rep);
    kclock sys;
    const kclock *clock = o && o->clock ? o->clock : (kclock_system(&sys), &sys);
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    CURL *c = curl_easy_init();
    if (!c) {
        ksync_outbox_close(ob);
        return kerr_set(err, KERR_INTERNAL, "curl_easy_init: failed");
    }
    curl_common(c, o);
    rc = sync_loop(ob, data_dir, c, clock, o, rep, err);
    if (rc != KSYNC_ERR_UNPAIRED)
        note_outcome(ob, clock, rc, err);
    curl_easy_cleanup(c);
    ksync_outbox_close(ob);
    return rc;
}

/* Streams every unacknowledged record into one bundle file. */
int ksync_export(const char *data_dir, const char *dir, const ksync_opts *o, char *path,
                 size_t cap, int64_t *records, kerr *err)
{
    *records = 0;
    path[0] = '\0';
    kclock sys;
    const kclock *clock = o && o->clock ? o->clock : (kclock_system(&sys), &sys);
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    int64_t acked = ksync_meta_get_int(ob, "sync.acked_seq", 0), from = acked + 1, to = acked;
    int n = o && o->batch_records > 0 ? o->batch_records : KSYNC_BATCH_RECORDS;
    ksync_bundle_writer *w = NULL;
    while (rc == 0) {
        ksync_batch b;
        if ((rc = ksync_outbox_next(ob, to, n, &b, err)) != 0)
            break;
        if (b.n == 0) {
            ksync_batch_free(&b);
            break;
        }
        stamp_batch(&b, clock);
        if (!w)
            rc = ksync_bundle_begin(&w, dir, err);
        if (rc == 0)
            rc = ksync_bundle_add(w, &b, err);
        *records += b.n;
        to = b.seq_to;
        ksync_batch_free(&b);
    }
    if (rc == 0 && !w)
        rc = kerr_set(err, KERR_NOTFOUND, "nothing to export: the hub has acknowledged every record");
    unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    if (rc == 0 && w && (rc = sign_key(ob, sk, pk, err)) != 0)
        ksync_bundle_abort(w);
    else if (rc == 0)
        rc = ksync_bundle_finish(w, ksync_outbox_device_id(ob), sk, (long long)from, (long long)to,
                                 path, cap, err);
    else
        ksync_bundle_abort(w);
    sodium_memzero(sk, sizeof sk);
    ksync_outbox_close(ob);
    return rc;
}

/* Reads the sync meta values and counts the waiting records. */
int ksync_status_read(const char *data_dir, ksync_status *st, kerr *err)
{
    memset(st, 0, sizeof *st);
    ksync_outbox *ob;
    int rc = ksync_outbox_open(&ob, data_dir, err);
    if (rc)
        return rc;
    char token[128];
    ksync_meta_get(ob, "sync.url", st->url, sizeof st->url, NULL);
    ksync_meta_get(ob, "sync.token", token, sizeof token, NULL);
    st->paired = st->url[0] && token[0];
    st->acked_seq = ksync_meta_get_int(ob, "sync.acked_seq", 0);
    st->last_ok_ms = ksync_meta_get_int(ob, "sync.last_ok_ms", 0);
    st->last_attempt_ms = ksync_meta_get_int(ob, "sync.last_attempt_ms", 0);
    ksync_meta_get(ob, "sync.last_error", st->last_error, sizeof st->last_error, NULL);
    rc = ksync_outbox_pending(ob, st->acked_seq, &st->pending, err);
    ksync_outbox_close(ob);
    return rc;
}
