/*
 * batch.c - encoding and strict parsing of sync batches (see batch.h and
 * sync/PROTOCOL.md section 2).
 *
 * Parsing runs in two passes over one cJSON tree:
 *   1. shape: every member present with the right JSON type, ids and names
 *      well formed, integers exact (|v| <= 2^53, no fraction), fields flat;
 *      the values are copied into a ksync_batch;
 *   2. rules (ksync_batch_check, also used by the encoder's callers): seq
 *      range, order, limits, no id twice.
 * The first failure wins and names its member; nothing half-parsed is
 * returned.  cJSON's global error pointer is not used (it is not thread
 * safe): the parse end comes from cJSON_ParseWithLengthOpts.
 */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define KSYNC_MAX_FIELDS 64     /* members of one record's fields object */
#define KSYNC_MAX_DEPTH 32      /* nesting of objects and arrays in a body */

/* Zeroes the batch and sets this build's protocol version. */
void ksync_batch_init(ksync_batch *b)
{
    memset(b, 0, sizeof *b);
    b->protocol = KSYNC_PROTOCOL;
}

/* Frees every record's fields and the record array. */
void ksync_batch_free(ksync_batch *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->recs[i].fields);
    free(b->recs);
    b->recs = NULL;
    b->n = b->cap = 0;
}

/* Appends a record, growing the array by doubling. */
int ksync_batch_take(ksync_batch *b, ksync_record *r, kerr *err)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        ksync_record *p = realloc(b->recs, (size_t)cap * sizeof *p);
        if (!p) {
            free(r->fields);
            r->fields = NULL;
            return kerr_set(err, KERR_INTERNAL, "batch: out of memory");
        }
        b->recs = p;
        b->cap = cap;
    }
    b->recs[b->n++] = *r;
    r->fields = NULL;
    return 0;
}

