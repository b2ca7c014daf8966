/*
 * render.c - drawing view ops with an SDL renderer, and screenshots.
 *
 * Rounded rectangles, circles, strokes and the icons made of them are
 * triangles (SDL_RenderGeometry) with anti-aliased coverage edges (see
 * "anti-aliased shapes" below): no image files, smooth at every size.  Text goes
 * through the ktext cache.  Screenshots are PNG files written with zlib.
 */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Sets the draw colour (with blending when translucent). */
static void set_color(SDL_Renderer *r, kcolor c)
{
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* ---- anti-aliased shapes -------------------------------------------------------
 * Shapes are triangles (SDL_RenderGeometry) with coverage edges: the solid
 * part stops half a pixel inside the true outline, and a one-pixel band
 * around the outline fades from the colour's alpha to nothing, so an edge
 * pixel gets about the share of the colour the shape covers.  No texture,
 * no cache to keep: every size is drawn exactly, at any radius. */

#define AA_MAXV 1024

typedef struct aa_buf {
    SDL_Vertex v[AA_MAXV];
    int idx[AA_MAXV * 3];
    int nv, ni;
} aa_buf;

static aa_buf aa;   /* work space of one shape; drawing is single-threaded */

static int aa_vertex(float x, float y, kcolor c, int alpha)
{
    if (aa.nv >= AA_MAXV)
        return -1;
    SDL_Color col = {c.r, c.g, c.b, (Uint8)(alpha * c.a / 255)};
    aa.v[aa.nv] = (SDL_Vertex){{x, y}, col, {0, 0}};
    return aa.nv++;
}

static void aa_tri(int a, int b, int c)
{
    if (a < 0 || b < 0 || c < 0 || aa.ni + 3 > AA_MAXV * 3)
        return;
    aa.idx[aa.ni++] = a;
    aa.idx[aa.ni++] = b;
    aa.idx[aa.ni++] = c;
}

static void aa_flush(SDL_Renderer *r)
{
    if (aa.ni > 0) {
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_RenderGeometry(r, NULL, aa.v, aa.nv, aa.idx, aa.ni);
    }
    aa.nv = aa.ni = 0;
}

/* A convex outline of n points (clockwise in screen coordinates) with its
 * outward normals: solid inside, a coverage band on the edge. */
static void aa_convex(const float *px, const float *py, const float *nx, const float *ny, int n,
                      kcolor c)
{
    int first = aa.nv;
    for (int i = 0; i < n; i++) {
        aa_vertex(px[i] - nx[i] * 0.5f, py[i] - ny[i] * 0.5f, c, 255);   /* 2i: inner */
        aa_vertex(px[i] + nx[i] * 0.5f, py[i] + ny[i] * 0.5f, c, 0);     /* 2i+1: outer */
    }
    for (int i = 1; i + 1 < n; i++)
        aa_tri(first, first + 2 * i, first + 2 * (i + 1));
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        int ai = first + 2 * i, ao = ai + 1, bi = first + 2 * j, bo = bi + 1;
        aa_tri(ai, ao, bo);
        aa_tri(ai, bo, bi);
    }
}

