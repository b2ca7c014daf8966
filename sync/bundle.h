/*
 * bundle.h - batches on a USB stick (sync/PROTOCOL.md section 5).
 *
 *   KIOSK-BUNDLE 2\n
 *   <batch JSON>\n   (one per line, as sent over HTTP)
 *   END <count> <sha256 of every byte before "END">\n
 *   SIG ed25519 <device_id> <signature of the statement, 128 hex>\n
 *
 * The writer streams batches into DIR/<name>.tmp (0600; DIR is made 0700
 * if missing), then fsyncs, renames to the final name and fsyncs the
 * folder, so a stick pulled out early never holds a .kbundle that looks
 * whole.  The reader refuses anything but a regular file within the size
 * limit before reading, verifies the header, the END line, the count, the
 * checksum and the SIG line's form (pass 1), then hands out one parsed
 * batch at a time (pass 2).  Whether the signature is the kiosk's is for
 * the hub to say: ksync_bundle_check_signature with the key it learnt at
 * pairing.  A bundle is accepted whole or refused whole by the caller.
 */
#ifndef KSYNC_BUNDLE_H
#define KSYNC_BUNDLE_H

#include <stddef.h>

#include "batch.h"
#include "kerr.h"

typedef struct ksync_bundle_writer ksync_bundle_writer;

/* Starts a bundle in dir (which must exist). */
int ksync_bundle_begin(ksync_bundle_writer **out, const char *dir, kerr *err);
/* Appends one batch as a line. */
int ksync_bundle_add(ksync_bundle_writer *w, const ksync_batch *b, kerr *err);
/* Writes the END line and the SIG line (Ed25519 with the kiosk's secret
 * key sign_sk), makes the file durable and names it
 * kiosk-<device_id>-<seq_from>-<seq_to>.kbundle; the full path goes to
 * path (cap bytes).  Frees w whatever happens. */
int ksync_bundle_finish(ksync_bundle_writer *w, const char *device_id,
                        const unsigned char sign_sk[64], long long seq_from, long long seq_to,
                        char *path, size_t cap, kerr *err);
/* Removes the unfinished file and frees w. */
void ksync_bundle_abort(ksync_bundle_writer *w);

/* The statement a bundle's signature signs: "kiosk-bundle-signature 2\n",
 * the device id, "\n", and the END line with its newline.  Returns its
 * length (as snprintf). */
int ksync_bundle_statement(const char *device_id, const char *end_line, char *out, size_t cap);

typedef struct ksync_bundle_reader ksync_bundle_reader;

/* Opens and verifies a bundle (pass 1).  KERR_INVALID with a message that
 * names the file and what is wrong (not a regular file, too large, cut
 * short, checksum, SIG line). */
int ksync_bundle_open(ksync_bundle_reader **out, const char *path, kerr *err);
/* 2 for a signed bundle, 1 for one written before bundles were signed. */
int ksync_bundle_version(const ksync_bundle_reader *r);
/* The device id on the SIG line ("" for version 1). */
const char *ksync_bundle_signer(const ksync_bundle_reader *r);
/* Number of batches. */
int ksync_bundle_count(const ksync_bundle_reader *r);
/* 1 if the SIG line is a valid signature of the bundle under key pk. */
int ksync_bundle_check_signature(const ksync_bundle_reader *r, const unsigned char pk[32]);
/* Pass 2: parses the next batch into b (*done = 1 and b empty after the
 * last).  A batch of another device than the signer is refused. */
int ksync_bundle_next(ksync_bundle_reader *r, ksync_batch *b, int *done, kerr *err);
void ksync_bundle_close(ksync_bundle_reader *r);

#endif
