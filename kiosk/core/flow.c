/*
 * flow.c - the screen state machine (diagram and invariants in flow.h).
 *
 * Inputs arrive with the current time; every input restarts the idle timer.
 * Text goes to the focused input through the keyboard composition engine of
 * the active layout, so the same path serves the on-screen keyboard and a
 * physical one.  Search runs on every change of the query.
 */
#include "flow.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "flow_priv.h"
#include "fold.h"
#include "i18n.h"
#include "utf8.h"

/* The screens, one row each of flow_screens.h: the only list of them. */
static const kflow_screen screens[KS_COUNT] = {
#define KFLOW_SCREEN_ROW(ID, NAME, TAP, INPUT, IDLE, BUILDER) [ID] = {NAME, TAP, INPUT, IDLE},
    KFLOW_SCREENS(KFLOW_SCREEN_ROW)
#undef KFLOW_SCREEN_ROW
};

static const char *const field_ids[KF_COUNT] = {
    KID_FIELD_GIVEN, KID_FIELD_FAMILY, KID_FIELD_PHONE, KID_FIELD_EMAIL, KID_FIELD_ZIP,
};

static const unsigned field_max[KF_COUNT] = {
    KIOSK_NAME_MAX, KIOSK_NAME_MAX, KIOSK_PHONE_MAX, KIOSK_EMAIL_MAX, KIOSK_ZIP_MAX,
};

/* ---- small UTF-8 helpers ------------------------------------------------- */



/* Removes control characters and invalid bytes, clamps to max_chars. */
void kflow_clean_text(char *s, unsigned max_chars)
{
    unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
    unsigned count = 0;
    while (*r) {
        int len;
        long cp = kutf8_decode((const char *)r, &len);
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
            return N_("Check the phone number");
    }
    if (digits < 7 || digits > 15)
        return N_("Check the phone number");
    return NULL;
}

/* Email: something@something.something, no spaces; any script allowed. */
static const char *check_email(const char *t)
{
    const char *at = strchr(t, '@');
    if (!at || at == t || strchr(at + 1, '@') || strchr(t, ' '))
        return N_("Check the email address");
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return N_("Check the email address");
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
            return N_("Check the ZIP code");
    }
    if (n < 3 || n > 10)
        return N_("Check the ZIP code");
    return NULL;
}