/* Fills a rectangle with rounded corners of radius rad, anti-aliased. */
static void fill_round(SDL_Renderer *r, krect k, int rad, kcolor c)
{
    if (k.w <= 0 || k.h <= 0)
        return;
    if (rad * 2 > k.w)
        rad = k.w / 2;
    if (rad * 2 > k.h)
        rad = k.h / 2;
    if (rad <= 1) {
        /* Square corners sit on whole pixels: crisp as they are. */
        set_color(r, c);
        SDL_Rect sr = {k.x, k.y, k.w, k.h};
        SDL_RenderFillRect(r, &sr);
        return;
    }
    /* The straight sides are plain rectangles (a fill: cheap in every
     * renderer); only the four corners are anti-aliased triangles, each
     * within its own rad x rad square.  The software renderer blends a
     * triangle through a buffer the size of its bounding box, so one fan
     * over the whole shape cost the shape's area several times over (a
     * third of the instructions of the first welcome frame).  The rects
     * draw what the triangles drew: SDL samples triangles at pixel corners,
     * so the shape sits half a pixel up and left of k, its straight sides
     * a solid edge and then one pixel line at half the colour. */
    set_color(r, c);
    SDL_Rect body[3] = {
        {k.x + rad, k.y, k.w - 2 * rad, k.h - 1},        /* the middle, full height */
        {k.x, k.y + rad, rad, k.h - 2 * rad},            /* left side between corners */
        {k.x + k.w - rad, k.y + rad, rad - 1, k.h - 2 * rad} /* right side */
    };
    /* A circle has no straight sides: the quarter discs meet along its
     * two diameters, where SDL's rasterizer leaves a one-pixel seam (a
     * notch at nine o'clock).  Two pixels of the body cover the seams. */
    if (body[0].w < 2)
        body[0] = (SDL_Rect){k.x + rad - 1, k.y, 2, k.h - 1};
    if (body[1].h < 2) {
        body[1] = (SDL_Rect){k.x, k.y + rad - 1, rad, 2};
        body[2] = (SDL_Rect){k.x + k.w - rad, k.y + rad - 1, rad - 1, 2};
    }
    for (int i = 0; i < 3; i++)
        if (body[i].w > 0 && body[i].h > 0)
            SDL_RenderFillRect(r, &body[i]);
    set_color(r, (kcolor){c.r, c.g, c.b, (Uint8)(c.a * 128 / 255)});
    SDL_Rect band[4] = {
        {k.x + rad, k.y - 1, k.w - 2 * rad, 1}, {k.x + rad, k.y + k.h - 1, k.w - 2 * rad, 1},
        {k.x - 1, k.y + rad, 1, k.h - 2 * rad}, {k.x + k.w - 1, k.y + rad, 1, k.h - 2 * rad}};
    /* A side one pixel long (a circle of odd size) has no straight edge:
     * its band would be a half-coloured dot on the outline (a notch in a
     * ring drawn as a disc in a disc). */
    for (int i = 0; i < 4; i++)
        if (band[i].w > 0 && band[i].h > 0 && band[i].w + band[i].h > 3)
            SDL_RenderFillRect(r, &band[i]);
    int seg = rad / 2 < 4 ? 4 : rad / 2 > 32 ? 32 : rad / 2;
    /* Corner centres, clockwise from the top right; each corner's arc. */
    float cx[4] = {(float)(k.x + k.w - rad), (float)(k.x + k.w - rad), (float)(k.x + rad),
                   (float)(k.x + rad)};
    float cy[4] = {(float)(k.y + rad), (float)(k.y + k.h - rad), (float)(k.y + k.h - rad),
                   (float)(k.y + rad)};
    for (int q = 0; q < 4; q++) {
        /* a quarter disc: a fan from the centre to the arc's inner points
         * (solid), and the coverage band along the arc only */
        float a0 = -1.5707963f + q * 1.5707963f;
        int centre = aa_vertex(cx[q], cy[q], c, 255), prev_in = -1, prev_out = -1;
        for (int i = 0; i <= seg; i++) {
            float a = a0 + 1.5707963f * i / seg, ca = cosf(a), sa = sinf(a);
            float px = cx[q] + rad * ca, py = cy[q] + rad * sa;
            int in = aa_vertex(px - ca * 0.5f, py - sa * 0.5f, c, 255);
            int out = aa_vertex(px + ca * 0.5f, py + sa * 0.5f, c, 0);
            if (i > 0) {
                aa_tri(centre, prev_in, in);
                aa_tri(prev_in, prev_out, out);
                aa_tri(prev_in, out, in);
            }
            prev_in = in;
            prev_out = out;
        }
    }
    aa_flush(r);
}

/* A straight stroke of width w from (x1,y1) to (x2,y2), with round caps
 * (so joints of a polyline close), anti-aliased along its sides. */
