/*
 * flow.c - the screen state machine (diagram and invariants in flow.h).
 *
 * Inputs arrive with the current time; every input restarts the idle timer.
 * Text goes to the focused input through the keyboard composition engine of
 * the active layout, so the same path serves the on-screen keyboard and a
 * physical one.  Search runs on every change of the query.
 */
#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "fold.h"

static const char *const screen_names[KS_COUNT] = {
    "welcome", "find", "form", "done", "error",
};

static const char *const field_ids[KF_COUNT] = {
    "field-given", "field-family", "field-phone", "field-email", "field-zip",
};

static const unsigned field_max[KF_COUNT] = {
    KIOSK_NAME_MAX, KIOSK_NAME_MAX, KIOSK_PHONE_MAX, KIOSK_EMAIL_MAX, KIOSK_ZIP_MAX,
};

/* ---- small UTF-8 helpers ------------------------------------------------- */

/* Decodes one code point at s (length in *len); invalid bytes give -1. */
static long utf8_decode(const unsigned char *s, int *len)
{
    unsigned c = s[0];
    int n;
    long cp;
    if (c < 0x80) { *len = 1; return (long)c; }
    if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
    else { *len = 1; return -1; }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) { *len = 1; return -1; }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *len = n;
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    return cp;
}


/* Removes control characters and invalid bytes, clamps to max_chars. */
void kflow_clean_text(char *s, unsigned max_chars)
{
    unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
    unsigned count = 0;
    while (*r) {
        int len;
        long cp = utf8_decode(r, &len);
        int keep = cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
                   cp != 0x2028 && cp != 0x2029 && !(cp >= 0x202a && cp <= 0x202e) &&
                   !(cp >= 0x2066 && cp <= 0x2069);
        if (keep && count < max_chars) {
            memmove(w, r, (size_t)len);
            w += len;
            count++;
        }
        r += len;
    }
    *w = '\0';
}

/* Trims spaces at both ends, in place. */
static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && s[a] == ' ')
        a++;
    while (n > a && s[n - 1] == ' ')
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

/* Restarts the idle timer. */
static void touch(kflow *f, int64_t now_ms)
{
    f->now_ms = now_ms;
    f->last_input_ms = now_ms;
}

/* ---- validation ---------------------------------------------------------- */

/* Phone numbers from anywhere: 7 to 15 digits (E.164), with the usual
 * separators; a + only in front. */
static const char *check_phone(const char *t)
{
    int digits = 0;
    for (const char *p = t; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '+' && p == t)
            continue;
        else if (!strchr(" ()-./", *p))
            return "Check the phone number";
    }
    if (digits < 7 || digits > 15)
        return "Check the phone number";
    return NULL;
}

/* Email: something@something.something, no spaces; any script allowed. */
static const char *check_email(const char *t)
{
    const char *at = strchr(t, '@');
    if (!at || at == t || strchr(at + 1, '@') || strchr(t, ' '))
        return "Check the email address";
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return "Check the email address";
    return NULL;
}

/* Postal codes: 3 to 10 letters or digits, spaces and hyphens allowed. */
static const char *check_zip(const char *t)
{
    int n = 0;
    for (const char *p = t; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            n++;
        else if (c != ' ' && c != '-')
            return "Check the ZIP code";
    }
    if (n < 3 || n > 10)
        return "Check the ZIP code";
    return NULL;
}

/* Validates one field; NULL if fine. */
const char *kflow_validate(int field, const char *text)
{
    char t[KFLOW_FIELD_BYTES];
    snprintf(t, sizeof t, "%s", text);
    trim(t);
    if (field == KF_GIVEN)
        return t[0] ? NULL : "Please write your first name";
    if (!t[0])
        return NULL;
    switch (field) {
    case KF_PHONE: return check_phone(t);
    case KF_EMAIL: return check_email(t);
    case KF_ZIP: return check_zip(t);
    default: return NULL;
    }
}

