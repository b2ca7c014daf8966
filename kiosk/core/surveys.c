/*
 * surveys.c - the kiosk's set of surveys (see surveys.h).
 *
 * Limits: at most KSURVEYS_MAX surveys (folder files and the hub's
 * together); the problem report is cut at a few kilobytes (the staff
 * screen shows the start, `kiosk survey check` the whole of it).
 *
 * The hub's surveys: a lookup (ksurveys_find) asks the store for the
 * key's version (one indexed read) and loads the hub's text only when it
 * is newer than what is in use; a (key, version) that failed the check is
 * remembered, so it is neither checked nor logged again.
 */
#include "surveys.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"

/* A hub survey (key, version) that failed the check. */
typedef struct refusal {
    char key[KIOSK_SURVEY_KEY_MAX + 1];
    int version;
} refusal;

struct ksurveys {
    int n;
    ksurvey *s[KSURVEYS_MAX];
    unsigned char from_hub[KSURVEYS_MAX];
    char problems[4096];
    kstore *hub;                    /* the hub's surveys are read here; NULL: none */
    refusal refused[KSURVEYS_MAX];
    int nrefused;
    ksurvey **retired;              /* replaced while in use: freed at close */
    int nretired;
};

/* Orders file names for a stable survey order. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a formatted line to the problem report. */
static void problem(ksurveys *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(ksurveys *l, const char *fmt, ...)
{
    size_t used = strlen(l->problems);
    if (used + 2 >= sizeof l->problems)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->problems + used, sizeof l->problems - used, fmt, ap);
    va_end(ap);
}

int ksurveys_open(ksurveys **out, const char *dir, const char *keep_dir, kerr *err)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return kerr_set(err, KERR_IO, "cannot read survey folder %s: %s", dir, strerror(errno));
    if (mkdir(keep_dir, 0700) != 0 && errno != EEXIST) {   /* in the data folder: private */
        int e = errno;
        closedir(d);
        return kerr_set(err, KERR_IO, "cannot create %s: %s", keep_dir, strerror(e));
    }
    ksurveys *l = calloc(1, sizeof *l);
    char *names[KSURVEYS_MAX];
    int nn = 0;
    struct dirent *de;
    /* readdir returns NULL at the end and on an error: only errno tells them
     * apart (EOVERFLOW on a 32-bit build without 64-bit file offsets). */
    while (errno = 0, nn < KSURVEYS_MAX && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".csv") == 0 && de->d_name[0] != '.')
            names[nn++] = strdup(de->d_name);
    }
    if (errno != 0) {
        int e = errno;
        closedir(d);
        for (int i = 0; i < nn; i++)
            free(names[i]);
        free(l);
        return kerr_set(err, KERR_IO, "cannot read survey folder %s: %s", dir, strerror(e));
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof names[0], cmp_names);
    for (int i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ksurvey *s = NULL;
        int kept = 0;
        ksurvey_diags *diags = calloc(1, sizeof *diags);
        kerr e = {0};
        int rc = ksurvey_load_keep(path, keep_dir, &s, &kept, diags, &e);
        if (rc != 0 || kept) {
            problem(l, "%s: %s\n", names[i], e.msg[0] ? e.msg : "has problems");
            for (int k = 0; k < diags->n && k < 3; k++) {
                char line[512];
                ksurvey_diag_format(diags, k, line, sizeof line);
                problem(l, "  %s\n", line);
            }
        }
        free(diags);
        if (s) {
            if (ksurveys_find(l, ksurvey_key(s))) {
                problem(l, "%s: another file already has the survey key \"%s\"; not used\n",
                        names[i], ksurvey_key(s));
                ksurvey_free(s);
            } else {
                l->s[l->n++] = s;
            }
        }
        free(names[i]);
    }
    *out = l;
    return 0;
}

void ksurveys_close(ksurveys *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        ksurvey_free(l->s[i]);
    for (int i = 0; i < l->nretired; i++)
        ksurvey_free(l->retired[i]);
    free(l->retired);
    free(l);
}

ksurveys *ksurveys_new(void)
{
    return calloc(1, sizeof(ksurveys));
}

