/*
 * store_event.c - events: add (checked fields, one record), find by id or
 * unique prefix, list, and the current event (a setting).
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

/* ---- events ------------------------------------------------------------------- */

/* Today's local date by the store's clock. */
void kst_today(const kstore *s, char out[11])
{
    int64_t ms = s->clock->wall_ms(s->clock->ctx);
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "1970-01-01");
}

/* Fills e from a row of id, name, program, date, wall_ms, survey, link. */
static void event_from_row(sqlite3_stmt *st, kevent *e)
{
    memset(e, 0, sizeof *e);
    kst_copy_utf8(e->id, sizeof e->id, kst_col_text(st, 0));
    kst_copy_utf8(e->name, sizeof e->name, kst_col_text(st, 1));
    kst_copy_utf8(e->program, sizeof e->program, kst_col_text(st, 2));
    kst_copy_utf8(e->date, sizeof e->date, kst_col_text(st, 3));
    e->wall_ms = sqlite3_column_int64(st, 4);
    kst_copy_utf8(e->survey, sizeof e->survey, kst_col_text(st, 5));
    kst_copy_utf8(e->link, sizeof e->link, kst_col_text(st, 6));
}

/* Checks a key as survey.h writes them: a letter, then a-z, 0-9, '-',
 * '_'; at most KIOSK_SURVEY_KEY_MAX characters. */
int kst_valid_key(const char *k)
{
    return k && ksurvey_key_valid(k, strlen(k));
}

