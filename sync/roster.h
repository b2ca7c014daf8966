/*
 * roster.h - the kiosk's half of the download (sync/PROTOCOL.md 12): after
 * an upload the kiosk asks the hub for the roster's changes since its
 * cursor, page by page, checks each page whole and applies it to its store
 * in one transaction with the new cursor (kiosk/core/store_roster.c).
 *
 * A page that breaks a rule (not JSON, a number that is not an integer,
 * bad UTF-8, an id that is not 32 hex digits, a name over the kiosk's
 * limits, seqs out of order, more than the limits) is refused whole with a
 * message naming the member, and nothing is applied; a survey that fails
 * the kiosk's survey check is left out (the rest of the page is applied)
 * with a line naming it.  A cut connection, a restarted hub or a full disk
 * keeps every page applied so far: the next sync goes on from the cursor.
 */
#ifndef KSYNC_ROSTER_H
#define KSYNC_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "kclock.h"
#include "store.h"

#define KSYNC_ROSTER_PROTOCOL 2
#ifndef KSYNC_ROSTER_PAGE
#define KSYNC_ROSTER_PAGE 1000             /* changes the kiosk asks for per page */

#endif
#define KSYNC_ROSTER_PAGE_MAX 5000         /* a page with more is refused */
#define KSYNC_ROSTER_MAX_BYTES (8 * 1024 * 1024)  /* a response body over this is refused */
#define KSYNC_ROSTER_HINT_MAX 80

/* What one sync downloads at most: a hub that always says "more" or sends
 * page after page of new people stops here, and the next sync goes on from
 * the cursor.  A roster of 100,000 people is about 100 pages and 10 MB. */
#ifndef KSYNC_ROSTER_RUN_PAGES
#define KSYNC_ROSTER_RUN_PAGES 300                  /* pages per sync */
#endif
#ifndef KSYNC_ROSTER_RUN_BYTES
#define KSYNC_ROSTER_RUN_BYTES (64L * 1024 * 1024)  /* response bytes per sync */
#endif
#define KSYNC_ROSTER_RUN_MS (10L * 60 * 1000)       /* time per sync, by the kiosk's clock */
/* The roster never takes the last of the disk: a page is fetched only while
 * the store can grow by this much more (sign-ups need the room more). */
#ifndef KSYNC_ROSTER_DISK_RESERVE
#define KSYNC_ROSTER_DISK_RESERVE (32L * 1024 * 1024)
#endif

/* A parsed, checked page; the changes' texts point into the parse tree. */
typedef struct ksync_roster_page {
    char roster_id[65];
    int64_t cursor;
    int more, reset;
    kroster_change *changes;
    int n;
    int skipped;                /* surveys left out (failed the check) */
    char skipped_note[512];     /* one line naming them */
    void *tree;                 /* cJSON */
} ksync_roster_page;

/* Parses and checks one page answered to "since" (PROTOCOL.md 12).  0, or
 * KERR_INVALID with a message naming the member ("changes[3].data.id:
 * expected 32 lower-case hex digits"); page is empty then. */
int ksync_roster_parse(const char *text, size_t len, int64_t since, ksync_roster_page *page,
                       kerr *err);
void ksync_roster_page_free(ksync_roster_page *page);

/* What one download did. */
typedef struct ksync_roster_report {
    int pages;
    int64_t changes, applied, bytes, cursor;
    int skipped;                /* surveys refused by the check */
    int hub_without_roster;     /* the hub answered 404: a hub of before issue 12 */
    int paused;                 /* stopped at a limit of one sync with more to come */
    char paused_note[200];      /* which limit, said for a person */
} ksync_roster_report;

/* Downloads and applies pages until the hub has no more (after an upload
 * on curl handle c, whose caller set TLS options), or until a limit of one
 * sync (KSYNC_ROSTER_RUN_*: r->paused, 0 returned; the next sync goes on
 * from the cursor).  page_limit 0: KSYNC_ROSTER_PAGE.  A database that is
 * not the kiosk's own store (an outbox fixture) downloads nothing.  0, or
 * KSYNC_ERR_NET / _HUB / _REFUSED or a store error (KERR_FULL, also when
 * less than KSYNC_ROSTER_DISK_RESERVE is left) with the message; pages
 * applied stay. */
typedef void CURL;
int ksync_roster_pull(CURL *c, const char *data_dir, const kclock *clock, const char *base,
                      const char *auth, const char *device_id, int64_t acked, int page_limit,
                      ksync_roster_report *r, kerr *err);

/* "hub answered 4xx: message" from an error body (client.c). */
struct kbuf;
void ksync_hub_message(const struct kbuf *body, long status, char *out, size_t cap);

#endif
