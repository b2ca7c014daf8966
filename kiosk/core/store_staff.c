/*
 * store_staff.c - the staff screen's readers (counts, a page of check-ins,
 * arrivals per bucket) and the attendance reads of export.c.
 *
 * Cost follows the work asked for, not the store (issue 15): a tap on the
 * staff screen must stay within a frame with a million check-ins stored,
 * and an export must stream in bounded memory.  Schema 3 (kst_schema_v3,
 * below) gives the readers what they need:
 *   - checkins_event_time (event_id, wall_ms, seq): an event's check-ins
 *     in time order, read from the index with no sort.  A page of the
 *     list is a keyset read (the rows before or after the (wall_ms, seq)
 *     of a row shown), O(page) wherever it is in the list; the export
 *     walks an event's rows in order, one at a time.
 *   - answers_visit covers (event_id, person_id, seq, survey_key,
 *     question_key, value): the export reads a visit's answers from the
 *     index alone, one probe per check-in, no lookup per answer.
 *   - event_totals (check-ins and new people per event) and
 *     event_arrivals (check-ins per event and minute), kept by triggers
 *     on checkins in the transaction of the insert (or delete), so every
 *     way a check-in is written counts it: the counts are one row, the
 *     arrivals chart at most 60 rows per hour shown.
 * A sign-up pays for them with two small upserts on hot pages.
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

#define MINUTE_MS 60000

/* Schema 3: the staff screen's index and totals (see the top). */
const char kst_schema_v3[] =
    "DROP INDEX checkins_event;\n"
    "CREATE INDEX checkins_event_time ON checkins(event_id, wall_ms, seq);\n"
    "DROP INDEX answers_visit;\n"
    "CREATE INDEX answers_visit ON answers(event_id, person_id, seq, survey_key,\n"
    "  question_key, value);\n"
    "CREATE TABLE event_totals(\n"
    "  event_id TEXT PRIMARY KEY NOT NULL,\n"
    "  checkins INTEGER NOT NULL, new_people INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE event_arrivals(\n"
    "  event_id TEXT NOT NULL, minute INTEGER NOT NULL, n INTEGER NOT NULL,\n"
    "  PRIMARY KEY(event_id, minute)\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO event_totals SELECT event_id, count(*), sum(is_new) FROM checkins "
    "GROUP BY event_id;\n"
    "INSERT INTO event_arrivals SELECT event_id, " MINUTE_OF("wall_ms") ", count(*) "
    "FROM checkins GROUP BY 1, 2;\n"
    "CREATE TRIGGER checkins_count_insert AFTER INSERT ON checkins BEGIN\n"
    "  INSERT INTO event_totals VALUES (new.event_id, 1, new.is_new)\n"
    "    ON CONFLICT(event_id) DO UPDATE SET checkins = checkins + 1,\n"
    "    new_people = new_people + excluded.new_people;\n"
    "  INSERT INTO event_arrivals VALUES (new.event_id, " MINUTE_OF("new.wall_ms") ", 1)\n"
    "    ON CONFLICT(event_id, minute) DO UPDATE SET n = n + 1;\n"
    "END;\n"
    "CREATE TRIGGER checkins_count_delete AFTER DELETE ON checkins BEGIN\n"
    "  UPDATE event_totals SET checkins = checkins - 1, new_people = new_people - old.is_new\n"
    "    WHERE event_id = old.event_id;\n"
    "  UPDATE event_arrivals SET n = n - 1\n"
    "    WHERE event_id = old.event_id AND minute = " MINUTE_OF("old.wall_ms") ";\n"
    "  DELETE FROM event_arrivals\n"
    "    WHERE event_id = old.event_id AND minute = " MINUTE_OF("old.wall_ms") " AND n <= 0;\n"
    "END;\n"
    "CREATE TRIGGER checkins_count_update AFTER UPDATE OF event_id, wall_ms, is_new\n"
    "  ON checkins BEGIN\n"
    "  UPDATE event_totals SET checkins = checkins - 1, new_people = new_people - old.is_new\n"
    "    WHERE event_id = old.event_id;\n"
    "  UPDATE event_arrivals SET n = n - 1\n"
    "    WHERE event_id = old.event_id AND minute = " MINUTE_OF("old.wall_ms") ";\n"
    "  DELETE FROM event_arrivals\n"
    "    WHERE event_id = old.event_id AND minute = " MINUTE_OF("old.wall_ms") " AND n <= 0;\n"
    "  INSERT INTO event_totals VALUES (new.event_id, 1, new.is_new)\n"
    "    ON CONFLICT(event_id) DO UPDATE SET checkins = checkins + 1,\n"
    "    new_people = new_people + excluded.new_people;\n"
    "  INSERT INTO event_arrivals VALUES (new.event_id, " MINUTE_OF("new.wall_ms") ", 1)\n"
    "    ON CONFLICT(event_id, minute) DO UPDATE SET n = n + 1;\n"
    "END;\n";