/* Checks for exactly 32 lower-case hex digits. */
int ksync_is_id(const char *s)
{
    for (int i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[32] == '\0';
}

/* 1 if s is 1..max characters of [a-z0-9_]. */
static int is_name(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return 0;
    return n >= 1 && n <= max;
}

/* 1 if s is a boot id: 1..39 characters of [0-9a-zA-Z-]. */
static int is_boot_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') ||
              (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-'))
            return 0;
    return n >= 1 && n <= KSYNC_BOOT_ID_MAX;
}

/* Writes the batch as compact JSON, fields copied verbatim. */
int ksync_batch_encode(const ksync_batch *b, kbuf *out, kerr *err)
{
    kbuf_printf(out, "{\"protocol\":%d,\"device_id\":", b->protocol);
    kbuf_json_str(out, b->device_id);
    kbuf_str(out, ",\"batch_id\":");
    kbuf_json_str(out, b->batch_id);
    kbuf_str(out, ",\"seq_from\":");
    kbuf_int(out, b->seq_from);
    kbuf_str(out, ",\"seq_to\":");
    kbuf_int(out, b->seq_to);
    kbuf_str(out, ",\"sent\":{\"wall_ms\":");
    kbuf_int(out, b->sent_wall_ms);
    kbuf_str(out, ",\"mono_ms\":");
    kbuf_int(out, b->sent_mono_ms);
    kbuf_str(out, ",\"boot_id\":");
    kbuf_json_str(out, b->sent_boot_id);
    kbuf_str(out, "},\"records\":[");
    for (int i = 0; i < b->n; i++) {
        const ksync_record *r = &b->recs[i];
        kbuf_str(out, i ? ",{\"table\":" : "{\"table\":");
        kbuf_json_str(out, r->table);
        kbuf_str(out, ",\"id\":");
        kbuf_json_str(out, r->id);
        kbuf_str(out, ",\"seq\":");
        kbuf_int(out, r->seq);
        kbuf_str(out, ",\"wall_ms\":");
        kbuf_int(out, r->wall_ms);
        kbuf_str(out, ",\"boot_id\":");
        kbuf_json_str(out, r->boot_id);
        kbuf_str(out, ",\"mono_ms\":");
        kbuf_int(out, r->mono_ms);
        kbuf_str(out, ",\"fields\":");
        kbuf_str(out, r->fields ? r->fields : "{}");
        kbuf_str(out, "}");
    }
    kbuf_str(out, "]}");
    if (out->oom)
        return kerr_set(err, KERR_INTERNAL, "batch: out of memory while encoding");
    return 0;
}

/* qsort comparison of record pointers by id. */
static int cmp_rec_id(const void *a, const void *b)
{
    const ksync_record *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

/* Checks the protocol's rules on a filled batch. */
int ksync_batch_check(const ksync_batch *b, kerr *err)
{
    if (b->protocol != KSYNC_PROTOCOL)
        return kerr_set(err, KERR_INVALID, "protocol: version %d not supported (this end speaks %d)",
                        b->protocol, KSYNC_PROTOCOL);
    if (!ksync_is_id(b->device_id))
        return kerr_set(err, KERR_INVALID, "device_id: expected 32 lower-case hex digits");
    if (!ksync_is_id(b->batch_id))
        return kerr_set(err, KERR_INVALID, "batch_id: expected 32 lower-case hex digits");
    if (b->seq_from < 1)
        return kerr_set(err, KERR_INVALID, "seq_from: must be at least 1");
    if (b->seq_to < b->seq_from)
        return kerr_set(err, KERR_INVALID, "seq_to: must not be below seq_from");
    if (b->sent_mono_ms < 0)
        return kerr_set(err, KERR_INVALID, "sent.mono_ms: must not be negative");
    if (!is_boot_id(b->sent_boot_id))
        return kerr_set(err, KERR_INVALID, "sent.boot_id: expected 1-%d characters of [0-9a-zA-Z-]",
                        KSYNC_BOOT_ID_MAX);
    if (b->n < 1)
        return kerr_set(err, KERR_INVALID, "records: must not be empty");
    if (b->n > KSYNC_MAX_RECORDS)
        return kerr_set(err, KERR_INVALID, "records: %d records, at most %d allowed", b->n,
                        KSYNC_MAX_RECORDS);
    for (int i = 0; i < b->n; i++) {
        const ksync_record *r = &b->recs[i];
        if (!is_name(r->table, KSYNC_TABLE_NAME_MAX))
            return kerr_set(err, KERR_INVALID, "records[%d].table: expected 1-%d characters of [a-z0-9_]",
                            i, KSYNC_TABLE_NAME_MAX);
        if (!ksync_is_id(r->id))
            return kerr_set(err, KERR_INVALID, "records[%d].id: expected 32 lower-case hex digits", i);
        if (r->seq < b->seq_from || r->seq > b->seq_to)
            return kerr_set(err, KERR_INVALID, "records[%d].seq: %lld is outside seq_from..seq_to",
                            i, (long long)r->seq);
        if (i > 0 && r->seq <= b->recs[i - 1].seq)
            return kerr_set(err, KERR_INVALID, "records[%d].seq: not above the seq of records[%d]",
                            i, i - 1);
        if (!is_boot_id(r->boot_id))
            return kerr_set(err, KERR_INVALID, "records[%d].boot_id: expected 1-%d characters of [0-9a-zA-Z-]",
                            i, KSYNC_BOOT_ID_MAX);
        if (r->mono_ms < 0)
            return kerr_set(err, KERR_INVALID, "records[%d].mono_ms: must not be negative", i);
        if (!r->fields || r->fields[0] != '{')
            return kerr_set(err, KERR_INVALID, "records[%d].fields: expected an object", i);
        if (strlen(r->fields) > KSYNC_MAX_FIELDS_BYTES)
            return kerr_set(err, KERR_INVALID, "records[%d].fields: longer than %d bytes", i,
                            KSYNC_MAX_FIELDS_BYTES);
    }
    if (b->recs[b->n - 1].seq != b->seq_to)
        return kerr_set(err, KERR_INVALID, "seq_to: the last record's seq is %lld, not seq_to",
                        (long long)b->recs[b->n - 1].seq);
    const ksync_record **byid = malloc((size_t)b->n * sizeof *byid);
    if (!byid)
        return kerr_set(err, KERR_INTERNAL, "batch: out of memory");
    for (int i = 0; i < b->n; i++)
        byid[i] = &b->recs[i];
    qsort(byid, (size_t)b->n, sizeof *byid, cmp_rec_id);
    int rc = 0;
    for (int i = 1; i < b->n && rc == 0; i++)
        if (strcmp(byid[i]->id, byid[i - 1]->id) == 0)
            rc = kerr_set(err, KERR_INVALID, "records[%d].id: the same id appears twice in the batch",
                          (int)(byid[i] - b->recs));
    free(byid);
    return rc;
}

/* ---- parsing: shape ------------------------------------------------------ */

/* Reads an exact integer member; path names the containing object. */
static int get_int(const cJSON *obj, const char *name, const char *path, int64_t *out, kerr *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it)
        return kerr_set(err, KERR_INVALID, "%s%s: missing", path, name);
    if (!cJSON_IsNumber(it))
        return kerr_set(err, KERR_INVALID, "%s%s: expected an integer", path, name);
    double v = it->valuedouble;
    if (!(fabs(v) <= KSYNC_JSON_INT_MAX) || floor(v) != v)
        return kerr_set(err, KERR_INVALID, "%s%s: expected an integer of at most 2^53", path, name);
    *out = (int64_t)v;
    return 0;
}

/* Reads a string member into buf (cap bytes with NUL). */
static int get_str(const cJSON *obj, const char *name, const char *path, char *buf, size_t cap,
                   kerr *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it)
        return kerr_set(err, KERR_INVALID, "%s%s: missing", path, name);
    if (!cJSON_IsString(it) || !it->valuestring)
        return kerr_set(err, KERR_INVALID, "%s%s: expected a string", path, name);
    size_t n = strlen(it->valuestring);
    if (n >= cap)
        return kerr_set(err, KERR_INVALID, "%s%s: longer than %zu characters", path, name, cap - 1);
    memcpy(buf, it->valuestring, n + 1);
    return 0;
}

