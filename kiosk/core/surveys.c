/*
 * surveys.c - the kiosk's set of surveys (see surveys.h).
 *
 * Limits: at most KSURVEYS_MAX files; the problem report is cut at a few
 * kilobytes (the staff screen shows the start, `kiosk survey check` the
 * whole of it).
 */
#include "surveys.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ksurveys {
    int n;
    ksurvey *s[KSURVEYS_MAX];
    char problems[4096];
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
    while ((de = readdir(d)) && nn < KSURVEYS_MAX) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".csv") == 0 && de->d_name[0] != '.')
            names[nn++] = strdup(de->d_name);
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
    free(l);
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
    for (int i = 0; i < l->n; i++)
        if (strcmp(ksurvey_key(l->s[i]), key) == 0)
            return l->s[i];
    return NULL;
}

const char *ksurveys_problems(const ksurveys *l)
{
    return l ? l->problems : "";
}
