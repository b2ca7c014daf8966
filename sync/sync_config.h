/*
 * sync_config.h - limits and defaults of kiosk sync, in one place.
 *
 * The same pattern as kiosk/config.h: every limit is a named constant that a
 * build may override with -DNAME=value.  The protocol (sync/PROTOCOL.md)
 * quotes these numbers; a hub and a kiosk built with different limits still
 * interoperate as long as the kiosk's batches fit the hub's limits.
 */
#ifndef KSYNC_CONFIG_H
#define KSYNC_CONFIG_H

#define KSYNC_PROTOCOL 1            /* version this build speaks */

/* ---- batch limits (both ends) ------------------------------------------ */
#ifndef KSYNC_MAX_BATCH_BYTES
#define KSYNC_MAX_BATCH_BYTES (4 * 1024 * 1024)   /* body of one batch */
#endif
#ifndef KSYNC_MAX_RECORDS
#define KSYNC_MAX_RECORDS 5000      /* records in one batch */
#endif
#ifndef KSYNC_MAX_FIELDS_BYTES
#define KSYNC_MAX_FIELDS_BYTES 16384 /* one record's fields, printed */
#endif
#define KSYNC_TABLE_NAME_MAX 32
#define KSYNC_FIELD_NAME_MAX 64
#define KSYNC_BOOT_ID_MAX 39
#define KSYNC_JSON_INT_MAX 9007199254740992.0   /* 2^53 */

/* ---- kiosk side ---------------------------------------------------------- */
#ifndef KSYNC_BATCH_RECORDS
#define KSYNC_BATCH_RECORDS 5000    /* records per batch the kiosk sends (~1.4 MB) */
#endif
#ifndef KSYNC_INTERVAL_MS
#define KSYNC_INTERVAL_MS 60000     /* background sync, when all is well */
#endif
#ifndef KSYNC_BACKOFF_MAX_MS
#define KSYNC_BACKOFF_MAX_MS 900000 /* longest wait after failures (15 min) */
#endif
#ifndef KSYNC_STATUS_REFRESH_MS
#define KSYNC_STATUS_REFRESH_MS 5000 /* background thread recounts waiting records */
#endif
#ifndef KSYNC_CONNECT_TIMEOUT_MS
#define KSYNC_CONNECT_TIMEOUT_MS 5000
#endif
#ifndef KSYNC_HTTP_TIMEOUT_MS
#define KSYNC_HTTP_TIMEOUT_MS 60000 /* a whole request, upload included */
#endif
#ifndef KSYNC_MAX_BUNDLE_BYTES
#define KSYNC_MAX_BUNDLE_BYTES (512L * 1024 * 1024)
#endif

/* ---- hub ------------------------------------------------------------------- */
#ifndef KHUB_LISTEN
#define KHUB_LISTEN "127.0.0.1:8420"
#endif
#ifndef KHUB_STORE
#define KHUB_STORE "kiosk-hub.db"
#endif
#ifndef KHUB_CONNECTION_TIMEOUT_S
#define KHUB_CONNECTION_TIMEOUT_S 30 /* idle or stalled client is dropped */
#endif
#ifndef KHUB_HEADER_TIMEOUT_S
#define KHUB_HEADER_TIMEOUT_S 10     /* silence before a request's headers are whole */
#endif
#ifndef KHUB_MAX_CONNECTIONS
#define KHUB_MAX_CONNECTIONS 4000    /* open connections in all */
#endif
#ifndef KHUB_MAX_CONNECTIONS_PER_IP
#define KHUB_MAX_CONNECTIONS_PER_IP 64 /* from one address (a venue behind NAT has a few kiosks) */

/* The stack of each connection's thread (hub_http.c: a thread per
 * connection); the pages and the store need far less. */
/* Handles of the store the hub's requests share, one per request while it
 * runs (hub_http.c): seven slow web pages at once still leave one for the
 * kiosks' syncs. */
#ifndef KHUB_STORE_HANDLES
#define KHUB_STORE_HANDLES 8
#endif
#ifndef KHUB_THREAD_STACK_BYTES
#define KHUB_THREAD_STACK_BYTES (2 * 1024 * 1024)
#endif
#endif
#ifndef KHUB_BUSY_TIMEOUT_MS
#define KHUB_BUSY_TIMEOUT_MS 10000
#endif

/* ---- time correction (PROTOCOL.md section 6) ------------------------------ */
#ifndef KSYNC_EARLIEST_WALL_MS
#define KSYNC_EARLIEST_WALL_MS 1704067200000LL   /* 2024-01-01T00:00:00Z */
#endif
#ifndef KSYNC_CLOCK_SKEW_MS
#define KSYNC_CLOCK_SKEW_MS 120000LL             /* 2 minutes */
#endif

#endif
