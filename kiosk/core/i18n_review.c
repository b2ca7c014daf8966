/*
 * i18n_review.c - the review items of a language (see i18n_review.h).
 *
 * Matching places to items is a scan: a language has a few hundred items
 * and a tour records a few hundred distinct places, so pattern-matching
 * each place against each item costs well under a millisecond per pair
 * list and keeps the code obvious.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, opendir */

#include "i18n_review.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define KREVIEW_FILE_MAX_BYTES (4u << 20)
#define KREVIEW_FIELD_MAX 4096
#define KREVIEW_COLS_MAX 64

/* ---- small helpers ---------------------------------------------------------- */

/* Reads a whole file (NUL-terminated) into *out. */
static int slurp(const char *path, char **out, size_t *len, kerr *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(KREVIEW_FILE_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, KREVIEW_FILE_MAX_BYTES + 1, f);
    fclose(f);
    if (n > KREVIEW_FILE_MAX_BYTES) {
        free(buf);
        return kerr_set(err, KERR_INVALID, "%s: larger than %u bytes", path,
                        (unsigned)KREVIEW_FILE_MAX_BYTES);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Appends s to a JSON string literal in b (cap bytes); returns new length. */
static size_t json_str(char *b, size_t at, size_t cap, const char *s)
{
    if (!s) {
        at += (size_t)snprintf(b + at, at < cap ? cap - at : 0, "null");
        return at;
    }
    if (at < cap)
        b[at] = '"';
    at++;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8] = "";
        if (*p == '"' || *p == '\\')
            snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p < 0x20)
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        if (esc[0]) {
            for (char *e = esc; *e; e++, at++)
                if (at < cap)
                    b[at] = *e;
        } else {
            if (at < cap)
                b[at] = (char)*p;
            at++;
        }
    }
    if (at < cap)
        b[at] = '"';
    at++;
    if (at < cap)
        b[at] = '\0';
    return at;
}

/* A new item at the end of r, zeroed; NULL when out of memory. */
static kreview_item *add_item(kreview *r)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 256;
        kreview_item *n = realloc(r->it, (size_t)cap * sizeof *n);
        if (!n)
            return NULL;
        r->it = n;
        r->cap = cap;
    }
    kreview_item *it = &r->it[r->n++];
    memset(it, 0, sizeof *it);
    return it;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* ---- catalog items ------------------------------------------------------------ */

static int add_po_items(kreview *r, const ki18n *cat, kerr *err)
{
    const kplural *rule = ki18n_rule(cat, r->lang);
    const ki18n_lang *L = NULL;
    for (int i = 0; i < ki18n_count(cat); i++)
        if (strcmp(ki18n_lang_at(cat, i)->code, r->lang) == 0)
            L = ki18n_lang_at(cat, i);
    for (int i = 0; i < ki18n_template_count(cat); i++) {
        const kpo_entry *t = ki18n_template_at(cat, i);
        const kpo_entry *e = ki18n_entry(cat, r->lang, t->ctx, t->id);
        int nforms = t->id_plural ? rule->nplurals : 1;
        for (int f = 0; f < nforms; f++) {
            kreview_item *it = add_item(r);
            if (!it)
                return kerr_set(err, KERR_INTERNAL, "out of memory");
            it->kind = KREVIEW_PO;
            it->ctx = t->ctx;
            it->msgid = t->id;
            it->msgid_plural = t->id_plural;
            it->form = t->id_plural ? f : -1;
            it->nforms = nforms;
            it->state = ki18n_entry_state(e);
            it->reviewer = e && e->reviewed ? strdup(e->reviewed) : NULL;
            it->file = strdup(L ? L->file : "");
            it->line = e ? e->line : 0;
            const char *en = t->id;
            if (t->id_plural) {
                /* Which numbers take this form: "n = 1, 21, 31 ..." */
                en = t->id_plural;
                for (unsigned long n = 0; n < 30; n++)
                    if (kplural_index(rule, n) == f) {
                        en = n == 1 ? t->id : t->id_plural;
                        break;
                    }
            }
            it->english = strdup(en);
            it->current = dup_or_empty(e && f < e->nstr ? e->str[f] : "");
            char label[600];
            int k = 0;
            if (t->ctx)
                k = snprintf(label, sizeof label, "[%s] ", t->ctx);
            if (t->id_plural) {
                char nums[80] = "";
                int nn = 0;
                for (unsigned long n = 0; n < 200 && nn < 4; n++)
                    if (kplural_index(rule, n) == f) {
                        size_t l = strlen(nums);
                        snprintf(nums + l, sizeof nums - l, "%s%lu", nn ? ", " : "", n);
                        nn++;
                    }
                snprintf(label + k, sizeof label - (size_t)k,
                         "plural form %d of %d (n = %s...)", f, nforms, nums);
            } else {
                snprintf(label + k, sizeof label - (size_t)k, "%s", k ? "" : "message");
                if (k)
                    label[k - 1] = '\0';
            }
            it->label = strdup(label);
            char id[8192];
            size_t at = (size_t)snprintf(id, sizeof id, "[\"po\",%d,", it->form);
            at = json_str(id, at, sizeof id, t->ctx);
            at += (size_t)snprintf(id + at, at < sizeof id ? sizeof id - at : 0, ",");
            at = json_str(id, at, sizeof id, t->id);
            if (at + 2 >= sizeof id)
                return kerr_set(err, KERR_INVALID, "message too long: \"%.60s\"", t->id);
            snprintf(id + at, sizeof id - at, "]");
            it->id = strdup(id);
            if (!it->english || !it->current || !it->label || !it->id || !it->file)
                return kerr_set(err, KERR_INTERNAL, "out of memory");
        }
    }
    return 0;
}

