/*
 * hub_store.h - the hub's store: paired devices, records ingested
 * exactly once, per-device acknowledgement, boot time anchors.
 *
 * One interface, two backends (hub_store.c picks by the --store text):
 * a path is an SQLite file (hub_store_sqlite.c, the default and what the
 * rest of this comment describes); a PostgreSQL connection URI
 * (postgresql://... or postgres://...) is a database that several hub
 * processes may share (hub_store_pg.c, which says how it keeps the same
 * contract with constraints and transactions).
 *
 * One file, WAL, synchronous=FULL: when khub_ingest returns 0 the batches
 * are on disk and the acked_seq it reports may be sent to the kiosk.  Any
 * number of processes (the server, `kiosk-hub import`, `export`) may open
 * the same file; writers queue on SQLite's lock with a busy timeout.
 *
 * The file is created 0600 (an older, looser one is tightened at open): it
 * holds people's names and contacts.
 *
 * Tables (schema version 2, PRAGMA user_version; version 1 is migrated at
 * open, see khub_migrate_1_2):
 *   devices(name PK, token_hash UNIQUE, device_id, created_ms, revoked_ms,
 *           paired_ms, sign_key)    device_id and sign_key (Ed25519 public
 *                                   key, hex) are set by pairing
 *   records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields,
 *           corrected_ms, time_source, received_ms; PK(device_id, id))
 *   coverage(device_id, lo, hi)   seq ranges whose records are held, merged
 *   boots(device_id, boot_id, recv_ms, mono_ms)   first anchor of a boot
 *   batch_log(batch_id, device_id, seq_from, seq_to, records, stored,
 *             duplicates, received_ms, source)
 */
#ifndef KHUB_STORE_H
#define KHUB_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "batch.h"
#include "kerr.h"

/* Error codes beyond kerr.h's, for the HTTP status they map to. */
enum {
    KHUB_UNAUTHORIZED = 100,  /* 401: unknown or revoked token */
    KHUB_FORBIDDEN,           /* 403: token bound to another device */
    KHUB_BUSY,                /* 503: store locked past the busy timeout */
    KHUB_NOT_PAIRED           /* 403: token or device id not paired yet */
};

#define KHUB_TOKEN_LEN 69          /* "khub_" + 64 hex */
#define KHUB_DEVICE_NAME_MAX 64

typedef struct khub khub;

/* Where a group of batches came from. */
typedef struct khub_source {
    const char *token;     /* bearer token; NULL = trusted (bundle import) */
    int64_t recv_ms;       /* hub clock when the request arrived */
    int anchor;            /* 1: recv_ms may anchor the sending boot (HTTP) */
    const char *label;     /* "http" or the bundle's file name, for batch_log */
} khub_source;

typedef struct khub_result {
    int records, stored, duplicates;
    int64_t acked_seq;                       /* of the last batch's device */
    char device_name[KHUB_DEVICE_NAME_MAX + 1];  /* "" for trusted sources */
    char device_id[33];
} khub_result;

/* Opens (creates, migrates) the store: an SQLite file path, or a
 * PostgreSQL connection URI (postgresql://... or postgres://...). */
int khub_open(khub **out, const char *path, kerr *err);
void khub_close(khub *h);

/* Test hooks: cap the file size in pages (writes past it fail as on a full
 * disk; SQLite only, KERR_INVALID on PostgreSQL), and sleep ms between
 * record inserts inside the transaction (on PostgreSQL, ms per record
 * after the batch's insert, before its commit). */
int khub_limit_pages(khub *h, long pages, kerr *err);
void khub_set_ingest_delay(khub *h, int ms);

/* The hash both stores keep of a device token: BLAKE2b-256, 64 hex digits. */
void khub_token_hash(const char *token, char hex[65]);

/* The text of a string member of a record's fields (a flat JSON object, as
 * the batch parser prints it), decoded as SQLite's json_extract and
 * PostgreSQL's ->> decode it; malloc'd, or NULL when the member is absent
 * or not a string (or memory ran out).  Ingest stores event_id and
 * person_id in columns with it (schema 5, see hub_store_sqlite.c). */
char *khub_field_text(const char *fields, const char *key);

/* The hub's clock, Unix ms. */
int64_t khub_now_ms(void);

/* Pairs a new device: makes a token, stores its hash, writes the token
 * (KHUB_TOKEN_LEN chars + NUL) into token_out.  KERR_DUP if the name exists. */
int khub_device_add(khub *h, const char *name, char token_out[KHUB_TOKEN_LEN + 1], kerr *err);
/* The same, binding the new token at once to the kiosk's device id and its
 * Ed25519 bundle key (from `kiosk sync key`): pairing without a network.
 * KHUB_FORBIDDEN if another live device holds the id. */
int khub_device_add_bound(khub *h, const char *name, const char *device_id,
                          const unsigned char *sign_pk, char token_out[KHUB_TOKEN_LEN + 1], kerr *err);
