/*
 * places.c - the recorder of text places (see places.h).
 *
 * A replay redraws the same screen many times; a set of 64-bit hashes of
 * the lines already written keeps the file to distinct places.  The set is
 * open addressing, at most half full; when full, lines are written again
 * (the reader de-duplicates too), so nothing is lost.
 */
#include "places.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KPLACES_SEEN 16384   /* distinct places remembered (power of two) */

struct kplaces {
    FILE *f;
    int failed;
    uint64_t seen[KPLACES_SEEN];
    int nseen;
};

int kplaces_open(kplaces **out, const char *path, kerr *err)
{
    *out = NULL;
    kplaces *p = calloc(1, sizeof *p);
    if (!p)
        return kerr_set(err, KERR_INTERNAL, "out of memory");
    p->f = fopen(path, "w");
    if (!p->f) {
        int e = errno;
        free(p);
        return kerr_set(err, KERR_IO, "cannot create %s: %s", path, strerror(e));
    }
    *out = p;
    return 0;
}

int kplaces_close(kplaces *p)
{
    if (!p)
        return 0;
    int bad = p->failed | (fclose(p->f) != 0);
    free(p);
    return bad ? -1 : 0;
}

/* FNV-1a over the bytes of s, continuing from h. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull;
}

/* 1 if the place with hash h was written before; remembers it otherwise. */
static int seen_before(kplaces *p, uint64_t h)
{
    if (h == 0)
        h = 1;
    if (p->nseen >= KPLACES_SEEN / 2)
        return 0;
    for (uint32_t i = (uint32_t)h & (KPLACES_SEEN - 1);; i = (i + 1) & (KPLACES_SEEN - 1)) {
        if (p->seen[i] == h)
            return 1;
        if (p->seen[i] == 0) {
            p->seen[i] = h;
            p->nseen++;
            return 0;
        }
    }
}

void kplaces_on_text(void *ctx, const char *screen, const char *lang, const char *text,
                     krect box, int px, int min_px, int flags)
{
    kplaces *p = ctx;
    char nums[96];
    snprintf(nums, sizeof nums, "%d\t%d\t%d\t%d\t%d", box.w, box.h, px, min_px, flags);
    uint64_t h = fnv(fnv(fnv(fnv(14695981039346656037ull, screen), lang), nums), text);
    if (seen_before(p, h))
        return;
    fprintf(p->f, "%s\t%s\t%s\t", screen, lang, nums);
    for (const char *c = text; *c; c++) {
        if (*c == '\\')
            fputs("\\\\", p->f);
        else if (*c == '\t')
            fputs("\\t", p->f);
        else if (*c == '\n')
            fputs("\\n", p->f);
        else
            fputc(*c, p->f);
    }
    if (fputc('\n', p->f) == EOF)
        p->failed = 1;
}
