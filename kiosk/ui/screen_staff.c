/*
 * screen_staff.c - the staff screens: PIN pad, the event at a glance
 * (counts, arrivals per 15 minutes, who came), choosing and creating
 * events, attendance files, one person, shutdown.
 *
 * Staff see full names and times here, which attendees never see; the
 * flow clears all of it when staff mode locks.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "qr.h"
#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

/* Height of the staff home's action buttons. */
static int home_button_h(const kui *u)
{
    int bh = u->t + u->gap * (u->h < 600 ? 1 : 2);
    int lh = kui_line(u, kui_floor_px(u, u->label_min)) * 2 + 6;   /* two lines of a label */
    return bh > lh ? bh : lh;
}

/* Where the staff home puts its parts: the event (left), the check-in
 * list (right), the actions (bottom). */
static void home_layout(const kui *u, krect *left, krect *right, krect *actions)
{
    int g = u->gap, bh = home_button_h(u);
    int top = kw_topbar_height(u);
    int short_screen = u->h < 600;
    /* A short screen (800x480) keeps four rows of the list: tighter
     * buttons and margins. */
    *actions = (krect){g * 2, u->h - 2 * bh - g * (short_screen ? 2 : 3), u->w - g * 4,
                       2 * bh + g};
    /* The status lines (sync, survey problems) go under the event, in the
     * left part: the list keeps the height (four rows at 800x480). */
    krect body = {g * 3, top + g * (short_screen ? 1 : 2), u->w - g * 6,
                  actions->y - top - g * (short_screen ? 2 : 4)};
    *left = *right = body;
    if (u->w >= u->h) {
        left->w = body.w * 2 / 5;
        right->x = left->x + left->w + g * 4;
        right->w = body.w - left->w - g * 4;
    } else {
        left->h = body.h * 2 / 5;
        right->y = left->y + left->h + g * 2;
        right->h = body.h - left->h - g * 2;
    }
}

/* Rows of the check-in list that fit a screen of this size (the flow
 * fetches that many per page). */
int kscreen_staff_rows(const kui *u)
{
    krect left, right, actions;
    home_layout(u, &left, &right, &actions);
    int rows = (right.h - u->t - u->gap) / (u->t + u->gap);
    return rows < 1 ? 1 : rows > KFLOW_STAFF_ROWS ? KFLOW_STAFF_ROWS : rows;
}

/* "18:05" for a wall-clock time in ms. */
static void hhmm(int64_t ms, char *buf, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%H:%M", &tm);
}

/* Where a tile of height h puts its number and its label (two lines). */
static void tile_parts(const kui *u, krect r, krect *num, krect *label)
{
    int lh = kui_line(u, u->label_min) * 2;
    *num = (krect){r.x, r.y + u->gap / 2, r.w, r.h - lh - u->gap};
    *label = (krect){r.x + 2, r.y + r.h - lh - u->gap / 2, r.w - 4, lh};
}

/* Height of a tile: a number and a two-line label. */
static int tile_height(const kui *u)
{
    return kui_line(u, u->title_px) + kui_line(u, u->label_min) * 2 + u->gap;
}

/* Three numbers with labels under them; the labels share one size. */
static void stat_tiles(kview *v, const kui *u, krect r, const int n[3],
                       const char *const label[3])
{
    int g = u->gap, tw = (r.w - 2 * g) / 3, px = u->small_px;
    krect nr, lr;
    tile_parts(u, (krect){r.x, r.y, tw, r.h}, &nr, &lr);
    for (int i = 0; i < 3; i++) {
        int p = kv_fit(u, lr, label[i], u->small_px, u->label_min, KT_WRAP, NULL);
        px = p > 0 && p < px ? p : px;
    }
    for (int i = 0; i < 3; i++) {
        krect t = {r.x + i * (tw + g), r.y, tw, r.h};
        char num[16];
        snprintf(num, sizeof num, "%d", n[i]);
        kv_frame(v, t, KC_SURFACE, KC_BORDER, 1, g);
        tile_parts(u, t, &nr, &lr);
        kv_text(v, u, nr, num, u->title_px * 3 / 2, u->label_min, KC_INK,
                KT_CENTER | KT_BOTTOM | KT_BOLD | KT_BODY);
        kv_text(v, u, lr, label[i], px, px, KC_MUTED, KT_CENTER | KT_TOP | KT_WRAP);
    }
}

