/*
 * hub_http.h - the hub's HTTP server (libmicrohttpd), PROTOCOL.md section 3.
 */
#ifndef KHUB_HTTP_H
#define KHUB_HTTP_H

#include <stddef.h>

#include "kerr.h"

typedef struct khub_serve_opts {
    const char *store_path;
    const char *listen;        /* "HOST:PORT" (IPv4); port 0 picks a free one */
    const char *tls_cert;      /* PEM files, both or neither */
    const char *tls_key;
    size_t max_body;           /* bytes; 0 = KSYNC_MAX_BATCH_BYTES */
    long max_pages;            /* test hook: cap the store (0 = none) */
    int ingest_delay_ms;       /* test hook: slow ingest down (0 = none) */
} khub_serve_opts;

/* Serves until SIGINT or SIGTERM.  Prints one JSON line per event to
 * stdout: {"event":"listening","url":...} first, then one per batch. */
int khub_serve(const khub_serve_opts *o, kerr *err);

/* Prints a structured log line: {"ts":<ms>,"event":<event>,<members>}
 * where members is already-encoded JSON ("" for none). */
void khub_log(const char *event, const char *members);

#endif
