/*
 * text.h - one line of text on screen, in any of the kiosk's languages.
 *
 * The SDL shell's text layer: it reads the font manifest (fonts/fonts.conf,
 * documented in fonts/README.md), splits a line into runs that one font can
 * draw (per-script fallback, regional Han forms picked by the language),
 * shapes each run with SDL_ttf/HarfBuzz under its script, composes the runs
 * on one baseline, and caches the result as a texture.  Fonts open lazily,
 * on first use.
 *
 *   ktext *t;
 *   kerr err;
 *   if (ktext_open(&t, KIOSK_FONTS_DIR, renderer, &err) != 0)
 *       fprintf(stderr, "kiosk: %s\n", err.msg);
 *   ktext_draw(t, "Xin chào, Nguyễn", 32, "vi", 0, white, 40, 40);
 *   ktext_close(t);
 *
 * Languages are BCP 47 tags as the catalogs spell them: "en", "vi",
 * "zh-Hans", "zh-Hant", "ko", "tl", "km", "lo", "ja"; NULL means "en".  A
 * tag the manifest does not list falls back by dropping subtags
 * ("zh-Hant-TW" -> "zh-Hant"), then to the manifest's default chain.
 *
 * Sizes are pixel sizes (the em height; SDL_ttf at 72 dpi).  Functions
 * returning int give 0 or a KERR_ code; when a font cannot be opened at use
 * time the reason is kept for ktext_error().  Not thread-safe: call from
 * the thread that owns the renderer.
 */
#ifndef KIOSK_UI_TEXT_H
#define KIOSK_UI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <SDL2/SDL.h>

#include "../core/kerr.h"

typedef struct ktext ktext;

/* Counters for tests, benchmarks and the staff diagnostics screen. */
typedef struct ktext_stats {
    unsigned long draw_hits, draw_misses;       /* texture cache */
    unsigned long measure_hits, measure_misses; /* size cache */
    unsigned long evictions;                    /* textures dropped by LRU */
    int textures;                               /* textures held now */
    size_t texture_bytes;                       /* their pixels, 4 B each */
    int faces_open;     /* TTF_Font objects open now, one per (font, px, weight) */
    unsigned long face_opens;                   /* opened since ktext_open */
    double face_open_ms;                        /* time spent opening them */
} ktext_stats;

/* Reads the manifest fonts.conf in fonts_dir and checks that its font files
 * exist; opens no font yet.  Fails (KERR_IO/KERR_INVALID, message naming the
 * manifest line) on a syntax error or when the base font is missing; other
 * missing fonts are skipped and listed by ktext_missing().  r may be NULL
 * for measuring and coverage only (ktext_draw then returns KERR_INVALID). */
int ktext_open(ktext **out, const char *fonts_dir, SDL_Renderer *r, kerr *err);

/* Frees every texture and font; t may be NULL. */
void ktext_close(ktext *t);

/* Width and height in pixels of one line of UTF-8 text at pixel size px in
 * language lang, regular or bold; the same size ktext_draw covers. */
int ktext_measure(ktext *t, const char *utf8, int px, const char *lang,
                  int bold, int *w, int *h);

/* Draws one line with its top-left corner at x,y in colour c (c.a is the
 * opacity).  Cached by (text, px, language chain, weight, colour). */
int ktext_draw(ktext *t, const char *utf8, int px, const char *lang, int bold,
               SDL_Color c, int x, int y);

/* The largest pixel size a run of the line is drawn at: px, or more where
 * a script is scaled to Latin's letter height (Khmer, Lao). */
int ktext_drawn_px(ktext *t, const char *utf8, int px, const char *lang);

/* Height of a line of lang's own script at px (the tallest of the fonts the
 * manifest's chain line for lang names), for laying out rows. */
int ktext_line_height(ktext *t, int px, const char *lang);

/* 1 if some font in lang's chain can draw code point cp, else 0. */
int ktext_covers(ktext *t, uint32_t cp, const char *lang);

/* Drops every cached texture (after a window resize or a renderer reset);
 * fonts and measurements stay. */
void ktext_flush(ktext *t);

/* Keeps what the welcome screen measures and draws in the file at path
 * (the kiosk's DATA/text-cache, 0600), and takes in what an earlier start
 * kept there, so that a start draws its first frame without opening a
 * font or shaping a line.  fonts_dir is the one given to ktext_open (its
 * manifest is part of the file's fingerprint: a change of manifest, font
 * file or library and the file is ignored and rewritten).  A file that
 * cannot be read or is damaged is ignored; a failure to write it is kept
 * for ktext_error() and the cache is then only in memory. */
void ktext_cache_open(ktext *t, const char *path, const char *fonts_dir);

/* The line breaker's memo over the same file (klinebreak_memo(
 * ktext_breaks_get, ktext_breaks_put, t) in kiosk/ui/linebreak.h): the
 * breaks a kept frame used are kept with it, so a later start asks ICU
 * for none of them (ICU builds its Khmer, Lao and CJK dictionaries on
 * first use).  ctx is the ktext. */
int ktext_breaks_get(void *ctx, const char *key, unsigned char *brk, int n);
void ktext_breaks_put(void *ctx, const char *key, const unsigned char *brk, int n);

/* Ends a frame.  keep: the frame shows no one's data (the welcome screen)
 * and what it measured and drew may go into the disk cache; the file is
 * rewritten when the frame used something it lacks. */
void ktext_frame_done(ktext *t, int keep);

/* Copies the counters into *st. */
void ktext_stats_get(const ktext *t, ktext_stats *st);

/* Newline-separated list of optional fonts the manifest names but this
 * machine lacks ("fonts.conf:9: font khmer: no file ..."); "" if none. */
const char *ktext_missing(const ktext *t);

/* The last font-loading error met while measuring or drawing; "" if none. */
const char *ktext_error(const ktext *t);

#endif
