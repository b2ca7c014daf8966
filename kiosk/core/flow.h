/*
 * flow.h - the kiosk's screens as a state machine, with no SDL in sight.
 *
 * The UI feeds the flow inputs (a tap on a widget id, typed text, a key, a
 * tick of the clock) and draws whatever state the flow is in.  Time is
 * passed in with every input (milliseconds of a monotonic clock), so tests
 * drive idle timeouts by advancing a number, not by sleeping.
 *
 *                 btn-returning            tap result-N (stored)
 *     +---------+ ------------> +------+ ----------------------+
 *     | welcome |               | find |                       |
 *     +---------+ <------------ +------+                       v
 *        |   ^      btn-back                               +------+
 *        |   |                                             | done |
 *        |   +---- btn-back ---- +------+  btn-submit      +------+
 *        +-------- btn-new ----> | form | --(valid, stored)-->  |
 *                                +------+                       |
 *     welcome <---------------- KIOSK_DONE_MS or btn-back ------+
 *
 *   btn-submit on a form whose name matches someone already stored (with
 *   the same phone digits or e-mail, or the same ZIP) goes to possible-
 *   match first: btn-its-me checks that person in (nothing is created),
 *   btn-not-me signs up a new person as typed, btn-back returns to the
 *   form with every entry kept.
 *
 *   After a sign-up or check-in (not a repeated one), an event with a
 *   survey goes to survey first: one question per screen, each answer
 *   stored as it is given (btn-next), then done.
 *
 *   On welcome, a scanned QR check-in code (text then Return) checks the
 *   person in at once: done.
 *
 *   Staff mode: staff-pin --pin-ok--> checking --right--> staff; a wrong
 *   PIN (or a lock) goes back to staff-pin.  While checking, the PIN's
 *   Argon2id hash runs on a thread of its own and the screen keeps drawing
 *   and answering: btn-back goes to welcome (the try is counted all the
 *   same, and a right PIN still ends the back-off, but staff mode does not
 *   open).
 *
 *   Any screen but welcome: no input for idle_ms -> "Still there?" prompt
 *   (still_there = 1); a tap on btn-still-here closes it; no answer for
 *   KIOSK_STILL_THERE_MS, or btn-start-over -> welcome, everything cleared.
 *
 * Invariants:
 *   1. Going to welcome wipes the visit (kvisit: every field, query,
 *      result, message, survey answer, the keyboard's composition and the
 *      done screen's name) with one memset in kflow_reset: nothing of one
 *      person is shown to, or kept for, the next.
 *   2. done is entered only after the store returned success for the
 *      sign-up or check-in: the record is committed and on disk.
 *   3. A failed save leaves the person's entries on screen with a message to
 *      see staff, and writes nothing partial (the store's transaction).
 */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdint.h>

#include "../config.h"
#include "compose.h"
#include "osk.h"
#include "store.h"
#include "staff.h"
#include "survey.h"
#include "surveys.h"

#include "flow_screens.h"

/* The screens, in the order of flow_screens.h (KS_WELCOME, ...). */
enum kscreen {
#define KFLOW_SCREEN_ENUM(ID, NAME, TAP, INPUT, IDLE, BUILDER) ID,
    KFLOW_SCREENS(KFLOW_SCREEN_ENUM)
#undef KFLOW_SCREEN_ENUM
    KS_COUNT
};

/* What typed text and keys do on a screen (flow_screens.h, INPUT): */
enum {
    KIN_SCAN = 1 << 0,      /* text then Return is a scanned check-in code (welcome) */
    KIN_TYPE = 1 << 1,      /* text, Backspace, Enter and Tab go to the focused input */
    KIN_ACCENTS = 1 << 2,   /* a long press on a key offers its accented forms */
    KIN_PREEDIT = 1 << 3,   /* an input method's composition shows in the field */
    KIN_SUGGEST = 1 << 4,   /* Telex's "as typed" strip over the keys (cand-typed) */
    KIN_IF_TYPING = 1 << 5  /* all of the above only while the survey question shown
                             * takes typed text (kflow_survey_typing); Enter always */
};
#define KIN_FIELDS (KIN_TYPE | KIN_ACCENTS | KIN_PREEDIT | KIN_SUGGEST)   /* find, form */
#define KIN_ANSWER (KIN_TYPE | KIN_ACCENTS | KIN_PREEDIT | KIN_IF_TYPING) /* survey */