/* ---- state changes ------------------------------------------------------- */

const char *kflow_screen_name(int screen)
{
    return screen >= 0 && screen < KS_COUNT ? screen_names[screen] : "?";
}

const char *kflow_field_id(int field)
{
    return field >= 0 && field < KF_COUNT ? field_ids[field] : "search";
}

/* The keyboard purpose of the focused input. */
static int focus_purpose(const kflow *f)
{
    if (f->focus == KF_PHONE || f->focus == KF_ZIP)
        return KOSK_NUMERIC;
    if (f->focus == KF_EMAIL)
        return KOSK_EMAIL;
    return KOSK_TEXT;
}

const klayout *kflow_layout(const kflow *f, int *nlayouts)
{
    const klayout *l[8];
    int n = kosk_layouts(focus_purpose(f), f->lang, l, 8);
    if (nlayouts)
        *nlayouts = n;
    return l[f->layout_index % n];
}

/* Focuses an input: the keyboard starts over on its first layout. */
static void set_focus(kflow *f, int focus)
{
    f->focus = focus;
    f->shift = 0;
    f->preedit[0] = '\0';
    f->nvariants = 0;
    f->layout_index = 0;
    kcompose_reset(&f->compose, kflow_layout(f, NULL)->compose);
}

static void go(kflow *f, int screen)
{
    f->screen = screen;
    f->still_there = 0;
    f->banner = NULL;
    if (screen == KS_FIND)
        set_focus(f, KF_SEARCH);
    else if (screen == KS_FORM)
        set_focus(f, KF_GIVEN);
    else if (screen == KS_DONE)
        f->done_since = f->now_ms;
}

void kflow_reset(kflow *f)
{
    memset(f->field, 0, sizeof f->field);
    memset(f->field_msg, 0, sizeof f->field_msg);
    memset(f->query, 0, sizeof f->query);
    memset(f->results, 0, sizeof f->results);
    memset(f->done_name, 0, sizeof f->done_name);
    memset(f->done_event, 0, sizeof f->done_event);
    memset(f->done_person, 0, sizeof f->done_person);
    f->nresults = 0;
    f->searched = 0;
    f->banner = NULL;
    f->still_there = 0;
    f->preedit[0] = '\0';
    f->nvariants = 0;
    snprintf(f->lang, sizeof f->lang, "%s", f->default_lang);
    go(f, f->error[0] ? KS_ERROR : KS_WELCOME);
    f->version++;
}

void kflow_init(kflow *f, kstore *store, int64_t now_ms, const char *error)
{
    memset(f, 0, sizeof *f);
    f->store = store;
    f->now_ms = f->last_input_ms = now_ms;
    f->idle_ms = KIOSK_IDLE_MS;
    snprintf(f->default_lang, sizeof f->default_lang, "en");
    if (error)
        snprintf(f->error, sizeof f->error, "%s", error);
    kflow_reset(f);
}

/* Runs the search for the current query. */
static void run_search(kflow *f)
{
    char folded[KIOSK_QUERY_BYTES];
    kfold(f->query, folded, sizeof folded);
    f->nresults = 0;
    f->searched = kfold_len(folded) >= KIOSK_SEARCH_MIN_CHARS;
    if (!f->searched)
        return;
    kerr err = {0};
    if (kstore_search(f->store, f->query, f->results, KIOSK_SEARCH_RESULTS, &f->nresults,
                      &err) != 0) {
        f->nresults = 0;
        f->banner = "Search is not working right now. Please see a staff member.";
        fprintf(stderr, "kiosk: search: %s\n", err.msg);
    }
}

/* The buffer and size limit of the focused input. */
static char *focus_buf(kflow *f, size_t *cap, unsigned *max_chars)
{
    if (f->focus == KF_SEARCH) {
        *cap = sizeof f->query;
        *max_chars = KIOSK_QUERY_MAX;
        return f->query;
    }
    *cap = sizeof f->field[0];
    *max_chars = field_max[f->focus];
    return f->field[f->focus];
}

