/*
 * flow_screens.h - every screen of the kiosk, one line each.
 *
 * This list is the one place a screen is declared.  flow.h makes the enum
 * (KS_WELCOME, ...) from it, flow.c the descriptor table the flow runs on
 * (kflow_screen), and kiosk/ui/screens.c the table of builders, so adding a
 * screen is a line here, its tap handler and its builder.
 *
 * Columns of X(ID, NAME, TAP, INPUT, IDLE, BUILDER):
 *   ID       the enum constant
 *   NAME     the id replays, --trace and `expect screen` know (a contract)
 *   TAP      int TAP(kflow *f, const char *id): a tap on a widget of this
 *            screen; 1 if something visible changed (flow.c, flow_staff.c)
 *   INPUT    what typed text and keys do here, KIN_ flags (flow.h)
 *   IDLE     what the clock does here, a KIDLE_ policy (flow.h)
 *   BUILDER  void BUILDER(kview *, const kui *, const kflow *): draws it
 *            (kiosk/ui/screen_*.c); only the UI expands this column
 *
 * The order is the enum's: nothing outside depends on the numbers.
 */
#ifndef KIOSK_FLOW_SCREENS_H
#define KIOSK_FLOW_SCREENS_H

#define KFLOW_SCREENS(X) \
    X(KS_WELCOME,         "welcome",         kflow_tap_welcome,         KIN_SCAN,   KIDLE_NONE,   kscreen_welcome)    \
    X(KS_FIND,            "find",            kflow_tap_find,            KIN_FIELDS, KIDLE_PROMPT, kscreen_find)       \
    X(KS_FORM,            "form",            kflow_tap_form,            KIN_FIELDS, KIDLE_PROMPT, kscreen_form)       \
    X(KS_DONE,            "done",            kflow_tap_done,            0,          KIDLE_DONE,   kscreen_done)       \
    X(KS_ERROR,           "error",           kflow_tap_none,            0,          KIDLE_NONE,   kscreen_error)      \
    X(KS_SURVEY,          "survey",          kflow_tap_survey,          KIN_ANSWER, KIDLE_PROMPT, kscreen_survey)     \
    X(KS_MATCH,           "possible-match",  kflow_tap_match,           0,          KIDLE_PROMPT, kscreen_match)      \
    X(KS_STAFF_PIN,       "staff-pin",       kflow_tap_staff_pin,       KIN_TYPE,   KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF,           "staff",           kflow_tap_staff,           0,          KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF_EVENTS,    "staff-events",    kflow_tap_staff_events,    0,          KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF_EVENT_NEW, "staff-event-new", kflow_tap_staff_event_new, KIN_TYPE,   KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF_EXPORT,    "staff-export",    kflow_tap_staff_export,    0,          KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF_PERSON,    "staff-person",    kflow_tap_staff_person,    0,          KIDLE_LOCK,   kscreen_staff)      \
    X(KS_STAFF_SHUTDOWN,  "staff-shutdown",  kflow_tap_staff_shutdown,  0,          KIDLE_LOCK,   kscreen_staff)      \
    X(KS_CHECKING,        "checking",        kflow_tap_checking,        0,          KIDLE_LOCK,   kscreen_checking)

#endif
