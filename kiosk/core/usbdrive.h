/*
 * usbdrive.h - where an export goes on the kiosk: the first USB drive that
 * is mounted and writable, or a folder staff configured.
 *
 * A drive is a line of the mount table (/proc/self/mounts) whose device is
 * under /dev/ and either
 *   - is on a removable disk: /sys/block/DISK/removable is 1, or DISK's
 *     sysfs path goes through a USB controller ("/usb"), where DISK is the
 *     device itself or, for a partition (sdb1), the disk that holds it; or
 *   - is mounted under /media/, /run/media/ or /mnt/ (where desktop
 *     automounters, udisks and people put sticks).
 * The root file system is never one.  Drives are tried in mount order; the
 * first that is not mounted read-only, passes access(W_OK) and has at
 * least KIOSK_EXPORT_MIN_FREE_BYTES free is chosen.  When none is, the
 * first problem met is reported, so a person learns why their stick was
 * not used:
 *     KERR_NOTFOUND "no USB drive found: plug one in"
 *     KERR_IO       "the USB drive at /media/kiosk/STICK is read-only ..."
 *     KERR_FULL     "the USB drive at /media/kiosk/STICK is full ..."
 *     KERR_IO       "cannot write to the USB drive at ...: Permission denied"
 *
 * The setting "export.folder" (a folder path) overrides the search: when
 * set, that folder is used and checked the same way.
 *
 * Tests pass a kusb_env with a fake mount table, a fake /sys/block tree and
 * their own mount point roots; NULL members take the real ones.
 */
#ifndef KIOSK_USBDRIVE_H
#define KIOSK_USBDRIVE_H

#include "kerr.h"
#include "store.h"

#ifndef KIOSK_EXPORT_MIN_FREE_BYTES
#define KIOSK_EXPORT_MIN_FREE_BYTES 1048576 /* a drive with less free is "full" */
#endif

typedef struct kusb_env {
    const char *mounts;         /* default "/proc/self/mounts" */
    const char *sys_block;      /* default "/sys/block" */
    const char *roots;          /* ':'-separated mount point prefixes;
                                 * default "/media/:/run/media/:/mnt/" */
    long long min_free;         /* default KIOSK_EXPORT_MIN_FREE_BYTES */
} kusb_env;

typedef struct kusb_drive {
    char folder[4096];          /* where to write (the mount point) */
    char device[256];           /* "/dev/sdb1"; "" for a configured folder */
    char fstype[32];
    char label[256];            /* last part of the folder, for the screen */
    long long free_bytes;
    int removable;              /* sysfs says removable or USB */
    int configured;             /* from the export.folder setting */
} kusb_drive;

/* Finds the first usable drive (see above).  env may be NULL. */
int kusb_find(const kusb_env *env, kusb_drive *out, kerr *err);

/* Checks one folder as an export target (exists, is a folder, writable,
 * not read-only, free space); fills out. */
int kusb_check_folder(const char *folder, const kusb_env *env, kusb_drive *out,
                      kerr *err);

/* The export target of this kiosk: the "export.folder" setting if set,
 * else kusb_find. */
int kusb_export_folder(kstore *s, const kusb_env *env, kusb_drive *out, kerr *err);

#endif
