/*
 * store_people.c - people and check-ins: sign-up (person, search index row
 * and check-in in one transaction), check-in, a person's fields, and the
 * name search.
 *
 * Search: people_fts is an FTS5 table over the folded names (fold.h):
 * given_key and family_key, and for names with Han, Kana or Hangul also
 * cjk_key = fold(family given family), so that "陈美玲" and "김민준", typed
 * family name first as people write them, and "美玲陈" all match as one
 * phrase.  people.name_key = fold(given + " " + family) is the sort key.
 *
 * Search must answer every keystroke within a frame with 100,000 people,
 * and the first keystrokes ("ng", "ma") match thousands of them.  Sorting
 * all matches costs a row lookup each (about 1.5 us: 5-10 ms), so the order
 * is built into the index instead: the FTS rowid of a person is their
 * name_key's first 8 bytes packed into 6 bits each (space < digits <
 * letters < other scripts, order-preserving), shifted left 15 bits, plus a
 * counter for people who share those 8 bytes.  FTS5 returns matches
 * in rowid order without sorting, so "ORDER BY rowid LIMIT 6" stops after
 * six rows: given-name matches first (query 1: the first word in
 * given_key), then family-only matches (query 2: all words, NOT the first in
 * given_key); each is in name order up to the 8th character, and the few
 * rows kept are sorted by their whole name_key.  More than 32,768 people
 * sharing 8 bytes would spill past the end (still found, only out of
 * order).
 *
 * The tokenizer is "unicode61 remove_diacritics 2" with categories
 * 'L* N* Co M*': with the default categories the combining vowel signs of
 * Khmer, Lao, Thai and Devanagari are separators and "ចាន់" would be
 * indexed as "ច" "ន".  The prefix indexes '1 2 3' make the broadest
 * queries, the first keystrokes ("ng") and a first letter after a whole
 * word ("patel p"), one doclist read each instead of a merge of every
 * word with that prefix (1-7 ms at 100,000 people; 0.1-0.4 ms with them,
 * for 2 % more file).  columnsize=0 (no per-row token counts: we rank by
 * rowid, not bm25) and 1000-byte leaves ('pgsz') bring a sign-up from 19
 * to 15 pages written to the WAL; a bare one-row insert writes 1-2.
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

/* ---- people and check-ins ------------------------------------------------------ */

/* Checks that a caller's fixed-size field is NUL-terminated. */
static int field_ok(const char *f, size_t cap, const char *what, kerr *err)
{
    if (!memchr(f, '\0', cap))
        return kerr_set(err, KERR_INVALID, "person %s is not terminated", what);
    return 0;
}

/* Inserts a check-in record (inside the caller's transaction). */
static int insert_checkin(kstore *s, const char *person_id, const char *event_id,
                          int is_new, const stamp *sp, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int ret = kst_new_id(id, err);
    if (ret)
        return ret;
    sqlite3_stmt *st = s->st[ST_CHECKIN_INSERT];
    kst_bind_stamp(s, st, id, sp);
    kst_bind_text(st, 7, person_id);
    kst_bind_text(st, 8, event_id);
    sqlite3_bind_int(st, 9, is_new);
    return kst_stmt_run(s, st, "insert check-in", err);
}

/* Requires the event to exist (inside the caller's transaction). */
int kst_need_event(kstore *s, const char *event_id, kerr *err)
{
    int found = 0;
    int ret = kst_row_exists(s, ST_EVENT_EXISTS, event_id, &found, "find event", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no event with id %.40s in %s",
                       event_id, s->path);
    return ret;
}

/* The sort part of a person's FTS rowid: the first STORE_SORT_CHARS bytes
 * of name_key, 6 bits each, order-preserving (end < space < digits <
 * letters < other ASCII < bytes of other scripts). */
static int64_t sort_base(const char *key)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t v = 0;
    for (int i = 0; i < STORE_SORT_CHARS; i++) {
        unsigned c = *p ? *p++ : 0, code;
        if (c == 0)
            code = 0;
        else if (c == ' ')
            code = 1;
        else if (c >= '0' && c <= '9')
            code = 2 + (c - '0');
        else if (c >= 'a' && c <= 'z')
            code = 12 + (c - 'a');
        else if (c < 0x80)
            code = 38;
        else
            code = 39 + (c - 0x80) * 24 / 128;  /* 39..62 */
        v = (v << 6) | code;
    }
    return (int64_t)(v << STORE_SORT_SHIFT);
}

