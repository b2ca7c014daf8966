/*
 * view.h - a screen as data: a list of draw operations and of tappable
 * regions with stable ids.  No SDL here.
 *
 * Screen builders (screen_*.c) turn the flow's state into a kview; the SDL
 * renderer (render.c) draws it; the replay driver reads it to find widgets
 * by id and to answer "what text is on screen" without reading pixels.
 * While building, the view checks the layout rules every screen must keep,
 * and records each break as a problem the replay tests fail on:
 *   - every tappable region is at least the touch target (KIOSK_TOUCH_MM)
 *     in both directions and lies inside the window;
 *   - no two tappable regions overlap;
 *   - every text fits its box (it is shrunk to a minimum size, then wrapped,
 *     before it counts as clipped).
 */
#ifndef KIOSK_VIEW_H
#define KIOSK_VIEW_H

#include <stdint.h>

typedef struct krect { int x, y, w, h; } krect;
typedef struct kcolor { uint8_t r, g, b, a; } kcolor;

enum kop_kind { KOP_RECT, KOP_TEXT, KOP_ICON, KOP_QR };

enum kicon {
    KICON_BACK, KICON_CHECK, KICON_BACKSPACE, KICON_SHIFT, KICON_ENTER,
    KICON_SEARCH, KICON_PERSON, KICON_PLUS, KICON_CLOCK,
    KICON_FACE1, KICON_FACE2, KICON_FACE3, KICON_FACE4, KICON_FACE5, /* sad .. happy */
    KICON_SPACE,
    KICON_UP, KICON_DOWN,   /* paging arrows */
    KICON_ALERT             /* a field with a problem: "!" in a disc */
};

/* Text alignment and other flags of kv_text. */
enum {
    KT_LEFT = 0, KT_CENTER = 1, KT_RIGHT = 2,
    KT_TOP = 0, KT_MIDDLE = 4, KT_BOTTOM = 8,
    KT_BOLD = 16,
    KT_WRAP = 32,      /* may break into lines */
    KT_CARET = 64,     /* draw a text caret after the last line */
    KT_TAIL = 128,     /* too long for one line: show its end after "…" */
    KT_TRIM = 256,     /* too long for one line: show its start, then "…" */
    /* Roles set the floor a text never shrinks below (kui: title_min,
     * label_min, min_px).  Without one, a bold text at the title size or
     * larger is a title, anything else a label, body text or message. */
    KT_TITLE = 512,
    KT_SMALL = 1024,   /* a caption (chart times, hints): the absolute floor */
    KT_BODY = 2048     /* body text or a label even when bold and large */
};

typedef struct kop {
    int kind;
    krect r;
    kcolor color;              /* fill, text or icon colour */
    kcolor border;
    int border_w, radius;      /* KOP_RECT */
    int px, bold;              /* KOP_TEXT */
    int icon;                  /* KOP_ICON */
    int text;                  /* offset of the text (or QR data) in the arena */
    int qr_modules;            /* KOP_QR: modules per side, data = module bits */
    char lang[16];             /* KOP_TEXT: language to draw in; "" = the view's */
} kop;

typedef struct khit {
    char id[48];
    krect r;
} khit;

#define KVIEW_OPS 600
#define KVIEW_HITS 160
#define KVIEW_ARENA 32768
#define KVIEW_PROBLEMS 2048

typedef struct kui kui;
#define KUI_LANGS_MAX 24

typedef struct kview {
    char screen[24];
    int w, h;
    kop ops[KVIEW_OPS];
    int nops;
    khit hits[KVIEW_HITS];
    int nhits;
    char arena[KVIEW_ARENA];
    int arena_len;
    /* Every text as a person reads it (before line breaks): its arena
     * offset, the size it was drawn at after fitting (before script
     * scaling), the box its lines cover and its language ("" = view's). */
    struct kvtext { int text; int px; krect r; char lang[16]; } texts[KVIEW_HITS * 2];
    int ntexts;
    char pressed[48];           /* the widget under a finger, "" if none */
    char lang[16];              /* language the text is drawn in */
    char problems[KVIEW_PROBLEMS];
    int nproblems;
} kview;

/* What the builders need from the shell: sizes, a text measurer and the
 * translation lookup.  Built once per frame by the UI. */
