/*
 * store_answers.c - survey answers (one record per answer given; latest
 * by seq) and QR check-in codes (tokens and revocations).
 */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fold.h"
#include "survey.h"

/* ---- survey answers -------------------------------------------------------------- */

/* Checks a language code: at most 15 of A-Z, a-z, 0-9, '-' ("" allowed). */
static int valid_lang(const char *l)
{
    size_t n = strlen(l);
    if (n > 15)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
              (l[i] >= '0' && l[i] <= '9') || l[i] == '-'))
            return 0;
    return 1;
}

/* Checks the arguments of an answer before any transaction starts. */
static int answer_args(const char *survey_key, int version, const char *qkey,
                       const char *value, const char *lang, kerr *err)
{
    if (!kst_valid_key(survey_key))
        return kerr_set(err, KERR_INVALID, "answer: survey key %.40s is not a key",
                        survey_key ? survey_key : "(none)");
    if (version < 1)
        return kerr_set(err, KERR_INVALID, "answer: survey %s version %d (must be "
                        ">= 1)", survey_key, version);
    if (!kst_valid_key(qkey))
        return kerr_set(err, KERR_INVALID, "answer: question key %.40s is not a key",
                        qkey ? qkey : "(none)");
    if (!value)
        return kerr_set(err, KERR_INVALID, "answer to %s: no value", qkey);
    if (strlen(value) > KIOSK_ANSWER_VALUE_MAX_BYTES)
        return kerr_set(err, KERR_INVALID, "answer to %s: %zu bytes, at most %d",
                        qkey, strlen(value), KIOSK_ANSWER_VALUE_MAX_BYTES);
    if (!valid_lang(lang))
        return kerr_set(err, KERR_INVALID, "answer to %s: language %.20s is not "
                        "a language code", qkey, lang);
    return 0;
}

/* Requires a person to exist (inside the caller's transaction). */
static int need_person(kstore *s, const char *person_id, kerr *err)
{
    int found = 0;
    int ret = kst_row_exists(s, ST_PERSON_EXISTS, person_id, &found, "find person", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                       person_id, s->path);
    return ret;
}

/* Stores n answers of one person at one event in one transaction. */
int kstore_answers_add(kstore *s, const char *person_id, const char *event_id,
                       const char *survey_key, int version, const char *lang,
                       int n, const char *const *qkeys, const char *const *values,
                       kerr *err)
{
    int64_t seq = 0;
    stamp sp;
    int ret = 0;
    if (!lang)
        lang = "";
    if (!person_id || !event_id || n < 0 || (n > 0 && (!qkeys || !values)))
        return kerr_set(err, KERR_INVALID, "kstore_answers_add: person, event "
                        "and answers are required");
    for (int i = 0; i < n; i++)
        if ((ret = answer_args(survey_key, version, qkeys[i], values[i], lang, err)))
            return ret;
    if (n == 0)
        return 0;
    ret = kst_tx_begin(s, "store answers", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    if (ret == 0)
        ret = kst_need_event(s, event_id, err);
    if (ret == 0)
        ret = kst_seq_take(s, n, &seq, "store answers", err);
    if (ret)
        goto done;
    kst_stamp_now(s, seq, &sp);
    for (int i = 0; i < n && ret == 0; i++) {
        char id[KIOSK_ID_HEX + 1];
        ret = kst_new_id(id, err);
        if (ret)
            break;
        sp.seq = seq + i;
        sqlite3_stmt *st = s->st[ST_ANSWER_INSERT];
        kst_bind_stamp(s, st, id, &sp);
        kst_bind_text(st, 7, person_id);
        kst_bind_text(st, 8, event_id);
        kst_bind_text(st, 9, survey_key);
        sqlite3_bind_int(st, 10, version);
        kst_bind_text(st, 11, qkeys[i]);
        kst_bind_text(st, 12, values[i]);
        kst_bind_text(st, 13, lang);
        ret = kst_stmt_run(s, st, "insert answer", err);
    }
    if (ret == 0)
        ret = kst_tx_commit(s, "commit answers", err);
done:
    if (ret)
        kst_tx_abort(s, err);
    return ret;
}

/* Stores one answer (durable on return). */
int kstore_answer_add(kstore *s, const char *person_id, const char *event_id,
                      const char *survey_key, int version, const char *qkey,
                      const char *value, const char *lang, kerr *err)
{
    return kstore_answers_add(s, person_id, event_id, survey_key, version, lang, 1,
                              &qkey, &value, err);
}

/* Columns every answer reader selects, in kanswer order (see answer_from_row). */
#define ANSWER_COLS "person_id, event_id, survey_key, survey_version, " \
                    "question_key, value, lang, seq, wall_ms, first"

/* Points a at the columns of the current row (ANSWER_COLS). */
static void answer_from_row(sqlite3_stmt *st, kanswer *a)
{
    a->person_id = kst_col_text(st, 0);
    a->event_id = kst_col_text(st, 1);
    a->survey_key = kst_col_text(st, 2);
    a->survey_version = sqlite3_column_int(st, 3);
    a->question_key = kst_col_text(st, 4);
    a->value = kst_col_text(st, 5);
    a->lang = kst_col_text(st, 6);
    a->seq = sqlite3_column_int64(st, 7);
    a->wall_ms = sqlite3_column_int64(st, 8);
    a->first_seq = sqlite3_column_int64(st, 9);
}

/* Steps a prepared answer query, calling fn per row; returns fn's non-zero
 * value if it stopped the walk. */
int kst_answers_walk(kstore *s, sqlite3_stmt *st, int (*fn)(const kanswer *a, void *ctx),
                     void *ctx, const char *op, kerr *err)
{
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanswer a;
        answer_from_row(st, &a);
        if ((ret = fn(&a, ctx)) != 0)
            return ret;
    }
    return rc == SQLITE_DONE ? 0 : kst_db_error(s, rc, op, err);
}

