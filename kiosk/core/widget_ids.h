/*
 * widget_ids.h - the ids of tappable widgets, one spelling for the flow
 * (which answers taps on them) and the screen builders (which draw them).
 *
 * The strings are a contract: replays tap them by name (`tap btn-back`),
 * tests/README.md lists them, hidden acceptance tests use them.  Never
 * change one; add new ones here and use the name on both sides.
 *
 * Ids that end in a number or a key are a prefix here and the rest is
 * added where drawn ("result-" + 3, "choice-" + "yes", "key-" + "ä");
 * kid_rest takes it off again where a tap is answered.
 */
#ifndef KIOSK_WIDGET_IDS_H
#define KIOSK_WIDGET_IDS_H

#include <string.h>

/* The rest of id after prefix ("result-3", KID_RESULT_ -> "3"), or NULL if
 * id does not begin with prefix. */
static inline const char *kid_rest(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(id, prefix, n) == 0 ? id + n : NULL;
}

/* every screen */
#define KID_BACK "btn-back"
#define KID_STILL_HERE "btn-still-here"     /* "Still there?" prompt */
#define KID_START_OVER "btn-start-over"

/* welcome */
#define KID_RETURNING "btn-returning"
#define KID_NEW "btn-new"                   /* also find's "Not found? Sign up" */
#define KID_LANG_ "lang-"                   /* + language code: lang-vi */
#define KID_STAFF_CORNER "staff-corner"     /* hold 3 s */

/* find */
#define KID_SEARCH "search"
#define KID_RESULT_ "result-"               /* + 1, 2, ... */
#define KID_RESULTS_MORE "results-more"

/* form (field ids: kflow_field_id) */
#define KID_FIELD_GIVEN "field-given"
#define KID_FIELD_FAMILY "field-family"
#define KID_FIELD_PHONE "field-phone"
#define KID_FIELD_EMAIL "field-email"
#define KID_FIELD_ZIP "field-zip"
#define KID_SUBMIT "btn-submit"

/* possible-match */
#define KID_ITS_ME "btn-its-me"
#define KID_NOT_ME "btn-not-me"

/* survey */
#define KID_CHOICE_ "choice-"               /* + choice key: choice-yes, choice-3 */
#define KID_FIELD_ANSWER "field-answer"
#define KID_NEXT "btn-next"
#define KID_SKIP "btn-skip"
#define KID_CHOICES_NEXT "btn-choices-next"   /* choices in pages, on short screens */
#define KID_CHOICES_PREV "btn-choices-prev"

/* on-screen keyboard */
#define KID_KEY_ "key-"                     /* + the character typed, lower case */
#define KID_KEY_SPACE "key-space"
#define KID_KEY_BACKSPACE "key-backspace"
#define KID_KEY_SHIFT "key-shift"
#define KID_KEY_ENTER "key-enter"
#define KID_KEY_LAYOUT "key-layout"
#define KID_KEY_TELEX "key-telex"
#define KID_CAND_TYPED "cand-typed"         /* the word as typed, over Telex keys */

/* staff: PIN pad */
#define KID_PIN_ "pin-"                     /* + 0..9 */
#define KID_PIN_DEL "pin-del"
#define KID_PIN_OK "pin-ok"

/* staff home */
#define KID_EVENTS "btn-events"
#define KID_NEW_EVENT "btn-new-event"
#define KID_EXPORT "btn-export"
#define KID_SHUTDOWN "btn-shutdown"
#define KID_PAGE_UP "btn-page-up"
#define KID_PAGE_DOWN "btn-page-down"
#define KID_CHECKIN_ "checkin-"             /* + 1, 2, ...: a row of the list */
#define KID_DEFAULT_LANG "btn-default-lang"
#define KID_LOCK "btn-lock"

/* staff: events, new event */
#define KID_EVENT_ "event-"                 /* + 1, 2, ... */
#define KID_FIELD_EVENT_NAME "field-event-name"
#define KID_FIELD_EVENT_DATE "field-event-date"
#define KID_FIELD_EVENT_LINK "field-event-link"
#define KID_PROGRAM "btn-program"
#define KID_SURVEY "btn-survey"
#define KID_CREATE "btn-create"

/* staff: export, person, shutdown */
#define KID_EXPORT_CSV "btn-export-csv"
#define KID_EXPORT_XLSX "btn-export-xlsx"
#define KID_EXPORT_SYNC "btn-export-sync"
#define KID_REVOKE_QR "btn-revoke-qr"
#define KID_NEW_QR "btn-new-qr"
#define KID_SHUTDOWN_CONFIRM "btn-shutdown-confirm"

#endif
