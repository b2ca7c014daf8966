/*
 * flow_staff.c - staff mode: the PIN pad, the event at a glance, choosing
 * or creating an event, attendance files, a person's code, shutdown.
 *
 *   welcome --hold staff-corner 3 s--> staff-pin --right PIN--> staff
 *   staff --btn-events--> staff-events --event-N--> staff
 *   staff --btn-new-event--> staff-event-new --btn-create--> staff
 *   staff --btn-export--> staff-export (btn-export-csv / -xlsx) --btn-back--> staff
 *   staff --checkin-N--> staff-person (btn-revoke-qr, then btn-new-qr) --btn-back--> staff
 *   staff --btn-shutdown--> staff-shutdown --btn-shutdown-confirm--> quit
 *   any staff screen --btn-lock, btn-back on staff, or 2 min idle--> welcome
 *
 * Invariants: staff data (full names, phone numbers) lives in f->staff
 * only while a staff screen shows; kflow_reset clears it.  The PIN is
 * checked by staff.c (Argon2id hash, back-off that survives restarts);
 * the PIN typed is cleared after every try.
 */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "flow_priv.h"
#include "i18n.h"
#include "usbdrive.h"

/* Reads a page of the check-in list next to the row at (keyset: see
 * kstore_checkins_page), one row more than shown to know whether more
 * follow.  Newer rows that no longer fill a page mean the top: the list
 * is read from the newest again (page 0). */
static void load_page(kflow *f, kstore_page_from from, const kcheckin *at)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    kcheckin rows[KFLOW_STAFF_ROWS + 1];
    int n = 0, want = st->page_rows + 1;
    if (from == KSTORE_PAGE_NEWER) {
        if (kstore_checkins_page(f->store, st->event.id, from, at, rows, want, &n, &err) != 0)
            n = 0;
        if (n < want) {                             /* back at the top */
            st->page = 0;
            from = KSTORE_PAGE_TOP;
        } else {                                    /* keep the older page_rows */
            memmove(rows, rows + 1, (size_t)st->page_rows * sizeof *rows);
            memcpy(st->rows, rows, (size_t)st->page_rows * sizeof *rows);
            st->nrows = st->page_rows;
            st->more = 1;
            if (st->page == 0)
                st->page = 1;                       /* newer ones came in since */
            return;
        }
    }
    if (kstore_checkins_page(f->store, st->event.id, from, at, rows, want, &n, &err) != 0) {
        fprintf(stderr, "kiosk: staff list: %s\n", err.msg);
        n = 0;
    }
    st->more = n > st->page_rows;
    st->nrows = st->more ? st->page_rows : n;
    memcpy(st->rows, rows, (size_t)st->nrows * sizeof *rows);
}

/* Reads the figures of the staff home: sync status, the event, its
 * counts (one row of totals) and arrivals (the chart's minutes); 0 if
 * there is a current event.  Cheap enough for every tap. */
static int load_figures(kflow *f)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    memset(&st->sync, 0, sizeof st->sync);
    if (f->sync_status)
        f->sync_status(f->sync_ctx, &st->sync);
    memset(&st->stats, 0, sizeof st->stats);
    st->narrivals = 0;
    if (kstore_event_current(f->store, &st->event, &err) != 0) {
        memset(&st->event, 0, sizeof st->event);
        st->nrows = 0;
        st->more = 0;
        return -1;
    }
    kstore_event_stats(f->store, st->event.id, &st->stats, &err);
    kstore_arrivals(f->store, st->event.id, 15 * 60000, &st->arrivals_start, st->arrivals,
                    KFLOW_STAFF_BUCKETS, &st->narrivals, &err);
    if (st->page_rows < 1 || st->page_rows > KFLOW_STAFF_ROWS)
        st->page_rows = 6;
    return 0;
}

/* Reads what the staff home shows: the figures and a page of check-ins
 * (the page shown before, from its first row, when staff come back to
 * it).  Each read is O(what is shown), not O(check-ins). */
static void load_home(kflow *f)
{
    kflow_staff *st = &f->staff;
    kcheckin first = st->rows[0];
    char shown[sizeof st->event.id];
    memcpy(shown, st->event.id, sizeof shown);
    int keep = st->page > 0 && st->nrows > 0;
    if (load_figures(f) != 0)
        return;
    if (strcmp(shown, st->event.id) != 0)
        keep = 0;                   /* another event now: its list from the top */
    if (!keep)
        st->page = 0;
    load_page(f, keep ? KSTORE_PAGE_AT : KSTORE_PAGE_TOP, keep ? &first : NULL);
}