/* ---- survey items --------------------------------------------------------------- */

typedef struct survey_mark {
    char file[128], row[16], key[64], choice[64], lang[16];
    char *english, *reviewer;
} survey_mark;

typedef struct survey_marks {
    survey_mark *m;
    int n, cap;
} survey_marks;

/* Reads every record of a CSV buffer; calls fn with the fields. */
static int csv_records(const char *path, const char *buf, size_t len,
                       int (*fn)(void *ctx, char **f, int n, int line), void *ctx, kerr *err)
{
    kcsv r;
    kcsv_init(&r, buf, len);
    char *f[KREVIEW_COLS_MAX];
    for (int i = 0; i < KREVIEW_COLS_MAX; i++)
        f[i] = NULL;
    char *field = malloc(KREVIEW_FIELD_MAX);
    int rc = field ? 0 : kerr_set(err, KERR_INTERNAL, "out of memory");
    int n = 0, line = 0;
    kcsv_field fl;
    while (!rc && kcsv_next(&r, field, KREVIEW_FIELD_MAX, &fl)) {
        if (n == 0)
            line = fl.line;
        if (fl.error) {
            rc = kerr_set(err, KERR_INVALID, "%s:%d:%d: %s", path, fl.error_line, fl.error_col,
                          fl.error);
            break;
        }
        if (n < KREVIEW_COLS_MAX) {
            free(f[n]);
            f[n] = strdup(field);
            if (!f[n])
                rc = kerr_set(err, KERR_INTERNAL, "out of memory");
        }
        n++;
        if (fl.end_of_record) {
            if (!rc)
                rc = fn(ctx, f, n < KREVIEW_COLS_MAX ? n : KREVIEW_COLS_MAX, line);
            n = 0;
        }
    }
    for (int i = 0; i < KREVIEW_COLS_MAX; i++)
        free(f[i]);
    free(field);
    return rc;
}

typedef struct marks_ctx {
    survey_marks *sm;
    int header_seen;
    kerr *err;
} marks_ctx;

