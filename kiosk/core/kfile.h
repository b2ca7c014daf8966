/*
 * kfile.h - people's data in files only their owner can read.
 *
 * The kiosk's database, its marker, attendance files and sync bundles hold
 * names, phone numbers and e-mail addresses: each is created 0600 and each
 * data folder 0700, whatever the umask (a umask of 0 would otherwise make
 * them world-readable, one of 0277 unwritable).  File systems without
 * Unix modes (FAT and exFAT USB drives, NTFS through FUSE) are left as
 * they are: their mode comes from the mount, and chmod there fails or does
 * nothing.
 */
#ifndef KIOSK_KFILE_H
#define KIOSK_KFILE_H

#include "kerr.h"

#define KFILE_MODE 0600
#define KFILE_DIR_MODE 0700

/* Non-zero if the file system of fd keeps no Unix modes (FAT, exFAT,
 * NTFS through fuseblk). */
int kfile_no_modes(int fd);

/* Sets fd (open on path) to exactly 0600 unless its file system keeps no
 * modes.  KERR_IO naming path if chmod fails where modes exist. */
int kfile_private_fd(int fd, const char *path, kerr *err);

/* Takes group and other permissions away from the folder dir (0700 for a
 * folder we made), unless its file system keeps no modes.  KERR_IO naming
 * dir on failure. */
int kfile_private_dir(const char *dir, kerr *err);

#endif