static void stroke(SDL_Renderer *r, float x1, float y1, float x2, float y2, float w, kcolor c)
{
    float dx = x2 - x1, dy = y2 - y1, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0)
        return;
    float ux = dx / len, uy = dy / len, h = w / 2;
    /* A capsule: two half circles joined by the sides, as one convex
     * outline. */
    enum { HALF = 8, PTS = 2 * (HALF + 1) };
    float px[PTS], py[PTS], nx[PTS], ny[PTS];
    float base = atan2f(uy, ux);
    int n = 0;
    for (int end = 0; end < 2; end++) {
        float ex = end ? x1 : x2, ey = end ? y1 : y2;
        float a0 = base - 1.5707963f + end * 3.1415927f;
        for (int i = 0; i <= HALF; i++) {
            float a = a0 + 3.1415927f * i / HALF, ca = cosf(a), sa = sinf(a);
            px[n] = ex + h * ca;
            py[n] = ey + h * sa;
            nx[n] = ca;
            ny[n] = sa;
            n++;
        }
    }
    aa_convex(px, py, nx, ny, n, c);
}

/* A circle outline of width w: an annulus with coverage on both edges. */
static void ring(SDL_Renderer *r, float cx, float cy, float rad, float w, kcolor c)
{
    (void)r;
    enum { N = 48 };
    float ro = rad + w / 2, ri = rad - w / 2;
    if (ri < 0.5f)
        ri = 0.5f;
    float radii[4] = {ri - 0.5f, ri + 0.5f, ro - 0.5f, ro + 0.5f};
    int alpha[4] = {0, 255, 255, 0};
    int first = aa.nv;
    if (aa.nv + 4 * N > AA_MAXV)
        return;
    for (int i = 0; i < N; i++) {
        float a = (float)(6.2831853 * i / N), ca = cosf(a), sa = sinf(a);
        for (int k = 0; k < 4; k++)
            aa_vertex(cx + radii[k] * ca, cy + radii[k] * sa, c, alpha[k]);
    }
    for (int i = 0; i < N; i++) {
        int o = first + 4 * i, p = first + 4 * ((i + 1) % N);
        for (int k = 0; k < 3; k++) {
            aa_tri(o + k, o + k + 1, p + k + 1);
            aa_tri(o + k, p + k + 1, p + k);
        }
    }
}

/* A filled disc with a coverage edge. */
static void disc(float cx, float cy, float rad, kcolor c)
{
    enum { N = 32 };
    float px[N], py[N], nx[N], ny[N];
    for (int i = 0; i < N; i++) {
        float a = (float)(6.2831853 * i / N);
        nx[i] = cosf(a);
        ny[i] = sinf(a);
        px[i] = cx + rad * nx[i];
        py[i] = cy + rad * ny[i];
    }
    aa_convex(px, py, nx, ny, N, c);
}

