/*
 * survey.c - loading, checking and answering interest surveys (see
 * survey.h for the file format and the answer encoding).
 *
 * LOADING is one pass over the file with the CSV reader (csv.h, with its
 * UTF-8 check on), record by record:
 *
 *     blank / '#' comment rows            skipped
 *     first other row                     the header: column roles
 *     survey row                          key, version, title
 *     question row                        a new question; choice rows
 *       choice rows                       attach to it
 *     end of data                         last question finished, show_if
 *                                         conditions resolved (they may
 *                                         name any question, so only now),
 *                                         wholly empty language columns
 *                                         reported once, diagnostics sorted
 *
 * Nothing stops at the first problem: a bad cell is reported and the rest
 * of the row and file are still read, so one check lists every problem.
 * Problems are counted exactly even when more than KIOSK_SURVEY_DIAGS_MAX
 * are found; only the first ones are kept.
 *
 * MEMORY: one allocation per survey, sized from the file before reading:
 *     struct ksurvey | questions[qcap] | choices[ccap] | string pool
 * qcap and ccap are bounded by the number of lines (a row takes at least
 * one) and by the limits in config.h.  Every field the reader returns is
 * unescaped into the pool: its content is never longer than its bytes in
 * the file, plus one NUL per field, and there are at most len + 1 fields,
 * so a pool of 2 * len + 2 bytes always suffices (invariant 1).  Cells are
 * trimmed and lower-cased in place in the pool.
 *
 * Invariants:
 *   1. The pool never overflows (above); kcsv truncation is impossible and
 *      reported as an internal error if it ever happens.
 *   2. Choices of a question are contiguous in choices[]: a choice row
 *      always belongs to the last question read.
 *   3. A survey is handed out only if the load counted no error; then
 *      every condition points at an earlier question, every single and
 *      multiple question has at least one choice, the write-in choice is
 *      last, keys are unique and valid, and English text is present.
 *   4. A loaded survey is never modified, so it may be shared freely.
 */
#define _POSIX_C_SOURCE 200809L
#include "survey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

/* ---- defines and types --------------------------------------------------- */

#define COLS_MAX 48   /* columns read per row; more is an error */

/* The languages a survey file may have a column for: the kiosk's
 * languages (assets/po/LINGUAS, set by ksurvey_set_languages at start),
 * English first.  The built-in list is the one LINGUAS ships with, so that
 * tools which never read the catalogs check files the same way. */
#define LANG_CODE_MAX 16
static const char *const builtin_langs[] = {
    "en", "vi", "zh-Hans", "zh-Hant", "ko", "tl", "km", "lo", "ja"
};
#define NBUILTIN ((int)(sizeof builtin_langs / sizeof builtin_langs[0]))
static char lang_codes[KSURVEY_LANGS_MAX][LANG_CODE_MAX] = {
    "en", "vi", "zh-Hans", "zh-Hant", "ko", "tl", "km", "lo", "ja"
};
static int nlangs = NBUILTIN;
static char lang_list[KSURVEY_LANGS_MAX * (LANG_CODE_MAX + 2)] =
    "en, vi, zh-Hans, zh-Hant, ko, tl, km, lo, ja";

static const char *const type_names[] = {
    "single", "multiple", "yesno", "text", "number", "scale", "consent"
};
#define NTYPES ((int)(sizeof type_names / sizeof type_names[0]))
#define TYPE_LIST "single, multiple, yesno, text, number, scale or consent"

/* Column roles. */
enum {
    C_ROW, C_KEY, C_TYPE, C_REQUIRED, C_OPTIONS, C_SHOW_IF,
    C_LANG,                          /* C_LANG + language index */
    C_NROLES = C_LANG + KSURVEY_LANGS_MAX,
    C_NOTE = C_NROLES,               /* ignored: for translators */
    C_BLANK,                         /* header cell empty */
    C_BAD                            /* header cell already reported */
};
static const char *const role_names[C_LANG] = {
    "row", "key", "type", "required", "options", "show_if"
};

typedef struct kpos {
    int line, col;
} kpos;

typedef struct kchoice {
    const char *key;
    const char *text[KSURVEY_LANGS_MAX];
    int other;
    int line;
} kchoice;

struct ksurvey_question {
    const char *key;
    ksurvey_type type;
    int bad_type;                  /* type unknown: do not cascade */
    int required;
    long long min, max;            /* 64-bit: numbers from files and people */
    int index;
    const char *text[KSURVEY_LANGS_MAX];
    const kchoice *choice;         /* nchoice contiguous choices */
    int nchoice;
    const ksurvey_question *cond_q;
    char *cond_raw;                /* show_if as written, lower case */
    const char *cond_key, *cond_value;
    long long cond_num;
    /* where things were, for messages while loading */
    kpos at, key_at, opt_at, cond_at;
    int max_given;
    long long max_opt;
    int said_no_choices_here;      /* "a yesno question has no choices" */
    int said_too_many_choices;
};

struct ksurvey {
    const char *name;
    const char *key;
    int version;
    kpos version_at;
    const char *title[KSURVEY_LANGS_MAX];
    int nq, nc, qcap, ccap;
    ksurvey_question *q;
    kchoice *c;
    char *pool;
    size_t pool_used, pool_cap;
};

typedef struct cell {
    char *s;
    kpos at;
} cell;

typedef struct loader {
    ksurvey *s;
    ksurvey_diags *d;
    int errors, warnings;
    ksurvey_diag first_error;      /* earliest in the file, for err */
    int dead;                      /* header unusable: rows are not read */
    /* header */
    int ncols;                     /* 0 until the header is read */
    int role[COLS_MAX];
    int col_of[C_NROLES];          /* role -> column, -1 if absent */
    kpos header_at;
    kpos lang_at[KSURVEY_LANGS_MAX];
    /* the current record */
    cell cells[COLS_MAX];
    int ncells;
    kpos row_at;
    char *empty;                   /* what an absent cell holds: a "" in
                                      the pool, as it may end up in s */
    /* rows */
    int seen_survey, survey_line;
    int said_not_first, said_too_many_q, said_bare_cr;
    ksurvey_question *cur;         /* where choice rows go, or NULL */
    int cur_dropped;               /* cur was not stored (over the limit) */
    /* translations */
    int ntexts;
    int nmissing[KSURVEY_LANGS_MAX];
} loader;

/* ---- small helpers ------------------------------------------------------- */

/* ASCII lower case of c. */
static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Compares two strings ignoring ASCII case; 0 if equal. */
static int casecmp(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return lower((unsigned char)*a) - lower((unsigned char)*b);
}

/* Lower-cases s in place (ASCII). */
static void lower_in_place(char *s)
{
    for (; *s; s++)
        *s = (char)lower((unsigned char)*s);
}