/* Arrivals per 15 minutes as bars, with the first and last times. */
static void arrivals_chart(kview *v, const kui *u, const kflow_staff *st, krect r)
{
    int label_h = kui_line(u, u->small_px);
    kv_text(v, u, (krect){r.x, r.y, r.w, label_h}, TR(u, "Arrivals per 15 minutes"), u->small_px,
            u->small_px * 3 / 4, KC_MUTED, KT_LEFT | KT_MIDDLE | KT_BOLD);
    krect c = {r.x, r.y + label_h, r.w, r.h - label_h * 2};
    if (c.h > u->t * 3)
        c.h = u->t * 3;   /* a chart, not a wall */
    kv_frame(v, c, KC_SURFACE, KC_BORDER, 1, 0);
    if (st->narrivals == 0 || c.h < 8) {
        kv_text(v, u, krect_inset(c, u->gap), TR(u, "No one has checked in yet."), u->small_px,
                u->small_px * 3 / 4, KC_MUTED, KT_CENTER | KT_MIDDLE | KT_WRAP);
        return;
    }
    int n = st->narrivals, first = 0;
    int maxbars = (c.w - 4) / 8;
    if (n > maxbars) {
        first = n - maxbars;
        n = maxbars;
    }
    int top = 1;
    for (int i = first; i < first + n; i++)
        if (st->arrivals[i] > top)
            top = st->arrivals[i];
    int bw = (c.w - 4) / n;
    if (bw > u->t)
        bw = u->t;
    for (int i = 0; i < n; i++) {
        int h = (c.h - 8) * st->arrivals[first + i] / top;
        kv_rect(v, (krect){c.x + 2 + i * bw + 1, c.y + c.h - 2 - h, bw - 2 > 1 ? bw - 2 : 1, h},
                KC_ACCENT, 0);
    }
    char a[16], b[16];
    hhmm(st->arrivals_start + (int64_t)first * 15 * 60000, a, sizeof a);
    hhmm(st->arrivals_start + (int64_t)(first + n) * 15 * 60000, b, sizeof b);
    /* Times under the first bar and after the last one. */
    int end = c.x + 2 + n * bw;
    if (end < c.x + u->t * 3)
        end = c.x + u->t * 3;
    kv_text(v, u, (krect){c.x, c.y + c.h, (end - c.x) / 2, label_h}, a, u->small_px,
            u->min_px, KC_MUTED, KT_LEFT | KT_MIDDLE | KT_SMALL);
    kv_text(v, u, (krect){c.x + (end - c.x) / 2, c.y + c.h, (end - c.x) / 2, label_h}, b,
            u->small_px, u->min_px, KC_MUTED, KT_RIGHT | KT_MIDDLE | KT_SMALL);
}

/* The PIN pad, or how to set a PIN when there is none. */
static void staff_pin(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    krect area = kw_topbar(v, u, TR(u, "Staff"), 1);
    int g = u->gap;
    char msg[512], num[32];
    const char *text;
    kcolor ink = KC_INK;
    switch (st->result.status) {
    case KSTAFF_NO_PIN:
        text = TR(u, "No staff PIN is set yet. To set one, open a terminal on this kiosk and "
                     "run: kiosk staff set-pin");
        break;
    case KSTAFF_LOCKED: {
        int64_t left = st->auth.lock_left_ms - (f->now_ms - st->auth.lock_anchor_ms);
        if (left < 0)
            left = 0;
        long sec = (long)((left + 999) / 1000);
        snprintf(num, sizeof num, "%ld:%02ld", sec / 60, sec % 60);
        text = kv_subst(msg, sizeof msg, TR(u, "Too many wrong PINs. Try again in {time}."),
                        "{time}", num);
        ink = KC_ERROR;
        break;
    }
    case KSTAFF_WRONG:
        snprintf(num, sizeof num, "%d", st->result.tries_left);
        text = kv_subst(msg, sizeof msg,
                        TRN(u, "Wrong PIN. {n} more try before a pause.",
                            "Wrong PIN. {n} more tries before a pause.", st->result.tries_left),
                        "{n}", num);
        ink = KC_ERROR;
        if (!st->tried)
            text = TR(u, "Enter the staff PIN.");
        break;
    default:
        text = st->msg ? TR(u, st->msg) : TR(u, "Enter the staff PIN.");
        break;
    }
    int landscape = u->w >= u->h;
    krect info = {area.x + g * 4, area.y + g * 3, landscape ? area.w / 2 - g * 6 : area.w - g * 8,
                  landscape ? area.h - g * 6 : area.h / 3};
    int dots_h = st->result.status == KSTAFF_NO_PIN ? 0 : u->title_px * 2;
    kv_text(v, u, (krect){info.x, info.y, info.w, info.h - dots_h}, text, u->title_px,
            u->small_px, ink, KT_CENTER | KT_MIDDLE | KT_WRAP | KT_BOLD);
    if (st->result.status == KSTAFF_NO_PIN)
        return;
    /* One dot per digit typed, never the digits, centred on the row: six
     * places (a PIN has 6 to 8 digits), more as more are typed. */
    size_t n = strlen(st->pin);
    int d = u->title_px / 2;
    int slots = n > 6 ? (int)n : 6;
    int dx = info.x + (info.w - (slots * d * 2 - d)) / 2;
    for (int i = 0; i < slots; i++) {
        krect r = {dx + i * d * 2, info.y + info.h - dots_h + (dots_h - d) / 2, d, d};
        if ((size_t)i < n)
            kv_rect(v, r, KC_INK, d / 2);
        else
            kv_frame(v, r, KC_BG, KC_BORDER, 2, d / 2);
    }
    krect pad = landscape ? (krect){area.x + area.w / 2, area.y + g * 2, area.w / 2 - g * 4,
                                    area.h - g * 4}
                          : (krect){area.x + g * 4, area.y + area.h / 3 + g * 2, area.w - g * 8,
                                    area.h * 2 / 3 - g * 4};
    int kw = (pad.w - 2 * g * 2) / 3, kh = (pad.h - 3 * g * 2) / 4;
    if (kw > u->t * 3)
        kw = u->t * 3;
    if (kh > u->t * 2)
        kh = u->t * 2;
    int x0 = pad.x + (pad.w - (3 * kw + 4 * g)) / 2, y0 = pad.y + (pad.h - (4 * kh + 6 * g)) / 2;
    static const char *const keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9",
                                         "del", "0", "ok"};
    for (int i = 0; i < 12; i++) {
        krect r = {x0 + (i % 3) * (kw + g * 2), y0 + (i / 3) * (kh + g * 2), kw, kh};
        char id[16];
        snprintf(id, sizeof id, KID_PIN_ "%s", keys[i]);
        if (i == 9)
            kw_button(v, u, id, r, "", KB_SECONDARY, KICON_BACKSPACE);
        else if (i == 11)
            kw_button(v, u, id, r, TR(u, "OK"), KB_PRIMARY, -1);
        else
            kw_button(v, u, id, r, keys[i], KB_SECONDARY, -1);
    }
}

