/*
 * widgets.h - the pieces screens are made of: colours, the top bar,
 * buttons, text fields, the on-screen keyboard and the "Still there?"
 * prompt.  Pure layout code (no SDL): each adds draw operations and
 * tappable regions to a kview.
 */
#ifndef KIOSK_WIDGETS_H
#define KIOSK_WIDGETS_H

#include "flow.h"
#include "view.h"

/* The palette: dark ink on a warm light background, one strong accent;
 * contrast of text on its background is at least 7:1 (WCAG AAA). */
extern const kcolor KC_BG, KC_INK, KC_MUTED, KC_ACCENT, KC_ON_ACCENT, KC_SURFACE,
    KC_BORDER, KC_ERROR, KC_ERROR_BG, KC_KEYBOARD, KC_KEY, KC_KEY_SPECIAL, KC_SCRIM,
    KC_SUCCESS,
    KC_CHOSEN,   /* a current setting (the chosen language): tinted, not filled */
    KC_PRESSED;  /* laid over a widget while a finger is on it */

/* KB_DANGER: an action that cannot be taken back (shut down), in the
 * error colour; KB_DANGER_PRIMARY its filled form, for the confirmation. */
enum kbutton_style { KB_PRIMARY, KB_SECONDARY, KB_QUIET, KB_DANGER, KB_DANGER_PRIMARY };
/* Or'd into a style: a label too long for the button ends in "…" (for
 * labels holding data, such as a survey's title; never for fixed text,
 * whose fit the layout check must see). */
#define KB_TRIM 16

/* Height of the top bar (a title line of the language, the back button). */
int kw_topbar_height(const kui *u);

/* Background and top bar with an optional back button and a title; returns
 * the area below the bar. */
krect kw_topbar(kview *v, const kui *u, const char *title, int with_back);

/* A button with a label (and optional icon), tappable as id. */
void kw_button(kview *v, const kui *u, const char *id, krect r, const char *label,
               int style, int icon);

/* A big two-line choice button (welcome screen). */
void kw_choice(kview *v, const kui *u, const char *id, krect r, const char *title,
               const char *subtitle, int icon, int primary);

/* Two choice buttons of the same size (welcome's pair), the first the
 * main action; their titles share one size, and so do their subtitles. */
void kw_choices2(kview *v, const kui *u, const char *id1, krect r1, const char *title1,
                 const char *sub1, int icon1, const char *id2, krect r2, const char *title2,
                 const char *sub2, int icon2);

/* Marks the pressed widget (u->pressed): a shade over it and, for a key
 * that types a character, a preview of the character above the finger.
 * Called last, over everything else. */
void kw_pressed(kview *v, const kui *u);

/* Landscape screens up to this width keep the keyboard at the side. */
#define KW_WIDE_PX 1000

/* Splits the area under the top bar into content and keyboard parts:
 * side by side on short landscape screens (up to KW_WIDE_PX wide), the
 * keyboard along the bottom, within margins, on wider and portrait ones. */
void kw_split_keyboard(const kui *u, krect area, int rows, krect *content, krect *keyboard);

/* Draws the keyboard for the flow's focused input. */
void kw_keyboard(kview *v, const kui *u, const kflow *f, krect r);
/* Rows the keyboard of the focused input takes (with the Telex suggestion
 * strip), for kw_split_keyboard. */
int kw_keyboard_rows(const kflow *f);

/* A text field: label above, box (tappable as id) with the value, and an
 * inline message under it.  Compact fields (short screens) take the label
 * inside the box, and the message in place of the label.  Returns the
 * height used. */
int kw_field(kview *v, const kui *u, const char *id, krect r, const char *label,
             const char *value, const char *preedit, int focused, const char *msg,
             int compact);

/* Height a field needs. */
int kw_field_height(const kui *u, int compact);

/* A message band (errors that concern the whole screen). */
int kw_banner(kview *v, const kui *u, krect r, const char *msg);

/* The "Still there?" prompt over the screen, if it is showing. */
void kw_still_there(kview *v, const kui *u, const kflow *f);

#endif