/* Draws an icon inside k. */
static void draw_icon(SDL_Renderer *r, krect k, int icon, kcolor c)
{
    float x = (float)k.x, y = (float)k.y, s = (float)(k.w < k.h ? k.w : k.h);
    float w = s / 9 > 2 ? s / 9 : 2;
    switch (icon) {
    case KICON_BACK:
        stroke(r, x + s * 0.15f, y + s * 0.5f, x + s * 0.85f, y + s * 0.5f, w, c);
        stroke(r, x + s * 0.15f, y + s * 0.5f, x + s * 0.45f, y + s * 0.2f, w, c);
        stroke(r, x + s * 0.15f, y + s * 0.5f, x + s * 0.45f, y + s * 0.8f, w, c);
        break;
    case KICON_UP:
    case KICON_DOWN: {
        float tip = icon == KICON_UP ? 0.15f : 0.85f, base = icon == KICON_UP ? 0.45f : 0.55f;
        stroke(r, x + s * 0.5f, y + s * 0.15f, x + s * 0.5f, y + s * 0.85f, w, c);
        stroke(r, x + s * 0.5f, y + s * tip, x + s * 0.2f, y + s * base, w, c);
        stroke(r, x + s * 0.5f, y + s * tip, x + s * 0.8f, y + s * base, w, c);
        break;
    }
    case KICON_ALERT: {
        /* a filled disc with a "!" cut out in the background colour */
        kcolor bg = {255, 255, 255, 255};
        disc(x + s * 0.5f, y + s * 0.5f, s * 0.5f, c);
        stroke(r, x + s * 0.5f, y + s * 0.2f, x + s * 0.5f, y + s * 0.58f, w * 1.3f, bg);
        disc(x + s * 0.5f, y + s * 0.76f, w * 0.8f, bg);
        break;
    }
    case KICON_CHECK:
        stroke(r, x + s * 0.12f, y + s * 0.52f, x + s * 0.42f, y + s * 0.84f, w * 1.2f, c);
        stroke(r, x + s * 0.36f, y + s * 0.84f, x + s * 0.9f, y + s * 0.2f, w * 1.2f, c);
        break;
    case KICON_BACKSPACE:
        stroke(r, x + s * 0.05f, y + s * 0.5f, x + s * 0.3f, y + s * 0.2f, w, c);
        stroke(r, x + s * 0.05f, y + s * 0.5f, x + s * 0.3f, y + s * 0.8f, w, c);
        stroke(r, x + s * 0.3f, y + s * 0.2f, x + s * 0.95f, y + s * 0.2f, w, c);
        stroke(r, x + s * 0.3f, y + s * 0.8f, x + s * 0.95f, y + s * 0.8f, w, c);
        stroke(r, x + s * 0.95f, y + s * 0.2f, x + s * 0.95f, y + s * 0.8f, w, c);
        stroke(r, x + s * 0.48f, y + s * 0.35f, x + s * 0.76f, y + s * 0.65f, w, c);
        stroke(r, x + s * 0.76f, y + s * 0.35f, x + s * 0.48f, y + s * 0.65f, w, c);
        break;
    case KICON_SHIFT:
        stroke(r, x + s * 0.5f, y + s * 0.1f, x + s * 0.1f, y + s * 0.5f, w, c);
        stroke(r, x + s * 0.5f, y + s * 0.1f, x + s * 0.9f, y + s * 0.5f, w, c);
        stroke(r, x + s * 0.1f, y + s * 0.5f, x + s * 0.3f, y + s * 0.5f, w, c);
        stroke(r, x + s * 0.9f, y + s * 0.5f, x + s * 0.7f, y + s * 0.5f, w, c);
        stroke(r, x + s * 0.3f, y + s * 0.5f, x + s * 0.3f, y + s * 0.9f, w, c);
        stroke(r, x + s * 0.7f, y + s * 0.5f, x + s * 0.7f, y + s * 0.9f, w, c);
        stroke(r, x + s * 0.3f, y + s * 0.9f, x + s * 0.7f, y + s * 0.9f, w, c);
        break;
    case KICON_ENTER:
        stroke(r, x + s * 0.85f, y + s * 0.15f, x + s * 0.85f, y + s * 0.6f, w, c);
        stroke(r, x + s * 0.85f, y + s * 0.6f, x + s * 0.15f, y + s * 0.6f, w, c);
        stroke(r, x + s * 0.15f, y + s * 0.6f, x + s * 0.4f, y + s * 0.35f, w, c);
        stroke(r, x + s * 0.15f, y + s * 0.6f, x + s * 0.4f, y + s * 0.85f, w, c);
        break;
    case KICON_SEARCH:
        ring(r, x + s * 0.42f, y + s * 0.42f, s * 0.28f, w, c);
        stroke(r, x + s * 0.62f, y + s * 0.62f, x + s * 0.92f, y + s * 0.92f, w * 1.3f, c);
        break;
    case KICON_PLUS:
        stroke(r, x + s * 0.5f, y + s * 0.1f, x + s * 0.5f, y + s * 0.9f, w * 1.2f, c);
        stroke(r, x + s * 0.1f, y + s * 0.5f, x + s * 0.9f, y + s * 0.5f, w * 1.2f, c);
        break;
    case KICON_PERSON:
        ring(r, x + s * 0.5f, y + s * 0.3f, s * 0.18f, w, c);
        stroke(r, x + s * 0.2f, y + s * 0.9f, x + s * 0.5f, y + s * 0.55f, w, c);
        stroke(r, x + s * 0.8f, y + s * 0.9f, x + s * 0.5f, y + s * 0.55f, w, c);
        break;
    case KICON_FACE1:
    case KICON_FACE2:
    case KICON_FACE3:
    case KICON_FACE4:
    case KICON_FACE5: {
        /* Eyes, and a mouth whose curve goes from a frown to a smile. */
        float mood = (float)(icon - KICON_FACE3) / 2.0f;   /* -1 .. 1 */
        disc(x + s * 0.33f, y + s * 0.36f, s * 0.08f, c);
        disc(x + s * 0.67f, y + s * 0.36f, s * 0.08f, c);
        float my = y + s * 0.66f, px = x + s * 0.3f, py = my - mood * s * 0.06f;
        for (int i = 1; i <= 10; i++) {
            float t = i / 10.0f, nx = x + s * (0.3f + 0.4f * t);
            float ny = my - mood * s * 0.06f + mood * s * 0.24f * t * (1 - t) * 2.0f;
            stroke(r, px, py, nx, ny, w * 1.3f, c);   /* round caps join the pieces */
            px = nx;
            py = ny;
        }
        break;
    }
    case KICON_SPACE:
        /* The space bar's mark: a wide, shallow bracket. */
        stroke(r, x + s * 0.05f, y + s * 0.45f, x + s * 0.05f, y + s * 0.7f, w, c);
        stroke(r, x + s * 0.05f, y + s * 0.7f, x + s * 0.95f, y + s * 0.7f, w, c);
        stroke(r, x + s * 0.95f, y + s * 0.7f, x + s * 0.95f, y + s * 0.45f, w, c);
        break;
    case KICON_CLOCK:
        ring(r, x + s * 0.5f, y + s * 0.5f, s * 0.4f, w, c);
        stroke(r, x + s * 0.5f, y + s * 0.5f, x + s * 0.5f, y + s * 0.25f, w, c);
        stroke(r, x + s * 0.5f, y + s * 0.5f, x + s * 0.7f, y + s * 0.6f, w, c);
        break;
    }
    aa_flush(r);
}