/* Collects a person's latest answers for the staff screen. */
static int add_answer(const kanswer *a, void *ctx)
{
    kflow_staff *st = ctx;
    if (!a->value[0])
        return 0;   /* cleared */
    if (st->nanswers == (int)(sizeof st->answers / sizeof st->answers[0]))
        return 1;
    snprintf(st->answers[st->nanswers].q, sizeof st->answers[0].q, "%s", a->question_key);
    snprintf(st->answers[st->nanswers].value, sizeof st->answers[0].value, "%s", a->value);
    st->nanswers++;
    return 0;
}

/* Collects events for the chooser. */
static int add_event(const kevent *e, void *ctx)
{
    kflow_staff *st = ctx;
    if (st->nevents == KFLOW_STAFF_EVENTS)
        return 1;
    st->events[st->nevents++] = *e;
    return 0;
}

void kflow_staff_open(kflow *f)
{
    memset(f->staff.pin, 0, sizeof f->staff.pin);
    f->staff.tried = 0;
    f->staff.msg = NULL;
    kstaff_result r = {0};
    if (kstaff_pin_is_set(f->store)) {
        int64_t left = kstaff_lock_remaining(&f->staff.auth, f->now_ms);
        if (left > 0) {
            r.status = KSTAFF_LOCKED;
            r.lock_ms = left;
        } else {
            r.status = KSTAFF_OK;
        }
    } else {
        r.status = KSTAFF_NO_PIN;
    }
    f->staff.result = r;
    kflow_go(f, KS_STAFF_PIN);
    kflow_focus(f, KF_PIN);
}

/* Back to the staff home, fresh figures. */
static void home(kflow *f)
{
    f->staff.msg = NULL;
    kflow_go(f, KS_STAFF);
    load_home(f);
}

/* The result of a PIN try, on the PIN pad or (right) the staff home. */
static void pin_result(kflow *f, int rc, const kstaff_result *r, const kerr *err)
{
    kflow_staff *st = &f->staff;
    st->tried = 1;
    st->result = *r;
    if (rc != 0) {
        fprintf(stderr, "kiosk: staff PIN: %s\n", err->msg);
        st->msg = N_("The PIN could not be checked. See the kiosk's log.");
    }
    if (rc == 0 && r->status == KSTAFF_OK) {
        home(f);
    } else if (f->screen != KS_STAFF_PIN) {
        kflow_go(f, KS_STAFF_PIN);
        kflow_focus(f, KF_PIN);
    }
}

/* pin-ok: the try is counted here; its hash runs on a thread of its own
 * while the screen shows "checking" (kflow_staff_poll takes the result). */
static void pin_ok(kflow *f)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    if (!kstaff_pin_is_set(f->store)) {
        st->result.status = KSTAFF_NO_PIN;
        return;
    }
    kflow_staff_poll(f, 1);     /* an earlier try left running (btn-back): its result first */
    kstaff_result r = {0};
    int rc = kstaff_check_begin(&st->auth, st->pin, f->now_ms, &f->pin_check, &r, &err);
    memset(st->pin, 0, sizeof st->pin);
    if (rc == 0 && f->pin_check.pending) {
        st->msg = NULL;
        kstaff_check_start(&f->pin_check);
        kflow_go(f, KS_CHECKING);
        return;
    }
    pin_result(f, rc, &r, &err);
}

int kflow_staff_poll(kflow *f, int wait)
{
    if (!f->pin_check.pending || (!wait && !kstaff_check_done(&f->pin_check)))
        return 0;
    kerr err = {0};
    kstaff_result r = {0};
    int rc = kstaff_check_end(&f->staff.auth, &f->pin_check, f->now_ms, &r, &err);
    if (f->screen == KS_CHECKING)
        pin_result(f, rc, &r, &err);
    else if (rc != 0)           /* left with btn-back: only the log hears of it */
        fprintf(stderr, "kiosk: staff PIN: %s\n", err.msg);
    return 1;
}

/* Taps on the PIN pad. */
static int tap_pin(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    if (strcmp(id, KID_BACK) == 0) {
        kflow_reset(f);
        return 1;
    }
    if (st->result.status == KSTAFF_NO_PIN)
        return 0;
    if (st->result.status == KSTAFF_LOCKED) {
        int64_t left = kstaff_lock_remaining(&st->auth, f->now_ms);
        if (left > 0) {
            st->result.lock_ms = left;
            return 0;
        }
        st->result.status = KSTAFF_OK;
    }
    if (strcmp(id, KID_PIN_OK) == 0) {
        pin_ok(f);
        return 1;
    }
    if (strcmp(id, KID_PIN_DEL) == 0) {
        size_t n = strlen(st->pin);
        if (n)
            st->pin[n - 1] = '\0';
        return 1;
    }
    const char *digit = kid_rest(id, KID_PIN_);
    if (digit && digit[0] >= '0' && digit[0] <= '9' && !digit[1]) {
        size_t n = strlen(st->pin);
        if (n < 8) {
            st->pin[n] = digit[0];
            st->pin[n + 1] = '\0';
        }
        st->tried = 0;
        return 1;
    }
    return 0;
}