/* Validates one field; NULL if fine. */
const char *kflow_validate(int field, const char *text)
{
    char t[KFLOW_FIELD_BYTES];
    snprintf(t, sizeof t, "%s", text);
    trim(t);
    if (field == KF_GIVEN)
        return t[0] ? NULL : N_("Please write your first name");
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

const kflow_screen *kflow_screen_of(int screen)
{
    return &screens[screen >= 0 && screen < KS_COUNT ? screen : KS_ERROR];
}

const char *kflow_screen_name(int screen)
{
    return screen >= 0 && screen < KS_COUNT ? screens[screen].name : "?";
}

/* The descriptor of the screen shown. */
static const kflow_screen *shown(const kflow *f)
{
    assert(f->screen >= 0 && f->screen < KS_COUNT);
    return &screens[f->screen];
}

/* 1 if the screen shown takes typed text now (KIN_TYPE; a survey question
 * only while it asks for words or a number). */
static int takes_text(const kflow *f)
{
    unsigned in = shown(f)->input;
    return (in & KIN_TYPE) && (!(in & KIN_IF_TYPING) || kflow_survey_typing(f));
}

/* 1 if the screen shown has input flag flag now (see takes_text). */
static int has_input(const kflow *f, unsigned flag)
{
    return (shown(f)->input & flag) && takes_text(f);
}

const char *kflow_field_id(int field)
{
    return field >= 0 && field < KF_COUNT ? field_ids[field] : KID_SEARCH;
}

/* The keyboard purpose of the focused input. */
static int focus_purpose(const kflow *f)
{
    if (f->visit.focus == KF_PIN || f->visit.focus == KF_EV_DATE)
        return KOSK_NUMERIC;
    if (f->visit.focus == KF_EV_LINK)
        return KOSK_URL;
    if (f->visit.focus == KF_ANSWER) {
        const ksurvey_question *q = f->visit.survey ? ksurvey_question_at(f->visit.survey, f->visit.sq) : NULL;
        if (!q || f->visit.other_editing || ksurvey_q_type(q) != KSURVEY_NUMBER)
            return KOSK_TEXT;
        /* digits only, unless the question allows a negative number */
        return ksurvey_q_min(q) >= 0 ? KOSK_DIGITS : KOSK_NUMERIC;
    }
    if (f->visit.focus == KF_PHONE || f->visit.focus == KF_ZIP)
        return KOSK_NUMERIC;
    if (f->visit.focus == KF_EMAIL)
        return KOSK_EMAIL;
    return KOSK_TEXT;
}

const klayout *kflow_next_layout(const kflow *f)
{
    const klayout *l[8];
    int n = kosk_layouts(focus_purpose(f), f->visit.lang, l, 8);
    return l[(f->visit.layout_index + 1) % n];
}

const klayout *kflow_layout(const kflow *f, int *nlayouts)
{
    const klayout *l[8];
    int n = kosk_layouts(focus_purpose(f), f->visit.lang, l, 8);
    if (nlayouts)
        *nlayouts = n;
    return l[f->visit.layout_index % n];
}

/* The composition the current layout types with: Telex only while the
 * person has it on (key-telex). */
static int layout_compose(const kflow *f)
{
    int kind = kflow_layout(f, NULL)->compose;
    return kind == KCOMPOSE_TELEX && !f->visit.telex ? KCOMPOSE_NONE : kind;
}

/* Focuses an input: the keyboard starts over on its first layout. */
static void set_focus(kflow *f, int focus)
{
    f->visit.focus = focus;
    f->visit.shift = 0;
    f->visit.preedit[0] = '\0';
    f->visit.nvariants = 0;
    f->visit.layout_index = 0;
    kcompose_reset(&f->visit.compose, layout_compose(f));
}

int kflow_family_first(const char *lang)
{
    return lang && (strncmp(lang, "zh", 2) == 0 || strcmp(lang, "ja") == 0 ||
                    strcmp(lang, "ko") == 0);
}

void kflow_field_order(const kflow *f, int order[KF_COUNT])
{
    for (int i = 0; i < KF_COUNT; i++)
        order[i] = i;
    if (kflow_family_first(f->visit.lang)) {
        order[0] = KF_FAMILY;
        order[1] = KF_GIVEN;
    }
}

/* Position of field in the language's order. */
static int field_pos(const kflow *f, int field)
{
    int order[KF_COUNT];
    kflow_field_order(f, order);
    for (int i = 0; i < KF_COUNT; i++)
        if (order[i] == field)
            return i;
    return 0;
}

/* The field after field in the language's order (wrapping). */
static int field_next(const kflow *f, int field)
{
    int order[KF_COUNT];
    kflow_field_order(f, order);
    return order[(field_pos(f, field) + 1) % KF_COUNT];
}

void kflow_masked_name(const char *lang, const char *given, const char *initial, char *out,
                       unsigned cap)
{
    /* a name written in Han, Kana or Hangul is in its own order anywhere */
    int cjk = kfold_has_cjk(given) && initial && kfold_has_cjk(initial);
    if (!initial || !initial[0])
        snprintf(out, cap, "%s", given);
    else if (!kflow_family_first(lang) && !cjk)
        snprintf(out, cap, "%s %s.", given, initial);
    else if (kfold_has_cjk(initial))
        snprintf(out, cap, "%s%s", initial, given);
    else
        snprintf(out, cap, "%s. %s", initial, given);
}

void kflow_full_name(const char *lang, const char *given, const char *family, char *out,
                     unsigned cap)
{
    int cjk = kfold_has_cjk(given) && family && kfold_has_cjk(family);
    if (!family || !family[0])
        snprintf(out, cap, "%s", given);
    else if (!kflow_family_first(lang) && !cjk)
        snprintf(out, cap, "%s %s", given, family);
    else if (kfold_has_cjk(family) && kfold_has_cjk(given))
        snprintf(out, cap, "%s%s", family, given);
    else
        snprintf(out, cap, "%s %s", family, given);
}

static void go(kflow *f, int screen)
{
    f->screen = screen;
    f->still_there = 0;
    f->visit.banner = NULL;
    f->visit.banner_until = 0;
    if (screen == KS_FIND) {
        set_focus(f, KF_SEARCH);
    } else if (screen == KS_FORM) {
        int order[KF_COUNT];
        kflow_field_order(f, order);
        set_focus(f, order[0]);
    }
    else if (screen == KS_DONE)
        f->done_since = f->now_ms;
}

void kflow_reset(kflow *f)
{
    /* The visit: one wipe, then the two things a new visit starts with. */
    memset(&f->visit, 0, sizeof f->visit);
    snprintf(f->visit.lang, sizeof f->visit.lang, "%s", f->default_lang);
    f->visit.telex = 1;
    f->still_there = 0;
    /* Staff mode leaves nothing behind either (the PIN back-off stays). */
    kstaff auth = f->staff.auth;
    int page_rows = f->staff.page_rows;
    memset(&f->staff, 0, sizeof f->staff);
    f->staff.auth = auth;
    f->staff.page_rows = page_rows;
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
    if (store)
        kstaff_init(&f->staff.auth, store);
    kflow_reset(f);
}

/* Runs the search for the current query. */
static void run_search(kflow *f)
{
    char folded[KIOSK_QUERY_BYTES];
    kfold(f->visit.query, folded, sizeof folded);
    f->visit.nresults = 0;
    f->visit.nmatches = 0;
    f->visit.searched = kfold_len(folded) >= KIOSK_SEARCH_MIN_CHARS;
    if (!f->visit.searched)
        return;
    kerr err = {0};
    kevent ev;
    const char *event_id = NULL;
    if (kstore_event_current(f->store, &ev, &err) == 0)
        event_id = ev.id;
    if (kstore_search_event(f->store, f->visit.query, event_id, f->visit.results, KIOSK_SEARCH_RESULTS,
                            &f->visit.nresults, &f->visit.nmatches, &err) != 0) {
        f->visit.nresults = 0;
        f->visit.nmatches = 0;
        f->visit.banner = N_("Search is not working right now. Please see a staff member.");
        fprintf(stderr, "kiosk: search: %s\n", err.msg);
    }
}

/* The buffer and size limit of the focused input. */
static char *focus_buf(kflow *f, size_t *cap, unsigned *max_chars)
{
    switch (f->visit.focus) {
    case KF_PIN:
        *cap = sizeof f->staff.pin;
        *max_chars = 8;
        return f->staff.pin;
    case KF_EV_NAME:
        *cap = sizeof f->staff.ev_name;
        *max_chars = KIOSK_EVENT_NAME_MAX;
        return f->staff.ev_name;
    case KF_EV_DATE:
        *cap = sizeof f->staff.ev_date;
        *max_chars = 10;
        return f->staff.ev_date;
    case KF_EV_LINK:
        *cap = sizeof f->staff.ev_link;
        *max_chars = KIOSK_EVENT_LINK_MAX;
        return f->staff.ev_link;
    default:
        break;
    }
    if (f->visit.focus == KF_ANSWER) {
        *cap = sizeof f->visit.answer;
        *max_chars = KIOSK_SURVEY_ANSWER_MAX;
        const ksurvey_question *q = f->visit.survey ? ksurvey_question_at(f->visit.survey, f->visit.sq) : NULL;
        if (q && !f->visit.other_editing && ksurvey_q_type(q) == KSURVEY_TEXT && ksurvey_q_max(q) > 0 &&
            ksurvey_q_max(q) < KIOSK_SURVEY_ANSWER_MAX)
            *max_chars = (unsigned)ksurvey_q_max(q);
        else if (q && !f->visit.other_editing && ksurvey_q_type(q) == KSURVEY_NUMBER)
            *max_chars = 8;
        return f->visit.answer;
    }
    if (f->visit.focus == KF_SEARCH) {
        *cap = sizeof f->visit.query;
        *max_chars = KIOSK_QUERY_MAX;
        return f->visit.query;
    }
    *cap = sizeof f->visit.field[0];
    *max_chars = field_max[f->visit.focus];
    return f->visit.field[f->visit.focus];
}

/* Called after the focused text changed. */
static void text_changed(kflow *f)
{
    if (f->visit.focus >= KF_PIN)
        f->staff.msg = NULL;
    else if (f->visit.focus == KF_ANSWER)
        f->visit.survey_msg = NULL;
    else if (f->visit.focus == KF_SEARCH)
        run_search(f);
    else if (f->visit.field_msg[f->visit.focus])
        f->visit.field_msg[f->visit.focus] = kflow_validate(f->visit.focus, f->visit.field[f->visit.focus]);
    f->visit.banner = NULL;
}

/* Types text into the focused input, character by character through the
 * composition engine. */
static int type_text(kflow *f, const char *utf8)
{
    if (!takes_text(f))
        return 0;
    char clean[256];
    snprintf(clean, sizeof clean, "%s", utf8);
    kflow_clean_text(clean, sizeof clean);
    size_t cap;
    unsigned max_chars;
    char *buf = focus_buf(f, &cap, &max_chars);
    int changed = 0;
    if (f->visit.focus == KF_PIN || f->visit.focus == KF_EV_DATE) {
        /* Digits only (and the date's dashes). */
        char *w = clean;
        for (const char *r = clean; *r; r++)
            if ((*r >= '0' && *r <= '9') || (*r == '-' && f->visit.focus == KF_EV_DATE))
                *w++ = *r;
        *w = '\0';
    }
    const unsigned char *p = (const unsigned char *)clean;
    while (*p) {
        int len;
        long cp = kutf8_decode((const char *)p, &len);
        p += len;
        if (cp < 0)
            continue;
        if (kcompose_key(&f->visit.compose, buf, cap, max_chars, (uint32_t)cp) == 0)
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
    kcompose_backspace(&f->visit.compose, buf, cap);
    text_changed(f);
    return 1;
}

/* Validates every field; returns 1 if the form can be saved. */
static int validate_all(kflow *f)
{
    int ok = 1, first_bad = -1, order[KF_COUNT];
    kflow_field_order(f, order);
    for (int k = 0; k < KF_COUNT; k++) {
        int i = order[k];
        f->visit.field_msg[i] = kflow_validate(i, f->visit.field[i]);
        if (f->visit.field_msg[i] && first_bad < 0)
            first_bad = i;
    }
    if (first_bad >= 0) {
        ok = 0;
        set_focus(f, first_bad);
    }
    return ok;
}

static void survey_start(kflow *f, const ksurvey *sv);
static int tap_key(kflow *f, const char *id);
static void submit_form(kflow *f, int as_new);
static void checkin_match(kflow *f, const kmatch *found);
static void survey_next(kflow *f, int skip);

/* After a stored sign-up or check-in: the event's survey if it has one
 * (not for a repeated check-in), else the thank-you. */
static void show_done(kflow *f, int kind, const char *given, const char *initial,
                      const char *person_id)
{
    kevent ev;
    kerr err = {0};
    f->visit.done_kind = kind;
    /* Given name only where it comes first; family-first languages greet
     * as their results show the name (initial, then given name). */
    if (kflow_family_first(f->visit.lang) || (kfold_has_cjk(given) && kfold_has_cjk(initial)))
        kflow_masked_name(f->visit.lang, given, initial, f->visit.done_name, sizeof f->visit.done_name);
    else
        snprintf(f->visit.done_name, sizeof f->visit.done_name, "%s", given);
    snprintf(f->visit.done_person, sizeof f->visit.done_person, "%s", person_id);
    if (kstore_event_current(f->store, &ev, &err) == 0) {
        snprintf(f->visit.done_event, sizeof f->visit.done_event, "%s", ev.name);
        snprintf(f->visit.event_id, sizeof f->visit.event_id, "%s", ev.id);
        snprintf(f->visit.done_link, sizeof f->visit.done_link, "%s", ev.link);
        const ksurvey *sv = ksurveys_find(f->surveys, ev.survey);
        if (kind != KDONE_ALREADY && sv) {
            survey_start(f, sv);
            return;
        }
        if (kind != KDONE_ALREADY && ev.survey[0] && !sv)
            fprintf(stderr, "kiosk: event \"%s\" names survey \"%s\", which is not loaded\n",
                    ev.name, ev.survey);
    }
    go(f, KS_DONE);
}

/* How long done stays: longer when it shows a code to photograph. */
static int64_t done_ms(const kflow *f)
{
    return f->visit.done_token[0] || f->visit.done_link[0] ? KIOSK_DONE_QR_MS : KIOSK_DONE_MS;
}

/* A message on welcome for a while. */
static void welcome_banner(kflow *f, const char *msgid)
{
    f->visit.banner = msgid;
    f->visit.banner_until = f->now_ms + KIOSK_BANNER_MS;
}

/* Return after scanner input on welcome: a live code checks its person in. */
static void scan_done(kflow *f)
{
    char text[sizeof f->visit.scan];
    snprintf(text, sizeof text, "%s", f->visit.scan);
    f->visit.scan[0] = '\0';
    if (!kstore_qr_is_token(text))
        return;   /* someone typing on a keyboard at welcome: nothing to do */
    char person[KIOSK_ID_HEX + 1];
    int revoked = 0;
    kerr err = {0};
    int rc = kstore_qr_lookup(f->store, text, person, &revoked, &err);
    if (rc == KERR_NOTFOUND) {
        welcome_banner(f, revoked ? N_("This code is no longer in use. Please tap \"I've been "
                                       "here before\" to find your name.")
                                  : N_("We do not know this code. Please tap \"I've been here "
                                       "before\" to find your name."));
        return;
    }
    kperson p;
    kevent ev;
    if (rc != 0 || kstore_person_get(f->store, person, &p, &err) != 0 ||
        kstore_event_current(f->store, &ev, &err) != 0) {
        fprintf(stderr, "kiosk: scan: %s\n", err.msg);
        welcome_banner(f, N_("Sorry, this sign-in could not be saved. Please see a staff member."));
        return;
    }
    rc = kstore_checkin(f->store, person, ev.id, &err);
    char initial[8];
    kfold_initial(p.family, initial, sizeof initial);
    if (rc == KERR_DUP) {
        show_done(f, KDONE_ALREADY, p.given, initial, person);
    } else if (rc != 0) {
        fprintf(stderr, "kiosk: check-in: %s\n", err.msg);
        welcome_banner(f, N_("Sorry, this sign-in could not be saved. Please see a staff member."));
    } else {
        show_done(f, KDONE_RETURNING, p.given, initial, person);
    }
}

/* ---- survey: one question per screen ------------------------------------------ */

const ksurvey_question *kflow_question(const kflow *f)
{
    return f->screen == KS_SURVEY && f->visit.survey ? ksurvey_question_at(f->visit.survey, f->visit.sq) : NULL;
}

int kflow_survey_typing(const kflow *f)
{
    const ksurvey_question *q = kflow_question(f);
    if (!q)
        return 0;
    ksurvey_type t = ksurvey_q_type(q);
    return f->visit.other_editing || t == KSURVEY_TEXT || t == KSURVEY_NUMBER;
}

/* The first shown question after index i, or -1. */
static int next_visible(const kflow *f, int i)
{
    for (int k = i + 1; k < ksurvey_count(f->visit.survey); k++)
        if (ksurvey_visible(ksurvey_question_at(f->visit.survey, k), &f->visit.answers))
            return k;
    return -1;
}

/* Shows question k with the answer given to it before, if any. */
static void show_question(kflow *f, int k)
{
    f->visit.sq = k;
    f->visit.other_editing = 0;
    f->visit.survey_msg = NULL;
    f->visit.choice_page = 0;
    memset(f->visit.sel, 0, sizeof f->visit.sel);
    memset(f->visit.answer, 0, sizeof f->visit.answer);
    const ksurvey_question *q = ksurvey_question_at(f->visit.survey, k);
    const char *v = ksurvey_answers_get(&f->visit.answers, ksurvey_q_key(q));
    ksurvey_type t = ksurvey_q_type(q);
    if (v && (t == KSURVEY_SINGLE || t == KSURVEY_MULTIPLE)) {
        for (int i = 0; i < ksurvey_q_nchoices(q) && i < KIOSK_SURVEY_CHOICES_MAX; i++)
            f->visit.sel[i] = (unsigned char)ksurvey_answer_has(v, ksurvey_choice_key(q, i));
        const char *other = ksurvey_answer_other(v);
        if (other)
            snprintf(f->visit.answer, sizeof f->visit.answer, "%s", other);
    } else if (v && (t == KSURVEY_TEXT || t == KSURVEY_NUMBER)) {
        snprintf(f->visit.answer, sizeof f->visit.answer, "%s", v);
    }
    f->screen = KS_SURVEY;
    set_focus(f, KF_ANSWER);
}

static void survey_start(kflow *f, const ksurvey *sv)
{
    f->visit.survey = sv;
    f->visit.sq_depth = 0;
    ksurvey_answers_clear(&f->visit.answers);
    int k = next_visible(f, -1);
    if (k < 0) {
        go(f, KS_DONE);
        return;
    }
    f->still_there = 0;
    f->visit.banner = NULL;
    show_question(f, k);
}

/* The answer as chosen or typed now, encoded as survey.h says. */
static int current_value(kflow *f, const ksurvey_question *q, char *out, size_t cap)
{
    out[0] = '\0';
    switch (ksurvey_q_type(q)) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE: {
        int any = 0;
        for (int i = 0; i < ksurvey_q_nchoices(q); i++)
            any |= f->visit.sel[i];
        if (!any)
            return 0;
        return ksurvey_encode_choices(q, f->visit.sel, f->visit.answer, out, cap);
    }
    case KSURVEY_YESNO:
    case KSURVEY_CONSENT:
    case KSURVEY_SCALE:
        /* One selection, held as the choice key in answer. */
        snprintf(out, cap, "%s", f->visit.answer);
        return 0;
    default:
        snprintf(out, cap, "%s", f->visit.answer);
        return 0;
    }
}

/* Leaves the survey for the thank-you screen. */
static void survey_finish(kflow *f)
{
    f->visit.survey = NULL;
    go(f, KS_DONE);
}

/* Next: checks the answer, stores it, and moves to the next shown question. */
static void survey_next(kflow *f, int skip)
{
    const ksurvey_question *q = kflow_question(f);
    if (!q)
        return;
    if (f->visit.other_editing && !skip) {
        /* The write-in is typed: back to the choices, with "other" chosen. */
        f->visit.other_editing = 0;
        set_focus(f, KF_ANSWER);
        if (!f->visit.answer[0]) {
            int n = ksurvey_q_nchoices(q);
            if (n > 0 && ksurvey_choice_is_other(q, n - 1))
                f->visit.sel[n - 1] = 0;
        }
        return;
    }
    char value[KSURVEY_VALUE_BYTES];
    if (skip) {
        value[0] = '\0';
    } else if (current_value(f, q, value, sizeof value) != 0) {
        f->visit.survey_msg = N_("Please choose one answer");
        return;
    }
    ksurvey_type t = ksurvey_q_type(q);
    if (!skip) {
        kerr err = {0};
        if (!value[0] && ksurvey_q_required(q)) {
            f->visit.survey_msg = (t == KSURVEY_TEXT || t == KSURVEY_NUMBER)
                                ? N_("Please write an answer")
                                : N_("Please choose an answer");
            return;
        }
        if (t == KSURVEY_CONSENT && ksurvey_q_required(q) && strcmp(value, "no") == 0) {
            /* Not agreeing ends the survey, kindly: nothing more is asked. */
            kstore_answer_add(f->store, f->visit.done_person, f->visit.event_id, ksurvey_key(f->visit.survey),
                              ksurvey_version(f->visit.survey), ksurvey_q_key(q), value, f->visit.lang,
                              &err);
            survey_finish(f);
            return;
        }
        if (value[0] && ksurvey_answer_check(q, value, &err) != 0) {
            if (t == KSURVEY_NUMBER) {
                f->visit.survey_msg = N_("Please write a number from {min} to {max}");
            } else if (t == KSURVEY_MULTIPLE) {
                f->visit.survey_msg = N_("You can choose up to {max}");
            } else {
                f->visit.survey_msg = N_("Please check your answer");
            }
            return;
        }
    }
    if (value[0]) {
        kerr err = {0};
        if (kstore_answer_add(f->store, f->visit.done_person, f->visit.event_id, ksurvey_key(f->visit.survey),
                              ksurvey_version(f->visit.survey), ksurvey_q_key(q), value, f->visit.lang,
                              &err) != 0) {
            fprintf(stderr, "kiosk: survey answer: %s\n", err.msg);
            f->visit.banner = N_("Sorry, this answer could not be saved. Please see a staff member.");
            return;
        }
    }
    ksurvey_answers_set(&f->visit.answers, ksurvey_q_key(q), value[0] ? value : NULL);
    ksurvey_answers_prune(f->visit.survey, &f->visit.answers);
    if (f->visit.sq_depth < KIOSK_SURVEY_QUESTIONS_MAX)
        f->visit.sq_stack[f->visit.sq_depth++] = f->visit.sq;
    int k = next_visible(f, f->visit.sq);
    if (k < 0)
        survey_finish(f);
    else
        show_question(f, k);
}

/* Back: the previous question, or out of the survey from the first. */
static void survey_back(kflow *f)
{
    if (f->visit.other_editing) {
        f->visit.other_editing = 0;
        const ksurvey_question *q = kflow_question(f);
        int n = ksurvey_q_nchoices(q);
        if (n > 0 && ksurvey_choice_is_other(q, n - 1) && !f->visit.answer[0])
            f->visit.sel[n - 1] = 0;
        set_focus(f, KF_ANSWER);
        return;
    }
    if (f->visit.sq_depth == 0) {
        survey_finish(f);
        return;
    }
    show_question(f, f->visit.sq_stack[--f->visit.sq_depth]);
}

/* A tap on a choice of the question shown. */
static int survey_choose(kflow *f, const char *key)
{
    const ksurvey_question *q = kflow_question(f);
    ksurvey_type t = ksurvey_q_type(q);
    f->visit.survey_msg = NULL;
    if (t == KSURVEY_YESNO || t == KSURVEY_CONSENT || t == KSURVEY_SCALE) {
        int ok = (t == KSURVEY_SCALE) ? (strlen(key) == 1 && key[0] >= '1' && key[0] <= '5')
                                      : (strcmp(key, "yes") == 0 || strcmp(key, "no") == 0);
        if (!ok)
            return 0;
        snprintf(f->visit.answer, sizeof f->visit.answer, "%s", key);
        return 1;
    }
    if (t != KSURVEY_SINGLE && t != KSURVEY_MULTIPLE)
        return 0;
    int n = ksurvey_q_nchoices(q);
    for (int i = 0; i < n && i < KIOSK_SURVEY_CHOICES_MAX; i++) {
        if (strcmp(ksurvey_choice_key(q, i), key) != 0)
            continue;
        int other = ksurvey_choice_is_other(q, i);
        if (t == KSURVEY_SINGLE) {
            memset(f->visit.sel, 0, sizeof f->visit.sel);
            f->visit.sel[i] = 1;
            if (!other)
                f->visit.answer[0] = '\0';
        } else if (f->visit.sel[i] && !other) {
            f->visit.sel[i] = 0;
        } else if (!f->visit.sel[i]) {
            int chosen = 0;
            for (int k = 0; k < n; k++)
                chosen += f->visit.sel[k];
            long max = ksurvey_q_max(q);
            if (max > 0 && chosen >= max) {
                f->visit.survey_msg = N_("You can choose up to {max}");
                return 1;
            }
            f->visit.sel[i] = 1;
        }
        if (other && f->visit.sel[i]) {
            /* Choosing "Other" asks for the words. */
            f->visit.other_editing = 1;
            set_focus(f, KF_ANSWER);
        }
        return 1;
    }
    return 0;
}

/* Taps on the survey screen. */
int kflow_tap_survey(kflow *f, const char *id)
{
    /* Choices in pages (short screens): the screen shows the arrows only
     * where there is a page that way, and clamps the page it shows. */
    if (strcmp(id, KID_CHOICES_NEXT) == 0 && !f->visit.other_editing) {
        const ksurvey_question *q = kflow_question(f);
        if (!q || f->visit.choice_page + 1 >= ksurvey_q_nchoices(q))
            return 0;
        f->visit.choice_page++;
        return 1;
    }
    if (strcmp(id, KID_CHOICES_PREV) == 0 && !f->visit.other_editing) {
        if (f->visit.choice_page <= 0)
            return 0;
        f->visit.choice_page--;
        return 1;
    }
    if (strcmp(id, KID_NEXT) == 0) {
        survey_next(f, 0);
        return 1;
    }
    if (strcmp(id, KID_SKIP) == 0) {
        const ksurvey_question *q = kflow_question(f);
        if (q && !ksurvey_q_required(q) && !f->visit.other_editing) {
            survey_next(f, 1);
            return 1;
        }
        return 0;
    }
    if (strcmp(id, KID_BACK) == 0) {
        survey_back(f);
        return 1;
    }
    if (kid_rest(id, KID_CHOICE_) && !f->visit.other_editing)
        return survey_choose(f, kid_rest(id, KID_CHOICE_));
    if (kid_rest(id, KID_KEY_) && kflow_survey_typing(f))
        return tap_key(f, id);
    if (strcmp(id, KID_FIELD_ANSWER) == 0)
        return kflow_survey_typing(f);
    return 0;
}

/* The message shown when a save failed; the person's entries stay. */
static void save_failed(kflow *f, const kerr *err, const char *what)
{
    fprintf(stderr, "kiosk: %s: %s\n", what, err->msg);
    f->visit.banner = N_("Sorry, this sign-in could not be saved. Please see a staff member.");
}

/* Saves the form as a new person checked in at the current event; unless
 * as_new, first asks "Is this you?" when someone stored may be them. */
static void submit_form(kflow *f, int as_new)
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
        snprintf(dst[i], cap[i], "%s", f->visit.field[i]);
        trim(dst[i]);
    }
    if (!as_new) {
        int found = 0;
        if (kstore_possible_match(f->store, &p, &f->visit.match, &found, &err) != 0) {
            /* The sign-up matters more than the check: go on. */
            fprintf(stderr, "kiosk: possible match: %s\n", err.msg);
            found = 0;
        }
        if (found) {
            go(f, KS_MATCH);
            return;
        }
    }
    memset(&f->visit.match, 0, sizeof f->visit.match);
    if (kstore_signup(f->store, &p, ev.id, &err) != 0) {
        save_failed(f, &err, "sign-up");
        return;
    }
    /* The code to check in faster next time; without it the sign-up
     * still stands, the thank-you just shows no code. */
    if (kstore_qr_token(f->store, p.id, f->visit.done_token, sizeof f->visit.done_token, &err) != 0) {
        fprintf(stderr, "kiosk: check-in code: %s\n", err.msg);
        f->visit.done_token[0] = '\0';
    }
    char initial[8];
    kfold_initial(p.family, initial, sizeof initial);
    show_done(f, KDONE_NEW, p.given, initial, p.id);
}

