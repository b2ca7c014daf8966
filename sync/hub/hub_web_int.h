/*
 * hub_web_int.h - what the web page's files share (hub_web.c: server glue,
 * log-in, layout, events, kiosks, people; hub_web_report.c: survey charts,
 * program report, daily grid; hub_web_data.c: the reads, in both SQL
 * dialects).  Not for use outside sync/hub/hub_web*.c.
 */
#ifndef KHUB_WEB_INT_H
#define KHUB_WEB_INT_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "hub_html.h"
#include "hub_users.h"
#include "hub_web.h"
#include "i18n.h"
#include "kbuf.h"

struct khub_web {
    khub *hub;
    ki18n *cat;
    char *css;              /* the style sheet, inlined into every page */
    char css_sha[64];       /* its SHA-256, base64, for the CSP */
    int tls;                /* cookies get Secure */
};

/* One request being answered. */
typedef struct wreq {
    khub_web *w;
    struct MHD_Connection *c;
    const char *url, *method;
    const char *body;
    size_t len;
    char lang[KI18N_CODE_MAX];
    khub_session sess;
} wreq;

/* The translation of msgid in the request's language. */
const char *wtr(const wreq *r, const char *msgid);

/* The translation of msgid with its {name} placeholders filled: the
 * arguments are name, value pairs ending with NULL. */
void wfmt(const wreq *r, char *out, size_t cap, const char *msgid, ...);

/* Makes a private folder (0700) for a file the hub writes and reads back. */
int wtemp_dir(char *out, size_t cap);

/* A query argument of the request as valid UTF-8, or NULL. */
const char *warg(const wreq *r, const char *name);

/* Begins a page: head, skip link, navigation (nav: the current section's
 * path, "" for none), the h1 title. */
void wpage_begin(wreq *r, kbuf *b, const char *title, const char *nav);
/* Ends the page and queues it. */
enum MHD_Result wpage_send(wreq *r, kbuf *b, unsigned status);
/* A whole page with one message (errors, refusals). */
enum MHD_Result wpage_message(wreq *r, unsigned status, const char *title, const char *text);
/* Queues a file download. */
enum MHD_Result wsend_file(wreq *r, const char *mime, const char *filename, const void *data,
                           size_t len);
/* The hidden CSRF field of the session's forms. */
void wcsrf_field(const wreq *r, kbuf *b);

/* ---- reads (hub_web_data.c) ----------------------------------------------------- */

/* One event as kiosks hold it: several records (one per kiosk that made
 * it) with the same folded name and date are one event. */
typedef struct wkiosk_count {
    char *kiosk;
    long checkins;
} wkiosk_count;

typedef struct wevent {
    char id[33];            /* the record the page links to (the lowest id) */
    char *name, *program, *date;
    char key[600];          /* date + folded name */
    wkiosk_count *kiosks;
    int nkiosks;
    long checkins;
} wevent;

typedef struct wevents {
    wevent *e;
    int n;
} wevents;

/* Every event, newest first, with check-ins per kiosk. */
int wdata_events(khub *h, wevents *out, kerr *err);
void wdata_events_free(wevents *ev);

/* The merged attendance of an event: the CSV of khub_export, parsed back
 * into cells (the formula guard undone), header first. */
typedef struct wtable {
    char ***rows;           /* rows[0] is the header */
    int nrows, ncols;
    char *event_name, *event_date, *event_program;
} wtable;

int wdata_attendance(khub *h, const char *event_id, wtable *t, kerr *err);
void wdata_table_free(wtable *t);

/* One check-in, for the reports: the person's hub key, the event's
 * program, date and folded name. */
typedef struct wvisit {
    const char *person;     /* the person id (interned) */
    const char *program;    /* interned */
    char date[11];
    const char *event_key;  /* interned: date + folded name */
} wvisit;

typedef struct wvisits {
    wvisit *v;
    long n;
    struct wintern *pool;
} wvisits;

int wdata_visits(khub *h, wvisits *out, kerr *err);
void wdata_visits_free(wvisits *v);

/* Given and family name of person ids, looked up in one pass:
 * fn is called for every person record whose key is in keys (sorted). */
int wdata_people_names(khub *h, const char *const *keys, long nkeys,
                       void (*fn)(void *ctx, long i, const char *given, const char *family),
                       void *ctx, kerr *err);

/* ---- pages (hub_web_report.c) --------------------------------------------------- */

enum MHD_Result wpage_answers(wreq *r, const char *event_id);
enum MHD_Result wpage_programs(wreq *r);
enum MHD_Result wpage_grid(wreq *r, int xlsx);

#endif