/* The event at a glance. */
static void staff_home(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    krect area = kw_topbar(v, u, TR(u, "Staff"), 1);
    int g = u->gap, bh = home_button_h(u);
    krect left, right, actions;
    home_layout(u, &left, &right, &actions);
    (void)area;
    struct { const char *id, *label; int style; } acts[6] = {
        {KID_EVENTS, TR(u, "Change event"), KB_SECONDARY},
        {KID_NEW_EVENT, TR(u, "New event"), KB_SECONDARY},
        {KID_EXPORT, TR(u, "Attendance file"), KB_PRIMARY},
        {KID_DEFAULT_LANG, "", KB_SECONDARY},
        {KID_LOCK, TR(u, "Lock"), KB_SECONDARY},
        {KID_SHUTDOWN, TR(u, "Shut down"), KB_DANGER},
    };
    char langlabel[128];
    const char *langname = f->default_lang, *review = NULL;
    for (int i = 0; i < u->nlangs; i++)
        if (strcmp(u->langs[i].code, f->default_lang) == 0) {
            langname = u->langs[i].name;
            review = u->langs[i].review;
        }
    kv_subst(langlabel, sizeof langlabel, TR(u, "Start in: {language}"), "{language}", langname);
    if (review) {
        /* How far the language's translation was checked, in a word. */
        size_t l = strlen(langlabel);
        snprintf(langlabel + l, sizeof langlabel - l, " (%s)", TR(u, review));
    }
    acts[3].label = langlabel;
    int aw = (actions.w - 2 * g * 2) / 3;
    for (int i = 0; i < 6; i++) {
        krect r = {actions.x + (i % 3) * (aw + g * 2), actions.y + (i / 3) * (bh + g), aw, bh};
        if (i == 5) {
            /* Shut down stands apart from Lock, in the error colour: a
             * touch target of space between them. */
            r.x += u->t;
            r.w -= u->t;
        }
        kw_button(v, u, acts[i].id, r, acts[i].label, acts[i].style, -1);
    }

    /* A PIN set before the 6-digit rule opened staff mode: say so first. */
    int y = left.y;
    if (st->result.short_pin) {
        int nh = kui_line(u, u->small_px) * 3;
        kv_text(v, u, (krect){left.x, y, left.w, nh},
                TR(u, "This PIN is short and easy to guess. Set one of 6 to 8 digits: "
                      "kiosk staff set-pin"),
                u->small_px, u->small_px * 2 / 3, KC_ERROR, KT_LEFT | KT_TOP | KT_WRAP | KT_TRIM);
        y += nh + g;
    }
    /* The sync with the hub in plain words (the details go to the log),
     * and a survey file that failed its check: staff must know which
     * version people see, and why.  Both under the event's counts. */
    char syncline[400] = "";
    int sync_bad = 0;
    if (st->sync.known) {
        char num[32], when[16];
        snprintf(num, sizeof num, "%ld", st->sync.pending);
        if (st->sync.last_ok_ms > 0)
            hhmm(st->sync.last_ok_ms, when, sizeof when);
        if (!st->sync.paired) {
            snprintf(syncline, sizeof syncline, "%s", TR(u, "Not connected to a hub"));
        } else if (st->sync.error[0]) {
            sync_bad = 1;
            kv_subst(syncline, sizeof syncline,
                     TRN(u, "The hub did not answer. {n} record waits on this kiosk.",
                         "The hub did not answer. {n} records wait on this kiosk.",
                         st->sync.pending),
                     "{n}", num);
        } else if (st->sync.pending > 0 || st->sync.last_ok_ms <= 0) {
            kv_subst(syncline, sizeof syncline,
                     TRN(u, "{n} record waits to go to the hub.",
                         "{n} records wait to go to the hub.", st->sync.pending),
                     "{n}", num);
        } else {
            kv_subst(syncline, sizeof syncline,
                     TR(u, "Everything is sent to the hub (last at {time})."), "{time}", when);
        }
    }
    char problem[400] = "";
    const char *problems = ksurveys_problems(f->surveys);
    if (problems && problems[0]) {
        char first[300];
        size_t len = strcspn(problems, "\n");
        snprintf(first, sizeof first, "%.*s", (int)(len < 290 ? len : 290), problems);
        kv_subst(problem, sizeof problem, TR(u, "Survey problem: {problem}"), "{problem}", first);
    }
    int sl = kui_line(u, u->label_min);
    int status_h = (syncline[0] ? sl * 2 + g : 0) + (problem[0] ? sl * 2 + g : 0);
    int bottom = left.y + left.h - status_h;
    /* The event and its counts. */
    if (!st->event.id[0]) {
        kv_text(v, u, (krect){left.x, y, left.w, bottom - y}, TR(u, "No event is chosen."),
                u->body_px, u->small_px, KC_INK, KT_LEFT | KT_TOP | KT_WRAP);
    } else {
        int nh = kui_line(u, u->body_px);
        kv_text(v, u, (krect){left.x, y, left.w, nh}, st->event.name, u->body_px, u->small_px,
                KC_INK, KT_LEFT | KT_MIDDLE | KT_BOLD | KT_TRIM);
        y += nh;
        char sub[256];
        snprintf(sub, sizeof sub, "%s \u00b7 %s%s%s", st->event.program, st->event.date,
                 st->event.survey[0] ? " \u00b7 " : "", st->event.survey);
        int sh = kui_line(u, u->label_min);
        kv_text(v, u, (krect){left.x, y, left.w, sh}, sub, u->small_px, u->label_min, KC_MUTED,
                KT_LEFT | KT_MIDDLE | KT_TRIM);
        y += sh + g;
        /* The tiles give way (their numbers shrink) before the status
         * lines under them would be pushed over the actions. */
        int th = tile_height(u);
        if (th > bottom - y)
            th = bottom - y;
        if (th < kui_line(u, u->label_min) * 3 + u->gap * 2)
            th = kui_line(u, u->label_min) * 3 + u->gap * 2;   /* a number, two lines */
        const int counts[3] = {st->stats.checkins, st->stats.new_people, st->stats.returning};
        const char *const labels[3] = {TR(u, "Checked in"), TR(u, "New"), TR(u, "Returning")};
        stat_tiles(v, u, (krect){left.x, y, left.w, th}, counts, labels);
        y += th + g * 2;
        if (bottom - y > kui_line(u, u->small_px) * 3)
            arrivals_chart(v, u, st, (krect){left.x, y, left.w, bottom - y});
    }
    /* Under the tiles, never over them: where the counts took more than
     * their share (a tall script), the lines get what is left, one line
     * each at least. */
    if (y < bottom + g)
        y = bottom + g;
    int end = left.y + left.h, nst = (syncline[0] != 0) + (problem[0] != 0);
    int each = nst ? (end - y - (nst - 1) * g) / nst : 0;
    if (each > sl * 2)
        each = sl * 2;
    if (each < sl)
        each = sl;
    if (syncline[0]) {
        kv_text(v, u, (krect){left.x, y, left.w, each}, syncline, u->small_px, u->label_min,
                sync_bad ? KC_ERROR : KC_MUTED, KT_LEFT | KT_TOP | KT_WRAP | KT_TRIM);
        y += each + g;
    }
    if (problem[0])
        kv_text(v, u, (krect){left.x, y, left.w, each}, problem, u->small_px, u->label_min,
                KC_ERROR, KT_LEFT | KT_TOP | KT_WRAP | KT_TRIM | KT_BOLD);
    /* Who came, newest first, with paging: arrows and where the page is
     * ("3\u20134 of 13"). */
    int hh = u->t;
    int pw = u->t * 3 / 2;
    int rows = kscreen_staff_rows(u);
    char where[128] = "";
    int ww = 0;
    if (st->page > 0 || st->more) {
        char a[24], b[24], n[24];
        long first = (long)st->page * st->page_rows + 1;
        long last = first + st->nrows - 1;
        long total = st->stats.checkins > last ? st->stats.checkins : last;
        snprintf(a, sizeof a, "%ld", first);
        snprintf(b, sizeof b, "%ld", last);
        snprintf(n, sizeof n, "%ld", total);
        char t1[128], t2[128];
        kv_subst(t1, sizeof t1, TR(u, "{first}\u2013{last} of {total}"), "{first}", a);
        kv_subst(t2, sizeof t2, t1, "{last}", b);
        kv_subst(where, sizeof where, t2, "{total}", n);
        int wh = 0;
        if (u->measure)
            u->measure(u->measure_ctx, where, u->label_min, 0, u->lang, &ww, &wh);
        ww += g;
    }
    krect pr = {right.x + right.w - 2 * pw - g, right.y, 2 * pw + g, hh};
    kv_text(v, u, (krect){right.x, right.y, pr.x - right.x - ww - g, hh}, TR(u, "Check-ins"),
            u->body_px, u->small_px, KC_INK, KT_LEFT | KT_MIDDLE | KT_BOLD);
    if (where[0])
        kv_text(v, u, (krect){pr.x - ww - g, right.y, ww + g, hh}, where, u->label_min,
                u->label_min, KC_MUTED, KT_RIGHT | KT_MIDDLE);
    if (st->page > 0)
        kw_button(v, u, KID_PAGE_UP, (krect){pr.x, right.y, pw, hh}, "", KB_SECONDARY,
                  KICON_UP);
    if (st->more)
        kw_button(v, u, KID_PAGE_DOWN, (krect){pr.x + pw + g, right.y, pw, hh}, "",
                  KB_SECONDARY, KICON_DOWN);
    int rh = (right.h - hh - g) / rows - g;
    if (rh > u->t * 3 / 2)
        rh = u->t * 3 / 2;
    for (int i = 0; i < st->nrows && i < rows; i++) {
        const kcheckin *c = &st->rows[i];
        krect r = {right.x, right.y + hh + g + i * (rh + g), right.w, rh};
        char t[16], line[KIOSK_NAME_BYTES * 2 + 64], id[24];
        hhmm(c->wall_ms, t, sizeof t);
        char full[KIOSK_NAME_BYTES * 2 + 2];
        kflow_full_name(f->visit.lang, c->given, c->family, full, sizeof full);   /* name order */
        snprintf(line, sizeof line, "%s  %s", t, full);
        snprintf(id, sizeof id, KID_CHECKIN_ "%d", i + 1);
        kv_frame(v, r, KC_SURFACE, KC_BORDER, 1, g);
        int tagw = c->is_new ? u->t * 2 : 0;
        kv_text(v, u, (krect){r.x + g * 2, r.y, r.w - g * 4 - tagw, r.h}, line, u->body_px,
                u->small_px * 3 / 4, KC_INK, KT_LEFT | KT_MIDDLE | KT_TRIM);
        if (c->is_new)
            kv_text(v, u, (krect){r.x + r.w - tagw - g, r.y, tagw, r.h}, TR(u, "new"),
                    u->small_px, u->label_min, KC_SUCCESS, KT_RIGHT | KT_MIDDLE | KT_BOLD);
        kv_hit(v, u, id, r);
    }
    if (st->nrows == 0)
        kv_text(v, u, (krect){right.x, right.y + hh + g, right.w, kui_line(u, u->body_px) * 2},
                TR(u, "No one has checked in yet."), u->body_px, u->small_px, KC_MUTED,
                KT_LEFT | KT_TOP | KT_WRAP);
}