/* Checks in a person found by search (or by the possible-match check). */
static void checkin_match(kflow *f, const kmatch *found)
{
    kevent ev;
    kerr err = {0};
    if (kstore_event_current(f->store, &ev, &err) != 0) {
        save_failed(f, &err, "no current event");
        return;
    }
    kmatch m = *found;
    int rc = kstore_checkin(f->store, m.person_id, ev.id, &err);
    if (rc == KERR_DUP)
        show_done(f, KDONE_ALREADY, m.first, m.initial, m.person_id);
    else if (rc != 0)
        save_failed(f, &err, "check-in");
    else
        show_done(f, KDONE_RETURNING, m.first, m.initial, m.person_id);
}

/* Enter: next field, or submit on the last one; nothing on find. */
static int enter(kflow *f)
{
    if (f->screen == KS_STAFF_PIN)
        return kflow_staff_tap(f, KID_PIN_OK);
    if (f->screen == KS_STAFF_EVENT_NEW) {
        kflow_focus(f, f->visit.focus == KF_EV_NAME ? KF_EV_DATE : KF_EV_LINK);
        return 1;
    }
    if (f->screen == KS_SURVEY) {
        survey_next(f, 0);
        return 1;
    }
    if (f->screen != KS_FORM)
        return 0;
    f->visit.field_msg[f->visit.focus] = kflow_validate(f->visit.focus, f->visit.field[f->visit.focus]);
    if (field_pos(f, f->visit.focus) < KF_COUNT - 1)
        set_focus(f, field_next(f, f->visit.focus));
    else
        submit_form(f, 0);
    return 1;
}

