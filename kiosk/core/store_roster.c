/*
 * store_roster.c - the hub's roster kept on the kiosk (store.h "the hub's
 * roster"; sync/PROTOCOL.md 12).  The page arrives checked
 * (sync/roster.c); here each change becomes rows that search, check-in,
 * the staff screen's event list and export read as they read the kiosk's
 * own:
 *
 *   person   a row of people, device KSTORE_HUB_DEVICE, given and family
 *            from the hub, phone, e-mail and ZIP empty, people.hint the
 *            hub's hint; indexed for search as a sign-up is.  A person of
 *            this kiosk's own (same id) is left as it is.
 *   alias    roster_aliases(id -> keep_id); the id leaves the search index
 *            (its row stays: check-ins refer to it) and a check-in under it
 *            is made under keep_id (kstore_checkin).
 *   forget   the person's names (and, for a person signed up here, phone,
 *            e-mail, ZIP) are erased and the row leaves the search index;
 *            check-ins stay, anonymous.  Refused for a person signed up
 *            here whose record the hub has not acknowledged.
 *   event    a row of events, device KSTORE_HUB_DEVICE.
 *   survey   roster_surveys(key, version, body).
 *
 * Counts (schema 8): the staff screen's event_totals and event_arrivals
 * count people checked in, so two ids the hub later says are one person,
 * both checked in at one event before the alias came, count once there:
 * the group's earliest check-in (by time, then seq) is the one counted,
 * and the attendance file writes only that one (store_staff.c).  After an
 * alias no new double arises (kstore_checkin refuses a second check-in
 * of the person under either id), so the counts are redone only at the
 * events where the person's ids have check-ins, once per page, from those
 * events' check-ins (O(their check-ins), not O(all)).
 *
 * Rows of the hub's device are never sent back (the outbox sends this
 * device's rows only); their seq is the hub's change seq, kept unique per
 * table by moving an older row that holds it out of the way.
 */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

/* Schema 7 (step 5 was never used; 6 is the name index of issue 14). */
const char kst_schema_v7[] =
    "ALTER TABLE people ADD COLUMN hint TEXT NOT NULL DEFAULT '';\n"
    "CREATE TABLE roster_aliases(\n"
    "  id TEXT PRIMARY KEY NOT NULL, keep_id TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX roster_aliases_keep ON roster_aliases(keep_id);\n"
    "CREATE TABLE roster_surveys(\n"
    "  key TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL,\n"
    "  body TEXT NOT NULL, seq INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n";

/* The check-ins of event ?1 that count: each person's earliest, an id
 * the hub merged into another being that person (columns wall_ms, is_new). */
#define KEPT_CHECKINS                                                                      \
    "SELECT wall_ms, is_new FROM (SELECT c.wall_ms, c.is_new, row_number() OVER"           \
    " (PARTITION BY coalesce(a.keep_id, c.person_id) ORDER BY c.wall_ms, c.seq) AS k"     \
    " FROM checkins c LEFT JOIN roster_aliases a ON a.id = c.person_id"                    \
    " WHERE c.event_id = ?1) WHERE k = 1"

/* Schema 8: every event's counts made anew by that rule (a kiosk that
 * applied aliases before it counted both ids; without aliases nothing
 * changes). */
const char kst_schema_v8[] =
    "DELETE FROM event_totals;\n"
    "DELETE FROM event_arrivals;\n"
    "CREATE TEMP TABLE kept AS SELECT c.event_id, c.wall_ms, c.is_new FROM (SELECT c.event_id,"
    " c.wall_ms, c.is_new, row_number() OVER (PARTITION BY c.event_id,"
    " coalesce(a.keep_id, c.person_id) ORDER BY c.wall_ms, c.seq) AS k"
    " FROM checkins c LEFT JOIN roster_aliases a ON a.id = c.person_id) c WHERE k = 1;\n"
    "INSERT INTO event_totals SELECT event_id, count(*), sum(is_new) FROM kept GROUP BY event_id;\n"
    "INSERT INTO event_arrivals SELECT event_id, " MINUTE_OF("wall_ms") ", count(*) FROM kept"
    " GROUP BY 1, 2;\n"
    "DROP TABLE kept;\n";