/* Picks a free FTS rowid for name_key (inside the write transaction): the
 * next one among people with the same first characters, or past the end
 * if they are all taken. */
static int fts_rowid(kstore *s, const char *key, int64_t *rowid, kerr *err)
{
    int64_t lo = sort_base(key), hi = lo | ((1 << STORE_SORT_SHIFT) - 1);
    sqlite3_stmt *st = s->st[ST_FTS_SLOT];
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    int r = kst_stmt_row(s, st, "find index slot", err);
    if (r < 0)
        return -r;
    int64_t last = r ? sqlite3_column_int64(st, 0) : lo - 1;
    if (r)
        kst_stmt_done(st);
    if (last < hi) {
        *rowid = last + 1;
        return 0;
    }
    st = s->st[ST_FTS_LAST];                /* slot full: after everyone */
    r = kst_stmt_row(s, st, "find index slot", err);
    if (r < 0)
        return -r;
    *rowid = (r ? sqlite3_column_int64(st, 0) : 0) + 1;
    if (r)
        kst_stmt_done(st);
    return 0;
}

/* Adds a person and checks them in at event_id, in one transaction. */
int kstore_signup(kstore *s, kperson *p, const char *event_id, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    char name[3 * KIOSK_NAME_BYTES + 3];
    char key[STORE_KEY_BYTES], gkey[STORE_KEY_BYTES], fkey[STORE_KEY_BYTES];
    char cjk[2 * STORE_KEY_BYTES];
    int64_t seq = 0, rowid = 0;
    stamp sp;
    int ret = 0;
    if (!p || !event_id)
        return kerr_set(err, KERR_INVALID, "kstore_signup: person and event "
                        "are required");
    p->id[0] = '\0';
    if ((ret = field_ok(p->given, sizeof p->given, "given name", err)) ||
        (ret = field_ok(p->family, sizeof p->family, "family name", err)) ||
        (ret = field_ok(p->phone, sizeof p->phone, "phone", err)) ||
        (ret = field_ok(p->email, sizeof p->email, "email", err)) ||
        (ret = field_ok(p->zip, sizeof p->zip, "ZIP", err)) ||
        (ret = kst_new_id(id, err)))
        return ret;
    snprintf(name, sizeof name, "%s %s", p->given, p->family);
    kfold(name, key, sizeof key);
    kfold(p->given, gkey, sizeof gkey);
    kfold(p->family, fkey, sizeof fkey);
    cjk[0] = '\0';
    if (kfold_has_cjk(name)) {
        snprintf(name, sizeof name, "%s %s %s", p->family, p->given, p->family);
        kfold(name, cjk, sizeof cjk);
    }

    ret = kst_tx_begin(s, "sign up", err);
    if (ret)
        return ret;
    ret = kst_need_event(s, event_id, err);
    if (ret == 0)
        ret = kst_seq_take(s, 2, &seq, "sign up", err);
    if (ret == 0)
        ret = fts_rowid(s, key, &rowid, err);
    if (ret)
        goto done;
    kst_stamp_now(s, seq, &sp);
    sqlite3_stmt *st = s->st[ST_PERSON_INSERT];
    kst_bind_stamp(s, st, id, &sp);
    kst_bind_text(st, 7, p->given);
    kst_bind_text(st, 8, p->family);
    kst_bind_text(st, 9, p->phone);
    kst_bind_text(st, 10, p->email);
    kst_bind_text(st, 11, p->zip);
    kst_bind_text(st, 12, key);
    ret = kst_stmt_run(s, st, "insert person", err);
    if (ret)
        goto done;
    st = s->st[ST_FTS_INSERT];
    sqlite3_bind_int64(st, 1, rowid);
    kst_bind_text(st, 2, gkey);
    kst_bind_text(st, 3, fkey);
    kst_bind_text(st, 4, cjk);
    kst_bind_text(st, 5, id);
    ret = kst_stmt_run(s, st, "index person name", err);
    if (ret)
        goto done;
    sp.seq = seq + 1;
    ret = insert_checkin(s, id, event_id, 1, &sp, err);
    if (ret == 0)
        ret = kst_tx_commit(s, "commit sign-up", err);
done:
    if (ret)
        kst_tx_abort(s, err);
    else
        memcpy(p->id, id, sizeof id);
    return ret;
}

