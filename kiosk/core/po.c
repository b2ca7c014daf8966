/*
 * po.c - the strict PO reader (see po.h).
 *
 * The file is read line by line.  An entry is built in stages, and each
 * keyword is only allowed in the stage that can take it:
 *
 *          msgctxt        msgid          msgid_plural       msgstr[0]
 *   EMPTY ---------> CTX -------> ID ----------------> PLURAL --------+
 *     |                            |  msgstr                          v
 *     +------ msgid ---------------+---------------------------->  STR
 *                                                      (msgstr[N+1] stays)
 *
 * A comment, a blank line, a new msgctxt/msgid or the end of the file
 * closes an entry in STR; meeting any of them in CTX, ID or PLURAL is an
 * error ("msgid without msgstr").  A line holding only a string continues
 * the string of the last keyword.  "#, fuzzy" marks the next entry.
 *
 * Invariants: every kept entry has a msgid and at least one msgstr;
 * entries with msgid_plural have msgstr[0..nstr-1] and no plain msgstr;
 * strings are valid UTF-8 without NUL bytes.
 */
#include "po.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_EMPTY, ST_CTX, ST_ID, ST_PLURAL, ST_STR };

typedef struct kpo_reader {
    kpo *po;
    kerr *err;
    int line;              /* line being read, 1-based */
    int stage;             /* ST_ */
    kpo_entry cur;         /* the entry being built */
    int fuzzy_next;        /* "#, fuzzy" seen for the next entry */
    char *reviewed_next;   /* "# reviewed by ..." seen for the next entry */
    char **open;           /* the string a continuation line extends */
    int failed;
} kpo_reader;

/* Sets "FILE:LINE: reason" in err; returns KERR_INVALID. */
__attribute__((format(printf, 3, 4)))
static int rd_fail(kpo_reader *r, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return kerr_set(r->err, KERR_INVALID, "%s:%d: %s", r->po->file, line, msg);
}

/* Sets the out-of-memory error; returns KERR_INTERNAL. */
static int rd_oom(kpo_reader *r)
{
    r->failed = 1;
    return kerr_set(r->err, KERR_INTERNAL, "%s:%d: out of memory", r->po->file, r->line);
}

/* Frees the strings of one entry. */
static void entry_free(kpo_entry *e)
{
    free(e->ctx);
    free(e->id);
    free(e->id_plural);
    free(e->reviewed);
    for (int i = 0; i < KPLURAL_FORMS_MAX; i++)
        free(e->str[i]);
    memset(e, 0, sizeof *e);
}

/* Column (1-based) of the first invalid UTF-8 byte in s[0..len), or 0. */
static size_t utf8_bad_column(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned long cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
        else return i + 1;
        if (i + n > len)
            return i + 1;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i + 1;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i + 1;
        i += n;
    }
    return 0;
}

/* Parses one quoted string at p (line ends at end) and appends its value to
 * *dst (allocating it when NULL).  Returns 0, or an error code. */
static int parse_string(kpo_reader *r, const char *p, const char *end, char **dst)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || *p != '"')
        return rd_fail(r, r->line, "expected a string in double quotes");
    p++;
    size_t old = *dst ? strlen(*dst) : 0;
    /* The value is never longer than the rest of the line. */
    char *buf = realloc(*dst, old + (size_t)(end - p) + 1);
    if (!buf)
        return rd_oom(r);
    *dst = buf;
    char *w = buf + old;
    for (;;) {
        if (p >= end) {
            *w = '\0';
            return rd_fail(r, r->line, "unterminated string (no closing \")");
        }
        unsigned char c = (unsigned char)*p++;
        if (c == '"')
            break;
        if (c == '\\') {
            if (p >= end) {
                *w = '\0';
                return rd_fail(r, r->line, "unterminated string (\\ at the end of the line)");
            }
            char e = *p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case 'a': c = '\a'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'v': c = '\v'; break;
            default:
                *w = '\0';
                if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7f)
                    return rd_fail(r, r->line, "bad escape \\%c in string", e);
                return rd_fail(r, r->line, "bad escape (\\ before byte 0x%02x) in string",
                               (unsigned char)e);
            }
        } else if (c < 0x20 && c != '\t') {
            *w = '\0';
            return rd_fail(r, r->line, "control character 0x%02x in string (write it as an "
                                       "escape such as \\n)", c);
        }
        *w++ = (char)c;
    }
    *w = '\0';
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end)
        return rd_fail(r, r->line, "unexpected text after the closing \"");
    return 0;
}

