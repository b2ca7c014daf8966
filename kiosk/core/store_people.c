/*
 * store_people.c - people and check-ins: sign-up (person, search index row
 * and check-in in one transaction), check-in, a person's fields, and the
 * name search.
 *
 * Search: people_fts is an FTS5 table over the folded names (fold.h):
 * given_key and family_key, and for names with Han, Kana or Hangul also
 * cjk_key = fold(family given family), so that "陈美玲" and "김민준", typed
 * family name first as people write them, and "美玲陈" all match.
 * people.name_key = fold(given + " " + family) is the sort key.
 *
 * Separators do not matter, either way (schema 4): each column holds, for
 * every word of the name part, that word and the words after it run
 * together (kfold_suffixes: "De la Cruz" -> delacruz lacruz cruz), and a
 * query is matched run together as a prefix ("dela cruz" -> "delacruz"*),
 * so "delacruz", "dela cruz", "de la cruz" and "cruz" all find "De la
 * Cruz" and "Dela Cruz"; a query of several words also matches word by
 * word anywhere ("mary smith").  Names with ä ö ü ø å are indexed under
 * both spellings (kfold_alt: "Müller" -> muller and mueller), and a query
 * with those letters asks for both.  A one-word name indexes exactly the
 * tokens it did before; the longer ones add a token per extra word.
 * Migration 4 (kst_rebuild_name_index) writes every row anew.
 *
 * Duplicates at sign-up (kstore_possible_match) ask the same index for the
 * whole name parts as exact tokens (no prefix) and compare phone digits,
 * e-mail and ZIP of at most STORE_DUP_CANDIDATES people in C.
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
 * Given names have terms of their own (schema 6): every given_key token
 * starts with GIVEN_MARK (U+E000), so "the first word in the given name"
 * is a prefix term of its own ("\uE000le"*) instead of a column filter,
 * which FTS5 applies by reading every match in every column: at 1,000,000
 * people, "le" read all the Lê family names to find six given names (0.6
 * ms), "nguyen" all the Nguyễns to find none.  A word anywhere is
 * ("w"* OR "\uE000w"*).  The prefix indexes go to 7 characters (the mark
 * and 6 letters): FTS5 merges the doclists of every term of a longer
 * prefix in full before it returns the first row ("nguyen"* at 1,000,000
 * people: 1-2 ms), while an indexed prefix is one doclist read only as far
 * as the LIMIT asks.  At 1,000,000 people the p99 per keystroke fell from
 * 5-8 ms to about 1 ms of CPU (tests/bench/bench_names), for a larger file
 * (see bench_names' size figures).
 *
 * The tokenizer is "unicode61 remove_diacritics 2" with categories
 * 'L* N* Co M*': with the default categories the combining vowel signs of
 * Khmer, Lao, Thai and Devanagari are separators and "ចាន់" would be
 * indexed as "ច" "ន" (and Co keeps GIVEN_MARK in its token).  The prefix
 * indexes (schema 4: '1 2 3') make the broadest
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

/* The first character of every given-name token (U+E000, private use: no
 * name folds to it, and the tokenizer keeps it inside the token). */
#define GIVEN_MARK "\xee\x80\x80"

/* Schema 6: people_fts made anew with prefix indexes up to 7 characters;
 * its rows are written by kst_rebuild_name_index (marked given names). */
const char kst_schema_v6[] =
    "DROP TABLE people_fts;\n"
    "CREATE VIRTUAL TABLE people_fts USING fts5(\n"
    "  given_key, family_key, cjk_key, person_id UNINDEXED,\n"
    "  tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\",\n"
    "  prefix = '1 2 3 4 5 6 7', columnsize = 0);\n"
    "INSERT INTO people_fts(people_fts, rank) VALUES ('pgsz', 1000);\n";

/* ---- people and check-ins ------------------------------------------------------ */

/* Checks that a caller's fixed-size field is NUL-terminated. */
static int field_ok(const char *f, size_t cap, const char *what, kerr *err)
{
    if (!memchr(f, '\0', cap))
        return kerr_set(err, KERR_INVALID, "person %s is not terminated", what);
    return 0;
}