/* Strips ASCII white space from both ends of s, in place. */
static char *trim(char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                     s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Parses a whole decimal number ("-12", "+3") of at most 12 digits; 0 on
 * success.  long long, not long: on a 32-bit Pi a long is 32 bits, and
 * "4294967346" would wrap to 50. */
static int parse_long(const char *s, long long *out)
{
    long long v = 0;
    int neg = 0, digits = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 12)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (*s || digits == 0)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* Number of code points in valid UTF-8 text s. */
static long count_chars(const char *s)
{
    long n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Non-zero if s is entirely valid UTF-8. */
static int valid_utf8(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int n = kcsv_utf8_len((const unsigned char *)s + i, len - i);
        if (n == 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* The text in lang from a per-language array, English if empty. */
static const char *pick(const char *const text[KSURVEY_LANGS_MAX], const char *lang)
{
    int i = lang ? ksurvey_lang_index(lang) : 0;
    if (i > 0 && text[i] && text[i][0])
        return text[i];
    return text[0] ? text[0] : "";
}

/* Makes a message printable: drops bytes that are not valid UTF-8 (a
 * cell quoted from a bad file, or a character cut by %.40s) and turns
 * control characters into spaces. */
static void clean_message(char *msg)
{
    size_t len = strlen(msg), w = 0;
    for (size_t r = 0; r < len;) {
        int n = kcsv_utf8_len((const unsigned char *)msg + r, len - r);
        if (n == 0) {
            r++;
            continue;
        }
        if (n == 1 && ((unsigned char)msg[r] < 0x20 || msg[r] == 0x7F)) {
            msg[w++] = ' ';
            r++;
            continue;
        }
        memmove(msg + w, msg + r, (size_t)n);
        w += (size_t)n;
        r += (size_t)n;
    }
    msg[w] = '\0';
}

/* ---- diagnostics --------------------------------------------------------- */

/* Records a problem at a position (kept if there is room, always counted). */
__attribute__((format(printf, 5, 6)))
static void diag(loader *L, int severity, int lang, kpos at,
                 const char *fmt, ...)
{
    ksurvey_diag tmp, *dg = &tmp;
    va_list ap;

    if (severity == KSURVEY_ERROR)
        L->errors++;
    else
        L->warnings++;
    if (L->d && L->d->n < KIOSK_SURVEY_DIAGS_MAX)
        dg = &L->d->diag[L->d->n++];
    else if (severity != KSURVEY_ERROR)
        return;
    dg->line = at.line;
    dg->col = at.col;
    dg->severity = severity;
    dg->lang = lang;
    va_start(ap, fmt);
    vsnprintf(dg->msg, sizeof dg->msg, fmt, ap);
    va_end(ap);
    clean_message(dg->msg);
    if (severity == KSURVEY_ERROR &&
        (L->errors == 1 || dg->line < L->first_error.line ||
         (dg->line == L->first_error.line && dg->col < L->first_error.col)))
        L->first_error = *dg;
}

/* An error at a position. */
#define ERR(L, at, ...) diag((L), KSURVEY_ERROR, -1, (at), __VA_ARGS__)

/* Sorts kept diagnostics by position, keeping the order of equals. */
static void sort_diags(ksurvey_diags *d)
{
    for (int i = 1; i < d->n; i++) {
        ksurvey_diag x = d->diag[i];
        int j = i;
        while (j > 0 && (d->diag[j - 1].line > x.line ||
                         (d->diag[j - 1].line == x.line &&
                          d->diag[j - 1].col > x.col))) {
            d->diag[j] = d->diag[j - 1];
            j--;
        }
        d->diag[j] = x;
    }
}

/* ---- reading records ----------------------------------------------------- */

/* The cell of a role in the current record (an empty one if absent). */
static cell *get(loader *L, int role)
{
    int c = L->col_of[role];
    if (c >= 0 && c < L->ncells)
        return &L->cells[c];
    /* An absent cell: an empty string placed at the row's start. */
    L->cells[COLS_MAX - 1].s = L->empty;
    L->cells[COLS_MAX - 1].at = L->row_at;
    return &L->cells[COLS_MAX - 1];
}

/* Reads one record into L->cells (contents in the pool); 0 at the end. */
static int read_record(loader *L, kcsv *r)
{
    ksurvey *s = L->s;
    kcsv_field f;
    int got = 0;

    L->ncells = 0;
    for (;;) {
        char *out = s->pool + s->pool_used;
        if (!kcsv_next(r, out, s->pool_cap - s->pool_used, &f))
            break;
        if (!got) {
            L->row_at.line = f.line;
            L->row_at.col = f.col;
        }
        got = 1;
        s->pool_used += f.len + 1;
        if (f.error_code == KCSV_BARE_CR && !L->said_bare_cr)
            ERR(L, ((kpos){ f.error_line, f.error_col }), "lines end in a "
                "bare carriage return (an old Mac format); save the file as "
                "\"CSV UTF-8\"");
        else if (f.error && f.error_code != KCSV_BARE_CR)
            ERR(L, ((kpos){ f.error_line, f.error_col }), "%s", f.error);
        if (f.error_code == KCSV_BARE_CR)
            L->said_bare_cr = 1;
        if (f.truncated)
            ERR(L, ((kpos){ f.line, f.col }), "internal error: cell too long");
        if (L->ncells < COLS_MAX - 1) {   /* the last slot is for get() */
            L->cells[L->ncells].s = trim(out);
            L->cells[L->ncells].at = (kpos){ f.line, f.col };
            L->ncells++;
        } else if (*trim(out)) {
            ERR(L, ((kpos){ f.line, f.col }),
                "text past column %d, the most a survey file may have",
                COLS_MAX - 1);
        }
        if (f.end_of_record)
            break;
    }
    return got;
}

/* ---- cells --------------------------------------------------------------- */

/* Reads a key cell: trimmed, lower case, checked; returns it. */
static const char *take_key(loader *L, cell *c, const char *what, kpos *at)
{
    char *k = trim(c->s);
    lower_in_place(k);
    if (at)
        *at = c->at;
    if (!*k) {
        ERR(L, c->at, "missing %s key", what);
    } else if (strlen(k) > KIOSK_SURVEY_KEY_MAX) {
        ERR(L, c->at, "%s key \"%.40s\" is longer than %d characters", what,
            k, KIOSK_SURVEY_KEY_MAX);
    } else if (k[0] < 'a' || k[0] > 'z') {
        ERR(L, c->at, "%s key \"%s\" must start with a letter a-z", what, k);
    } else {
        for (const char *p = k; *p; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                  *p == '-' || *p == '_')) {
                ERR(L, c->at, "%s key \"%s\" may only hold letters a-z, "
                              "digits, \"-\" and \"_\"", what, k);
                break;
            }
        }
    }
    return k;
}

/* Reports a non-empty cell that must be empty on this kind of row. */
static void must_be_empty(loader *L, int role, const char *kind)
{
    cell *c = get(L, role);
    if (*trim(c->s))
        ERR(L, c->at, "the %s column must be empty on a %s row",
            role_names[role], kind);
}

/* Cleans one text cell in place (trim, CRLF -> LF) and checks it. */
static const char *take_text(loader *L, cell *c)
{
    char *t = trim(c->s), *w = t;
    int said = 0;
    for (const char *p = t; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\r' && p[1] == '\n')
            continue;
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F) {
            if (!said)
                ERR(L, c->at, "control character U+%04X in text", ch);
            said = 1;
        }
        *w++ = *p;
    }
    *w = '\0';
    if (count_chars(t) > KIOSK_SURVEY_TEXT_MAX)
        ERR(L, c->at, "text is %ld characters long, over the limit of %d",
            count_chars(t), KIOSK_SURVEY_TEXT_MAX);
    return t;
}

/* Reads the text columns of the row into text[]; English is required, a
 * missing translation is a warning. */
static void take_texts(loader *L, const char *text[KSURVEY_LANGS_MAX])
{
    cell *en;
    for (int i = 0; i < KSURVEY_LANGS_MAX; i++)
        text[i] = i < nlangs ? take_text(L, get(L, C_LANG + i)) : L->empty;
    en = get(L, C_LANG);
    if (!text[0][0]) {
        ERR(L, en->at, "missing english text (column \"en\")");
        return;
    }
    L->ntexts++;
    for (int i = 1; i < nlangs; i++) {
        if (L->col_of[C_LANG + i] < 0 || text[i][0])
            continue;
        L->nmissing[i]++;
        diag(L, KSURVEY_WARNING, i, get(L, C_LANG + i)->at,
             "missing %s text; english will be shown", lang_codes[i]);
    }
}

/* Parses an options cell ("max=3", "min=0;max=120") against the allowed
 * names; vals[i]/given[i] follow allowed[i]. */
static void take_options(loader *L, cell *c, const char *const *allowed,
                         int nallowed, long long *vals, int *given, const char *what)
{
    char *p = trim(c->s);
    lower_in_place(p);
    while (*p) {
        char *end = p + strcspn(p, ";,"), *eq, *name, *value;
        int more = *end != '\0', i;
        *end = '\0';
        name = trim(p);
        p = more ? end + 1 : end;
        if (!*name)
            continue;
        if (nallowed == 0) {
            ERR(L, c->at, "a %s takes no options (found \"%.40s\")", what,
                name);
            return;
        }
        eq = strchr(name, '=');
        if (!eq) {
            ERR(L, c->at, "option \"%.40s\" must be written name=value", name);
            continue;
        }
        *eq = '\0';
        value = trim(eq + 1);
        name = trim(name);
        for (i = 0; i < nallowed; i++)
            if (strcmp(name, allowed[i]) == 0)
                break;
        if (i == nallowed) {
            ERR(L, c->at, "unknown option \"%.40s\" for a %s (expected %s%s%s)",
                name, what, allowed[0], nallowed > 1 ? " or " : "",
                nallowed > 1 ? allowed[1] : "");
            continue;
        }
        if (given[i]) {
            ERR(L, c->at, "option \"%.40s\" is given twice", name);
            continue;
        }
        if (parse_long(value, &vals[i]) != 0) {
            ERR(L, c->at, "option %.40s=%.40s is not a whole number", name,
                value);
            continue;
        }
        given[i] = 1;
    }
}

/* ---- rows ---------------------------------------------------------------- */

/* Reads the header row: which column is which. */
static void header_row(loader *L)
{
    L->header_at = L->row_at;
    L->ncols = L->ncells;
    if (L->ncells == 1 && strchr(L->cells[0].s, ';')) {
        ERR(L, L->row_at, "the header row is a single cell: the file seems "
                          "to use ';' between cells; save it as \"CSV UTF-8\" "
                          "with commas");
        L->dead = 1;
        return;
    }
    if (casecmp(trim(L->cells[0].s), "survey") == 0 ||
        casecmp(L->cells[0].s, "question") == 0) {
        ERR(L, L->row_at, "missing header row: the first row must name the "
                          "columns (row,key,type,required,options,show_if,en,"
                          "vi,...)");
        L->dead = 1;
        return;
    }
    for (int i = 0; i < L->ncells; i++) {
        char *name = trim(L->cells[i].s);
        int role = C_BAD, lang;
        if (!*name) {
            L->role[i] = C_BLANK;
            continue;
        }
        for (int r = 0; r < C_LANG; r++)
            if (casecmp(name, role_names[r]) == 0)
                role = r;
        if (role == C_BAD && (lang = ksurvey_lang_index(name)) >= 0) {
            role = C_LANG + lang;
            L->lang_at[lang] = L->cells[i].at;
        }
        if (role == C_BAD && (casecmp(name, "note") == 0 ||
                              casecmp(name, "notes") == 0)) {
            L->role[i] = C_NOTE;
            continue;
        }
        if (role == C_BAD) {
            ERR(L, L->cells[i].at, "unknown column \"%.40s\" (expected row, "
                "key, type, required, options, show_if, note or a language "
                "of this kiosk: %s)", name, lang_list);
        } else if (L->col_of[role] >= 0) {
            ERR(L, L->cells[i].at, "column \"%.40s\" appears twice", name);
            role = C_BAD;
        } else {
            L->col_of[role] = i;
        }
        L->role[i] = role;
    }
    for (int r = 0; r <= C_LANG; r++) {
        if (L->col_of[r] < 0 && r != C_REQUIRED && r != C_OPTIONS &&
            r != C_SHOW_IF) {
            ERR(L, L->row_at, "missing column \"%s\" in the header row",
                r == C_LANG ? "en" : role_names[r]);
            L->dead = 1;
        }
    }
    for (int i = 1; i < nlangs && !L->dead; i++)
        if (L->col_of[C_LANG + i] < 0)
            diag(L, KSURVEY_WARNING, -1, L->row_at,
                 "no %s column; english will be shown to %s readers",
                 lang_codes[i], lang_codes[i]);
}

/* Reads the survey row: key, version, title. */
static void survey_row(loader *L)
{
    ksurvey *s = L->s;
    static const char *const names[] = { "version" };
    long long version = 0;
    int given = 0;
    cell *opt;

    if (L->seen_survey) {
        ERR(L, L->row_at, "second survey row (the survey row is line %d)",
            L->survey_line);
        return;
    }
    L->seen_survey = 1;
    L->survey_line = L->row_at.line;
    s->key = take_key(L, get(L, C_KEY), "survey", NULL);
    must_be_empty(L, C_TYPE, "survey");
    must_be_empty(L, C_REQUIRED, "survey");
    must_be_empty(L, C_SHOW_IF, "survey");
    opt = get(L, C_OPTIONS);
    s->version_at = opt->at;
    take_options(L, opt, names, 1, &version, &given, "survey");
    if (!given)
        ERR(L, opt->at, "missing version (write version=1 in the options "
                        "column)");
    else if (version < 1 || version > KIOSK_SURVEY_NUMBER_LIMIT)
        ERR(L, opt->at, "version must be a whole number from 1 to %d",
            KIOSK_SURVEY_NUMBER_LIMIT);
    s->version = (int)version;
    take_texts(L, s->title);
}

/* Checks what can only be checked once all of a question's choices are
 * read, and fixes its answer range. */
static void finish_question(loader *L, ksurvey_question *q)
{
    if (!q || q->bad_type)
        return;
    if (q->type == KSURVEY_SINGLE || q->type == KSURVEY_MULTIPLE) {
        if (q->nchoice == 0)
            ERR(L, q->at, "question \"%s\" has no choices (add choice rows "
                          "below it)", q->key);
    }
    if (q->type == KSURVEY_SCALE && q->nchoice != 0 && q->nchoice != 5)
        ERR(L, q->at, "scale question \"%s\" has words under %d of its five "
                      "faces: give all five (choice rows 1 to 5) or none (the "
                      "kiosk's own words)", q->key, q->nchoice);
    if (q->type == KSURVEY_MULTIPLE) {
        q->min = q->required ? 1 : 0;
        q->max = q->max_given ? q->max_opt : q->nchoice;
        if (q->max_given && q->nchoice > 0 && q->max_opt > q->nchoice)
            ERR(L, q->opt_at, "max=%lld but question \"%s\" has only %d "
                              "choices", q->max_opt, q->key, q->nchoice);
    }
}

/* Reads the type and options of a question row. */
static void question_type_and_options(loader *L, ksurvey_question *q)
{
    static const char *const max_only[] = { "max" };
    static const char *const min_max[] = { "min", "max" };
    cell *tc = get(L, C_TYPE), *oc = get(L, C_OPTIONS);
    char *t = trim(tc->s);
    long long v[2] = { 0, 0 };
    int given[2] = { 0, 0 }, type = -1;
    char what[32];

    lower_in_place(t);
    for (int i = 0; i < NTYPES; i++)
        if (strcmp(t, type_names[i]) == 0)
            type = i;
    q->opt_at = oc->at;
    if (type < 0) {
        if (*t)
            ERR(L, tc->at, "unknown question type \"%.40s\" (expected "
                           TYPE_LIST ")", t);
        else
            ERR(L, tc->at, "missing question type (" TYPE_LIST ")");
        q->bad_type = 1;
        q->type = KSURVEY_TEXT;
        return;
    }
    q->type = (ksurvey_type)type;
    snprintf(what, sizeof what, "%s question", type_names[type]);
    switch (q->type) {
    case KSURVEY_MULTIPLE:
        take_options(L, oc, max_only, 1, v, given, what);
        if (given[0] && v[0] < 1)
            ERR(L, oc->at, "max=%lld must be 1 or more", v[0]);
        q->max_given = given[0];
        q->max_opt = v[0];
        break;
    case KSURVEY_TEXT:
        take_options(L, oc, max_only, 1, v, given, what);
        q->min = 0;
        q->max = KIOSK_SURVEY_ANSWER_MAX;
        if (given[0] && (v[0] < 1 || v[0] > KIOSK_SURVEY_ANSWER_MAX))
            ERR(L, oc->at, "max=%lld must be from 1 to %d characters", v[0],
                KIOSK_SURVEY_ANSWER_MAX);
        else if (given[0])
            q->max = v[0];
        break;
    case KSURVEY_NUMBER:
        take_options(L, oc, min_max, 2, v, given, what);
        q->min = given[0] ? v[0] : 0;
        q->max = given[1] ? v[1] : KIOSK_SURVEY_NUMBER_LIMIT;
        for (int i = 0; i < 2; i++)
            if (given[i] && (v[i] < -KIOSK_SURVEY_NUMBER_LIMIT ||
                             v[i] > KIOSK_SURVEY_NUMBER_LIMIT))
                ERR(L, oc->at, "%s=%lld is outside -%d to %d", min_max[i],
                    v[i], KIOSK_SURVEY_NUMBER_LIMIT, KIOSK_SURVEY_NUMBER_LIMIT);
        if (q->min > q->max)
            ERR(L, oc->at, "min=%lld is more than max=%lld", q->min, q->max);
        break;
    case KSURVEY_SCALE:
        take_options(L, oc, NULL, 0, v, given, what);
        q->min = 1;
        q->max = 5;
        break;
    default:   /* single, yesno, consent */
        take_options(L, oc, NULL, 0, v, given, what);
        q->min = 0;
        q->max = 1;
        break;
    }
}

/* Reads a question row. */
static void question_row(loader *L)
{
    ksurvey *s = L->s;
    ksurvey_question *q;
    cell *rc, *sc;
    char *req, *cond;

    if (!L->seen_survey && !L->said_not_first) {
        ERR(L, L->row_at, "the first row after the header must be the "
                          "survey row (survey,KEY,,,version=1,,TITLE...)");
        L->said_not_first = 1;
    }
    finish_question(L, L->cur);
    L->cur = NULL;
    if (s->nq >= s->qcap || s->nq >= KIOSK_SURVEY_QUESTIONS_MAX) {
        if (!L->said_too_many_q)
            ERR(L, L->row_at, "too many questions (the limit is %d)",
                KIOSK_SURVEY_QUESTIONS_MAX);
        L->said_too_many_q = 1;
        L->cur_dropped = 1;
        return;
    }
    L->cur_dropped = 0;
    q = &s->q[s->nq];
    memset(q, 0, sizeof *q);
    q->index = s->nq;
    q->at = L->row_at;
    q->key = take_key(L, get(L, C_KEY), "question", &q->key_at);
    for (int i = 0; i < s->nq && *q->key; i++) {
        if (strcmp(s->q[i].key, q->key) == 0) {
            ERR(L, q->key_at, "duplicate question key \"%s\" (first at line "
                              "%d)", q->key, s->q[i].at.line);
            break;
        }
    }
    s->nq++;

    rc = get(L, C_REQUIRED);
    req = trim(rc->s);
    if (!*req || casecmp(req, "no") == 0 || casecmp(req, "false") == 0)
        q->required = 0;
    else if (casecmp(req, "yes") == 0 || casecmp(req, "true") == 0)
        q->required = 1;
    else
        ERR(L, rc->at, "required must be yes or no (found \"%.40s\")", req);

    question_type_and_options(L, q);

    sc = get(L, C_SHOW_IF);
    cond = trim(sc->s);
    lower_in_place(cond);
    if (*cond) {
        q->cond_raw = cond;
        q->cond_at = sc->at;
    }
    take_texts(L, q->text);
    L->cur = q;
}

/* Reads a choice row under a scale question: the words under one face,
 * keyed by its number (1 the saddest .. 5 the happiest), in order. */
static void scale_word_row(loader *L, ksurvey_question *q)
{
    ksurvey *s = L->s;
    cell *kc = get(L, C_KEY);
    char *k = trim(kc->s);
    char want[2] = { (char)('1' + q->nchoice), 0 };
    if (q->nchoice >= 5 || s->nc >= s->ccap) {
        if (!q->said_too_many_choices)
            ERR(L, L->row_at, "scale question \"%s\" takes five choice rows "
                              "at most (the words under the faces 1 to 5)", q->key);
        q->said_too_many_choices = 1;
        return;
    }
    if (strcmp(k, want) != 0)
        ERR(L, kc->at, "the words under the faces of scale question \"%s\" "
                       "are keyed 1 (saddest) to 5 (happiest), in order: "
                       "expected key %s, found \"%.40s\"", q->key, want, k);
    must_be_empty(L, C_TYPE, "scale question's choice");
    must_be_empty(L, C_REQUIRED, "choice");
    must_be_empty(L, C_OPTIONS, "choice");
    must_be_empty(L, C_SHOW_IF, "choice");
    kchoice *c = &s->c[s->nc];
    memset(c, 0, sizeof *c);
    c->line = L->row_at.line;
    c->key = L->empty;
    if (strcmp(k, want) == 0)
        c->key = k;
    take_texts(L, c->text);
    if (q->nchoice == 0)
        q->choice = c;
    q->nchoice++;
    s->nc++;
}

/* Reads a choice row into the current question. */
static void choice_row(loader *L)
{
    ksurvey *s = L->s;
    ksurvey_question *q = L->cur;
    kchoice *c;
    cell *tc;
    char *t;

    if (!q) {
        if (!L->cur_dropped)
            ERR(L, L->row_at, "choice row before any question");
        return;
    }
    if (!q->bad_type && q->type != KSURVEY_SINGLE &&
        q->type != KSURVEY_MULTIPLE && q->type != KSURVEY_SCALE) {
        if (!q->said_no_choices_here)
            ERR(L, L->row_at, "question \"%s\" is a %s question and has no "
                              "choices; make it single or multiple, or remove "
                              "this row", q->key, type_names[q->type]);
        q->said_no_choices_here = 1;
        return;
    }
    if (q->type == KSURVEY_SCALE) {
        scale_word_row(L, q);
        return;
    }
    if (q->nchoice >= KIOSK_SURVEY_CHOICES_MAX || s->nc >= s->ccap) {
        if (!q->said_too_many_choices)
            ERR(L, L->row_at, "too many choices for question \"%s\" (the "
                              "limit is %d)", q->key, KIOSK_SURVEY_CHOICES_MAX);
        q->said_too_many_choices = 1;
        return;
    }
    c = &s->c[s->nc];
    memset(c, 0, sizeof *c);
    c->line = L->row_at.line;
    c->key = take_key(L, get(L, C_KEY), "choice", NULL);

    tc = get(L, C_TYPE);
    t = trim(tc->s);
    lower_in_place(t);
    if (strcmp(t, "other") == 0)
        c->other = 1;
    else if (*t)
        ERR(L, tc->at, "unknown choice type \"%.40s\" (leave it empty, or "
                       "write \"other\" for a write-in choice)", t);
    if (c->other && *c->key && strcmp(c->key, "other") != 0)
        ERR(L, get(L, C_KEY)->at, "the write-in choice must have the key "
                                  "\"other\" (found \"%.40s\")", c->key);
    if (!c->other && strcmp(c->key, "other") == 0)
        ERR(L, get(L, C_KEY)->at, "the key \"other\" is for the write-in "
                                  "choice: write \"other\" in its type column "
                                  "too, or use another key");
    if (q->nchoice > 0 && q->choice[q->nchoice - 1].other)
        ERR(L, L->row_at, "the write-in choice \"other\" must be the last "
                          "choice of question \"%s\"", q->key);
    for (int i = 0; i < q->nchoice && *c->key; i++) {
        if (strcmp(q->choice[i].key, c->key) == 0) {
            ERR(L, get(L, C_KEY)->at, "duplicate choice key \"%s\" in "
                "question \"%s\" (first at line %d)", c->key, q->key,
                q->choice[i].line);
            break;
        }
    }
    must_be_empty(L, C_REQUIRED, "choice");
    must_be_empty(L, C_OPTIONS, "choice");
    must_be_empty(L, C_SHOW_IF, "choice");
    take_texts(L, c->text);
    if (q->nchoice == 0)
        q->choice = c;
    q->nchoice++;
    s->nc++;
}

/* Handles the record in L->cells; returns 1 to keep its strings. */
static int process_record(loader *L)
{
    cell *rc;
    char *kind;
    int blank = 1;

    for (int i = 0; i < L->ncells && blank; i++)
        if (*L->cells[i].s)
            blank = 0;
    if (blank)
        return 0;
    if (!L->ncols) {
        if (L->cells[0].s[0] == '#')
            return 0;
        header_row(L);
        return 0;
    }
    rc = get(L, C_ROW);
    if (rc->s[0] == '#')
        return 0;
    for (int i = 0; i < L->ncells; i++) {
        int role = i < L->ncols ? L->role[i] : C_BLANK;
        if (role == C_BLANK && *L->cells[i].s)
            ERR(L, L->cells[i].at, "text in a column without a header");
    }
    kind = rc->s;
    lower_in_place(kind);
    if (strcmp(kind, "survey") == 0)
        survey_row(L);
    else if (strcmp(kind, "question") == 0)
        question_row(L);
    else if (strcmp(kind, "choice") == 0)
        choice_row(L);
    else if (!*kind)
        ERR(L, rc->at, "missing row kind (survey, question or choice)");
    else
        ERR(L, rc->at, "unknown row kind \"%.40s\" (expected survey, question "
                       "or choice)", kind);
    return 1;
}

/* Resolves and checks q's condition (show_if). */
static void resolve_condition(loader *L, ksurvey_question *q)
{
    ksurvey *s = L->s;
    char *eq, *key, *value;
    const ksurvey_question *t = NULL;

    if (!q->cond_raw)
        return;
    eq = strchr(q->cond_raw, '=');
    if (!eq) {
        ERR(L, q->cond_at, "condition \"%.60s\" must be written question=value",
            q->cond_raw);
        return;
    }
    *eq = '\0';   /* the pool is ours: cond_raw becomes the key */
    key = trim(q->cond_raw);
    value = trim(eq + 1);
    if (!*key || !*value || strchr(value, '=')) {
        ERR(L, q->cond_at, "condition must be written question=value (found "
                           "\"%.40s=%.40s\")", key, value);
        return;
    }
    for (int i = 0; i < s->nq; i++)
        if (strcmp(s->q[i].key, key) == 0)
            t = &s->q[i];
    if (!t) {
        ERR(L, q->cond_at, "condition refers to unknown question \"%.40s\"",
            key);
        return;
    }
    if (t == q) {
        ERR(L, q->cond_at, "condition refers to the question itself");
        return;
    }
    if (t->index > q->index) {
        ERR(L, q->cond_at, "condition refers to question \"%s\", which comes "
                           "later (line %d); a condition can only use an "
                           "earlier answer", key, t->at.line);
        return;
    }
    q->cond_key = t->key;
    q->cond_value = value;
    if (t->bad_type)
        return;
    switch (t->type) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE: {
        int found = 0;
        for (int i = 0; i < t->nchoice; i++)
            if (strcmp(t->choice[i].key, value) == 0)
                found = 1;
        if (!found)
            ERR(L, q->cond_at, "condition value \"%.40s\" is not a choice of "
                               "question \"%s\"", value, key);
        break;
    }
    case KSURVEY_YESNO:
    case KSURVEY_CONSENT:
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            ERR(L, q->cond_at, "condition on %s question \"%s\" must be "
                               "%s=yes or %s=no", type_names[t->type], key,
                               key, key);
        break;
    case KSURVEY_SCALE:
    case KSURVEY_NUMBER:
        if (parse_long(value, &q->cond_num) != 0 || q->cond_num < t->min ||
            q->cond_num > t->max)
            ERR(L, q->cond_at, "condition value \"%.40s\" is not a whole "
                               "number from %lld to %lld", value, t->min, t->max);
        break;
    case KSURVEY_TEXT:
        ERR(L, q->cond_at, "condition on text question \"%s\" is not "
                           "supported; use a choice or yes/no question", key);
        break;
    }
    q->cond_q = t;
}

