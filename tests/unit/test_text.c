/*
 * test_text.c - the text layer (kiosk/ui/text.c) against the real Noto fonts:
 * manifest errors, fallback and coverage, Khmer/Lao shaping, regional Han
 * forms, caches and lazy loading.  Headless: a software renderer on an
 * SDL surface, SDL_VIDEODRIVER=dummy.
 *
 *   test_text [FONTS_DIR]     (default: the source tree's fonts/)
 *
 * Writes text_mixed.bmp in the working directory to look at by eye.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in ktest.h */

#include "ktest.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL2/SDL.h>

#include "ui/text.h"

#ifndef KIOSK_FONTS_DIR
#define KIOSK_FONTS_DIR "fonts"
#endif

static const char *fonts_dir = KIOSK_FONTS_DIR;
static SDL_Surface *surf;
static SDL_Renderer *ren;
static const SDL_Color black = {0, 0, 0, 255};

#define W 1200
#define H 200

/* A fresh text layer on the shared renderer; aborts the test run if the
 * real manifest does not open (nothing else could pass). */
static ktext *open_text(void)
{
    ktext *t;
    kerr err = {0};
    if (ktext_open(&t, fonts_dir, ren, &err) != 0) {
        fprintf(stderr, "ktext_open: %s\n", err.msg);
        exit(2);
    }
    return t;
}

/* Clears the target to white. */
static void clear(void)
{
    SDL_SetRenderDrawColor(ren, 255, 255, 255, 255);
    SDL_RenderClear(ren);
}

/* Reads the whole target into a malloc'd XRGB8888 buffer. */
static uint32_t *pixels(void)
{
    uint32_t *px = malloc((size_t)W * H * 4);
    if (!px || SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_XRGB8888, px, W * 4) != 0) {
        fprintf(stderr, "SDL_RenderReadPixels: %s\n", SDL_GetError());
        exit(2);
    }
    return px;
}

/* Number of non-white pixels in the target. */
static int ink(void)
{
    uint32_t *px = pixels();
    int n = 0;
    for (int i = 0; i < W * H; i++)
        n += (px[i] & 0xFFFFFF) != 0xFFFFFF;
    free(px);
    return n;
}

/* Decodes one UTF-8 code point at *s and advances it. */
static uint32_t next_cp(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = *p;
    int more = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (more)
        c &= 0x3F >> more;
    for (int i = 1; i <= more; i++)
        c = (c << 6) | (p[i] & 0x3F);
    *s += more + 1;
    return c;
}

/* 1 if every code point of s is covered in lang; prints the first that is not. */
static int all_covered(ktext *t, const char *s, const char *lang)
{
    while (*s) {
        uint32_t c = next_cp(&s);
        if (!ktext_covers(t, c, lang)) {
            fprintf(stderr, "  U+%04X not covered in %s\n", (unsigned)c, lang);
            return 0;
        }
    }
    return 1;
}