/* Makes the id of a new person or check-in: 128 bits as 32 lower-case hex
 * digits like every record id (sync/PROTOCOL.md), time-ordered: the first
 * 48 bits are the wall clock in ms, the other 80 random.  New rows then go
 * to the right end of the id B-trees (people, checkins and its (person,
 * event) key) instead of a random page each, so a sign-up writes the same
 * few pages however many people are stored, here and at the hub.  Ids made
 * within one ms are told apart by 80 random bits; a clock set wrong only
 * makes the order less local, never an id less unique.  Older random ids
 * stay valid: nothing reads meaning from an id. */
static int new_record_id(kstore *s, char id[KIOSK_ID_HEX + 1], kerr *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[10];
    if (krandom_bytes(r, sizeof r) != 0)
        return kerr_set(err, KERR_INTERNAL,
                        "krandom_bytes: cannot read random bytes: %s", strerror(errno));
    int64_t ms = s->clock->wall_ms(s->clock->ctx);
    uint64_t t = ms < 0 ? 0 : (uint64_t)ms & 0xFFFFFFFFFFFFull;
    for (int i = 0; i < 12; i++)
        id[i] = hex[(t >> (4 * (11 - i))) & 15];
    for (int i = 0; i < 10; i++) {
        id[12 + 2 * i] = hex[r[i] >> 4];
        id[13 + 2 * i] = hex[r[i] & 15];
    }
    id[KIOSK_ID_HEX] = '\0';
    return 0;
}

