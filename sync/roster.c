/*
 * roster.c - the kiosk's half of the download (roster.h, PROTOCOL.md 12).
 *
 *   cursor (store) ──GET /v1/devices/ID/roster?since=C&limit=L──▶ body (≤ 8 MiB)
 *        ▲                                                          │
 *        │                         ksync_json_strict, then every rule of 12
 *        │                                                          │ a broken rule:
 *        │                                                          │ refused whole,
 *        └──── kstore_roster_apply: the page and its cursor ◀──────┘ nothing applied
 *              in one transaction (a full disk keeps earlier pages)
 *
 * repeated while the hub says "more", within the budget of one sync
 * (pages, bytes, time: a hostile hub that always says "more" cannot keep a
 * kiosk downloading), and only while the store has room to spare beyond
 * KSYNC_ROSTER_DISK_RESERVE (the roster never takes the room sign-ups
 * need).  What stops at a budget goes on from the cursor at the next sync.
 */
#define _POSIX_C_SOURCE 200809L
#include "roster.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "kclock.h"
#include "client.h"
#include "config.h"
#include "kbuf.h"
#include "survey.h"
#include "surveys.h"
#include "sync_config.h"
#include "utf8.h"

/* ---- checking a page ---------------------------------------------------------------- */

/* 1 if s holds at most max characters and no control character (C0, DEL,
 * C1); the text is valid UTF-8 already (ksync_json_strict). */
static int plain_text(const char *s, int max)
{
    int n = 0;
    for (size_t i = 0; s[i];) {
        int l = 1;
        long cp = kutf8_decode(s + i, &l);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return 0;
        i += (size_t)l;
        if (++n > max)
            return 0;
    }
    return 1;
}

/* The string member name of o, or NULL (err set naming where). */
static const char *str_member(const cJSON *o, const char *name, const char *where, kerr *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v)) {
        kerr_set(err, KERR_INVALID, "hub roster page: %s.%s: expected a string", where, name);
        return NULL;
    }
    return v->valuestring;
}

/* An id member: 32 lower-case hex digits, not the hub's own id. */
static const char *id_member(const cJSON *o, const char *name, const char *where, kerr *err)
{
    const char *s = str_member(o, name, where, err);
    if (s && (!ksync_is_id(s) || strcmp(s, KSTORE_HUB_DEVICE) == 0)) {
        kerr_set(err, KERR_INVALID, "hub roster page: %s.%s: expected 32 lower-case hex digits, "
                 "got \"%.40s\"", where, name, s);
        return NULL;
    }
    return s;
}

/* A text member of 0..max characters (min 1 when nonempty). */
static const char *text_member(const cJSON *o, const char *name, int max, int nonempty,
                               const char *where, kerr *err)
{
    const char *s = str_member(o, name, where, err);
    if (s && (!plain_text(s, max) || (nonempty && !*s))) {
        kerr_set(err, KERR_INVALID, "hub roster page: %s.%s: expected %s%d characters of text "
                 "without control characters", where, name, nonempty ? "1 to " : "at most ", max);
        return NULL;
    }
    return s;
}

/* Fills one change from its JSON object; 0, -1 (a survey left out), or an
 * error code with err naming the member. */
