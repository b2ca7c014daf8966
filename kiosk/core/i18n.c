/*
 * i18n.c - translation catalogs: loading, lookup and the coverage check
 * (see i18n.h for the files and the language-name design).
 *
 * Layout in memory:
 *
 *   keys[]   every distinct (msgctxt, msgid) of the template and of all
 *            catalogs, found through an open-addressing hash table slot[]
 *            (linear probing, at most half full, so a probe ends fast);
 *   lang[]   one per language, in LINGUAS order: its parsed catalog (which
 *            owns the strings), its compiled plural rule, and tr[], which
 *            maps a key index to the language's entry for it (or NULL).
 *
 * A lookup is: find the language (a few short string compares), hash the
 * msgid, probe, index tr[].  No allocation, no locks: the catalog does not
 * change after ki18n_open.
 *
 * Invariants:
 *   1. Every entry of every loaded file has exactly one key, and
 *      lang[l].tr[key] points at lang l's entry for it or is NULL.
 *   2. keys[k].pot_line > 0 exactly when key k is in the template.
 *   3. A lookup returns either a non-empty, non-fuzzy msgstr or the English
 *      text it was given; never NULL.
 */
#define _POSIX_C_SOURCE 200809L /* opendir */

#include "i18n.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "plural.h"
#include "po.h"
#include "utf8.h"

#define KI18N_PATH_MAX 1024
#define KI18N_LINGUAS_MAX_BYTES 65536
#define KI18N_PH_MAX 16                  /* placeholders compared per string */
#define KI18N_FONT_SEEN_MAX 512          /* missing characters listed per language */
#define KI18N_GLOSSARY_DIR "glossary"
#define KI18N_GLOSSARY_MAX_BYTES 65536
#define KI18N_GLOSSARY_TERMS 200

typedef struct kterm {
    char *en;                            /* "check in|checked in" (lower case) */
    char *tr;                            /* "điểm danh|ghi danh" */
    int line;
} kterm;

typedef struct kkey {
    const char *ctx, *id, *id_plural;    /* owned by a catalog or the template */
    uint32_t hash;
    int pot_line;                        /* line in the template; 0 = not in it */
} kkey;

typedef struct klang {
    ki18n_lang pub;
    char code[KI18N_CODE_MAX];
    char path[KI18N_PATH_MAX];
    char review[200];
    int source;                          /* the language msgids are written in */
    kpo po;
    kplural rule;
    const kpo_entry **tr;                /* [nkeys] */
    char gl_path[KI18N_PATH_MAX + 32];
    kterm *terms;                        /* the glossary, if any */
    int nterms;
    char gl_error[KI18N_PATH_MAX + 400];  /* why the glossary could not be read */
} klang;

struct ki18n {
    char dir[KI18N_PATH_MAX];
    char pot_path[KI18N_PATH_MAX + 32];
    int has_pot;
    kpo pot;
    kkey *keys;
    int nkeys, cap_keys;
    uint32_t *slot;                      /* key index + 1, 0 = empty */
    uint32_t mask;
    klang *lang;
    int nlang;
    char unlisted[KI18N_LANGS_MAX][KI18N_CODE_MAX];  /* CODE.po not in LINGUAS */
    int nunlisted;
};

/* The entry that names each language in itself; xgettext extracts it from
 * here (keyword NC_:1c,2).  The greeting is marked here too, so it stays
 * in the template whatever the welcome screen says. */
static void mark_special_msgids(const char **name, const char **greeting)
{
    /* TRANSLATORS: the name of this language written in this language, as
       on its button on the welcome screen: "Tiếng Việt", "한국어", "ខ្មែរ".
       Not the word "English". */
    *name = NC_("language name", "English");
    /* TRANSLATORS: the big greeting on the first screen. */
    *greeting = N_("Welcome!");
}

/* ---- keys ------------------------------------------------------------------ */