/* Inserts a check-in record (inside the caller's transaction). */
static int insert_checkin(kstore *s, const char *person_id, const char *event_id,
                          int is_new, const stamp *sp, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int ret = new_record_id(s, id, err);
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

/* The index tokens of one name part (a given or family name): the suffix
 * tokens of its fold (fold.h: "de la cruz" -> "delacruz lacruz cruz"), and
 * of its second spelling where it has one ("müller" -> also "mueller"). */
static void name_tokens(const char *part, char *out, size_t cap)
{
    char folded[STORE_KEY_BYTES], alt[STORE_KEY_BYTES];
    kfold(part, folded, sizeof folded);
    size_t len = kfold_suffixes(folded, out, cap);
    kfold_alt(part, alt, sizeof alt);
    if (strcmp(alt, folded) != 0 && len + 2 < cap) {
        out[len++] = ' ';
        kfold_suffixes(alt, out + len, cap - len);
    }
}

/* Writes tokens (separated by spaces) with GIVEN_MARK in front of each:
 * the given name's own terms (see "Search" at the top).  A token that
 * would not fit whole is left out. */
static void mark_tokens(const char *tokens, char *out, size_t cap)
{
    size_t len = 0, ml = strlen(GIVEN_MARK);
    out[0] = '\0';
    for (const char *p = tokens; *p;) {
        size_t n = strcspn(p, " ");
        if (n && len + (len > 0) + ml + n + 1 <= cap) {
            if (len)
                out[len++] = ' ';
            memcpy(out + len, GIVEN_MARK, ml);
            memcpy(out + len + ml, p, n);
            len += ml + n;
            out[len] = '\0';
        }
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* Everything a person's row in people_fts holds, and their sort key
 * (people.name_key): each buffer STORE_TOKENS_BYTES (key: STORE_KEY_BYTES). */
static void name_index_keys(const char *given, const char *family, char *key, char *gkey,
                            char *fkey, char *cjk)
{
    char name[3 * KIOSK_NAME_BYTES + 3];
    snprintf(name, sizeof name, "%s %s", given, family);
    kfold(name, key, STORE_KEY_BYTES);
    char plain[STORE_TOKENS_BYTES];
    name_tokens(given, plain, sizeof plain);
    mark_tokens(plain, gkey, STORE_TOKENS_BYTES);
    name_tokens(family, fkey, STORE_TOKENS_BYTES);
    cjk[0] = '\0';
    if (kfold_has_cjk(name)) {
        /* written family name first, as people write it: "陈美玲" and
         * "美玲陈" both match one token */
        snprintf(name, sizeof name, "%s %s %s", family, given, family);
        name_tokens(name, cjk, STORE_TOKENS_BYTES);
    }
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
    char key[STORE_KEY_BYTES], gkey[STORE_TOKENS_BYTES], fkey[STORE_TOKENS_BYTES];
    char cjk[STORE_TOKENS_BYTES];
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
        (ret = new_record_id(s, id, err)))
        return ret;
    name_index_keys(p->given, p->family, key, gkey, fkey, cjk);

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
    char kept[KIOSK_ID_HEX + 1];
    if (!person_id || !event_id)
        return kerr_set(err, KERR_INVALID, "kstore_checkin: person and event "
                        "are required");
    /* an id the hub merged into another checks in as that one (issue 12) */
    int ret = kstore_roster_resolve(s, person_id, kept, err);
    if (ret)
        return ret;
    person_id = kept;
    ret = kst_tx_begin(s, "check in", err);
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
    if (r == 0)                             /* or under an id merged into this one */
        r = kst_roster_checked_in(s, person_id, event_id, err);
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

/* Appends "<mark>word" or "<mark>word"* (mark "" or GIVEN_MARK). */
static int expr_mword(char *buf, size_t cap, size_t *len, const char *mark, const char *w,
                      size_t n, int prefix)
{
    return expr_add(buf, cap, len, "\"", 1) || expr_add(buf, cap, len, mark, strlen(mark)) ||
                   expr_quoted(buf, cap, len, w, n) ||
                   expr_add(buf, cap, len, prefix ? "\"*" : "\"", prefix ? 2 : 1)
               ? -1
               : 0;
}

/* Appends a word as a prefix: in the given name only, "<mark>w"*; in any
 * column, ("w"* OR "<mark>w"*). */
static int expr_term(char *buf, size_t cap, size_t *len, const char *w, size_t n,
                     int given_only)
{
    if (given_only)
        return expr_mword(buf, cap, len, GIVEN_MARK, w, n, 1);
    return expr_add(buf, cap, len, "(", 1) || expr_mword(buf, cap, len, "", w, n, 1) ||
                   expr_add(buf, cap, len, " OR ", 4) ||
                   expr_mword(buf, cap, len, GIVEN_MARK, w, n, 1) ||
                   expr_add(buf, cap, len, ")", 1)
               ? -1
               : 0;
}

/* Appends the run-together query (and its second spelling) as prefix
 * terms, given name only or any column. */
static int expr_joined(char *buf, size_t cap, size_t *len, const char *joined,
                       const char *ajoined, int given_only)
{
    if (!ajoined)
        return expr_term(buf, cap, len, joined, strlen(joined), given_only);
    return expr_add(buf, cap, len, "(", 1) ||
                   expr_term(buf, cap, len, joined, strlen(joined), given_only) ||
                   expr_add(buf, cap, len, " OR ", 4) ||
                   expr_term(buf, cap, len, ajoined, strlen(ajoined), given_only) ||
                   expr_add(buf, cap, len, ")", 1)
               ? -1
               : 0;
}

/* Builds the MATCH expressions of a folded query (store.h): the query run
 * together ("dela cruz" -> "delacruz"*) matches a suffix token of a name,
 * so separators do not matter either way; and, for queries of several
 * words, every word as a prefix anywhere ("mary smith").
 *   given: the run-together query, or the first word, in given_key;
 *   all:   the same anywhere (given-name matches come first, then the
 *          rest: all NOT given).
 * Every word is quoted, so user text never reaches FTS5 syntax.  -1 if
 * they do not fit. */
static int build_match(const char *folded, const char *alt, char *given, char *all,
                       char *family, size_t cap)
{
    char joined[KIOSK_QUERY_BYTES], ajoined[KIOSK_QUERY_BYTES];
    char words[KIOSK_QUERY_BYTES * 24], rest[KIOSK_QUERY_BYTES * 24];
    char jany[KIOSK_QUERY_BYTES * 8], jgiven[KIOSK_QUERY_BYTES * 4];
    char first[KIOSK_QUERY_BYTES * 2];
    size_t lw = 0, lr = 0, la = 0, lg = 0, lf = 0;
    int nwords = 0;
    words[0] = rest[0] = jany[0] = jgiven[0] = first[0] = '\0';
    kfold_join(folded, joined, sizeof joined);
    /* "müller" typed: "muller" and "mueller" both (names are indexed under
     * both spellings, so the other way round is already there) */
    const char *second = NULL;
    if (strcmp(alt, folded) != 0) {
        kfold_join(alt, ajoined, sizeof ajoined);
        second = ajoined;
    }
    if (expr_joined(jany, sizeof jany, &la, joined, second, 0) ||
        expr_joined(jgiven, sizeof jgiven, &lg, joined, second, 1))
        return -1;
    for (const char *p = folded; *p;) {
        /* a word, or a run of Han, Kana or Hangul characters (each a word
         * of its own after kfold) taken together: "陈玲" is not "陈" and
         * "玲" anywhere */
        char word[KIOSK_QUERY_BYTES], one[KIOSK_QUERY_BYTES];
        size_t n = strcspn(p, " "), wl = 0;
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        int cjk = kfold_has_cjk(one);
        do {
            memcpy(word + wl, p, n);
            wl += n;
            p += n;
            while (*p == ' ')
                p++;
            n = strcspn(p, " ");
            snprintf(one, sizeof one, "%.*s", (int)n, p);
        } while (cjk && *p && kfold_has_cjk(one) && wl + n < sizeof word);
        if ((nwords && expr_add(words, sizeof words, &lw, " AND ", 5)) ||
            expr_term(words, sizeof words, &lw, word, wl, 0) ||
            (!nwords && expr_term(first, sizeof first, &lf, word, wl, 1)) ||
            (nwords > 1 && expr_add(rest, sizeof rest, &lr, " AND ", 5)) ||
            (nwords && expr_term(rest, sizeof rest, &lr, word, wl, 0)))
            return -1;
        nwords++;
    }
    int a, b, c;
    if (nwords <= 1) {
        a = snprintf(given, cap, "%s", jgiven);
        b = snprintf(all, cap, "%s", jany);
    } else {
        /* the first word in the given name, the others anywhere */
        a = snprintf(given, cap, "%s OR (%s AND %s)", jgiven, first, rest);
        b = snprintf(all, cap, "%s OR (%s)", jany, words);
    }
    c = snprintf(family, cap, "(%s) NOT (%s)", all, given);
    return a < 0 || b < 0 || c < 0 || (size_t)a >= cap || (size_t)b >= cap ||
                   (size_t)c >= cap
               ? -1
               : 0;
}

/* Runs one MATCH expression, appending up to max - *got rows to out. */
static int search_pass(kstore *s, const char *expr, const char *event_id, kmatch *out,
                       int max, int *got, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_SEARCH];
    int rc = SQLITE_DONE, ret = 0;
    kst_bind_text(st, 1, expr);
    sqlite3_bind_int(st, 2, max - *got);
    kst_bind_text(st, 3, event_id ? event_id : "");
    while (*got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        kmatch *m = &out[(*got)++];
        memset(m, 0, sizeof *m);            /* no stale bytes leave with it */
        kst_copy_utf8(m->person_id, sizeof m->person_id, kst_col_text(st, 0));
        kst_copy_utf8(m->first, sizeof m->first, kst_col_text(st, 1));
        kfold_initial(kst_col_text(st, 2), m->initial, sizeof m->initial);
        kst_copy_utf8(m->hint, sizeof m->hint, kst_col_text(st, 3));
        m->checked_in = sqlite3_column_int(st, 4) != 0;
    }
    if (*got < max && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "search people", err);
    kst_stmt_done(st);
    return ret;
}

/* Finds people by name (see store.h): given-name matches, then the rest. */
int kstore_search_event(kstore *s, const char *query, const char *event_id, kmatch *out,
                        int max, int *n, int *total, kerr *err)
{
    char folded[KIOSK_QUERY_BYTES];
    char given[KIOSK_QUERY_BYTES * 48], all[KIOSK_QUERY_BYTES * 48];
    char family[KIOSK_QUERY_BYTES * 96];
    int ret = 0, got = 0;
    if (n)
        *n = 0;
    if (total)
        *total = 0;
    if (!n || (max > 0 && !out))
        return kerr_set(err, KERR_INVALID, "kstore_search: no output");
    char alt[KIOSK_QUERY_BYTES];
    kfold(query, folded, sizeof folded);
    kfold_alt(query, alt, sizeof alt);
    if (max <= 0 || kfold_len(folded) < KIOSK_SEARCH_MIN_CHARS)
        return 0;
    if (build_match(folded, alt, given, all, family, sizeof family) != 0)
        return kerr_set(err, KERR_INTERNAL, "search: query expression too long");
    ret = search_pass(s, given, event_id, out, max, &got, err);
    if (ret == 0 && got < max)
        ret = search_pass(s, family, event_id, out, max, &got, err);
    if (ret == 0 && total) {
        if (got < max) {
            *total = got;                   /* every match is shown */
        } else {
            sqlite3_stmt *st = s->st[ST_SEARCH_COUNT];
            kst_bind_text(st, 1, all);
            sqlite3_bind_int(st, 2, KIOSK_SEARCH_COUNT_MAX);
            int r = kst_stmt_row(s, st, "count matches", err);
            if (r < 0)
                ret = -r;
            else if (r > 0) {
                *total = sqlite3_column_int(st, 0);
                kst_stmt_done(st);
            }
            if (ret == 0 && *total < got)
                *total = got;
        }
    }
    *n = ret ? 0 : got;
    return ret;
}

int kstore_search(kstore *s, const char *query, kmatch *out, int max, int *n, kerr *err)
{
    return kstore_search_event(s, query, NULL, out, max, n, NULL, err);
}

/* ---- possible duplicates at sign-up ------------------------------------------------ */

/* The digits of a phone number ("+1 (503) 555-0100" -> "15035550100"). */
static void phone_digits(const char *phone, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = phone; *p && n + 1 < cap; p++)
        if (*p >= '0' && *p <= '9')
            out[n++] = *p;
    out[n] = '\0';
}

/* Phone numbers agree: 7 or more digits, the same, or one ending with the
 * other when both have 7+ (a country code typed once and not the next time). */
static int phones_agree(const char *a, const char *b)
{
    char da[32], db[32];
    phone_digits(a, da, sizeof da);
    phone_digits(b, db, sizeof db);
    size_t la = strlen(da), lb = strlen(db);
    if (la < 7 || lb < 7)
        return 0;
    if (la < lb)
        return strcmp(db + (lb - la), da) == 0 && lb - la <= 3;
    return strcmp(da + (la - lb), db) == 0 && la - lb <= 3;
}

/* E-mail addresses agree, ASCII case aside, when both are given. */
static int emails_agree(const char *a, const char *b)
{
    if (!a[0] || !b[0])
        return 0;
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ZIP codes agree, case, spaces and hyphens aside, when both are given. */
static int zips_agree(const char *a, const char *b)
{
    char ka[32], kb[32];
    kfold(a, ka, sizeof ka);
    kfold(b, kb, sizeof kb);
    kfold_join(ka, ka, sizeof ka);
    kfold_join(kb, kb, sizeof kb);
    return ka[0] && strcmp(ka, kb) == 0;
}

/* One name part folded and run together, in both spellings. */
static void part_keys(const char *part, char *key, char *alt, size_t cap)
{
    char t[STORE_KEY_BYTES];
    kfold(part, t, sizeof t);
    kfold_join(t, key, cap);
    kfold_alt(part, t, sizeof t);
    kfold_join(t, alt, cap);
}

/* True if two name parts are the same name once folded (either spelling). */
static int parts_agree(const char *a, const char *b)
{
    char ka[STORE_KEY_BYTES], aa[STORE_KEY_BYTES], kb[STORE_KEY_BYTES], ab[STORE_KEY_BYTES];
    part_keys(a, ka, aa, sizeof ka);
    part_keys(b, kb, ab, sizeof kb);
    return strcmp(ka, kb) == 0 || strcmp(aa, ab) == 0 || strcmp(ka, ab) == 0 ||
           strcmp(aa, kb) == 0;
}

/* Appends ("key" OR "alt") for an exact whole-name-part token. */
static int expr_part(char *buf, size_t cap, size_t *len, const char *col, const char *mark,
                     const char *key, const char *alt)
{
    if (expr_add(buf, cap, len, col, strlen(col)) || expr_add(buf, cap, len, " : (", 4) ||
        expr_mword(buf, cap, len, mark, key, strlen(key), 0))
        return -1;
    if (strcmp(alt, key) != 0 && (expr_add(buf, cap, len, " OR ", 4) ||
                                  expr_mword(buf, cap, len, mark, alt, strlen(alt), 0)))
        return -1;
    return expr_add(buf, cap, len, ")", 1);
}

/* Someone a new sign-up may repeat (see store.h). */
int kstore_possible_match(kstore *s, const kperson *p, kmatch *out, int *found, kerr *err)
{
    char gk[STORE_KEY_BYTES], ga[STORE_KEY_BYTES], fk[STORE_KEY_BYTES], fa[STORE_KEY_BYTES];
    char expr[4 * STORE_KEY_BYTES + 96];
    size_t len = 0;
    if (!p || !out || !found)
        return kerr_set(err, KERR_INVALID, "kstore_possible_match: person and output "
                        "are required");
    *found = 0;
    memset(out, 0, sizeof *out);
    part_keys(p->given, gk, ga, sizeof gk);
    part_keys(p->family, fk, fa, sizeof fk);
    if (!gk[0])
        return 0;
    expr[0] = '\0';
    if (expr_part(expr, sizeof expr, &len, "{given_key}", GIVEN_MARK, gk, ga) ||
        (fk[0] && (expr_add(expr, sizeof expr, &len, " AND ", 5) ||
                   expr_part(expr, sizeof expr, &len, "{family_key}", "", fk, fa))))
        return kerr_set(err, KERR_INTERNAL, "possible match: name too long");
    sqlite3_stmt *st = s->st[ST_DUP_CANDIDATES];
    kst_bind_text(st, 1, expr);
    sqlite3_bind_int(st, 2, STORE_DUP_CANDIDATES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *given = kst_col_text(st, 1), *family = kst_col_text(st, 2);
        if (!parts_agree(given, p->given) || !parts_agree(family, p->family))
            continue;                       /* a longer name with this part */
        if (!phones_agree(kst_col_text(st, 3), p->phone) &&
            !emails_agree(kst_col_text(st, 4), p->email) && !zips_agree(kst_col_text(st, 5), p->zip))
            continue;
        kst_copy_utf8(out->person_id, sizeof out->person_id, kst_col_text(st, 0));
        kst_copy_utf8(out->first, sizeof out->first, given);
        kfold_initial(family, out->initial, sizeof out->initial);
        kst_copy_utf8(out->hint, sizeof out->hint, kst_col_text(st, 6));
        *found = 1;
        break;
    }
    int ret = 0;
    if (!*found && rc != SQLITE_DONE)
        ret = kst_db_error(s, rc, "look for an earlier sign-up", err);
    kst_stmt_done(st);
    return ret;
}

/* ---- schema 3: the name index rebuilt ----------------------------------------------- */

/* Migration 3: every person's people_fts row and name_key written anew
 * with today's fold (suffix tokens, second spellings), in name order so
 * that rowids keep the sort (see "Search" at the top).  Runs inside the
 * migration's transaction, before statements are prepared. */
int kst_rebuild_name_index(kstore *s, kerr *err)
{
    sqlite3_stmt *rd = NULL, *ins = NULL, *upd = NULL;
    const char *op = "rebuild the name index";
    int rc = sqlite3_exec(s->db, "DELETE FROM people_fts", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "SELECT id, given, family FROM people", -1, &rd, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "UPDATE people SET name_key = ?2 WHERE id = ?1", -1,
                                &upd, NULL);
    if (rc != SQLITE_OK)
        goto done;
    /* name keys first, so that the rows can then be read in their order */
    while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
        char key[STORE_KEY_BYTES], name[3 * KIOSK_NAME_BYTES + 3];
        snprintf(name, sizeof name, "%s %s", kst_col_text(rd, 1), kst_col_text(rd, 2));
        kfold(name, key, sizeof key);
        kst_bind_text(upd, 1, kst_col_text(rd, 0));
        kst_bind_text(upd, 2, key);
        if ((rc = sqlite3_step(upd)) != SQLITE_DONE)
            goto done;
        sqlite3_reset(upd);
    }
    if (rc != SQLITE_DONE)
        goto done;
    sqlite3_finalize(rd);
    rd = NULL;
    rc = sqlite3_prepare_v2(s->db, "SELECT id, given, family, name_key FROM people "
                            "ORDER BY name_key, id", -1, &rd, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "INSERT INTO people_fts(rowid, given_key, family_key, "
                                "cjk_key, person_id) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins,
                                NULL);
    if (rc != SQLITE_OK)
        goto done;
    int64_t base = -1, next = 0, last = 0;
    while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
        char key[STORE_KEY_BYTES], gkey[STORE_TOKENS_BYTES], fkey[STORE_TOKENS_BYTES];
        char cjk[STORE_TOKENS_BYTES];
        name_index_keys(kst_col_text(rd, 1), kst_col_text(rd, 2), key, gkey, fkey, cjk);
        int64_t b = sort_base(kst_col_text(rd, 3));
        if (b != base) {
            base = b;
            next = b;
        }
        int64_t rowid = next <= (b | ((1 << STORE_SORT_SHIFT) - 1)) && next > last ? next
                                                                                : last + 1;
        next = rowid + 1;
        last = rowid > last ? rowid : last;
        sqlite3_bind_int64(ins, 1, rowid);
        kst_bind_text(ins, 2, gkey);
        kst_bind_text(ins, 3, fkey);
        kst_bind_text(ins, 4, cjk);
        kst_bind_text(ins, 5, kst_col_text(rd, 0));
        if ((rc = sqlite3_step(ins)) != SQLITE_DONE)
            goto done;
        sqlite3_reset(ins);
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
done:
    sqlite3_finalize(rd);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    return rc == SQLITE_OK ? 0 : kst_db_error(s, rc, op, err);
}


/* ---- the hub's roster (store_roster.c) ------------------------------------------------- */

/* Indexes a person the hub sent exactly as a sign-up indexes one. */
int kst_person_index(kstore *s, const char *id, const char *given, const char *family,
                     char key[STORE_KEY_BYTES], kerr *err)
{
    char gkey[STORE_TOKENS_BYTES], fkey[STORE_TOKENS_BYTES], cjk[STORE_TOKENS_BYTES];
    int64_t rowid = 0;
    name_index_keys(given, family, key, gkey, fkey, cjk);
    int ret = fts_rowid(s, key, &rowid, err);
    if (ret)
        return ret;
    sqlite3_stmt *st = s->st[ST_FTS_INSERT];
    sqlite3_bind_int64(st, 1, rowid);
    kst_bind_text(st, 2, gkey);
    kst_bind_text(st, 3, fkey);
    kst_bind_text(st, 4, cjk);
    kst_bind_text(st, 5, id);
    return kst_stmt_run(s, st, "index person name", err);
}

/* The FTS rowid of person id, looked for in [lo, hi] (*rowid 0: none), and
 * whether the range's last rowid is taken (a full slot: rows of it may
 * have spilled past hi). */
static int fts_find(kstore *s, const char *id, int64_t lo, int64_t hi, int64_t *rowid, int *full,
                    kerr *err)
{
    sqlite3_stmt *st = NULL;
    *rowid = 0;
    *full = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT rowid, person_id FROM people_fts"
                                " WHERE rowid BETWEEN ?1 AND ?2", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, "find a person's index row", err);
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t r = sqlite3_column_int64(st, 0);
        if (r == hi)
            *full = 1;
        if (!*rowid && strcmp(kst_col_text(st, 1), id) == 0)
            *rowid = r;
    }
    int ret = rc == SQLITE_DONE ? 0 : kst_db_error(s, rc, "find a person's index row", err);
    sqlite3_finalize(st);
    return ret;
}