enum {
    R_PERSON_GET, R_PERSON_INSERT, R_PERSON_UPDATE, R_PERSON_HINT, R_PERSON_ERASE, R_SEQ_FREE_P,
    R_ALIAS_PUT, R_ALIAS_FLATTEN, R_ALIAS_DROP,
    R_EVENT_GET, R_EVENT_INSERT, R_EVENT_UPDATE, R_SEQ_FREE_E, R_SURVEY_PUT,
    R_GROUP_EVENTS, R_RECOUNT_TOTALS, R_RECOUNT_ARR_DEL, R_RECOUNT_ARR_INS, R_COUNT
};

static const char *const r_sql[R_COUNT] = {
    [R_PERSON_GET] = "SELECT device_id, seq, given, family FROM people WHERE id = ?1",
    [R_PERSON_INSERT] = "INSERT INTO people(id, device_id, seq, wall_ms, boot_id, mono_ms, given,"
                        " family, phone, email, zip, name_key, hint)"
                        " VALUES (?1, '" KSTORE_HUB_DEVICE "', ?2, 0, 'hub', 0, ?3, ?4, '', '', '',"
                        " ?5, ?6)",
    [R_PERSON_UPDATE] = "UPDATE people SET seq = ?2, given = ?3, family = ?4, name_key = ?5,"
                        " hint = ?6 WHERE id = ?1",
    [R_PERSON_HINT] = "UPDATE people SET seq = ?2, hint = ?3 WHERE id = ?1",
    [R_PERSON_ERASE] = "UPDATE people SET given = '', family = '', phone = '', email = '',"
                       " zip = '', hint = '', name_key = '' WHERE id = ?1",
    [R_SEQ_FREE_P] = "UPDATE people SET seq = (SELECT min(seq) FROM people WHERE device_id = '"
                     KSTORE_HUB_DEVICE "') - 1 WHERE device_id = '" KSTORE_HUB_DEVICE "'"
                     " AND seq = ?1 AND id <> ?2",
    [R_ALIAS_PUT] = "INSERT INTO roster_aliases(id, keep_id) VALUES (?1, ?2)"
                    " ON CONFLICT(id) DO UPDATE SET keep_id = excluded.keep_id",
    [R_ALIAS_FLATTEN] = "UPDATE roster_aliases SET keep_id = ?2 WHERE keep_id = ?1",
    [R_ALIAS_DROP] = "DELETE FROM roster_aliases WHERE id = ?1",
    [R_EVENT_GET] = "SELECT device_id FROM events WHERE id = ?1",
    [R_EVENT_INSERT] = "INSERT INTO events(id, device_id, seq, wall_ms, boot_id, mono_ms, name,"
                       " program, date, survey, link)"
                       " VALUES (?1, '" KSTORE_HUB_DEVICE "', ?2, 0, 'hub', 0, ?3, ?4, ?5, ?6, ?7)",
    [R_EVENT_UPDATE] = "UPDATE events SET seq = ?2, name = ?3, program = ?4, date = ?5, survey = ?6,"
                       " link = ?7 WHERE id = ?1",
    [R_SEQ_FREE_E] = "UPDATE events SET seq = (SELECT min(seq) FROM events WHERE device_id = '"
                     KSTORE_HUB_DEVICE "') - 1 WHERE device_id = '" KSTORE_HUB_DEVICE "'"
                     " AND seq = ?1 AND id <> ?2",
    [R_SURVEY_PUT] = "INSERT INTO roster_surveys(key, version, body, seq) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT(key) DO UPDATE SET version = excluded.version,"
                     " body = excluded.body, seq = excluded.seq",
    /* the events where person ?1 or an id merged into it checked in */
    [R_GROUP_EVENTS] = "SELECT event_id FROM checkins WHERE person_id = ?1 UNION"
                       " SELECT c.event_id FROM roster_aliases a JOIN checkins c"
                       " ON c.person_id = a.id WHERE a.keep_id = ?1",
    [R_RECOUNT_TOTALS] = "INSERT INTO event_totals(event_id, checkins, new_people)"
                         " SELECT ?1, count(*), coalesce(sum(is_new), 0) FROM (" KEPT_CHECKINS ")"
                         " WHERE true ON CONFLICT(event_id) DO UPDATE SET"
                         " checkins = excluded.checkins, new_people = excluded.new_people",
    [R_RECOUNT_ARR_DEL] = "DELETE FROM event_arrivals WHERE event_id = ?1",
    [R_RECOUNT_ARR_INS] = "INSERT INTO event_arrivals(event_id, minute, n) SELECT ?1, "
                          MINUTE_OF("wall_ms") ", count(*) FROM (" KEPT_CHECKINS ") GROUP BY 2",
};