int ksurveys_check_hub(const char *key, int version, const char *text, size_t len, ksurvey **out,
                       char *note, size_t cap)
{
    if (out)
        *out = NULL;
    ksurvey *sv = NULL;
    ksurvey_diags *d = calloc(1, sizeof *d);
    kerr e = {0};
    char label[80];
    snprintf(label, sizeof label, "hub survey %.40s", key);
    int rc = ksurvey_load_buffer(label, text, len, &sv, d, &e);
    if (rc == 0 && (strcmp(ksurvey_key(sv), key) != 0 || ksurvey_version(sv) != version)) {
        snprintf(note, cap, "hub survey %.40s refused: the file says key %.40s version %d, the hub "
                 "said version %d", key, ksurvey_key(sv), ksurvey_version(sv), version);
        ksurvey_free(sv);
        free(d);
        return -1;
    }
    if (rc == 0) {
        if (out)
            *out = sv;
        else
            ksurvey_free(sv);
        free(d);
        return 0;
    }
    char first[300] = "";
    for (int i = 0; d && i < d->n && !first[0]; i++)
        if (d->diag[i].severity == KSURVEY_ERROR)
            ksurvey_diag_format(d, i, first, sizeof first);
    snprintf(note, cap, "hub survey %.40s refused: it fails the survey check (%.200s); the kiosk "
             "keeps what it had", key, first[0] ? first : e.msg);
    free(d);
    return -1;
}

/* Index of key in l, or -1. */
static int index_of(const ksurveys *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(ksurvey_key(l->s[i]), key) == 0)
            return i;
    return -1;
}

/* Brings the hub's survey key into l if the store holds a version that
 * should replace what is in use (or none is): checked first; a refusal is
 * recorded once (in the problems, and on stderr if loud). */
static void hub_refresh(ksurveys *l, const char *key, int loud)
{
    int version = 0, i = index_of(l, key);
    kerr e = {0};
    if (kstore_roster_survey(l->hub, key, NULL, &version, &e) != 0)
        return;                         /* none from the hub (or unreadable: keep what is used) */
    if (i >= 0 && (l->from_hub[i] ? ksurvey_version(l->s[i]) == version
                                   : ksurvey_version(l->s[i]) >= version))
        return;
    for (int k = 0; k < l->nrefused; k++)
        if (l->refused[k].version == version && strcmp(l->refused[k].key, key) == 0)
            return;
    if (i < 0 && l->n >= KSURVEYS_MAX)
        return;
    char *text = NULL;
    if (kstore_roster_survey(l->hub, key, &text, &version, &e) != 0)
        return;
    ksurvey *sv = NULL;
    char note[512];
    int rc = ksurveys_check_hub(key, version, text, strlen(text), &sv, note, sizeof note);
    free(text);
    if (rc != 0) {
        if (l->nrefused < KSURVEYS_MAX) {
            snprintf(l->refused[l->nrefused].key, sizeof l->refused[0].key, "%s", key);
            l->refused[l->nrefused++].version = version;
        }
        problem(l, "%s\n", note);
        if (loud)
            fprintf(stderr, "kiosk: %s\n", note);
        return;
    }
    if (i < 0) {
        i = l->n++;
    } else {                            /* a visit may be answering the old one */
        ksurvey **r = realloc(l->retired, (size_t)(l->nretired + 1) * sizeof *r);
        if (!r) {
            ksurvey_free(sv);
            return;
        }
        l->retired = r;
        l->retired[l->nretired++] = l->s[i];
    }
    l->s[i] = sv;
    l->from_hub[i] = 1;
}

int ksurveys_use_hub(ksurveys *l, kstore *s, kerr *err)
{
    char (*keys)[KIOSK_SURVEY_KEY_MAX + 1] = calloc(KSURVEYS_MAX, sizeof *keys);
    if (!keys)
        return kerr_set(err, KERR_INTERNAL, "out of memory");
    int n = 0, rc = kstore_roster_survey_keys(s, keys, KSURVEYS_MAX, &n, err);
    if (rc == 0) {
        l->hub = s;
        for (int i = 0; i < n; i++)
            hub_refresh(l, keys[i], 0);
    }
    free(keys);
    return rc;
}

int ksurveys_count(const ksurveys *l)
{
    return l ? l->n : 0;
}

const ksurvey *ksurveys_at(const ksurveys *l, int i)
{
    return l && i >= 0 && i < l->n ? l->s[i] : NULL;
}

const ksurvey *ksurveys_find(const ksurveys *l, const char *key)
{
    if (!l || !key || !key[0])
        return NULL;
    if (l->hub)     /* the set is the caller's to change; const for the surveys it hands out */
        hub_refresh((ksurveys *)l, key, 1);
    int i = index_of(l, key);
    return i >= 0 ? l->s[i] : NULL;
}

const char *ksurveys_problems(const ksurveys *l)
{
    return l ? l->problems : "";
}