/* Appends a finished entry (or takes it as the header). */
static int finish_entry(kpo_reader *r)
{
    kpo *po = r->po;
    kpo_entry *e = &r->cur;
    if (!e->ctx && e->id && e->id[0] == '\0') {
        if (po->header) {
            int rc = rd_fail(r, e->line, "second header (msgid \"\"; the first is at line %d)",
                             po->header_line);
            entry_free(e);
            return rc;
        }
        po->header = e->str[0];
        po->header_line = e->line;
        e->str[0] = NULL;
        entry_free(e);
    } else {
        if (po->n == po->cap) {
            int cap = po->cap ? po->cap * 2 : 64;
            kpo_entry *ne = realloc(po->e, (size_t)cap * sizeof *ne);
            if (!ne)
                return rd_oom(r);
            po->e = ne;
            po->cap = cap;
        }
        po->e[po->n++] = *e;
        memset(e, 0, sizeof *e);
    }
    r->stage = ST_EMPTY;
    r->open = NULL;
    return 0;
}

/* What is missing from an entry left unfinished in stage st. */
static const char *unfinished(int st)
{
    return st == ST_CTX ? "msgctxt without msgid" : st == ST_ID ? "msgid without msgstr"
                                                                : "msgid_plural without msgstr[0]";
}

/* Closes the entry before a comment, blank line or new entry. */
static int close_entry(kpo_reader *r)
{
    if (r->stage == ST_STR)
        return finish_entry(r);
    if (r->stage != ST_EMPTY)
        return rd_fail(r, r->line, "%s (entry starts at line %d)", unfinished(r->stage),
                       r->cur.line);
    return 0;
}

/* Handles a comment line ("#..."). */
static int comment_line(kpo_reader *r, const char *p, const char *end)
{
    if (p + 1 < end && p[1] == '~') {
        /* Obsolete entry: ignored entirely, even inside an entry; the
         * comments and flags written above it were its own. */
        free(r->reviewed_next);
        r->reviewed_next = NULL;
        r->fuzzy_next = 0;
        return 0;
    }
    int rc = close_entry(r);
    if (rc)
        return rc;
    r->open = NULL;
    size_t ml = strlen(KPO_REVIEW_MARK);
    if (end - p > 2 + (long)ml && p[1] == ' ' && memcmp(p + 2, KPO_REVIEW_MARK, ml) == 0) {
        /* The review mark of a translator comment: "# reviewed by Lan, 2026-12-06". */
        const char *v = p + 2 + ml, *ve = end;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        char *m = malloc((size_t)(ve - v) + 1);
        if (!m)
            return rd_oom(r);
        memcpy(m, v, (size_t)(ve - v));
        m[ve - v] = '\0';
        free(r->reviewed_next);
        r->reviewed_next = m;
        return 0;
    }
    if (p + 1 < end && p[1] == ',') {
        /* Flags: comma-separated words; only fuzzy matters here. */
        const char *q = p + 2;
        while (q < end) {
            while (q < end && (*q == ' ' || *q == '\t' || *q == ','))
                q++;
            const char *w = q;
            while (q < end && *q != ',' && *q != ' ' && *q != '\t')
                q++;
            if (q - w == 5 && memcmp(w, "fuzzy", 5) == 0)
                r->fuzzy_next = 1;
        }
    }
    return 0;
}

/* Starts a new entry if the current one is complete. */
static int begin_entry(kpo_reader *r)
{
    if (r->stage == ST_STR) {
        int rc = finish_entry(r);
        if (rc)
            return rc;
    }
    if (r->stage == ST_EMPTY) {
        r->cur.line = r->line;
        r->cur.fuzzy = r->fuzzy_next;
        r->fuzzy_next = 0;
        free(r->cur.reviewed);
        r->cur.reviewed = r->reviewed_next;
        r->reviewed_next = NULL;
    }
    return 0;
}