/* What the clock does on a screen (flow_screens.h, IDLE). */
enum kidle {
    KIDLE_NONE,     /* waits for input only (welcome, error): nothing to start over */
    KIDLE_PROMPT,   /* "Still there?" after idle_ms, then start over */
    KIDLE_DONE,     /* back to welcome after KIOSK_DONE_MS (KIOSK_DONE_QR_MS with a code) */
    KIDLE_LOCK      /* staff mode: locks itself after KFLOW_STAFF_IDLE_MS, no prompt */
};

enum kfield { KF_GIVEN, KF_FAMILY, KF_PHONE, KF_EMAIL, KF_ZIP, KF_COUNT };

/* The focused text input: a form field, the search box, or a survey
 * answer typed in (text, number, "Other: ___"). */
#define KF_SEARCH KF_COUNT
#define KF_ANSWER (KF_COUNT + 1)
#define KF_PIN (KF_COUNT + 2)           /* staff PIN pad */
#define KF_EV_NAME (KF_COUNT + 3)       /* new event: name, date, link */
#define KF_EV_DATE (KF_COUNT + 4)
#define KF_EV_LINK (KF_COUNT + 5)

#define KFLOW_HOLD_MS 450   /* long-press on a key opens its accented forms */
#define KFLOW_STAFF_HOLD_MS 3000   /* holding staff-corner on welcome */
#define KFLOW_STAFF_IDLE_MS 120000 /* staff mode locks itself */
#define KFLOW_STAFF_ROWS 40        /* check-ins fetched per page */
#define KFLOW_STAFF_EVENTS 24      /* events offered to choose from */
#define KFLOW_STAFF_BUCKETS 48     /* 15-minute bars: 12 hours */
#define KFLOW_PROGRAMS 16
#define KFLOW_CHECK_POLL_MS 100    /* checking: the PIN's thread is looked at this often */

/* What staff mode holds (flow_staff.c). */
typedef struct kflow_staff {
    kstaff auth;                        /* PIN back-off */
    char pin[16];
    kstaff_result result;               /* of the last PIN tried */
    int tried;
    /* staff home */
    kevent event;
    kevent_stats stats;
    int64_t arrivals_start;
    int arrivals[KFLOW_STAFF_BUCKETS];
    int narrivals;
    kcheckin rows[KFLOW_STAFF_ROWS];
    int nrows, page, more;
    int page_rows;                      /* rows a page shows (set by the UI) */
    /* choose an event */
    kevent events[KFLOW_STAFF_EVENTS];
    int nevents;
    /* new event */
    char ev_name[KIOSK_EVENT_NAME_BYTES];
    char ev_date[16];
    char ev_link[KIOSK_EVENT_LINK_BYTES];
    char programs[KFLOW_PROGRAMS][KIOSK_PROGRAM_BYTES];
    int nprograms, ev_program;
    int ev_survey;                      /* index in the survey list, -1 none */
    /* export */
    int exporting;                      /* 1 running, 2 done, 3 failed */
    int bundle;                         /* the file is a sync bundle */
    long bundle_records;
    long export_done, export_total;
    char export_msg[1300];
    /* one person, and their answers at the current event */
    kperson person;
    int code_stopped;                   /* their code was stopped on this visit of the screen */
    char new_token[48];                 /* a code made after a stop (btn-new-qr), shown as QR */
    int nanswers;
    struct { char q[KIOSK_SURVEY_KEY_MAX + 1]; char value[160]; } answers[12];
    /* sync with the hub, as the host last reported it */
    struct kflow_sync {
        int known, paired;
        long pending;
        int64_t last_ok_ms;
        char error[512];
    } sync;
    const char *msg;                    /* msgid of a message on staff screens */
} kflow_staff;

enum kdone_kind { KDONE_NEW, KDONE_RETURNING, KDONE_ALREADY };

enum kkeycode { KKEYC_BACKSPACE = 1, KKEYC_ENTER, KKEYC_TAB, KKEYC_ESCAPE };

#define KFLOW_FIELD_BYTES KIOSK_EMAIL_BYTES   /* the largest field */
#define KFLOW_LANG_MAX 16

/* Everything one person's visit holds: what they typed and chose, the
 * keyboard's composition, their search and its results, their survey
 * answers, the thank-you screen's name and codes.  kflow_reset wipes it
 * with one memset (at idle, on "start over", after done), so nothing of one
 * person is left for the next (flow.h invariant 1); a new field put here
 * is cleared with the rest without anyone having to remember it. */