/* Replaces the warnings of a language column that is empty throughout by
 * one warning on its header cell. */
static void fold_empty_columns(loader *L)
{
    for (int i = 1; i < nlangs; i++) {
        if (L->col_of[C_LANG + i] < 0 || L->ntexts < 2 ||
            L->nmissing[i] != L->ntexts)
            continue;
        L->warnings -= L->nmissing[i];
        if (L->d) {
            int w = 0;
            for (int r = 0; r < L->d->n; r++)
                if (L->d->diag[r].lang != i)
                    L->d->diag[w++] = L->d->diag[r];
            L->d->n = w;
        }
        diag(L, KSURVEY_WARNING, -1, L->lang_at[i],
             "the %s column is empty; english will be shown to %s readers",
             lang_codes[i], lang_codes[i]);
    }
}

/* Reads the whole file into L->s, reporting every problem. */
static void parse(loader *L, const char *data, size_t len)
{
    ksurvey *s = L->s;
    kcsv r;

    kcsv_init(&r, data, len);
    r.check_utf8 = 1;
    for (;;) {
        size_t mark = s->pool_used;
        if (!read_record(L, &r))
            break;
        if (L->dead || !process_record(L))
            s->pool_used = mark;
    }
    if (L->dead)
        return;
    if (!L->ncols) {
        ERR(L, ((kpos){ 1, 1 }), "the file is empty: it needs a header row "
                                 "and a survey row");
        return;
    }
    finish_question(L, L->cur);
    if (!L->seen_survey)
        ERR(L, L->header_at,
            "no survey row (survey,KEY,,,version=1,,TITLE...)");
    if (s->nq == 0)
        ERR(L, L->header_at, "the survey has no questions");
    for (int i = 0; i < s->nq; i++)
        resolve_condition(L, &s->q[i]);
    fold_empty_columns(L);
}

