/*
 * store_staff.c - the staff screen's readers (counts, check-ins newest
 * first, arrivals per bucket) and the attendance reads of export.c.
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

/* Counts check-ins and new people at an event. */
int kstore_event_counts(kstore *s, const char *event_id, int *checkins,
                        int *new_people, kerr *err)
{
    int found = 0;
    if (!event_id)
        return kerr_set(err, KERR_INVALID, "kstore_event_counts: no event");
    int ret = kst_row_exists(s, ST_EVENT_EXISTS, event_id, &found, "find event", err);
    if (ret)
        return ret;
    if (!found)
        return kerr_set(err, KERR_NOTFOUND, "no event with id %.40s in %s",
                        event_id, s->path);
    sqlite3_stmt *st = s->st[ST_COUNTS];
    kst_bind_text(st, 1, event_id);
    int r = kst_stmt_row(s, st, "count check-ins", err);
    if (r < 0)
        return -r;
    if (checkins)
        *checkins = r ? sqlite3_column_int(st, 0) : 0;
    if (new_people)
        *new_people = r ? sqlite3_column_int(st, 1) : 0;
    if (r)
        kst_stmt_done(st);
    return 0;
}

/* ---- the staff screen: counts, check-ins, arrivals ------------------------------ */

/* Counts check-ins, new people and returning people at an event. */
int kstore_event_stats(kstore *s, const char *event_id, kevent_stats *out, kerr *err)
{
    int checkins = 0, fresh = 0;
    if (!out)
        return kerr_set(err, KERR_INVALID, "kstore_event_stats: no output");
    memset(out, 0, sizeof *out);
    int ret = kstore_event_counts(s, event_id, &checkins, &fresh, err);
    if (ret == 0) {
        out->checkins = checkins;
        out->new_people = fresh;
        out->returning = checkins - fresh;
    }
    return ret;
}

/* Prepares a statement of its own for a reader whose callback may use the
 * store (the cached ones may be busy then). */
int kst_prepare_own(kstore *s, const char *sql, sqlite3_stmt **st, const char *op,
                       kerr *err)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : kst_db_error(s, rc, op, err);
}

/* Requires an event id that exists (outside a transaction too). */
static int event_known(kstore *s, const char *event_id, const char *op, kerr *err)
{
    if (!event_id || !*event_id)
        return kerr_set(err, KERR_INVALID, "%s: no event given", op);
    return kst_need_event(s, event_id, err);
}