/* Checks a known person in; KERR_DUP if already checked in there. */
int kstore_checkin(kstore *s, const char *person_id, const char *event_id, kerr *err)
{
    int64_t seq = 0;
    int found = 0;
    stamp sp;
    if (!person_id || !event_id)
        return kerr_set(err, KERR_INVALID, "kstore_checkin: person and event "
                        "are required");
    int ret = kst_tx_begin(s, "check in", err);
    if (ret)
        return ret;
    ret = kst_row_exists(s, ST_PERSON_EXISTS, person_id, &found, "find person", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                       person_id, s->path);
    if (ret == 0)
        ret = kst_need_event(s, event_id, err);
    if (ret)
        goto done;
    sqlite3_stmt *st = s->st[ST_CHECKIN_FIND];
    kst_bind_text(st, 1, person_id);
    kst_bind_text(st, 2, event_id);
    int r = kst_stmt_row(s, st, "find check-in", err);
    if (r < 0) {
        ret = -r;
        goto done;
    }
    if (r > 0) {
        kst_stmt_done(st);
        ret = kerr_set(err, KERR_DUP, "person %s is already checked in at "
                       "event %s", person_id, event_id);
        goto done;
    }
    ret = kst_seq_take(s, 1, &seq, "check in", err);
    if (ret)
        goto done;
    kst_stamp_now(s, seq, &sp);
    ret = insert_checkin(s, person_id, event_id, 0, &sp, err);
    if (ret == 0)
        ret = kst_tx_commit(s, "commit check-in", err);
done:
    if (ret)
        kst_tx_abort(s, err);
    return ret;
}

/* Reads a person's record. */
int kstore_person_get(kstore *s, const char *person_id, kperson *out, kerr *err)
{
    if (!person_id || !out)
        return kerr_set(err, KERR_INVALID, "kstore_person_get: id and output "
                        "are required");
    sqlite3_stmt *st = s->st[ST_PERSON_GET];
    kst_bind_text(st, 1, person_id);
    int r = kst_stmt_row(s, st, "read person", err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                        person_id, s->path);
    memset(out, 0, sizeof *out);
    kst_copy_utf8(out->id, sizeof out->id, person_id);
    kst_copy_utf8(out->given, sizeof out->given, kst_col_text(st, 0));
    kst_copy_utf8(out->family, sizeof out->family, kst_col_text(st, 1));
    kst_copy_utf8(out->phone, sizeof out->phone, kst_col_text(st, 2));
    kst_copy_utf8(out->email, sizeof out->email, kst_col_text(st, 3));
    kst_copy_utf8(out->zip, sizeof out->zip, kst_col_text(st, 4));
    kst_stmt_done(st);
    return 0;
}

/* ---- search ---------------------------------------------------------------------- */

/* Appends text to the expression buffer; -1 if it does not fit. */
static int expr_add(char *buf, size_t cap, size_t *len, const char *t, size_t n)
{
    if (*len + n + 1 > cap)
        return -1;
    memcpy(buf + *len, t, n);
    *len += n;
    buf[*len] = '\0';
    return 0;
}

/* Appends one word inside a quoted FTS5 string, doubling any '"'. */
static int expr_quoted(char *buf, size_t cap, size_t *len, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (expr_add(buf, cap, len, w + i, 1) ||
            (w[i] == '"' && expr_add(buf, cap, len, "\"", 1)))
            return -1;
    return 0;
}

/* Appends the FTS5 term for the query word(s) at *p to buf and moves *p
 * past them: a quoted prefix term ("nguyen"*) for a word, one quoted
 * phrase ("陈 美") for a run of CJK characters.  -1 if buf is full. */