/* Choosing the event sign-ins go to. */
static void staff_events(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    krect area = kw_topbar(v, u, TR(u, "Choose the event"), 1);
    int g = u->gap, rh = u->t + g * 2;
    krect c = krect_inset(area, g * 3);
    int per_col = (c.h + g) / (rh + g);
    if (per_col < 1)
        per_col = 1;
    int cols = (st->nevents + per_col - 1) / per_col;
    if (cols < 1)
        cols = 1;
    if (cols > 3)
        cols = 3;
    int cw = (c.w - (cols - 1) * g * 2) / cols;
    for (int i = 0; i < st->nevents && i < per_col * cols; i++) {
        const kevent *e = &st->events[i];
        krect r = {c.x + (i / per_col) * (cw + g * 2), c.y + (i % per_col) * (rh + g), cw, rh};
        char id[24], line[KIOSK_EVENT_NAME_BYTES + 64];
        snprintf(id, sizeof id, KID_EVENT_ "%d", i + 1);
        snprintf(line, sizeof line, "%s  %s", e->date, e->name);
        int cur = strcmp(e->id, st->event.id) == 0;
        kv_frame(v, r, cur ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 2, g);
        kv_text(v, u, (krect){r.x + g * 2, r.y, r.w - g * 4, r.h}, line, u->body_px,
                u->small_px * 3 / 4, cur ? KC_ON_ACCENT : KC_INK, KT_LEFT | KT_MIDDLE | KT_TRIM);
        kv_hit(v, u, id, r);
    }
}

