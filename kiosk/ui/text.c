/*
 * text.c - shaping, per-script font fallback, regional Han forms and a
 * texture cache over SDL_ttf (see text.h for the interface).
 *
 * Design
 * ------
 * SDL_ttf shapes a string with HarfBuzz in ONE font and ONE script, and
 * draws a box for a glyph that font lacks.  A kiosk line mixes scripts
 * ("Hương 한국 ខ្មែរ"), so a line is cut into runs first:
 *
 *   1. Decode the UTF-8 (kutf8_decode; bad bytes become U+FFFD, control
 *      characters a space) and classify every code point with HarfBuzz's
 *      Unicode data (hb_unicode_script, hb_unicode_general_category):
 *        STRONG  a letter of a known script (Latn, Khmr, Hani, ...) or of an
 *                unknown one (script 0);
 *        NEUTRAL digits, spaces, punctuation, symbols (Unicode "Common");
 *        MARK    combining marks, Khmer/Lao/Thai/Myanmar vowel signs, the
 *                Khmer coeng, ZWJ/ZWNJ, variation selectors.
 *   2. Pick a font per code point from the language's chain (the manifest,
 *      fonts/fonts.conf): the first font that is eligible (a font with
 *      script=X serves only letters of X, plus neutrals and marks) and has
 *      the glyph (TTF_GlyphIsProvided32).  Chains list Noto Sans first, so
 *      Latin letters come from Noto Sans even in a Japanese UI, and the
 *      language's own CJK face before the others, so 直 and 骨 take the
 *      Japanese, Korean, Simplified or Traditional form of the language.
 *   3. Keep clusters whole: a MARK always stays in the run before it; a
 *      NEUTRAL stays if the run's font has it (so spaces and digits do not
 *      split a Khmer or Han run), and leading neutrals join the first run
 *      when its font has them; a STRONG letter stays if its font and script
 *      group are the run's.  A Khmer subscript (coeng + consonant) thus
 *      stays in the Khmer run and HarfBuzz stacks it.
 *   4. Each run is shaped with its script set (TTF_SetFontScriptName: the
 *      font's script= from the manifest, else the run's first letter's
 *      script, else "Zyyy").  Always setting it matters: SDL_ttf does not
 *      guess, and Khmer shaped without "Khmr" loses its subscripts.
 *   5. Runs are placed side by side on one baseline: a run's top is at
 *      (max ascent of the line's fonts - its font's ascent); the line is as
 *      tall as its lowest run.  Drawing renders each run
 *      (TTF_RenderUTF8_Blended), composes them into one ARGB surface
 *      (alpha "over", the colour is the same everywhere) and makes one
 *      texture.
 *
 * Fonts open lazily: a TTF_Font per (font, px, weight) is opened the first
 * time a code point needs it, so an English screen never opens a CJK face
 * (about 7-10 ms each).  Open faces are kept in a small LRU table.  Bold is
 * the manifest's bold= file, or FreeType's synthetic emboldening.
 *
 * Caches: one for sizes (text, px, chain, weight -> w, h and the line's
 * runs; the layout measures the same strings every frame, and drawing a
 * measured line renders its runs without shaping it again) and one for
 * textures (plus the colour).  Both are hash tables over a fixed pool with an LRU list; the
 * texture cache is bounded by entries and by bytes of pixels, and evicting
 * destroys the texture.  All state lives in struct ktext; no globals.
 *
 * Limits
 *   - No bidi and no vertical text: no right-to-left language is used at
 *     this kiosk.  Runs are laid out left to right.
 *   - One line only; no wrapping.  Lines longer than KTEXT_MAX_CHARS code
 *     points are cut, and so are lines wider than the renderer's largest
 *     texture.
 *   - No kerning across runs; Hiragana/Katakana/Bopomofo are shaped as Han
 *     (same face, no difference for horizontal text).
 *   - SDL_ttf grows a run's surface when a glyph rises above the font's
 *     ascent (three stacked marks) and does not say by how much; such a run
 *     sits that much low in a mixed line.  Real names never do this.
 *   - A code point no font has is drawn by the run's font (a box); use
 *     ktext_covers() to find them.
 *   - Colour emoji fonts are not handled.
 */
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <SDL2/SDL_ttf.h>
#include <hb.h>

#include "../core/kfile.h"
#include "../core/utf8.h"

/* ---- limits (override with -D) ------------------------------------------ */
#ifndef KTEXT_MAX_FONTS
#define KTEXT_MAX_FONTS 32        /* font lines in the manifest */
#endif
#ifndef KTEXT_MAX_CHAINS
#define KTEXT_MAX_CHAINS 48       /* chain lines in the manifest */
#endif
#ifndef KTEXT_MAX_FACES
#define KTEXT_MAX_FACES 48        /* open TTF_Font objects (> KTEXT_MAX_FONTS) */
#endif
#ifndef KTEXT_TEX_ENTRIES
#define KTEXT_TEX_ENTRIES 512     /* cached textures */
#endif
#ifndef KTEXT_TEX_BYTES
#define KTEXT_TEX_BYTES (32u << 20) /* pixels of cached textures, bytes */
#endif
#ifndef KTEXT_SIZE_ENTRIES
#define KTEXT_SIZE_ENTRIES 2048   /* cached measurements */
#endif
#ifndef KTEXT_MAX_PX
#define KTEXT_MAX_PX 512          /* largest pixel size */
#endif
#ifndef KTEXT_MAX_CHARS
#define KTEXT_MAX_CHARS 1024      /* code points of one line; the rest is cut */
#endif
#ifndef KTEXT_MAX_WIDTH
#define KTEXT_MAX_WIDTH 16384     /* widest line when the renderer has no limit */
#endif
#ifndef KTEXT_BREAK_ENTRIES
#define KTEXT_BREAK_ENTRIES 256   /* line breaks remembered for the disk cache */
#endif
#define KTEXT_PROBE_PX 16         /* size opened only to ask about coverage */
#define KTEXT_NAME_MAX 32
#define KTEXT_LANG_MAX 24
#define KTEXT_MISSING_MAX 2048

/* ---- typedefs --------------------------------------------------------------- */

/* A script as its ISO 15924 tag packed big-endian ('Latn'); 0 = none. */
#define KT_TAG(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define KT_ZYYY KT_TAG('Z', 'y', 'y', 'y')

enum { KT_STRONG, KT_NEUTRAL, KT_MARK };

typedef struct kt_font {          /* one `font` line of the manifest */
    char name[KTEXT_NAME_MAX];
    char *file;                   /* resolved path */
    char *bold_file;              /* NULL: synthetic bold from file */
    long index;                   /* face in a collection (.ttc) */
    uint32_t script;              /* script= tag, 0 if none */
    int line;                     /* manifest line, for messages */
    int missing;                  /* absent or unreadable: chains skip it */
    double scale;                 /* its sizes x this (see kt_scale); 0 = not yet known */
} kt_font;

typedef struct kt_map {           /* a font file mapped into memory */
    char *path;
    void *addr;
    size_t len;
} kt_map;

typedef struct kt_chain {         /* one `chain` line, or the default chain */
    char lang[KTEXT_LANG_MAX];    /* "" for the default chain */
    int own[KTEXT_MAX_FONTS];     /* fonts named on the line */
    int n_own;
    int all[KTEXT_MAX_FONTS];     /* own, then default-chain fonts not in own */
    int n_all;
} kt_chain;

typedef struct kt_face {          /* an open TTF_Font, at its current size */
    TTF_Font *font;               /* NULL: slot free */
    int font_idx, px, bold;
    unsigned long used;           /* LRU stamp */
} kt_face;

typedef struct kt_entry {         /* a cached size or texture */
    char *text;                   /* NULL: slot free */
    uint32_t hash;
    int px, chain, bold;
    uint32_t rgba;                /* 0 in the size cache */
    int w, h;
    int dpx;                      /* size cache: largest run's pixel size */
    struct kt_run *runs;          /* size cache: the line's runs as laid out */
    int nrun;
    unsigned long frame;          /* the frame that last used it (ktext_frame_done) */
    unsigned run;                 /* disk cache: the start that last kept it; 0 none */
    int on_disk;                  /* in the cache file as it is now */
    uint8_t *alpha;               /* textures: their coverage, w*h, to keep on disk */
    int disk;                     /* textures: record in t->disk it came from, or -1 */
    SDL_Texture *tex;
    size_t bytes;
    int hnext;                    /* next in bucket, or next free slot */
    int prev, next;               /* LRU list, most recent first */
} kt_entry;

typedef struct kt_cache {
    kt_entry *e;
    int cap, count;
    int *bucket;
    int nbucket;                  /* power of two */
    int head, tail, free_list;
    size_t bytes, budget;         /* texture bytes held / allowed (0: none) */
    unsigned long hits, misses, evictions;
} kt_cache;

typedef struct kt_run {           /* code points [start, start+len) in one font */
    int font;
    int start, len;
    uint32_t script;
    int x, y, w, h;               /* place in the line */
} kt_run;

typedef struct kt_line {          /* a laid-out line (work space of one call) */
    uint32_t *cp;
    int n;
    kt_run *run;
    int nrun;
    char *buf;                    /* UTF-8 of one run, 4 bytes a code point + 1 */
    int w, h;
    int dpx;                      /* the largest pixel size a run is drawn at */
} kt_line;

struct ktext {
    SDL_Renderer *r;
    int max_width;
    kt_font font[KTEXT_MAX_FONTS];
    int nfont;
    kt_chain chain[KTEXT_MAX_CHAINS]; /* [0] is the default chain */
    int nchain;
    kt_face face[KTEXT_MAX_FACES];
    unsigned long clock;
    unsigned long face_opens;
    double face_open_ms;
    kt_cache sizes, textures;
    kt_cache breaks;              /* line breaks (ktext_breaks_get): alpha = brk, w = n */
    char missing[KTEXT_MISSING_MAX];
    char error[512];
    int ttf_inited;
    kt_map map[KTEXT_MAX_FONTS * 2];  /* regular and bold files, mapped on first use */
    int nmap;
    /* the disk cache (ktext_cache_open; see "disk cache" below) */
    char *cache_path;
    void *cache_map;              /* the file as read at start, mapped */
    size_t cache_len;
    uint64_t cache_stamp;         /* fingerprint of fonts, manifest and libraries */
    unsigned cache_run;           /* this start's number (the file's + 1) */
    struct kt_disk *disk;         /* its texture records */
    int ndisk;
    int *disk_bucket;
    int disk_nbucket;             /* power of two */
    unsigned long frame;          /* frames finished */
    int cache_failed;             /* a write failed: stop trying */
};

/* ---- static prototypes ------------------------------------------------------ */
static int kt_parse_manifest(ktext *t, const char *fonts_dir, kerr *err);

/* ---- scripts ------------------------------------------------------------------ */