static int expr_term(const char **p, char *buf, size_t cap, size_t *len)
{
    int in_phrase = 0;
    if (expr_add(buf, cap, len, "\"", 1))
        return -1;
    while (**p) {
        size_t n = strcspn(*p, " ");
        char word[KIOSK_QUERY_BYTES];
        snprintf(word, sizeof word, "%.*s", (int)n, *p);
        int cjk = kfold_has_cjk(word);
        if (in_phrase && !cjk)
            break;                          /* the phrase ends here */
        if ((in_phrase && expr_add(buf, cap, len, " ", 1)) ||
            expr_quoted(buf, cap, len, word, n))
            return -1;
        *p += n;
        while (**p == ' ')
            (*p)++;
        if (!cjk)
            return expr_add(buf, cap, len, "\"*", 2);
        in_phrase = 1;
    }
    return expr_add(buf, cap, len, "\"", 1);
}

/* Builds the two MATCH expressions of a folded query: given (the first
 * term in given_key, the others anywhere) and family (all terms anywhere,
 * NOT the first in given_key).  Every word is quoted, so user text never
 * reaches FTS5 syntax.  -1 if they do not fit. */
static int build_match(const char *folded, char *given, char *family, size_t cap)
{
    char first[KIOSK_QUERY_BYTES * 4], rest[KIOSK_QUERY_BYTES * 6];
    size_t lf = 0, lr = 0;
    const char *p = folded;
    first[0] = rest[0] = '\0';
    if (expr_term(&p, first, sizeof first, &lf))
        return -1;
    while (*p)
        if (expr_add(rest, sizeof rest, &lr, " AND ", 5) ||
            expr_term(&p, rest, sizeof rest, &lr))
            return -1;
    int a = snprintf(given, cap, "{given_key} : %s%s", first, rest);
    int b = snprintf(family, cap, "(%s%s) NOT ({given_key} : %s)", first, rest,
                     first);
    return a < 0 || b < 0 || (size_t)a >= cap || (size_t)b >= cap ? -1 : 0;
}

/* Runs one MATCH expression, appending up to max - *got rows to out. */
static int search_pass(kstore *s, const char *expr, kmatch *out, int max, int *got,
                       kerr *err)
{
    sqlite3_stmt *st = s->st[ST_SEARCH];
    int rc = SQLITE_DONE, ret = 0;
    kst_bind_text(st, 1, expr);
    sqlite3_bind_int(st, 2, max - *got);
    while (*got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        kmatch *m = &out[(*got)++];
        memset(m, 0, sizeof *m);            /* no stale bytes leave with it */
        kst_copy_utf8(m->person_id, sizeof m->person_id, kst_col_text(st, 0));
        kst_copy_utf8(m->first, sizeof m->first, kst_col_text(st, 1));
        kfold_initial(kst_col_text(st, 2), m->initial, sizeof m->initial);
        kst_copy_utf8(m->hint, sizeof m->hint, kst_col_text(st, 3));
    }
    if (*got < max && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "search people", err);
    kst_stmt_done(st);
    return ret;
}

/* Finds people by name (see store.h): given-name matches, then the rest. */
int kstore_search(kstore *s, const char *query, kmatch *out, int max, int *n,
                  kerr *err)
{
    char folded[KIOSK_QUERY_BYTES];
    char given[KIOSK_QUERY_BYTES * 12], family[KIOSK_QUERY_BYTES * 12];
    int ret = 0, got = 0;
    if (n)
        *n = 0;
    if (!n || (max > 0 && !out))
        return kerr_set(err, KERR_INVALID, "kstore_search: no output");
    kfold(query, folded, sizeof folded);
    if (max <= 0 || kfold_len(folded) < KIOSK_SEARCH_MIN_CHARS)
        return 0;
    if (build_match(folded, given, family, sizeof given) != 0)
        return kerr_set(err, KERR_INTERNAL, "search: query expression too long");
    ret = search_pass(s, given, out, max, &got, err);
    if (ret == 0 && got < max)
        ret = search_pass(s, family, out, max, &got, err);
    *n = ret ? 0 : got;
    return ret;
}
