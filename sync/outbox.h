/*
 * outbox.h - the kiosk's records that the hub has not acknowledged yet,
 * read from the kiosk's own database, and the sync state kept beside them.
 *
 * The outbox opens the kiosk database (data_dir/KIOSK_DB_FILE, made by the
 * store; never created here) on a connection of its own, WAL, with a busy
 * timeout, so it can run in a background thread while the kiosk writes.
 * Reads run in one read transaction (a consistent snapshot; readers never
 * block the writer in WAL); writes are single meta rows in autocommit.
 *
 * Sync state lives in the kiosk's meta table:
 *   sync.url, sync.token, sync.ca      set by `kiosk sync pair`
 *   sync.acked_seq                     the hub's last acknowledgement
 *   sync.last_ok_ms, sync.last_error, sync.last_attempt_ms
 *
 * The tables that travel are listed once, in outbox.c (ksync_tables).
 */
#ifndef KSYNC_OUTBOX_H
#define KSYNC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "kerr.h"

typedef struct ksync_outbox ksync_outbox;

/* Opens the kiosk database of data_dir.  KERR_NOTFOUND if there is none. */
int ksync_outbox_open(ksync_outbox **out, const char *data_dir, kerr *err);
void ksync_outbox_close(ksync_outbox *ob);

/* This kiosk's device id (from meta). */
const char *ksync_outbox_device_id(const ksync_outbox *ob);

/* Counts this device's records with seq > after_seq. */
int ksync_outbox_pending(ksync_outbox *ob, int64_t after_seq, int64_t *count, kerr *err);

/* Fills b (initialised here) with up to max_records of this device's
 * records with seq > after_seq, in seq order, from every table; sets
 * device_id, seq_from = after_seq + 1 and seq_to = the last seq.  b->n is 0
 * when there is nothing to send.  The caller fills batch_id and sent. */
int ksync_outbox_next(ksync_outbox *ob, int64_t after_seq, int max_records, ksync_batch *b,
                      kerr *err);

/* Meta values.  get: KERR_NOTFOUND and buf = "" when unset. */
int ksync_meta_get(ksync_outbox *ob, const char *key, char *buf, size_t cap, kerr *err);
int64_t ksync_meta_get_int(ksync_outbox *ob, const char *key, int64_t dflt);
int ksync_meta_set(ksync_outbox *ob, const char *key, const char *value, kerr *err);
int ksync_meta_set_int(ksync_outbox *ob, const char *key, int64_t value, kerr *err);

#endif
