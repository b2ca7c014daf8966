/*
 * bundle.h - batches on a USB stick (sync/PROTOCOL.md section 5).
 *
 *   KIOSK-BUNDLE 1\n
 *   <batch JSON>\n   (one per line, as sent over HTTP)
 *   END <count> <sha256 of every byte before "END">\n
 *
 * The writer streams batches into DIR/<name>.tmp, then fsyncs, renames to
 * the final name and fsyncs the folder, so a stick pulled out early never
 * holds a .kbundle that looks whole.  The reader verifies the header, the
 * END line, the count and the checksum, then parses every batch, before it
 * returns anything: a bundle is accepted whole or refused whole.
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
/* Writes the END line, makes the file durable and names it
 * kiosk-<device_id>-<seq_from>-<seq_to>.kbundle; the full path goes to
 * path (cap bytes).  Frees w whatever happens. */
int ksync_bundle_finish(ksync_bundle_writer *w, const char *device_id, long long seq_from,
                        long long seq_to, char *path, size_t cap, kerr *err);
/* Removes the unfinished file and frees w. */
void ksync_bundle_abort(ksync_bundle_writer *w);

/* Reads and verifies a bundle.  On success *batches holds *n parsed batches
 * (free each with ksync_batch_free, then the array with free). */
int ksync_bundle_read(const char *path, ksync_batch **batches, int *n, kerr *err);

#endif