/* A tap on a key of the on-screen keyboard. */
static int tap_key(kflow *f, const char *id)
{
    int n;
    const klayout *l = kflow_layout(f, &n);
    const kkey *k = kosk_find(l, id, f->visit.shift);
    if (!k)
        return 0;
    switch (k->kind) {
    case KKEY_SHIFT:
        f->visit.shift = !f->visit.shift;
        return 1;
    case KKEY_BACKSPACE:
        return backspace(f);
    case KKEY_ENTER:
        return enter(f);
    case KKEY_LAYOUT:
        f->visit.layout_index = (f->visit.layout_index + 1) % n;
        f->visit.shift = 0;
        kcompose_reset(&f->visit.compose, layout_compose(f));
        return 1;
    case KKEY_TELEX:
        f->visit.telex = !f->visit.telex;
        f->visit.telex_chosen = 1;
        kcompose_reset(&f->visit.compose, layout_compose(f));
        return 1;
    default: {
        const char *t = kosk_key_text(k, f->visit.shift);
        f->visit.shift = 0;
        type_text(f, t);
        return 1;
    }
    }
}

/* The id of popup variant i: KID_KEY_ and the letter in lower case. */
const char *kflow_variant_id(const kflow *f, int i, char *buf, unsigned cap)
{
    char t[8];
    kutf8_put(kutf8_lower(f->visit.variants[i]), t);
    snprintf(buf, cap, KID_KEY_ "%s", t);
    return buf;
}