static int take_change(const cJSON *o, int i, kroster_change *c, ksync_roster_page *p, kerr *err)
{
    char where[48];
    snprintf(where, sizeof where, "changes[%d]", i);
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
    if (!cJSON_IsObject(o) || !cJSON_IsNumber(seq) || !cJSON_IsString(kind) || !cJSON_IsObject(data))
        return kerr_set(err, KERR_INVALID, "hub roster page: %s: expected an object with seq, kind "
                        "and data", where);
    memset(c, 0, sizeof *c);
    c->seq = (int64_t)seq->valuedouble;
    const char *k = kind->valuestring;
    snprintf(where, sizeof where, "changes[%d].data", i);
    if (strcmp(k, "person") == 0) {
        c->kind = KROSTER_PERSON;
        if (!(c->id = id_member(data, "id", where, err)) ||
            !(c->given = text_member(data, "given", KIOSK_NAME_MAX, 0, where, err)) ||
            !(c->family = text_member(data, "family", KIOSK_NAME_MAX, 0, where, err)) ||
            !(c->hint = text_member(data, "hint", KSYNC_ROSTER_HINT_MAX, 0, where, err)))
            return KERR_INVALID;
        if (!*c->given && !*c->family)
            return kerr_set(err, KERR_INVALID, "hub roster page: %s: a person without a name", where);
    } else if (strcmp(k, "alias") == 0) {
        c->kind = KROSTER_ALIAS;
        if (!(c->id = id_member(data, "id", where, err)) || !(c->to = id_member(data, "to", where, err)))
            return KERR_INVALID;
        if (strcmp(c->id, c->to) == 0)
            return kerr_set(err, KERR_INVALID, "hub roster page: %s: an alias of an id to itself", where);
    } else if (strcmp(k, "forget") == 0) {
        c->kind = KROSTER_FORGET;
        if (!(c->id = id_member(data, "id", where, err)))
            return KERR_INVALID;
    } else if (strcmp(k, "event") == 0) {
        c->kind = KROSTER_EVENT;
        if (!(c->id = id_member(data, "id", where, err)) ||
            !(c->name = text_member(data, "name", KIOSK_EVENT_NAME_MAX, 1, where, err)) ||
            !(c->program = text_member(data, "program", KIOSK_PROGRAM_MAX, 0, where, err)) ||
            !(c->date = str_member(data, "date", where, err)) ||
            !(c->survey = str_member(data, "survey", where, err)) ||
            !(c->link = str_member(data, "link", where, err)))
            return KERR_INVALID;
        if (!kclock_date_valid(c->date))
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.date: expected YYYY-MM-DD", where);
        if (*c->survey && !ksurvey_key_valid(c->survey, strlen(c->survey)))
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.survey: not a survey key", where);
        if (strlen(c->link) > KIOSK_EVENT_LINK_MAX || !plain_text(c->link, KIOSK_EVENT_LINK_MAX) ||
            strchr(c->link, ' '))
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.link: at most %d bytes without "
                            "spaces or control characters", where, KIOSK_EVENT_LINK_MAX);
    } else if (strcmp(k, "survey") == 0) {
        c->kind = KROSTER_SURVEY;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, "version");
        if (!(c->id = str_member(data, "key", where, err)) ||
            !(c->text = str_member(data, "text", where, err)))
            return KERR_INVALID;
        if (!ksurvey_key_valid(c->id, strlen(c->id)))
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.key: not a survey key", where);
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e9)
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.version: expected an integer >= 1",
                            where);
        c->version = (int)v->valuedouble;
        if (strlen(c->text) > KIOSK_SURVEY_FILE_MAX_BYTES)
            return kerr_set(err, KERR_INVALID, "hub roster page: %s.text: more than %d bytes", where,
                            KIOSK_SURVEY_FILE_MAX_BYTES);
        char note[400];
        if (ksurveys_check_hub(c->id, c->version, c->text, strlen(c->text), NULL, note,
                               sizeof note) != 0) {
            p->skipped++;
            size_t l = strlen(p->skipped_note);
            snprintf(p->skipped_note + l, sizeof p->skipped_note - l, "%s%s", l ? "; " : "", note);
            return -1;
        }
    } else {
        return kerr_set(err, KERR_INVALID, "hub roster page: changes[%d].kind: unknown kind \"%.20s\"",
                        i, k);
    }
    return 0;
}

void ksync_roster_page_free(ksync_roster_page *p)
{
    free(p->changes);
    cJSON_Delete(p->tree);
    memset(p, 0, sizeof *p);
}

