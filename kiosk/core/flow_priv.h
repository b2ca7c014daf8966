/*
 * flow_priv.h - what flow.c shares with flow_staff.c, and nothing else.
 */
#ifndef KIOSK_FLOW_PRIV_H
#define KIOSK_FLOW_PRIV_H

#include "flow.h"
#include "widget_ids.h"

/* Each screen's tap handler (the TAP column of flow_screens.h): flow.c
 * has the visitor's screens, flow_staff.c staff mode's. */
#define KFLOW_SCREEN_TAP(ID, NAME, TAP, INPUT, IDLE, BUILDER) int TAP(kflow *f, const char *id);
KFLOW_SCREENS(KFLOW_SCREEN_TAP)
#undef KFLOW_SCREEN_TAP

/* Goes to a screen (focus, timers and messages as flow.c does). */
void kflow_go(kflow *f, int screen);
/* Focuses a text input; the keyboard starts on its first layout. */
void kflow_focus(kflow *f, int focus);
/* A tap on an on-screen key for the focused input. */
int kflow_key_tap(kflow *f, const char *id);

/* The number at the end of an id ("result-3" -> 3 given "3"): a small
 * positive decimal, or -1 if s is not exactly one. */
int kflow_id_number(const char *s);

#endif