#define HANI KT_TAG('H', 'a', 'n', 'i')   /* also Hiragana, Katakana, Bopomofo */

/* Returns the script of cp (0 for Common, Inherited and unassigned code
 * points) and its class, from HarfBuzz's Unicode data (the tables it
 * shapes with, so runs and shaping agree):
 *   MARK     general category Mn, Mc or Me, or script Inherited (ZWJ, ZWNJ,
 *            variation selectors): stays in the run before it;
 *   NEUTRAL  script Common (digits, spaces, punctuation, symbols, the
 *            ʻokina U+02BB) and private use;
 *   STRONG   a letter of a script; an unassigned code point is a letter of
 *            script 0 (a font's script= then decides).
 * Hiragana, Katakana and Bopomofo are reported as Han: one CJK face draws
 * them with the ideographs around them, in one run. */
static uint32_t kt_script(uint32_t cp, int *cls)
{
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    hb_unicode_general_category_t gc = hb_unicode_general_category(uf, cp);
    hb_script_t sc = hb_unicode_script(uf, cp);
    if (gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
        gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
        gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK || sc == HB_SCRIPT_INHERITED) {
        *cls = KT_MARK;
        return sc == HB_SCRIPT_INHERITED || sc == HB_SCRIPT_COMMON ? 0 : (uint32_t)sc;
    }
    if (sc == HB_SCRIPT_COMMON || gc == HB_UNICODE_GENERAL_CATEGORY_PRIVATE_USE) {
        *cls = KT_NEUTRAL;
        return 0;
    }
    *cls = KT_STRONG;
    if (sc == HB_SCRIPT_UNKNOWN)
        return 0;
    if (sc == HB_SCRIPT_HIRAGANA || sc == HB_SCRIPT_KATAKANA || sc == HB_SCRIPT_BOPOMOFO)
        return HANI;
    return (uint32_t)sc;
}

/* ---- helpers ------------------------------------------------------------------- */

/* Writes the 4-letter name of a script tag into out[5]. */
static void kt_tag_name(uint32_t tag, char out[5])
{
    out[0] = (char)(tag >> 24);
    out[1] = (char)(tag >> 16);
    out[2] = (char)(tag >> 8);
    out[3] = (char)tag;
    out[4] = '\0';
}

/* ASCII case-insensitive equality (language tags, keywords). */
static int kt_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* malloc'd copy of s, or NULL. */
static char *kt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Milliseconds since an arbitrary origin. */
static double kt_now_ms(void)
{
    return (double)SDL_GetPerformanceCounter() * 1000.0 /
           (double)SDL_GetPerformanceFrequency();
}

/* Appends one line to t->missing (silently cut when full). */
static void kt_note_missing(ktext *t, const char *line)
{
    size_t used = strlen(t->missing);
    if (used + 1 < sizeof t->missing)
        snprintf(t->missing + used, sizeof t->missing - used, "%s%s",
                 used ? "\n" : "", line);
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Decodes up to cap code points of s into cp (kutf8_decode); bad
 * sequences become U+FFFD, byte by byte, control characters a space.
 * Returns the count. */
static int kt_decode(const char *s, uint32_t *cp, int cap)
{
    int n = 0;
    while (*s && n < cap) {
        int len;
        long c = kutf8_decode(s, &len);
        s += len;
        if (c < 0)
            c = 0xFFFD;
        else if (c < 0x20 || (c >= 0x7F && c < 0xA0))
            c = ' ';
        cp[n++] = (uint32_t)c;
    }
    return n;
}

/* Encodes cp[0..n) as UTF-8 into out (4n+1 bytes), NUL-terminated. */
static void kt_encode(const uint32_t *cp, int n, char *out)
{
    *out = '\0';
    for (int i = 0; i < n; i++)
        out += kutf8_put(cp[i], out);
}

/* ---- caches ------------------------------------------------------------------ */

/* Hash of a cache key (FNV-1a over the text, then the numbers). */
static uint32_t kt_hash(const char *text, int px, int chain, int bold, uint32_t rgba)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 16777619u;
    uint32_t nums[4] = {(uint32_t)px, (uint32_t)chain, (uint32_t)bold, rgba};
    for (int i = 0; i < 4; i++)
        h = (h ^ nums[i]) * 16777619u;
    return h;
}

/* Allocates a cache of cap entries; budget 0 means no byte limit. */
static int kt_cache_init(kt_cache *c, int cap, size_t budget)
{
    memset(c, 0, sizeof *c);
    c->cap = cap;
    c->nbucket = 1;
    while (c->nbucket < cap * 2)
        c->nbucket *= 2;
    c->e = calloc((size_t)cap, sizeof *c->e);
    c->bucket = malloc((size_t)c->nbucket * sizeof *c->bucket);
    if (!c->e || !c->bucket)
        return -1;
    for (int i = 0; i < c->nbucket; i++)
        c->bucket[i] = -1;
    for (int i = 0; i < cap; i++)
        c->e[i].hnext = i + 1 < cap ? i + 1 : -1;
    c->free_list = 0;
    c->head = c->tail = -1;
    c->budget = budget;
    return 0;
}

/* Unlinks entry i from the LRU list. */
static void kt_lru_unlink(kt_cache *c, int i)
{
    kt_entry *e = &c->e[i];
    if (e->prev >= 0)
        c->e[e->prev].next = e->next;
    else
        c->head = e->next;
    if (e->next >= 0)
        c->e[e->next].prev = e->prev;
    else
        c->tail = e->prev;
}

/* Puts entry i at the head (most recently used) of the LRU list. */
static void kt_lru_push(kt_cache *c, int i)
{
    kt_entry *e = &c->e[i];
    e->prev = -1;
    e->next = c->head;
    if (c->head >= 0)
        c->e[c->head].prev = i;
    c->head = i;
    if (c->tail < 0)
        c->tail = i;
}

/* Removes entry i: unlinks it, destroys its texture, frees its slot. */
static void kt_cache_drop(kt_cache *c, int i)
{
    kt_entry *e = &c->e[i];
    int *link = &c->bucket[e->hash & (uint32_t)(c->nbucket - 1)];
    while (*link != i)
        link = &c->e[*link].hnext;
    *link = e->hnext;
    kt_lru_unlink(c, i);
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    c->bytes -= e->bytes;
    free(e->text);
    free(e->runs);
    free(e->alpha);
    memset(e, 0, sizeof *e);
    e->hnext = c->free_list;
    c->free_list = i;
    c->count--;
}

/* Finds a key; on a hit moves it to the LRU head.  Counts the hit or miss
 * when count is set.  Returns the index or -1. */
static int kt_cache_find(kt_cache *c, const char *text, uint32_t hash, int px,
                         int chain, int bold, uint32_t rgba, int count)
{
    for (int i = c->bucket[hash & (uint32_t)(c->nbucket - 1)]; i >= 0; i = c->e[i].hnext) {
        kt_entry *e = &c->e[i];
        if (e->hash == hash && e->px == px && e->chain == chain && e->bold == bold &&
            e->rgba == rgba && strcmp(e->text, text) == 0) {
            if (c->head != i) {
                kt_lru_unlink(c, i);
                kt_lru_push(c, i);
            }
            c->hits += count != 0;
            return i;
        }
    }
    c->misses += count != 0;
    return -1;
}

/* Adds a key holding `bytes` of pixels, evicting least recently used entries
 * to stay within the bounds.  Returns the new index, or -1 (no memory). */
static int kt_cache_add(kt_cache *c, const char *text, uint32_t hash, int px,
                        int chain, int bold, uint32_t rgba, size_t bytes)
{
    while (c->tail >= 0 &&
           (c->count >= c->cap || (c->budget && c->bytes + bytes > c->budget))) {
        kt_cache_drop(c, c->tail);
        c->evictions++;
    }
    if (c->free_list < 0)
        return -1;
    char *copy = kt_strdup(text);
    if (!copy)
        return -1;
    int i = c->free_list;
    kt_entry *e = &c->e[i];
    c->free_list = e->hnext;
    memset(e, 0, sizeof *e);
    e->text = copy;
    e->hash = hash;
    e->px = px;
    e->chain = chain;
    e->bold = bold;
    e->rgba = rgba;
    e->bytes = bytes;
    e->disk = -1;
    int *b = &c->bucket[hash & (uint32_t)(c->nbucket - 1)];
    e->hnext = *b;
    *b = i;
    kt_lru_push(c, i);
    c->bytes += bytes;
    c->count++;
    return i;
}

/* Drops every entry. */
static void kt_cache_clear(kt_cache *c)
{
    while (c->head >= 0)
        kt_cache_drop(c, c->head);
}

/* Clears and frees the cache's memory. */
static void kt_cache_free(kt_cache *c)
{
    if (c->e && c->bucket)
        kt_cache_clear(c);
    free(c->e);
    free(c->bucket);
    memset(c, 0, sizeof *c);
}

/* ---- faces -------------------------------------------------------------------- */

/* Opens face index of file at px from a memory map of the file (mapped on
 * first use and kept until ktext_close): FreeType then reads glyphs from
 * memory instead of seeking and reading through a stream.  Falls back to
 * the file when it cannot be mapped.  No hinting: outlines are scaled
 * and anti-aliased as drawn.  "Light" hinting still runs FreeType's
 * TrueType bytecode interpreter for Noto Sans (its v40 engine hints
 * lightly, so the auto-hinter is not used): the fonts' prep program at
 * every new size and every glyph's instructions, 10 % of the
 * instructions to the first welcome frame and 15-25 % of a screen's
 * first frame (tests/bench/pi.sh); side by side at 800x480 in Khmer, Lao,
 * Chinese and Vietnamese the two differ by a softer horizontal edge here
 * and there, at 16 px and up.  CJK faces (CFF) cost the same either way. */
static TTF_Font *kt_open_file(ktext *t, const char *file, int px, long index)
{
    kt_map *m = NULL;
    for (int i = 0; i < t->nmap && !m; i++)
        if (strcmp(t->map[i].path, file) == 0)
            m = &t->map[i];
    if (!m && t->nmap < (int)(sizeof t->map / sizeof t->map[0])) {
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < INT_MAX) {
            void *addr = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            char *path = kt_strdup(file);
            if (addr != MAP_FAILED && path) {
                m = &t->map[t->nmap++];
                m->path = path;
                m->addr = addr;
                m->len = (size_t)st.st_size;
            } else {
                if (addr != MAP_FAILED)
                    munmap(addr, (size_t)st.st_size);
                free(path);
            }
        }
        if (fd >= 0)
            close(fd);
    }
    TTF_Font *font = NULL;
    if (m) {
        SDL_RWops *rw = SDL_RWFromConstMem(m->addr, (int)m->len);
        font = rw ? TTF_OpenFontIndexRW(rw, 1, px, index) : NULL;
    } else {
        font = TTF_OpenFontIndex(file, px, index);
    }
    if (font)
        TTF_SetFontHinting(font, TTF_HINTING_NONE);
    return font;
}