/* Counts the lines of data (a lone CR ends one too). */
static size_t count_lines(const char *data, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '\n' ||
            (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n')))
            n++;
    return n;
}

/* Makes the one block of a survey for data of len bytes. */
static ksurvey *alloc_survey(const char *name, const char *data, size_t len)
{
    size_t lines = count_lines(data, len);
    size_t qmax = KIOSK_SURVEY_QUESTIONS_MAX;
    size_t qcap = lines < qmax ? lines : qmax;
    size_t cmax = (size_t)KIOSK_SURVEY_QUESTIONS_MAX * KIOSK_SURVEY_CHOICES_MAX;
    size_t ccap = lines < cmax ? lines : cmax;
    size_t namelen = strlen(name);
    size_t pool = 2 * len + 2 + namelen + 2;
    size_t size = sizeof(ksurvey) + qcap * sizeof(ksurvey_question) +
                  ccap * sizeof(kchoice) + pool;
    char *block = malloc(size);
    ksurvey *s;

    if (!block)
        return NULL;
    s = (ksurvey *)block;
    memset(s, 0, sizeof *s);
    s->q = (ksurvey_question *)(block + sizeof(ksurvey));
    s->c = (kchoice *)(s->q + qcap);
    s->pool = (char *)(s->c + ccap);
    s->qcap = (int)qcap;
    s->ccap = (int)ccap;
    s->pool_cap = pool;
    memcpy(s->pool, name, namelen + 1);
    s->name = s->pool;
    s->pool[namelen + 1] = '\0';   /* the empty string of absent cells */
    s->pool_used = namelen + 2;
    s->key = "";
    for (int i = 0; i < KSURVEY_LANGS_MAX; i++)
        s->title[i] = "";
    return s;
}

/* Loads data (of which total bytes exist, total 0 if unknown) into *out. */
static int load(const char *name, const char *data, size_t len, size_t total,
                ksurvey **out, ksurvey_diags *d, kerr *err)
{
    loader L;

    *out = NULL;
    memset(&L, 0, sizeof L);
    memset(L.col_of, -1, sizeof L.col_of);
    L.d = d;
    if (d) {
        d->n = d->errors = d->warnings = 0;
        snprintf(d->file, sizeof d->file, "%s", name);
    }
    if (len > KIOSK_SURVEY_FILE_MAX_BYTES) {
        kpos at;
        kcsv_locate(data, len, KIOSK_SURVEY_FILE_MAX_BYTES, &at.line, &at.col);
        if (total > len)
            ERR(&L, at, "file is %zu bytes, over the limit of %d bytes "
                        "(it passes the limit here)", total,
                KIOSK_SURVEY_FILE_MAX_BYTES);
        else
            ERR(&L, at, "file is over the limit of %d bytes (it passes the "
                        "limit here)", KIOSK_SURVEY_FILE_MAX_BYTES);
    } else {
        L.s = alloc_survey(name, data, len);
        if (!L.s) {
            ERR(&L, ((kpos){ 0, 0 }), "out of memory");
        } else {
            L.empty = L.s->pool + strlen(name) + 1;
            parse(&L, data, len);
        }
    }
    if (d) {
        d->errors = L.errors;
        d->warnings = L.warnings;
        sort_diags(d);
    }
    if (L.errors) {
        free(L.s);
        if (L.first_error.line)
            return kerr_set(err, KERR_INVALID, "%s:%d:%d: %s (%d error%s in "
                            "all)", name, L.first_error.line,
                            L.first_error.col, L.first_error.msg, L.errors,
                            L.errors == 1 ? "" : "s");
        return kerr_set(err, KERR_INVALID, "%s: %s", name, L.first_error.msg);
    }
    *out = L.s;
    return KERR_OK;
}

/* Reads at most KIOSK_SURVEY_FILE_MAX_BYTES + 1 bytes of path into a new
 * buffer; *total is the file's size if known (else 0).  On failure, why
 * says what went wrong ("no such file or directory"). */
static int read_file(const char *path, char **buf, size_t *len, size_t *total,
                     char *why, size_t whycap)
{
    struct stat st;
    size_t cap = (size_t)KIOSK_SURVEY_FILE_MAX_BYTES + 1, n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *buf = NULL;
    *total = 0;
    *len = 0;
    if (fd < 0)
        goto fail;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(why, whycap, "it is a folder");
        return KERR_IO;
    }
    if (S_ISREG(st.st_mode)) {
        *total = (size_t)st.st_size;
        if ((size_t)st.st_size + 1 < cap)
            cap = (size_t)st.st_size + 1;
    }
    *buf = malloc(cap);
    if (!*buf)
        goto fail;
    while (n < cap) {
        ssize_t got = read(fd, *buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto fail;
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    *len = n;
    return KERR_OK;
fail:
    snprintf(why, whycap, "%s", strerror(errno));
    why[0] = (char)lower((unsigned char)why[0]);
    if (fd >= 0)
        close(fd);
    free(*buf);
    *buf = NULL;
    return KERR_IO;
}

/* Records a file that cannot be read as a whole-file diagnostic. */
static void io_diag(ksurvey_diags *d, const char *path, const char *why)
{
    if (!d)
        return;
    memset(d, 0, offsetof(ksurvey_diags, diag));
    snprintf(d->file, sizeof d->file, "%s", path);
    d->errors = 1;
    d->n = 1;
    memset(&d->diag[0], 0, sizeof d->diag[0]);
    d->diag[0].severity = KSURVEY_ERROR;
    d->diag[0].lang = -1;
    snprintf(d->diag[0].msg, sizeof d->diag[0].msg, "cannot read the file: %s",
             why);
}

/* Base name of a path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Writes data to path atomically (temporary file, fsync, rename). */
static int write_atomic(const char *dir, const char *path, const char *data,
                        size_t len, kerr *err)
{
    char tmp[4200];
    int fd, dfd;
    size_t done = 0;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return kerr_set(err, KERR_IO, "cannot keep %s: path too long", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return kerr_set(err, KERR_IO, "cannot create %s: %s", tmp,
                        strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return kerr_set(err, e == ENOSPC ? KERR_FULL : KERR_IO,
                            "cannot write %s: %s", tmp, strerror(e));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return kerr_set(err, KERR_IO, "cannot write %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return kerr_set(err, KERR_IO, "cannot rename %s: %s", tmp, strerror(e));
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);   /* the rename itself is durable; best effort */
        close(dfd);
    }
    return KERR_OK;
}

/* Finds the stored answer item of a key, or -1. */
static int find_item(const ksurvey_answers *a, const char *key)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->item[i].key, key) == 0)
            return i;
    return -1;
}

