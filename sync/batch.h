/*
 * batch.h - the sync batch (sync/PROTOCOL.md section 2): one structure,
 * its JSON encoder and its strict parser, shared by the kiosk and the hub.
 *
 * A batch owns its records and each record owns its fields, kept as the
 * compact JSON text of the "fields" object: the kiosk builds that text from
 * its columns, the hub stores it as it is, and neither needs to know the
 * columns of a table (new tables travel without code changes here).
 *
 * The parser accepts exactly what the protocol allows and on refusal names
 * the first offending member ("records[2].seq: expected an integer").
 * ksync_batch_parse never reads past len and never needs a NUL.
 */
#ifndef KSYNC_BATCH_H
#define KSYNC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "kbuf.h"
#include "kerr.h"
#include "sync_config.h"

typedef struct ksync_record {
    char table[KSYNC_TABLE_NAME_MAX + 1];
    char id[33];
    int64_t seq;
    int64_t wall_ms;
    char boot_id[KSYNC_BOOT_ID_MAX + 1];
    int64_t mono_ms;
    char *fields;          /* compact JSON object text, malloc'd, owned */
} ksync_record;

typedef struct ksync_batch {
    int protocol;
    char device_id[33];
    char batch_id[33];
    int64_t seq_from, seq_to;
    int64_t sent_wall_ms, sent_mono_ms;
    char sent_boot_id[KSYNC_BOOT_ID_MAX + 1];
    ksync_record *recs;
    int n, cap;
} ksync_batch;

/* An empty batch of this build's protocol version. */
void ksync_batch_init(ksync_batch *b);
/* Frees the records; the batch is empty and reusable after. */
void ksync_batch_free(ksync_batch *b);
/* Appends a copy of r, taking ownership of r->fields (set to NULL); 0 or
 * KERR_INTERNAL when memory ran out (fields are freed then too). */
int ksync_batch_take(ksync_batch *b, ksync_record *r, kerr *err);

/* Appends the batch as one line of compact JSON (no newline) to out. */
int ksync_batch_encode(const ksync_batch *b, kbuf *out, kerr *err);

/* Parses and validates text[0..len) into out (initialised here).  0, or
 * KERR_INVALID with a message naming the member; out is empty then. */
int ksync_batch_parse(const char *text, size_t len, ksync_batch *out, kerr *err);

/* Checks the rules of PROTOCOL.md section 2 on a built batch (the encoder's
 * side of the contract); 0 or KERR_INVALID naming the member. */
int ksync_batch_check(const ksync_batch *b, kerr *err);

/* Checks JSON text that cJSON accepted against the protocol's stricter
 * reading: every number an integer written without fraction, exponent or
 * leading zero, of magnitude at most 2^53; every string valid UTF-8 with no
 * raw control character, no \u0000 and no lone surrogate.  0, or
 * KERR_INVALID naming the member ("records[2].seq: expected an integer, got
 * 1.0 ..."). */
int ksync_json_strict(const char *text, size_t len, kerr *err);

/* 1 if s is exactly 32 lower-case hex digits. */
int ksync_is_id(const char *s);

#endif