static int mark_record(void *vctx, char **f, int n, int line)
{
    (void)line;
    marks_ctx *c = vctx;
    if (!c->header_seen) {
        c->header_seen = 1;
        return 0;
    }
    if (n < 7 || !f[0][0])
        return 0;
    survey_marks *sm = c->sm;
    if (sm->n == sm->cap) {
        int cap = sm->cap ? sm->cap * 2 : 64;
        survey_mark *m = realloc(sm->m, (size_t)cap * sizeof *m);
        if (!m)
            return kerr_set(c->err, KERR_INTERNAL, "out of memory");
        sm->m = m;
        sm->cap = cap;
    }
    survey_mark *m = &sm->m[sm->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->file, sizeof m->file, "%s", f[0]);
    snprintf(m->row, sizeof m->row, "%s", f[1]);
    snprintf(m->key, sizeof m->key, "%s", f[2]);
    snprintf(m->choice, sizeof m->choice, "%s", f[3]);
    snprintf(m->lang, sizeof m->lang, "%s", f[4]);
    m->english = strdup(f[5]);
    m->reviewer = strdup(f[6]);
    return m->english && m->reviewer ? 0 : kerr_set(c->err, KERR_INTERNAL, "out of memory");
}

static void marks_free(survey_marks *sm)
{
    for (int i = 0; i < sm->n; i++) {
        free(sm->m[i].english);
        free(sm->m[i].reviewer);
    }
    free(sm->m);
    memset(sm, 0, sizeof *sm);
}

static int load_marks(survey_marks *sm, const char *po_dir, kerr *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", po_dir, KREVIEW_SURVEY_FILE);
    char *buf;
    size_t len;
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return errno == ENOENT ? 0 : kerr_set(err, KERR_IO, "cannot open %s: %s", path,
                                               strerror(errno));
    fclose(probe);
    int rc = slurp(path, &buf, &len, err);
    if (rc)
        return rc;
    marks_ctx c = {sm, 0, err};
    rc = csv_records(path, buf, len, mark_record, &c, err);
    free(buf);
    return rc;
}

typedef struct survey_ctx {
    kreview *r;
    const survey_marks *sm;
    const char *path, *name;     /* file path, its base name */
    int col_row, col_key, col_en, col_lang;
    char question[64];
    kerr *err;
    int header_seen;
} survey_ctx;

static int survey_record(void *vctx, char **f, int n, int line)
{
    survey_ctx *c = vctx;
    if (!c->header_seen) {
        c->header_seen = 1;
        c->col_row = c->col_key = c->col_en = c->col_lang = -1;
        for (int i = 0; i < n; i++) {
            if (strcmp(f[i], "row") == 0) c->col_row = i;
            else if (strcmp(f[i], "key") == 0) c->col_key = i;
            else if (strcmp(f[i], "en") == 0) c->col_en = i;
            else if (strcmp(f[i], c->r->lang) == 0) c->col_lang = i;
        }
        return 0;
    }
    if (c->col_row < 0 || c->col_key < 0 || c->col_en < 0 || c->col_lang < 0)
        return 0;   /* not a survey, or no column for this language */
    if (n <= c->col_row || n <= c->col_key || n <= c->col_en)
        return 0;
    const char *row = f[c->col_row], *key = f[c->col_key];
    if (!row[0] || row[0] == '#')
        return 0;
    const char *choice = NULL;
    if (strcmp(row, "question") == 0) {
        snprintf(c->question, sizeof c->question, "%s", key);
    } else if (strcmp(row, "choice") == 0) {
        choice = key;
        key = c->question;
    } else if (strcmp(row, "survey") != 0) {
        return 0;
    }
    const char *en = f[c->col_en];
    const char *cur = n > c->col_lang ? f[c->col_lang] : "";
    if (!en[0])
        return 0;
    kreview_item *it = add_item(c->r);
    if (!it)
        return kerr_set(c->err, KERR_INTERNAL, "out of memory");
    it->kind = KREVIEW_SURVEY;
    it->form = -1;
    it->nforms = 1;
    it->english = strdup(en);
    it->current = strdup(cur);
    it->file = strdup(c->path);
    it->line = line;
    char label[300];
    if (strcmp(row, "survey") == 0)
        snprintf(label, sizeof label, "survey %s: title", c->name);
    else if (choice)
        snprintf(label, sizeof label, "survey %s: %s, answer %s", c->name, key, choice);
    else
        snprintf(label, sizeof label, "survey %s: question %s", c->name, key);
    it->label = strdup(label);
    char id[1024];
    size_t at = (size_t)snprintf(id, sizeof id, "[\"survey\",");
    at = json_str(id, at, sizeof id, c->name);
    id[at++] = ',';
    at = json_str(id, at, sizeof id, row);
    id[at++] = ',';
    at = json_str(id, at, sizeof id, key);
    id[at++] = ',';
    at = json_str(id, at, sizeof id, choice);
    snprintf(id + at, sizeof id - at, "]");
    it->id = strdup(id);
    it->state = cur[0] ? KI18N_ST_MACHINE : KI18N_ST_UNTRANSLATED;
    for (int i = 0; cur[0] && i < c->sm->n; i++) {
        const survey_mark *m = &c->sm->m[i];
        if (strcmp(m->file, c->name) == 0 && strcmp(m->row, row) == 0 &&
            strcmp(m->key, key) == 0 && strcmp(m->choice, choice ? choice : "") == 0 &&
            strcmp(m->lang, c->r->lang) == 0) {
            it->state = strcmp(m->english, en) == 0 ? KI18N_ST_REVIEWED : KI18N_ST_STALE;
            free(it->reviewer);
            it->reviewer = strdup(m->reviewer);
        }
    }
    if (!it->english || !it->current || !it->file || !it->label || !it->id)
        return kerr_set(c->err, KERR_INTERNAL, "out of memory");
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn for each *.csv of dir, in name order. */
static int each_survey(const char *dir, int (*fn)(void *ctx, const char *path, const char *name),
                       void *ctx, kerr *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return kerr_set(err, KERR_IO, "cannot open survey folder %s: %s", dir, strerror(errno));
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] != '.' && l > 4 && strcmp(de->d_name + l - 4, ".csv") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (!rc && names[i]) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            rc = fn(ctx, path, names[i]);
        }
        free(names[i]);
    }
    return rc;
}