/* Which popup variant id names, or -1. */
static int variant_index(const kflow *f, const char *id)
{
    char buf[48];
    for (int i = 0; i < f->visit.nvariants; i++)
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
    return f->visit.lang;
}

int kflow_hold_ms(const kflow *f, const char *id)
{
    if (f->screen == KS_WELCOME && strcmp(id, KID_STAFF_CORNER) == 0 && !f->still_there)
        return KFLOW_STAFF_HOLD_MS;
    if (!has_input(f, KIN_ACCENTS) || f->still_there || !kid_rest(id, KID_KEY_))
        return -1;
    const kkey *k = kosk_find(kflow_layout(f, NULL), id, f->visit.shift);
    if (!k || k->kind != KKEY_CHAR)
        return -1;
    return KFLOW_HOLD_MS;
}

int kflow_key_variants(const kflow *f, const char *id, uint32_t *out, int max)
{
    if (kflow_hold_ms(f, id) < 0)
        return 0;
    const klayout *l = kflow_layout(f, NULL);
    const char *t = kosk_key_text(kosk_find(l, id, f->visit.shift), f->visit.shift);
    int len;
    long base = kutf8_decode(t, &len);
    if (base < 0 || t[len] != '\0')
        return 0;   /* keys that type more than one character have none */
    return kcompose_variants(variants_lang(f, l), (uint32_t)base, out, max);
}

