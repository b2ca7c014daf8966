/*
 * usbdrive.c - finding the USB drive an export goes to (see usbdrive.h).
 *
 * The mount table is read with glibc's getmntent_r, which splits the fields
 * (device, mount point, type, options) and undoes the kernel's octal
 * escapes (\040 for a space in a drive's label); hasmntopt finds "ro".
 * Whether a device is removable
 * is read from sysfs: /sys/block/NAME for a whole disk, or
 * /sys/block/DISK/NAME for a partition of DISK.  Nothing here writes.
 *
 * Limits: a device that is not a plain kernel name in /dev (a device
 * mapper or loop device) counts only by its mount point; an NFS or FUSE
 * mount under /media is not a drive (its device is not under /dev/).
 */
#include "usbdrive.h"

#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../config.h"

#define DEFAULT_MOUNTS "/proc/self/mounts"
#define DEFAULT_SYS "/sys/block"
#define DEFAULT_ROOTS "/media/:/run/media/:/mnt/"
#define LINE_BYTES 8192

/* Non-zero if path is strictly inside one of the ':'-separated folders. */
static int under_roots(const char *path, const char *roots)
{
    for (const char *p = roots; *p;) {
        size_t n = strcspn(p, ":"), k = n;
        while (k > 0 && p[k - 1] == '/')
            k--;                            /* the folder without its slashes */
        if (k > 0 && strncmp(path, p, k) == 0 && path[k] == '/' && path[k + 1])
            return 1;
        p += n + (p[n] == ':');
    }
    return 0;
}

/* Reads the first character of a small sysfs file; 0 if unreadable. */
static int read_flag(const char *path)
{
    char c = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fread(&c, 1, 1, f) != 1)
        c = 0;
    fclose(f);
    return c == '1';
}

/* Non-zero if the disk at sysfs folder disk_dir is removable or on USB. */
static int disk_removable(const char *disk_dir)
{
    char path[LINE_BYTES], link[LINE_BYTES];
    snprintf(path, sizeof path, "%s/removable", disk_dir);
    if (read_flag(path))
        return 1;
    ssize_t n = readlink(disk_dir, link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        return strstr(link, "/usb") != NULL;
    }
    return 0;
}

/* Non-zero if /dev/NAME (a disk or a partition) is on a removable disk. */
static int device_removable(const char *device, const char *sys)
{
    char path[LINE_BYTES];
    struct stat sb;
    const char *name = strrchr(device, '/');
    name = name ? name + 1 : device;
    if (!*name || strchr(name, '.'))
        return 0;
    snprintf(path, sizeof path, "%s/%s", sys, name);
    if (stat(path, &sb) == 0)
        return disk_removable(path);
    DIR *d = opendir(sys);                  /* a partition: find its disk */
    int found = 0;
    if (!d)
        return 0;
    struct dirent *e;
    /* A folder that cannot be read to the end (readdir's NULL with errno
     * set) leaves the disk unknown: not removable; the mount-root rule of
     * kusb_find still applies. */
    while (errno = 0, !found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", sys, e->d_name, name);
        if (stat(path, &sb) == 0) {
            snprintf(path, sizeof path, "%s/%s", sys, e->d_name);
            found = 1 + disk_removable(path);
        }
    }
    int read_err = !found && errno != 0;
    closedir(d);
    return !read_err && found == 2;
}

/* Fills the parts of out that describe folder, and checks it as a target:
 * KERR_IO (read-only, cannot write), KERR_FULL, or 0.  what names it in
 * messages ("the USB drive at", "the export folder"). */