/* Draws a QR matrix: one dark square per set module, on white. */
static void draw_qr(SDL_Renderer *r, const kview *v, const kop *op)
{
    int n = op->qr_modules;
    if (n <= 0 || op->text < 0)
        return;
    const unsigned char *bits = (const unsigned char *)v->arena + op->text;
    /* Whole pixels per module keep the code crisp; centre what is left. */
    int m = (op->r.w < op->r.h ? op->r.w : op->r.h) / n;
    if (m < 1)
        m = 1;
    int ox = op->r.x + (op->r.w - m * n) / 2, oy = op->r.y + (op->r.h - m * n) / 2;
    set_color(r, (kcolor){0, 0, 0, 255});
    for (int yy = 0; yy < n; yy++)
        for (int xx = 0; xx < n; xx++)
            if (bits[yy * n + xx]) {
                SDL_Rect sr = {ox + xx * m, oy + yy * m, m, m};
                SDL_RenderFillRect(r, &sr);
            }
}

void krender_view(SDL_Renderer *r, ktext *t, const kview *v)
{
    /* Every screen starts with its opaque background over the whole
     * window: clearing first would write every pixel twice. */
    const kop *first = v->nops > 0 ? &v->ops[0] : NULL;
    int covered = first && first->kind == KOP_RECT && first->color.a == 255 &&
                  first->radius <= 1 && first->border_w == 0 && first->r.x <= 0 &&
                  first->r.y <= 0 && first->r.x + first->r.w >= v->w &&
                  first->r.y + first->r.h >= v->h;
    if (!covered) {
        SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
        SDL_RenderClear(r);
    }
    for (int i = 0; i < v->nops; i++) {
        const kop *op = &v->ops[i];
        switch (op->kind) {
        case KOP_RECT:
            if (op->border_w > 0) {
                fill_round(r, op->r, op->radius, op->border);
                fill_round(r, krect_inset(op->r, op->border_w), op->radius - op->border_w,
                           op->color);
            } else {
                fill_round(r, op->r, op->radius, op->color);
            }
            break;
        case KOP_TEXT: {
            SDL_Color c = {op->color.r, op->color.g, op->color.b, op->color.a};
            ktext_draw(t, kview_op_text(v, op), op->px, op->lang[0] ? op->lang : v->lang, op->bold,
                       c, op->r.x, op->r.y);
            break;
        }
        case KOP_ICON:
            draw_icon(r, op->r, op->icon, op->color);
            break;
        case KOP_QR:
            draw_qr(r, v, op);
            break;
        }
    }
}