/* Called after the focused text changed. */
static void text_changed(kflow *f)
{
    if (f->focus == KF_SEARCH)
        run_search(f);
    else if (f->field_msg[f->focus])
        f->field_msg[f->focus] = kflow_validate(f->focus, f->field[f->focus]);
    f->banner = NULL;
}

/* Types text into the focused input, character by character through the
 * composition engine. */
static int type_text(kflow *f, const char *utf8)
{
    if (f->screen != KS_FIND && f->screen != KS_FORM)
        return 0;
    char clean[256];
    snprintf(clean, sizeof clean, "%s", utf8);
    kflow_clean_text(clean, sizeof clean);
    size_t cap;
    unsigned max_chars;
    char *buf = focus_buf(f, &cap, &max_chars);
    int changed = 0;
    const unsigned char *p = (const unsigned char *)clean;
    while (*p) {
        int len;
        long cp = utf8_decode(p, &len);
        p += len;
        if (cp < 0)
            continue;
        if (kcompose_key(&f->compose, buf, cap, max_chars, (uint32_t)cp) == 0)
            changed = 1;
    }
    if (changed)
        text_changed(f);
    return changed;
}

/* Deletes one step back in the focused input. */
static int backspace(kflow *f)
{
    size_t cap;
    unsigned max_chars;
    char *buf = focus_buf(f, &cap, &max_chars);
    if (!buf[0])
        return 0;
    kcompose_backspace(&f->compose, buf, cap);
    text_changed(f);
    return 1;
}

/* Validates every field; returns 1 if the form can be saved. */
static int validate_all(kflow *f)
{
    int ok = 1, first_bad = -1;
    for (int i = 0; i < KF_COUNT; i++) {
        f->field_msg[i] = kflow_validate(i, f->field[i]);
        if (f->field_msg[i] && first_bad < 0)
            first_bad = i;
    }
    if (first_bad >= 0) {
        ok = 0;
        set_focus(f, first_bad);
    }
    return ok;
}

/* Shows done for a person and event. */
static void show_done(kflow *f, int kind, const char *given, const char *person_id)
{
    kevent ev;
    kerr err = {0};
    f->done_kind = kind;
    snprintf(f->done_name, sizeof f->done_name, "%s", given);
    snprintf(f->done_person, sizeof f->done_person, "%s", person_id);
    if (kstore_event_current(f->store, &ev, &err) == 0)
        snprintf(f->done_event, sizeof f->done_event, "%s", ev.name);
    go(f, KS_DONE);
}

/* The message shown when a save failed; the person's entries stay. */
static void save_failed(kflow *f, const kerr *err, const char *what)
{
    fprintf(stderr, "kiosk: %s: %s\n", what, err->msg);
    f->banner = "Sorry, this sign-in could not be saved. Please see a staff member.";
}

/* Saves the form as a new person checked in at the current event. */
static void submit_form(kflow *f)
{
    if (!validate_all(f))
        return;
    kevent ev;
    kerr err = {0};
    if (kstore_event_current(f->store, &ev, &err) != 0) {
        save_failed(f, &err, "no current event");
        return;
    }
    kperson p;
    memset(&p, 0, sizeof p);
    char *dst[KF_COUNT] = {p.given, p.family, p.phone, p.email, p.zip};
    size_t cap[KF_COUNT] = {sizeof p.given, sizeof p.family, sizeof p.phone,
                            sizeof p.email, sizeof p.zip};
    for (int i = 0; i < KF_COUNT; i++) {
        snprintf(dst[i], cap[i], "%s", f->field[i]);
        trim(dst[i]);
    }
    if (kstore_signup(f->store, &p, ev.id, &err) != 0) {
        save_failed(f, &err, "sign-up");
        return;
    }
    show_done(f, KDONE_NEW, p.given, p.id);
}