/* Starts the new-event form: today, the first program, no survey. */
static void new_event(kflow *f)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    memset(st->ev_name, 0, sizeof st->ev_name);
    memset(st->ev_date, 0, sizeof st->ev_date);
    memset(st->ev_link, 0, sizeof st->ev_link);
    st->nprograms = 0;
    if (kstaff_programs(f->store, st->programs, KFLOW_PROGRAMS, &st->nprograms, &err) != 0 ||
        st->nprograms == 0) {
        snprintf(st->programs[0], sizeof st->programs[0], "general");
        st->nprograms = 1;
    }
    st->ev_program = 0;
    st->ev_survey = -1;
    st->msg = NULL;
    kflow_go(f, KS_STAFF_EVENT_NEW);
    kflow_focus(f, KF_EV_NAME);
}

/* btn-create: stores the event and makes it current. */
static void create_event(kflow *f)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    if (!st->ev_name[0]) {
        st->msg = N_("Please write the event's name");
        kflow_focus(f, KF_EV_NAME);
        return;
    }
    const ksurvey *sv = st->ev_survey >= 0 ? ksurveys_at(f->surveys, st->ev_survey) : NULL;
    kevent_spec spec = {st->ev_name, st->programs[st->ev_program], st->ev_date,
                        sv ? ksurvey_key(sv) : "", st->ev_link};
    kevent ev;
    if (kstore_event_add2(f->store, &spec, &ev, &err) != 0) {
        fprintf(stderr, "kiosk: new event: %s\n", err.msg);
        st->msg = err.code == KERR_INVALID ? N_("Check the date (YYYY-MM-DD) and the link")
                                           : N_("The event could not be saved. See the kiosk's log.");
        return;
    }
    if (kstore_event_use(f->store, ev.id, &err) != 0)
        fprintf(stderr, "kiosk: new event: %s\n", err.msg);
    home(f);
}

/* Progress of an export, passed on to the screen. */
static int export_progress(void *ctx, long done, long total)
{
    kflow *f = ctx;
    f->staff.export_done = done;
    f->staff.export_total = total;
    f->version++;
    return f->export_progress ? f->export_progress(f->progress_ctx, done, total) : 0;
}

/* Starts writing a file for staff (bundle: a sync bundle, else an
 * attendance file): clears the last result and finds the folder:
 * --export-dir, else the export.folder setting, else the first USB drive
 * that is mounted and writable. */
static int begin_export(kflow *f, int bundle, kusb_drive *drive, kerr *err)
{
    kflow_staff *st = &f->staff;
    st->exporting = 1;
    st->bundle = bundle;
    st->export_done = st->export_total = 0;
    st->export_msg[0] = '\0';
    return f->export_dir && f->export_dir[0]
               ? kusb_check_folder(f->export_dir, NULL, drive, err)
               : kusb_export_folder(f->store, NULL, drive, err);
}

/* Writes the current event's attendance file to a USB drive (or the
 * configured folder): temporary name, flushed, renamed, then safe to
 * remove; any failure leaves nothing under the final name. */
static void do_export(kflow *f, kexport_format fmt)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    kusb_drive drive;
    int rc = begin_export(f, 0, &drive, &err);
    if (rc != 0) {
        st->exporting = 3;
        snprintf(st->export_msg, sizeof st->export_msg, "%s", err.msg);
        return;
    }
    const char *folder = drive.folder;
    const ksurvey *list[KSURVEYS_MAX];
    int n = 0;
    for (int i = 0; i < ksurveys_count(f->surveys) && n < KSURVEYS_MAX; i++)
        list[n++] = ksurveys_at(f->surveys, i);
    kexport_opts o = {0};
    o.format = fmt;
    o.scope.event_id = st->event.id;
    o.surveys = list;
    o.nsurveys = n;
    o.progress = export_progress;
    o.progress_ctx = f;
    char path[1200];
    kexport_result res = {0};
    if (kexport_to_folder(f->store, &o, folder, f->clock ? f->clock->wall_ms(f->clock->ctx) : 0, path, sizeof path, &res,
                          &err) != 0) {
        st->exporting = 3;
        snprintf(st->export_msg, sizeof st->export_msg, "%s", err.msg);
        return;
    }
    st->exporting = 2;
    snprintf(st->export_msg, sizeof st->export_msg, "%s", path);
    st->export_done = st->export_total = res.rows;
}