/* Checks a record's fields object and prints it compactly into *out. */
static int get_fields(const cJSON *rec, const char *path, char **out, kerr *err)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(rec, "fields");
    if (!f)
        return kerr_set(err, KERR_INVALID, "%sfields: missing", path);
    if (!cJSON_IsObject(f))
        return kerr_set(err, KERR_INVALID, "%sfields: expected an object", path);
    int count = 0;
    for (const cJSON *m = f->child; m; m = m->next) {
        if (++count > KSYNC_MAX_FIELDS)
            return kerr_set(err, KERR_INVALID, "%sfields: more than %d members", path, KSYNC_MAX_FIELDS);
        if (!m->string || !is_name(m->string, KSYNC_FIELD_NAME_MAX))
            return kerr_set(err, KERR_INVALID, "%sfields: member name must be 1-%d characters of [a-z0-9_]",
                            path, KSYNC_FIELD_NAME_MAX);
        for (const cJSON *o = f->child; o != m; o = o->next)
            if (strcmp(o->string, m->string) == 0)
                return kerr_set(err, KERR_INVALID, "%sfields.%s: appears twice", path, m->string);
        if (cJSON_IsNumber(m)) {
            double v = m->valuedouble;
            if (!(fabs(v) <= KSYNC_JSON_INT_MAX) || floor(v) != v)
                return kerr_set(err, KERR_INVALID, "%sfields.%s: numbers must be integers of at most 2^53",
                                path, m->string);
        } else if (!cJSON_IsString(m) && !cJSON_IsBool(m) && !cJSON_IsNull(m)) {
            return kerr_set(err, KERR_INVALID, "%sfields.%s: expected a string, integer, boolean or null",
                            path, m->string);
        }
    }
    char *text = cJSON_PrintUnformatted(f);
    if (!text)
        return kerr_set(err, KERR_INTERNAL, "cJSON_PrintUnformatted: out of memory");
    if (strlen(text) > KSYNC_MAX_FIELDS_BYTES) {
        cJSON_free(text);
        return kerr_set(err, KERR_INVALID, "%sfields: longer than %d bytes", path, KSYNC_MAX_FIELDS_BYTES);
    }
    /* cJSON's allocator is malloc here, but copy so that free() is always right. */
    *out = strdup(text);
    cJSON_free(text);
    return *out ? 0 : kerr_set(err, KERR_INTERNAL, "strdup: out of memory");
}