/* Checks in the person of result row i (0-based). */
static void checkin_result(kflow *f, int i)
{
    kevent ev;
    kerr err = {0};
    if (kstore_event_current(f->store, &ev, &err) != 0) {
        save_failed(f, &err, "no current event");
        return;
    }
    kmatch m = f->results[i];
    int rc = kstore_checkin(f->store, m.person_id, ev.id, &err);
    if (rc == KERR_DUP)
        show_done(f, KDONE_ALREADY, m.first, m.person_id);
    else if (rc != 0)
        save_failed(f, &err, "check-in");
    else
        show_done(f, KDONE_RETURNING, m.first, m.person_id);
}

/* Enter: next field, or submit on the last one; nothing on find. */
static int enter(kflow *f)
{
    if (f->screen != KS_FORM)
        return 0;
    f->field_msg[f->focus] = kflow_validate(f->focus, f->field[f->focus]);
    if (f->focus < KF_COUNT - 1)
        set_focus(f, f->focus + 1);
    else
        submit_form(f);
    return 1;
}

/* A tap on a key of the on-screen keyboard. */
static int tap_key(kflow *f, const char *id)
{
    int n;
    const klayout *l = kflow_layout(f, &n);
    const kkey *k = kosk_find(l, id, f->shift);
    if (!k)
        return 0;
    switch (k->kind) {
    case KKEY_SHIFT:
        f->shift = !f->shift;
        return 1;
    case KKEY_BACKSPACE:
        return backspace(f);
    case KKEY_ENTER:
        return enter(f);
    case KKEY_LAYOUT:
        f->layout_index = (f->layout_index + 1) % n;
        f->shift = 0;
        kcompose_reset(&f->compose, kflow_layout(f, NULL)->compose);
        return 1;
    default: {
        const char *t = kosk_key_text(k, f->shift);
        f->shift = 0;
        type_text(f, t);
        return 1;
    }
    }
}