typedef struct kvisit {
    char lang[KFLOW_LANG_MAX];          /* this visit's language */

    /* form */
    char field[KF_COUNT][KFLOW_FIELD_BYTES];
    const char *field_msg[KF_COUNT];    /* validation message (msgid) or NULL */
    int focus;                          /* KF_GIVEN..KF_ZIP, KF_SEARCH, ... */
    const char *banner;                 /* screen-wide message (msgid) or NULL */
    int64_t banner_until;               /* welcome's message goes away then */

    /* keyboard */
    char preedit[64];                   /* input-method text being composed (SDL editing) */
    uint32_t variants[24];              /* long-press popup: accented forms */
    int nvariants;
    char variant_key[48];               /* id of the key they belong to */
    int shift;
    int layout_index;                   /* into kosk_layouts(purpose, lang) */
    kcompose compose;                   /* the word or syllable being composed */
    /* Telex on the Vietnamese layout (key-telex): on for on-screen keys
     * from the start; a physical keyboard types what is on its keys until
     * the person switches Telex on themselves (telex_chosen). */
    int telex;
    int telex_chosen;

    /* find */
    char query[KIOSK_QUERY_BYTES];
    kmatch results[KIOSK_SEARCH_RESULTS];
    int nresults;
    int nmatches;                       /* all matches, up to KIOSK_SEARCH_COUNT_MAX */
    int searched;                       /* a search ran for the current query */

    /* possible-match: the earlier sign-up the form may repeat */
    kmatch match;

    /* done */
    int done_kind;
    char done_name[KIOSK_NAME_BYTES];
    char done_event[KIOSK_EVENT_NAME_BYTES];
    char done_person[KIOSK_ID_HEX + 1];
    char done_token[48];                /* QR check-in code of a new person */
    char done_link[KIOSK_EVENT_LINK_BYTES];  /* the event's link, as a second code */

    /* welcome: what a USB scanner (a keyboard) typed, until Return */
    char scan[64];

    /* survey: the event's survey, the question shown, the answers so far */
    const ksurvey *survey;
    int sq;                             /* question index shown */
    int sq_stack[KIOSK_SURVEY_QUESTIONS_MAX];
    int sq_depth;                       /* questions answered before this one */
    unsigned char sel[KIOSK_SURVEY_CHOICES_MAX];  /* choices selected now */
    char answer[KIOSK_SURVEY_ANSWER_MAX * 4 + 1]; /* text, number or write-in */
    int other_editing;                  /* typing the "Other: ___" text */
    int choice_page;                    /* page of choices shown, where they take pages
                                         * (the screen clamps it; 0 on each question) */
    const char *survey_msg;             /* why Next did not move on (msgid) */
    char event_id[KIOSK_ID_HEX + 1];    /* event of the check-in */
    ksurvey_answers answers;
} kvisit;

typedef struct kflow {
    kstore *store;
    int screen;
    int64_t now_ms;            /* time of the latest input or tick */
    int64_t last_input_ms;     /* for the idle timeout */
    int64_t idle_ms;           /* idle time before "Still there?" */
    int still_there;           /* the prompt is showing */
    int64_t still_there_since;
    int64_t done_since;

    char default_lang[KFLOW_LANG_MAX];  /* staff's default: each visit starts in it */

    kvisit visit;                       /* this person's visit; wiped by kflow_reset */

    /* survey files, set by the host; may be NULL */
    const ksurveys *surveys;

    /* staff mode; export goes to a USB drive, or export_dir if set */
    kflow_staff staff;
    /* The PIN typed, being hashed on a thread of its own (kstaff_check_*)
     * while the screen shows "checking"; outside staff (kflow_reset keeps
     * it) so that a visitor's btn-back does not lose the try's result. */
    kstaff_check pin_check;
    const kclock *clock;                /* the store's clock: file names */
    int nlangs;                         /* languages staff may choose as default */
    const char *langs[24];
    const char *export_dir;
    int (*export_progress)(void *ctx, long done, long total);
    void *progress_ctx;
    void (*sync_status)(void *ctx, struct kflow_sync *out);   /* may be NULL */
    /* Writes the records the hub has not acknowledged to a bundle in
     * folder (a USB drive); *records gets how many.  May be NULL. */
    int (*sync_bundle)(void *ctx, const char *folder, char *path, size_t cap, long *records,
                       kerr *err);
    void *sync_ctx;
    int quit;                           /* staff asked for a clean shutdown */

    /* error screen: why the kiosk cannot take sign-ins */
    char error[512];

    unsigned version;                   /* bumped on every visible change */
} kflow;

/* One screen as the flow runs it: a row of flow_screens.h. */
typedef struct kflow_screen {
    const char *name;                       /* as replays know it */
    int (*tap)(kflow *f, const char *id);   /* 1 if something visible changed */
    unsigned input;                         /* KIN_ flags */
    enum kidle idle;
} kflow_screen;