int ksync_roster_parse(const char *text, size_t len, int64_t since, ksync_roster_page *p,
                       kerr *err)
{
    memset(p, 0, sizeof *p);
    if (len > KSYNC_ROSTER_MAX_BYTES)
        return kerr_set(err, KERR_INVALID, "hub roster page: %zu bytes, more than %d", len,
                        KSYNC_ROSTER_MAX_BYTES);
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j)
        return kerr_set(err, KERR_INVALID, "hub roster page: not JSON");
    p->tree = j;
    int rc = ksync_json_strict(text, len, err);
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        ksync_roster_page_free(p);
        return kerr_set(err, KERR_INVALID, "hub roster page: %s", why);
    }
    const cJSON *proto = cJSON_GetObjectItemCaseSensitive(j, "protocol");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(j, "roster_id");
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(j, "cursor");
    const cJSON *more = cJSON_GetObjectItemCaseSensitive(j, "more");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(j, "reset");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "changes");
    if (!cJSON_IsObject(j) || !cJSON_IsNumber(proto) || proto->valuedouble != KSYNC_ROSTER_PROTOCOL)
        rc = kerr_set(err, KERR_INVALID, "hub roster page: protocol: expected %d",
                      KSYNC_ROSTER_PROTOCOL);
    else if (!cJSON_IsString(rid) || !*rid->valuestring || strlen(rid->valuestring) > 64 ||
             strspn(rid->valuestring, "0123456789abcdef") != strlen(rid->valuestring))
        rc = kerr_set(err, KERR_INVALID, "hub roster page: roster_id: expected 1-64 lower-case hex "
                      "digits");
    else if (!cJSON_IsNumber(cur) || cur->valuedouble < 0)
        rc = kerr_set(err, KERR_INVALID, "hub roster page: cursor: expected an integer >= 0");
    else if (!cJSON_IsBool(more) || (reset && !cJSON_IsBool(reset)))
        rc = kerr_set(err, KERR_INVALID, "hub roster page: more, reset: expected true or false");
    else if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) > KSYNC_ROSTER_PAGE_MAX)
        rc = kerr_set(err, KERR_INVALID, "hub roster page: changes: expected an array of at most %d",
                      KSYNC_ROSTER_PAGE_MAX);
    if (rc) {
        ksync_roster_page_free(p);
        return rc;
    }
    snprintf(p->roster_id, sizeof p->roster_id, "%s", rid->valuestring);
    p->cursor = (int64_t)cur->valuedouble;
    p->more = cJSON_IsTrue(more);
    p->reset = reset && cJSON_IsTrue(reset);
    int n = cJSON_GetArraySize(ch);
    if (p->reset && (n || p->cursor != 0))
        rc = kerr_set(err, KERR_INVALID, "hub roster page: a reset carries no changes and cursor 0");
    p->changes = calloc(n > 0 ? (size_t)n : 1, sizeof *p->changes);
    if (!rc && !p->changes)
        rc = kerr_set(err, KERR_INTERNAL, "hub roster page: out of memory");
    int64_t last = since;
    int i = 0;
    for (const cJSON *o = ch->child; o && rc == 0; o = o->next, i++) {
        kroster_change *c = &p->changes[p->n];
        int t = take_change(o, i, c, p, err);
        if (t > 0) {
            rc = t;
            break;
        }
        if (c->seq <= last) {
            rc = kerr_set(err, KERR_INVALID, "hub roster page: changes[%d].seq: %" PRId64 " is not "
                          "above %" PRId64 " (changes come in increasing seq, after the cursor)", i,
                          c->seq, last);
            break;
        }
        last = c->seq;
        if (t == 0)
            p->n++;
    }
    if (rc == 0 && !p->reset && p->cursor != last)
        rc = kerr_set(err, KERR_INVALID, "hub roster page: cursor: %" PRId64 " is not the last "
                      "change's seq %" PRId64, p->cursor, last);
    if (rc)
        ksync_roster_page_free(p);
    return rc;
}

/* ---- download ------------------------------------------------------------------------ */

/* libcurl write callback with the roster's size limit. */
static size_t on_page(char *ptr, size_t size, size_t n, void *ctx)
{
    kbuf *b = ctx;
    size_t len = size * n;
    if (b->len + len > KSYNC_ROSTER_MAX_BYTES)
        return 0;
    return kbuf_add(b, ptr, len) == 0 ? len : 0;
}