static int check_target(const char *folder, int mounted_ro, const kusb_env *env,
                        const char *what, kusb_drive *out, kerr *err)
{
    struct statvfs v;
    struct stat sb;
    long long min_free = env && env->min_free > 0 ? env->min_free
                                                  : KIOSK_EXPORT_MIN_FREE_BYTES;
    snprintf(out->folder, sizeof out->folder, "%s", folder);
    const char *slash = strrchr(folder, '/');
    snprintf(out->label, sizeof out->label, "%s", slash && slash[1] ? slash + 1 : folder);
    if (stat(folder, &sb) != 0)
        return kerr_set(err, KERR_NOTFOUND, "%s %s cannot be used: %s", what, folder,
                        strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return kerr_set(err, KERR_IO, "%s %s is not a folder", what, folder);
    if (statvfs(folder, &v) != 0)
        return kerr_set(err, KERR_IO, "%s %s cannot be used: statvfs: %s", what,
                        folder, strerror(errno));
    if (mounted_ro || (v.f_flag & ST_RDONLY))
        return kerr_set(err, KERR_IO, "%s %s is read-only (is its lock switch on?): "
                        "nothing can be saved on it", what, folder);
    if (access(folder, W_OK | X_OK) != 0) {
        int e = errno;
        if (e == EROFS)
            return kerr_set(err, KERR_IO, "%s %s is read-only (is its lock switch "
                            "on?): nothing can be saved on it", what, folder);
        return kerr_set(err, KERR_IO, "cannot write to %s %s: %s", what, folder,
                        strerror(e));
    }
    out->free_bytes = (long long)v.f_bavail * (long long)v.f_frsize;
    if (out->free_bytes < min_free)
        return kerr_set(err, KERR_FULL, "%s %s is full (%lld KB free): make room "
                        "on it or use another", what, folder, out->free_bytes / 1024);
    return 0;
}

/* Checks one folder as an export target. */
int kusb_check_folder(const char *folder, const kusb_env *env, kusb_drive *out,
                      kerr *err)
{
    if (!folder || !*folder || !out)
        return kerr_set(err, KERR_INVALID, "kusb_check_folder: no folder");
    memset(out, 0, sizeof *out);
    return check_target(folder, 0, env, "the export folder", out, err);
}

/* Finds the first usable drive in the mount table. */
int kusb_find(const kusb_env *env, kusb_drive *out, kerr *err)
{
    const char *mounts = env && env->mounts ? env->mounts : DEFAULT_MOUNTS;
    const char *sys = env && env->sys_block ? env->sys_block : DEFAULT_SYS;
    const char *roots = env && env->roots ? env->roots : DEFAULT_ROOTS;
    char line[LINE_BYTES];
    kerr first = {0};
    int ret = 0, found = 0;
    if (!out)
        return kerr_set(err, KERR_INVALID, "kusb_find: no output");
    memset(out, 0, sizeof *out);
    FILE *f = setmntent(mounts, "r");
    if (!f)
        return kerr_set(err, KERR_IO, "cannot read the mount table %s: %s", mounts,
                        strerror(errno));
    struct mntent ent;
    while (!found && getmntent_r(f, &ent, line, sizeof line)) {
        const char *dev = ent.mnt_fsname, *dir = ent.mnt_dir;
        if (strncmp(dev, "/dev/", 5) != 0 || strcmp(dir, "/") == 0)
            continue;
        int removable = device_removable(dev, sys);
        if (!removable && !under_roots(dir, roots))
            continue;
        kusb_drive d;
        kerr e = {0};
        memset(&d, 0, sizeof d);
        snprintf(d.device, sizeof d.device, "%s", dev);
        snprintf(d.fstype, sizeof d.fstype, "%s", ent.mnt_type);
        d.removable = removable;
        int rc = check_target(dir, hasmntopt(&ent, MNTOPT_RO) != NULL, env, "the USB drive at",
                              &d, &e);
        if (rc == 0) {
            *out = d;
            found = 1;
        } else if (first.code == 0) {
            first = e;
        }
    }
    endmntent(f);
    if (found)
        return 0;
    if (first.code) {
        ret = first.code;
        if (err)
            *err = first;
    } else {
        ret = kerr_set(err, KERR_NOTFOUND, "no USB drive found: plug one in");
    }
    return ret;
}

/* The export target: the configured folder, else the first USB drive. */
int kusb_export_folder(kstore *s, const kusb_env *env, kusb_drive *out, kerr *err)
{
    char folder[4096];
    if (!out)
        return kerr_set(err, KERR_INVALID, "kusb_export_folder: no output");
    memset(out, 0, sizeof *out);
    int ret = s ? kstore_setting_get(s, "export.folder", folder, sizeof folder, NULL)
                : KERR_NOTFOUND;
    if (ret == 0 && folder[0]) {
        ret = check_target(folder, 0, env, "the export folder", out, err);
        out->configured = 1;
        return ret;
    }
    return kusb_find(env, out, err);
}