/* FNV-1a of ctx, a 0x04 separator (as gettext's "ctx\004id"), and id. */
static uint32_t hash_key(const char *ctx, const char *id)
{
    uint32_t h = 2166136261u;
    if (ctx) {
        for (const unsigned char *p = (const unsigned char *)ctx; *p; p++)
            h = (h ^ *p) * 16777619u;
        h = (h ^ 4u) * 16777619u;
    }
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* Index of the key (ctx, id), or -1. */
static int key_find(const ki18n *c, const char *ctx, const char *id)
{
    uint32_t h = hash_key(ctx, id);
    for (uint32_t i = h & c->mask;; i = (i + 1) & c->mask) {
        uint32_t s = c->slot[i];
        if (!s)
            return -1;
        const kkey *k = &c->keys[s - 1];
        if (k->hash == h && !k->ctx == !ctx && (!ctx || strcmp(k->ctx, ctx) == 0) &&
            strcmp(k->id, id) == 0)
            return (int)(s - 1);
    }
}

/* Index of the key of entry e, adding it if new.  The table has room:
 * it was sized for every entry of every file. */
static int key_add(ki18n *c, const kpo_entry *e)
{
    uint32_t h = hash_key(e->ctx, e->id);
    uint32_t i = h & c->mask;
    for (;; i = (i + 1) & c->mask) {
        uint32_t s = c->slot[i];
        if (!s)
            break;
        const kkey *k = &c->keys[s - 1];
        if (k->hash == h && !k->ctx == !e->ctx && (!e->ctx || strcmp(k->ctx, e->ctx) == 0) &&
            strcmp(k->id, e->id) == 0)
            return (int)(s - 1);
    }
    assert(c->nkeys < c->cap_keys);
    kkey *k = &c->keys[c->nkeys];
    k->ctx = e->ctx;
    k->id = e->id;
    k->id_plural = e->id_plural;
    k->hash = h;
    k->pot_line = 0;
    c->slot[i] = (uint32_t)++c->nkeys;
    return c->nkeys - 1;
}

/* ---- languages ------------------------------------------------------------- */

/* 1 if s is a language code: a letter, then letters, digits, - or _. */
static int valid_code(const char *s, size_t n)
{
    if (n == 0 || n >= KI18N_CODE_MAX)
        return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

/* Lower-cases ASCII and reads '_' as '-', for comparing codes. */
static char code_char(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return (char)(ch - 'A' + 'a');
    return ch == '_' ? '-' : ch;
}

/* 1 if code equals the first n bytes of s (case and -/_ ignored). */
static int code_eq(const char *code, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n; i++)
        if (!code[i] || code_char(code[i]) != code_char(s[i]))
            return 0;
    return code[i] == '\0';
}

/* Index of the language for tag lang, dropping subtags until one
 * matches; -1 if none does.  NULL means the source language. */
static int find_lang(const ki18n *c, const char *lang)
{
    if (!c)
        return -1;
    if (!lang)
        lang = KI18N_SOURCE_LANG;
    size_t n = strlen(lang);
    while (n > 0) {
        for (int i = 0; i < c->nlang; i++)
            if (code_eq(c->lang[i].code, lang, n))
                return i;
        while (n > 0 && lang[n - 1] != '-' && lang[n - 1] != '_')
            n--;
        if (n > 0)
            n--;
    }
    return -1;
}

/* 1 if entry e has a usable translation in form i. */
static int usable(const kpo_entry *e, int i)
{
    return e && !e->fuzzy && i >= 0 && i < e->nstr && e->str[i] && e->str[i][0];
}

/* Lang l's entry for (ctx, id), or NULL. */
static const kpo_entry *lookup(const ki18n *c, int l, const char *ctx, const char *id)
{
    if (l < 0 || !id)
        return NULL;
    int k = key_find(c, ctx, id);
    return k < 0 ? NULL : c->lang[l].tr[k];
}

/* ---- loading --------------------------------------------------------------- */

/* Compares two codes for qsort. */
static int code_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Lists the CODE.po files of the folder, sorted. */
static int list_catalogs(ki18n *c, char (*codes)[KI18N_CODE_MAX], int *n, kerr *err)
{
    *n = 0;
    DIR *d = opendir(c->dir);
    if (!d)
        return kerr_set(err, KERR_IO, "cannot open catalog folder %s: %s", c->dir,
                        strerror(errno));
    int rc = 0;
    struct dirent *de;
    while (!rc && (errno = 0, de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || len < 4 || strcmp(name + len - 3, ".po") != 0)
            continue;
        if (!valid_code(name, len - 3))
            rc = kerr_set(err, KERR_INVALID,
                          "%s/%s: '%.*s' is not a language code (name catalogs like vi.po, "
                          "zh-Hans.po)", c->dir, name, (int)(len - 3), name);
        else if (*n >= KI18N_LANGS_MAX)
            rc = kerr_set(err, KERR_INVALID, "%s: more than %d catalogs", c->dir,
                          KI18N_LANGS_MAX);
        else
            snprintf(codes[(*n)++], KI18N_CODE_MAX, "%.*s", (int)(len - 3), name);
    }
    if (!rc && errno != 0) /* readdir's NULL was an error, not the end */
        rc = kerr_set(err, KERR_IO, "cannot read catalog folder %s: %s", c->dir,
                      strerror(errno));
    closedir(d);
    if (!rc)
        qsort(codes, (size_t)*n, KI18N_CODE_MAX, code_cmp);
    return rc;
}

/* Reads LINGUAS into order[] (codes, in order); with no LINGUAS the order
 * is that of files[].  Codes of files not listed go to c->unlisted. */
static int read_linguas(ki18n *c, char (*files)[KI18N_CODE_MAX], int nfiles,
                        char (*order)[KI18N_CODE_MAX], int *norder, kerr *err)
{
    char path[KI18N_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", c->dir, KI18N_LINGUAS);
    *norder = 0;
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT) {
        for (int i = 0; i < nfiles; i++)
            memcpy(order[(*norder)++], files[i], KI18N_CODE_MAX);
        return 0;
    }
    if (!f)
        return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(KI18N_LINGUAS_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
    }
    size_t len = fread(buf, 1, KI18N_LINGUAS_MAX_BYTES + 1, f);
    fclose(f);
    int rc = 0;
    if (len > KI18N_LINGUAS_MAX_BYTES)
        rc = kerr_set(err, KERR_INVALID, "%s: larger than %d bytes", path,
                      KI18N_LINGUAS_MAX_BYTES);
    buf[len > KI18N_LINGUAS_MAX_BYTES ? KI18N_LINGUAS_MAX_BYTES : len] = '\0';
    int line = 1;
    for (char *p = buf; !rc && *p;) {
        if (*p == '\n') {
            line++;
            p++;
        } else if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else if (*p == '#') {
            while (*p && *p != '\n')
                p++;
        } else {
            char *w = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '#')
                p++;
            size_t n = (size_t)(p - w);
            int found = -1;
            for (int i = 0; i < nfiles && found < 0; i++)
                if (strlen(files[i]) == n && memcmp(files[i], w, n) == 0)
                    found = i;
            int twice = 0;
            for (int i = 0; i < *norder; i++)
                twice |= strlen(order[i]) == n && memcmp(order[i], w, n) == 0;
            if (!valid_code(w, n))
                rc = kerr_set(err, KERR_INVALID, "%s:%d: '%.*s' is not a language code", path,
                              line, (int)(n > 40 ? 40 : n), w);
            else if (twice)
                rc = kerr_set(err, KERR_INVALID, "%s:%d: %.*s is listed twice", path, line,
                              (int)n, w);
            else if (found < 0)
                rc = kerr_set(err, KERR_INVALID, "%s:%d: no catalog %.*s.po in %s", path, line,
                              (int)n, w, c->dir);
            else
                memcpy(order[(*norder)++], files[found], KI18N_CODE_MAX);
        }
    }
    free(buf);
    if (!rc && *norder == 0)
        rc = kerr_set(err, KERR_INVALID, "%s: names no language", path);
    for (int i = 0; !rc && i < nfiles; i++) {
        int listed = 0;
        for (int j = 0; j < *norder; j++)
            listed |= strcmp(files[i], order[j]) == 0;
        if (!listed)
            memcpy(c->unlisted[c->nunlisted++], files[i], KI18N_CODE_MAX);
    }
    return rc;
}