typedef struct build_ctx {
    kreview *r;
    survey_marks *sm;
    kerr *err;
} build_ctx;

static int one_survey(void *vctx, const char *path, const char *name)
{
    build_ctx *b = vctx;
    char *buf;
    size_t len;
    int rc = slurp(path, &buf, &len, b->err);
    if (rc)
        return rc;
    survey_ctx c;
    memset(&c, 0, sizeof c);
    c.r = b->r;
    c.sm = b->sm;
    c.path = path;
    c.name = name;
    c.err = b->err;
    rc = csv_records(path, buf, len, survey_record, &c, b->err);
    free(buf);
    return rc;
}

int kreview_build(kreview *r, const ki18n *cat, const char *lang, const char *po_dir,
                  const char *surveys_dir, kerr *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->lang, sizeof r->lang, "%s", lang);
    int rc = add_po_items(r, cat, err);
    survey_marks sm = {0};
    if (!rc)
        rc = load_marks(&sm, po_dir, err);
    build_ctx b = {r, &sm, err};
    if (!rc && surveys_dir)
        rc = each_survey(surveys_dir, one_survey, &b, err);
    marks_free(&sm);
    if (rc)
        kreview_free(r);
    return rc;
}

void kreview_free(kreview *r)
{
    for (int i = 0; i < r->n; i++) {
        kreview_item *it = &r->it[i];
        free(it->id);
        free(it->label);
        free(it->english);
        free(it->current);
        free(it->reviewer);
        free(it->file);
    }
    free(r->it);
    memset(r, 0, sizeof *r);
}

kreview_item *kreview_find(kreview *r, const char *id)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->it[i].id, id) == 0)
            return &r->it[i];
    return NULL;
}

const kreview_place *kreview_tightest(const kreview_item *it)
{
    const kreview_place *best = NULL;
    for (int i = 0; i < it->nplaces; i++)
        if (!best || it->place[i].w < best->w ||
            (it->place[i].w == best->w && it->place[i].h < best->h))
            best = &it->place[i];
    return best;
}

/* ---- places -------------------------------------------------------------------- */