/* Reads one record object into r. */
static int parse_record(const cJSON *rec, int i, ksync_record *r, kerr *err)
{
    char path[48];
    snprintf(path, sizeof path, "records[%d].", i);
    if (!cJSON_IsObject(rec))
        return kerr_set(err, KERR_INVALID, "records[%d]: expected an object", i);
    int rc;
    if ((rc = get_str(rec, "table", path, r->table, sizeof r->table, err)) ||
        (rc = get_str(rec, "id", path, r->id, sizeof r->id, err)) ||
        (rc = get_int(rec, "seq", path, &r->seq, err)) ||
        (rc = get_int(rec, "wall_ms", path, &r->wall_ms, err)) ||
        (rc = get_str(rec, "boot_id", path, r->boot_id, sizeof r->boot_id, err)) ||
        (rc = get_int(rec, "mono_ms", path, &r->mono_ms, err)))
        return rc;
    return get_fields(rec, path, &r->fields, err);
}

/* Reads the top-level members and the records of root into out. */
static int parse_root(const cJSON *root, ksync_batch *out, kerr *err)
{
    if (!cJSON_IsObject(root))
        return kerr_set(err, KERR_INVALID, "batch: expected a JSON object");
    int64_t proto;
    int rc;
    if ((rc = get_int(root, "protocol", "", &proto, err)))
        return rc;
    if (proto != KSYNC_PROTOCOL)
        return kerr_set(err, KERR_INVALID, "protocol: version %lld not supported (this end speaks %d)",
                        (long long)proto, KSYNC_PROTOCOL);
    const cJSON *sent = cJSON_GetObjectItemCaseSensitive(root, "sent");
    if ((rc = get_str(root, "device_id", "", out->device_id, sizeof out->device_id, err)) ||
        (rc = get_str(root, "batch_id", "", out->batch_id, sizeof out->batch_id, err)) ||
        (rc = get_int(root, "seq_from", "", &out->seq_from, err)) ||
        (rc = get_int(root, "seq_to", "", &out->seq_to, err)))
        return rc;
    if (!sent)
        return kerr_set(err, KERR_INVALID, "sent: missing");
    if (!cJSON_IsObject(sent))
        return kerr_set(err, KERR_INVALID, "sent: expected an object");
    if ((rc = get_int(sent, "wall_ms", "sent.", &out->sent_wall_ms, err)) ||
        (rc = get_int(sent, "mono_ms", "sent.", &out->sent_mono_ms, err)) ||
        (rc = get_str(sent, "boot_id", "sent.", out->sent_boot_id, sizeof out->sent_boot_id, err)))
        return rc;
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "records");
    if (!recs)
        return kerr_set(err, KERR_INVALID, "records: missing");
    if (!cJSON_IsArray(recs))
        return kerr_set(err, KERR_INVALID, "records: expected an array");
    int i = 0;
    for (const cJSON *rec = recs->child; rec; rec = rec->next, i++) {
        if (i >= KSYNC_MAX_RECORDS)
            return kerr_set(err, KERR_INVALID, "records: more than %d records", KSYNC_MAX_RECORDS);
        ksync_record r;
        memset(&r, 0, sizeof r);
        if ((rc = parse_record(rec, i, &r, err))) {
            free(r.fields);
            return rc;
        }
        if ((rc = ksync_batch_take(out, &r, err)))
            return rc;
    }
    return 0;
}

/* 1 if text ends inside a string or an open object or array: the sign of
 * a body cut short (cJSON reports such errors at the token's start). */
static int ends_unfinished(const char *text, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return in_str || depth > 0;
}

/* ---- parsing: the text itself ------------------------------------------- */

/* The strict reading of JSON text that cJSON has already accepted as
 * syntax.  cJSON turns every number into a double (so 1.0, 1e1 and
 * 2^53 + 1 all become "integers"), cuts strings at an escaped \u0000 and
 * copies bytes that are not UTF-8; this pass walks the same text once and
 * refuses those, naming the member by its path (records[2].seq). */
typedef struct lexer {
    const char *t;
    size_t len, i;
    char path[192];
    int depth;
    kerr *err;
} lexer;