/* Loads CODE.po and checks its header: UTF-8 and a Plural-Forms rule. */
static int load_lang(ki18n *c, klang *L, const char *code, kerr *err)
{
    snprintf(L->code, sizeof L->code, "%s", code);
    int n = snprintf(L->path, sizeof L->path, "%s/%s.po", c->dir, code);
    if (n < 0 || (size_t)n >= sizeof L->path)
        return kerr_set(err, KERR_INVALID, "%s: path too long", c->dir);
    L->source = code_eq(KI18N_SOURCE_LANG, code, strlen(code));
    kplural_default(&L->rule);
    int rc = kpo_load(&L->po, L->path, err);
    if (rc)
        return rc;
    if (!L->po.header)
        return kerr_set(err, KERR_INVALID,
                        "%s:1: no header (the entry msgid \"\" with Content-Type and "
                        "Plural-Forms)", L->path);
    int hl = L->po.header_line;
    char v[400];
    if (!kpo_header_field(&L->po, "Content-Type", v, sizeof v))
        return kerr_set(err, KERR_INVALID, "%s:%d: header has no Content-Type (write "
                        "\"Content-Type: text/plain; charset=UTF-8\")", L->path, hl);
    const char *cs = strstr(v, "charset=");
    char charset[40] = "";
    if (cs)
        sscanf(cs + 8, "%39[^; \t]", charset);
    if (strcasecmp(charset, "UTF-8") != 0 && strcasecmp(charset, "UTF8") != 0)
        return kerr_set(err, KERR_INVALID, "%s:%d: charset is '%s': catalogs must be UTF-8 "
                        "(Content-Type: text/plain; charset=UTF-8)", L->path, hl, charset);
    if (!kpo_header_field(&L->po, "Plural-Forms", v, sizeof v))
        return kerr_set(err, KERR_INVALID, "%s:%d: header has no Plural-Forms (for example "
                        "\"Plural-Forms: nplurals=1; plural=0;\")", L->path, hl);
    char why[160];
    if (kplural_parse(&L->rule, v, why, sizeof why) != 0)
        return kerr_set(err, KERR_INVALID, "%s:%d: Plural-Forms: %s", L->path, hl, why);
    kpo_header_field(&L->po, "X-Review-Status", L->review, sizeof L->review);
    return 0;
}

/* Copies s, lower-casing ASCII; NULL when out of memory. */
static char *dup_lower(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    return d;
}

/* Reads glossary/CODE.csv if there is one.  A glossary that cannot be read
 * never stops the kiosk: the check reports why (gl_error). */
static void load_glossary(ki18n *c, klang *L)
{
    snprintf(L->gl_path, sizeof L->gl_path, "%.900s/%s/%s.csv", c->dir, KI18N_GLOSSARY_DIR,
             L->code);
    FILE *f = fopen(L->gl_path, "rb");
    if (!f) {
        if (errno != ENOENT)
            snprintf(L->gl_error, sizeof L->gl_error, "cannot open %s: %s", L->gl_path,
                     strerror(errno));
        return;
    }
    char *buf = malloc(KI18N_GLOSSARY_MAX_BYTES + 1);
    L->terms = calloc(KI18N_GLOSSARY_TERMS, sizeof *L->terms);
    size_t len = buf ? fread(buf, 1, KI18N_GLOSSARY_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || !L->terms) {
        snprintf(L->gl_error, sizeof L->gl_error, "%s: out of memory", L->gl_path);
        free(buf);
        return;
    }
    if (len > KI18N_GLOSSARY_MAX_BYTES) {
        snprintf(L->gl_error, sizeof L->gl_error, "%s: larger than %d bytes", L->gl_path,
                 KI18N_GLOSSARY_MAX_BYTES);
        free(buf);
        return;
    }
    kcsv r;
    kcsv_init(&r, buf, len);
    r.check_utf8 = 1;
    char field[3][400];
    int col = 0, row = 0, line = 0;
    kcsv_field fl;
    while (!L->gl_error[0] && kcsv_next(&r, col < 3 ? field[col] : field[2], 400, &fl)) {
        if (col == 0)
            line = fl.line;
        if (fl.error)
            snprintf(L->gl_error, sizeof L->gl_error, "%s:%d:%d: %s", L->gl_path,
                     fl.error_line, fl.error_col, fl.error);
        col++;
        if (!fl.end_of_record)
            continue;
        int ncol = col;
        col = 0;
        if (row++ == 0 || (ncol == 1 && !field[0][0]) || field[0][0] == '#')
            continue;   /* the header, blank rows and notes */
        if (ncol < 2 || !field[0][0] || !field[1][0])
            snprintf(L->gl_error, sizeof L->gl_error,
                     "%s:%d: a term needs its English and its translation", L->gl_path, line);
        else if (L->nterms == KI18N_GLOSSARY_TERMS)
            snprintf(L->gl_error, sizeof L->gl_error, "%s:%d: more than %d terms", L->gl_path,
                     line, KI18N_GLOSSARY_TERMS);
        else {
            kterm *t = &L->terms[L->nterms];
            t->en = dup_lower(field[0]);
            t->tr = strdup(field[1]);
            t->line = line;
            if (!t->en || !t->tr) {
                free(t->en);
                free(t->tr);
                snprintf(L->gl_error, sizeof L->gl_error, "%s: out of memory", L->gl_path);
            } else {
                L->nterms++;
            }
        }
    }
    free(buf);
}