int kflow_hold(kflow *f, const char *id, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->screen == KS_WELCOME && strcmp(id, KID_STAFF_CORNER) == 0) {
        kflow_staff_open(f);
        f->version++;
        return 1;
    }
    int n = kflow_key_variants(f, id, f->visit.variants,
                               (int)(sizeof f->visit.variants / sizeof f->visit.variants[0]));
    if (n <= 0)
        return 0;
    f->visit.nvariants = n;
    snprintf(f->visit.variant_key, sizeof f->visit.variant_key, "%s", id);
    f->version++;
    return 1;
}

int kflow_preedit(kflow *f, const char *utf8, int64_t now_ms)
{
    touch(f, now_ms);
    if (!has_input(f, KIN_PREEDIT))
        return 0;
    snprintf(f->visit.preedit, sizeof f->visit.preedit, "%s", utf8);
    kflow_clean_text(f->visit.preedit, sizeof f->visit.preedit / 4);
    f->version++;
    return 1;
}

/* "Is this you?": check that person in, or sign up as typed, or back to
 * the form with every entry kept. */
int kflow_tap_match(kflow *f, const char *id)
{
    if (strcmp(id, KID_ITS_ME) == 0) {
        kmatch m = f->visit.match;
        memset(&f->visit.match, 0, sizeof f->visit.match);
        checkin_match(f, &m);
        if (f->screen == KS_MATCH)          /* the check-in failed */
            go(f, KS_FORM);
        return 1;
    }
    if (strcmp(id, KID_NOT_ME) == 0) {
        submit_form(f, 1);
        if (f->screen == KS_MATCH)
            go(f, KS_FORM);
        return 1;
    }
    if (strcmp(id, KID_BACK) == 0) {
        int focus = f->visit.focus;
        memset(&f->visit.match, 0, sizeof f->visit.match);
        go(f, KS_FORM);
        set_focus(f, focus);
        return 1;
    }
    return 0;
}