struct kui {
    int w, h;                   /* window, pixels */
    double dpi;
    int t;                      /* smallest touch target, pixels */
    int gap;                    /* spacing between widgets */
    int body_px, title_px, button_px, small_px;  /* text sizes */
    /* Floors (item 1 of the readability rules): at 133 dpi no text under
     * 16 px, labels, body text and messages at least 18, titles at least
     * 28; other densities scale by dpi. */
    int min_px, label_min, title_min;
    const char *pressed;        /* id of the widget a finger is on, or NULL */
    const char *lang;
    int (*measure)(void *ctx, const char *text, int px, int bold, const char *lang,
                   int *w, int *h);
    /* Height of a line of lang's own script at px (Lao and Khmer lines are
     * taller than Latin ones); NULL = 1.4 * px. */
    int (*line_height)(void *ctx, int px, const char *lang);
    void *measure_ctx;
    /* The largest pixel size a line of text is drawn at when its nominal
     * size is px (more than px where a script is scaled to Latin's letter
     * height); NULL = px.  Floors hold for the size drawn. */
    int (*drawn_px)(void *ctx, const char *text, int px, const char *lang);
    /* The languages offered on welcome, in order: code ("vi"), the
     * language's own name ("Tiếng Việt") and its greeting ("Xin chào!"). */
    int nlangs;
    struct kui_lang {
        const char *code, *name, *greeting;
        const char *review;     /* "partly reviewed" (an msgid), NULL for English */
    } langs[KUI_LANGS_MAX];
    const char *(*tr)(void *ctx, const char *lang, const char *msgid);
    const char *(*trn)(void *ctx, const char *lang, const char *one, const char *many,
                       long n);
    void *tr_ctx;
    /* Optional observer of every text kv_text fits, with its box and sizes,
     * before fitting (the translation review records where each message is
     * shown and the tightest box it must fit: kiosk/ui/places.c). */
    void (*on_text)(void *ctx, const char *screen, const char *lang, const char *text,
                    krect box, int px, int min_px, int flags);
    void *on_text_ctx;
};

/* Translation in builders: TR(u, "text"), TRN(u, "one", "many", n).
 * The keyword names are what xgettext extracts (see assets/po/README.md). */
#define TR(u, s) ((u)->tr ? (u)->tr((u)->tr_ctx, (u)->lang, (s)) : (s))
#define TRN(u, s, p, n) \
    ((u)->trn ? (u)->trn((u)->tr_ctx, (u)->lang, (s), (p), (n)) : ((n) == 1 ? (s) : (p)))

/* Sizes everything from the window size and DPI. */
void kui_metrics(kui *u, int w, int h, double dpi);

/* The nominal size at which the screen language's script is drawn at
 * floor pixels (less than floor for Khmer and Lao, which are drawn
 * larger than their nominal size). */
int kui_floor_px(const kui *u, int floor);

/* Height of one line of text at px in the screen's language. */
int kui_line(const kui *u, int px);

void kview_begin(kview *v, const char *screen, int w, int h, const char *lang);

/* Draw operations. */
void kv_rect(kview *v, krect r, kcolor fill, int radius);
void kv_frame(kview *v, krect r, kcolor fill, kcolor border, int border_w, int radius);
void kv_icon(kview *v, krect r, int icon, kcolor c);
void kv_qr(kview *v, krect r, int modules, const unsigned char *bits);

/* Draws text in box at size px: on one line if it fits, else wrapped
 * (KT_WRAP) at break opportunities of the language; only when the wrapped
 * text still does not fit is it shrunk, never below min_px nor its role's
 * floor; a text that fits at no size is a layout problem.  Returns the
 * height the text took. */
int kv_text(kview *v, const kui *u, krect box, const char *text, int px, int min_px,
            kcolor c, int flags);
/* The same, drawn in another language than the screen's (a language's own
 * name on its button: 日本語 with Japanese glyph forms). */
int kv_text_in(kview *v, const kui *u, krect box, const char *text, int px, int min_px,
               kcolor c, int flags, const char *lang);

/* The size kv_text would draw text at in box, or -1 if it fits at no size
 * (for groups of texts that share one size: fit each, take the smallest,
 * draw all at it). */
int kv_fit(const kui *u, krect box, const char *text, int px, int min_px, int flags,
           const char *lang);

/* 1 if the widget id is being pressed (a finger is down on it). */
int kv_pressed(const kui *u, const char *id);

/* A tappable region. */
void kv_hit(kview *v, const kui *u, const char *id, krect r);

/* Copies tmpl to buf with every occurrence of key (e.g. "{name}") replaced
 * by val.  Translations carry such named placeholders instead of printf
 * formats, so a translator's typo cannot crash the kiosk. */
const char *kv_subst(char *buf, unsigned cap, const char *tmpl, const char *key,
                     const char *val);

/* Records a layout problem (printf style). */
void kv_problem(kview *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checks the tappable regions against each other (call when done). */
void kview_finish(kview *v, const kui *u);

const khit *kview_find(const kview *v, const char *id);
const khit *kview_hit_at(const kview *v, int x, int y);
const char *kview_op_text(const kview *v, const kop *op);

/* 1 if some text drawn (before line breaking) contains needle. */
int kview_has_text(const kview *v, const char *needle);

/* Rectangle helpers. */
krect krect_inset(krect r, int d);
int krect_contains(krect r, int x, int y);
int krect_overlap(krect a, krect b);

#endif