/* A letter whose body shows a script's letter height: a base consonant
 * with no ascender or descender. */
static uint32_t kt_sample_letter(uint32_t script)
{
    switch (script) {
    case KT_TAG('K', 'h', 'm', 'r'): return 0x1780;   /* ក */
    case KT_TAG('L', 'a', 'o', 'o'): return 0x0E81;   /* ກ */
    case KT_TAG('T', 'h', 'a', 'i'): return 0x0E01;   /* ก */
    case KT_TAG('M', 'y', 'm', 'r'): return 0x1000;   /* က */
    default: return 0;
    }
}

/* Height in pixels of cp's ink above the baseline in font at its size. */
static int kt_ink_height(TTF_Font *font, uint32_t cp)
{
    int minx, maxx, miny, maxy, adv;
    if (!font || !TTF_GlyphIsProvided32(font, cp) ||
        TTF_GlyphMetrics32(font, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
        return 0;
    return maxy;
}

/* The factor font k's sizes are multiplied by, so that its script reads at
 * the size of Latin text beside it, measured from the fonts: a Khmer or
 * Lao consonant (no ascender, no descender, the whole of the letter a
 * reader looks at) is made as tall as a Latin capital of the base font.
 * At one pixel size Noto Sans Khmer's consonants are 0.59 em, Lao's 0.56,
 * Latin capitals 0.71: Khmer comes out 1.22x, Lao 1.29x.  Fonts without a
 * script= (Latin, CJK, whose Han and Hangul already fill the em) keep 1;
 * the factor is held within [1, 1.5]. */
static double kt_scale(ktext *t, int k)
{
    kt_font *f = &t->font[k];
    if (f->scale > 0)
        return f->scale;
    f->scale = 1.0;
    uint32_t sample = kt_sample_letter(f->script);
    int base = t->chain[0].own[0];
    if (!sample || f->missing || k == base)
        return f->scale;
    const int probe = 200;   /* large enough for whole-pixel metrics to be exact to 1 % */
    TTF_Font *bf = kt_open_file(t, t->font[base].file, probe, t->font[base].index);
    TTF_Font *sf = kt_open_file(t, f->file, probe, f->index);
    int cap = kt_ink_height(bf, 'H'), body = kt_ink_height(sf, sample);
    if (bf)
        TTF_CloseFont(bf);
    if (sf)
        TTF_CloseFont(sf);
    if (cap > 0 && body > 0) {
        double r = (double)cap / body;
        f->scale = r < 1.0 ? 1.0 : r > 1.5 ? 1.5 : r;
    }
    return f->scale;
}

/* The pixel size font k is opened at for text of nominal size px. */
static int kt_scaled_px(ktext *t, int k, int px)
{
    double s = kt_scale(t, k);
    int spx = s > 1.0 ? (int)(px * s + 0.5) : px;
    return spx > KTEXT_MAX_PX ? KTEXT_MAX_PX : spx;
}

/* The open TTF_Font for (font k, px, bold), opening it on first use and
 * closing the least recently used face when the table is full.  NULL when
 * the font cannot be opened (it is then marked missing and the reason kept
 * in t->error). */
static TTF_Font *kt_open_face(ktext *t, int k, int px, int bold)
{
    kt_font *f = &t->font[k];
    int free_slot = -1, lru = 0;
    px = kt_scaled_px(t, k, px);
    for (int i = 0; i < KTEXT_MAX_FACES; i++) {
        kt_face *fc = &t->face[i];
        if (!fc->font) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (fc->font_idx == k && fc->bold == bold) {
            /* One TTF_Font per font and weight, resized as needed: a face of
             * the CJK collection holds megabytes, and the caches above keep
             * resizing rare.  Callers use the face before asking again. */
            if (fc->px != px && TTF_SetFontSize(fc->font, px) == 0)
                fc->px = px;
            if (fc->px == px) {
                fc->used = ++t->clock;
                return fc->font;
            }
        }
        if (fc->used < t->face[lru].used || !t->face[lru].font)
            lru = i;
    }
    if (f->missing)
        return NULL;
    if (free_slot < 0) {
        TTF_CloseFont(t->face[lru].font);
        t->face[lru].font = NULL;
        free_slot = lru;
    }
    const char *file = (bold && f->bold_file) ? f->bold_file : f->file;
    double t0 = kt_now_ms();
    TTF_Font *font = kt_open_file(t, file, px, f->index);
    if (!font && bold && f->bold_file) {
        /* A broken bold file: embolden the regular face instead. */
        snprintf(t->error, sizeof t->error, "cannot open font %s (fonts.conf:%d, bold of %s): %s",
                 file, f->line, f->name, TTF_GetError());
        kt_note_missing(t, t->error);
        free(f->bold_file);
        f->bold_file = NULL;
        file = f->file;
        font = kt_open_file(t, file, px, f->index);
    }
    t->face_open_ms += kt_now_ms() - t0;
    if (!font) {
        snprintf(t->error, sizeof t->error, "cannot open font %s (fonts.conf:%d, %s): %s",
                 file, f->line, f->name, TTF_GetError());
        kt_note_missing(t, t->error);
        f->missing = 1;
        return NULL;
    }
    t->face_opens++;
    if (bold && !f->bold_file)
        TTF_SetFontStyle(font, TTF_STYLE_BOLD);
    kt_face *fc = &t->face[free_slot];
    fc->font = font;
    fc->font_idx = k;
    fc->px = px;
    fc->bold = bold;
    fc->used = ++t->clock;
    return font;
}

/* 1 if font k may serve a code point of script `script` and class cls: a
 * font with script=X serves only X's letters (and neutrals and marks). */
static int kt_eligible(const ktext *t, int k, uint32_t script, int cls)
{
    const kt_font *f = &t->font[k];
    if (f->missing)
        return 0;
    return !f->script || cls != KT_STRONG || !script || script == f->script;
}

/* The first font of chain ch that may serve cp and has its glyph (faces at
 * px/bold; px 0 asks any open face, else a small probe face); -1 if none. */
static int kt_pick(ktext *t, int ch, int px, int bold, uint32_t cp)
{
    int cls;
    uint32_t script = kt_script(cp, &cls);
    const kt_chain *c = &t->chain[ch];
    for (int i = 0; i < c->n_all; i++) {
        int k = c->all[i];
        if (!kt_eligible(t, k, script, cls))
            continue;
        TTF_Font *f = NULL;
        if (px) {
            f = kt_open_face(t, k, px, bold);
        } else {
            for (int j = 0; j < KTEXT_MAX_FACES && !f; j++)
                if (t->face[j].font && t->face[j].font_idx == k)
                    f = t->face[j].font;
            if (!f)
                f = kt_open_face(t, k, KTEXT_PROBE_PX, 0);
        }
        if (f && TTF_GlyphIsProvided32(f, cp))
            return i;
    }
    return -1;
}

/* 1 if font k at px/bold has a glyph for cp. */
static int kt_has(ktext *t, int k, int px, int bold, uint32_t cp)
{
    TTF_Font *f = kt_open_face(t, k, px, bold);
    return f && TTF_GlyphIsProvided32(f, cp);
}

/* ---- layout -------------------------------------------------------------------- */

/* Index of the chain for lang: exact tag, then shorter tags, else 0. */
static int kt_chain_for(const ktext *t, const char *lang)
{
    char tag[KTEXT_LANG_MAX];
    if (!lang || !*lang)
        lang = "en";
    snprintf(tag, sizeof tag, "%s", lang);
    for (;;) {
        for (int i = 1; i < t->nchain; i++)
            if (kt_ieq(t->chain[i].lang, tag))
                return i;
        char *dash = strrchr(tag, '-');
        if (!dash)
            return 0;
        *dash = '\0';
    }
}

/* Frees a line's work space. */
static void kt_line_free(kt_line *L)
{
    free(L->cp);
    free(L->run);
    free(L->buf);
    memset(L, 0, sizeof *L);
}

/* Sets the script of run r on its face and encodes its text into L->buf. */
static TTF_Font *kt_run_prepare(ktext *t, kt_line *L, const kt_run *r, int px, int bold)
{
    TTF_Font *f = kt_open_face(t, r->font, px, bold);
    if (!f)
        return NULL;
    char name[5];
    kt_tag_name(r->script, name);
    TTF_SetFontScriptName(f, name);
    kt_encode(L->cp + r->start, r->len, L->buf);
    return f;
}

/* One attempt of kt_layout. */
static int kt_layout_once(ktext *t, const char *utf8, int px, int ch, int bold, kt_line *L)
{
    memset(L, 0, sizeof *L);
    size_t len = strlen(utf8);
    int cap = len < KTEXT_MAX_CHARS ? (int)len : KTEXT_MAX_CHARS;
    L->cp = malloc(((size_t)cap + 1) * sizeof *L->cp);
    int *font = malloc(((size_t)cap + 1) * sizeof *font);
    unsigned char *brk = calloc((size_t)cap + 1, 1);
    L->run = malloc(((size_t)cap + 1) * sizeof *L->run);
    L->buf = malloc((size_t)cap * 4 + 1);
    if (!L->cp || !font || !brk || !L->run || !L->buf) {
        free(font);
        free(brk);
        kt_line_free(L);
        snprintf(t->error, sizeof t->error, "out of memory laying out %zu bytes of text", len);
        return KERR_INTERNAL;
    }
    L->n = kt_decode(utf8, L->cp, cap);
    const kt_chain *c = &t->chain[ch];
    int fallback = 0; /* draws what no font has: the chain's first usable font */
    while (fallback < c->n_all && t->font[c->all[fallback]].missing)
        fallback++;
    if (fallback == c->n_all) {
        free(font);
        free(brk);
        kt_line_free(L);
        if (!t->error[0])
            snprintf(t->error, sizeof t->error, "no usable font in the chain for %s",
                     c->lang[0] ? c->lang : "the default chain");
        return KERR_IO;
    }

    /* Pass 1: a font (chain position) per code point.  cur is the current
     * run's font, grp the script of its letters (0 until one is seen). */
    int cur = -1;
    uint32_t grp = 0;
    for (int i = 0; i < L->n; i++) {
        int cls;
        uint32_t cp = L->cp[i], script = kt_script(cp, &cls);
        if (cls != KT_STRONG && cur >= 0 &&
            (cls == KT_MARK || kt_has(t, c->all[cur], px, bold, cp))) {
            font[i] = cur;
            continue;
        }
        if (cls != KT_STRONG && cur < 0) {
            font[i] = -1; /* leading neutral or mark: settled below */
            continue;
        }
        int p = kt_pick(t, ch, px, bold, cp);
        if (p < 0)
            p = cur; /* nobody has it: a box in the current run */
        if (cls == KT_STRONG && p == cur && (!grp || !script || script == grp)) {
            font[i] = cur;
            if (!grp)
                grp = script;
            continue;
        }
        if (p == cur && cls != KT_STRONG) {
            font[i] = cur;
            continue;
        }
        if (p < 0)
            p = fallback; /* first code point and nobody has it */
        font[i] = p;
        brk[i] = 1;
        cur = p;
        grp = cls == KT_STRONG ? script : 0;
    }

    /* Pass 2: leading neutrals and marks join the first run if its font has
     * them all, else each takes the first font that has it. */
    int lead = 0;
    while (lead < L->n && font[lead] < 0)
        lead++;
    int join = lead < L->n;
    for (int i = 0; i < lead && join; i++) {
        int cls;
        kt_script(L->cp[i], &cls);
        if (cls != KT_MARK && !kt_has(t, c->all[font[lead]], px, bold, L->cp[i]))
            join = 0;
    }
    for (int i = 0; i < lead; i++) {
        int cls;
        kt_script(L->cp[i], &cls);
        if (join)
            font[i] = font[lead];
        else if (cls == KT_MARK && i > 0)
            font[i] = font[i - 1];
        else {
            int p = kt_pick(t, ch, px, bold, L->cp[i]);
            font[i] = p >= 0 ? p : (i > 0 ? font[i - 1] : fallback);
        }
    }
    if (join)
        brk[lead] = 0;

    /* Pass 3: runs, their scripts and sizes. */
    for (int i = 0; i < L->n; i++) {
        if (i == 0 || font[i] != font[i - 1] || brk[i]) {
            kt_run *r = &L->run[L->nrun++];
            memset(r, 0, sizeof *r);
            r->font = c->all[font[i]];
            r->start = i;
        }
        kt_run *r = &L->run[L->nrun - 1];
        r->len++;
        if (!r->script) {
            int cls;
            uint32_t s = kt_script(L->cp[i], &cls);
            if (cls == KT_STRONG && s)
                r->script = s;
        }
    }
    free(font);
    free(brk);

    int asc_max = 0, x = 0;
    for (int i = 0; i < L->nrun; i++) {
        kt_run *r = &L->run[i];
        if (t->font[r->font].script)
            r->script = t->font[r->font].script;
        if (!r->script)
            r->script = KT_ZYYY;
        TTF_Font *f = kt_run_prepare(t, L, r, px, bold);
        if (!f) {
            kt_line_free(L);
            return KERR_IO;
        }
        if (TTF_SizeUTF8(f, L->buf, &r->w, &r->h) != 0) {
            snprintf(t->error, sizeof t->error, "TTF_SizeUTF8 (%s, %d px): %s",
                     t->font[r->font].name, px, TTF_GetError());
            kt_line_free(L);
            return KERR_INTERNAL;
        }
        if (x + r->w > t->max_width) {
            /* Too wide for a texture: keep the characters that fit. */
            int extent = 0, count = 0;
            TTF_MeasureUTF8(f, L->buf, t->max_width - x, &extent, &count);
            r->len = count < r->len ? count : r->len;
            kt_encode(L->cp + r->start, r->len, L->buf);
            if (r->len == 0 || TTF_SizeUTF8(f, L->buf, &r->w, &r->h) != 0 ||
                x + r->w > t->max_width) {
                L->nrun = i;
                break;
            }
            L->nrun = i + 1;
        }
        r->x = x;
        int rpx = kt_scaled_px(t, r->font, px);
        if (rpx > L->dpx)
            L->dpx = rpx;
        r->y = TTF_FontAscent(f); /* ascent for now; a top offset below */
        if (r->y > asc_max)
            asc_max = r->y;
        x += r->w;
    }
    L->w = x;
    L->h = 0;
    for (int i = 0; i < L->nrun; i++) {
        kt_run *r = &L->run[i];
        r->y = asc_max - r->y;
        if (r->y + r->h > L->h)
            L->h = r->y + r->h;
    }
    if (L->nrun == 0) {
        TTF_Font *f = kt_open_face(t, c->all[fallback], px, bold);
        L->h = f ? TTF_FontHeight(f) : 0;
    }
    return 0;
}

/* Splits utf8 into runs (see the design at the top), sizes them and places
 * them on one baseline; fills L (free with kt_line_free).  Returns 0 or a
 * KERR_ code with t->error set.  A font that fails to open is marked
 * missing, so a second attempt lays the line out without it. */
static int kt_layout(ktext *t, const char *utf8, int px, int ch, int bold, kt_line *L)
{
    int rc = kt_layout_once(t, utf8, px, ch, bold, L);
    if (rc == KERR_IO)
        rc = kt_layout_once(t, utf8, px, ch, bold, L);
    return rc;
}

/* Composes the line's runs, rendered in colour col, into one ARGB surface. */
static SDL_Surface *kt_render(ktext *t, kt_line *L, int px, int bold, SDL_Color col)
{
    SDL_Surface *out =
        SDL_CreateRGBSurfaceWithFormat(0, L->w, L->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!out) {
        snprintf(t->error, sizeof t->error, "SDL_CreateRGBSurfaceWithFormat %dx%d: %s",
                 L->w, L->h, SDL_GetError());
        return NULL;
    }
    SDL_FillRect(out, NULL, 0);
    uint32_t rgb = ((uint32_t)col.r << 16) | ((uint32_t)col.g << 8) | col.b;
    for (int i = 0; i < L->nrun; i++) {
        kt_run *r = &L->run[i];
        TTF_Font *f = kt_run_prepare(t, L, r, px, bold);
        if (!f)
            continue;
        SDL_Surface *s = TTF_RenderUTF8_Blended(f, L->buf, col);
        if (!s)
            continue; /* a run of zero width (only joiners) */
        if (s->format->format != SDL_PIXELFORMAT_ARGB8888) {
            SDL_Surface *conv = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
            SDL_FreeSurface(s);
            if (!conv)
                continue;
            s = conv;
        }
        SDL_LockSurface(s);
        for (int y = 0; y < s->h; y++) {
            int dy = r->y + y;
            if (dy < 0 || dy >= out->h)
                continue;
            const uint32_t *src = (const uint32_t *)((const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
            uint32_t *dst = (uint32_t *)((uint8_t *)out->pixels + (size_t)dy * (size_t)out->pitch);
            for (int xx = 0; xx < s->w && r->x + xx < out->w; xx++) {
                uint32_t a = src[xx] >> 24;
                if (!a)
                    continue;
                uint32_t da = dst[r->x + xx] >> 24;
                uint32_t na = a + (da * (255 - a) + 127) / 255;
                dst[r->x + xx] = (na << 24) | rgb;
            }
        }
        SDL_UnlockSurface(s);
        SDL_FreeSurface(s);
    }
    return out;
}

/* Keeps a copy of L's runs in size entry e, so that drawing the line later
 * renders them without shaping it again (nothing when memory is short). */
static void kt_keep_runs(kt_entry *e, const kt_line *L)
{
    free(e->runs);
    e->runs = NULL;
    e->nrun = 0;
    if (L->nrun <= 0 || !(e->runs = malloc((size_t)L->nrun * sizeof *e->runs)))
        return;
    memcpy(e->runs, L->run, (size_t)L->nrun * sizeof *e->runs);
    e->nrun = L->nrun;
}

/* Lays utf8 out from the runs kept in size entry e: the code points are
 * decoded again, the runs copied.  0, or -1 (no runs kept, no memory). */
static int kt_line_from(const char *utf8, const kt_entry *e, kt_line *L)
{
    memset(L, 0, sizeof *L);
    if (!e->runs)
        return -1;
    size_t len = strlen(utf8);
    int cap = len < KTEXT_MAX_CHARS ? (int)len : KTEXT_MAX_CHARS;
    L->cp = malloc(((size_t)cap + 1) * sizeof *L->cp);
    L->run = malloc((size_t)e->nrun * sizeof *L->run);
    L->buf = malloc((size_t)cap * 4 + 1);
    if (!L->cp || !L->run || !L->buf) {
        kt_line_free(L);
        return -1;
    }
    L->n = kt_decode(utf8, L->cp, cap);
    memcpy(L->run, e->runs, (size_t)e->nrun * sizeof *L->run);
    L->nrun = e->nrun;
    L->w = e->w;
    L->h = e->h;
    L->dpx = e->dpx;
    return 0;
}

/* Looks up or computes the size of a line; fills *w, *h. */
static int kt_size(ktext *t, const char *utf8, int px, int ch, int bold, int *w, int *h,
                   int *dpx)
{
    uint32_t hash = kt_hash(utf8, px, ch, bold, 0);
    int i = kt_cache_find(&t->sizes, utf8, hash, px, ch, bold, 0, 1);
    if (i >= 0) {
        t->sizes.e[i].frame = t->frame;
        *w = t->sizes.e[i].w;
        *h = t->sizes.e[i].h;
        if (dpx)
            *dpx = t->sizes.e[i].dpx;
        return 0;
    }
    kt_line L;
    int rc = kt_layout(t, utf8, px, ch, bold, &L);
    if (rc)
        return rc;
    *w = L.w;
    *h = L.h;
    int d = L.dpx > px ? L.dpx : px;
    if (dpx)
        *dpx = d;
    i = kt_cache_add(&t->sizes, utf8, hash, px, ch, bold, 0, 0);
    if (i >= 0) {
        t->sizes.e[i].w = *w;
        t->sizes.e[i].h = *h;
        t->sizes.e[i].dpx = d;
        t->sizes.e[i].frame = t->frame;
        kt_keep_runs(&t->sizes.e[i], &L);
    }
    kt_line_free(&L);
    return 0;
}

/* ---- disk cache ------------------------------------------------------------------ */
/*
 * What the welcome screen measured and drew, kept in a file (the kiosk's
 * DATA/text-cache) so that the next start draws its first frame without
 * opening a font or shaping a line: the sizes the layout asked for (text,
 * px, chain, weight -> w, h, drawn px) and the drawn lines' coverage (w*h
 * bytes; the colour is part of the key).  Only frames the shell marks are
 * kept (ktext_frame_done(t, 1): the welcome screen, which shows no one's
 * data); a name typed or found never reaches the file.
 *
 * File: KT_CACHE_MAGIC (12 bytes), u64 stamp, u32 run, u32 count, then
 * count records: u32 kind (0 size, 1 line, 2 line breaks), i32 px, chain, bold, u32 rgba,
 * i32 w, h, dpx, u32 run, u32 text length n, u32 check, the text and a
 * NUL, and for a line w*h bytes of coverage (line breaks: the text is
 * the line breaker's key, ktext_breaks_get, and w bytes of its answer,
 * h 1, px 1).  check is FNV-1a (low 32
 * bits) over the record's other fields, text and coverage: a size's is
 * checked when the file is read, a line's when it is first drawn (a bad
 * one is drawn afresh and dropped).  Native byte order: a cache of this
 * machine.
 * The stamp hashes the manifest, every font file's path, size, mtime and
 * inode, the versions of SDL_ttf, FreeType and HarfBuzz, the hinting and
 * the widest texture: when any changes the file is ignored and rewritten.
 * The file is checked whole before anything is used; one bad record and
 * it is ignored.  A record no kept frame used in KT_CACHE_RUNS starts is
 * dropped.  Written to PATH.tmp (0600) and renamed over PATH, and only
 * while the disk keeps KT_CACHE_MIN_FREE free beside four times the
 * largest file (the store's writes matter more than a faster start).
 */
#define KT_CACHE_MAGIC "KTXTCACHE1\n"   /* with its NUL, 12 bytes */
#define KT_CACHE_RUNS 8u
#define KT_CACHE_MAX_BYTES (8u << 20)   /* coverage written, at most */
#define KT_CACHE_MAX_FILE (64u << 20)
#define KT_CACHE_MIN_FREE (64ull << 20) /* free space the disk keeps beside the file */
#define KT_CACHE_MAX_TEXT 4096u
#define KT_CACHE_MAX_H 8192

typedef struct kt_disk {          /* a drawn line's coverage, in the mapped file */
    const char *text;
    uint32_t hash;
    int px, chain, bold;
    uint32_t rgba;
    int w, h;
    const uint8_t *alpha;
    unsigned run;                 /* the start that last kept it; 0 dropped */
    const unsigned char *rec;     /* its fields in the file (11 u32) */
    int next;                     /* next in its bucket */
} kt_disk;

/* Reads a u32 at p (any alignment). */
static uint32_t kt_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* FNV-1a, 64 bits, over n bytes, continuing from h. */
static uint64_t kt_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Hashes a file's path and identity (size, mtime, inode) into h. */
static uint64_t kt_stamp_file(uint64_t h, const char *path)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    h = kt_fnv64(h, path, strlen(path) + 1);
    if (stat(path, &st) == 0) {
        int64_t v[4] = {(int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
                        (int64_t)st.st_mtim.tv_nsec, (int64_t)st.st_ino};
        h = kt_fnv64(h, v, sizeof v);
    }
    return h;
}

/* The fingerprint of everything a measured size or a drawn line depends
 * on besides its key. */
static uint64_t kt_stamp(const ktext *t, const char *manifest)
{
    uint64_t h = 14695981039346656037ull;
    h = kt_fnv64(h, KT_CACHE_MAGIC, sizeof KT_CACHE_MAGIC);
    int v[12] = {0};
    const SDL_version *tv = TTF_Linked_Version();
    v[0] = tv->major, v[1] = tv->minor, v[2] = tv->patch;
    TTF_GetFreeTypeVersion(&v[3], &v[4], &v[5]);
    unsigned hb[3];
    hb_version(&hb[0], &hb[1], &hb[2]);
    v[6] = (int)hb[0], v[7] = (int)hb[1], v[8] = (int)hb[2];
    v[9] = TTF_HINTING_NONE;
    v[10] = t->max_width;
    v[11] = KTEXT_MAX_CHARS;
    h = kt_fnv64(h, v, sizeof v);
    FILE *fp = fopen(manifest, "rb");
    if (fp) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
            h = kt_fnv64(h, buf, n);
        fclose(fp);
    }
    for (int i = 0; i < t->nfont; i++) {
        h = kt_stamp_file(h, t->font[i].file);
        h = kt_fnv64(h, &t->font[i].index, sizeof t->font[i].index);
        if (t->font[i].bold_file)
            h = kt_stamp_file(h, t->font[i].bold_file);
    }
    return h;
}

/* The check of a record: FNV-1a over its fields (check itself zero), text
 * and coverage, low 32 bits. */
static uint32_t kt_disk_check(const uint32_t f[11], const char *text, const uint8_t *alpha,
                              size_t cov)
{
    uint32_t g[11];
    memcpy(g, f, sizeof g);
    g[10] = 0;
    uint64_t h = kt_fnv64(14695981039346656037ull, g, sizeof g);
    h = kt_fnv64(h, text, strlen(text) + 1);
    if (alpha)
        h = kt_fnv64(h, alpha, cov);
    return (uint32_t)h;
}

/* The record of a drawn line in the file, or -1. */
static int kt_disk_find(const ktext *t, const char *utf8, uint32_t hash, int px, int ch,
                        int bold, uint32_t rgba)
{
    if (!t->disk_nbucket)
        return -1;
    for (int i = t->disk_bucket[hash & (uint32_t)(t->disk_nbucket - 1)]; i >= 0;
         i = t->disk[i].next) {
        const kt_disk *d = &t->disk[i];
        if (d->run && d->hash == hash && d->px == px && d->chain == ch && d->bold == bold &&
            d->rgba == rgba && strcmp(d->text, utf8) == 0)
            return i;
    }
    return -1;
}

/* 1 if record d's check holds (its coverage is read for it). */
static int kt_disk_intact(const kt_disk *d)
{
    uint32_t f[11];
    memcpy(f, d->rec, sizeof f);
    return kt_disk_check(f, d->text, d->alpha, (size_t)d->w * (size_t)d->h) == f[10];
}

/* Walks the records of a mapped file: checks each (pass 0) or takes them
 * in (pass 1).  0, or -1 at the first record that does not hold. */
static int kt_disk_parse(ktext *t, const unsigned char *p, size_t len, unsigned count,
                         int pass)
{
    size_t at = 12 + 8 + 4 + 4;
    int nd = 0;
    for (unsigned k = 0; k < count; k++) {
        if (len - at < 44)
            return -1;
        uint32_t f[11];
        memcpy(f, p + at, sizeof f);
        uint32_t kind = f[0], rgba = f[4], run = f[8], n = f[9];
        int px = (int)f[1], ch = (int)f[2], bold = (int)f[3], w = (int)f[5], h = (int)f[6],
            dpx = (int)f[7];
        at += 44;
        if (kind > 2 || px < 1 || px > KTEXT_MAX_PX || ch < 0 || ch >= t->nchain ||
            (bold != 0 && bold != 1) || w < 0 || w > t->max_width || h < 0 ||
            h > KT_CACHE_MAX_H || dpx < px || dpx > KTEXT_MAX_PX || run == 0 ||
            n == 0 || n > KT_CACHE_MAX_TEXT || len - at < (size_t)n + 1)
            return -1;
        const char *text = (const char *)p + at;
        if (text[n] != '\0' || memchr(text, '\0', n))
            return -1;
        at += (size_t)n + 1;
        size_t cov = kind >= 1 ? (size_t)w * (size_t)h : 0;
        if (kind >= 1 && (w < 1 || h < 1 || len - at < cov))
            return -1;
        if (kind == 2 && (px != 1 || h != 1 || ch != 0 || bold != 0 || rgba != 0 ||
                          kt_disk_check(f, text, p + at, cov) != f[10]))
            return -1;
        if (kind == 0 && (rgba != 0 || kt_disk_check(f, text, NULL, 0) != f[10]))
            return -1;
        uint32_t hash = kt_hash(text, px, ch, bold, 0);
        int i = pass == 1 && kind == 0 ? kt_cache_find(&t->sizes, text, hash, px, ch, bold, 0, 0)
                                       : -1;
        if (i >= 0) {
            /* Measured before the file was opened (the same fonts: the
             * same size): it is on disk already. */
            t->sizes.e[i].run = run;
            t->sizes.e[i].on_disk = 1;
        } else if (pass == 1 && kind == 0) {
            i = kt_cache_add(&t->sizes, text, hash, px, ch, bold, 0, 0);
            if (i >= 0) {
                kt_entry *e = &t->sizes.e[i];
                e->w = w, e->h = h, e->dpx = dpx, e->run = run, e->on_disk = 1;
                e->frame = (unsigned long)-1;
            }
        } else if (pass == 1 && kind == 2) {
            uint32_t bh = kt_hash(text, 1, 0, 0, 0);
            if (kt_cache_find(&t->breaks, text, bh, 1, 0, 0, 0, 0) < 0) {
                uint8_t *copy = malloc(cov);
                i = copy ? kt_cache_add(&t->breaks, text, bh, 1, 0, 0, 0, 0) : -1;
                if (i >= 0) {
                    kt_entry *e = &t->breaks.e[i];
                    memcpy(copy, p + at, cov);
                    e->alpha = copy;
                    e->w = w, e->h = 1, e->run = run, e->on_disk = 1;
                    e->frame = (unsigned long)-1;
                } else {
                    free(copy);
                }
            }
        } else if (pass == 1 && kind == 1) {
            kt_disk *d = &t->disk[nd++];
            d->text = text;
            d->hash = kt_hash(text, px, ch, bold, rgba);
            d->px = px, d->chain = ch, d->bold = bold, d->rgba = rgba, d->w = w, d->h = h;
            d->alpha = p + at;
            d->run = run;
            d->rec = (const unsigned char *)text - 44;
        } else if (kind == 1) {
            nd++;
        }
        at += cov;
    }
    return at == len ? nd : -1;
}

/* Takes in the file at t->cache_path if it is whole and made for these
 * fonts; otherwise leaves it to be rewritten. */
static void kt_disk_load(ktext *t)
{
    int fd = open(t->cache_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 28 ||
        (uint64_t)st.st_size > KT_CACHE_MAX_FILE) {
        close(fd);
        return;
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return;
    const unsigned char *p = map;
    uint64_t stamp;
    memcpy(&stamp, p + 12, sizeof stamp);
    unsigned run = kt_u32(p + 20), count = kt_u32(p + 24);
    int nd;
    if (memcmp(p, KT_CACHE_MAGIC, sizeof KT_CACHE_MAGIC) != 0 || stamp != t->cache_stamp ||
        run == 0 || run == UINT_MAX || (nd = kt_disk_parse(t, p, len, count, 0)) < 0) {
        munmap(map, len);
        return;
    }
    int nb = 1;
    while (nb < nd * 2)
        nb *= 2;
    t->disk = nd ? calloc((size_t)nd, sizeof *t->disk) : NULL;
    t->disk_bucket = nd ? malloc((size_t)nb * sizeof *t->disk_bucket) : NULL;
    if (nd && (!t->disk || !t->disk_bucket)) {
        free(t->disk);
        free(t->disk_bucket);
        t->disk = NULL;
        t->disk_bucket = NULL;
        munmap(map, len);
        return;
    }
    t->cache_map = map;
    t->cache_len = len;
    t->cache_run = run + 1;
    kt_disk_parse(t, p, len, count, 1);
    t->ndisk = nd;
    t->disk_nbucket = nd ? nb : 0;
    for (int i = 0; i < nb && nd; i++)
        t->disk_bucket[i] = -1;
    for (int i = 0; i < nd; i++) {
        int *b = &t->disk_bucket[t->disk[i].hash & (uint32_t)(nb - 1)];
        t->disk[i].next = *b;
        *b = i;
    }
}

/* 1 if a record last kept at start `run` is still worth writing. */
static int kt_disk_fresh(const ktext *t, unsigned run)
{
    return run && t->cache_run - run < KT_CACHE_RUNS;
}

/* Writes one record; 0 or -1. */
static int kt_disk_put(FILE *fp, uint32_t kind, int px, int ch, int bold, uint32_t rgba,
                       int w, int h, int dpx, unsigned run, const char *text,
                       const uint8_t *alpha)
{
    uint32_t n = (uint32_t)strlen(text);
    uint32_t f[11] = {kind, (uint32_t)px, (uint32_t)ch, (uint32_t)bold, rgba, (uint32_t)w,
                      (uint32_t)h, (uint32_t)dpx, run, n, 0};
    if (n == 0 || n > KT_CACHE_MAX_TEXT)
        return 0;   /* not kept; not an error */
    f[10] = kt_disk_check(f, text, kind >= 1 ? alpha : NULL, (size_t)w * (size_t)h);
    if (fwrite(f, sizeof f, 1, fp) != 1 || fwrite(text, (size_t)n + 1, 1, fp) != 1)
        return -1;
    if (kind >= 1 && fwrite(alpha, (size_t)w * (size_t)h, 1, fp) != 1)
        return -1;
    return 1;
}

/* Writes the kept sizes and lines to PATH.tmp and renames it over PATH.
 * A failure is noted in t->error once and the cache is no longer written. */
static void kt_disk_write(ktext *t)
{
    size_t plen = strlen(t->cache_path);
    /* Never the cause of a full disk: the store's writes come first.  Room
     * for the file many times over and KT_CACHE_MIN_FREE more, or no write
     * (the next kept frame tries again). */
    char *dir = kt_strdup(t->cache_path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    struct statvfs vfs;
    int low = statvfs(slash ? (dir[0] ? dir : "/") : ".", &vfs) == 0 &&
              (uint64_t)vfs.f_bavail * vfs.f_frsize < KT_CACHE_MIN_FREE + 4ull * KT_CACHE_MAX_BYTES;
    free(dir);
    if (low) {
        snprintf(t->error, sizeof t->error, "text cache %.400s: not written, the disk is "
                 "nearly full", t->cache_path);
        return;
    }
    char *tmp = malloc(plen + 5);
    if (!tmp)
        return;
    snprintf(tmp, plen + 5, "%s.tmp", t->cache_path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, KFILE_MODE);
    kerr err = {0};
    FILE *fp = fd >= 0 && kfile_private_fd(fd, tmp, &err) == 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        if (err.msg[0])
            snprintf(t->error, sizeof t->error, "text cache: %.480s", err.msg);
        else
            snprintf(t->error, sizeof t->error, "text cache %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        free(tmp);
        t->cache_failed = 1;
        return;
    }
    uint32_t head[4] = {0, 0, t->cache_run, 0};
    memcpy(head, &t->cache_stamp, sizeof t->cache_stamp);
    int ok = fwrite(KT_CACHE_MAGIC, sizeof KT_CACHE_MAGIC, 1, fp) == 1 &&
             fwrite(head, sizeof head, 1, fp) == 1;
    uint32_t count = 0;
    size_t bytes = 0;
    for (int i = 0; ok && i < t->sizes.cap; i++) {
        kt_entry *e = &t->sizes.e[i];
        if (!e->text || !kt_disk_fresh(t, e->run))
            continue;
        int r = kt_disk_put(fp, 0, e->px, e->chain, e->bold, 0, e->w, e->h, e->dpx, e->run,
                            e->text, NULL);
        ok = r >= 0;
        count += r > 0;
    }
    for (int i = 0; ok && i < t->breaks.cap; i++) {
        kt_entry *e = &t->breaks.e[i];
        if (!e->text || !e->alpha || !kt_disk_fresh(t, e->run))
            continue;
        int r = kt_disk_put(fp, 2, 1, 0, 0, 0, e->w, 1, 1, e->run, e->text, e->alpha);
        ok = r >= 0;
        count += r > 0;
    }
    for (int i = 0; ok && i < t->textures.cap; i++) {
        kt_entry *e = &t->textures.e[i];
        size_t b = (size_t)e->w * (size_t)e->h;
        if (!e->text || !e->alpha || !kt_disk_fresh(t, e->run) || bytes + b > KT_CACHE_MAX_BYTES)
            continue;
        int r = kt_disk_put(fp, 1, e->px, e->chain, e->bold, e->rgba, e->w, e->h, e->px,
                            e->run, e->text, e->alpha);
        ok = r >= 0;
        count += r > 0;
        bytes += r > 0 ? b : 0;
    }
    for (int i = 0; ok && i < t->ndisk; i++) {
        kt_disk *d = &t->disk[i];
        size_t b = (size_t)d->w * (size_t)d->h;
        if (!kt_disk_fresh(t, d->run) || bytes + b > KT_CACHE_MAX_BYTES || !kt_disk_intact(d))
            continue;   /* (a damaged record is not written again with a fresh check) */
        int r = kt_disk_put(fp, 1, d->px, d->chain, d->bold, d->rgba, d->w, d->h, d->px,
                            d->run, d->text, d->alpha);
        ok = r >= 0;
        count += r > 0;
        bytes += r > 0 ? b : 0;
    }
    ok = ok && fseek(fp, 12 + 8 + 4, SEEK_SET) == 0 && fwrite(&count, sizeof count, 1, fp) == 1;
    ok = fclose(fp) == 0 && ok;
    if (!ok || rename(tmp, t->cache_path) != 0) {
        snprintf(t->error, sizeof t->error, "text cache %s: %s", t->cache_path,
                 strerror(errno));
        unlink(tmp);
        t->cache_failed = 1;
    } else {
        for (int i = 0; i < t->sizes.cap; i++)
            if (t->sizes.e[i].text && kt_disk_fresh(t, t->sizes.e[i].run))
                t->sizes.e[i].on_disk = 1;
        for (int i = 0; i < t->breaks.cap; i++)
            if (t->breaks.e[i].text && kt_disk_fresh(t, t->breaks.e[i].run))
                t->breaks.e[i].on_disk = 1;
        for (int i = 0; i < t->textures.cap; i++)
            if (t->textures.e[i].text && t->textures.e[i].alpha &&
                kt_disk_fresh(t, t->textures.e[i].run))
                t->textures.e[i].on_disk = 1;
    }
    free(tmp);
}

/* Keeps the coverage of surface s (ARGB) in texture entry e, for the file. */
static void kt_keep_alpha(kt_entry *e, SDL_Surface *s)
{
    e->alpha = malloc((size_t)s->w * (size_t)s->h);
    if (!e->alpha)
        return;
    for (int y = 0; y < s->h; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++)
            e->alpha[(size_t)y * (size_t)s->w + (size_t)x] = (uint8_t)(row[x] >> 24);
    }
}

/* The line of record d as kt_render makes it: coverage and the key's colour. */
static SDL_Surface *kt_disk_surface(ktext *t, const kt_disk *d)
{
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, d->w, d->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!out) {
        snprintf(t->error, sizeof t->error, "SDL_CreateRGBSurfaceWithFormat %dx%d: %s", d->w,
                 d->h, SDL_GetError());
        return NULL;
    }
    uint32_t rgb = d->rgba >> 8;
    for (int y = 0; y < d->h; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)out->pixels + (size_t)y * (size_t)out->pitch);
        const uint8_t *a = d->alpha + (size_t)y * (size_t)d->w;
        for (int x = 0; x < d->w; x++)
            row[x] = a[x] ? ((uint32_t)a[x] << 24) | rgb : 0;
    }
    return out;
}

/* ---- the interface (text.h) ----------------------------------------------------- */

/* Fills *out and returns 0, or returns a KERR_ code with err set. */
int ktext_open(ktext **out, const char *fonts_dir, SDL_Renderer *r, kerr *err)
{
    *out = NULL;
    ktext *t = calloc(1, sizeof *t);
    if (!t)
        return kerr_set(err, KERR_INTERNAL, "out of memory opening the text layer");
    t->r = r;
    t->max_width = KTEXT_MAX_WIDTH;
    SDL_RendererInfo info;
    if (r && SDL_GetRendererInfo(r, &info) == 0 && info.max_texture_width > 0 &&
        info.max_texture_width < t->max_width)
        t->max_width = info.max_texture_width;
    if (kt_cache_init(&t->sizes, KTEXT_SIZE_ENTRIES, 0) != 0 ||
        kt_cache_init(&t->breaks, KTEXT_BREAK_ENTRIES, 0) != 0 ||
        kt_cache_init(&t->textures, KTEXT_TEX_ENTRIES, KTEXT_TEX_BYTES) != 0) {
        ktext_close(t);
        return kerr_set(err, KERR_INTERNAL, "out of memory for the text caches");
    }
    int rc = kt_parse_manifest(t, fonts_dir, err);
    if (rc) {
        ktext_close(t);
        return rc;
    }
    /* TTF_Init is reference-counted; ktext_close balances it. */
    if (TTF_Init() != 0) {
        rc = kerr_set(err, KERR_INTERNAL, "TTF_Init: %s", TTF_GetError());
        ktext_close(t);
        return rc;
    }
    t->ttf_inited = 1;
    *out = t;
    return 0;
}

/* Frees every texture, face and the manifest; balances TTF_Init. */
void ktext_close(ktext *t)
{
    if (!t)
        return;
    kt_cache_free(&t->textures);
    kt_cache_free(&t->sizes);
    kt_cache_free(&t->breaks);
    for (int i = 0; i < KTEXT_MAX_FACES; i++)
        if (t->face[i].font)
            TTF_CloseFont(t->face[i].font);
    for (int i = 0; i < t->nfont; i++) {
        free(t->font[i].file);
        free(t->font[i].bold_file);
    }
    for (int i = 0; i < t->nmap; i++) {
        munmap(t->map[i].addr, t->map[i].len);
        free(t->map[i].path);
    }
    if (t->cache_map)
        munmap(t->cache_map, t->cache_len);
    free(t->disk);
    free(t->disk_bucket);
    free(t->cache_path);
    if (t->ttf_inited)
        TTF_Quit();
    free(t);
}

/* Size of one line (see text.h). */
int ktext_measure(ktext *t, const char *utf8, int px, const char *lang, int bold,
                  int *w, int *h)
{
    int dw = 0, dh = 0;
    if (!w)
        w = &dw;
    if (!h)
        h = &dh;
    *w = *h = 0;
    if (!t || !utf8 || px < 1 || px > KTEXT_MAX_PX)
        return KERR_INVALID;
    return kt_size(t, utf8, px, kt_chain_for(t, lang), bold ? 1 : 0, w, h, NULL);
}

/* Draws one line from the texture cache, rendering it on a miss. */
int ktext_draw(ktext *t, const char *utf8, int px, const char *lang, int bold,
               SDL_Color c, int x, int y)
{
    if (!t || !t->r || !utf8 || px < 1 || px > KTEXT_MAX_PX)
        return KERR_INVALID;
    if (!*utf8)
        return 0;
    bold = bold ? 1 : 0;
    int ch = kt_chain_for(t, lang);
    uint32_t rgba = ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a;
    uint32_t hash = kt_hash(utf8, px, ch, bold, rgba);
    int i = kt_cache_find(&t->textures, utf8, hash, px, ch, bold, rgba, 1);
    if (i < 0) {
        SDL_Surface *s = NULL;
        int lw, lh;
        int di = kt_disk_find(t, utf8, hash, px, ch, bold, rgba);
        if (di >= 0 && !kt_disk_intact(&t->disk[di])) {
            t->disk[di].run = 0;   /* damaged: drawn afresh, dropped from the file */
            di = -1;
        }
        if (di >= 0) {
            /* Drawn at an earlier start: no font, no shaping. */
            s = kt_disk_surface(t, &t->disk[di]);
            if (!s)
                return KERR_INTERNAL;
            lw = s->w;
            lh = s->h;
        } else {
            /* The line is usually measured already (the layout fits every
             * text): render the runs found then instead of shaping it again. */
            kt_line L;
            uint32_t sh = kt_hash(utf8, px, ch, bold, 0);
            int si = kt_cache_find(&t->sizes, utf8, sh, px, ch, bold, 0, 0);
            if (si < 0 || kt_line_from(utf8, &t->sizes.e[si], &L) != 0) {
                int rc = kt_layout(t, utf8, px, ch, bold, &L);
                if (rc)
                    return rc;
            }
            if (L.w <= 0 || L.h <= 0) {
                kt_line_free(&L);
                return 0;
            }
            s = kt_render(t, &L, px, bold, c);
            lw = L.w;
            lh = L.h;
            int ldpx = L.dpx > px ? L.dpx : px;
            /* The size is known now: spare the layout a measurement. */
            if (kt_cache_find(&t->sizes, utf8, sh, px, ch, bold, 0, 0) < 0) {
                int j = kt_cache_add(&t->sizes, utf8, sh, px, ch, bold, 0, 0);
                if (j >= 0) {
                    t->sizes.e[j].w = lw;
                    t->sizes.e[j].h = lh;
                    t->sizes.e[j].dpx = ldpx;
                    t->sizes.e[j].frame = t->frame;
                    kt_keep_runs(&t->sizes.e[j], &L);
                }
            }
            kt_line_free(&L);
            if (!s)
                return KERR_INTERNAL;
        }
        SDL_Texture *tex = SDL_CreateTextureFromSurface(t->r, s);
        if (!tex) {
            SDL_FreeSurface(s);
            snprintf(t->error, sizeof t->error, "SDL_CreateTextureFromSurface %dx%d: %s",
                     lw, lh, SDL_GetError());
            return KERR_INTERNAL;
        }
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
        i = kt_cache_add(&t->textures, utf8, hash, px, ch, bold, rgba,
                         (size_t)lw * (size_t)lh * 4);
        if (i < 0) {
            /* No memory for the entry: draw once, uncached. */
            SDL_FreeSurface(s);
            SDL_Rect dst = {x, y, lw, lh};
            SDL_RenderCopy(t->r, tex, NULL, &dst);
            SDL_DestroyTexture(tex);
            return 0;
        }
        kt_entry *e = &t->textures.e[i];
        e->tex = tex;
        e->w = lw;
        e->h = lh;
        e->disk = di;
        if (di >= 0)
            e->on_disk = 1;
        else if (t->cache_path && !t->cache_failed)
            kt_keep_alpha(e, s);   /* in case a kept frame uses it */
        SDL_FreeSurface(s);
    }
    kt_entry *e = &t->textures.e[i];
    e->frame = t->frame;
    SDL_Rect dst = {x, y, e->w, e->h};
    if (SDL_RenderCopy(t->r, e->tex, NULL, &dst) != 0) {
        snprintf(t->error, sizeof t->error, "SDL_RenderCopy: %s", SDL_GetError());
        return KERR_INTERNAL;
    }
    return 0;
}

/* Opens the disk cache at path (see text.h). */
void ktext_cache_open(ktext *t, const char *path, const char *fonts_dir)
{
    if (!t || !path || t->cache_path)
        return;
    t->cache_path = kt_strdup(path);
    if (!t->cache_path)
        return;
    char mf[1024];
    snprintf(mf, sizeof mf, "%s/fonts.conf", fonts_dir ? fonts_dir : ".");
    t->cache_stamp = kt_stamp(t, mf);
    t->cache_run = 1;
    kt_disk_load(t);
}

/* The line breaker's memo (see text.h). */
int ktext_breaks_get(void *ctx, const char *key, unsigned char *brk, int n)
{
    ktext *t = ctx;
    if (!t || !key || n < 1)
        return 0;
    uint32_t h = kt_hash(key, 1, 0, 0, 0);
    int i = kt_cache_find(&t->breaks, key, h, 1, 0, 0, 0, 0);
    if (i < 0 || t->breaks.e[i].w != n || !t->breaks.e[i].alpha)
        return 0;
    memcpy(brk, t->breaks.e[i].alpha, (size_t)n);
    t->breaks.e[i].frame = t->frame;
    return 1;
}

void ktext_breaks_put(void *ctx, const char *key, const unsigned char *brk, int n)
{
    ktext *t = ctx;
    if (!t || !key || n < 1 || !t->cache_path || strlen(key) > KT_CACHE_MAX_TEXT)
        return;
    uint32_t h = kt_hash(key, 1, 0, 0, 0);
    int i = kt_cache_find(&t->breaks, key, h, 1, 0, 0, 0, 0);
    uint8_t *copy = malloc((size_t)n);
    if (!copy)
        return;
    memcpy(copy, brk, (size_t)n);
    if (i < 0)
        i = kt_cache_add(&t->breaks, key, h, 1, 0, 0, 0, 0);
    if (i < 0) {
        free(copy);
        return;
    }
    kt_entry *e = &t->breaks.e[i];
    free(e->alpha);
    e->alpha = copy;
    e->w = n;
    e->h = 1;
    e->on_disk = 0;
    e->frame = t->frame;
}

/* Ends a frame; keeps what it used when asked (see text.h). */
void ktext_frame_done(ktext *t, int keep)
{
    if (!t)
        return;
    if (keep && t->cache_path && !t->cache_failed) {
        int dirty = 0;
        for (int i = 0; i < t->sizes.cap; i++) {
            kt_entry *e = &t->sizes.e[i];
            if (e->text && e->frame == t->frame) {
                e->run = t->cache_run;
                dirty |= !e->on_disk;
            }
        }
        for (int i = 0; i < t->breaks.cap; i++) {
            kt_entry *e = &t->breaks.e[i];
            if (e->text && e->frame == t->frame) {
                e->run = t->cache_run;
                dirty |= !e->on_disk;
            }
        }
        for (int i = 0; i < t->textures.cap; i++) {
            kt_entry *e = &t->textures.e[i];
            if (!e->text || e->frame != t->frame)
                continue;
            e->run = t->cache_run;
            if (e->disk >= 0 && e->disk < t->ndisk)
                t->disk[e->disk].run = t->cache_run;
            else
                dirty |= !e->on_disk && e->alpha;
        }
        if (dirty)
            kt_disk_write(t);
    }
    t->frame++;
}

/* The largest size a run of utf8 is drawn at (see text.h). */
int ktext_drawn_px(ktext *t, const char *utf8, int px, const char *lang)
{
    int w, h, dpx = px;
    if (!t || !utf8 || px < 1 || px > KTEXT_MAX_PX)
        return px;
    if (kt_size(t, utf8, px, kt_chain_for(t, lang), 0, &w, &h, &dpx) != 0)
        return px;
    return dpx;
}

/* Tallest ascent plus deepest descent of the fonts lang's chain line names
 * (the base font for a language the manifest does not list). */
int ktext_line_height(ktext *t, int px, const char *lang)
{
    if (!t || px < 1 || px > KTEXT_MAX_PX)
        return 0;
    const kt_chain *c = &t->chain[kt_chain_for(t, lang)];
    int n = c->lang[0] ? c->n_own : 1;
    int asc = 0, desc = 0;
    for (int i = 0; i < n; i++) {
        TTF_Font *f = kt_open_face(t, c->own[i], px, 0);
        if (!f)
            continue;
        int a = TTF_FontAscent(f), d = TTF_FontHeight(f) - a;
        asc = a > asc ? a : asc;
        desc = d > desc ? d : desc;
    }
    int h = asc + desc > 0 ? asc + desc : px * 4 / 3;
    /* A line grows where marks stack beyond a font's ascent or descent
     * (Vietnamese Ậ, a Khmer cluster with two subscripts, Lao with a tone
     * over a vowel): measure such a line of each script of the chain. */
    int ch = kt_chain_for(t, lang);
    for (int i = 0; i < n; i++) {
        const char *probe = "\u1EAC\u1EA0g";   /* Ậ Ạ g */
        uint32_t sc = t->font[c->own[i]].script;
        if (sc == KT_TAG('K', 'h', 'm', 'r'))
            probe = "\u179F\u17D2\u178F\u17D2\u179A\u17B8\u1780\u17D2\u1793\u17BB\u1784";   /* ស្ត្រីក្នុង */
        else if (sc == KT_TAG('L', 'a', 'o', 'o'))
            probe = "\u0EC0\u0E82\u0EBB\u0EC9\u0EB2\u0E81\u0EB8";   /* ເຂົ້າກຸ */
        int pw = 0, ph = 0;
        if (kt_size(t, probe, px, ch, 0, &pw, &ph, NULL) == 0 && ph > h)
            h = ph;
    }
    return h;
}

/* 1 if a font of lang's chain would draw cp (see text.h). */
int ktext_covers(ktext *t, uint32_t cp, const char *lang)
{
    if (!t || cp > 0x10FFFF)
        return 0;
    return kt_pick(t, kt_chain_for(t, lang), 0, 0, cp) >= 0;
}

/* Drops all cached textures. */
void ktext_flush(ktext *t)
{
    if (t)
        kt_cache_clear(&t->textures);
}

/* Copies the counters (see ktext_stats). */
void ktext_stats_get(const ktext *t, ktext_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!t)
        return;
    st->draw_hits = t->textures.hits;
    st->draw_misses = t->textures.misses;
    st->measure_hits = t->sizes.hits;
    st->measure_misses = t->sizes.misses;
    st->evictions = t->textures.evictions;
    st->textures = t->textures.count;
    st->texture_bytes = t->textures.bytes;
    for (int i = 0; i < KTEXT_MAX_FACES; i++)
        st->faces_open += t->face[i].font != NULL;
    st->face_opens = t->face_opens;
    st->face_open_ms = t->face_open_ms;
}