/* Removes answer item i, closing the gap in the pool. */
static void remove_item(ksurvey_answers *a, int i)
{
    unsigned off = a->item[i].off, size = a->item[i].len + 1;
    memmove(a->pool + off, a->pool + off + size, a->used - off - size);
    a->used -= size;
    for (int j = 0; j < a->n; j++)
        if (a->item[j].off > off)
            a->item[j].off -= size;
    memmove(&a->item[i], &a->item[i + 1],
            (size_t)(a->n - i - 1) * sizeof a->item[0]);
    a->n--;
}

/* Index of choice key k of q (other choice: "other"), or -1. */
static int choice_index(const ksurvey_question *q, const char *k, size_t klen)
{
    for (int i = 0; i < q->nchoice; i++)
        if (strlen(q->choice[i].key) == klen &&
            memcmp(q->choice[i].key, k, klen) == 0)
            return i;
    return -1;
}

/* Checks a write-in text of q. */
static int check_typed(const ksurvey_question *q, const char *text, long long max,
                       const char *what, kerr *err)
{
    long n = count_chars(text);
    if (n == 0)
        return kerr_set(err, KERR_INVALID, "%s for \"%s\" is empty", what,
                        q->key);
    if (n > max)
        return kerr_set(err, KERR_INVALID, "%s for \"%s\" is %ld characters, "
                        "over the limit of %lld", what, q->key, n, max);
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            return kerr_set(err, KERR_INVALID, "%s for \"%s\" holds a control "
                            "character", what, q->key);
    return KERR_OK;
}

