/*
 * client.h - the kiosk side of sync: pair with a hub, send every record the
 * hub has not acknowledged (libcurl), write a bundle for a USB stick, read
 * the sync status.  See sync/PROTOCOL.md.
 *
 * Records never leave the kiosk database: "sending" only moves
 * sync.acked_seq forward, and only to what the hub answered after its
 * commit.  Any failure (no network, connection cut, hub down or full)
 * leaves acked_seq where it was, so the next run sends the same records
 * again and the hub's idempotent ingest absorbs the repeats.
 *
 * Every function opens its own database connection and curl handle, so
 * each may run on any thread (the background thread uses them).  Call
 * curl_global_init (ksync_global_init) once from the main thread first.
 */
#ifndef KSYNC_CLIENT_H
#define KSYNC_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kclock.h"
#include "kerr.h"

/* Failure classes of a sync run, for back-off decisions. */
enum {
    KSYNC_ERR_NET = 200,   /* no answer: network, timeout, cut connection */
    KSYNC_ERR_HUB,         /* hub answered 5xx (busy, full, internal) */
    KSYNC_ERR_REFUSED,     /* hub answered 4xx (token, malformed, ...) */
    KSYNC_ERR_UNPAIRED     /* no sync.url / sync.token */
};

typedef struct ksync_opts {
    const kclock *clock;     /* NULL: the system clock */
    int batch_records;       /* 0: KSYNC_BATCH_RECORDS */
    /* Called after each acknowledged batch (and once at the start). */
    void (*progress)(void *ctx, int64_t sent, int64_t total);
    void *progress_ctx;
    atomic_int *cancel;      /* non-zero aborts a transfer in flight */
    int roster_page;         /* changes per roster page asked for; 0: KSYNC_ROSTER_PAGE */
} ksync_opts;

typedef struct ksync_report {
    int64_t pending_before;  /* records waiting when the run began */
    int64_t sent;            /* records acknowledged during the run */
    int64_t pending_after;
    int64_t acked_seq;
    int batches;
    int64_t bytes_sent;      /* request bodies */
    int http_status;         /* of the last request, 0 if none */
    /* the download that follows a complete upload (roster.h) */
    int roster_pages;
    int64_t roster_changes;  /* changes received */
    int64_t roster_bytes;    /* response bodies */
    int64_t roster_cursor;
    int roster_skipped;      /* hub surveys refused by the survey check */
    int roster_unsupported;  /* the hub serves no roster (older hub) */
    int roster_paused;       /* stopped at the limit of one sync: more at the next */
    char roster_note[200];   /* what roster_paused says */
} ksync_report;

typedef struct ksync_status {
    int paired;
    char url[256];
    int64_t acked_seq;
    int64_t pending;         /* records waiting for the hub */
    int64_t last_ok_ms;      /* kiosk wall clock of the last good sync, 0 never */
    int64_t last_attempt_ms;
    char last_error[512];    /* "" after a good sync */
    int running;             /* background: a sync is in flight */
    int failures;            /* background: failures in a row */
    int64_t next_in_ms;      /* background: time to the next attempt */
} ksync_status;

/* curl_global_init, once, from the main thread before any other thread. */
int ksync_global_init(kerr *err);

/* Pairs with the hub: POST /v1/pair sends this kiosk's device id and the
 * public half of its bundle-signing key (made here on first use) under the
 * token, then stores URL, token and CA file (https; may be NULL) in the
 * kiosk database.  A hub that refuses (401, 403) changes nothing stored;
 * a hub that does not answer stores them anyway with *confirmed = 0 and
 * the reason in err->msg (err->code 0): the next sync pairs first. */
int ksync_pair(const char *data_dir, const char *url, const char *token, const char *ca_file,
               int *confirmed, kerr *err);
/* This kiosk's device id and the public half of its bundle-signing key
 * (64 hex), made on first use: what `kiosk-hub device add NAME --device-id
 * ID --bundle-key HEX` needs to pair a kiosk that never reaches the hub. */
int ksync_key(const char *data_dir, char device_id[33], char key_hex[65], kerr *err);
/* Forgets URL and token (acked_seq and the signing key are kept). */
int ksync_unpair(const char *data_dir, kerr *err);

/* Sends everything not acknowledged, in batches, until the hub holds it
 * all or a request fails; then downloads the hub's roster (people, events,
 * surveys, aliases, tombstones: roster.h) from where the last download
 * ended.  Records the outcome in meta.  0 or a KSYNC_ERR_
 * / KERR_ code with the message. */
int ksync_run(const char *data_dir, const ksync_opts *o, ksync_report *rep, kerr *err);

/* Writes every record not acknowledged to a bundle in dir; *path gets the
 * file's path and *records the count.  KERR_NOTFOUND if nothing waits. */
int ksync_export(const char *data_dir, const char *dir, const ksync_opts *o, char *path,
                 size_t cap, int64_t *records, kerr *err);

/* Reads the sync status from the kiosk database. */
int ksync_status_read(const char *data_dir, ksync_status *st, kerr *err);

#endif