/* Requires an event id that exists (outside a transaction too). */
static int event_known(kstore *s, const char *event_id, const char *op, kerr *err)
{
    if (!event_id || !*event_id)
        return kerr_set(err, KERR_INVALID, "%s: no event given", op);
    return kst_need_event(s, event_id, err);
}

/* Counts check-ins and new people at an event: one row of event_totals. */
int kstore_event_counts(kstore *s, const char *event_id, int *checkins,
                        int *new_people, kerr *err)
{
    sqlite3_stmt *st = NULL;
    if (!event_id)
        return kerr_set(err, KERR_INVALID, "kstore_event_counts: no event");
    int found = 0;
    int ret = kst_row_exists(s, ST_EVENT_EXISTS, event_id, &found, "find event", err);
    if (ret)
        return ret;
    if (!found)
        return kerr_set(err, KERR_NOTFOUND, "no event with id %.40s in %s",
                        event_id, s->path);
    ret = kst_prepare_own(s, "SELECT checkins, new_people FROM event_totals "
                          "WHERE event_id = ?1", &st, "count check-ins", err);
    if (ret)
        return ret;
    kst_bind_text(st, 1, event_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "count check-ins", err);
    if (checkins)
        *checkins = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    if (new_people)
        *new_people = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_finalize(st);
    return ret;
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


/* The hub's aliases (store_roster.c, "Counts"): a check-in whose person
 * has an earlier one at the event under another of their ids is that
 * person's second, left out of the staff list as the counts and the
 * attendance file leave it out.  Added to a query over checkins c only
 * when the store holds aliases: a few index probes a row
 * (UNIQUE(person_id, event_id), roster_aliases_keep). */
#define MERGED_SECOND_NOT \
    " AND NOT EXISTS (SELECT 1 FROM checkins c2 WHERE c2.event_id = c.event_id" \
    "  AND c2.person_id <> c.person_id" \
    "  AND (c2.wall_ms < c.wall_ms OR (c2.wall_ms = c.wall_ms AND c2.seq < c.seq))" \
    "  AND c2.person_id IN (SELECT r.root FROM (SELECT coalesce((SELECT keep_id FROM" \
    "   roster_aliases WHERE id = c.person_id), c.person_id) AS root) r UNION ALL" \
    "   SELECT a.id FROM roster_aliases a WHERE a.keep_id = coalesce((SELECT keep_id FROM" \
    "   roster_aliases WHERE id = c.person_id), c.person_id)))"

/* 1 if the hub has told this kiosk that two ids are one person. */
static int has_aliases(kstore *s)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM roster_aliases)", -1, &st,
                           NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        yes = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return yes;
}

/* Calls fn for each check-in at an event, newest first (a merged
 * person's second check-in left out, as above). */