int kreview_pattern_match(const char *p, const char *s)
{
    while (*p) {
        if (*p == '{') {
            const char *q = p + 1;
            while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' ||
                   (q > p + 1 && *q >= '0' && *q <= '9'))
                q++;
            if (*q == '}' && q > p + 1) {
                /* A placeholder: one or more characters, shortest first. */
                for (const char *t = s + 1; t <= s + strlen(s); t++)
                    if (s[0] && kreview_pattern_match(q + 1, t))
                        return 1;
                return 0;
            }
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *s == '\0';
}

/* Undoes the escapes of a places line's text, in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* 1 if the list "a, b, c" holds the name. */
static int list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strstr(p, ", ");
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, name, n) == 0)
            return 1;
        p = e ? e + 2 : p + l;
    }
    return 0;
}

/* Length of a pattern's text outside its {placeholders}. */
static size_t literal_len(const char *p)
{
    size_t n = 0;
    while (*p) {
        if (*p == '{') {
            const char *q = strchr(p, '}');
            if (q) {
                p = q + 1;
                continue;
            }
        }
        n++;
        p++;
    }
    return n;
}

/* Records place pl (screen, box) on item it, once. */
static void add_place(kreview_item *it, const kreview_place *pl)
{
    if (!list_has(it->screens, pl->screen)) {
        size_t l = strlen(it->screens);
        if (l + strlen(pl->screen) + 3 < sizeof it->screens)
            snprintf(it->screens + l, sizeof it->screens - l, "%s%s", l ? ", " : "",
                     pl->screen);
    }
    for (int i = 0; i < it->nplaces; i++) {
        const kreview_place *o = &it->place[i];
        if (o->w == pl->w && o->h == pl->h && o->px == pl->px && o->min_px == pl->min_px &&
            o->flags == pl->flags)
            return;
    }
    if (it->nplaces < KREVIEW_PLACES_MAX)
        it->place[it->nplaces++] = *pl;
}

int kreview_add_places(kreview *r, const char *path, kerr *err)
{
    char *buf;
    size_t len;
    int rc = slurp(path, &buf, &len, err);
    if (rc)
        return rc;
    int lineno = 0;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *f[8];
        int n = 0;
        for (char *p = line; n < 8;) {
            f[n++] = p;
            char *tab = n < 8 ? strchr(p, '\t') : NULL;
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n == 8 && strcmp(f[1], r->lang) == 0) {
            kreview_place pl;
            memset(&pl, 0, sizeof pl);
            snprintf(pl.screen, sizeof pl.screen, "%s", f[0]);
            pl.w = atoi(f[2]);
            pl.h = atoi(f[3]);
            pl.px = atoi(f[4]);
            pl.min_px = atoi(f[5]);
            pl.flags = atoi(f[6]);
            unescape(f[7]);
            for (int i = 0; i < r->n; i++) {
                kreview_item *it = &r->it[i];
                /* What the kiosk shows: the translation, or English. */
                const char *shown = it->current[0] && it->state != KI18N_ST_STALE
                                        ? it->current
                                        : it->english;
                /* A text that is all placeholders would match anything. */
                if (literal_len(shown) > 0 && kreview_pattern_match(shown, f[7]))
                    add_place(it, &pl);
            }
        } else if (n != 8 && line[0]) {
            free(buf);
            return kerr_set(err, KERR_INVALID, "%s:%d: not a places line (8 tab-separated "
                            "fields)", path, lineno);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    return 0;
}

/* ---- survey counts ------------------------------------------------------------ */

int kreview_survey_counts(const char *lang, const char *po_dir, const char *surveys_dir,
                          ki18n_counts *out, kerr *err)
{
    memset(out, 0, sizeof *out);
    kreview r;
    memset(&r, 0, sizeof r);
    snprintf(r.lang, sizeof r.lang, "%s", lang);
    survey_marks sm = {0};
    int rc = load_marks(&sm, po_dir, err);
    build_ctx b = {&r, &sm, err};
    if (!rc)
        rc = each_survey(surveys_dir, one_survey, &b, err);
    for (int i = 0; !rc && i < r.n; i++) {
        out->total++;
        switch (r.it[i].state) {
        case KI18N_ST_REVIEWED: out->reviewed++; break;
        case KI18N_ST_STALE: out->stale++; break;
        case KI18N_ST_MACHINE: out->machine++; break;
        default: out->untranslated++; break;
        }
    }
    marks_free(&sm);
    kreview_free(&r);
    return rc;
}