/* Encodes a code point as UTF-8 (out has room for 5 bytes). */
static void utf8_put(uint32_t c, char *out)
{
    int n = 0;
    if (c < 0x80) {
        out[n++] = (char)c;
    } else if (c < 0x800) {
        out[n++] = (char)(0xc0 | (c >> 6));
        out[n++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out[n++] = (char)(0xe0 | (c >> 12));
        out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[n++] = (char)(0x80 | (c & 0x3f));
    } else {
        out[n++] = (char)(0xf0 | (c >> 18));
        out[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[n++] = (char)(0x80 | (c & 0x3f));
    }
    out[n] = '\0';
}

/* Lower case of a letter with a case pair in the Latin blocks the accent
 * popup offers (ids are lower case). */
static uint32_t lower_latin(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
        return c + 32;
    if (c >= 0x100 && c <= 0x17f) {
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
        return odd_upper ? ((c & 1) ? c + 1 : c) : ((c & 1) ? c : c + 1);
    }
    if ((c >= 0x1ea0 && c <= 0x1ef9) || (c >= 0x1e00 && c <= 0x1e95))
        return (c & 1) ? c : c + 1;
    if (c >= 0x1cd && c <= 0x1dc)
        return (c & 1) ? c + 1 : c;
    return c;
}

/* The id of popup variant i: "key-" and the letter in lower case. */
const char *kflow_variant_id(const kflow *f, int i, char *buf, unsigned cap)
{
    char t[8];
    utf8_put(lower_latin(f->variants[i]), t);
    snprintf(buf, cap, "key-%s", t);
    return buf;
}

/* Which popup variant id names, or -1. */
static int variant_index(const kflow *f, const char *id)
{
    char buf[48];
    for (int i = 0; i < f->nvariants; i++)
        if (strcmp(kflow_variant_id(f, i, buf, sizeof buf), id) == 0)
            return i;
    return -1;
}

/* The language whose accents a layout's popup offers. */
static const char *variants_lang(const kflow *f, const klayout *l)
{
    if (l->compose == KCOMPOSE_TELEX)
        return "vi";
    if (l->compose == KCOMPOSE_HANGUL)
        return "ko";
    return f->lang;
}

int kflow_hold_ms(const kflow *f, const char *id)
{
    if ((f->screen != KS_FIND && f->screen != KS_FORM) || f->still_there ||
        strncmp(id, "key-", 4) != 0)
        return -1;
    const kkey *k = kosk_find(kflow_layout(f, NULL), id, f->shift);
    if (!k || k->kind != KKEY_CHAR)
        return -1;
    return KFLOW_HOLD_MS;
}

int kflow_key_variants(const kflow *f, const char *id, uint32_t *out, int max)
{
    if (kflow_hold_ms(f, id) < 0)
        return 0;
    const klayout *l = kflow_layout(f, NULL);
    const char *t = kosk_key_text(kosk_find(l, id, f->shift), f->shift);
    int len;
    long base = utf8_decode((const unsigned char *)t, &len);
    if (base < 0 || t[len] != '\0')
        return 0;   /* keys that type more than one character have none */
    return kcompose_variants(variants_lang(f, l), (uint32_t)base, out, max);
}

int kflow_hold(kflow *f, const char *id, int64_t now_ms)
{
    touch(f, now_ms);
    int n = kflow_key_variants(f, id, f->variants,
                               (int)(sizeof f->variants / sizeof f->variants[0]));
    if (n <= 0)
        return 0;
    f->nvariants = n;
    f->version++;
    return 1;
}

int kflow_preedit(kflow *f, const char *utf8, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->screen != KS_FIND && f->screen != KS_FORM)
        return 0;
    snprintf(f->preedit, sizeof f->preedit, "%s", utf8);
    kflow_clean_text(f->preedit, sizeof f->preedit / 4);
    f->version++;
    return 1;
}

/* Starts a visit on the welcome screen. */
static int tap_welcome(kflow *f, const char *id)
{
    if (strcmp(id, "btn-returning") == 0) {
        go(f, KS_FIND);
        return 1;
    }
    if (strcmp(id, "btn-new") == 0) {
        go(f, KS_FORM);
        return 1;
    }
    if (strncmp(id, "lang-", 5) == 0 && id[5] && strlen(id + 5) < sizeof f->lang) {
        /* The language holds for this visit; reset brings back the default. */
        snprintf(f->lang, sizeof f->lang, "%s", id + 5);
        return 1;
    }
    return 0;
}


/* Parses a small positive decimal number; -1 if s is not one. */
static int atoi_safe(const char *s)
{
    int v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 1000)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int kflow_tap(kflow *f, const char *id, int64_t now_ms)
{
    touch(f, now_ms);
    int changed = 0;
    if (f->still_there) {
        /* The prompt covers the screen: only its own buttons answer. */
        if (strcmp(id, "btn-still-here") == 0) {
            f->still_there = 0;
            changed = 1;
        } else if (strcmp(id, "btn-start-over") == 0) {
            kflow_reset(f);
            return 1;
        }
        if (changed)
            f->version++;
        return changed;
    }
    if (f->nvariants > 0) {
        /* The accent popup takes the next tap: a variant, or anything else
         * just closes it. */
        int i = variant_index(f, id);
        if (i >= 0) {
            char t[8];
            utf8_put(f->variants[i], t);
            f->shift = 0;
            f->nvariants = 0;
            type_text(f, t);
        }
        f->nvariants = 0;
        f->version++;
        return 1;
    }
    if (f->screen == KS_WELCOME) {
        changed = tap_welcome(f, id);
    } else if (strcmp(id, "btn-back") == 0 && f->screen != KS_ERROR) {
        if (f->screen == KS_DONE || f->screen == KS_FIND || f->screen == KS_FORM) {
            kflow_reset(f);
            return 1;
        }
    } else if (strncmp(id, "key-", 4) == 0 && (f->screen == KS_FIND || f->screen == KS_FORM)) {
        changed = tap_key(f, id);
    } else if (f->screen == KS_FORM) {
        for (int i = 0; i < KF_COUNT; i++)
            if (strcmp(id, field_ids[i]) == 0) {
                if (f->focus != i) {
                    f->field_msg[f->focus] = kflow_validate(f->focus, f->field[f->focus]);
                    set_focus(f, i);
                }
                changed = 1;
            }
        if (strcmp(id, "btn-submit") == 0) {
            submit_form(f);
            changed = 1;
        }
    } else if (f->screen == KS_FIND) {
        if (strncmp(id, "result-", 7) == 0) {
            int i = atoi_safe(id + 7);
            if (i >= 1 && i <= f->nresults) {
                checkin_result(f, i - 1);
                changed = 1;
            }
        } else if (strcmp(id, "search") == 0) {
            changed = 1;
        } else if (strcmp(id, "btn-new") == 0) {
            /* "Not found? Sign up": carry nothing over from the search. */
            memset(f->query, 0, sizeof f->query);
            f->nresults = 0;
            go(f, KS_FORM);
            changed = 1;
        }
    } else if (f->screen == KS_DONE && strcmp(id, "btn-finish") == 0) {
        kflow_reset(f);
        return 1;
    }
    if (changed)
        f->version++;
    return changed;
}

int kflow_text(kflow *f, const char *utf8, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->still_there)
        return 0;
    f->preedit[0] = '\0';
    f->nvariants = 0;
    int changed = type_text(f, utf8);
    if (changed) {
        f->shift = 0;
        f->version++;
    }
    return changed;
}