/* Builds the key table and each language's tr[] (invariants 1 and 2). */
static int build_index(ki18n *c, kerr *err)
{
    size_t total = (size_t)c->pot.n;
    for (int l = 0; l < c->nlang; l++)
        total += (size_t)c->lang[l].po.n;
    uint32_t nslot = 16;
    while (nslot < total * 2)
        nslot *= 2;
    c->slot = calloc(nslot, sizeof *c->slot);
    c->keys = calloc(total ? total : 1, sizeof *c->keys);
    if (!c->slot || !c->keys)
        return kerr_set(err, KERR_INTERNAL, "out of memory indexing the catalogs");
    c->mask = nslot - 1;
    c->cap_keys = (int)total;
    for (int i = 0; i < c->pot.n; i++) {
        int k = key_add(c, &c->pot.e[i]);
        c->keys[k].pot_line = c->pot.e[i].line;
    }
    for (int l = 0; l < c->nlang; l++)
        for (int i = 0; i < c->lang[l].po.n; i++)
            key_add(c, &c->lang[l].po.e[i]);
    for (int l = 0; l < c->nlang; l++) {
        klang *L = &c->lang[l];
        L->tr = calloc(c->nkeys ? (size_t)c->nkeys : 1, sizeof *L->tr);
        if (!L->tr)
            return kerr_set(err, KERR_INTERNAL, "out of memory indexing the catalogs");
        for (int i = 0; i < L->po.n; i++)
            L->tr[key_find(c, L->po.e[i].ctx, L->po.e[i].id)] = &L->po.e[i];
    }
    return 0;
}

/* Fills each language's public description. */
static void describe_langs(ki18n *c)
{
    const char *name_id, *greeting_id;
    mark_special_msgids(&name_id, &greeting_id);
    for (int l = 0; l < c->nlang; l++) {
        klang *L = &c->lang[l];
        const kpo_entry *ne = lookup(c, l, KI18N_NAME_CTX, name_id);
        const kpo_entry *ge = lookup(c, l, NULL, greeting_id);
        L->pub.code = L->code;
        L->pub.file = L->path;
        L->pub.review = L->review;
        L->pub.nplurals = L->rule.nplurals;
        L->pub.name = usable(ne, 0) ? ne->str[0] : L->source ? name_id : L->code;
        L->pub.greeting = usable(ge, 0) ? ge->str[0] : greeting_id;
    }
}

/* The languages of a catalog folder without loading the catalogs (see
 * i18n.h): the same listing and LINGUAS checks as ki18n_open. */
int ki18n_languages(const char *po_dir, char (*codes)[KI18N_CODE_MAX], int max, int *n,
                    kerr *err)
{
    *n = 0;
    ki18n *c = calloc(1, sizeof *c);
    char (*files)[KI18N_CODE_MAX] = calloc(2 * KI18N_LANGS_MAX, KI18N_CODE_MAX);
    int nfiles = 0, norder = 0, rc = 0;
    if (!c || !files)
        rc = kerr_set(err, KERR_INTERNAL, "out of memory reading the catalog folder");
    else if (snprintf(c->dir, sizeof c->dir, "%s", po_dir) >= (int)sizeof c->dir - 32)
        rc = kerr_set(err, KERR_INVALID, "catalog folder path too long: %.60s...", po_dir);
    if (!rc)
        rc = list_catalogs(c, files, &nfiles, err);
    if (!rc)
        rc = read_linguas(c, files, nfiles, files + KI18N_LANGS_MAX, &norder, err);
    for (int i = 0; !rc && i < norder && *n < max; i++)
        memcpy(codes[(*n)++], files[KI18N_LANGS_MAX + i], KI18N_CODE_MAX);
    free(files);
    free(c);
    return rc;
}

/* Opens the catalog folder (see i18n.h). */
int ki18n_open(ki18n **out, const char *po_dir, kerr *err)
{
    *out = NULL;
    ki18n *c = calloc(1, sizeof *c);
    if (!c)
        return kerr_set(err, KERR_INTERNAL, "out of memory opening the catalogs");
    char (*files)[KI18N_CODE_MAX] = calloc(2 * KI18N_LANGS_MAX, KI18N_CODE_MAX);
    char (*order)[KI18N_CODE_MAX] = files ? files + KI18N_LANGS_MAX : NULL;
    int nfiles = 0, norder = 0, rc = 0;
    int n = snprintf(c->dir, sizeof c->dir, "%s", po_dir ? po_dir : ".");
    if (!files)
        rc = kerr_set(err, KERR_INTERNAL, "out of memory opening the catalogs");
    else if (n < 0 || (size_t)n >= sizeof c->dir - 32)
        rc = kerr_set(err, KERR_INVALID, "catalog folder path too long: %.60s...", po_dir);
    if (!rc)
        rc = list_catalogs(c, files, &nfiles, err);
    if (!rc)
        rc = read_linguas(c, files, nfiles, order, &norder, err);
    if (!rc) {
        c->lang = calloc((size_t)norder + 1, sizeof *c->lang);
        if (!c->lang)
            rc = kerr_set(err, KERR_INTERNAL, "out of memory opening the catalogs");
    }
    for (int i = 0; !rc && i < norder; i++) {
        rc = load_lang(c, &c->lang[i], order[i], err);
        c->nlang = i + 1;
        if (!rc)
            load_glossary(c, &c->lang[i]);
    }
    if (!rc) {
        /* The kiosk runs without the template; the check reports it. */
        snprintf(c->pot_path, sizeof c->pot_path, "%s/%s", c->dir, KI18N_TEMPLATE);
        FILE *f = fopen(c->pot_path, "rb");
        if (f || errno != ENOENT) {
            if (f)
                fclose(f);
            rc = kpo_load(&c->pot, c->pot_path, err);
            c->has_pot = rc == 0;
        }
    }
    if (!rc)
        rc = build_index(c, err);
    free(files);
    if (rc) {
        ki18n_close(c);
        return rc;
    }
    describe_langs(c);
    *out = c;
    return 0;
}

/* Frees every catalog and the tables. */
void ki18n_close(ki18n *cat)
{
    if (!cat)
        return;
    for (int l = 0; l < cat->nlang; l++) {
        kpo_free(&cat->lang[l].po);
        free(cat->lang[l].tr);
        for (int i = 0; i < cat->lang[l].nterms; i++) {
            free(cat->lang[l].terms[i].en);
            free(cat->lang[l].terms[i].tr);
        }
        free(cat->lang[l].terms);
    }
    free(cat->lang);
    kpo_free(&cat->pot);
    free(cat->keys);
    free(cat->slot);
    free(cat);
}