/* Starts a visit on the welcome screen. */
int kflow_tap_welcome(kflow *f, const char *id)
{
    f->visit.scan[0] = '\0';
    if (strcmp(id, KID_RETURNING) == 0) {
        go(f, KS_FIND);
        return 1;
    }
    if (strcmp(id, KID_NEW) == 0) {
        go(f, KS_FORM);
        return 1;
    }
    const char *lang = kid_rest(id, KID_LANG_);
    if (lang && lang[0] && strlen(lang) < sizeof f->visit.lang) {
        /* The language holds for this visit; reset brings back the default. */
        snprintf(f->visit.lang, sizeof f->visit.lang, "%s", lang);
        return 1;
    }
    return 0;
}

/* Keys of the on-screen keyboard and the "as typed" strip, on screens
 * whose inputs have them (KIN_SUGGEST: find and form). */
static int tap_typing(kflow *f, const char *id)
{
    if (kid_rest(id, KID_KEY_))
        return tap_key(f, id);
    if (strcmp(id, KID_CAND_TYPED) == 0 && has_input(f, KIN_SUGGEST)) {
        size_t cap;
        unsigned max_chars;
        char *buf = focus_buf(f, &cap, &max_chars);
        if (kcompose_use_typed(&f->visit.compose, buf, cap, max_chars) == 0) {
            text_changed(f);
            return 1;
        }
    }
    return 0;
}

/* Find: type a name, tap a result to check in, or sign up instead. */
int kflow_tap_find(kflow *f, const char *id)
{
    if (strcmp(id, KID_BACK) == 0) {
        kflow_reset(f);
        return 1;
    }
    if (kid_rest(id, KID_RESULT_)) {
        int i = kflow_id_number(kid_rest(id, KID_RESULT_));
        if (i < 1 || i > f->visit.nresults)
            return 0;
        checkin_match(f, &f->visit.results[i - 1]);
        return 1;
    }
    if (strcmp(id, KID_SEARCH) == 0)
        return 1;
    if (strcmp(id, KID_NEW) == 0) {
        /* "Not found? Sign up": carry nothing over from the search. */
        memset(f->visit.query, 0, sizeof f->visit.query);
        f->visit.nresults = 0;
        go(f, KS_FORM);
        return 1;
    }
    return tap_typing(f, id);
}

/* The sign-up form: a field to focus, the keyboard, submit. */
int kflow_tap_form(kflow *f, const char *id)
{
    if (strcmp(id, KID_BACK) == 0) {
        kflow_reset(f);
        return 1;
    }
    for (int i = 0; i < KF_COUNT; i++)
        if (strcmp(id, field_ids[i]) == 0) {
            if (f->visit.focus != i) {
                f->visit.field_msg[f->visit.focus] =
                    kflow_validate(f->visit.focus, f->visit.field[f->visit.focus]);
                set_focus(f, i);
            }
            return 1;
        }
    if (strcmp(id, KID_SUBMIT) == 0) {
        submit_form(f, 0);
        return 1;
    }
    return tap_typing(f, id);
}

/* Thank you: back to welcome at once (else by itself, KIDLE_DONE). */
int kflow_tap_done(kflow *f, const char *id)
{
    if (strcmp(id, KID_BACK) != 0)
        return 0;
    kflow_reset(f);
    return 1;
}

/* A screen that takes no taps (error: the kiosk cannot take sign-ins). */
int kflow_tap_none(kflow *f, const char *id)
{
    (void)f;
    (void)id;
    return 0;
}

