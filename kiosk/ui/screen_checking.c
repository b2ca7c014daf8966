/*
 * screen_checking.c - "checking": slow work runs off the screen's thread.
 *
 * Two pieces of work take far longer than a frame, so they run on a thread
 * of their own while this screen draws and answers (issue 16, item 7):
 *   - the staff PIN's hash (Argon2id at 64 MiB: about 0.2 s on a PC, a
 *     second or more on a Pi 3): the flow's screen KS_CHECKING between
 *     staff-pin and staff; btn-back goes to welcome (the try still counts);
 *   - the store's check at start (PRAGMA quick_check of the whole file
 *     after an unclean stop: seconds at 100k people), drawn before the flow
 *     exists (kscreen_checking_start; the loop is in app_checking.c).
 * Both say in words what is happening, under a row of dots of which one is
 * lit and moves on every KSCREEN_CHECKING_STEP_MS: a screen that moves is a
 * kiosk at work, not one that hangs.  Its id for replays: "checking".
 */
#include "screens.h"
#include "widgets.h"

#define CHECKING_DOTS 5

/* The words in the middle of area and the moving dots under them. */
static void checking_body(kview *v, const kui *u, krect area, const char *text, int64_t ms)
{
    int g = u->gap;
    int d = u->title_px / 2 > 6 ? u->title_px / 2 : 6;
    int th = kui_line(u, u->title_px) * 3;
    int y = area.y + (area.h - th - g * 3 - d) / 2;
    if (y < area.y + g)
        y = area.y + g;
    kv_text(v, u, (krect){area.x + g * 4, y, area.w - g * 8, th}, text, u->title_px,
            u->title_min, KC_INK, KT_CENTER | KT_MIDDLE | KT_WRAP | KT_BOLD | KT_TITLE);
    int lit = (int)((ms / KSCREEN_CHECKING_STEP_MS) % CHECKING_DOTS);
    int x0 = area.x + (area.w - (CHECKING_DOTS * 2 - 1) * d) / 2;
    for (int i = 0; i < CHECKING_DOTS; i++) {
        krect r = {x0 + i * d * 2, y + th + g * 3, d, d};
        if (i == lit)
            kv_rect(v, r, KC_ACCENT, d / 2);
        else
            kv_frame(v, r, KC_BG, KC_BORDER, 2, d / 2);
    }
}

void kscreen_checking(kview *v, const kui *u, const kflow *f)
{
    krect area = kw_topbar(v, u, TR(u, "Staff"), 1);
    checking_body(v, u, area, TR(u, "Checking the PIN…"), f->now_ms);
}

void kscreen_checking_start(kview *v, const kui *u, int64_t ms)
{
    kview_begin(v, "checking", u->w, u->h, u->lang);
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    checking_body(v, u, (krect){0, 0, u->w, u->h},
                  TR(u, "Checking the sign-in records. This takes a few seconds."), ms);
    kview_finish(v, u);
}