/* Writes a manifest with the given text into a new temporary folder. */
static const char *manifest(char *dir, size_t cap, const char *text)
{
    ktest_tmpdir(dir, cap);
    char path[256];
    snprintf(path, sizeof path, "%s/fonts.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return dir;
}

/* Removes a folder made by manifest(). */
static void rm_manifest(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/fonts.conf", dir);
    remove(path);
    remove(dir);
}

#define SANS "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
#define KHMER "/usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf"

static void test_manifest_errors(void)
{
    char dir[64];
    ktext *t = NULL;
    kerr err = {0};

    CHECK_INT(ktext_open(&t, "/nonexistent-fonts", ren, &err), KERR_IO);
    CHECK(strstr(err.msg, "/nonexistent-fonts/fonts.conf") != NULL);
    CHECK(t == NULL);

    manifest(dir, sizeof dir, "# ok\nfont sans " SANS "\nfnt x y\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "fonts.conf:3: unknown keyword 'fnt'") != NULL);
    rm_manifest(dir);

    manifest(dir, sizeof dir, "font sans " SANS "\ndefault-chain sans cjk\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "fonts.conf:2: unknown font 'cjk'") != NULL);
    rm_manifest(dir);

    manifest(dir, sizeof dir, "font k " KHMER " script=Khmer\ndefault-chain k\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "script=Khmer") != NULL);
    rm_manifest(dir);

    manifest(dir, sizeof dir, "font sans " SANS " size=12\ndefault-chain sans\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "unknown option 'size=12'") != NULL);
    rm_manifest(dir);

    manifest(dir, sizeof dir, "font sans " SANS "\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "no default-chain") != NULL);
    rm_manifest(dir);

    /* The base font missing: refuse, naming the file and the line. */
    manifest(dir, sizeof dir, "\nfont sans /nonexistent/NotoSans.ttf\ndefault-chain sans\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), KERR_IO);
    CHECK(strstr(err.msg, "fonts.conf:2: base font sans") != NULL);
    CHECK(strstr(err.msg, "/nonexistent/NotoSans.ttf") != NULL);
    rm_manifest(dir);

    /* An optional font missing: open, say so, skip it. */
    manifest(dir, sizeof dir,
             "font sans " SANS " bold=NoSuchBold.ttf\n"
             "font khmer /nonexistent/Khmer.ttf script=Khmr\n"
             "font khmer2 " KHMER " script=Khmr\n"
             "default-chain sans khmer\nchain km sans khmer khmer2\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), 0);
    CHECK(t != NULL);
    CHECK(strstr(ktext_missing(t), "fonts.conf:2: font khmer: cannot read /nonexistent/Khmer.ttf") != NULL);
    CHECK(strstr(ktext_missing(t), "bold file") != NULL);
    CHECK(ktext_covers(t, 0x1781, "en") == 0); /* only the missing font */
    CHECK(ktext_covers(t, 0x1781, "km") == 1); /* khmer2 steps in */
    int w = 0, h = 0, wb = 0;
    CHECK_INT(ktext_measure(t, "Hello", 24, "en", 0, &w, &h), 0);
    CHECK_INT(ktext_measure(t, "Hello", 24, "en", 1, &wb, &h), 0);
    CHECK(wb > w); /* synthetic bold */
    ktext_close(t);
    rm_manifest(dir);

    /* A font file that is not a font: skipped at first use, reason kept. */
    manifest(dir, sizeof dir,
             "font sans " SANS " bold=bad.ttf\nfont bad bad.ttf\nfont khmer /nonexistent/Khmer.ttf\n"
             "default-chain sans\nchain xx bad sans\nchain yy khmer sans\n");
    char bad[128];
    snprintf(bad, sizeof bad, "%s/bad.ttf", dir);
    FILE *bf = fopen(bad, "w");
    fputs("not a font", bf);
    fclose(bf);
    CHECK_INT(ktext_open(&t, dir, ren, &err), 0);
    CHECK_INT(ktext_measure(t, "Hello", 24, "xx", 0, &w, &h), 0);
    CHECK(w > 0);
    CHECK(strstr(ktext_error(t), "cannot open font ") != NULL);
    CHECK(strstr(ktext_error(t), "/bad.ttf (fonts.conf:2, bad)") != NULL);
    CHECK(strstr(ktext_missing(t), "/bad.ttf") != NULL);
    /* A broken bold file: emboldened regular instead. */
    int wr = 0;
    CHECK_INT(ktext_measure(t, "Hello", 24, "en", 0, &wr, &h), 0);
    CHECK_INT(ktext_measure(t, "Hello", 24, "en", 1, &wb, &h), 0);
    CHECK(wb > wr);
    CHECK(strstr(ktext_missing(t), "(fonts.conf:1, bold of sans)") != NULL);
    /* Nobody has U+1F9FF: a box from the first usable font of the chain. */
    CHECK_INT(ktext_draw(t, "\xf0\x9f\xa7\xbf", 24, "yy", 0, black, 0, 0), 0);
    CHECK_INT(ktext_draw(t, "\xf0\x9f\xa7\xbf", 24, "xx", 0, black, 0, 0), 0);
    ktext_close(t);
    /* The same file as the base font: nothing can be drawn, say why. */
    snprintf(bad, sizeof bad, "%s/fonts.conf", dir);
    bf = fopen(bad, "w");
    fputs("font bad bad.ttf\ndefault-chain bad\n", bf);
    fclose(bf);
    snprintf(bad, sizeof bad, "%s/bad.ttf", dir);
    CHECK_INT(ktext_open(&t, dir, ren, &err), 0);
    CHECK_INT(ktext_measure(t, "Hello", 24, "en", 0, &w, &h), KERR_IO);
    CHECK_INT(ktext_draw(t, "Hello", 24, "en", 0, black, 0, 0), KERR_IO);
    CHECK(strstr(ktext_error(t), "bad.ttf") != NULL);
    ktext_close(t);
    remove(bad);
    rm_manifest(dir);

    /* Relative paths and quotes: a copy-free manifest in another folder. */
    manifest(dir, sizeof dir,
             "font \"sans\" \"" SANS "\"   # comment\n\tdefault-chain   sans\n");
    CHECK_INT(ktext_open(&t, dir, ren, &err), 0);
    CHECK(ktext_covers(t, 'A', NULL) == 1);
    ktext_close(t);
    rm_manifest(dir);
}

static void test_latin_lazy(void)
{
    ktext *t = open_text();
    ktext_stats st;
    int w = 0, h = 0;
    ktext_stats_get(t, &st);
    CHECK_INT(st.faces_open, 0); /* ktext_open opens nothing */
    CHECK_INT(ktext_measure(t, "Hello", 32, "en", 0, &w, &h), 0);
    CHECK(w > 0 && h > 0);
    CHECK_INT(ktext_measure(t, "Hello, world! 123", 32, "vi", 0, &w, &h), 0);
    ktext_stats_get(t, &st);
    CHECK_INT(st.faces_open, 1); /* Noto Sans at 32 px only */
    /* Latin in a Japanese screen still comes from Noto Sans. */
    int wj = 0, we = 0;
    CHECK_INT(ktext_measure(t, "Hello", 32, "ja", 0, &wj, &h), 0);
    CHECK_INT(ktext_measure(t, "Hello", 32, "en", 0, &we, &h), 0);
    CHECK_INT(wj, we);
    ktext_stats_get(t, &st);
    CHECK_INT(st.faces_open, 1);
    CHECK(st.measure_hits >= 1);
    ktext_close(t);
}

static void test_vietnamese_pacific(void)
{
    ktext *t = open_text();
    clear();
    CHECK_INT(ktext_draw(t, "Nguyễn", 40, "vi", 0, black, 10, 10), 0);
    CHECK(ink() > 100);
    CHECK(all_covered(t, "Nguyễn Thị Hương", "vi"));
    CHECK(all_covered(t, "Hawaiʻi Sāmoa Tonga ʻOkina", "en"));
    /* Decomposed marks stay with their letter: one run, same width. */
    int w1 = 0, w2 = 0, h = 0;
    ktext_measure(t, "Nguy\xe1\xbb\x85n", 40, "vi", 0, &w1, &h);
    ktext_measure(t, "Nguye\xcc\x82\xcc\x83n", 40, "vi", 0, &w2, &h);
    CHECK(w1 > 0 && abs(w1 - w2) <= 1);
    ktext_close(t);
}

static void test_covers(void)
{
    ktext *t = open_text();
    CHECK(ktext_covers(t, 0x1EC5, "vi"));  /* ễ */
    CHECK(ktext_covers(t, 0x02BB, "en"));  /* ʻ okina */
    CHECK(ktext_covers(t, 0x0101, "en"));  /* ā */
    CHECK(ktext_covers(t, 0x00F1, "tl"));  /* ñ */
    CHECK(ktext_covers(t, 0xD55C, "ko"));  /* 한 */
    CHECK(ktext_covers(t, 0x76F4, "zh-Hans")); /* 直 */
    CHECK(ktext_covers(t, 0x76F4, "ja"));
    CHECK(ktext_covers(t, 0x3053, "ja"));  /* こ */
    CHECK(ktext_covers(t, 0x1781, "km"));  /* ខ */
    CHECK(ktext_covers(t, 0x17D2, "km"));  /* coeng */
    CHECK(ktext_covers(t, 0x0EA5, "lo"));  /* ລ */
    /* Other scripts through the default chain, whatever the language. */
    CHECK(ktext_covers(t, 0xD55C, "en"));
    CHECK(ktext_covers(t, 0x1781, "ja"));
    CHECK(ktext_covers(t, 0x0EA5, "zh-Hant"));
    /* Nobody has these. */
    CHECK(!ktext_covers(t, 0x10FFFF, "en")); /* noncharacter */
    CHECK(!ktext_covers(t, 0x0378, "en"));   /* unassigned */
    CHECK(!ktext_covers(t, 0x1F9FF, "en"));  /* emoji: no colour font */
    CHECK(!ktext_covers(t, 0x110000, "en")); /* not Unicode */
    ktext_close(t);
}

static void test_mixed_line(void)
{
    ktext *t = open_text();
    const char *line = "Hương 한국 ខ្មែរ";
    int w = 0, h = 0, w1 = 0, w2 = 0, w3 = 0, hh = 0;
    CHECK_INT(ktext_measure(t, line, 40, "en", 0, &w, &h), 0);
    ktext_measure(t, "Hương", 40, "en", 0, &w1, &hh);
    ktext_measure(t, "한국", 40, "en", 0, &w2, &hh);
    ktext_measure(t, "ខ្មែរ", 40, "en", 0, &w3, &hh);
    CHECK(w > w1 && w > w2 && w > w3);
    CHECK(w > w1 + w2 + w3); /* plus two spaces */
    CHECK(all_covered(t, line, "en"));
    ktext_stats st;
    ktext_stats_get(t, &st);
    /* Noto Sans, the SC face, Khmer; Lao and the other CJK faces untouched. */
    CHECK_INT(st.faces_open, 3);

    clear();
    CHECK_INT(ktext_draw(t, line, 40, "en", 0, black, 10, 10), 0);
    CHECK_INT(ktext_draw(t, "Xin chào Nguyễn · 直骨 こんにちは · ສະບາຍດີ · ខ្ញុំ", 40, "ja", 1, black, 10, 80), 0);
    CHECK_INT(ktext_draw(t, "Kumusta! ʻOhana Sāmoa · 안녕하세요 · 骨 (zh-Hant)", 32, "zh-Hant", 0, black, 10, 150), 0);
    CHECK(ink() > 1000);
    uint32_t *px = pixels();
    SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormatFrom(px, W, H, 32, W * 4,
                                                           SDL_PIXELFORMAT_XRGB8888);
    if (shot) {
        SDL_SaveBMP(shot, "text_mixed.bmp");
        SDL_FreeSurface(shot);
    }
    free(px);
    ktext_close(t);
}

static void test_complex_shaping(void)
{
    ktext *t = open_text();
    /* Khmer: the subscript (coeng + MO) stacks under KHA, the vowel wraps. */
    const char *km = "ខ្មែរ";
    int w = 0, h = 0, sum = 0;
    CHECK_INT(ktext_measure(t, km, 40, "km", 0, &w, &h), 0);
    for (const char *s = km; *s;) {
        const char *start = s;
        next_cp(&s);
        char one[8] = {0};
        memcpy(one, start, (size_t)(s - start));
        int cw = 0, ch = 0;
        ktext_measure(t, one, 40, "km", 0, &cw, &ch);
        sum += cw;
    }
    /* Shaped as Khmr the coeng has no advance and MO goes under KHA, so
     * the word is a consonant narrower than the same letters unstacked. */
    int wflat = 0;
    ktext_measure(t, "ខមែរ", 40, "km", 0, &wflat, &h);
    fprintf(stderr, "  khmer shaped %d px, unstacked %d px, one by one %d px\n", w, wflat, sum);
    CHECK(w > 0 && w * 10 < sum * 8);
    CHECK(w + 10 < wflat);
    /* Lao: tone mark over the vowel sign over KHO, no width of their own. */
    const char *lo = "ເຂົ້າ";
    sum = 0;
    CHECK_INT(ktext_measure(t, lo, 40, "lo", 0, &w, &h), 0);
    for (const char *s = lo; *s;) {
        const char *start = s;
        next_cp(&s);
        char one[8] = {0};
        memcpy(one, start, (size_t)(s - start));
        int cw = 0, ch = 0;
        ktext_measure(t, one, 40, "lo", 0, &cw, &ch);
        sum += cw;
    }
    int wbase = 0;
    ktext_measure(t, "ເຂາ", 40, "lo", 0, &wbase, &h); /* without the two marks */
    fprintf(stderr, "  lao shaped %d px, without marks %d px, one by one %d px\n", w, wbase, sum);
    CHECK(w > 0 && w < sum);
    CHECK(abs(w - wbase) <= 2); /* the marks stack, they take no room */
    /* Khmer between Latin words stays one cluster (coeng not split off). */
    /* (The space after the Khmer word joins its run, drawn at Khmer's
     * scaled size, so the parts are cut there.) */
    int wm = 0, wa = 0, wb = 0;
    ktext_measure(t, "A ខ្មែរ B", 40, "en", 0, &wm, &h);
    ktext_measure(t, "A ", 40, "en", 0, &wa, &h);
    ktext_measure(t, "B", 40, "en", 0, &wb, &h);
    ktext_measure(t, "ខ្មែរ ", 40, "en", 0, &w, &h);
    CHECK(wm <= wa + w + wb + 2);
    ktext_close(t);
}

/* Draws one character at 96 px in lang and returns the target's pixels. */
static uint32_t *glyph_pixels(ktext *t, const char *ch, const char *lang)
{
    clear();
    CHECK_INT(ktext_draw(t, ch, 96, lang, 0, black, 20, 20), 0);
    return pixels();
}

static void test_regional_forms(void)
{
    ktext *t = open_text();
    uint32_t *sc = glyph_pixels(t, "直", "zh-Hans");
    uint32_t *jp = glyph_pixels(t, "直", "ja");
    uint32_t *sc2 = glyph_pixels(t, "直", "zh-Hans");
    CHECK(memcmp(sc, jp, (size_t)W * H * 4) != 0);
    CHECK(memcmp(sc, sc2, (size_t)W * H * 4) == 0);
    free(sc);
    free(jp);
    free(sc2);

    uint32_t *hans = glyph_pixels(t, "骨", "zh-Hans");
    uint32_t *hant = glyph_pixels(t, "骨", "zh-Hant");
    uint32_t *tw = glyph_pixels(t, "骨", "zh-Hant-TW"); /* falls back to zh-Hant */
    uint32_t *ko = glyph_pixels(t, "骨", "ko");
    CHECK(memcmp(hans, hant, (size_t)W * H * 4) != 0);
    CHECK(memcmp(hant, tw, (size_t)W * H * 4) == 0);
    CHECK(ko != NULL);
    free(hans);
    free(hant);
    free(tw);
    free(ko);
    ktext_close(t);
}

static void test_cache(void)
{
    ktext *t = open_text();
    ktext_stats st;
    SDL_Color red = {200, 0, 0, 255};
    CHECK_INT(ktext_draw(t, "Welcome", 32, "en", 0, black, 0, 0), 0);
    CHECK_INT(ktext_draw(t, "Welcome", 32, "en", 0, black, 50, 50), 0);
    ktext_stats_get(t, &st);
    CHECK_INT(st.draw_misses, 1);
    CHECK_INT(st.draw_hits, 1);
    CHECK_INT(ktext_draw(t, "Welcome", 32, "en", 0, red, 0, 0), 0);   /* colour */
    CHECK_INT(ktext_draw(t, "Welcome", 32, "en", 1, black, 0, 0), 0); /* weight */
    CHECK_INT(ktext_draw(t, "Welcome", 32, "vi", 0, black, 0, 0), 0); /* chain */
    CHECK_INT(ktext_draw(t, "Welcome", 33, "en", 0, black, 0, 0), 0); /* size */
    ktext_stats_get(t, &st);
    CHECK_INT(st.draw_misses, 5);
    CHECK_INT(st.textures, 5);
    /* A drawn string is measured for free. */
    int w = 0, h = 0;
    ktext_measure(t, "Welcome", 32, "en", 0, &w, &h);
    ktext_stats_get(t, &st);
    CHECK_INT(st.measure_hits, 1);
    CHECK_INT(st.measure_misses, 0);

    ktext_flush(t);
    ktext_stats_get(t, &st);
    CHECK_INT(st.textures, 0);
    CHECK_INT(st.texture_bytes, 0);
    CHECK_INT(ktext_draw(t, "Welcome", 32, "en", 0, black, 0, 0), 0);
    ktext_stats_get(t, &st);
    CHECK_INT(st.draw_misses, 6);

    /* Bounded: 600 strings leave at most 512 textures. */
    char buf[32];
    for (int i = 0; i < 600; i++) {
        snprintf(buf, sizeof buf, "row %d", i);
        ktext_draw(t, buf, 16, "en", 0, black, 0, 0);
    }
    ktext_stats_get(t, &st);
    CHECK(st.textures <= 512);
    CHECK(st.evictions >= 88);
    ktext_draw(t, "row 599", 16, "en", 0, black, 0, 0); /* most recent: kept */
    ktext_stats_get(t, &st);
    CHECK(st.draw_hits >= 2);
    ktext_close(t);
}

static void test_sizes_and_bad_input(void)
{
    ktext *t = open_text();
    int w = 1, h = 0;
    CHECK_INT(ktext_measure(t, "", 32, "en", 0, &w, &h), 0);
    CHECK_INT(w, 0);
    CHECK(h > 0);
    CHECK_INT(ktext_draw(t, "", 32, "en", 0, black, 0, 0), 0);
    CHECK_INT(ktext_measure(t, "x", 0, "en", 0, &w, &h), KERR_INVALID);
    CHECK_INT(ktext_measure(t, "x", 100000, "en", 0, &w, &h), KERR_INVALID);
    CHECK_INT(ktext_draw(t, NULL, 32, "en", 0, black, 0, 0), KERR_INVALID);
    /* Broken UTF-8 and control characters draw, as boxes or spaces. */
    CHECK_INT(ktext_draw(t, "a\xff\xfe\xc3(b\n\tc\xed\xa0\x80", 32, "en", 0, black, 0, 0), 0);
    CHECK_INT(ktext_measure(t, "\xe2\x80\x8d\xcc\x81", 32, "en", 0, &w, &h), 0);
    /* A very long line is cut to what a texture can hold. */
    char *big = malloc(5001);
    memset(big, 'W', 5000);
    big[5000] = '\0';
    CHECK_INT(ktext_measure(t, big, 200, "en", 0, &w, &h), 0);
    CHECK(w > 0 && w <= 16384);
    CHECK_INT(ktext_draw(t, big, 200, "en", 0, black, 0, 0), 0);
    free(big);

    /* Bold is wider; line heights follow each language's fonts. */
    int wr = 0, wb = 0;
    ktext_measure(t, "Đăng ký", 32, "vi", 0, &wr, &h);
    ktext_measure(t, "Đăng ký", 32, "vi", 1, &wb, &h);
    CHECK(wb > wr);
    ktext_measure(t, "ចុះឈ្មោះ", 32, "km", 1, &wb, &h);
    CHECK(wb > 0);
    int en = ktext_line_height(t, 32, "en"), lo = ktext_line_height(t, 32, "lo");
    int ko = ktext_line_height(t, 32, "ko"), sm = ktext_line_height(t, 32, "sm");
    CHECK(en >= 32);
    CHECK(lo > en);
    CHECK(ko >= en);
    CHECK_INT(sm, en); /* unlisted: the base font */
    CHECK_INT(ktext_line_height(t, 32, NULL), en);
    /* Mixed line height: the Lao run's deeper font sets it. */
    int hl = 0, he = 0;
    ktext_measure(t, "Sign in", 32, "en", 0, &w, &he);
    ktext_measure(t, "Sign in ລາວ", 32, "en", 0, &w, &hl);
    CHECK(hl > he);
    CHECK_STR(ktext_error(t), "");
    ktext_close(t);
    ktext_close(NULL);
}

/* fonts/README.md's recipe: Burmese added by two manifest lines. */
static void test_add_language(void)
{
    char dir[64], src[512], path[256];
    snprintf(src, sizeof src, "%s/fonts.conf", fonts_dir);
    FILE *in = fopen(src, "r");
    CHECK(in != NULL);
    if (!in)
        return;
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/fonts.conf", dir);
    FILE *out = fopen(path, "w");
    char line[1024];
    while (fgets(line, sizeof line, in))
        fputs(line, out);
    fclose(in);
    fputs("font myanmar /usr/share/fonts/truetype/noto/NotoSansMyanmar-Regular.ttf "
          "bold=/usr/share/fonts/truetype/noto/NotoSansMyanmar-Bold.ttf script=Mymr\n"
          "chain my sans myanmar\n", out);
    fclose(out);

    ktext *t;
    kerr err = {0};
    CHECK_INT(ktext_open(&t, dir, ren, &err), 0);
    const char *mm = "\xe1\x80\x99\xe1\x80\xbc\xe1\x80\x94\xe1\x80\xba"
                     "\xe1\x80\x99\xe1\x80\xac"; /* မြန်မာ */
    CHECK(all_covered(t, mm, "my"));
    CHECK(!ktext_covers(t, 0x1019, "en")); /* not in the default chain */
    int w = 0, h = 0, sum = 0;
    CHECK_INT(ktext_measure(t, mm, 40, "my", 0, &w, &h), 0);
    for (const char *s = mm; *s;) {
        const char *start = s;
        next_cp(&s);
        char one[8] = {0};
        memcpy(one, start, (size_t)(s - start));
        int cw = 0, ch = 0;
        ktext_measure(t, one, 40, "my", 0, &cw, &ch);
        sum += cw;
    }
    CHECK(w > 0 && w < sum);
    CHECK(ktext_line_height(t, 32, "my") > ktext_line_height(t, 32, "en"));
    clear();
    CHECK_INT(ktext_draw(t, mm, 40, "my", 0, black, 0, 0), 0);
    CHECK(ink() > 100);
    ktext_close(t);
    remove(path);
    remove(dir);
}

/* Prints the costs quoted in the report (not checked: machines differ). */
static void test_costs(void)
{
    ktext *t = open_text();
    const char *line = "Chào mừng · 欢迎 · 환영합니다 · សូមស្វាគមន៍";
    uint64_t f = SDL_GetPerformanceFrequency(), t0, t1, t2;
    clear();
    t0 = SDL_GetPerformanceCounter();
    ktext_draw(t, line, 36, "zh-Hans", 0, black, 0, 0);
    t1 = SDL_GetPerformanceCounter();
    for (int i = 0; i < 1000; i++)
        ktext_draw(t, line, 36, "zh-Hans", 0, black, 0, 0);
    t2 = SDL_GetPerformanceCounter();
    ktext_stats st;
    ktext_stats_get(t, &st);
    double first = (double)(t1 - t0) * 1000.0 / (double)f;
    double cached = (double)(t2 - t1) * 1e6 / (double)f / 1000.0;
    fprintf(stderr, "  first draw %.2f ms (of which %lu face opens %.2f ms), cached draw %.1f us\n",
            first, st.face_opens, st.face_open_ms, cached);
    t0 = SDL_GetPerformanceCounter();
    ktext_draw(t, "Cảm ơn bạn!", 36, "vi", 0, black, 0, 60);
    t1 = SDL_GetPerformanceCounter();
    int w, h;
    for (int i = 0; i < 1000; i++)
        ktext_measure(t, "Cảm ơn bạn!", 36, "vi", 0, &w, &h);
    t2 = SDL_GetPerformanceCounter();
    fprintf(stderr, "  first draw of a Latin line (faces open) %.3f ms, cached measure %.2f us\n",
            (double)(t1 - t0) * 1000.0 / (double)f, (double)(t2 - t1) * 1e6 / (double)f / 1000.0);
    CHECK(st.draw_hits == 1000);
    ktext_close(t);
}

/* The disk cache: what a kept frame measured and drew comes back at the
 * next start with no font opened and the same pixels; a frame that is not
 * kept (a name) never reaches the file; a damaged or foreign file is
 * ignored, never drawn from. */
static const char *cache_line = "Xin chào · 欢迎 · សូមស្វាគមន៍ · ຍິນດີຕ້ອນຮັບ";

/* 1 if the n bytes of needle occur in hay[0..len). */
static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

/* Draws cache_line at 0,0 on white with t (measuring it first, as the
 * layout does) and returns the pixels. */
static uint32_t *draw_cache_line(ktext *t, int *w, int *h)
{
    clear();
    CHECK_INT(ktext_measure(t, cache_line, 28, "en", 0, w, h), 0);
    CHECK_INT(ktext_draw(t, cache_line, 28, "en", 0, black, 0, 0), 0);
    return pixels();
}

static void test_disk_cache(void)
{
    char dir[256], path[300];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/text-cache", dir);
    int w0, h0, w, h;
    ktext_stats st;

    ktext *t = open_text();
    ktext_cache_open(t, path, fonts_dir);
    uint32_t *want = draw_cache_line(t, &w0, &h0);
    ktext_frame_done(t, 1);                 /* welcome: kept */
    CHECK_INT(ktext_draw(t, "Nguyễn Thị Hương", 28, "vi", 0, black, 0, 100), 0);
    ktext_frame_done(t, 0);                 /* a screen with a name: not kept */
    ktext_close(t);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    FILE *fp = fopen(path, "rb");
    size_t len = (size_t)sb.st_size;
    char *file = malloc(len + 1);
    CHECK(fp && fread(file, 1, len, fp) == len);
    if (fp)
        fclose(fp);
    CHECK(contains(file, len, "Xin chào"));
    CHECK(!contains(file, len, "Hương"));

    /* The next start: the same pixels, and no font opened for them. */
    t = open_text();
    ktext_cache_open(t, path, fonts_dir);
    uint32_t *got = draw_cache_line(t, &w, &h);
    ktext_stats_get(t, &st);
    CHECK_INT(st.face_opens, 0);
    CHECK_INT(w, w0);
    CHECK_INT(h, h0);
    CHECK(memcmp(want, got, (size_t)W * H * 4) == 0);
    free(got);
    ktext_close(t);

    /* Damage: cut short at many lengths, or one byte changed anywhere.
     * Each start must draw the same pixels (from the fonts when the file
     * is not whole) and must never crash. */
    int bad = 0, same = 0;
    for (int k = 0; k < 60; k++) {
        fp = fopen(path, "wb");
        if (k < 30) {
            fwrite(file, 1, len * (size_t)k / 30, fp);
        } else {
            char *copy = malloc(len);
            memcpy(copy, file, len);
            size_t at = (size_t)(k - 30) * (len / 30) + (size_t)k % 7;
            copy[at % len] ^= (char)(1 + k % 255);
            fwrite(copy, 1, len, fp);
            free(copy);
        }
        fclose(fp);
        t = open_text();
        ktext_cache_open(t, path, fonts_dir);
        got = draw_cache_line(t, &w, &h);
        same += w == w0 && h == h0 && memcmp(want, got, (size_t)W * H * 4) == 0;
        bad += !(w == w0 && h == h0 && memcmp(want, got, (size_t)W * H * 4) == 0);
        free(got);
        ktext_close(t);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(same, 60);

    /* A file made for other fonts (its fingerprint changed): ignored. */
    fp = fopen(path, "wb");
    file[12] ^= 1;
    fwrite(file, 1, len, fp);
    fclose(fp);
    t = open_text();
    ktext_cache_open(t, path, fonts_dir);
    got = draw_cache_line(t, &w, &h);
    ktext_stats_get(t, &st);
    CHECK(st.face_opens > 0);
    CHECK(memcmp(want, got, (size_t)W * H * 4) == 0);
    free(got);
    ktext_close(t);

    /* A folder that cannot be written: the cache stays in memory and
     * says why. */
    char ro[300];
    snprintf(ro, sizeof ro, "%s/missing/text-cache", dir);
    t = open_text();
    ktext_cache_open(t, ro, fonts_dir);
    got = draw_cache_line(t, &w, &h);
    ktext_frame_done(t, 1);
    CHECK(strstr(ktext_error(t), "text cache") != NULL);
    CHECK(memcmp(want, got, (size_t)W * H * 4) == 0);
    free(got);
    ktext_close(t);

    free(want);
    free(file);
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        fonts_dir = argv[1];
    SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 2;
    }
    surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!ren) {
        fprintf(stderr, "software renderer: %s\n", SDL_GetError());
        return 2;
    }
    RUN(test_manifest_errors);
    RUN(test_latin_lazy);
    RUN(test_vietnamese_pacific);
    RUN(test_covers);
    RUN(test_mixed_line);
    RUN(test_complex_shaping);
    RUN(test_regional_forms);
    RUN(test_cache);
    RUN(test_sizes_and_bad_input);
    RUN(test_add_language);
    RUN(test_costs);
    RUN(test_disk_cache);
    SDL_DestroyRenderer(ren);
    SDL_FreeSurface(surf);
    SDL_Quit();
    return ktest_summary();
}