/* ---- lookup ---------------------------------------------------------------- */

/* Languages offered. */
int ki18n_count(const ki18n *cat)
{
    return cat ? cat->nlang : 0;
}

/* The i-th language in LINGUAS order, or NULL. */
const ki18n_lang *ki18n_lang_at(const ki18n *cat, int i)
{
    return cat && i >= 0 && i < cat->nlang ? &cat->lang[i].pub : NULL;
}

/* 1 if lang (or a shorter tag of it) has a catalog. */
int ki18n_has(const ki18n *cat, const char *lang)
{
    return lang && find_lang(cat, lang) >= 0;
}

/* Entries of the template. */
int ki18n_template_count(const ki18n *cat)
{
    return cat && cat->has_pot ? cat->pot.n : 0;
}

/* Translation with context, or msgid. */
const char *ki18n_trc(const ki18n *cat, const char *lang, const char *ctx, const char *msgid)
{
    if (!msgid)
        return "";
    const kpo_entry *e = lookup(cat, find_lang(cat, lang), ctx, msgid);
    return usable(e, 0) ? e->str[0] : msgid;
}

/* Translation without context, or msgid. */
const char *ki18n_tr(const ki18n *cat, const char *lang, const char *msgid)
{
    return ki18n_trc(cat, lang, NULL, msgid);
}

/* Plural translation by the language's rule, or the English choice. */
const char *ki18n_trn(const ki18n *cat, const char *lang, const char *one, const char *many,
                      long n)
{
    unsigned long un = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
    if (!one || !many)
        return one ? one : many ? many : "";
    int l = find_lang(cat, lang);
    const kpo_entry *e = lookup(cat, l, NULL, one);
    if (e) {
        int i = e->id_plural ? kplural_index(&cat->lang[l].rule, un) : 0;
        if (usable(e, i))
            return e->str[i];
    }
    return un == 1 ? one : many;
}

/* ki18n_tr for kui.tr. */
const char *ki18n_tr_cb(void *cat, const char *lang, const char *msgid)
{
    return ki18n_tr(cat, lang, msgid);
}

/* ki18n_trn for kui.trn. */
const char *ki18n_trn_cb(void *cat, const char *lang, const char *one, const char *many,
                         long n)
{
    return ki18n_trn(cat, lang, one, many, n);
}

/* ---- placeholders ---------------------------------------------------------- */

typedef struct ph_set {
    int n;
    char name[KI18N_PH_MAX][32];
} ph_set;

/* Adds every distinct {identifier} of s to set. */
static void ph_collect(const char *s, ph_set *set)
{
    for (const char *p = s ? strchr(s, '{') : NULL; p; p = strchr(p + 1, '{')) {
        const char *q = p + 1;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' ||
               (q > p + 1 && *q >= '0' && *q <= '9'))
            q++;
        size_t n = (size_t)(q - p - 1);
        if (*q != '}' || n == 0 || n >= sizeof set->name[0])
            continue;
        int dup = 0;
        for (int i = 0; i < set->n; i++)
            dup |= strlen(set->name[i]) == n && memcmp(set->name[i], p + 1, n) == 0;
        if (!dup && set->n < KI18N_PH_MAX)
            snprintf(set->name[set->n++], sizeof set->name[0], "%.*s", (int)n, p + 1);
    }
}

/* 1 if name is in set. */
static int ph_has(const ph_set *set, const char *name)
{
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->name[i], name) == 0)
            return 1;
    return 0;
}

/* Compares the {placeholders} of a translation with its msgid's. */
int ki18n_placeholders_match(const char *msgid, const char *msgid_plural, const char *msgstr,
                             char *detail, size_t cap)
{
    ph_set want = {0}, got = {0};
    ph_collect(msgid, &want);
    ph_collect(msgid_plural, &want);
    ph_collect(msgstr, &got);
    if (cap)
        detail[0] = '\0';
    for (int i = 0; i < want.n; i++)
        if (!ph_has(&got, want.name[i])) {
            if (cap)
                snprintf(detail, cap, "missing {%s}", want.name[i]);
            return 0;
        }
    for (int i = 0; i < got.n; i++)
        if (!ph_has(&want, got.name[i])) {
            if (cap)
                snprintf(detail, cap, "unknown {%s} (the English has no such placeholder)",
                         got.name[i]);
            return 0;
        }
    return 1;
}

/* ---- the check ------------------------------------------------------------- */

typedef void (*issue_fn)(void *ctx, const ki18n_issue *is);

/* Fills an issue and passes it on; returns 1 (one problem). */
__attribute__((format(printf, 9, 10)))
static int emit(issue_fn fn, void *ctx, int kind, const char *lang, const char *file, int line,
                const kpo_entry *e, const char *msgstr, const char *fmt, ...)
{
    ki18n_issue is;
    memset(&is, 0, sizeof is);
    is.kind = kind;
    is.lang = lang;
    is.file = file;
    is.line = line;
    is.ctx = e ? e->ctx : NULL;
    is.msgid = e ? e->id : NULL;
    is.msgstr = msgstr;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(is.detail, sizeof is.detail, fmt, ap);
    va_end(ap);
    if (fn)
        fn(ctx, &is);
    return 1;
}