typedef struct rctx {
    kstore *s;
    sqlite3_stmt *st[R_COUNT];
    int64_t acked;
    int applied;
    char (*recount)[KIOSK_ID_HEX + 1];      /* events whose counts to redo */
    int nrecount, caprecount;
} rctx;

static int rrun(struct rctx *c, int i, const char *const *tv, const int64_t *iv, int n, kerr *err);

/* Notes the events where person root (or an id merged into it) checked
 * in, to count them again at the end of the page. */
static int note_events(rctx *c, const char *root, kerr *err)
{
    sqlite3_stmt *st = c->st[R_GROUP_EVENTS];
    kst_bind_text(st, 1, root);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (c->nrecount == c->caprecount) {
            int cap = c->caprecount ? c->caprecount * 2 : 16;
            void *p = realloc(c->recount, (size_t)cap * sizeof *c->recount);
            if (!p) {
                sqlite3_reset(st);
                return kerr_set(err, KERR_INTERNAL, "apply the hub's roster: out of memory");
            }
            c->recount = p;
            c->caprecount = cap;
        }
        kst_copy_utf8(c->recount[c->nrecount++], KIOSK_ID_HEX + 1, kst_col_text(st, 0));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : kst_db_error(c->s, rc, "apply the hub's roster", err);
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Counts the noted events again (each once): see "Counts" at the top. */
static int recount(rctx *c, kerr *err)
{
    if (c->nrecount == 0)
        return 0;
    qsort(c->recount, (size_t)c->nrecount, sizeof *c->recount, cmp_id);
    int ret = 0;
    int64_t none[1] = {0};
    for (int i = 0; i < c->nrecount && ret == 0; i++) {
        if (i > 0 && strcmp(c->recount[i], c->recount[i - 1]) == 0)
            continue;
        const char *ev[1] = {c->recount[i]};
        ret = rrun(c, R_RECOUNT_TOTALS, ev, none, 1, err);
        if (ret == 0)
            ret = rrun(c, R_RECOUNT_ARR_DEL, ev, none, 1, err);
        if (ret == 0)
            ret = rrun(c, R_RECOUNT_ARR_INS, ev, none, 1, err);
    }
    return ret;
}

/* Runs cached statement i with text parameters (NULL = integer from ints). */
static int rrun(struct rctx *c, int i, const char *const *tv, const int64_t *iv, int n, kerr *err)
{
    sqlite3_stmt *st = c->st[i];
    for (int k = 0; k < n; k++) {
        if (tv[k])
            kst_bind_text(st, k + 1, tv[k]);
        else
            sqlite3_bind_int64(st, k + 1, iv[k]);
    }
    return kst_stmt_run(c->s, st, "apply the hub's roster", err);
}

/* Person: a new roster row, or the roster row updated; own rows untouched. */
static int apply_person(rctx *c, const kroster_change *ch, kerr *err)
{
    sqlite3_stmt *g = c->st[R_PERSON_GET];
    kst_bind_text(g, 1, ch->id);
    int r = kst_stmt_row(c->s, g, "apply the hub's roster", err);
    if (r < 0)
        return -r;
    char dev[KIOSK_ID_HEX + 1] = "", given[KIOSK_NAME_BYTES] = "", family[KIOSK_NAME_BYTES] = "";
    if (r) {
        kst_copy_utf8(dev, sizeof dev, kst_col_text(g, 0));
        kst_copy_utf8(given, sizeof given, kst_col_text(g, 2));
        kst_copy_utf8(family, sizeof family, kst_col_text(g, 3));
        kst_stmt_done(g);
    }
    if (r && strcmp(dev, KSTORE_HUB_DEVICE) != 0)
        return 0;                       /* this kiosk's own person: it is the truth */
    int64_t iv[6] = {0, ch->seq, 0, 0, 0, 0};
    const char *fv[2] = {NULL, ch->id};
    int ret = rrun(c, R_SEQ_FREE_P, fv, iv + 1, 2, err);
    if (ret == 0 && r)                  /* a merged id the hub sends as a person again */
        ret = note_events(c, ch->id, err);
    if (ret == 0) {
        const char *dv[1] = {ch->id};
        ret = rrun(c, R_ALIAS_DROP, dv, iv, 1, err);
    }
    if (ret)
        return ret;
    char key[STORE_KEY_BYTES];
    if (r && strcmp(given, ch->given) == 0 && strcmp(family, ch->family) == 0) {
        const char *tv[3] = {ch->id, NULL, ch->hint};
        ret = rrun(c, R_PERSON_HINT, tv, iv, 3, err);
    } else {
        if (r)
            ret = kst_person_unindex(c->s, ch->id, err);
        if (ret == 0)
            ret = kst_person_index(c->s, ch->id, ch->given, ch->family, key, err);
        const char *tv[6] = {ch->id, NULL, ch->given, ch->family, key, ch->hint};
        if (ret == 0)
            ret = rrun(c, r ? R_PERSON_UPDATE : R_PERSON_INSERT, tv, iv, 6, err);
    }
    if (ret == 0)
        c->applied++;
    return ret;
}

/* Alias: id is the same person as to. */
static int apply_alias(rctx *c, const kroster_change *ch, kerr *err)
{
    int64_t iv[2] = {0, 0};
    const char *pv[2] = {ch->id, ch->to};
    int ret = note_events(c, ch->id, err);       /* id's group before (it may have one) */
    if (ret == 0)
        ret = rrun(c, R_ALIAS_PUT, pv, iv, 2, err);
    if (ret == 0)
        ret = rrun(c, R_ALIAS_FLATTEN, pv, iv, 2, err);
    if (ret == 0)
        ret = note_events(c, ch->to, err);       /* and the group it joins */
    if (ret == 0)
        ret = kst_person_unindex(c->s, ch->id, err);
    if (ret == 0)
        c->applied++;
    return ret;
}

/* Tombstone: the person's personal data go; their check-ins stay. */
static int apply_forget(rctx *c, const kroster_change *ch, kerr *err)
{
    sqlite3_stmt *g = c->st[R_PERSON_GET];
    kst_bind_text(g, 1, ch->id);
    int r = kst_stmt_row(c->s, g, "apply the hub's roster", err);
    if (r < 0)
        return -r;
    if (r == 0)
        return 0;                       /* never here: nothing to erase */
    char dev[KIOSK_ID_HEX + 1];
    kst_copy_utf8(dev, sizeof dev, kst_col_text(g, 0));
    int64_t seq = sqlite3_column_int64(g, 1);
    kst_stmt_done(g);
    if (strcmp(dev, c->s->device_id) == 0 && seq > c->acked)
        return kerr_set(err, KERR_INVALID, "roster change %" PRId64 ": a tombstone for %s, a person "
                        "signed up on this kiosk whose record the hub does not hold yet (seq %"
                        PRId64 ", hub holds up to %" PRId64 "): refused, nothing changed",
                        ch->seq, ch->id, seq, c->acked);
    int64_t iv[1] = {0};
    const char *pv[1] = {ch->id};
    int ret = kst_person_unindex(c->s, ch->id, err);     /* by name_key: before it is erased */
    if (ret == 0)
        ret = rrun(c, R_PERSON_ERASE, pv, iv, 1, err);
    if (ret == 0)
        c->applied++;
    return ret;
}

/* Event: a new hub event, or the hub event updated; own events untouched. */
static int apply_event(rctx *c, const kroster_change *ch, kerr *err)
{
    sqlite3_stmt *g = c->st[R_EVENT_GET];
    kst_bind_text(g, 1, ch->id);
    int r = kst_stmt_row(c->s, g, "apply the hub's roster", err);
    if (r < 0)
        return -r;
    int own = 0;
    if (r) {
        own = strcmp(kst_col_text(g, 0), KSTORE_HUB_DEVICE) != 0;
        kst_stmt_done(g);
    }
    if (own)
        return 0;
    int64_t iv[7] = {0, ch->seq, 0, 0, 0, 0, 0};
    const char *fv[2] = {NULL, ch->id};
    int ret = rrun(c, R_SEQ_FREE_E, fv, iv + 1, 2, err);
    const char *tv[7] = {ch->id, NULL, ch->name, ch->program, ch->date, ch->survey, ch->link};
    if (ret == 0)
        ret = rrun(c, r ? R_EVENT_UPDATE : R_EVENT_INSERT, tv, iv, 7, err);
    if (ret == 0)
        c->applied++;
    return ret;
}

/* Survey: the checked text, by key. */
static int apply_survey(rctx *c, const kroster_change *ch, kerr *err)
{
    int64_t iv[4] = {0, ch->version, 0, ch->seq};
    const char *tv[4] = {ch->id, NULL, ch->text, NULL};
    int ret = rrun(c, R_SURVEY_PUT, tv, iv, 4, err);
    if (ret == 0)
        c->applied++;
    return ret;
}

int kstore_roster_state(kstore *s, char roster_id[65], int64_t *cursor, kerr *err)
{
    char buf[32];
    *cursor = 0;
    int ret = kst_meta_get(s, "roster.id", roster_id, 65, "read roster state", err);
    if (ret == KERR_NOTFOUND)
        roster_id[0] = '\0';
    else if (ret)
        return ret;
    ret = kst_meta_get(s, "roster.cursor", buf, sizeof buf, "read roster state", err);
    if (ret == KERR_NOTFOUND)
        return 0;
    if (ret == 0)
        *cursor = strtoll(buf, NULL, 10);
    return ret;
}

int kstore_roster_apply(kstore *s, const char *roster_id, int64_t cursor, const kroster_change *ch,
                        int n, int64_t acked_seq, int *applied, kerr *err)
{
    rctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.acked = acked_seq;
    if (applied)
        *applied = 0;
    int ret = 0;
    for (int i = 0; i < R_COUNT && ret == 0; i++) {
        int rc = sqlite3_prepare_v2(s->db, r_sql[i], -1, &c.st[i], NULL);
        if (rc != SQLITE_OK)
            ret = kst_db_error(s, rc, "prepare the roster's statements", err);
    }
    if (ret == 0)
        ret = kst_tx_begin(s, "apply the hub's roster", err);
    if (ret == 0) {
        for (int i = 0; i < n && ret == 0; i++) {
            switch (ch[i].kind) {
            case KROSTER_PERSON: ret = apply_person(&c, &ch[i], err); break;
            case KROSTER_ALIAS: ret = apply_alias(&c, &ch[i], err); break;
            case KROSTER_FORGET: ret = apply_forget(&c, &ch[i], err); break;
            case KROSTER_EVENT: ret = apply_event(&c, &ch[i], err); break;
            case KROSTER_SURVEY: ret = apply_survey(&c, &ch[i], err); break;
            default:
                ret = kerr_set(err, KERR_INVALID, "roster change %" PRId64 ": unknown kind",
                               ch[i].seq);
            }
        }
        if (ret == 0)
            ret = recount(&c, err);
        char num[32];
        snprintf(num, sizeof num, "%" PRId64, cursor);
        if (ret == 0)
            ret = kst_meta_set(s, "roster.id", roster_id, "save roster cursor", err);
        if (ret == 0)
            ret = kst_meta_set(s, "roster.cursor", num, "save roster cursor", err);
        if (ret == 0)
            ret = kst_tx_commit(s, "commit the hub's roster", err);
        if (ret)
            kst_tx_abort(s, err);
    }
    for (int i = 0; i < R_COUNT; i++)
        sqlite3_finalize(c.st[i]);
    free(c.recount);
    if (ret == 0 && applied)
        *applied = c.applied;
    return ret;
}

int kstore_roster_resolve(kstore *s, const char *person_id, char out[KIOSK_ID_HEX + 1], kerr *err)
{
    kst_copy_utf8(out, KIOSK_ID_HEX + 1, person_id);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT a.keep_id FROM roster_aliases a"
                                " JOIN people p ON p.id = a.keep_id WHERE a.id = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, "read the hub's aliases", err);
    kst_bind_text(st, 1, person_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        kst_copy_utf8(out, KIOSK_ID_HEX + 1, kst_col_text(st, 0));
    int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : kst_db_error(s, rc, "read the hub's aliases", err);
    sqlite3_finalize(st);
    return ret;
}

int kstore_roster_counts(kstore *s, kroster_counts *out, kerr *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT count(*) FROM people WHERE device_id = '"
                                KSTORE_HUB_DEVICE "' AND name_key <> ''),"
                                " (SELECT count(*) FROM events WHERE device_id = '" KSTORE_HUB_DEVICE "'),"
                                " (SELECT count(*) FROM roster_surveys),"
                                " (SELECT count(*) FROM roster_aliases),"
                                " (SELECT count(*) FROM people WHERE name_key = '' AND given = ''"
                                "  AND family = '')", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, "count the hub's roster", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->people = sqlite3_column_int64(st, 0);
        out->events = sqlite3_column_int64(st, 1);
        out->surveys = sqlite3_column_int64(st, 2);
        out->aliases = sqlite3_column_int64(st, 3);
        out->forgotten = sqlite3_column_int64(st, 4);
    }
    int ret = rc == SQLITE_ROW ? 0 : kst_db_error(s, rc, "count the hub's roster", err);
    sqlite3_finalize(st);
    return ret;
}

int kstore_roster_survey_keys(kstore *s, char (*keys)[KIOSK_SURVEY_KEY_MAX + 1], int cap, int *n,
                              kerr *err)
{
    *n = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT key FROM roster_surveys ORDER BY key", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, "read the hub's surveys", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
        const char *k = kst_col_text(st, 0);
        if (strlen(k) <= KIOSK_SURVEY_KEY_MAX)   /* longer: not a key (the download checks them) */
            kst_copy_utf8(keys[(*n)++], KIOSK_SURVEY_KEY_MAX + 1, k);
    }
    int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : kst_db_error(s, rc, "read the hub's surveys", err);
    sqlite3_finalize(st);
    return ret;
}