int kflow_key(kflow *f, int keycode, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->still_there)
        return 0;
    int changed = 0;
    if (keycode == KKEYC_ESCAPE && f->screen != KS_WELCOME && f->screen != KS_ERROR) {
        /* Escape starts over from anywhere, as btn-back does. */
        kflow_reset(f);
        return 1;
    }
    if (f->screen != KS_FIND && f->screen != KS_FORM)
        return 0;
    switch (keycode) {
    case KKEYC_BACKSPACE:
        changed = backspace(f);
        break;
    case KKEYC_ENTER:
        changed = enter(f);
        break;
    case KKEYC_TAB:
        if (f->screen == KS_FORM) {
            f->field_msg[f->focus] = kflow_validate(f->focus, f->field[f->focus]);
            set_focus(f, (f->focus + 1) % KF_COUNT);
            changed = 1;
        }
        break;
    }
    if (changed)
        f->version++;
    return changed;
}

int kflow_tick(kflow *f, int64_t now_ms)
{
    f->now_ms = now_ms;
    if (f->screen == KS_DONE && now_ms - f->done_since >= KIOSK_DONE_MS) {
        kflow_reset(f);
        return 1;
    }
    if (f->screen == KS_WELCOME || f->screen == KS_ERROR || f->screen == KS_DONE)
        return 0;
    if (!f->still_there && now_ms - f->last_input_ms >= f->idle_ms) {
        f->still_there = 1;
        f->still_there_since = now_ms;
        f->version++;
        return 1;
    }
    if (f->still_there) {
        if (now_ms - f->still_there_since >= KIOSK_STILL_THERE_MS) {
            kflow_reset(f);
            return 1;
        }
        /* The countdown on the prompt changes once a second. */
        return 1;
    }
    return 0;
}

int64_t kflow_deadline(const kflow *f)
{
    if (f->screen == KS_DONE)
        return f->done_since + KIOSK_DONE_MS;
    if (f->screen == KS_WELCOME || f->screen == KS_ERROR)
        return -1;
    if (f->still_there) {
        int64_t elapsed = f->now_ms - f->still_there_since;
        int64_t next_second = f->still_there_since + (elapsed / 1000 + 1) * 1000;
        int64_t end = f->still_there_since + KIOSK_STILL_THERE_MS;
        return next_second < end ? next_second : end;
    }
    return f->last_input_ms + f->idle_ms;
}