int kstore_checkins_each(kstore *s, const char *event_id,
                         int (*fn)(const kcheckin *c, void *ctx), void *ctx,
                         kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    int ret = fn ? event_known(s, event_id, "list check-ins", err)
                 : kerr_set(err, KERR_INVALID, "kstore_checkins_each: no callback");
    if (ret == 0)
        ret = kst_prepare_own(s, has_aliases(s)
                          ? "SELECT c.person_id, p.given, p.family, c.wall_ms, c.is_new "
                            "FROM checkins c JOIN people p ON p.id = c.person_id "
                            "WHERE c.event_id = ?1" MERGED_SECOND_NOT
                            " ORDER BY c.wall_ms DESC, c.seq DESC"
                          : "SELECT c.person_id, p.given, p.family, c.wall_ms, c.is_new "
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

/* Reads up to max check-ins of an event next to a row (see store.h),
 * newest first, through checkins_event_time: O(max). */
int kstore_checkins_page(kstore *s, const char *event_id, kstore_page_from from,
                         const kcheckin *at, kcheckin *out, int max, int *n, kerr *err)
{
    static const char *const where[] = {
        [KSTORE_PAGE_TOP] = "c.event_id = ?1",
        [KSTORE_PAGE_AT] = "c.event_id = ?1 AND (c.wall_ms, c.seq) <= (?2, ?3)",
        [KSTORE_PAGE_OLDER] = "c.event_id = ?1 AND (c.wall_ms, c.seq) < (?2, ?3)",
        [KSTORE_PAGE_NEWER] = "c.event_id = ?1 AND (c.wall_ms, c.seq) > (?2, ?3)",
    };
    static const char *const order[] = {
        [KSTORE_PAGE_TOP] = "c.wall_ms DESC, c.seq DESC",
        [KSTORE_PAGE_AT] = "c.wall_ms DESC, c.seq DESC",
        [KSTORE_PAGE_OLDER] = "c.wall_ms DESC, c.seq DESC",
        [KSTORE_PAGE_NEWER] = "c.wall_ms, c.seq",
    };
    char q[1024];
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE, got = 0;
    if (!n || max < 0 || (max > 0 && !out) || (int)from < 0 || from > KSTORE_PAGE_NEWER ||
        (from != KSTORE_PAGE_TOP && !at))
        return kerr_set(err, KERR_INVALID, "kstore_checkins_page: bad arguments");
    *n = 0;
    int ret = event_known(s, event_id, "list check-ins", err);
    if (ret || max == 0)
        return ret;
    int n_q = snprintf(q, sizeof q, "SELECT c.person_id, p.given, p.family, c.wall_ms, c.is_new,"
                       " c.seq FROM checkins c INDEXED BY checkins_event_time "
                       "JOIN people p ON p.id = c.person_id WHERE %s%s ORDER BY %s LIMIT ?4",
                       where[from], has_aliases(s) ? MERGED_SECOND_NOT : "", order[from]);
    if (n_q < 0 || (size_t)n_q >= sizeof q)
        return kerr_set(err, KERR_INTERNAL, "kstore_checkins_page: query too long");
    ret = kst_prepare_own(s, q, &st, "list check-ins", err);
    if (ret)
        return ret;
    kst_bind_text(st, 1, event_id);
    if (at) {
        sqlite3_bind_int64(st, 2, at->wall_ms);
        sqlite3_bind_int64(st, 3, at->seq);
    }
    sqlite3_bind_int(st, 4, max);
    while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        kcheckin *c = &out[got++];
        memset(c, 0, sizeof *c);
        kst_copy_utf8(c->person_id, sizeof c->person_id, kst_col_text(st, 0));
        kst_copy_utf8(c->given, sizeof c->given, kst_col_text(st, 1));
        kst_copy_utf8(c->family, sizeof c->family, kst_col_text(st, 2));
        c->wall_ms = sqlite3_column_int64(st, 3);
        c->is_new = sqlite3_column_int(st, 4);
        c->seq = sqlite3_column_int64(st, 5);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = kst_db_error(s, rc, "list check-ins", err);
    sqlite3_finalize(st);
    if (ret)
        return ret;
    if (from == KSTORE_PAGE_NEWER)              /* read oldest first: turn round */
        for (int i = 0; i < got / 2; i++) {
            kcheckin t = out[i];
            out[i] = out[got - 1 - i];
            out[got - 1 - i] = t;
        }
    *n = got;
    return 0;
}

/* The time of the first (first = 1) or last arrival at an event, to the
 * minute from event_arrivals (by_minute), else to the ms from the
 * check-ins; *found 0 if there is none. */
static int edge_time(kstore *s, const char *event_id, int first, int by_minute, int64_t *ms,
                     int *found, kerr *err)
{
    char q[200];
    sqlite3_stmt *st = NULL;
    snprintf(q, sizeof q, by_minute
             ? "SELECT minute * 60000 FROM event_arrivals WHERE event_id = ?1 "
               "ORDER BY minute %s LIMIT 1"
             : "SELECT wall_ms FROM checkins INDEXED BY checkins_event_time "
               "WHERE event_id = ?1 ORDER BY wall_ms %s LIMIT 1", first ? "" : "DESC");
    int ret = kst_prepare_own(s, q, &st, "count arrivals", err);
    if (ret)
        return ret;
    kst_bind_text(st, 1, event_id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        *ms = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "count arrivals", err);
    sqlite3_finalize(st);
    return ret;
}

/* Floor of x to a multiple of b (b > 0), also for negative x. */
static int64_t floor_to(int64_t x, int64_t b)
{
    return x - ((x % b) + b) % b;
}

/* Counts check-ins per bucket_ms at an event (see store.h): the first and
 * last minutes with arrivals, then the minutes of the buckets kept, at
 * most max buckets' worth of rows of event_arrivals.  A bucket that is
 * not a whole number of minutes is counted from the event's check-ins in
 * that span instead (checkins_event_time). */
int kstore_arrivals(kstore *s, const char *event_id, int64_t bucket_ms,
                    int64_t *first_bucket_start, int *counts, int max, int *n,
                    kerr *err)
{
    sqlite3_stmt *st = NULL;
    int64_t lo = 0, hi = 0;
    int found = 0, rc = SQLITE_DONE;
    if (!n || !first_bucket_start || max < 0 || (max > 0 && !counts) || bucket_ms <= 0)
        return kerr_set(err, KERR_INVALID, "kstore_arrivals: bad arguments "
                        "(bucket %lld ms, max %d)", (long long)bucket_ms, max);
    *n = 0;
    *first_bucket_start = 0;
    int by_minute = bucket_ms % MINUTE_MS == 0;
    int ret = event_known(s, event_id, "count arrivals", err);
    if (ret == 0 && max > 0)
        ret = edge_time(s, event_id, 0, by_minute, &hi, &found, err);
    if (ret || max == 0 || !found)
        return ret;
    ret = edge_time(s, event_id, 1, by_minute, &lo, &found, err);
    if (ret)
        return ret;
    int64_t first = floor_to(lo, bucket_ms), last = floor_to(hi, bucket_ms);
    int64_t span = (last - first) / bucket_ms + 1;
    int64_t start = span > max ? last - (int64_t)(max - 1) * bucket_ms : first;
    int nb = span > max ? max : (int)span;
    memset(counts, 0, (size_t)nb * sizeof *counts);
    ret = kst_prepare_own(s, by_minute
                              ? "SELECT minute * 60000, n FROM event_arrivals "
                                "WHERE event_id = ?1 AND minute >= ?2"
                              : "SELECT wall_ms, 1 FROM checkins INDEXED BY checkins_event_time "
                                "WHERE event_id = ?1 AND wall_ms >= ?2",
                          &st, "count arrivals", err);
    if (ret)
        return ret;
    kst_bind_text(st, 1, event_id);
    sqlite3_bind_int64(st, 2, by_minute ? floor_to(start, MINUTE_MS) / MINUTE_MS : start);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t b = (floor_to(sqlite3_column_int64(st, 0), bucket_ms) - start) / bucket_ms;
        if (b >= 0 && b < nb)
            counts[b] += sqlite3_column_int(st, 1);
    }
    if (rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "count arrivals", err);
    sqlite3_finalize(st);
    if (ret == 0) {
        *n = nb;
        *first_bucket_start = start;
    }
    return ret;
}

/* ---- attendance: what export.c reads ------------------------------------------- */

/* Checks a scope: an event that exists, or a real date, or nothing. */
static int scope_check(kstore *s, const kscope *sc, kerr *err)
{
    if (sc && sc->event_id && *sc->event_id)
        return event_known(s, sc->event_id, "export", err);
    if (sc && sc->since && *sc->since && !kclock_date_valid(sc->since))
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

/* Counts the check-ins in scope: from event_totals, one row per event. */
int kstore_attendance_count(kstore *s, const kscope *scope, long *count, kerr *err)
{
    sqlite3_stmt *st = NULL;
    if (!count)
        return kerr_set(err, KERR_INVALID, "kstore_attendance_count: no output");
    *count = 0;
    int ret = scope_check(s, scope, err);
    if (ret == 0)
        ret = kst_prepare_own(s, scope && scope->event_id && *scope->event_id
                                  ? "SELECT coalesce(sum(checkins), 0) FROM event_totals "
                                    "WHERE event_id = ?1 AND ?2 IS NULL"
                                  : "SELECT coalesce(sum(t.checkins), 0) FROM event_totals t "
                                    "JOIN events e ON e.id = t.event_id "
                                    "WHERE ?1 IS NULL AND (?2 IS NULL OR e.date >= ?2)",
                              &st, "count check-ins", err);
    if (ret == 0) {
        bind_scope(st, scope);
        if (scope && scope->event_id && *scope->event_id)
            sqlite3_bind_null(st, 2);
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

/* ---- attendance as a stream: what export.c writes from ------------------------- */

/* One answer of the row in hand: offsets into the cursor's text buffer. */
typedef struct cur_answer {
    size_t survey, question, value;
    int64_t seq;
} cur_answer;

struct kattend_cursor {
    kstore *s;
    long long cache;                /* the connection's cache_size, restored at close */
    sqlite3_stmt *events, *rows;
    sqlite3_stmt *merged;           /* with the hub's aliases: is a row a person's second? */
    int event_open;                 /* events is on an event, rows bound to it */
    int pending;                    /* rows is on a row not yet taken */
    char *buf;                      /* texts of the row in hand */
    size_t len, cap;
    cur_answer *ans;
    int nans, capans;
    kattend_answer *out;            /* handed to the caller */
    size_t fixed[9];                /* offsets: check-in id, person id, given, ... */
};

/* Appends text (NUL included) to the cursor's buffer; its offset, or
 * (size_t)-1 if out of memory. */
static size_t cur_put(kattend_cursor *c, const char *t)
{
    size_t n = strlen(t) + 1;
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (c->len + n > cap)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b)
            return (size_t)-1;
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, t, n);
    c->len += n;
    return c->len - n;
}

/* Opens a cursor over the check-ins in scope (see store.h). */
int kstore_attendance_open(kstore *s, const kscope *scope, kattend_cursor **out, kerr *err)
{
    *out = NULL;
    int ret = scope_check(s, scope, err);
    if (ret)
        return ret;
    kattend_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    c->s = s;
    /* A bigger page cache while the export reads: each check-in probes
     * people and answers at random places (their ids are random); 16 MB
     * keeps most of those probes off the disk and within the export's
     * memory bound. */
    sqlite3_stmt *cs = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &cs, NULL) == SQLITE_OK &&
        sqlite3_step(cs) == SQLITE_ROW)
        c->cache = sqlite3_column_int64(cs, 0);
    sqlite3_finalize(cs);
    if (c->cache)
        sqlite3_exec(s->db, "PRAGMA cache_size = -16384", NULL, NULL, NULL);
    const char *evq =
        scope && scope->event_id && *scope->event_id
            ? "SELECT id, name, program, date, survey FROM events WHERE id = ?1"
            : "SELECT id, name, program, date, survey FROM events "
              "WHERE ?2 IS NULL OR date >= ?2 ORDER BY date, wall_ms, id";
    ret = kst_prepare_own(s, evq, &c->events, "read events", err);
    if (ret == 0)
        ret = kst_prepare_own(s,
            "SELECT c.id, c.person_id, p.given, p.family, p.phone, p.email, p.zip, "
            "c.wall_ms, c.is_new, a.survey_key, a.question_key, a.value, a.seq, c.seq "
            "FROM checkins c INDEXED BY checkins_event_time "
            "JOIN people p ON p.id = c.person_id "
            "LEFT JOIN answers a ON a.event_id = c.event_id AND a.person_id = c.person_id "
            "WHERE c.event_id = ?1 ORDER BY c.wall_ms, c.seq",
            &c->rows, "read check-ins", err);
    /* Two ids the hub merged (store_roster.c, "Counts"): a row whose person
     * has an earlier check-in at the event under another of their ids is
     * left out, as the counts leave it out.  Asked only when the store
     * holds aliases: three index probes a row. */
    if (ret == 0 && has_aliases(s))
        ret = kst_prepare_own(s,
            "WITH r(root) AS (SELECT coalesce((SELECT keep_id FROM roster_aliases WHERE id = ?1),"
            " ?1)), g(id) AS (SELECT root FROM r UNION ALL"
            " SELECT a.id FROM r JOIN roster_aliases a ON a.keep_id = r.root)"
            " SELECT 1 FROM g JOIN checkins c ON c.person_id = g.id AND c.event_id = ?2"
            " WHERE g.id <> ?1 AND (c.wall_ms < ?3 OR (c.wall_ms = ?3 AND c.seq < ?4)) LIMIT 1",
            &c->merged, "read check-ins", err);
    if (ret) {
        kstore_attendance_close(c);
        return ret;
    }
    bind_scope(c->events, scope);
    *out = c;
    return 0;
}