/* The descriptor of a screen (of KS_ERROR's for a number out of range). */
const kflow_screen *kflow_screen_of(int screen);

/* Starts at welcome.  store may be NULL only together with an error text,
 * which puts the flow on the error screen for good. */
void kflow_init(kflow *f, kstore *store, int64_t now_ms, const char *error);

/* Back to welcome (or the error screen) with the visit wiped (kvisit) and
 * staff mode's data cleared; the PIN back-off and the host's settings stay. */
void kflow_reset(kflow *f);

/* Inputs.  Each returns 1 if something visible changed. */
int kflow_tap(kflow *f, const char *id, int64_t now_ms);
int kflow_text(kflow *f, const char *utf8, int64_t now_ms);
int kflow_key(kflow *f, int keycode, int64_t now_ms);
int kflow_tick(kflow *f, int64_t now_ms);

/* Waits for work the flow runs off the screen's thread (the PIN's hash) and
 * applies its result; 1 if there was any.  Replays call it before virtual
 * time moves on (their results do not depend on the machine's speed), and
 * the kiosk before it closes the store. */
int kflow_settle(kflow *f);

/* Long press: how long id must be held for its action (-1: none), and the
 * action itself once held that long (returns 1 if something changed; the
 * release that follows is then no tap). */
int kflow_hold_ms(const kflow *f, const char *id);
int kflow_hold(kflow *f, const char *id, int64_t now_ms);

/* The accented forms the key with id offers on long-press; returns how
 * many were written to out (0: none). */
int kflow_key_variants(const kflow *f, const char *id, uint32_t *out, int max);

/* The id of long-press popup variant i ("key-ā"). */
const char *kflow_variant_id(const kflow *f, int i, char *buf, unsigned cap);

/* Input-method composition in progress (SDL_TEXTEDITING), shown inline. */
int kflow_preedit(kflow *f, const char *utf8, int64_t now_ms);

/* The time at which the flow next wants a tick (idle prompt, done screen),
 * or -1 if it waits for input only.  The UI sleeps until then. */
int64_t kflow_deadline(const kflow *f);

/* The keyboard layout for the focused input, and the one key-layout
 * switches to (for its label). */
const klayout *kflow_layout(const kflow *f, int *nlayouts);
const klayout *kflow_next_layout(const kflow *f);

/* Staff mode (flow_staff.c), called by the flow for staff screens. */
int kflow_staff_tap(kflow *f, const char *id);
void kflow_staff_open(kflow *f);
/* Applies the PIN check's result once its thread finished (wait: waits for
 * it); 1 if it did. */
int kflow_staff_poll(kflow *f, int wait);

/* The survey question shown, or NULL when not on the survey screen. */
const ksurvey_question *kflow_question(const kflow *f);

/* 1 if the survey question shown takes typed text now (a text or number
 * question, or the "Other: ___" write-in). */
int kflow_survey_typing(const kflow *f);

/* The "as typed" suggestion above the keyboard: if Telex changed the word
 * being typed in the focused input, writes the letters as typed to typed
 * and the word as Telex wrote it to composed, and returns 1 (cand-typed
 * puts the letters back); else 0. */
int kflow_typed_suggestion(const kflow *f, char *typed, unsigned tcap, char *composed,
                           unsigned ccap);

/* Name order: 1 for languages that write the family name first (Chinese,
 * Japanese, Korean), for the form, results, thank-you and staff list. */
int kflow_family_first(const char *lang);

/* The form's fields in the order the language asks them (KF_ values). */
void kflow_field_order(const kflow *f, int order[KF_COUNT]);

/* A name as search results show it, never whole: the given name and the
 * family name's initial, in the language's order ("Hương N.", "N. Hương";
 * "陈美玲" for a Han initial in family-first order).  A name written in
 * Han, Kana or Hangul is always in its own order, family first. */
void kflow_masked_name(const char *lang, const char *given, const char *initial, char *out,
                       unsigned cap);

/* A full name in the language's order ("Hương Nguyễn", "Nguyễn Hương"), for
 * staff screens. */
void kflow_full_name(const char *lang, const char *given, const char *family, char *out,
                     unsigned cap);

/* Names of screens and fields as tests know them ("welcome", "field-given"). */
const char *kflow_screen_name(int screen);
const char *kflow_field_id(int field);

/* Validates one field's text; returns NULL or a message (msgid). */
const char *kflow_validate(int field, const char *text);

/* Removes control characters and clamps to max_chars code points, in place. */
void kflow_clean_text(char *s, unsigned max_chars);

#endif
