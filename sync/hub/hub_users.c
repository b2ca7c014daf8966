/*
 * hub_users.c - staff accounts, sessions and log-in back-off (hub_users.h).
 * The SQL is written once per dialect beside each call; both run through
 * khub_sql (hub_store.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_users.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* An Argon2id string of a password nobody has: checked against when the
 * name is unknown, so that an unknown name costs as long as a known one. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    if (crypto_pwhash_str(dummy_hash, "no password is this", 19, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

void khub_random_hex(char *out, int n)
{
    unsigned char raw[64];
    if (n > (int)sizeof raw)
        n = (int)sizeof raw;
    randombytes_buf(raw, (size_t)n);
    sodium_bin2hex(out, (size_t)n * 2 + 1, raw, (size_t)n);
    sodium_memzero(raw, sizeof raw);
}

/* BLAKE2b-256 of a session id as hex (what the store keeps). */
static void id_hash(const char *id, char hex[65])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)id, strlen(id), NULL, 0);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

int khub_token_equal(const char *given, const char *expected)
{
    size_t n = strlen(expected);
    if (!given || strlen(given) != n || n == 0)
        return 0;
    return sodium_memcmp(given, expected, n) == 0;
}

/* 1 if name is 1..KHUB_USER_NAME_MAX bytes of UTF-8 without control
 * characters or spaces at either end. */
static int name_ok(const char *name)
{
    size_t n = strlen(name);
    return kutf8_printable(name, KHUB_USER_NAME_MAX) && name[0] != ' ' && name[n - 1] != ' ';
}