/* ---- PNG --------------------------------------------------------------------- */

/* Appends a PNG chunk (length, type, data, CRC) to f. */
static int png_chunk(FILE *f, const char *type, const unsigned char *data, unsigned len)
{
    unsigned char hdr[8] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len,
                            (unsigned char)type[0], (unsigned char)type[1],
                            (unsigned char)type[2], (unsigned char)type[3]};
    uLong crc = crc32(0L, hdr + 4, 4);
    if (len)
        crc = crc32(crc, data, len);
    unsigned char c[4] = {(unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
                          (unsigned char)(crc >> 8), (unsigned char)crc};
    return fwrite(hdr, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
                   fwrite(c, 1, 4, f) == 4
               ? 0
               : -1;
}

int krender_png(SDL_Renderer *r, int w, int h, const char *path, kerr *err)
{
    int rc = KERR_IO;
    unsigned char *rgba = NULL, *raw = NULL, *z = NULL;
    FILE *f = NULL;
    rgba = malloc((size_t)w * h * 4);
    raw = malloc((size_t)(w * 3 + 1) * h);
    uLongf zlen = compressBound((uLong)(w * 3 + 1) * h);
    z = malloc(zlen);
    if (!rgba || !raw || !z) {
        kerr_set(err, KERR_IO, "cannot write %s: out of memory", path);
        goto out;
    }
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGBA32, rgba, w * 4) != 0) {
        kerr_set(err, KERR_IO, "SDL_RenderReadPixels: %s", SDL_GetError());
        goto out;
    }
    for (int y = 0; y < h; y++) {
        unsigned char *row = raw + (size_t)y * (w * 3 + 1);
        row[0] = 0;
        for (int x = 0; x < w; x++)
            memcpy(row + 1 + x * 3, rgba + ((size_t)y * w + x) * 4, 3);
    }
    if (compress2(z, &zlen, raw, (uLong)(w * 3 + 1) * h, 6) != Z_OK) {
        kerr_set(err, KERR_IO, "cannot write %s: compression failed", path);
        goto out;
    }
    f = fopen(path, "wb");
    if (!f) {
        kerr_set(err, KERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    static const unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    unsigned char ihdr[13] = {(unsigned char)(w >> 24), (unsigned char)(w >> 16),
                              (unsigned char)(w >> 8), (unsigned char)w,
                              (unsigned char)(h >> 24), (unsigned char)(h >> 16),
                              (unsigned char)(h >> 8), (unsigned char)h,
                              8, 2, 0, 0, 0};
    if (fwrite(sig, 1, 8, f) != 8 || png_chunk(f, "IHDR", ihdr, 13) != 0 ||
        png_chunk(f, "IDAT", z, (unsigned)zlen) != 0 || png_chunk(f, "IEND", NULL, 0) != 0) {
        kerr_set(err, KERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        kerr_set(err, KERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    f = NULL;
    rc = 0;
out:
    if (f)
        fclose(f);
    free(rgba);
    free(raw);
    free(z);
    return rc;
}