/* Problems of the folder as a whole: no template, catalogs not offered. */
static int check_global(const ki18n *c, issue_fn fn, void *ctx)
{
    int n = 0;
    if (!c->has_pot)
        n += emit(fn, ctx, KI18N_NO_TEMPLATE, "", c->pot_path, 0, NULL, NULL,
                  "no template %s (run scripts/update-po.sh)", c->pot_path);
    for (int i = 0; i < c->nunlisted; i++) {
        char path[KI18N_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s.po", c->dir, c->unlisted[i]);
        n += emit(fn, ctx, KI18N_UNLISTED, c->unlisted[i], path, 0, NULL, NULL,
                  "%s is not listed in %s/%s, so it has no button", path, c->dir,
                  KI18N_LINGUAS);
    }
    return n;
}

/* Checks lang's entry e against template entry t (t == e without one). */
/* 1 if the lower-cased ASCII form w occurs in s as whole words (any case). */
static int has_words(const char *s, const char *w, size_t wn)
{
    size_t sn = strlen(s);
    for (size_t i = 0; wn && i + wn <= sn; i++) {
        if (strncasecmp(s + i, w, wn) != 0)
            continue;
        unsigned char before = i ? (unsigned char)s[i - 1] : ' ';
        unsigned char after = (unsigned char)s[i + wn];
        int bw = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                 (before >= '0' && before <= '9');
        int aw = (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
                 (after >= '0' && after <= '9');
        if (!bw && !aw && !(before == '{' && after == '}'))
            return 1;   /* a whole word, and not a {placeholder} */
    }
    return 0;
}

/* Appends the lower case of UTF-8 text s to out (cap bytes). */
static void lower_utf8(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    while (*s && o + 5 < cap) {
        int len = 1;
        long cp = kutf8_decode(s, &len);
        if (cp < 0 || len < 1) {
            out[o++] = *s++;
            continue;
        }
        char enc[5];
        int n = kutf8_put(kutf8_lower((uint32_t)cp), enc);
        memcpy(out + o, enc, (size_t)n);
        o += (size_t)n;
        s += len;
    }
    out[o] = '\0';
}

/* 1 if any '|'-separated alternative of alts occurs in text (any case). */
static int has_any(const char *text_lower, const char *alts)
{
    char alt[400];
    for (const char *a = alts; *a;) {
        const char *bar = strchr(a, '|');
        size_t n = bar ? (size_t)(bar - a) : strlen(a);
        while (n && *a == ' ') { a++; n--; }
        while (n && a[n - 1] == ' ')
            n--;
        if (n && n < sizeof alt) {
            memcpy(alt, a, n);
            alt[n] = '\0';
            char low[400];
            lower_utf8(alt, low, sizeof low);
            if (strstr(text_lower, low))
                return 1;
        }
        a = bar ? bar + 1 : a + strlen(a);
    }
    return 0;
}

/* The glossary check of one translation (see ki18n_glossary_check); the
 * line of the broken term, or 0. */
static int glossary_check(const klang *L, const char *english, const char *text,
                          char *detail, size_t cap)
{
    if (!text || !text[0] || L->source)
        return 0;
    char *low = malloc(strlen(text) * 2 + 8);
    if (!low)
        return 0;
    lower_utf8(text, low, strlen(text) * 2 + 8);
    int bad = 0;
    for (int i = 0; i < L->nterms && !bad; i++) {
        const kterm *t = &L->terms[i];
        int uses = 0;
        const char *form = t->en;
        size_t fn = 0;
        for (const char *a = t->en; *a && !uses;) {
            const char *bar = strchr(a, '|');
            size_t n = bar ? (size_t)(bar - a) : strlen(a);
            while (n && *a == ' ') { a++; n--; }
            while (n && a[n - 1] == ' ')
                n--;
            if (has_words(english, a, n)) {
                uses = 1;
                form = a;
                fn = n;
            }
            a = bar ? bar + 1 : a + strlen(a);
        }
        if (uses && !has_any(low, t->tr)) {
            bad = t->line;
            if (cap)
                snprintf(detail, cap, "\"%.*s\" should be \"%s\" (%s:%d)", (int)fn, form,
                         t->tr, L->gl_path, t->line);
        }
    }
    free(low);
    return bad;
}

static int check_entry(const klang *L, const kpo_entry *t, const kpo_entry *e, issue_fn fn,
                       void *ctx)
{
    if (!e)
        return L->source ? 0 : emit(fn, ctx, KI18N_UNTRANSLATED, L->code, L->path, 0, t, NULL,
                                    "not in %s (run scripts/update-po.sh)", L->path);
    if (e->fuzzy)
        return emit(fn, ctx, KI18N_FUZZY, L->code, L->path, e->line, e, NULL,
                    "marked fuzzy: review it and remove the flag");
    if (!t->id_plural != !e->id_plural || (t->id_plural && strcmp(t->id_plural, e->id_plural)))
        return emit(fn, ctx, KI18N_STALE, L->code, L->path, e->line, e, NULL,
                    "msgid_plural differs from the template (run scripts/update-po.sh)");
    if (e->id_plural && e->nstr != L->rule.nplurals)
        return emit(fn, ctx, KI18N_PLURAL_FORMS, L->code, L->path, e->line, e, NULL,
                    "%d msgstr[] forms, but the header says nplurals=%d", e->nstr,
                    L->rule.nplurals);
    for (int i = 0; i < e->nstr; i++)
        if (!e->str[i][0])
            return L->source ? 0 : emit(fn, ctx, KI18N_UNTRANSLATED, L->code, L->path, e->line,
                                        e, NULL, "empty msgstr");
    char detail[160];
    for (int i = 0; i < e->nstr; i++)
        if (!ki18n_placeholders_match(t->id, t->id_plural, e->str[i], detail, sizeof detail))
            return emit(fn, ctx, KI18N_PLACEHOLDERS, L->code, L->path, e->line, e, e->str[i],
                        "%s", detail);
    for (int i = 0; i < e->nstr; i++) {
        const char *en = e->id_plural && i > 0 ? e->id_plural : e->id;
        if (glossary_check(L, en, e->str[i], detail, sizeof detail))
            return emit(fn, ctx, KI18N_GLOSSARY, L->code, L->path, e->line, e, e->str[i],
                        "%s", detail);
    }
    return 0;
}

/* Every problem of language l. */
static int check_lang(const ki18n *c, int l, issue_fn fn, void *ctx)
{
    const klang *L = &c->lang[l];
    int n = 0;
    if (L->gl_error[0])
        n += emit(fn, ctx, KI18N_GLOSSARY, L->code, L->gl_path, 0, NULL, NULL, "%s",
                  L->gl_error);
    if (!L->review[0])
        n += emit(fn, ctx, KI18N_NO_REVIEW, L->code, L->path, L->po.header_line, NULL, NULL,
                  "no X-Review-Status in the header (say who checked it, e.g. "
                  "\"reviewed by a native speaker\")");
    for (unsigned long k = 0; k <= 1000; k++)
        if (kplural_eval(&L->rule, k) >= (unsigned long)L->rule.nplurals) {
            n += emit(fn, ctx, KI18N_PLURAL_FORMS, L->code, L->path, L->po.header_line, NULL,
                      NULL, "Plural-Forms gives form %lu for n=%lu, but nplurals=%d",
                      kplural_eval(&L->rule, k), k, L->rule.nplurals);
            break;
        }
    if (c->has_pot) {
        for (int i = 0; i < c->pot.n; i++) {
            const kpo_entry *t = &c->pot.e[i];
            n += check_entry(L, t, L->tr[key_find(c, t->ctx, t->id)], fn, ctx);
        }
    }
    for (int i = 0; i < L->po.n; i++) {
        const kpo_entry *e = &L->po.e[i];
        if (!c->has_pot)
            n += check_entry(L, e, e, fn, ctx);
        else if (c->keys[key_find(c, e->ctx, e->id)].pot_line == 0)
            n += emit(fn, ctx, KI18N_STALE, L->code, L->path, e->line, e, NULL,
                      "not in %s (run scripts/update-po.sh: it keeps it as an obsolete #~ "
                      "entry)", KI18N_TEMPLATE);
    }
    return n;
}

/* Every problem of every language, through fn. */
int ki18n_check(const ki18n *cat, void (*fn)(void *ctx, const ki18n_issue *is), void *ctx)
{
    if (!cat)
        return 0;
    int n = check_global(cat, fn, ctx);
    for (int l = 0; l < cat->nlang; l++)
        n += check_lang(cat, l, fn, ctx);
    return n;
}

typedef int (*string_fn)(void *ctx, const char *lang, const char *text, const char *file,
                         int line);

/* Visits the strings language l shows (see ki18n_foreach_string). */
static int foreach_lang(const ki18n *c, int l, string_fn fn, void *ctx)
{
    const klang *L = &c->lang[l];
    int rc = 0;
    if (L->source && c->has_pot)
        for (int i = 0; i < c->pot.n && !rc; i++) {
            const kpo_entry *t = &c->pot.e[i];
            rc = fn(ctx, L->code, t->id, c->pot_path, t->line);
            if (!rc && t->id_plural)
                rc = fn(ctx, L->code, t->id_plural, c->pot_path, t->line);
        }
    for (int i = 0; i < L->po.n && !rc; i++) {
        const kpo_entry *e = &L->po.e[i];
        if (c->has_pot && c->keys[key_find(c, e->ctx, e->id)].pot_line == 0)
            continue;   /* stale: never shown */
        for (int j = 0; j < e->nstr && !rc; j++)
            if (usable(e, j))
                rc = fn(ctx, L->code, e->str[j], L->path, e->line);
    }
    return rc;
}

/* Every string shown, language by language. */
int ki18n_foreach_string(const ki18n *cat, string_fn fn, void *ctx)
{
    int rc = 0;
    for (int l = 0; cat && l < cat->nlang && !rc; l++)
        rc = foreach_lang(cat, l, fn, ctx);
    return rc;
}

/* ---- the report ------------------------------------------------------------ */

/* Prints s in double quotes, with C escapes for quotes and controls. */
static void print_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Prints one issue as a line "LANG: what: ..." */
static void print_issue(void *vout, const ki18n_issue *is)
{
    FILE *out = vout;
    static const char *const what[] = {
        [KI18N_UNTRANSLATED] = "untranslated", [KI18N_FUZZY] = "fuzzy",
        [KI18N_STALE] = "stale", [KI18N_PLACEHOLDERS] = "placeholders differ",
        [KI18N_PLURAL_FORMS] = "plural forms", [KI18N_NO_REVIEW] = "review status",
        [KI18N_UNLISTED] = "not offered", [KI18N_NO_TEMPLATE] = "no template",
        [KI18N_NO_FONT] = "no font", [KI18N_GLOSSARY] = "glossary",
    };
    fprintf(out, "%s: ", is->lang[0] ? is->lang : "i18n");
    if (!is->msgid) {
        /* About a whole file: the detail says it all. */
        if (is->line)
            fprintf(out, "%s (%s:%d)\n", is->detail, is->file, is->line);
        else
            fprintf(out, "%s\n", is->detail);
        return;
    }
    fprintf(out, "%s: ", what[is->kind]);
    print_quoted(out, is->msgid);
    if (is->ctx) {
        fputs(" (msgctxt ", out);
        print_quoted(out, is->ctx);
        fputc(')', out);
    }
    if (is->msgstr) {
        fputs(" -> ", out);
        print_quoted(out, is->msgstr);
    }
    if (is->line)
        fprintf(out, " (%s:%d: %s)\n", is->file, is->line, is->detail);
    else
        fputc('\n', out);   /* untranslated and absent: nothing to point at */
}

typedef struct font_walk {
    int (*covers)(void *ctx, uint32_t cp, const char *lang);
    void *ctx;
    FILE *out;
    int problems;
    uint32_t seen[KI18N_FONT_SEEN_MAX];
    int nseen;
} font_walk;

/* Decodes one code point of valid UTF-8 at s; *len gets its length. */
static uint32_t utf8_next(const unsigned char *s, int *len)
{
    if (s[0] < 0x80) { *len = 1; return s[0]; }
    if ((s[0] & 0xe0) == 0xc0) { *len = 2; return ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu); }
    if ((s[0] & 0xf0) == 0xe0) {
        *len = 3;
        return ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
    }
    *len = 4;
    return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
           (s[3] & 0x3fu);
}

/* Reports each character of text that no font of lang's chain draws. */
static int font_visit(void *vw, const char *lang, const char *text, const char *file, int line)
{
    font_walk *w = vw;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        int len;
        uint32_t cp = utf8_next(p, &len);
        if (cp >= 0x20 && !w->covers(w->ctx, cp, lang)) {
            int seen = 0;
            for (int i = 0; i < w->nseen && !seen; i++)
                seen = w->seen[i] == cp;
            if (!seen) {
                if (w->nseen < KI18N_FONT_SEEN_MAX)
                    w->seen[w->nseen++] = cp;
                fprintf(w->out, "%s: no font for U+%04X '%.*s' in ", lang, (unsigned)cp, len,
                        (const char *)p);
                print_quoted(w->out, text);
                fprintf(w->out, " (%s:%d)\n", file, line);
                w->problems++;
            }
        }
        p += len;
    }
    return 0;
}