/* Checks an encoded single or multiple answer. */
static int check_choices(const ksurvey_question *q, const char *v, kerr *err)
{
    int last = -1, count = 0;
    const char *p = v;

    for (;;) {
        size_t n = strcspn(p, ";");
        int i;
        if (strncmp(p, "other:", 6) == 0) {
            i = choice_index(q, "other", 5);
            if (i < 0 || !q->choice[i].other)
                return kerr_set(err, KERR_INVALID, "question \"%s\" has no "
                                "write-in choice", q->key);
            count++;
            if (q->type == KSURVEY_SINGLE && count > 1)
                return kerr_set(err, KERR_INVALID, "question \"%s\" takes one "
                                "choice", q->key);
            if (count > q->max && q->type == KSURVEY_MULTIPLE)
                return kerr_set(err, KERR_INVALID, "question \"%s\" takes at "
                                "most %lld choices", q->key, q->max);
            return check_typed(q, p + 6, KIOSK_SURVEY_ANSWER_MAX, "write-in",
                               err);
        }
        i = choice_index(q, p, n);
        if (i < 0 || q->choice[i].other)
            return kerr_set(err, KERR_INVALID, "\"%.*s\" is not a choice of "
                            "question \"%s\"", (int)(n > 40 ? 40 : n), p,
                            q->key);
        if (i <= last)
            return kerr_set(err, KERR_INVALID, "choices of \"%s\" must be in "
                            "the survey's order, each once", q->key);
        last = i;
        count++;
        if (q->type == KSURVEY_SINGLE && count > 1)
            return kerr_set(err, KERR_INVALID, "question \"%s\" takes one "
                            "choice", q->key);
        if (q->type == KSURVEY_MULTIPLE && count > q->max)
            return kerr_set(err, KERR_INVALID, "question \"%s\" takes at most "
                            "%lld choices", q->key, q->max);
        if (!p[n])
            return KERR_OK;
        p += n + 1;
    }
}

/* ---- global functions: languages and diagnostics ------------------------- */

/* Code of language i, or NULL. */
const char *ksurvey_lang_code(int i)
{
    return i >= 0 && i < nlangs ? lang_codes[i] : NULL;
}

int ksurvey_lang_count(void)
{
    return nlangs;
}

/* A language code as LINGUAS and catalogs name them: a letter, then
 * letters, digits, '-' or '_' ("vi", "zh-Hans", "es_MX"). */