/* Missing optional fonts, one per line. */
const char *ktext_missing(const ktext *t)
{
    return t ? t->missing : "";
}

/* Last font error met at use time. */
const char *ktext_error(const ktext *t)
{
    return t ? t->error : "";
}

/* ---- manifest ------------------------------------------------------------------ */

/* Splits line s in place into at most cap whitespace-separated tokens
 * ("double quotes" keep spaces; # starts a comment).  Returns the count, or
 * -1 for an unclosed quote. */
static int kt_tokens(char *s, char **tok, int cap)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        if (!*s || *s == '#')
            return n;
        if (n == cap)
            return n + 1;
        if (*s == '"') {
            tok[n++] = ++s;
            s = strchr(s, '"');
            if (!s)
                return -1;
            *s++ = '\0';
            continue;
        }
        tok[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            s++;
        if (*s)
            *s++ = '\0';
    }
}

/* Makes a path absolute against dir unless it already is. */
static char *kt_path(const char *dir, const char *file)
{
    if (file[0] == '/')
        return kt_strdup(file);
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* 0 if path can be opened for reading, else errno. */
static int kt_readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno ? errno : ENOENT;
    fclose(f);
    return 0;
}

/* Index of the font named name, or -1. */
static int kt_font_named(const ktext *t, const char *name)
{
    for (int i = 0; i < t->nfont; i++)
        if (strcmp(t->font[i].name, name) == 0)
            return i;
    return -1;
}