/* Prints the check as lines, with the font coverage (see i18n.h). */
int ki18n_check_report(const ki18n *cat, int (*covers)(void *ctx, uint32_t cp, const char *lang),
                       void *ctx, FILE *out)
{
    if (!cat)
        return 0;
    int n = check_global(cat, print_issue, out);
    font_walk *w = calloc(1, sizeof *w);
    if (!w) {
        fprintf(out, "i18n: out of memory for the font check\n");
        return n + 1;
    }
    w->covers = covers;
    w->ctx = ctx;
    w->out = out;
    for (int l = 0; l < cat->nlang; l++) {
        n += check_lang(cat, l, print_issue, out);
        if (covers) {
            w->nseen = 0;
            foreach_lang(cat, l, font_visit, w);
        }
    }
    n += w->problems;
    free(w);
    fprintf(out, "languages, in button order (messages of %s: reviewed, machine-drafted, "
                 "stale = English changed since):\n", KI18N_TEMPLATE);
    for (int l = 0; l < cat->nlang; l++) {
        const klang *L = &cat->lang[l];
        ki18n_counts k;
        if (L->source || ki18n_review_counts(cat, L->code, &k) != 0) {
            fprintf(out, "  %-8s %s: source language\n", L->code, L->pub.name);
            continue;
        }
        fprintf(out, "  %-8s %s: %d reviewed, %d machine-drafted, %d stale", L->code,
                L->pub.name, k.reviewed, k.machine, k.stale);
        if (k.untranslated)
            fprintf(out, ", %d untranslated", k.untranslated);
        fprintf(out, " (%s; header: %s)\n", ki18n_review_word(cat, L->code),
                L->review[0] ? L->review : "no X-Review-Status");
    }
    fprintf(out, "i18n check: %d languages, %d strings in %s, %d problem%s%s\n", cat->nlang,
            ki18n_template_count(cat), KI18N_TEMPLATE, n, n == 1 ? "" : "s",
            covers ? "" : " (fonts not checked)");
    return n;
}

