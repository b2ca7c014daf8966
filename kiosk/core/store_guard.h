/*
 * store_guard.h - the kiosk never quietly loses its store, and never writes
 * to a damaged one (issue 9, items 10 and 11).
 *
 * THE MARKER.  At the first start of a store, a file "device" is written
 * beside kiosk.db holding the store's device id (0600).  It tells later
 * starts that this folder had a store: if kiosk.db is then missing or
 * empty (an operator's ": > kiosk.db", a copy that went wrong), the kiosk
 * refuses to start with a message naming the file and the way on, instead
 * of making a new store with a new device id (which would lose every
 * record and the kiosk's pairing with the hub).  A kiosk.db whose device
 * id is not the marker's (another kiosk's store copied in) is refused the
 * same way.  Folders of older kiosks get their marker at their next start.
 *
 * THE CHECK.  Before anything writes to an existing store, it is checked:
 *   - PRAGMA quick_check over the whole file (every page, b-tree and
 *     record format; about 1-2 s with 100,000 people) unless
 *   - the file is byte for byte as a kiosk left it at its last clean close:
 *     "kiosk.db.clean" records size, modification and change times (ns)
 *     and inode, written after the last connection closed (no -wal left).
 *     Any later write by anything (an editor, dd, a copy, a restore, a
 *     crash that left a -wal) changes them, and the full check runs.  The
 *     record is removed before the first write of every run, so a run that
 *     crashes leaves none.  Then only the pages every sign-in needs first
 *     are checked (quick_check of meta and events).
 * A file that fails is refused with KERR_CORRUPT, and nothing is written to
 * it: it stays byte for byte as it was.  `kiosk store check` runs SQLite's
 * full PRAGMA integrity_check (also every index against its table), read
 * only.
 *
 * RECOVERY (`kiosk store recover`, README "When the store is missing or
 * damaged").  Nothing is ever deleted: what is replaced is renamed to
 * NAME.replaced-YYYYMMDD-HHMMSS beside it.
 *   --from FILE  a copy of this kiosk's store (same device id as the
 *                marker, passes integrity_check) becomes kiosk.db
 *   --new        kiosk.db (if any) and the marker are set aside; the next
 *                start makes a new, empty store with a new device id,
 *                which must be paired with the hub again.
 */
#ifndef KIOSK_STORE_GUARD_H
#define KIOSK_STORE_GUARD_H

#include <sqlite3.h>
#include <stdio.h>

#include "../config.h"
#include "kerr.h"

#define KSTORE_MARKER_FILE "device"
#define KSTORE_CLEAN_SUFFIX ".clean"

/* Reads the marker of the folder of db_path into id ("" if there is none)
 * and refuses (KERR_CORRUPT) a missing or empty db_path when there is one,
 * or a marker that is not a device id. */
int kstore_guard_before(const char *db_path, char id[KIOSK_ID_HEX + 1], kerr *err);

/* Non-zero if db_path is as a kiosk left it at its last clean close. */
int kstore_guard_was_clean(const char *db_path);

/* Forgets the clean-close record (before the first write of a run). */
void kstore_guard_forget(const char *db_path);

/* Records a clean close (after the last connection closed). */
void kstore_guard_closed(const char *db_path);

/* Writes the marker with device id (0600, fsynced). */
int kstore_guard_mark(const char *db_path, const char *id, kerr *err);

/* Checks the open database: PRAGMA quick_check of the whole file if full,
 * else of the tables every sign-in touches first.  KERR_CORRUPT naming
 * the file and the first problem. */
int kstore_guard_check(sqlite3 *db, const char *db_path, int full, kerr *err);

/* `kiosk store check`: PRAGMA integrity_check of kiosk.db in data_dir,
 * read only; the problems (or "ok") are written to out.  0 if ok,
 * KERR_CORRUPT if problems were found, another code if it cannot run. */
int kstore_check_full(const char *data_dir, FILE *out, kerr *err);

/* `kiosk store recover --from FILE`: see RECOVERY.  aside gets where the
 * old file went ("" if there was none). */
int kstore_recover_from(const char *data_dir, const char *backup, char *aside, size_t cap,
                        kerr *err);

/* `kiosk store recover --new`: see RECOVERY. */
int kstore_recover_new(const char *data_dir, char *aside, size_t cap, kerr *err);

#endif
