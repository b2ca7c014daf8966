/*
 * screens.h - one builder per screen: flow state in, kview out.
 *
 * Builders are pure (no SDL): given the metrics and a text measurer in kui
 * they lay the screen out for any window size.  kscreens_build picks the
 * builder for the flow's screen and adds the "Still there?" prompt on top.
 */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

#include "flow.h"
#include "view.h"

void kscreen_welcome(kview *v, const kui *u, const kflow *f);
void kscreen_find(kview *v, const kui *u, const kflow *f);
void kscreen_form(kview *v, const kui *u, const kflow *f);
void kscreen_done(kview *v, const kui *u, const kflow *f);
void kscreen_error(kview *v, const kui *u, const kflow *f);
void kscreen_survey(kview *v, const kui *u, const kflow *f);
void kscreen_match(kview *v, const kui *u, const kflow *f);
void kscreen_staff(kview *v, const kui *u, const kflow *f);
/* Check-in rows a staff page shows at this size. */
int kscreen_staff_rows(const kui *u);

/* "checking" (screen_checking.c): the flow's, while the PIN is hashed, and
 * the one drawn at start while the store is checked (before any flow). */
#define KSCREEN_CHECKING_STEP_MS 300    /* the lit dot moves on this often */
void kscreen_checking(kview *v, const kui *u, const kflow *f);
void kscreen_checking_start(kview *v, const kui *u, int64_t ms);

/* Builds the view of the flow's current screen. */
void kscreens_build(kview *v, const kui *u, const kflow *f);

#endif