/* The latest answer to each question of a person at an event. */
int kstore_answers_latest(kstore *s, const char *person_id, const char *event_id,
                          int (*fn)(const kanswer *a, void *ctx), void *ctx,
                          kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = 0;
    if (!person_id || !event_id || !fn)
        return kerr_set(err, KERR_INVALID, "kstore_answers_latest: person, event "
                        "and callback are required");
    ret = kst_prepare_own(s,
        "SELECT " ANSWER_COLS " FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY survey_key, question_key"
        "                               ORDER BY seq DESC) AS rn,"
        "         min(seq) OVER (PARTITION BY survey_key, question_key) AS first"
        "  FROM answers WHERE person_id = ?1 AND event_id = ?2)"
        " WHERE rn = 1 ORDER BY first",
        &st, "read answers", err);
    if (ret == 0) {
        kst_bind_text(st, 1, person_id);
        kst_bind_text(st, 2, event_id);
        ret = kst_answers_walk(s, st, fn, ctx, "read answers", err);
    }
    sqlite3_finalize(st);
    return ret;
}

/* ---- QR check-in codes ------------------------------------------------------------ */

#define QR_PREFIX "K1-"
#define QR_DIGITS 26                        /* 128 bits in base32 */
static const char qr_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Writes a new random token ("K1-" + 26 base32 digits) into out. */
static int qr_make(char out[KIOSK_QR_TOKEN_BYTES], kerr *err)
{
    unsigned char b[16];
    if (krandom_bytes(b, sizeof b) != 0)
        return kerr_set(err, KERR_INTERNAL, "krandom_bytes: cannot read random "
                        "bytes: %s", strerror(errno));
    memcpy(out, QR_PREFIX, 3);
    unsigned acc = 0, bits = 0, o = 3;
    for (size_t i = 0; i < sizeof b; i++) {
        acc = (acc << 8) | b[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = qr_alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    out[o++] = qr_alphabet[(acc << (5 - bits)) & 31];   /* last 3 bits */
    out[o] = '\0';
    return 0;
}

/* Normalises scanned text into a token (trimmed, upper case); -1 if it is
 * not one. */
static int qr_normalise(const char *in, char out[KIOSK_QR_TOKEN_BYTES])
{
    size_t len;
    if (!in)
        return -1;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' ||
                       in[len - 1] == '\r' || in[len - 1] == '\n'))
        len--;
    if (len != 3 + QR_DIGITS)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (i < 3 ? c != QR_PREFIX[i] : !strchr(qr_alphabet, c))
            return -1;
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

/* Non-zero if text looks like a QR check-in token. */
int kstore_qr_is_token(const char *text)
{
    char t[KIOSK_QR_TOKEN_BYTES];
    return qr_normalise(text, t) == 0;
}

/* Reads the person's live token into out; 1 if there is one, 0 if not,
 * negative -code on error. */
static int qr_live(kstore *s, const char *person_id, char out[KIOSK_QR_TOKEN_BYTES],
                   kerr *err)
{
    sqlite3_stmt *st = s->st[ST_QR_LIVE];
    kst_bind_text(st, 1, person_id);
    int r = kst_stmt_row(s, st, "find QR code", err);
    if (r > 0) {
        kst_copy_utf8(out, KIOSK_QR_TOKEN_BYTES, kst_col_text(st, 0));
        kst_stmt_done(st);
    }
    return r;
}

/* The person's live token, created if they have none. */
int kstore_qr_token(kstore *s, const char *person_id, char *out, unsigned cap,
                    kerr *err)
{
    char token[KIOSK_QR_TOKEN_BYTES], id[KIOSK_ID_HEX + 1];
    int64_t seq = 0;
    stamp sp;
    int ret = 0;
    if (!person_id || !out || cap < 3 + QR_DIGITS + 1)
        return kerr_set(err, KERR_INVALID, "kstore_qr_token: person and a buffer of "
                        "%d bytes are required", 3 + QR_DIGITS + 1);
    out[0] = '\0';
    int r = qr_live(s, person_id, token, err);     /* the common case: no lock */
    if (r < 0)
        return -r;
    if (r > 0)
        goto found;
    if ((ret = kst_new_id(id, err)))
        return ret;
    ret = kst_tx_begin(s, "make QR code", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    if (ret)
        goto done;
    r = qr_live(s, person_id, token, err);         /* made meanwhile? */
    if (r < 0) {
        ret = -r;
        goto done;
    }
    if (r == 0) {
        ret = qr_make(token, err);
        if (ret == 0)
            ret = kst_seq_take(s, 1, &seq, "make QR code", err);
        if (ret)
            goto done;
        kst_stamp_now(s, seq, &sp);
        sqlite3_stmt *st = s->st[ST_QR_INSERT];
        kst_bind_stamp(s, st, id, &sp);
        kst_bind_text(st, 7, person_id);
        kst_bind_text(st, 8, token);
        ret = kst_stmt_run(s, st, "insert QR code", err);
    }
    if (ret == 0)
        ret = kst_tx_commit(s, "commit QR code", err);
done:
    if (ret) {
        kst_tx_abort(s, err);
        return ret;
    }
found:
    snprintf(out, cap, "%s", token);
    return 0;
}

/* Finds the person of a scanned token (see store.h). */
int kstore_qr_lookup(kstore *s, const char *token, char person_id[KIOSK_ID_HEX + 1],
                     int *revoked, kerr *err)
{
    char t[KIOSK_QR_TOKEN_BYTES];
    if (revoked)
        *revoked = 0;
    if (!person_id)
        return kerr_set(err, KERR_INVALID, "kstore_qr_lookup: no output");
    person_id[0] = '\0';
    if (qr_normalise(token, t) != 0)
        return kerr_set(err, KERR_INVALID, "scanned text is not a kiosk QR code");
    sqlite3_stmt *st = s->st[ST_QR_FIND];
    kst_bind_text(st, 1, t);
    int r = kst_stmt_row(s, st, "look up QR code", err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_NOTFOUND, "QR code %s is not known on this kiosk", t);
    kst_copy_utf8(person_id, KIOSK_ID_HEX + 1, kst_col_text(st, 0));
    int gone = sqlite3_column_int(st, 1);
    kst_stmt_done(st);
    if (gone) {
        if (revoked)
            *revoked = 1;
        return kerr_set(err, KERR_NOTFOUND, "QR code %s was revoked", t);
    }
    return 0;
}

/* Revokes every live token of a person, in one transaction. */
int kstore_qr_revoke(kstore *s, const char *person_id, int *revoked, kerr *err)
{
    char token[KIOSK_QR_TOKEN_BYTES];
    int count = 0, r = 0;
    if (revoked)
        *revoked = 0;
    if (!person_id)
        return kerr_set(err, KERR_INVALID, "kstore_qr_revoke: no person given");
    int ret = kst_tx_begin(s, "revoke QR code", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    while (ret == 0 && (r = qr_live(s, person_id, token, err)) > 0) {
        char id[KIOSK_ID_HEX + 1];
        int64_t seq = 0;
        stamp sp;
        ret = kst_new_id(id, err);
        if (ret == 0)
            ret = kst_seq_take(s, 1, &seq, "revoke QR code", err);
        if (ret)
            break;
        kst_stamp_now(s, seq, &sp);
        sqlite3_stmt *st = s->st[ST_QR_REVOKE];
        kst_bind_stamp(s, st, id, &sp);
        kst_bind_text(st, 7, token);
        ret = kst_stmt_run(s, st, "insert QR revocation", err);
        count++;
    }
    if (ret == 0 && r < 0)
        ret = -r;
    if (ret == 0)
        ret = kst_tx_commit(s, "commit QR revocation", err);
    if (ret) {
        kst_tx_abort(s, err);
        return ret;
    }
    if (revoked)
        *revoked = count;
    return 0;
}