int kflow_id_number(const char *s)
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
        if (strcmp(id, KID_STILL_HERE) == 0) {
            f->still_there = 0;
            changed = 1;
        } else if (strcmp(id, KID_START_OVER) == 0) {
            kflow_reset(f);
            return 1;
        }
        if (changed)
            f->version++;
        return changed;
    }
    if (f->visit.nvariants > 0) {
        /* The accent popup takes the next tap: a variant, or anything else
         * just closes it. */
        int i = variant_index(f, id);
        if (i >= 0) {
            char t[8];
            kutf8_put(f->visit.variants[i], t);
            f->visit.shift = 0;
            f->visit.nvariants = 0;
            type_text(f, t);
        }
        f->visit.nvariants = 0;
        f->version++;
        return 1;
    }
    changed = shown(f)->tap(f, id);
    if (changed)
        f->version++;
    return changed;
}

int kflow_text(kflow *f, const char *utf8, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->still_there)
        return 0;
    f->visit.preedit[0] = '\0';
    f->visit.nvariants = 0;
    if (shown(f)->input & KIN_SCAN) {
        size_t len = strlen(f->visit.scan), add = strlen(utf8);
        if (len + add < sizeof f->visit.scan) {
            memcpy(f->visit.scan + len, utf8, add + 1);
        } else {
            f->visit.scan[0] = '\0';
        }
        return 0;
    }
    /* A physical keyboard types what is on its keys: Telex only once the
     * person switched it on (key-telex), and the switch then shows off. */
    int telex_held = f->visit.compose.kind == KCOMPOSE_TELEX && !f->visit.telex_chosen;
    if (telex_held) {
        f->visit.telex = 0;
        kcompose_reset(&f->visit.compose, KCOMPOSE_NONE);
    }
    int changed = type_text(f, utf8);
    if (changed || telex_held) {
        f->visit.shift = 0;
        f->version++;
    }
    return changed || telex_held;
}

int kflow_key(kflow *f, int keycode, int64_t now_ms)
{
    touch(f, now_ms);
    if (f->still_there)
        return 0;
    int changed = 0;
    if ((shown(f)->input & KIN_SCAN) && keycode == KKEYC_ENTER) {
        scan_done(f);
        f->version++;
        return 1;
    }
    if (keycode == KKEYC_ESCAPE && shown(f)->idle != KIDLE_NONE) {
        /* Escape starts over from anywhere there is something to start
         * over (not welcome or error), as btn-back does. */
        kflow_reset(f);
        return 1;
    }
    /* Enter also moves a survey on whose question takes no typing. */
    if (!takes_text(f) && !((shown(f)->input & KIN_TYPE) && keycode == KKEYC_ENTER))
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
            f->visit.field_msg[f->visit.focus] = kflow_validate(f->visit.focus, f->visit.field[f->visit.focus]);
            set_focus(f, field_next(f, f->visit.focus));
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
    if (f->pin_check.pending && kflow_staff_poll(f, 0)) {
        f->version++;
        return 1;
    }
    if (f->screen == KS_CHECKING)
        return 1;                   /* its dots move while the PIN is hashed */
    if (f->visit.banner && f->visit.banner_until && now_ms >= f->visit.banner_until) {
        f->visit.banner = NULL;     /* welcome's message, for a while */
        f->visit.banner_until = 0;
        f->version++;
        return 1;
    }
    switch (shown(f)->idle) {
    case KIDLE_NONE:
        return 0;
    case KIDLE_DONE:
        if (now_ms - f->done_since >= done_ms(f)) {
            kflow_reset(f);
            return 1;
        }
        return 0;
    case KIDLE_LOCK:
        /* Staff mode locks itself; no prompt, nothing personal stays. */
        if (now_ms - f->last_input_ms >= KFLOW_STAFF_IDLE_MS) {
            kflow_reset(f);
            return 1;
        }
        /* The lock countdown on the PIN pad changes once a second. */
        return f->screen == KS_STAFF_PIN && f->staff.result.status == KSTAFF_LOCKED;
    case KIDLE_PROMPT:
        break;
    }
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
    if (f->pin_check.pending)
        return f->now_ms + KFLOW_CHECK_POLL_MS;
    if (f->visit.banner && f->visit.banner_until)
        return f->visit.banner_until;
    switch (shown(f)->idle) {
    case KIDLE_NONE:
        return -1;
    case KIDLE_DONE:
        return f->done_since + done_ms(f);
    case KIDLE_LOCK: {
        int64_t lock = f->last_input_ms + KFLOW_STAFF_IDLE_MS;
        if (f->screen == KS_STAFF_PIN && f->staff.result.status == KSTAFF_LOCKED) {
            int64_t next_second = f->now_ms + 1000 - (f->now_ms % 1000);
            return next_second < lock ? next_second : lock;
        }
        return lock;
    }
    case KIDLE_PROMPT:
        break;
    }
    if (f->still_there) {
        int64_t elapsed = f->now_ms - f->still_there_since;
        int64_t next_second = f->still_there_since + (elapsed / 1000 + 1) * 1000;
        int64_t end = f->still_there_since + KIOSK_STILL_THERE_MS;
        return next_second < end ? next_second : end;
    }
    return f->last_input_ms + f->idle_ms;
}

int kflow_typed_suggestion(const kflow *f, char *typed, unsigned tcap, char *composed,
                           unsigned ccap)
{
    typed[0] = composed[0] = '\0';
    if (!has_input(f, KIN_SUGGEST) || f->still_there)
        return 0;
    size_t cap;
    unsigned max_chars;
    char *buf = focus_buf((kflow *)f, &cap, &max_chars);
    if (kcompose_typed(&f->visit.compose, buf, typed, tcap) == 0)
        return 0;
    size_t pending = strlen(f->visit.compose.telex.shown);
    snprintf(composed, ccap, "%s", buf + strlen(buf) - pending);
    return 1;
}

int kflow_settle(kflow *f)
{
    if (!f->pin_check.pending)
        return 0;
    kflow_staff_poll(f, 1);
    f->version++;
    return 1;
}

/* ---- for flow_staff.c (flow_priv.h) ------------------------------------------- */

void kflow_go(kflow *f, int screen)
{
    go(f, screen);
}

void kflow_focus(kflow *f, int focus)
{
    set_focus(f, focus);
}

int kflow_key_tap(kflow *f, const char *id)
{
    return tap_key(f, id);
}