/* Creating an event with the on-screen keyboard. */
static void staff_event_new(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    krect area = kw_topbar(v, u, TR(u, "New event"), 1);
    krect c, kb;
    kw_split_keyboard(u, area, kflow_layout(f, NULL)->nrows, &c, &kb);
    int g = u->gap, bh = u->t + g * 2;
    int fh = kw_field_height(u, 1);
    int y = c.y;
    char prog[256], surv[256];
    kv_subst(prog, sizeof prog, TR(u, "Program: {program}"), "{program}",
             st->programs[st->ev_program]);
    const ksurvey *sv = st->ev_survey >= 0 ? ksurveys_at(f->surveys, st->ev_survey) : NULL;
    kv_subst(surv, sizeof surv, TR(u, "Survey: {survey}"), "{survey}",
             sv ? ksurvey_title(sv, f->visit.lang) : TR(u, "none"));
    const char *name_msg = st->msg && f->visit.focus == KF_EV_NAME ? TR(u, st->msg) : NULL;
    const char *link_msg = st->msg && f->visit.focus != KF_EV_NAME ? TR(u, st->msg) : NULL;
    if (c.w >= u->t * 12 && kb.y > c.y) {
        /* Keyboard below a wide screen: two columns, three rows (name and
         * date, program and survey, link and the button). */
        int hw = (c.w - 2 * g) / 2, x2 = c.x + hw + 2 * g;
        int step = (c.h + g) / 3;
        int rh = fh > bh ? fh : bh;
        if (step > rh + g * 3)
            step = rh + g * 3;
        kw_field(v, u, KID_FIELD_EVENT_NAME, (krect){c.x, y, hw, fh}, TR(u, "Name of the event"),
                 st->ev_name, f->visit.preedit, f->visit.focus == KF_EV_NAME, name_msg, 1);
        kw_field(v, u, KID_FIELD_EVENT_DATE, (krect){x2, y, hw, fh},
                 TR(u, "Date (YYYY-MM-DD), empty for today"), st->ev_date, NULL,
                 f->visit.focus == KF_EV_DATE, NULL, 1);
        y += step;
        kw_button(v, u, KID_PROGRAM, (krect){c.x, y, hw, bh}, prog, KB_SECONDARY | KB_TRIM, -1);
        kw_button(v, u, KID_SURVEY, (krect){x2, y, hw, bh}, surv, KB_SECONDARY | KB_TRIM, -1);
        y += step;
        kw_field(v, u, KID_FIELD_EVENT_LINK, (krect){c.x, y, hw, fh},
                 TR(u, "Link for a QR code (optional)"), st->ev_link, NULL,
                 f->visit.focus == KF_EV_LINK, link_msg, 1);
        kw_button(v, u, KID_CREATE, (krect){x2, y + (fh - bh) / 2, hw, bh},
                  TR(u, "Create and use"), KB_PRIMARY, KICON_CHECK);
        if (st->msg) {
            /* the message of the name or link field, under the last row */
            int my = y + (fh > bh ? fh : (fh + bh) / 2) + g;
            kv_text(v, u, (krect){c.x, my, c.w, c.y + c.h - my}, TR(u, st->msg), u->body_px,
                    u->label_min, KC_ERROR, KT_LEFT | KT_TOP | KT_BOLD | KT_WRAP);
        }
        kw_keyboard(v, u, f, kb);
        return;
    }
    kw_field(v, u, KID_FIELD_EVENT_NAME, (krect){c.x, y, c.w, fh}, TR(u, "Name of the event"),
             st->ev_name, f->visit.preedit, f->visit.focus == KF_EV_NAME, name_msg, 1);
    y += fh + g;
    kw_field(v, u, KID_FIELD_EVENT_DATE, (krect){c.x, y, c.w, fh},
             TR(u, "Date (YYYY-MM-DD), empty for today"), st->ev_date, NULL,
             f->visit.focus == KF_EV_DATE, NULL, 1);
    y += fh + g;
    if (c.w >= u->t * 10) {
        int hw = (c.w - g) / 2;
        kw_button(v, u, KID_PROGRAM, (krect){c.x, y, hw, bh}, prog, KB_SECONDARY | KB_TRIM,
                  -1);
        kw_button(v, u, KID_SURVEY, (krect){c.x + hw + g, y, c.w - hw - g, bh}, surv,
                  KB_SECONDARY | KB_TRIM, -1);
        y += bh + g;
    } else {
        /* A narrow column: one above the other, a touch target high. */
        kw_button(v, u, KID_PROGRAM, (krect){c.x, y, c.w, u->t}, prog, KB_SECONDARY | KB_TRIM,
                  -1);
        y += u->t + g;
        kw_button(v, u, KID_SURVEY, (krect){c.x, y, c.w, u->t}, surv, KB_SECONDARY | KB_TRIM,
                  -1);
        y += u->t + g;
    }
    kw_field(v, u, KID_FIELD_EVENT_LINK, (krect){c.x, y, c.w, fh},
             TR(u, "Link for a QR code (optional)"), st->ev_link, NULL, f->visit.focus == KF_EV_LINK,
             link_msg, 1);
    y += fh + g;
    if (st->msg)   /* the message of the name or link field */
        kv_text(v, u, (krect){c.x, y, c.w, c.y + c.h - bh - g - y}, TR(u, st->msg), u->body_px,
                u->label_min, KC_ERROR, KT_LEFT | KT_TOP | KT_BOLD | KT_WRAP);
    kw_button(v, u, KID_CREATE, (krect){c.x, c.y + c.h - bh, c.w, bh}, TR(u, "Create and use"),
              KB_PRIMARY, KICON_CHECK);
    kw_keyboard(v, u, f, kb);
}