static int code_valid(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n >= LANG_CODE_MAX || !((c[0] | 0x20) >= 'a' && (c[0] | 0x20) <= 'z'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        int ch = (unsigned char)c[i];
        if (!(((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

int ksurvey_set_languages(const char *const *codes, int n, kerr *err)
{
    char next[KSURVEY_LANGS_MAX][LANG_CODE_MAX];
    int m = 1;
    size_t used = 0;
    int has_en = 0;
    if (n < 0 || n > KSURVEY_LANGS_MAX)
        return kerr_set(err, KERR_INVALID, "%d languages; a survey can have at most %d",
                        n, KSURVEY_LANGS_MAX);
    memcpy(next[0], "en", 3);
    for (int i = 0; i < n; i++) {
        if (!codes[i] || !code_valid(codes[i]))
            return kerr_set(err, KERR_INVALID, "language code \"%.20s\" is not a code "
                            "like vi or zh-Hans", codes[i] ? codes[i] : "(null)");
        if (casecmp(codes[i], "en") == 0) {
            has_en = 1;
            continue;
        }
        for (int j = 0; j < m; j++)
            if (casecmp(codes[i], next[j]) == 0)
                return kerr_set(err, KERR_INVALID, "language %s is listed twice", codes[i]);
        if (m == KSURVEY_LANGS_MAX)
            return kerr_set(err, KERR_INVALID, "more than %d languages", KSURVEY_LANGS_MAX);
        snprintf(next[m++], LANG_CODE_MAX, "%s", codes[i]);
    }
    if (!has_en)
        return kerr_set(err, KERR_INVALID, "the languages must include en: english is "
                        "every survey's required column");
    memcpy(lang_codes, next, sizeof next);
    nlangs = m;
    lang_list[0] = '\0';
    for (int i = 0; i < m; i++) {
        int k = snprintf(lang_list + used, sizeof lang_list - used, "%s%s", i ? ", " : "",
                         lang_codes[i]);
        used += (size_t)k;
    }
    return 0;
}

void ksurvey_reset_languages(void)
{
    ksurvey_set_languages(builtin_langs, NBUILTIN, NULL);
}

/* Index of a language code, or -1. */
int ksurvey_lang_index(const char *code)
{
    for (int i = 0; code && i < nlangs; i++)
        if (casecmp(code, lang_codes[i]) == 0)
            return i;
    return -1;
}

/* Formats diagnostic i as FILE:LINE:COLUMN: message. */
void ksurvey_diag_format(const ksurvey_diags *d, int i, char *buf, size_t cap)
{
    const ksurvey_diag *dg = &d->diag[i];
    const char *sev = dg->severity == KSURVEY_WARNING ? "warning: " : "";
    if (dg->line > 0)
        snprintf(buf, cap, "%s:%d:%d: %s%s", d->file, dg->line, dg->col, sev,
                 dg->msg);
    else
        snprintf(buf, cap, "%s: %s%s", d->file, sev, dg->msg);
}

/* Prints every kept diagnostic and a count of the others. */
void ksurvey_diags_print(const ksurvey_diags *d, FILE *out)
{
    char line[sizeof d->file + sizeof d->diag[0].msg + 64];
    int all = d->errors + d->warnings;
    for (int i = 0; i < d->n; i++) {
        ksurvey_diag_format(d, i, line, sizeof line);
        fprintf(out, "%s\n", line);
    }
    if (all > d->n)
        fprintf(out, "%s: %d more problems not shown\n", d->file, all - d->n);
}

/* ---- global functions: loading ------------------------------------------- */

/* Loads and checks a survey file. */
int ksurvey_load_file(const char *path, ksurvey **out, ksurvey_diags *diags,
                      kerr *err)
{
    char *buf, why[128];
    size_t len, total;
    int rc;

    *out = NULL;
    rc = read_file(path, &buf, &len, &total, why, sizeof why);
    if (rc != KERR_OK) {
        io_diag(diags, path, why);
        return kerr_set(err, rc, "cannot read %s: %s", path, why);
    }
    rc = load(path, buf, len, total, out, diags, err);
    free(buf);
    return rc;
}

/* Loads and checks a survey from memory. */
int ksurvey_load_buffer(const char *name, const char *data, size_t len,
                        ksurvey **out, ksurvey_diags *diags, kerr *err)
{
    return load(name ? name : "(buffer)", data, len, len, out, diags, err);
}

/* Loads path, falling back to its last good copy in keep_dir. */
int ksurvey_load_keep(const char *path, const char *keep_dir, ksurvey **out,
                      int *kept, ksurvey_diags *diags, kerr *err)
{
    char keep_path[4096], *buf = NULL, *old = NULL, why[128];
    size_t len = 0, total, old_len = 0, old_total;
    ksurvey *fresh = NULL, *prev = NULL;
    kerr e;
    int rc, same;

    *out = NULL;
    *kept = 0;
    if (snprintf(keep_path, sizeof keep_path, "%s/%s", keep_dir,
                 base_name(path)) >= (int)sizeof keep_path)
        return kerr_set(err, KERR_INVALID, "cannot keep %s: path too long",
                        path);

    /* The kept copy, if any (it passed when it was kept). */
    if (read_file(keep_path, &old, &old_len, &old_total, why, sizeof why) ==
            KERR_OK &&
        load(keep_path, old, old_len, old_total, &prev, NULL, NULL) != KERR_OK)
        prev = NULL;

    rc = read_file(path, &buf, &len, &total, why, sizeof why);
    if (rc != KERR_OK) {
        io_diag(diags, path, why);
        kerr_set(&e, rc, "cannot read %s: %s", path, why);
    } else {
        rc = load(path, buf, len, total, &fresh, diags, &e);
    }
    if (rc == KERR_OK) {
        same = prev && old_len == len && memcmp(old, buf, len) == 0;
        if (prev && !same && strcmp(prev->key, fresh->key) == 0 &&
            prev->version == fresh->version && diags) {
            loader L;
            memset(&L, 0, sizeof L);
            L.d = diags;
            diag(&L, KSURVEY_WARNING, -1, fresh->version_at,
                 "the survey changed since its last good copy but its version "
                 "is still %d; raise the version so answers to the two are "
                 "told apart", fresh->version);
            diags->warnings++;
            sort_diags(diags);
        }
        if (!same)
            rc = write_atomic(keep_dir, keep_path, buf, len, err);
        ksurvey_free(prev);
        *out = fresh;
    } else if (prev) {
        *out = prev;
        *kept = 1;
        kerr_set(err, rc, "%s; using its last good version %d from %s",
                 e.msg, prev->version, keep_path);
    } else {
        kerr_set(err, rc, "%s; no good version of it is kept", e.msg);
    }
    free(buf);
    free(old);
    return rc;
}

/* Checks files for `kiosk survey check`; returns the number of problems. */
int ksurvey_check_files(int n, char **paths, FILE *out)
{
    ksurvey_diags *d = malloc(sizeof *d);
    int problems = 0;

    if (!d) {
        fprintf(out, "survey check: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        ksurvey *s = NULL;
        ksurvey_load_file(paths[i], &s, d, NULL);
        ksurvey_diags_print(d, out);
        if (s && d->errors + d->warnings == 0)
            fprintf(out, "%s: ok, survey \"%s\" version %d, %d questions\n",
                    paths[i], s->key, s->version, s->nq);
        problems += d->errors + d->warnings;
        ksurvey_free(s);
    }
    free(d);
    return problems;
}

/* Frees a survey (NULL is fine). */
void ksurvey_free(ksurvey *s)
{
    free(s);
}

/* ---- global functions: the survey ---------------------------------------- */

/* "single", "multiple", ... */
const char *ksurvey_type_name(ksurvey_type t)
{
    return (int)t >= 0 && (int)t < NTYPES ? type_names[t] : "unknown";
}

/* Checks a key's syntax (n bytes at k). */
int ksurvey_key_valid(const char *k, size_t n)
{
    if (n == 0 || n > KIOSK_SURVEY_KEY_MAX || k[0] < 'a' || k[0] > 'z')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ||
              k[i] == '-' || k[i] == '_'))
            return 0;
    return 1;
}

/* The survey's stable key. */
const char *ksurvey_key(const ksurvey *s) { return s->key; }

/* The survey's version. */
int ksurvey_version(const ksurvey *s) { return s->version; }

/* The title in lang, English if none. */
const char *ksurvey_title(const ksurvey *s, const char *lang)
{
    return pick(s->title, lang);
}

/* The name it was loaded under. */
const char *ksurvey_name(const ksurvey *s) { return s->name; }

/* Number of questions. */
int ksurvey_count(const ksurvey *s) { return s->nq; }

/* Question i, or NULL. */
const ksurvey_question *ksurvey_question_at(const ksurvey *s, int i)
{
    return i >= 0 && i < s->nq ? &s->q[i] : NULL;
}

/* The question with that key, or NULL. */
const ksurvey_question *ksurvey_find(const ksurvey *s, const char *key)
{
    for (int i = 0; key && i < s->nq; i++)
        if (strcmp(s->q[i].key, key) == 0)
            return &s->q[i];
    return NULL;
}

/* The question's stable key. */
const char *ksurvey_q_key(const ksurvey_question *q) { return q->key; }

/* The question's type. */
ksurvey_type ksurvey_q_type(const ksurvey_question *q) { return q->type; }

/* Non-zero if an answer is required (consent: agreement). */
int ksurvey_q_required(const ksurvey_question *q) { return q->required; }

/* Position in the survey. */
int ksurvey_q_index(const ksurvey_question *q) { return q->index; }

/* The question's text in lang, English if none. */
const char *ksurvey_q_text(const ksurvey_question *q, const char *lang)
{
    return pick(q->text, lang);
}

/* Lower end of the answer's range (see survey.h). */
long ksurvey_q_min(const ksurvey_question *q) { return (long)q->min; }

/* Upper end of the answer's range (see survey.h). */
long ksurvey_q_max(const ksurvey_question *q) { return (long)q->max; }

/* The condition as key and value; 0 if none. */
int ksurvey_q_condition(const ksurvey_question *q, const char **key,
                        const char **value)
{
    if (!q->cond_q)
        return 0;
    if (key)
        *key = q->cond_key;
    if (value)
        *value = q->cond_value;
    return 1;
}

/* Number of choices. */
int ksurvey_q_nchoices(const ksurvey_question *q)
{
    return q->type == KSURVEY_SCALE ? 0 : q->nchoice;
}

/* The survey's words under face i (0 saddest .. 4), or NULL. */
const char *ksurvey_scale_word(const ksurvey_question *q, int i, const char *lang)
{
    if (q->type != KSURVEY_SCALE || q->nchoice != 5 || i < 0 || i >= 5)
        return NULL;
    return pick(q->choice[i].text, lang);
}

/* Key of choice i, or NULL. */
const char *ksurvey_choice_key(const ksurvey_question *q, int i)
{
    return i >= 0 && i < q->nchoice ? q->choice[i].key : NULL;
}

/* Text of choice i in lang, English if none; NULL if no such choice. */
const char *ksurvey_choice_text(const ksurvey_question *q, int i,
                                const char *lang)
{
    return i >= 0 && i < q->nchoice ? pick(q->choice[i].text, lang) : NULL;
}

/* Non-zero if choice i is the write-in. */
int ksurvey_choice_is_other(const ksurvey_question *q, int i)
{
    return i >= 0 && i < q->nchoice && q->choice[i].other;
}

/* ---- global functions: answers ------------------------------------------- */

/* Empties the answers. */
void ksurvey_answers_clear(ksurvey_answers *a)
{
    a->n = 0;
    a->used = 0;
}

/* Sets or removes the answer to qkey. */
int ksurvey_answers_set(ksurvey_answers *a, const char *qkey, const char *value)
{
    size_t klen = qkey ? strlen(qkey) : 0, vlen = value ? strlen(value) : 0;
    int i;
    size_t freed;

    if (klen == 0 || klen > KIOSK_SURVEY_KEY_MAX)
        return KERR_INVALID;
    i = find_item(a, qkey);
    freed = i >= 0 ? a->item[i].len + 1 : 0;
    if (vlen > 0 && (a->used - freed + vlen + 1 > sizeof a->pool ||
                     (i < 0 && a->n >= KIOSK_SURVEY_QUESTIONS_MAX)))
        return KERR_FULL;
    if (i >= 0)
        remove_item(a, i);
    if (vlen == 0)
        return KERR_OK;
    memcpy(a->item[a->n].key, qkey, klen + 1);
    a->item[a->n].off = a->used;
    a->item[a->n].len = (unsigned)vlen;
    memcpy(a->pool + a->used, value, vlen + 1);
    a->used += (unsigned)vlen + 1;
    a->n++;
    return KERR_OK;
}

/* The answer to qkey, or NULL. */
const char *ksurvey_answers_get(const ksurvey_answers *a, const char *qkey)
{
    int i = qkey ? find_item(a, qkey) : -1;
    return i >= 0 ? a->pool + a->item[i].off : NULL;
}

/* Non-zero if q is shown given the answers so far. */
int ksurvey_visible(const ksurvey_question *q, const ksurvey_answers *a)
{
    const ksurvey_question *t = q->cond_q;
    const char *v;
    long long n;

    if (!t)
        return 1;
    if (!ksurvey_visible(t, a))
        return 0;
    v = ksurvey_answers_get(a, t->key);
    if (!v || !*v)
        return 0;
    switch (t->type) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE:
        return ksurvey_answer_has(v, q->cond_value);
    case KSURVEY_YESNO:
    case KSURVEY_CONSENT:
        return strcmp(v, q->cond_value) == 0;
    case KSURVEY_SCALE:
    case KSURVEY_NUMBER:
        return parse_long(v, &n) == 0 && n == q->cond_num;
    default:
        return 0;
    }
}

/* Checks one encoded answer to q. */
int ksurvey_answer_check(const ksurvey_question *q, const char *v, kerr *err)
{
    long long n;

    if (!v || !*v) {
        if (q->required)
            return kerr_set(err, KERR_INVALID, "question \"%s\" needs an "
                            "answer", q->key);
        return KERR_OK;
    }
    if (!valid_utf8(v))
        return kerr_set(err, KERR_INVALID, "answer to \"%s\" is not valid "
                        "utf-8", q->key);
    switch (q->type) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE:
        return check_choices(q, v, err);
    case KSURVEY_YESNO:
    case KSURVEY_CONSENT:
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            return kerr_set(err, KERR_INVALID, "answer to \"%s\" must be yes "
                            "or no", q->key);
        if (q->type == KSURVEY_CONSENT && q->required && v[0] == 'n')
            return kerr_set(err, KERR_INVALID, "\"%s\" must be agreed to",
                            q->key);
        return KERR_OK;
    case KSURVEY_NUMBER:
    case KSURVEY_SCALE:
        if (parse_long(v, &n) != 0 || (v[0] == '+') ||
            (v[0] == '-' && v[1] == '0') || (v[0] == '0' && v[1]) ||
            (v[0] == '-' && v[1] == '\0'))
            return kerr_set(err, KERR_INVALID, "answer to \"%s\" is not a "
                            "whole number", q->key);
        if (n < q->min || n > q->max)
            return kerr_set(err, KERR_INVALID, "answer to \"%s\" must be from "
                            "%lld to %lld", q->key, q->min, q->max);
        return KERR_OK;
    case KSURVEY_TEXT:
        return check_typed(q, v, q->max, "answer", err);
    }
    return kerr_set(err, KERR_INTERNAL, "question \"%s\" has no type", q->key);
}

/* Index of the first shown question still needing an answer, or -1. */
int ksurvey_next_missing(const ksurvey *s, const ksurvey_answers *a)
{
    for (int i = 0; i < s->nq; i++)
        if (ksurvey_visible(&s->q[i], a) &&
            ksurvey_answer_check(&s->q[i], ksurvey_answers_get(a, s->q[i].key),
                                 NULL) != KERR_OK)
            return i;
    return -1;
}

/* Drops answers to hidden or unknown questions. */
void ksurvey_answers_prune(const ksurvey *s, ksurvey_answers *a)
{
    /* In survey order, so that a dropped answer hides what depends on it. */
    for (int i = 0; i < s->nq; i++) {
        int at = find_item(a, s->q[i].key);
        if (at >= 0 && !ksurvey_visible(&s->q[i], a))
            remove_item(a, at);
    }
    for (int i = a->n - 1; i >= 0; i--)
        if (!ksurvey_find(s, a->item[i].key))
            remove_item(a, i);
}

/* Encodes the chosen choices of q. */
int ksurvey_encode_choices(const ksurvey_question *q,
                           const unsigned char *selected,
                           const char *other_text, char *out, size_t cap)
{
    size_t len = 0;
    int count = 0;

    if (q->type != KSURVEY_SINGLE && q->type != KSURVEY_MULTIPLE)
        return KERR_INVALID;
    for (int i = 0; i < q->nchoice; i++)
        count += selected[i] != 0;
    if (q->type == KSURVEY_SINGLE && count != 1)
        return KERR_INVALID;
    if (cap == 0)
        return KERR_FULL;
    out[0] = '\0';
    for (int i = 0; i < q->nchoice; i++) {
        const char *piece = q->choice[i].other ? "other:" : q->choice[i].key;
        const char *tail = q->choice[i].other && other_text ? other_text : "";
        size_t need = (len ? 1 : 0) + strlen(piece) + strlen(tail);
        if (!selected[i])
            continue;
        if (len + need + 1 > cap)
            return KERR_FULL;
        len += (size_t)snprintf(out + len, cap - len, "%s%s%s", len ? ";" : "",
                                piece, tail);
    }
    return KERR_OK;
}

/* Non-zero if the encoded value includes choice key ("other": a write-in). */
int ksurvey_answer_has(const char *value, const char *key)
{
    size_t klen;
    if (!value || !key)
        return 0;
    klen = strlen(key);
    for (const char *p = value;;) {
        size_t n = strcspn(p, ";");
        if (strncmp(p, "other:", 6) == 0)
            return strcmp(key, "other") == 0;
        if (n == klen && memcmp(p, key, n) == 0)
            return 1;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

/* The write-in text of an encoded value, or NULL. */
const char *ksurvey_answer_other(const char *value)
{
    for (const char *p = value; p && *p;) {
        size_t n = strcspn(p, ";");
        if (strncmp(p, "other:", 6) == 0)
            return p + 6;
        if (!p[n])
            break;
        p += n + 1;
    }
    return NULL;
}