/* Handles a keyword line: msgctxt, msgid, msgid_plural, msgstr, msgstr[N]. */
static int keyword_line(kpo_reader *r, const char *p, const char *end)
{
    const char *k = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '"')
        p++;
    size_t kl = (size_t)(p - k);
    kpo_entry *e = &r->cur;
    char **dst = NULL;
    int rc;
    if (kl == 7 && memcmp(k, "msgctxt", 7) == 0) {
        if ((rc = begin_entry(r)) != 0)
            return rc;
        if (r->stage != ST_EMPTY)
            return rd_fail(r, r->line, "msgctxt inside an entry (%s, line %d)",
                           unfinished(r->stage), e->line);
        r->stage = ST_CTX;
        dst = &e->ctx;
    } else if (kl == 5 && memcmp(k, "msgid", 5) == 0) {
        if ((rc = begin_entry(r)) != 0)
            return rc;
        if (r->stage != ST_EMPTY && r->stage != ST_CTX)
            return rd_fail(r, r->line, "%s (entry starts at line %d)", unfinished(r->stage),
                           e->line);
        r->stage = ST_ID;
        dst = &e->id;
    } else if (kl == 12 && memcmp(k, "msgid_plural", 12) == 0) {
        if (r->stage != ST_ID)
            return rd_fail(r, r->line, r->stage == ST_PLURAL ? "second msgid_plural"
                                       : r->stage == ST_STR  ? "msgid_plural after msgstr"
                                                             : "msgid_plural without msgid");
        r->stage = ST_PLURAL;
        dst = &e->id_plural;
    } else if (kl == 6 && memcmp(k, "msgstr", 6) == 0) {
        if (r->stage == ST_PLURAL)
            return rd_fail(r, r->line, "plain msgstr after msgid_plural (use msgstr[0], "
                                       "msgstr[1], ...)");
        if (r->stage == ST_STR)
            return rd_fail(r, r->line, "second msgstr for the msgid at line %d", e->line);
        if (r->stage != ST_ID)
            return rd_fail(r, r->line, "msgstr without msgid");
        r->stage = ST_STR;
        e->nstr = 1;
        dst = &e->str[0];
    } else if (kl > 7 && memcmp(k, "msgstr[", 7) == 0 && k[kl - 1] == ']') {
        int n = 0;
        for (const char *d = k + 7; d < k + kl - 1; d++) {
            if (*d < '0' || *d > '9' || n > 1000)
                return rd_fail(r, r->line, "bad plural index in '%.*s'", (int)kl, k);
            n = n * 10 + (*d - '0');
        }
        if (kl == 8)
            return rd_fail(r, r->line, "bad plural index in 'msgstr[]'");
        if (r->stage == ST_EMPTY || r->stage == ST_CTX)
            return rd_fail(r, r->line, "msgstr[%d] without msgid", n);
        if (r->stage == ST_ID)
            return rd_fail(r, r->line, "msgstr[%d] without msgid_plural", n);
        if (r->stage == ST_STR && !e->id_plural)
            return rd_fail(r, r->line, "msgstr[%d] after a plain msgstr", n);
        int want = r->stage == ST_PLURAL ? 0 : e->nstr;
        if (n != want)
            return rd_fail(r, r->line, "msgstr[%d] out of order (expected msgstr[%d])", n, want);
        if (n >= KPLURAL_FORMS_MAX)
            return rd_fail(r, r->line, "msgstr[%d]: at most %d plural forms", n,
                           KPLURAL_FORMS_MAX);
        r->stage = ST_STR;
        e->nstr = n + 1;
        dst = &e->str[n];
    } else {
        return rd_fail(r, r->line, "unknown keyword '%.*s'", (int)(kl > 40 ? 40 : kl), k);
    }
    if ((rc = parse_string(r, p, end, dst)) != 0)
        return rc;
    r->open = dst;
    return 0;
}

/* Handles one line (without its newline). */
static int one_line(kpo_reader *r, const char *p, const char *end)
{
    if (end > p && end[-1] == '\r')
        end--;
    size_t bad = utf8_bad_column((const unsigned char *)p, (size_t)(end - p));
    if (bad)
        return rd_fail(r, r->line, "invalid UTF-8 at column %zu (byte 0x%02x); save the file "
                                   "as UTF-8", bad, (unsigned char)p[bad - 1]);
    if (memchr(p, '\0', (size_t)(end - p)))
        return rd_fail(r, r->line, "NUL byte in the file");
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end)
        return r->stage == ST_STR ? finish_entry(r) : 0;
    if (*p == '#')
        return comment_line(r, p, end);
    if (*p == '"') {
        if (!r->open)
            return rd_fail(r, r->line, "string outside an entry (no keyword before it)");
        return parse_string(r, p, end, r->open);
    }
    return keyword_line(r, p, end);
}

