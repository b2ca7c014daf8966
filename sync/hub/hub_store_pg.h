/*
 * hub_store_pg.h - the hub's store in PostgreSQL (libpq), for a hub that
 * serves many venues or more than one `kiosk-hub serve` process on one
 * database.  The same contract as the SQLite store (hub_store.h): the
 * functions here are what hub_store.c calls when --store is a PostgreSQL
 * connection URI (postgresql://... or postgres://...: any libpq URI, and
 * libpq's PG* environment variables fill what it leaves out, so
 * "postgresql://" alone takes everything from them); callers use the
 * khub_ functions.
 *
 * Where the data lives: the schema kiosk_hub of the database the URI names
 * (created at first start), tables devices, records, coverage, boots,
 * batch_log as in hub_store.h, and schema_version (one row per migration
 * applied).  The schema is migrated at open under a transaction-scoped
 * advisory lock, so hubs started together migrate once.
 *
 * Exactly-once without a lock inside one process (issue 13):
 *   - records: PRIMARY KEY (device_id, id); a batch goes in with one
 *     INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO NOTHING, the
 *     corrected time computed in the statement from the boots table;
 *   - a device's coverage is changed only under pg_advisory_xact_lock on
 *     its device id, taken first in the ingest transaction: two hubs
 *     storing batches of one device queue on the database, and each sees
 *     what the other committed before it reads;
 *   - the token's device row is read FOR SHARE in the same transaction, so
 *     a revoke waits for ingests in flight and none commits after it;
 *   - one live token per device id: a partial UNIQUE index;
 *   - a hub killed mid-batch leaves an open transaction that the server
 *     rolls back when the connection drops.
 * Serialization failures and deadlocks (SQLSTATE 40001, 40P01) come back
 * as KHUB_BUSY (503: the kiosk sends again).
 *
 * One connection per khub_pg; use it from one thread at a time (the hub's
 * HTTP server calls the store from its one polling thread).  A connection
 * lost between requests is reopened at the next one.
 */
#ifndef KHUB_STORE_PG_H
#define KHUB_STORE_PG_H

#include <stdint.h>
#include <stdio.h>

#include "hub_store.h"

typedef struct khub_pg khub_pg;

/* Connects, creates or migrates the schema.  KERR_IO (cannot connect, no
 * privilege; the message names the server and the database, never the
 * password), KERR_NEWER (schema of a newer hub). */
int khub_pg_open(khub_pg **out, const char *uri, kerr *err);
void khub_pg_close(khub_pg *h);
/* The server and database as "user@host:port/db", for messages. */
const char *khub_pg_where(const khub_pg *h);

void khub_pg_set_ingest_delay(khub_pg *h, int ms);

/* device_id and sign_key_hex: NULL, or the kiosk's id and bundle key to
 * bind the token to at once (offline pairing). */
int khub_pg_device_add(khub_pg *h, const char *name, const char *token_hash, const char *device_id,
                       const char *sign_key_hex, kerr *err);
int khub_pg_device_revoke(khub_pg *h, const char *name, kerr *err);
int khub_pg_device_list(khub_pg *h, FILE *out, kerr *err);
int khub_pg_auth(khub_pg *h, const char *token_hash, char name[KHUB_DEVICE_NAME_MAX + 1],
                 char device_id[33], kerr *err);
int khub_pg_pair(khub_pg *h, const char *token_hash, const char *device_id,
                 const char sign_key_hex[65], char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);
int khub_pg_bundle_keys(khub_pg *h, const char *device_id, unsigned char keys[][32], int max,
                        int *n, char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);

/* token_hash is NULL for a trusted source (a bundle whose signature was
 * checked).  Same contract as khub_ingest_begin/_batch/_end. */
int khub_pg_ingest_begin(khub_pg *h, kerr *err);
int khub_pg_ingest_batch(khub_pg *h, const khub_source *src, const char *token_hash,
                         const ksync_batch *b, khub_result *res, kerr *err);
int khub_pg_ingest_end(khub_pg *h, int ok, khub_result *res, kerr *err);

int khub_pg_acked(khub_pg *h, const char *device_id, int64_t *acked, kerr *err);

/* A read-only query's rows, as text (NULL for SQL NULL); see
 * khub_query in hub_store.h. */
typedef struct khub_pg_rows khub_pg_rows;
int khub_pg_query(khub_pg *h, const char *sql, int nparams, const char *const *params,
                  khub_pg_rows **out, kerr *err);
int khub_pg_rows_next(khub_pg_rows *r);
const char *khub_pg_rows_text(const khub_pg_rows *r, int col);
void khub_pg_rows_free(khub_pg_rows *r);

/* `kiosk-hub copy`: copies devices (with their tokens' hashes, pairing and
 * bundle keys), records, boot anchors and the batch log from an open
 * SQLite hub store into this one, in one transaction; running it again
 * adds nothing.  Coverage is rebuilt from the records held.  A device name
 * that exists here with another token, or a device id held by another live
 * device here, is refused with both names (KERR_DUP), nothing copied.
 * Counts of rows added are written to report. */
struct sqlite3;
int khub_pg_copy_from_sqlite(khub_pg *h, struct sqlite3 *src, FILE *report, kerr *err);

#endif