/* The records the hub has not acknowledged, to the USB drive, for
 * `kiosk-hub import` where there is no network. */
static void do_bundle(kflow *f)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    kusb_drive drive;
    int rc = begin_export(f, 1, &drive, &err);
    if (rc == 0 && !f->sync_bundle)
        rc = kerr_set(&err, KERR_INTERNAL, "sync is not built into this kiosk");
    if (rc == 0)
        rc = f->sync_bundle(f->sync_ctx, drive.folder, st->export_msg, sizeof st->export_msg,
                            &st->bundle_records, &err);
    if (rc == KERR_NOTFOUND) {
        st->exporting = 2;
        st->bundle_records = 0;
    } else if (rc != 0) {
        st->exporting = 3;
        snprintf(st->export_msg, sizeof st->export_msg, "%s", err.msg);
    } else {
        st->exporting = 2;
    }
}

/* btn-lock, on every staff screen past the PIN: welcome, staff data
 * cleared. */
static int lock(kflow *f, const char *id)
{
    if (strcmp(id, KID_LOCK) != 0)
        return 0;
    kflow_reset(f);
    return 1;
}

/* The PIN pad. */
int kflow_tap_staff_pin(kflow *f, const char *id)
{
    return tap_pin(f, id);
}

/* "checking": the hash runs on; only leaving is offered. */
int kflow_tap_checking(kflow *f, const char *id)
{
    if (strcmp(id, KID_BACK) != 0)
        return 0;
    kflow_reset(f);
    return 1;
}

/* The staff home: counts, arrivals, check-ins; the ways out of it. */
int kflow_tap_staff(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        kflow_reset(f);
    } else if (strcmp(id, KID_EVENTS) == 0) {
        st->nevents = 0;
        kstore_event_each(f->store, add_event, st, &err);
        kflow_go(f, KS_STAFF_EVENTS);
    } else if (strcmp(id, KID_NEW_EVENT) == 0) {
        new_event(f);
    } else if (strcmp(id, KID_EXPORT) == 0) {
        st->exporting = 0;
        st->export_msg[0] = '\0';
        kflow_go(f, KS_STAFF_EXPORT);
    } else if (strcmp(id, KID_SHUTDOWN) == 0) {
        kflow_go(f, KS_STAFF_SHUTDOWN);
    } else if (strcmp(id, KID_PAGE_DOWN) == 0 && st->more && st->nrows > 0) {
        kcheckin last = st->rows[st->nrows - 1];
        st->page++;
        if (load_figures(f) == 0)
            load_page(f, KSTORE_PAGE_OLDER, &last);
    } else if (strcmp(id, KID_PAGE_UP) == 0 && st->page > 0) {
        kcheckin first = st->rows[0];
        st->page--;
        if (load_figures(f) == 0)
            load_page(f, st->nrows > 0 ? KSTORE_PAGE_NEWER : KSTORE_PAGE_TOP,
                      st->nrows > 0 ? &first : NULL);
    } else if (kid_rest(id, KID_CHECKIN_)) {
        int i = kflow_id_number(kid_rest(id, KID_CHECKIN_));
        if (i < 1 || i > st->nrows ||
            kstore_person_get(f->store, st->rows[i - 1].person_id, &st->person, &err) != 0)
            return 0;
        st->msg = NULL;
        st->code_stopped = 0;
        st->new_token[0] = '\0';
        st->nanswers = 0;
        kstore_answers_latest(f->store, st->person.id, st->event.id, add_answer, st, &err);
        kflow_go(f, KS_STAFF_PERSON);
    } else if (strcmp(id, KID_DEFAULT_LANG) == 0 && f->nlangs > 0) {
        /* The language each visit starts in: the next one offered. */
        int i = 0;
        while (i < f->nlangs && strcmp(f->langs[i], f->default_lang) != 0)
            i++;
        const char *next = f->langs[(i + 1) % f->nlangs];
        snprintf(f->default_lang, sizeof f->default_lang, "%s", next);
        if (kstore_setting_set(f->store, "default_lang", next, &err) != 0)
            fprintf(stderr, "kiosk: default language: %s\n", err.msg);
    } else {
        return 0;
    }
    return 1;
}

