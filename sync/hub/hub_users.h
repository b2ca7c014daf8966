/*
 * hub_users.h - the web page's staff accounts, log-in sessions and the
 * back-off after failed log-ins, kept in the hub's store (tables web_users,
 * web_sessions, web_login_failures; SQLite schema 3, PostgreSQL migration 2),
 * so that several hub processes on one PostgreSQL database share them.
 *
 * Secrets are never stored as given:
 *   - a password as its Argon2id string (libsodium crypto_pwhash_str at the
 *     INTERACTIVE limits: about 0.2 s and 64 MiB per check, which is what
 *     makes guessing slow; a known user and an unknown one cost the same);
 *   - a session id (32 random bytes, hex, the cookie's value) as its
 *     BLAKE2b-256 hash: a reader of the store cannot take over a session.
 * The CSRF token of a session is random per session and compared in
 * constant time.
 *
 * Back-off: every failed log-in for a name (known or not: an attacker
 * learns nothing from it) counts; from the KHUB_LOGIN_FREE_TRIES-th on, the
 * next attempt for that name is refused without checking the password
 * until KHUB_LOGIN_FIRST_WAIT_S * 2^(failures - KHUB_LOGIN_FREE_TRIES)
 * seconds after the last failure (at most KHUB_LOGIN_MAX_WAIT_S): 5 s, 10,
 * 20 ...  A successful log-in clears the count.
 */
#ifndef KHUB_USERS_H
#define KHUB_USERS_H

#include <stdint.h>

#include "hub_store.h"

#define KHUB_USER_NAME_MAX 64
#define KHUB_PASSWORD_MIN 8
#define KHUB_PASSWORD_MAX 1024
#define KHUB_SESSION_ID_LEN 64          /* hex characters of the cookie value */
#define KHUB_CSRF_LEN 64
#define KHUB_SESSION_TTL_MS (12LL * 3600 * 1000)
#define KHUB_LOGIN_FREE_TRIES 3
#define KHUB_LOGIN_FIRST_WAIT_S 5
#define KHUB_LOGIN_MAX_WAIT_S 900

/* A logged-in staff member, as khub_session_get finds them. */
typedef struct khub_session {
    char user[KHUB_USER_NAME_MAX + 1];
    char csrf[KHUB_CSRF_LEN + 1];
} khub_session;

/* Adds a staff account (KERR_DUP if the name exists, KERR_INVALID for a bad
 * name or a password shorter than KHUB_PASSWORD_MIN). */
int khub_user_add(khub *h, const char *name, const char *password, kerr *err);

/* Checks a log-in.  0 and a new session (id_out: the cookie value, sess
 * filled) when name and password match; KHUB_UNAUTHORIZED when they do not;
 * KHUB_BUSY with *wait_s > 0 when the name is in back-off (the password was
 * not checked). */
int khub_login(khub *h, const char *name, const char *password, int64_t now_ms,
               char id_out[KHUB_SESSION_ID_LEN + 1], khub_session *sess, int *wait_s, kerr *err);

/* Finds the live session of a cookie value: 1 (sess filled), 0 none or
 * expired, or an error code. */
int khub_session_get(khub *h, const char *id, int64_t now_ms, khub_session *sess, kerr *err);

/* Ends a session (log out); a missing one is no error. */
int khub_session_end(khub *h, const char *id, kerr *err);

/* Constant-time comparison of a token given with a form against the
 * session's; 1 if equal. */
int khub_token_equal(const char *given, const char *expected);

/* Fills out with n random bytes as 2n hex characters and a NUL. */
void khub_random_hex(char *out, int n);

#endif