/* Revokes a device's token at once.  KERR_NOTFOUND if no such name. */
int khub_device_revoke(khub *h, const char *name, kerr *err);
/* Prints one line per device: name, state, device id, records held. */
int khub_device_list(khub *h, FILE *out, kerr *err);

/* Checks a token without writing: fills name and the bound device id ("" if
 * unbound).  KHUB_UNAUTHORIZED if unknown or revoked. */
int khub_auth(khub *h, const char *token, char name[KHUB_DEVICE_NAME_MAX + 1],
              char device_id[33], kerr *err);

/* Pairing (PROTOCOL.md 3): binds the live token to the kiosk's device id
 * and its bundle key, in one transaction.  KHUB_UNAUTHORIZED (unknown or
 * revoked token), KHUB_FORBIDDEN (token paired with another id, or the id
 * held by another live token), KERR_INVALID (bad id).  Re-pairing the same
 * token with the same id replaces the key.  name gets the device's name. */
int khub_pair(khub *h, const char *token, const char *device_id, const unsigned char sign_pk[32],
              char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);

/* The Ed25519 public keys (up to max) of the live devices paired with
 * device_id, for checking a bundle's signature; name gets a device name.
 * KHUB_NOT_PAIRED (no device, or paired before keys existed) or
 * KHUB_UNAUTHORIZED (revoked) with a message saying what to do. */
int khub_bundle_keys(khub *h, const char *device_id, unsigned char keys[][32], int max, int *n,
                     char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);

/* Stores nb batches in one transaction (PROTOCOL.md section 4): all or
 * nothing.  Returns 0, KHUB_UNAUTHORIZED, KHUB_FORBIDDEN, KHUB_NOT_PAIRED,
 * KERR_FULL, KHUB_BUSY, KERR_IO or KERR_INTERNAL. */
int khub_ingest(khub *h, const khub_source *src, const ksync_batch *batches, int nb,
                khub_result *res, kerr *err);

/* The same in steps, so that a bundle is stored batch by batch without
 * holding it in memory: begin, then batch for each (adds to res, which the
 * caller zeroes), then end(ok) commits, or rolls back when ok is 0 or any
 * step failed. */
int khub_ingest_begin(khub *h, kerr *err);
int khub_ingest_batch(khub *h, const khub_source *src, const ksync_batch *b, khub_result *res,
                      kerr *err);
int khub_ingest_end(khub *h, int ok, khub_result *res, kerr *err);

/* The highest seq N such that every record of device_id with seq <= N is held. */
int khub_acked(khub *h, const char *device_id, int64_t *acked, kerr *err);

/* The SQLite connection, for tests and benchmarks of the SQLite store;
 * NULL on PostgreSQL. */
struct sqlite3 *khub_db(khub *h);

/* 1 if the store is PostgreSQL. */
int khub_is_pg(const khub *h);

/* The read-only queries of the merged export and `kiosk-hub events`, each
 * written in both SQL dialects in hub_store.c; columns in this order.  A
 * person is "DEVICE_ID:PERSON_ID" (ids belong to their device). */
typedef enum khub_query_id {
    KHUB_Q_EVENT_PREFIX,   /* $1 id prefix: id, name, date, program (at most 2 rows) */
    KHUB_Q_EVENTS_ON_DATE, /* $1 date: id, name */
    KHUB_Q_CHECKINS,       /* $1 event id: person, corrected_ms, is_new (0/1), given,
                              family, phone, email, zip */
    KHUB_Q_ANSWERS,        /* $1 event id: person, survey_key, question_key, value,
                              device_id, seq, corrected_ms */
    KHUB_Q_EVENTS_LIST     /* id, date, name, kiosk, check-ins */
} khub_query_id;

typedef struct khub_rows khub_rows;

/* Runs query q with its text parameters; rows are read with next. */
int khub_query(khub *h, khub_query_id q, const char *const *params, int nparams,
               khub_rows **out, kerr *err);
/* 1: a row is current; 0: no more rows; otherwise an error code (err set). */
int khub_rows_next(khub_rows *r, kerr *err);
/* The column's text, NULL when it is NULL; valid until the next call. */
const char *khub_rows_text(khub_rows *r, int col);
/* The column as an integer (0 when NULL). */
int64_t khub_rows_int(khub_rows *r, int col);
void khub_rows_free(khub_rows *r);