int kst_person_unindex(kstore *s, const char *id, kerr *err)
{
    sqlite3_stmt *st = NULL;
    const char *op = "take a person out of the name index";
    int rc = sqlite3_prepare_v2(s->db, "SELECT name_key FROM people WHERE id = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kst_db_error(s, rc, op, err);
    kst_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    char key[STORE_KEY_BYTES] = "";
    if (rc == SQLITE_ROW)
        kst_copy_utf8(key, sizeof key, kst_col_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;                       /* no such person: no index row (invariant 4) */
    if (rc != SQLITE_ROW)
        return kst_db_error(s, rc, op, err);
    int64_t lo = sort_base(key), hi = lo | ((1 << STORE_SORT_SHIFT) - 1), rowid = 0;
    int full = 0, ret = fts_find(s, id, lo, hi, &rowid, &full, err);
    /* a full slot: the person's row may have gone past the range when it
     * was written (fts_rowid, kst_rebuild_name_index): look there, as far
     * as the index goes (more than 32,768 people sharing 8 letters) */
    if (ret == 0 && !rowid && full)
        ret = fts_find(s, id, hi + 1, INT64_MAX, &rowid, &full, err);
    if (ret || !rowid)
        return ret;
    rc = sqlite3_prepare_v2(s->db, "DELETE FROM people_fts WHERE rowid = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, rowid);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : kst_db_error(s, rc, op, err);
}