int khub_user_add(khub *h, const char *name, const char *password, kerr *err)
{
    if (!name_ok(name))
        return kerr_set(err, KERR_INVALID, "user name: 1-%d characters of UTF-8 text, no control "
                        "characters, no space at either end", KHUB_USER_NAME_MAX);
    size_t plen = strlen(password);
    if (plen < KHUB_PASSWORD_MIN)
        return kerr_set(err, KERR_INVALID, "password: at least %d characters", KHUB_PASSWORD_MIN);
    if (plen > KHUB_PASSWORD_MAX)
        return kerr_set(err, KERR_INVALID, "password: at most %d bytes", KHUB_PASSWORD_MAX);
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return kerr_set(err, KERR_INTERNAL, "crypto_pwhash_str: out of memory");
    char now[32];
    snprintf(now, sizeof now, "%" PRId64, khub_now_ms());
    const char *pv[] = {name, hash, now};
    khub_rows *r = NULL;
    int rc = khub_sql(h, "SELECT 1 FROM web_users WHERE name = ?1",
                      "SELECT 1 FROM web_users WHERE name = $1", pv, 1, &r, err);
    if (rc == 0)
        rc = khub_rows_next(r, err);
    khub_rows_free(r);
    if (rc == 1)
        return kerr_set(err, KERR_DUP, "user %s exists already", name);
    if (rc == 0)
        rc = khub_sql(h, "INSERT INTO web_users(name, pw_hash, created_ms) VALUES(?1, ?2, ?3)",
                           "INSERT INTO web_users(name, pw_hash, created_ms) VALUES($1, $2, $3)",
                           pv, 3, NULL, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* Seconds the name must still wait before its next try (0: may try). */
static int backoff_wait(khub *h, const char *name, int64_t now_ms, kerr *err, int *wait_s)
{
    *wait_s = 0;
    khub_rows *r = NULL;
    const char *pv[] = {name};
    int rc = khub_sql(h, "SELECT failures, last_ms FROM web_login_failures WHERE name = ?1",
                      "SELECT failures, last_ms FROM web_login_failures WHERE name = $1", pv, 1, &r,
                      err);
    if (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        int64_t failures = khub_rows_int(r, 0), last = khub_rows_int(r, 1);
        if (failures >= KHUB_LOGIN_FREE_TRIES) {
            int64_t shift = failures - KHUB_LOGIN_FREE_TRIES;
            int64_t wait = shift >= 16 ? KHUB_LOGIN_MAX_WAIT_S
                                       : (int64_t)KHUB_LOGIN_FIRST_WAIT_S << shift;
            if (wait > KHUB_LOGIN_MAX_WAIT_S)
                wait = KHUB_LOGIN_MAX_WAIT_S;
            int64_t left_ms = last + wait * 1000 - now_ms;
            if (left_ms > 0)
                *wait_s = (int)((left_ms + 999) / 1000);
        }
        rc = 0;
    }
    khub_rows_free(r);
    return rc;
}

/* Counts a failed log-in for name. */
static int count_failure(khub *h, const char *name, int64_t now_ms, kerr *err)
{
    char now[32];
    snprintf(now, sizeof now, "%" PRId64, now_ms);
    const char *pv[] = {name, now};
    return khub_sql(h,
                         "INSERT INTO web_login_failures(name, failures, last_ms) VALUES(?1, 1, ?2)"
                         " ON CONFLICT(name) DO UPDATE SET failures = failures + 1, last_ms = ?2",
                         "INSERT INTO web_login_failures(name, failures, last_ms) VALUES($1, 1, $2)"
                         " ON CONFLICT(name) DO UPDATE SET failures = web_login_failures.failures"
                         " + 1, last_ms = $2",
                         pv, 2, NULL, err);
}

int khub_login(khub *h, const char *name, const char *password, int64_t now_ms,
               char id_out[KHUB_SESSION_ID_LEN + 1], khub_session *sess, int *wait_s, kerr *err)
{
    id_out[0] = '\0';
    memset(sess, 0, sizeof *sess);
    if (strlen(name) > KHUB_USER_NAME_MAX || strlen(password) > KHUB_PASSWORD_MAX)
        return kerr_set(err, KHUB_UNAUTHORIZED, "wrong user name or password");
    int rc = backoff_wait(h, name, now_ms, err, wait_s);
    if (rc)
        return rc;
    if (*wait_s > 0)
        return kerr_set(err, KHUB_BUSY, "too many failed log-ins for %s: wait %d s", name, *wait_s);
    char stored[crypto_pwhash_STRBYTES] = "";
    khub_rows *r = NULL;
    const char *pv[] = {name};
    rc = khub_sql(h, "SELECT pw_hash FROM web_users WHERE name = ?1",
                  "SELECT pw_hash FROM web_users WHERE name = $1", pv, 1, &r, err);
    if (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        const char *t = khub_rows_text(r, 0);
        snprintf(stored, sizeof stored, "%s", t ? t : "");
        rc = 0;
    }
    khub_rows_free(r);
    if (rc)
        return rc;
    pthread_once(&dummy_once, make_dummy_hash);    /* log-ins run on many threads */
    if (!dummy_hash[0])
        return kerr_set(err, KERR_INTERNAL, "crypto_pwhash_str: out of memory");
    int ok = crypto_pwhash_str_verify(stored[0] ? stored : dummy_hash, password,
                                      strlen(password)) == 0 && stored[0];
    if (!ok) {
        /* the wait runs from the end of this try (the hash took a while) */
        rc = count_failure(h, name, now_ms > khub_now_ms() ? now_ms : khub_now_ms(), err);
        return rc ? rc : kerr_set(err, KHUB_UNAUTHORIZED, "wrong user name or password");
    }
    if ((rc = khub_sql(h, "DELETE FROM web_login_failures WHERE name = ?1",
                            "DELETE FROM web_login_failures WHERE name = $1", pv, 1, NULL, err)))
        return rc;
    /* a new id every time: a session id planted before log-in never
     * becomes a logged-in one (session fixation) */
    char id[KHUB_SESSION_ID_LEN + 1], hash[65], csrf[KHUB_CSRF_LEN + 1], created[32], expires[32];
    khub_random_hex(id, KHUB_SESSION_ID_LEN / 2);
    khub_random_hex(csrf, KHUB_CSRF_LEN / 2);
    id_hash(id, hash);
    snprintf(created, sizeof created, "%" PRId64, now_ms);
    snprintf(expires, sizeof expires, "%" PRId64, (int64_t)(now_ms + KHUB_SESSION_TTL_MS));
    const char *sv[] = {hash, name, csrf, created, expires};
    rc = khub_sql(h, "DELETE FROM web_sessions WHERE expires_ms < ?1",
                       "DELETE FROM web_sessions WHERE expires_ms < $1::bigint", sv + 3, 1, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, "INSERT INTO web_sessions(id_hash, user_name, csrf, created_ms,"
                           " expires_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
                           "INSERT INTO web_sessions(id_hash, user_name, csrf, created_ms,"
                           " expires_ms) VALUES($1, $2, $3, $4, $5)", sv, 5, NULL, err);
    if (rc == 0) {
        memcpy(id_out, id, sizeof id);
        snprintf(sess->user, sizeof sess->user, "%s", name);
        memcpy(sess->csrf, csrf, sizeof csrf);
    }
    sodium_memzero(id, sizeof id);
    return rc;
}

int khub_session_get(khub *h, const char *id, int64_t now_ms, khub_session *sess, kerr *err)
{
    memset(sess, 0, sizeof *sess);
    if (!id || strlen(id) != KHUB_SESSION_ID_LEN ||
        strspn(id, "0123456789abcdef") != KHUB_SESSION_ID_LEN)
        return 0;
    char hash[65], now[32];
    id_hash(id, hash);
    snprintf(now, sizeof now, "%" PRId64, now_ms);
    const char *pv[] = {hash, now};
    khub_rows *r = NULL;
    int rc = khub_sql(h, "SELECT user_name, csrf FROM web_sessions WHERE id_hash = ?1"
                      " AND expires_ms > ?2",
                      "SELECT user_name, csrf FROM web_sessions WHERE id_hash = $1"
                      " AND expires_ms > $2::bigint", pv, 2, &r, err);
    if (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        const char *u = khub_rows_text(r, 0), *c = khub_rows_text(r, 1);
        snprintf(sess->user, sizeof sess->user, "%s", u ? u : "");
        snprintf(sess->csrf, sizeof sess->csrf, "%s", c ? c : "");
    }
    khub_rows_free(r);
    return rc;
}

int khub_session_end(khub *h, const char *id, kerr *err)
{
    if (!id || strlen(id) != KHUB_SESSION_ID_LEN)
        return 0;
    char hash[65];
    id_hash(id, hash);
    const char *pv[] = {hash};
    return khub_sql(h, "DELETE FROM web_sessions WHERE id_hash = ?1",
                         "DELETE FROM web_sessions WHERE id_hash = $1", pv, 1, NULL, err);
}