/* Parses a `font NAME FILE [index=N] [bold=FILE] [script=Xxxx]` line. */
static int kt_parse_font(ktext *t, const char *dir, const char *mf, int line,
                         char **tok, int n, kerr *err)
{
    if (n < 3)
        return kerr_set(err, KERR_INVALID,
                        "%s:%d: font needs a name and a file: font NAME FILE [index=N] "
                        "[bold=FILE] [script=Xxxx]", mf, line);
    if (t->nfont == KTEXT_MAX_FONTS)
        return kerr_set(err, KERR_INVALID, "%s:%d: more than %d fonts", mf, line,
                        KTEXT_MAX_FONTS);
    if (strlen(tok[1]) >= KTEXT_NAME_MAX)
        return kerr_set(err, KERR_INVALID, "%s:%d: font name '%s' longer than %d characters",
                        mf, line, tok[1], KTEXT_NAME_MAX - 1);
    if (kt_font_named(t, tok[1]) >= 0)
        return kerr_set(err, KERR_INVALID, "%s:%d: font '%s' defined twice", mf, line, tok[1]);
    kt_font *f = &t->font[t->nfont++];
    snprintf(f->name, sizeof f->name, "%s", tok[1]);
    f->line = line;
    f->file = kt_path(dir, tok[2]);
    if (!f->file)
        return kerr_set(err, KERR_INTERNAL, "out of memory reading %s", mf);
    for (int i = 3; i < n; i++) {
        char *v = strchr(tok[i], '=');
        if (v)
            *v++ = '\0';
        if (v && strcmp(tok[i], "index") == 0) {
            char *end;
            long idx = strtol(v, &end, 10);
            if (!*v || *end || idx < 0 || idx > 255)
                return kerr_set(err, KERR_INVALID,
                                "%s:%d: font %s: index=%s is not a face number 0-255",
                                mf, line, f->name, v);
            f->index = idx;
        } else if (v && strcmp(tok[i], "bold") == 0 && *v) {
            free(f->bold_file);
            f->bold_file = kt_path(dir, v);
            if (!f->bold_file)
                return kerr_set(err, KERR_INTERNAL, "out of memory reading %s", mf);
        } else if (v && strcmp(tok[i], "script") == 0) {
            int ok = strlen(v) == 4;
            for (int j = 0; ok && j < 4; j++)
                ok = (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z');
            if (!ok)
                return kerr_set(err, KERR_INVALID,
                                "%s:%d: font %s: script=%s is not a 4-letter ISO 15924 "
                                "code such as Khmr", mf, line, f->name, v);
            /* Canonical case: first letter upper, the rest lower. */
            char c0 = v[0] & ~0x20, c1 = v[1] | 0x20, c2 = v[2] | 0x20, c3 = v[3] | 0x20;
            f->script = KT_TAG(c0, c1, c2, c3);
        } else {
            return kerr_set(err, KERR_INVALID,
                            "%s:%d: font %s: unknown option '%s%s%s' (expected index=N, "
                            "bold=FILE or script=Xxxx)", mf, line, f->name, tok[i],
                            v ? "=" : "", v ? v : "");
        }
    }
    return 0;
}

/* Parses a `chain LANG NAME...` or `default-chain NAME...` line into c. */
static int kt_parse_chain(ktext *t, const char *mf, int line, char **tok, int n,
                          kt_chain *c, kerr *err)
{
    for (int i = 0; i < n; i++) {
        int k = kt_font_named(t, tok[i]);
        if (k < 0)
            return kerr_set(err, KERR_INVALID,
                            "%s:%d: unknown font '%s' (define it with a font line above)",
                            mf, line, tok[i]);
        for (int j = 0; j < c->n_own; j++)
            if (c->own[j] == k)
                return kerr_set(err, KERR_INVALID, "%s:%d: font '%s' listed twice",
                                mf, line, tok[i]);
        c->own[c->n_own++] = k;
    }
    return 0;
}

/* Reads fonts_dir/fonts.conf into t->font and t->chain and checks files. */
static int kt_parse_manifest(ktext *t, const char *fonts_dir, kerr *err)
{
    char mf[1024], buf[2048];
    snprintf(mf, sizeof mf, "%s/fonts.conf", fonts_dir ? fonts_dir : ".");
    FILE *fp = fopen(mf, "r");
    if (!fp)
        return kerr_set(err, KERR_IO, "cannot open font manifest %s: %s", mf, strerror(errno));
    int line = 0, rc = 0, have_default = 0, default_line = 0;
    t->nchain = 1; /* [0]: the default chain */
    while (!rc && fgets(buf, sizeof buf, fp)) {
        line++;
        if (!strchr(buf, '\n') && !feof(fp)) {
            rc = kerr_set(err, KERR_INVALID, "%s:%d: line longer than %zu bytes", mf, line,
                          sizeof buf - 2);
            break;
        }
        char *tok[KTEXT_MAX_FONTS + 2];
        int n = kt_tokens(buf, tok, KTEXT_MAX_FONTS + 2);
        if (n < 0) {
            rc = kerr_set(err, KERR_INVALID, "%s:%d: unclosed double quote", mf, line);
        } else if (n > KTEXT_MAX_FONTS + 2) {
            rc = kerr_set(err, KERR_INVALID, "%s:%d: too many words (a chain holds at most %d fonts)",
                          mf, line, KTEXT_MAX_FONTS);
        } else if (n == 0) {
            continue;
        } else if (strcmp(tok[0], "font") == 0) {
            rc = kt_parse_font(t, fonts_dir, mf, line, tok, n, err);
        } else if (strcmp(tok[0], "chain") == 0) {
            if (n < 3) {
                rc = kerr_set(err, KERR_INVALID, "%s:%d: chain needs a language and fonts: "
                              "chain LANG NAME...", mf, line);
            } else if (strlen(tok[1]) >= KTEXT_LANG_MAX) {
                rc = kerr_set(err, KERR_INVALID, "%s:%d: language tag '%s' too long", mf, line,
                              tok[1]);
            } else if (t->nchain == KTEXT_MAX_CHAINS) {
                rc = kerr_set(err, KERR_INVALID, "%s:%d: more than %d chains", mf, line,
                              KTEXT_MAX_CHAINS - 1);
            } else {
                for (int i = 1; i < t->nchain && !rc; i++)
                    if (kt_ieq(t->chain[i].lang, tok[1]))
                        rc = kerr_set(err, KERR_INVALID, "%s:%d: chain %s defined twice", mf,
                                      line, tok[1]);
                if (!rc) {
                    kt_chain *c = &t->chain[t->nchain++];
                    snprintf(c->lang, sizeof c->lang, "%s", tok[1]);
                    rc = kt_parse_chain(t, mf, line, tok + 2, n - 2, c, err);
                }
            }
        } else if (strcmp(tok[0], "default-chain") == 0) {
            if (have_default)
                rc = kerr_set(err, KERR_INVALID, "%s:%d: default-chain given twice", mf, line);
            else if (n < 2)
                rc = kerr_set(err, KERR_INVALID, "%s:%d: default-chain needs fonts", mf, line);
            else
                rc = kt_parse_chain(t, mf, line, tok + 1, n - 1, &t->chain[0], err);
            have_default = 1;
            default_line = line;
        } else {
            rc = kerr_set(err, KERR_INVALID,
                          "%s:%d: unknown keyword '%s' (expected font, chain or default-chain)",
                          mf, line, tok[0]);
        }
    }
    if (!rc && ferror(fp))
        rc = kerr_set(err, KERR_IO, "cannot read %s: %s", mf, strerror(errno));
    fclose(fp);
    if (rc)
        return rc;
    if (!have_default)
        return kerr_set(err, KERR_INVALID,
                        "%s: no default-chain line (it names the base font first)", mf);

    /* Every chain ends with the default chain's fonts it does not name. */
    for (int i = 0; i < t->nchain; i++) {
        kt_chain *c = &t->chain[i];
        c->n_all = 0;
        for (int j = 0; j < c->n_own; j++)
            c->all[c->n_all++] = c->own[j];
        for (int j = 0; j < t->chain[0].n_own; j++) {
            int k = t->chain[0].own[j], dup = 0;
            for (int m = 0; m < c->n_own; m++)
                dup |= c->own[m] == k;
            if (!dup && c->n_all < KTEXT_MAX_FONTS)
                c->all[c->n_all++] = k;
        }
    }

    /* Files: the base font must be there; others degrade. */
    int base = t->chain[0].own[0];
    for (int i = 0; i < t->nfont; i++) {
        kt_font *f = &t->font[i];
        char note[1400];
        int e = kt_readable(f->file);
        if (e && i == base)
            return kerr_set(err, KERR_IO,
                            "%s:%d: base font %s (first of default-chain, line %d): cannot read "
                            "%s: %s", mf, f->line, f->name, default_line, f->file, strerror(e));
        if (e) {
            f->missing = 1;
            snprintf(note, sizeof note, "%s:%d: font %s: cannot read %s: %s; its characters "
                     "fall back to other fonts or show as boxes", mf, f->line, f->name, f->file,
                     strerror(e));
            kt_note_missing(t, note);
            continue;
        }
        if (f->bold_file && (e = kt_readable(f->bold_file)) != 0) {
            snprintf(note, sizeof note, "%s:%d: font %s: cannot read bold file %s: %s; bold "
                     "is emboldened from the regular face", mf, f->line, f->name,
                     f->bold_file, strerror(e));
            kt_note_missing(t, note);
            free(f->bold_file);
            f->bold_file = NULL;
        }
    }
    return 0;
}