/* Gives the next check-in in scope with its answers (see store.h). */
int kstore_attendance_next(kattend_cursor *c, kattendance *row, const kattend_answer **answers,
                           int *nanswers, kerr *err)
{
    kstore *s = c->s;
    int rc;
    c->len = 0;
    c->nans = 0;
    *nanswers = 0;
    *answers = NULL;
    sqlite3_stmt *st = c->rows;
    for (;;) {
        while (!c->pending) {               /* the next event's first row */
            if (c->event_open) {
                rc = sqlite3_step(c->rows);
                if (rc == SQLITE_ROW) {
                    c->pending = 1;
                    break;
                }
                c->event_open = 0;
                if (rc != SQLITE_DONE)
                    return kst_db_error(s, rc, "read check-ins", err);
            }
            rc = sqlite3_step(c->events);
            if (rc == SQLITE_DONE)
                return 0;
            if (rc != SQLITE_ROW)
                return kst_db_error(s, rc, "read events", err);
            sqlite3_reset(c->rows);
            kst_bind_text(c->rows, 1, kst_col_text(c->events, 0));
            c->event_open = 1;
        }
        if (!c->merged)
            break;
        sqlite3_stmt *m = c->merged;
        sqlite3_reset(m);
        kst_bind_text(m, 1, kst_col_text(st, 1));
        kst_bind_text(m, 2, kst_col_text(c->events, 0));
        sqlite3_bind_int64(m, 3, sqlite3_column_int64(st, 7));
        sqlite3_bind_int64(m, 4, sqlite3_column_int64(st, 13));
        rc = sqlite3_step(m);
        sqlite3_reset(m);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            return kst_db_error(s, rc, "read check-ins", err);
        /* the person's second check-in here: past all rows of this visit */
        char id[KIOSK_ID_HEX + 8];
        kst_copy_utf8(id, sizeof id, kst_col_text(st, 0));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && strcmp(kst_col_text(st, 0), id) == 0)
            ;
        if (rc == SQLITE_DONE) {
            c->pending = 0;
            c->event_open = 0;
        } else if (rc != SQLITE_ROW) {
            return kst_db_error(s, rc, "read check-ins", err);
        }
    }
    /* the row in hand: the check-in, then every answer row of its visit */
    for (int i = 0; i < 7; i++)
        if ((c->fixed[i] = cur_put(c, kst_col_text(st, i))) == (size_t)-1)
            return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    int64_t wall = sqlite3_column_int64(st, 7);
    int is_new = sqlite3_column_int(st, 8);
    for (;;) {
        if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
            if (c->nans == c->capans) {
                int cap = c->capans ? c->capans * 2 : 16;
                cur_answer *a = realloc(c->ans, (size_t)cap * sizeof *a);
                if (!a)
                    return kerr_set(err, KERR_INTERNAL, "export: out of memory");
                c->ans = a;
                c->capans = cap;
            }
            cur_answer *a = &c->ans[c->nans];
            a->survey = cur_put(c, kst_col_text(st, 9));
            a->question = cur_put(c, kst_col_text(st, 10));
            a->value = cur_put(c, kst_col_text(st, 11));
            a->seq = sqlite3_column_int64(st, 12);
            if (a->survey == (size_t)-1 || a->question == (size_t)-1 || a->value == (size_t)-1)
                return kerr_set(err, KERR_INTERNAL, "export: out of memory");
            c->nans++;
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            c->pending = 0;
            c->event_open = 0;              /* stepping on would start it again */
            break;
        }
        if (rc != SQLITE_ROW)
            return kst_db_error(s, rc, "read check-ins", err);
        if (strcmp(kst_col_text(st, 0), c->buf + c->fixed[0]) != 0)
            break;                          /* the next check-in: kept for next time */
    }
    if (c->nans > 0) {
        kattend_answer *o = realloc(c->out, (size_t)c->nans * sizeof *o);
        if (!o)
            return kerr_set(err, KERR_INTERNAL, "export: out of memory");
        c->out = o;
        for (int i = 0; i < c->nans; i++) {
            o[i].survey_key = c->buf + c->ans[i].survey;
            o[i].question_key = c->buf + c->ans[i].question;
            o[i].value = c->buf + c->ans[i].value;
            o[i].seq = c->ans[i].seq;
        }
        *answers = o;
        *nanswers = c->nans;
    }
    sqlite3_stmt *ev = c->events;
    memset(row, 0, sizeof *row);
    row->checkin_id = c->buf + c->fixed[0];
    row->person_id = c->buf + c->fixed[1];
    row->given = c->buf + c->fixed[2];
    row->family = c->buf + c->fixed[3];
    row->phone = c->buf + c->fixed[4];
    row->email = c->buf + c->fixed[5];
    row->zip = c->buf + c->fixed[6];
    row->event_id = kst_col_text(ev, 0);
    row->event_name = kst_col_text(ev, 1);
    row->program = kst_col_text(ev, 2);
    row->event_date = kst_col_text(ev, 3);
    row->survey = kst_col_text(ev, 4);
    row->wall_ms = wall;
    row->is_new = is_new;
    return 1;
}