/* Checks a link: printable, no spaces or control characters. */
static int valid_link(const char *l)
{
    for (const unsigned char *p = (const unsigned char *)l; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

/* Creates an event (a record) with no survey and no link. */
int kstore_event_add(kstore *s, const char *name, const char *program,
                     const char *date, kevent *out, kerr *err)
{
    kevent_spec spec = {name, program, date, NULL, NULL};
    return kstore_event_add2(s, &spec, out, err);
}

/* Creates an event (a record) with all its fields. */
int kstore_event_add2(kstore *s, const kevent_spec *spec, kevent *out, kerr *err)
{
    kevent e;
    stamp sp;
    int64_t seq = 0;
    int ret = 0;
    memset(&e, 0, sizeof e);
    if (!spec)
        return kerr_set(err, KERR_INVALID, "kstore_event_add2: no event given");
    const char *name = spec->name, *date = spec->date;
    const char *program = spec->program ? spec->program : "";
    const char *survey = spec->survey ? spec->survey : "";
    const char *link = spec->link ? spec->link : "";
    if (!name || !*name)
        return kerr_set(err, KERR_INVALID, "event name is empty");
    if (kst_utf8_chars(name) > KIOSK_EVENT_NAME_MAX || strlen(name) >= sizeof e.name)
        return kerr_set(err, KERR_INVALID, "event name is longer than %d "
                        "characters", KIOSK_EVENT_NAME_MAX);
    if (kst_utf8_chars(program) > KIOSK_PROGRAM_MAX || strlen(program) >= sizeof e.program)
        return kerr_set(err, KERR_INVALID, "event program is longer than %d "
                        "characters", KIOSK_PROGRAM_MAX);
    if (date && *date && !kclock_date_valid(date))
        return kerr_set(err, KERR_INVALID, "event date %.40s is not a date "
                        "(expected YYYY-MM-DD)", date);
    if (*survey && !kst_valid_key(survey))
        return kerr_set(err, KERR_INVALID, "event survey %.40s is not a survey "
                        "key (a letter, then a-z, 0-9, '-' or '_', at most %d)",
                        survey, KIOSK_SURVEY_KEY_MAX);
    if (strlen(link) > KIOSK_EVENT_LINK_MAX)
        return kerr_set(err, KERR_INVALID, "event link is longer than %d bytes",
                        KIOSK_EVENT_LINK_MAX);
    if (!valid_link(link))
        return kerr_set(err, KERR_INVALID, "event link %.60s has spaces or "
                        "control characters", link);
    ret = kst_new_id(e.id, err);
    if (ret)
        return ret;
    snprintf(e.name, sizeof e.name, "%s", name);
    snprintf(e.program, sizeof e.program, "%s", program);
    snprintf(e.survey, sizeof e.survey, "%s", survey);
    snprintf(e.link, sizeof e.link, "%s", link);
    if (date && *date)
        snprintf(e.date, sizeof e.date, "%s", date);
    else
        kst_today(s, e.date);

    ret = kst_tx_begin(s, "add event", err);
    if (ret)
        return ret;
    ret = kst_seq_take(s, 1, &seq, "add event", err);
    if (ret)
        goto done;
    kst_stamp_now(s, seq, &sp);
    e.wall_ms = sp.wall_ms;
    sqlite3_stmt *st = s->st[ST_EVENT_INSERT];
    kst_bind_stamp(s, st, e.id, &sp);
    kst_bind_text(st, 7, e.name);
    kst_bind_text(st, 8, e.program);
    kst_bind_text(st, 9, e.date);
    kst_bind_text(st, 10, e.survey);
    kst_bind_text(st, 11, e.link);
    ret = kst_stmt_run(s, st, "insert event", err);
    if (ret == 0)
        ret = kst_tx_commit(s, "commit event", err);
done:
    if (ret)
        kst_tx_abort(s, err);
    else if (out)
        *out = e;
    return ret;
}

/* Finds an event by id or unique prefix of >= 4 hex digits. */
int kstore_event_get(kstore *s, const char *id_or_prefix, kevent *out, kerr *err)
{
    char lo[KIOSK_ID_HEX + 1], hi[KIOSK_ID_HEX + 2];
    size_t n = id_or_prefix ? strlen(id_or_prefix) : 0;
    kevent e[2];
    int found = 0, ret = 0, rc = SQLITE_DONE;
    if (n < 4 || n > KIOSK_ID_HEX)
        return kerr_set(err, KERR_INVALID, "event id %.40s: give 4 to %d hex "
                        "digits", id_or_prefix ? id_or_prefix : "", KIOSK_ID_HEX);
    for (size_t i = 0; i < n; i++) {
        char c = id_or_prefix[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return kerr_set(err, KERR_INVALID, "event id %.40s: not a hex "
                            "number", id_or_prefix);
        lo[i] = hi[i] = c;
    }
    lo[n] = '\0';
    hi[n] = 'g';                            /* just above every hex digit */
    hi[n + 1] = '\0';

    sqlite3_stmt *st = s->st[ST_EVENT_RANGE];
    kst_bind_text(st, 1, lo);
    kst_bind_text(st, 2, hi);
    while (found < 2 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        event_from_row(st, &e[found++]);
    if (found < 2 && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "find event", err);
    kst_stmt_done(st);
    if (ret)
        return ret;
    if (found == 0)
        return kerr_set(err, KERR_NOTFOUND, "no event with id %s in %s", lo, s->path);
    if (found == 2)
        return kerr_set(err, KERR_INVALID, "event id prefix %s is ambiguous: it "
                        "matches %s and %s (give more digits)", lo, e[0].id, e[1].id);
    if (out)
        *out = e[0];
    return 0;
}

/* Calls fn for each event, newest date first.  Uses its own statement, so
 * fn may call other kstore functions (even this one). */
int kstore_event_each(kstore *s, int (*fn)(const kevent *e, void *ctx), void *ctx,
                      kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = 0;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, name, program, date, wall_ms, survey, link "
                                "FROM events ORDER BY date DESC, wall_ms DESC, id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        ret = kst_db_error(s, rc, "list events", err);
        goto done;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kevent e;
        event_from_row(st, &e);
        if (fn(&e, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "list events", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Makes id (or a unique prefix of it) the event check-ins go to. */
int kstore_event_use(kstore *s, const char *id, kerr *err)
{
    kevent e;
    int ret = kstore_event_get(s, id, &e, err);
    if (ret == 0)
        ret = kst_meta_set(s, "current_event", e.id, "set current event", err);
    return ret;
}

/* The event check-ins go to; KERR_NOTFOUND if none was chosen. */
int kstore_event_current(kstore *s, kevent *out, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int ret = kst_meta_get(s, "current_event", id, sizeof id, "read current event", err);
    if (ret == KERR_NOTFOUND)
        return kerr_set(err, KERR_NOTFOUND, "no current event in %s", s->path);
    if (ret == 0)
        ret = kstore_event_get(s, id, out, err);
    return ret;
}