int kstore_roster_survey(kstore *s, const char *key, char **text, int *version, kerr *err)
{
    if (text)
        *text = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT body, version FROM roster_surveys WHERE key = ?1", -1,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, "read the hub's survey", err);
    kst_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        if (version)
            *version = sqlite3_column_int(st, 1);
        if (text && !(*text = strdup(kst_col_text(st, 0))))
            ret = kerr_set(err, KERR_INTERNAL, "out of memory");
    } else if (rc == SQLITE_DONE) {
        ret = kerr_set(err, KERR_NOTFOUND, "the hub sent no survey %.40s", key);
    } else {
        ret = kst_db_error(s, rc, "read the hub's survey", err);
    }
    sqlite3_finalize(st);
    return ret;
}

int kst_roster_checked_in(kstore *s, const char *person_id, const char *event_id, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM roster_aliases a JOIN checkins c"
                                " ON c.person_id = a.id AND c.event_id = ?2 WHERE a.keep_id = ?1"
                                " LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return -kst_db_error(s, rc, "find check-in", err);
    kst_bind_text(st, 1, person_id);
    kst_bind_text(st, 2, event_id);
    rc = sqlite3_step(st);
    int ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -kst_db_error(s, rc, "find check-in", err);
    sqlite3_finalize(st);
    return ret;
}

/* One integer PRAGMA; -1 if it cannot be read. */
static int64_t pragma_int(kstore *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int kstore_roster_room(kstore *s, int64_t *bytes, kerr *err)
{
    char dir[STORE_PATH_MAX];
    kst_copy_utf8(dir, sizeof dir, s->path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    struct statvfs vf;
    if (statvfs(dir, &vf) != 0)
        return kerr_set(err, KERR_IO, "statvfs %s: cannot tell the free space", dir);
    int64_t page = pragma_int(s, "PRAGMA page_size"), count = pragma_int(s, "PRAGMA page_count");
    int64_t freel = pragma_int(s, "PRAGMA freelist_count"), max = pragma_int(s, "PRAGMA max_page_count");
    if (page <= 0 || count < 0 || freel < 0 || max <= 0)
        return kerr_set(err, KERR_IO, "%s: cannot read its page counts", s->path);
    int64_t room = (int64_t)vf.f_bavail * (int64_t)vf.f_frsize + freel * page;
    int64_t capped = (max - count + freel) * page;   /* PRAGMA max_page_count (--limit-pages) */
    *bytes = capped < room ? capped : room;
    return 0;
}