/* ---- the roster: what travels back to kiosks (PROTOCOL.md 12, issue 12) ---------
 *
 * Tables (SQLite schema 3, PostgreSQL migration 2):
 *   roster(seq PK, key UNIQUE, kind, body)   the change log kiosks download:
 *       one row per thing ("person:ID", "event:ID", "survey:KEY"), moved to
 *       a new, higher seq whenever it changes, so a kiosk's cursor is the
 *       highest seq it applied and a kiosk away for a season gets each thing
 *       once, in its latest state; kind is person, alias, forget, event or
 *       survey; body is the change's JSON object.
 *   people_ids(id PK, device_id, alias_of, forgotten_ms)   every person id
 *       the hub holds: the device whose record came first (the roster's
 *       copy), the id it was merged into, when it was forgotten.
 *   person_keys(key, id)   the section 7 match keys of each person id
 *       (folded name with phone digits, with e-mail): a new record sharing
 *       one with an earlier id becomes that id's alias (PROTOCOL.md 12).
 *       Personal data: a forgotten person's keys are deleted.
 *   hub_meta(key PK, value)   roster_id: random, made with the store; a
 *       kiosk that sees another one starts its download again from 0.
 * Events made at the hub are records of the device KHUB_HUB_DEVICE_ID (no
 * kiosk can pair with that id), so exports and `events` see them as any. */
#define KHUB_HUB_DEVICE_ID "00000000000000000000000000000000"
#define KHUB_ROSTER_PAGE_DEFAULT 1000   /* changes per download page */
#define KHUB_ROSTER_PAGE_MAX 5000
#define KHUB_ROSTER_PAGE_BYTES (4 * 1024 * 1024)  /* a page stops before this */

/* Makes an event at the hub (a record of KHUB_HUB_DEVICE_ID) that every
 * kiosk downloads; date is YYYY-MM-DD or NULL/"" for today (hub's local
 * time), survey_key and link NULL or "" for none.  id_out gets the new id.
 * KERR_INVALID naming the bad argument. */
int khub_event_add(khub *h, const char *name, const char *program, const char *date,
                   const char *survey_key, const char *link, char id_out[33], kerr *err);

/* Adds (or replaces, by its key) a survey file the kiosks download; the
 * text must pass kiosk/core/survey.c's check (KERR_INVALID with its first
 * problems otherwise).  key_out gets the survey's key, version_out its
 * version. */
int khub_survey_add(khub *h, const char *text, size_t len, const char *label, char key_out[65],
                    int *version_out, kerr *err);

/* Staff say other_id is the same person as keep_id: other_id (and every id
 * already merged into it) becomes an alias of keep_id (or of the id
 * keep_id is itself merged into), and the aliases travel to kiosks.
 * Merging ids that are already one person is a no-op.  KERR_NOTFOUND for
 * an id the hub does not hold, KERR_INVALID for a bad or forgotten id or
 * keep_id == other_id. */
int khub_person_merge(khub *h, const char *keep_id, const char *other_id, kerr *err);

/* Forgets a person (and every id merged with them): the personal fields of
 * every people record of theirs are erased at the hub (given, family,
 * phone, email, zip; records that arrive later under those ids are erased
 * as they arrive), and a tombstone travels to every kiosk.  Check-ins and
 * answers stay, so exports keep an anonymous row and counts stay right.
 * KERR_NOTFOUND for an id the hub does not hold. */
int khub_person_forget(khub *h, const char *person_id, kerr *err);

/* One page of the roster for a kiosk (GET /v2/devices/ID/roster): the token
 * must be live and paired with device_id (KHUB_UNAUTHORIZED, KHUB_NOT_PAIRED,
 * KHUB_FORBIDDEN as for ack).  Writes the response JSON into out (a kbuf):
 *   {"protocol":2,"roster_id":"…","cursor":N,"more":true|false,
 *    "changes":[{"seq":S,"kind":"person",…},…]}
 * with the changes after `since`, at most `limit` (1..KHUB_ROSTER_PAGE_MAX)
 * and about KHUB_ROSTER_PAGE_BYTES; cursor is the last seq given (or since
 * when none; 0 with "reset":true when since is past the hub's last change,
 * a hub restored from a backup). */
struct kbuf;
int khub_roster_page(khub *h, const char *token, const char *device_id, int64_t since, int limit,
                     struct kbuf *out, char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);

/* The people the hub holds, for staff (one row per id that is not merged
 * into another and not forgotten): id, given, family, zip, device name,
 * ids merged into it (comma-separated or "").  query: "" for all, else
 * folded-name substring; at most limit rows, by family then given name. */
int khub_people_list(khub *h, const char *query, int limit, khub_rows **out, kerr *err);

/* One statement in the store's dialect (lite for SQLite, pg for
 * PostgreSQL), text parameters; rows into *out when out is not NULL (read
 * with khub_rows_next), else run to completion.  For the store's own
 * modules and tests. */
int khub_sql(khub *h, const char *lite, const char *pg, const char *const *params, int nparams,
             khub_rows **out, kerr *err);
/* Transaction: 'b' begin (SQLite: IMMEDIATE), 'c' commit, 'r' roll back. */
int khub_tx(khub *h, char what, kerr *err);

/* `kiosk-hub copy`: moves everything of an SQLite store (src) into a
 * PostgreSQL one (dst) in one transaction, idempotently (hub_store_pg.h,
 * khub_pg_copy_from_sqlite); a line of counts goes to report. */
int khub_copy(khub *dst, khub *src, FILE *report, kerr *err);

#endif