/* Attendance file to a USB drive. */
static void staff_export(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    krect area = kw_topbar(v, u, TR(u, "Attendance file"), 1);
    int g = u->gap, bh = u->t + g * 3;
    if (bh < kui_line(u, u->label_min) * 2 + g * 2 + 4)
        bh = kui_line(u, u->label_min) * 2 + g * 2 + 4;   /* two-line labels */
    krect c = krect_inset(area, g * 4);
    char line[512];
    kv_subst(line, sizeof line, TR(u, "Attendance of {event}, with survey answers."), "{event}",
             st->event.name);
    int th = kui_line(u, u->body_px) * 2;
    th = kv_text(v, u, (krect){c.x, c.y, c.w, th}, line, u->body_px, u->label_min, KC_INK,
                 KT_LEFT | KT_TOP | KT_WRAP);
    int y = c.y + th + g * 2;
    if (u->w >= u->h) {
        /* One row of three on landscape screens: room for the message. */
        int w3 = (c.w - g * 4) / 3;
        kw_button(v, u, KID_EXPORT_XLSX, (krect){c.x, y, w3, bh}, TR(u, "Excel file (XLSX)"),
                  KB_PRIMARY, -1);
        kw_button(v, u, KID_EXPORT_CSV, (krect){c.x + w3 + g * 2, y, w3, bh},
                  TR(u, "CSV file"), KB_SECONDARY, -1);
        kw_button(v, u, KID_EXPORT_SYNC, (krect){c.x + 2 * (w3 + g * 2), y, c.w - 2 * (w3 + g * 2), bh},
                  TR(u, "Records for the hub (no network)"), KB_SECONDARY, -1);
    } else {
        int hw = (c.w - g * 2) / 2;
        kw_button(v, u, KID_EXPORT_XLSX, (krect){c.x, y, hw, bh}, TR(u, "Excel file (XLSX)"),
                  KB_PRIMARY, -1);
        kw_button(v, u, KID_EXPORT_CSV, (krect){c.x + hw + g * 2, y, c.w - hw - g * 2, bh},
                  TR(u, "CSV file"), KB_SECONDARY, -1);
        y += bh + g * 2;
        kw_button(v, u, KID_EXPORT_SYNC, (krect){c.x, y, c.w, bh},
                  TR(u, "Records for the hub (no network)"), KB_SECONDARY, -1);
    }
    y += bh + g * 3;
    /* Progress bar while writing. */
    krect bar = {c.x, y, c.w, u->t / 2};
    kv_frame(v, bar, KC_SURFACE, KC_BORDER, 1, bar.h / 2);
    if (st->export_total > 0 || st->exporting == 2) {
        long total = st->export_total > 0 ? st->export_total : 1;
        long done = st->exporting == 2 ? total : st->export_done;
        kv_rect(v, (krect){bar.x, bar.y, (int)((long long)bar.w * done / total), bar.h},
                st->exporting == 3 ? KC_ERROR : KC_ACCENT, bar.h / 2);
    }
    y += bar.h + g * 2;
    krect msg = {c.x, y, c.w, c.y + c.h - y};
    if (st->exporting == 2 && st->bundle && st->bundle_records == 0) {
        kv_text(v, u, msg, TR(u, "Nothing is waiting for the hub."), u->body_px, u->small_px,
                KC_SUCCESS, KT_LEFT | KT_TOP | KT_WRAP | KT_BOLD);
    } else if (st->exporting == 2) {
        /* The drive and the file's name, not a path: staff look for the
         * file on the drive (the drive's name is the folder it is
         * mounted as, /media/usb/KINGSTON -> KINGSTON). */
        char ok[900], drive[256] = "", tmp[900];
        const char *slash = strrchr(st->export_msg, '/');
        if (slash) {
            const char *d = slash;
            while (d > st->export_msg && d[-1] != '/')
                d--;
            snprintf(drive, sizeof drive, "%.*s", (int)(slash - d), d);
        }
        if (drive[0]) {
            kv_subst(tmp, sizeof tmp,
                     TR(u, "Saved {file} on the drive {drive}. It is safe to remove the USB drive."),
                     "{file}", slash + 1);
            kv_subst(ok, sizeof ok, tmp, "{drive}", drive);
        } else {
            kv_subst(ok, sizeof ok, TR(u, "Saved as {file}. It is safe to remove the USB drive."),
                     "{file}", slash ? slash + 1 : st->export_msg);
        }
        kv_text(v, u, msg, ok, u->body_px, u->small_px * 3 / 4, KC_SUCCESS,
                KT_LEFT | KT_TOP | KT_WRAP | KT_BOLD);
    } else if (st->exporting == 3) {
        kv_text(v, u, msg, st->export_msg, u->body_px, u->small_px * 3 / 4, KC_ERROR,
                KT_LEFT | KT_TOP | KT_WRAP | KT_BOLD);
    } else if (st->exporting == 1) {
        kv_text(v, u, msg, TR(u, "Writing..."), u->body_px, u->small_px, KC_INK,
                KT_LEFT | KT_TOP);
    } else {
        kv_text(v, u, msg, TR(u, "Plug in a USB drive, then choose a file type."), u->body_px,
                u->small_px, KC_MUTED, KT_LEFT | KT_TOP | KT_WRAP);
    }
}