/* Orders entries by context (none first), then msgid. */
static int entry_cmp(const void *a, const void *b)
{
    const kpo_entry *x = *(const kpo_entry *const *)a, *y = *(const kpo_entry *const *)b;
    if (!x->ctx != !y->ctx)
        return x->ctx ? 1 : -1;
    int c = x->ctx ? strcmp(x->ctx, y->ctx) : 0;
    return c ? c : strcmp(x->id, y->id);
}

/* Fails on a message defined twice (same context and msgid). */
static int check_duplicates(kpo_reader *r)
{
    kpo *po = r->po;
    if (po->n < 2)
        return 0;
    const kpo_entry **ix = malloc((size_t)po->n * sizeof *ix);
    if (!ix)
        return rd_oom(r);
    for (int i = 0; i < po->n; i++)
        ix[i] = &po->e[i];
    qsort(ix, (size_t)po->n, sizeof *ix, entry_cmp);
    int rc = 0;
    for (int i = 1; i < po->n && !rc; i++)
        if (entry_cmp(&ix[i - 1], &ix[i]) == 0) {
            const kpo_entry *a = ix[i - 1], *b = ix[i];
            if (a->line > b->line) {
                const kpo_entry *t = a;
                a = b;
                b = t;
            }
            rc = rd_fail(r, b->line, "duplicate message \"%.60s\" (first at line %d)", b->id,
                         a->line);
        }
    free(ix);
    return rc;
}

/* Parses PO text into po. */
int kpo_parse(kpo *po, const char *file, const char *text, size_t len, kerr *err)
{
    memset(po, 0, sizeof *po);
    snprintf(po->file, sizeof po->file, "%s", file ? file : "(catalog)");
    kpo_reader r;
    memset(&r, 0, sizeof r);
    r.po = po;
    r.err = err;
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;   /* a byte-order mark some editors write */
    int rc = 0;
    while (p < end && !rc) {
        r.line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        rc = one_line(&r, p, le);
        p = nl ? nl + 1 : end;
    }
    if (!rc) {
        if (r.stage == ST_STR)
            rc = finish_entry(&r);
        else if (r.stage != ST_EMPTY)
            rc = rd_fail(&r, r.line, "file ends inside an entry: %s (entry starts at line %d)",
                         unfinished(r.stage), r.cur.line);
    }
    if (!rc)
        rc = check_duplicates(&r);
    entry_free(&r.cur);
    free(r.reviewed_next);
    if (rc) {
        char name[sizeof po->file];
        memcpy(name, po->file, sizeof name);
        kpo_free(po);
        memcpy(po->file, name, sizeof name);
    }
    return rc;
}

/* Reads a whole file and parses it. */
int kpo_load(kpo *po, const char *path, kerr *err)
{
    memset(po, 0, sizeof *po);
    snprintf(po->file, sizeof po->file, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(KPO_FILE_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, KPO_FILE_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = kerr_set(err, KERR_IO, "cannot read %s", path);
    else if (n > KPO_FILE_MAX_BYTES)
        rc = kerr_set(err, KERR_INVALID, "%s: larger than %u bytes", path,
                      (unsigned)KPO_FILE_MAX_BYTES);
    else
        rc = kpo_parse(po, path, buf, n, err);
    free(buf);
    return rc;
}

/* Frees all entries and the header. */
void kpo_free(kpo *po)
{
    for (int i = 0; i < po->n; i++)
        entry_free(&po->e[i]);
    free(po->e);
    free(po->header);
    memset(po, 0, sizeof *po);
}

/* Finds "Name: value" among the header's lines (name without case). */
int kpo_header_field(const kpo *po, const char *name, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    if (!po->header)
        return 0;
    size_t nl = strlen(name);
    for (const char *l = po->header; *l;) {
        const char *e = strchr(l, '\n');
        if (!e)
            e = l + strlen(l);
        int match = (size_t)(e - l) > nl && l[nl] == ':';
        for (size_t i = 0; match && i < nl; i++) {
            char a = l[i], b = name[i];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            match = a == b;
        }
        if (match) {
            const char *v = l + nl + 1;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = e;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if (cap)
                snprintf(buf, cap, "%.*s", (int)(ve - v), v);
            return 1;
        }
        l = *e ? e + 1 : e;
    }
    return 0;
}