/* Closes a cursor (NULL is fine). */
void kstore_attendance_close(kattend_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->events);
    sqlite3_finalize(c->rows);
    sqlite3_finalize(c->merged);
    if (c->cache) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", c->cache);
        sqlite3_exec(c->s->db, sql, NULL, NULL, NULL);
    }
    free(c->buf);
    free(c->ans);
    free(c->out);
    free(c);
}

/* A survey column found by kstore_attendance_columns. */
typedef struct col_seen {
    char survey[KIOSK_SURVEY_KEY_MAX + 1], question[KIOSK_SURVEY_KEY_MAX + 1];
    int64_t first;
} col_seen;

/* Calls fn once per survey question answered at the events in scope, with
 * the lowest seq of its answers (see store.h): each event's answers read
 * from the covering index answers_visit in its order, no sort and no
 * table in memory but the columns themselves (a few).  The kiosk writes
 * answers only at a visit with a check-in, so these are the columns of
 * the visits' answers. */
int kstore_attendance_columns(kstore *s, const kscope *scope,
                              int (*fn)(const char *survey_key, const char *question_key,
                                        int64_t first_seq, void *ctx),
                              void *ctx, kerr *err)
{
    sqlite3_stmt *ev = NULL, *st = NULL;
    col_seen *cols = NULL;
    int ncols = 0, cap = 0, last = 0, rc = SQLITE_DONE;
    int ret = fn ? scope_check(s, scope, err)
                 : kerr_set(err, KERR_INVALID, "kstore_attendance_columns: no callback");
    if (ret)
        return ret;
    ret = kst_prepare_own(s, scope && scope->event_id && *scope->event_id
                              ? "SELECT id FROM events WHERE id = ?1"
                              : "SELECT id FROM events WHERE ?2 IS NULL OR date >= ?2",
                          &ev, "read survey columns", err);
    if (ret == 0)
        ret = kst_prepare_own(s, "SELECT survey_key, question_key, seq FROM answers "
                              "INDEXED BY answers_visit WHERE event_id = ?1",
                              &st, "read survey columns", err);
    if (ret)
        goto done;
    bind_scope(ev, scope);
    while (ret == 0 && (rc = sqlite3_step(ev)) == SQLITE_ROW) {
        sqlite3_reset(st);
        kst_bind_text(st, 1, kst_col_text(ev, 0));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *sk = kst_col_text(st, 0), *qk = kst_col_text(st, 1);
            int64_t seq = sqlite3_column_int64(st, 2);
            int i = -1;
            for (int k = 0; k < ncols && i < 0; k++) {
                int j = (last + k) % ncols;             /* answers come in runs */
                if (strcmp(cols[j].question, qk) == 0 && strcmp(cols[j].survey, sk) == 0)
                    i = j;
            }
            if (i < 0) {
                if (ncols == cap) {
                    int nc = cap ? cap * 2 : 16;
                    col_seen *c = realloc(cols, (size_t)nc * sizeof *c);
                    if (!c) {
                        ret = kerr_set(err, KERR_INTERNAL, "export: out of memory");
                        break;
                    }
                    cols = c;
                    cap = nc;
                }
                i = ncols++;
                kst_copy_utf8(cols[i].survey, sizeof cols[i].survey, sk);
                kst_copy_utf8(cols[i].question, sizeof cols[i].question, qk);
                cols[i].first = seq;
            }
            if (seq < cols[i].first)
                cols[i].first = seq;
            last = i;
        }
        if (ret == 0 && rc != SQLITE_DONE)
            ret = kst_db_error(s, rc, "read survey columns", err);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "read survey columns", err);
    for (int i = 0; ret == 0 && i < ncols; i++)
        ret = fn(cols[i].survey, cols[i].question, cols[i].first, ctx);
done:
    sqlite3_finalize(ev);
    sqlite3_finalize(st);
    free(cols);
    return ret;
}