/* A QR code of text, square, centred at the top of r; returns its height
 * (0 if it cannot be encoded). */
static int person_qr(kview *v, const kui *u, krect r, const char *text)
{
    unsigned char modules[KQR_MAX_SIDE * KQR_MAX_SIDE];
    int side = 0;
    kerr err = {0};
    if (kqr_encode(text, modules, (int)sizeof modules, &side, &err) != 0)
        return 0;
    int s = r.w < r.h ? r.w : r.h;
    int m = s / (side + 8);     /* a quiet zone of four modules on every side */
    if (m < 1)
        m = 1;
    int total = m * (side + 8);
    krect box = {r.x + (r.w - total) / 2, r.y, total, total};
    kv_rect(v, box, KC_SURFACE, 0);
    kv_qr(v, (krect){box.x + 4 * m, box.y + 4 * m, side * m, side * m}, side, modules);
    return total;
}

/* One person: details and their check-in code.  Stopping the code is one
 * tap (btn-revoke-qr, the replay contract) and a record like any other,
 * never taken back; the message then says what happened and offers a
 * new code (btn-new-qr), shown here for the person to photograph. */
static void staff_person(kview *v, const kui *u, const kflow *f)
{
    const kflow_staff *st = &f->staff;
    const kperson *p = &st->person;
    char name[KIOSK_NAME_BYTES * 2 + 2];
    kflow_full_name(f->visit.lang, p->given, p->family, name, sizeof name);   /* name order */
    krect area = kw_topbar(v, u, name, 1);
    int g = u->gap, lh = kui_line(u, u->body_px) + g;
    krect c = krect_inset(area, g * 4);
    /* A new code goes beside the details on landscape screens, under
     * its message on portrait ones (their answers below it). */
    int landscape = u->w > u->h;
    krect qr = {0, 0, 0, 0};
    if (st->new_token[0] && landscape) {
        int qw = c.w * 2 / 5 < c.h ? c.w * 2 / 5 : c.h;
        qr = (krect){c.x + c.w - qw, c.y, qw, c.h};
        c.w -= qw + g * 4;
    }
    const char *labels[3] = {TR(u, "Phone"), TR(u, "Email"), TR(u, "ZIP code")};
    const char *values[3] = {p->phone, p->email, p->zip};
    for (int i = 0; i < 3; i++) {
        char line[KIOSK_EMAIL_BYTES + 64];
        snprintf(line, sizeof line, "%s: %s", labels[i], values[i][0] ? values[i] : "\u2014");
        kv_text(v, u, (krect){c.x, c.y + i * lh, c.w, lh}, line, u->body_px, u->label_min,
                KC_INK, KT_LEFT | KT_MIDDLE | KT_TRIM);
    }
    int y = c.y + 3 * lh + g * 2;
    int bh = u->t + g * 2;
    int bw = c.w / 2 > u->t * 5 ? c.w / 2 : c.w;
    if (!st->code_stopped) {
        kw_button(v, u, KID_REVOKE_QR, (krect){c.x, y, bw, bh},
                  TR(u, "Stop their check-in code"), KB_DANGER, -1);
        y += bh + g * 2;
    }
    if (st->msg) {
        int mh = kui_line(u, u->body_px) * 2;
        kv_text(v, u, (krect){c.x, y, c.w, mh}, TR(u, st->msg), u->body_px, u->label_min,
                KC_INK, KT_LEFT | KT_TOP | KT_WRAP | KT_BOLD);
        y += mh + g;
    }
    if (st->code_stopped && !st->new_token[0]) {
        kw_button(v, u, KID_NEW_QR, (krect){c.x, y, bw, bh}, TR(u, "Give them a new code"),
                  KB_SECONDARY, -1);
        y += bh + g * 2;
    }
    if (st->new_token[0] && !landscape) {
        int qh = c.w / 2;
        if (qh > c.y + c.h - y)
            qh = c.y + c.h - y;
        qr = (krect){c.x + (c.w - qh) / 2, y, qh, qh};
        y += qh + g * 2;
    }
    if (st->new_token[0])
        person_qr(v, u, qr, st->new_token);
    /* Their answers at this event (as stored: choice keys, numbers, text). */
    int ah = kui_line(u, u->small_px);
    for (int i = 0; i < st->nanswers && y + ah <= c.y + c.h; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s: %s", st->answers[i].q, st->answers[i].value);
        kv_text(v, u, (krect){c.x, y, c.w, ah}, line, u->small_px, u->min_px, KC_MUTED,
                KT_LEFT | KT_MIDDLE | KT_TRIM | KT_SMALL);
        y += ah;
    }
}