/* Calls fn for each check-in at an event, newest first. */
int kstore_checkins_each(kstore *s, const char *event_id,
                         int (*fn)(const kcheckin *c, void *ctx), void *ctx,
                         kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    int ret = fn ? event_known(s, event_id, "list check-ins", err)
                 : kerr_set(err, KERR_INVALID, "kstore_checkins_each: no callback");
    if (ret == 0)
        ret = kst_prepare_own(s,
                          "SELECT c.person_id, p.given, p.family, c.wall_ms, c.is_new "
                          "FROM checkins c JOIN people p ON p.id = c.person_id "
                          "WHERE c.event_id = ?1 ORDER BY c.wall_ms DESC, c.seq DESC",
                          &st, "list check-ins", err);
    if (ret)
        goto done;
    kst_bind_text(st, 1, event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kcheckin c;
        memset(&c, 0, sizeof c);
        kst_copy_utf8(c.person_id, sizeof c.person_id, kst_col_text(st, 0));
        kst_copy_utf8(c.given, sizeof c.given, kst_col_text(st, 1));
        kst_copy_utf8(c.family, sizeof c.family, kst_col_text(st, 2));
        c.wall_ms = sqlite3_column_int64(st, 3);
        c.is_new = sqlite3_column_int(st, 4);
        if (fn(&c, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "list check-ins", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Counts check-ins per bucket_ms at an event (see store.h). */
int kstore_arrivals(kstore *s, const char *event_id, int64_t bucket_ms,
                    int64_t *first_bucket_start, int *counts, int max, int *n,
                    kerr *err)
{
    sqlite3_stmt *st = NULL;
    int64_t start = 0;
    int rc = SQLITE_DONE, ret = 0, got = 0;
    if (!n || !first_bucket_start || max < 0 || (max > 0 && !counts) || bucket_ms <= 0)
        return kerr_set(err, KERR_INVALID, "kstore_arrivals: bad arguments "
                        "(bucket %lld ms, max %d)", (long long)bucket_ms, max);
    *n = 0;
    *first_bucket_start = 0;
    ret = event_known(s, event_id, "count arrivals", err);
    if (ret == 0)
        ret = kst_prepare_own(s,
                          "SELECT wall_ms - ((wall_ms % ?2) + ?2) % ?2 AS b, count(*) "
                          "FROM checkins WHERE event_id = ?1 GROUP BY b ORDER BY b",
                          &st, "count arrivals", err);
    if (ret || max == 0)
        goto done;
    /* first pass: the last bucket, so that the latest max are kept */
    kst_bind_text(st, 1, event_id);
    sqlite3_bind_int64(st, 2, bucket_ms);
    int64_t first = 0, last = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        if (got++ == 0)
            first = last;
    }
    if (rc != SQLITE_DONE) {
        ret = kst_db_error(s, rc, "count arrivals", err);
        goto done;
    }
    if (got == 0)
        goto done;
    int64_t span = (last - first) / bucket_ms + 1;
    start = span > max ? last - (int64_t)(max - 1) * bucket_ms : first;
    int nb = span > max ? max : (int)span;
    memset(counts, 0, (size_t)nb * sizeof *counts);
    sqlite3_reset(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(st, 0);
        if (b >= start)
            counts[(b - start) / bucket_ms] += sqlite3_column_int(st, 1);
    }
    if (rc != SQLITE_DONE) {
        ret = kst_db_error(s, rc, "count arrivals", err);
        goto done;
    }
    *n = nb;
    *first_bucket_start = start;
done:
    sqlite3_finalize(st);
    return ret;
}


/* ---- attendance: what export.c reads ------------------------------------------- */

/* Checks a scope: an event that exists, or a real date, or nothing. */
static int scope_check(kstore *s, const kscope *sc, kerr *err)
{
    if (sc && sc->event_id && *sc->event_id)
        return event_known(s, sc->event_id, "export", err);
    if (sc && sc->since && *sc->since && !kst_valid_date(sc->since))
        return kerr_set(err, KERR_INVALID, "since date %.40s is not a date "
                        "(expected YYYY-MM-DD)", sc->since);
    return 0;
}

/* Binds ?1 (event id) and ?2 (since date) of a scoped query; NULL = any. */
static void bind_scope(sqlite3_stmt *st, const kscope *sc)
{
    if (sc && sc->event_id && *sc->event_id)
        kst_bind_text(st, 1, sc->event_id);
    else
        sqlite3_bind_null(st, 1);
    if (sc && sc->since && *sc->since)
        kst_bind_text(st, 2, sc->since);
    else
        sqlite3_bind_null(st, 2);
}

#define SCOPE_WHERE "(?1 IS NULL OR c.event_id = ?1) AND (?2 IS NULL OR e.date >= ?2)"

/* Counts the check-ins in scope. */
int kstore_attendance_count(kstore *s, const kscope *scope, long *count, kerr *err)
{
    sqlite3_stmt *st = NULL;
    if (!count)
        return kerr_set(err, KERR_INVALID, "kstore_attendance_count: no output");
    *count = 0;
    int ret = scope_check(s, scope, err);
    if (ret == 0)
        ret = kst_prepare_own(s, "SELECT count(*) FROM checkins c JOIN events e "
                          "ON e.id = c.event_id WHERE " SCOPE_WHERE,
                          &st, "count check-ins", err);
    if (ret == 0) {
        bind_scope(st, scope);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *count = (long)sqlite3_column_int64(st, 0);
        else
            ret = kst_db_error(s, rc, "count check-ins", err);
    }
    sqlite3_finalize(st);
    return ret;
}

/* Calls fn for each check-in in scope with its event and person. */
int kstore_attendance_each(kstore *s, const kscope *scope,
                           int (*fn)(const kattendance *r, void *ctx), void *ctx,
                           kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    int ret = fn ? scope_check(s, scope, err)
                 : kerr_set(err, KERR_INVALID, "kstore_attendance_each: no callback");
    if (ret == 0)
        ret = kst_prepare_own(s,
            "SELECT c.id, c.person_id, c.event_id, e.name, e.program, e.date, "
            "e.survey, p.given, p.family, p.phone, p.email, p.zip, c.wall_ms, c.is_new "
            "FROM checkins c JOIN events e ON e.id = c.event_id "
            "JOIN people p ON p.id = c.person_id WHERE " SCOPE_WHERE
            " ORDER BY e.date, e.wall_ms, e.id, c.wall_ms, c.seq",
            &st, "read check-ins", err);
    if (ret)
        goto done;
    bind_scope(st, scope);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kattendance r = {
            .checkin_id = kst_col_text(st, 0), .person_id = kst_col_text(st, 1),
            .event_id = kst_col_text(st, 2), .event_name = kst_col_text(st, 3),
            .program = kst_col_text(st, 4), .event_date = kst_col_text(st, 5),
            .survey = kst_col_text(st, 6), .given = kst_col_text(st, 7),
            .family = kst_col_text(st, 8), .phone = kst_col_text(st, 9),
            .email = kst_col_text(st, 10), .zip = kst_col_text(st, 11),
            .wall_ms = sqlite3_column_int64(st, 12),
            .is_new = sqlite3_column_int(st, 13),
        };
        if ((ret = fn(&r, ctx)) != 0)
            goto done;
    }
    if (rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "read check-ins", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Calls fn for every answer record in scope, in table order.  A plain
 * scan ("+event_id" keeps SQLite off the index, which would cost a row
 * lookup per answer): with 70,000 answers it takes about 15 ms, where
 * choosing the latest in SQL (window or GROUP BY) took 150-470 ms. */
int kstore_attendance_answers(kstore *s, const kscope *scope,
                              int (*fn)(const kanswer *a, void *ctx), void *ctx,
                              kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = fn ? scope_check(s, scope, err)
                 : kerr_set(err, KERR_INVALID, "kstore_attendance_answers: no callback");
    if (ret == 0)
        ret = kst_prepare_own(s,
            "SELECT person_id, event_id, survey_key, survey_version, question_key,"
            " value, lang, seq, wall_ms, seq AS first FROM answers"
            " WHERE (?1 IS NULL OR event_id = ?1)"
            " AND +event_id IN (SELECT id FROM events WHERE ?2 IS NULL OR date >= ?2)",
            &st, "read answers", err);
    if (ret == 0) {
        bind_scope(st, scope);
        ret = kst_answers_walk(s, st, fn, ctx, "read answers", err);
    }
    sqlite3_finalize(st);
    return ret;
}