/* Refuses at the current member. */
static int lex_fail(lexer *x, const char *what)
{
    return kerr_set(x->err, KERR_INVALID, "%s: %s", x->path[0] ? x->path : "batch", what);
}

static void lex_ws(lexer *x)
{
    while (x->i < x->len && (x->t[x->i] == ' ' || x->t[x->i] == '\n' || x->t[x->i] == '\r' ||
                             x->t[x->i] == '\t'))
        x->i++;
}

/* Four hex digits at t[i..i+4) as a number, or -1. */
static long lex_hex4(const lexer *x, size_t i)
{
    if (i + 4 > x->len)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        char c = x->t[i + k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string at t[i] == '"': UTF-8, no raw control character, no \u0000, no
 * lone surrogate.  *start and *n get the raw text between the quotes. */
static int lex_string(lexer *x, size_t *start, size_t *n)
{
    x->i++;
    *start = x->i;
    while (x->i < x->len) {
        unsigned char c = (unsigned char)x->t[x->i];
        if (c == '"') {
            *n = x->i - *start;
            x->i++;
            return 0;
        }
        if (c < 0x20)
            return lex_fail(x, "control character inside a string (write it as an escape)");
        if (c == '\\') {
            if (x->i + 1 >= x->len)
                break;
            if (x->t[x->i + 1] != 'u') {
                x->i += 2;
                continue;
            }
            long u = lex_hex4(x, x->i + 2);
            if (u < 0)
                return lex_fail(x, "bad \\u escape");
            if (u == 0)
                return lex_fail(x, "\\u0000 (a NUL character) is not allowed in text");
            if (u >= 0xdc00 && u <= 0xdfff)
                return lex_fail(x, "\\u escape of a lone low surrogate (not a character)");
            x->i += 6;
            if (u >= 0xd800 && u <= 0xdbff) {
                long lo = x->i + 1 < x->len && x->t[x->i] == '\\' && x->t[x->i + 1] == 'u'
                          ? lex_hex4(x, x->i + 2) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return lex_fail(x, "\\u escape of a high surrogate without its low half");
                x->i += 6;
            }
            continue;
        }
        if (c >= 0x80) {
            int l = 1;
            /* the closing quote ends any sequence cut short, so decoding
             * never reads past the string */
            if (kutf8_decode(x->t + x->i, &l) < 0)
                return lex_fail(x, "text is not valid UTF-8");
            x->i += (size_t)l;
            continue;
        }
        x->i++;
    }
    return lex_fail(x, "string not closed");
}

/* A number: -?(0|[1-9][0-9]*), no fraction or exponent, |v| <= 2^53. */
static int lex_number(lexer *x)
{
    size_t s = x->i;
    if (x->t[x->i] == '-')
        x->i++;
    size_t d = x->i;
    while (x->i < x->len && x->t[x->i] >= '0' && x->t[x->i] <= '9')
        x->i++;
    size_t nd = x->i - d;
    int frac = x->i < x->len && (x->t[x->i] == '.' || x->t[x->i] == 'e' || x->t[x->i] == 'E');
    char shown[40];
    size_t sl = 0;
    for (size_t k = s; k < x->len && sl < sizeof shown - 1 && (isdigit((unsigned char)x->t[k]) ||
         (x->t[k] && strchr("-+.eE", x->t[k]))); k++)
        shown[sl++] = x->t[k];
    shown[sl] = '\0';
    char msg[160];
    if (frac || nd == 0 || (nd > 1 && x->t[d] == '0')) {
        snprintf(msg, sizeof msg, "expected an integer, got %s (no fraction, exponent or leading zero)", shown);
        return lex_fail(x, msg);
    }
    if (nd > 16 || (nd == 16 && memcmp(x->t + d, "9007199254740992", 16) > 0)) {
        snprintf(msg, sizeof msg, "integer %s is beyond 2^53", shown);
        return lex_fail(x, msg);
    }
    return 0;
}

static int lex_value(lexer *x);

/* Appends ".name" (or "name" at the top) to the path; returns the old length. */
static size_t lex_push_name(lexer *x, const char *s, size_t n)
{
    size_t old = strlen(x->path);
    snprintf(x->path + old, sizeof x->path - old, "%s%.*s", old ? "." : "", (int)(n > 64 ? 64 : n), s);
    return old;
}

/* Appends "[idx]" to the path; returns the old length. */
static size_t lex_push_index(lexer *x, long idx)
{
    size_t old = strlen(x->path);
    snprintf(x->path + old, sizeof x->path - old, "[%ld]", idx);
    return old;
}

static int lex_object(lexer *x)
{
    x->i++;
    lex_ws(x);
    if (x->i < x->len && x->t[x->i] == '}') {
        x->i++;
        return 0;
    }
    for (;;) {
        lex_ws(x);
        if (x->i >= x->len || x->t[x->i] != '"')
            return lex_fail(x, "expected a member name");
        size_t ks, kn;
        int rc = lex_string(x, &ks, &kn);
        if (rc)
            return rc;
        lex_ws(x);
        if (x->i >= x->len || x->t[x->i] != ':')
            return lex_fail(x, "expected ':'");
        x->i++;
        size_t old = lex_push_name(x, x->t + ks, kn);
        rc = lex_value(x);
        x->path[old] = '\0';
        if (rc)
            return rc;
        lex_ws(x);
        if (x->i < x->len && x->t[x->i] == ',') {
            x->i++;
            continue;
        }
        if (x->i < x->len && x->t[x->i] == '}') {
            x->i++;
            return 0;
        }
        return lex_fail(x, "expected ',' or '}'");
    }
}

static int lex_array(lexer *x)
{
    x->i++;
    lex_ws(x);
    if (x->i < x->len && x->t[x->i] == ']') {
        x->i++;
        return 0;
    }
    for (long k = 0;; k++) {
        size_t old = lex_push_index(x, k);
        int rc = lex_value(x);
        x->path[old] = '\0';
        if (rc)
            return rc;
        lex_ws(x);
        if (x->i < x->len && x->t[x->i] == ',') {
            x->i++;
            continue;
        }
        if (x->i < x->len && x->t[x->i] == ']') {
            x->i++;
            return 0;
        }
        return lex_fail(x, "expected ',' or ']'");
    }
}

static int lex_value(lexer *x)
{
    lex_ws(x);
    if (x->i >= x->len)
        return lex_fail(x, "value missing");
    char c = x->t[x->i];
    if (c == '{' || c == '[') {
        if (++x->depth > KSYNC_MAX_DEPTH)
            return lex_fail(x, "nested deeper than the protocol allows");
        int rc = c == '{' ? lex_object(x) : lex_array(x);
        x->depth--;
        return rc;
    }
    if (c == '"') {
        size_t s, n;
        return lex_string(x, &s, &n);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return lex_number(x);
    static const char *const words[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t wl = strlen(words[k]);
        if (x->len - x->i >= wl && memcmp(x->t + x->i, words[k], wl) == 0) {
            x->i += wl;
            return 0;
        }
    }
    return lex_fail(x, "unexpected character");
}

/* Checks JSON text strictly (see the lexer above). */
int ksync_json_strict(const char *text, size_t len, kerr *err)
{
    lexer x = {text, len, 0, "", 0, err};
    return lex_value(&x);
}

/* Parses with cJSON, reads the shape, then checks the rules. */
int ksync_batch_parse(const char *text, size_t len, ksync_batch *out, kerr *err)
{
    ksync_batch_init(out);
    if (len == 0)
        return kerr_set(err, KERR_INVALID, "batch: empty body");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        if (at + 1 >= len || ends_unfinished(text, len))
            return kerr_set(err, KERR_INVALID, "batch: not JSON: text ends at byte %zu before the "
                            "object is complete (truncated?)", len);
        return kerr_set(err, KERR_INVALID, "batch: not JSON: syntax error at byte %zu", at);
    }
    size_t at = (size_t)(end - text);
    while (at < len && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' || text[at] == '\t'))
        at++;
    int rc;
    if (at < len)
        rc = kerr_set(err, KERR_INVALID, "batch: unexpected text after the JSON object at byte %zu", at);
    else if ((rc = ksync_json_strict(text, len, err)) == 0)
        rc = parse_root(root, out, err);
    cJSON_Delete(root);
    if (rc == 0)
        rc = ksync_batch_check(out, err);
    if (rc != 0)
        ksync_batch_free(out);
    return rc;
}
