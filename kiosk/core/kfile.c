/*
 * kfile.c - private files and folders (see kfile.h).
 *
 * Modes are set with fchmod/chmod after creation rather than trusted to
 * open(2)'s mode argument, which the umask can only narrow: the result is
 * 0600 / 0700 exactly.  A folder keeps its owner's bits as they are (a
 * folder that is u-w is refused later by whoever needs to write in it),
 * and only loses group and other bits, so that pointing --data at an
 * existing folder never makes it less usable to its owner.
 */
#define _GNU_SOURCE
#include "kfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define FS_MSDOS 0x4d44       /* MSDOS_SUPER_MAGIC: FAT12/16/32, vfat */
#define FS_EXFAT 0x2011BAB0
#define FS_FUSE 0x65735546    /* fuseblk: ntfs-3g, exfat-fuse */

/* Non-zero if the file system keeps no Unix modes. */
static int no_modes(const struct statfs *fs)
{
    unsigned long t = (unsigned long)fs->f_type;
    return t == FS_MSDOS || t == FS_EXFAT || t == FS_FUSE;
}

/* Non-zero if fd's file system keeps no Unix modes. */
int kfile_no_modes(int fd)
{
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 && no_modes(&fs);
}

/* fd to exactly 0600. */
int kfile_private_fd(int fd, const char *path, kerr *err)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 07777) == KFILE_MODE)
        return 0;
    if (kfile_no_modes(fd))
        return 0;
    if (fchmod(fd, KFILE_MODE) != 0)
        return kerr_set(err, KERR_IO, "cannot make %s private (chmod 600): %s", path,
                        strerror(errno));
    return 0;
}

/* dir without group and other permissions. */
int kfile_private_dir(const char *dir, kerr *err)
{
    struct stat st;
    struct statfs fs;
    if (stat(dir, &st) != 0)
        return kerr_set(err, KERR_IO, "cannot use folder %s: %s", dir, strerror(errno));
    if ((st.st_mode & 077) == 0 || (statfs(dir, &fs) == 0 && no_modes(&fs)))
        return 0;
    if (chmod(dir, st.st_mode & 07700) != 0)
        return kerr_set(err, KERR_IO, "cannot make folder %s private (chmod 700): %s", dir,
                        strerror(errno));
    return 0;
}