/* ---- review state ---------------------------------------------------------- */

const char *ki18n_state_name(int state)
{
    switch (state) {
    case KI18N_ST_REVIEWED: return "reviewed";
    case KI18N_ST_STALE: return "stale";
    case KI18N_ST_MACHINE: return "machine-drafted";
    default: return "untranslated";
    }
}

const kpo_entry *ki18n_template_at(const ki18n *cat, int i)
{
    return cat && cat->has_pot && i >= 0 && i < cat->pot.n ? &cat->pot.e[i] : NULL;
}

const kpo_entry *ki18n_entry(const ki18n *cat, const char *lang, const char *ctx,
                             const char *msgid)
{
    int l = find_lang(cat, lang);
    return l < 0 ? NULL : lookup(cat, l, ctx, msgid);
}

const kplural *ki18n_rule(const ki18n *cat, const char *lang)
{
    static kplural english;
    int l = find_lang(cat, lang);
    if (l >= 0)
        return &cat->lang[l].rule;
    if (english.nplurals == 0)
        kplural_default(&english);
    return &english;
}

int ki18n_is_source(const ki18n *cat, const char *lang)
{
    int l = find_lang(cat, lang);
    return l >= 0 && cat->lang[l].source;
}

int ki18n_entry_state(const kpo_entry *e)
{
    int empty = !e || e->nstr == 0;
    for (int i = 0; !empty && i < e->nstr; i++)
        empty = !e->str[i] || !e->str[i][0];
    if (empty)
        return KI18N_ST_UNTRANSLATED;
    if (e->fuzzy)
        return KI18N_ST_STALE;
    return e->reviewed ? KI18N_ST_REVIEWED : KI18N_ST_MACHINE;
}

int ki18n_review_counts(const ki18n *cat, const char *lang, ki18n_counts *out)
{
    memset(out, 0, sizeof *out);
    int l = find_lang(cat, lang);
    if (l < 0 || !cat->has_pot)
        return -1;
    for (int i = 0; i < cat->pot.n; i++) {
        const kpo_entry *t = &cat->pot.e[i];
        out->total++;
        switch (ki18n_entry_state(lookup(cat, l, t->ctx, t->id))) {
        case KI18N_ST_REVIEWED: out->reviewed++; break;
        case KI18N_ST_STALE: out->stale++; break;
        case KI18N_ST_MACHINE: out->machine++; break;
        default: out->untranslated++; break;
        }
    }
    return 0;
}

const char *ki18n_review_word(const ki18n *cat, const char *lang)
{
    ki18n_counts n;
    if (ki18n_is_source(cat, lang) || ki18n_review_counts(cat, lang, &n) != 0 || n.total == 0)
        return NULL;
    /* TRANSLATORS: review state of a language, after its name on the staff
       screen's "Start in" button: every message checked by a native speaker. */
    if (n.reviewed == n.total)
        return N_("reviewed");
    /* TRANSLATORS: review state of a language: some messages checked by a
       native speaker, the others machine-drafted. */
    if (n.reviewed > 0)
        return N_("partly reviewed");
    /* TRANSLATORS: review state of a language: drafted by a machine, not yet
       checked by a native speaker. */
    return N_("machine translation");
}

int ki18n_glossary_count(const ki18n *cat, const char *lang)
{
    int l = find_lang(cat, lang);
    return l < 0 ? 0 : cat->lang[l].nterms;
}

int ki18n_glossary_check(const ki18n *cat, const char *lang, const char *english,
                         const char *text, char *detail, size_t cap)
{
    if (cap)
        detail[0] = '\0';
    int l = find_lang(cat, lang);
    return l < 0 ? 0 : glossary_check(&cat->lang[l], english, text, detail, cap);
}