/* Choosing the current event. */
int kflow_tap_staff_events(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        home(f);
        return 1;
    }
    if (kid_rest(id, KID_EVENT_)) {
        int i = kflow_id_number(kid_rest(id, KID_EVENT_));
        if (i < 1 || i > st->nevents)
            return 0;
        if (kstore_event_use(f->store, st->events[i - 1].id, &err) != 0)
            fprintf(stderr, "kiosk: choose event: %s\n", err.msg);
        st->page = 0;
        home(f);
        return 1;
    }
    return 0;
}

/* The new-event form. */
int kflow_tap_staff_event_new(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        home(f);
    } else if (strcmp(id, KID_CREATE) == 0) {
        create_event(f);
    } else if (strcmp(id, KID_PROGRAM) == 0) {
        st->ev_program = (st->ev_program + 1) % st->nprograms;
    } else if (strcmp(id, KID_SURVEY) == 0) {
        int n = ksurveys_count(f->surveys);
        st->ev_survey = st->ev_survey + 1 >= n ? -1 : st->ev_survey + 1;
    } else if (strcmp(id, KID_FIELD_EVENT_NAME) == 0) {
        kflow_focus(f, KF_EV_NAME);
    } else if (strcmp(id, KID_FIELD_EVENT_DATE) == 0) {
        kflow_focus(f, KF_EV_DATE);
    } else if (strcmp(id, KID_FIELD_EVENT_LINK) == 0) {
        kflow_focus(f, KF_EV_LINK);
    } else if (kid_rest(id, KID_KEY_)) {
        return kflow_key_tap(f, id);
    } else {
        return 0;
    }
    return 1;
}

/* Attendance files and sync bundles. */
int kflow_tap_staff_export(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        home(f);
    } else if (strcmp(id, KID_EXPORT_CSV) == 0 && st->exporting != 1) {
        do_export(f, KEXPORT_CSV);
    } else if (strcmp(id, KID_EXPORT_XLSX) == 0 && st->exporting != 1) {
        do_export(f, KEXPORT_XLSX);
    } else if (strcmp(id, KID_EXPORT_SYNC) == 0 && st->exporting != 1) {
        do_bundle(f);
    } else {
        return 0;
    }
    return 1;
}

/* One person: their answers, their check-in code. */
int kflow_tap_staff_person(kflow *f, const char *id)
{
    kflow_staff *st = &f->staff;
    kerr err = {0};
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        memset(&st->person, 0, sizeof st->person);
        st->code_stopped = 0;
        st->new_token[0] = '\0';
        home(f);
    } else if (strcmp(id, KID_REVOKE_QR) == 0) {
        /* At once (the replay contract): a stop is a record, sent to
         * the hub like any other, and records are never taken back.
         * What a mistaken stop needs is a working code for the person:
         * btn-new-qr, offered right under the message. */
        int n = 0;
        st->new_token[0] = '\0';
        if (kstore_qr_revoke(f->store, st->person.id, &n, &err) != 0) {
            fprintf(stderr, "kiosk: revoke code: %s\n", err.msg);
            st->msg = N_("The code could not be revoked. See the kiosk's log.");
            st->code_stopped = 0;
        } else {
            st->msg = n ? N_("Their check-in code no longer works.")
                        : N_("They have no check-in code.");
            st->code_stopped = 1;
        }
    } else if (strcmp(id, KID_NEW_QR) == 0 && st->code_stopped && !st->new_token[0]) {
        /* A new code (the stopped one stays stopped), shown on the
         * screen for the person to photograph. */
        if (kstore_qr_token(f->store, st->person.id, st->new_token, sizeof st->new_token,
                            &err) != 0) {
            fprintf(stderr, "kiosk: new code: %s\n", err.msg);
            st->new_token[0] = '\0';
            st->msg = N_("The code could not be made. See the kiosk's log.");
        } else {
            st->msg = N_("Their new check-in code works now. Let them take a photo of it.");
        }
    } else {
        return 0;
    }
    return 1;
}

/* Shutting the kiosk down, confirmed. */
int kflow_tap_staff_shutdown(kflow *f, const char *id)
{
    if (lock(f, id))
        return 1;
    if (strcmp(id, KID_BACK) == 0) {
        home(f);
    } else if (strcmp(id, KID_SHUTDOWN_CONFIRM) == 0) {
        f->quit = 1;
    } else {
        return 0;
    }
    return 1;
}

int kflow_staff_tap(kflow *f, const char *id)
{
    const kflow_screen *sc = kflow_screen_of(f->screen);
    return sc->idle == KIDLE_LOCK ? sc->tap(f, id) : 0;
}