/* Shutting the kiosk down cleanly. */
static void staff_shutdown(kview *v, const kui *u, const kflow *f)
{
    (void)f;
    krect area = kw_topbar(v, u, TR(u, "Shut down"), 1);
    int g = u->gap, bh = u->t + g * 3;
    krect c = krect_inset(area, g * 4);
    kv_text(v, u, (krect){c.x, c.y, c.w, c.h / 2},
            TR(u, "Shut down the kiosk? Every sign-in is already saved."), u->title_px,
            u->body_px, KC_INK, KT_CENTER | KT_MIDDLE | KT_WRAP | KT_BOLD);
    int bw = c.w / 2;
    kw_button(v, u, KID_SHUTDOWN_CONFIRM, (krect){c.x + (c.w - bw) / 2, c.y + c.h / 2, bw, bh},
              TR(u, "Shut down"), KB_DANGER_PRIMARY, -1);
}

void kscreen_staff(kview *v, const kui *u, const kflow *f)
{
    switch (f->screen) {
    case KS_STAFF_PIN: staff_pin(v, u, f); break;
    case KS_STAFF: staff_home(v, u, f); break;
    case KS_STAFF_EVENTS: staff_events(v, u, f); break;
    case KS_STAFF_EVENT_NEW: staff_event_new(v, u, f); break;
    case KS_STAFF_EXPORT: staff_export(v, u, f); break;
    case KS_STAFF_PERSON: staff_person(v, u, f); break;
    default: staff_shutdown(v, u, f); break;
    }
}