/* 1 if the database is the kiosk's own store (not an outbox-only fixture). */
static int is_kiosk_store(const char *data_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", data_dir, KIOSK_DB_FILE);
    sqlite3 *db = NULL;
    int app = 0, ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    sqlite3_stmt *st = NULL;
    if (ok && sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        app = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return app == 0x4B494F53;
}

int ksync_roster_pull(CURL *c, const char *data_dir, const kclock *clock, const char *base,
                      const char *auth, const char *device_id, int64_t acked, int page_limit,
                      ksync_roster_report *r, kerr *err)
{
    memset(r, 0, sizeof *r);
    if (!is_kiosk_store(data_dir))
        return 0;
    kstore *s = NULL;
    int rc = kstore_open(&s, data_dir, clock, err);
    if (rc)
        return rc;
    /* test hook: a disk that fills (tests/sync/test_roster.py) */
    const char *cap = getenv("KSYNC_TEST_MAX_PAGES");
    if (cap && *cap && (rc = kstore_limit_pages(s, strtol(cap, NULL, 10), err)) != 0) {
        kstore_close(s);
        return rc;
    }
    char rid[65];
    int64_t cursor = 0;
    rc = kstore_roster_state(s, rid, &cursor, err);
    int limit = page_limit > 0 && page_limit <= KSYNC_ROSTER_PAGE_MAX ? page_limit : KSYNC_ROSTER_PAGE;
    /* test hook: small pages, so that faults between pages need few people */
    const char *tp = getenv("KSYNC_TEST_ROSTER_PAGE");
    if (tp && atoi(tp) > 0 && atoi(tp) <= KSYNC_ROSTER_PAGE_MAX)
        limit = atoi(tp);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    kbuf resp = {0};
    int restarted = 0, requests = 0;
    int64_t started = clock->mono_ms(clock->ctx);
    long run_pages = KSYNC_ROSTER_RUN_PAGES;
    int64_t run_bytes = KSYNC_ROSTER_RUN_BYTES, reserve = KSYNC_ROSTER_DISK_RESERVE;
    /* test hooks: the limits of one sync and the disk reserve, small */
    const char *tv;
    if ((tv = getenv("KSYNC_TEST_ROSTER_RUN_PAGES")) && atol(tv) > 0)
        run_pages = atol(tv);
    if ((tv = getenv("KSYNC_TEST_ROSTER_RUN_BYTES")) && atol(tv) > 0)
        run_bytes = atol(tv);
    if ((tv = getenv("KSYNC_TEST_ROSTER_RESERVE")) && *tv)
        reserve = atol(tv);
    while (rc == 0) {
        /* the budget of one sync: requests (pages and restarts), bytes, time */
        const char *limit_hit = requests >= run_pages ? "pages"
                              : r->bytes >= run_bytes ? "bytes"
                              : clock->mono_ms(clock->ctx) - started >= KSYNC_ROSTER_RUN_MS ? "minutes"
                              : NULL;
        if (limit_hit) {
            r->paused = 1;
            snprintf(r->paused_note, sizeof r->paused_note, "the roster download stopped at the "
                     "limit of one sync (%d pages, %" PRId64 " bytes); it goes on from change %"
                     PRId64 " at the next sync", r->pages, r->bytes, cursor);
            break;
        }
        int64_t room = 0;
        rc = kstore_roster_room(s, &room, err);
        if (rc == 0 && room < reserve) {
            rc = kerr_set(err, KERR_FULL, "hub roster: the disk is nearly full (%" PRId64 " KB left "
                          "for %s; the kiosk keeps %" PRId64 " KB for sign-ups): the download stops "
                          "at change %" PRId64 " and goes on from there at a sync with room; free "
                          "disk space", room / 1024, data_dir, reserve / 1024, cursor);
            break;
        }
        if (rc)
            break;
        requests++;
        char url[400];
        snprintf(url, sizeof url, "%s/v1/devices/%s/roster?since=%" PRId64 "&limit=%d", base,
                 device_id, cursor, limit);
        kbuf_reset(&resp);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_page);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        if (cc == CURLE_WRITE_ERROR && resp.len + CURL_MAX_WRITE_SIZE > KSYNC_ROSTER_MAX_BYTES) {
            rc = kerr_set(err, KSYNC_ERR_REFUSED, "hub roster page: larger than %d bytes: refused, "
                          "nothing applied", KSYNC_ROSTER_MAX_BYTES);
            break;
        }
        if (cc != CURLE_OK) {
            rc = kerr_set(err, KSYNC_ERR_NET, "hub roster: %s (the download goes on from change %"
                          PRId64 " at the next sync)", curl_easy_strerror(cc), cursor);
            break;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        r->bytes += (int64_t)resp.len;
        if (status == 404) {            /* a hub of before rosters: nothing to download */
            r->hub_without_roster = 1;
            break;
        }
        if (status != 200) {
            char msg[400];
            ksync_hub_message(&resp, status, msg, sizeof msg);
            rc = kerr_set(err, status >= 500 ? KSYNC_ERR_HUB : KSYNC_ERR_REFUSED, "hub roster: %s", msg);
            break;
        }
        ksync_roster_page pg;
        rc = ksync_roster_parse(resp.p ? resp.p : "", resp.len, cursor, &pg, err);
        if (rc) {
            rc = KSYNC_ERR_REFUSED;
            break;
        }
        r->pages++;
        if (pg.skipped) {
            r->skipped += pg.skipped;
            fprintf(stderr, "kiosk sync: %s\n", pg.skipped_note);
        }
        /* another hub (a new store) or one restored from a backup: start
         * again from 0; what is stored stays and is brought up to date */
        if ((rid[0] && strcmp(rid, pg.roster_id) != 0) || pg.reset) {
            int was = restarted++;
            snprintf(rid, sizeof rid, "%s", pg.roster_id);
            cursor = 0;
            ksync_roster_page_free(&pg);
            if (was) {
                rc = kerr_set(err, KSYNC_ERR_HUB, "hub roster: asked to start again twice in one sync");
                break;
            }
            continue;
        }
        int applied = 0;
        rc = kstore_roster_apply(s, pg.roster_id, pg.cursor, pg.changes, pg.n, acked, &applied, err);
        if (rc == 0) {
            snprintf(rid, sizeof rid, "%s", pg.roster_id);
            r->changes += pg.n;
            r->applied += applied;
            cursor = pg.cursor;
        }
        int more = pg.more;
        ksync_roster_page_free(&pg);
        if (rc || !more)
            break;
    }
    r->cursor = cursor;
    curl_slist_free_all(hdrs);
    kbuf_free(&resp);
    kstore_close(s);
    return rc;
}
