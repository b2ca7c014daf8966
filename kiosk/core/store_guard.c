/*
 * store_guard.c - the marker, the check before the first write, and
 * recovery (see store_guard.h for the rules).
 *
 * Everything here works on file names and plain SQLite connections, never
 * through a kstore: `kiosk store check` and `kiosk store recover` must work
 * exactly when kstore_open refuses the store.  Files are only ever created
 * (0600, written, fsynced, renamed) or renamed aside; nothing is deleted
 * but the clean-close record.
 */
#define _GNU_SOURCE
#include "store_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kfile.h"

#define GUARD_PATH 4200

/* The path of a file named name in the folder of db_path. */
static void sibling(const char *db_path, const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(db_path, '/');
    int dl = slash ? (int)(slash - db_path) : 1;
    snprintf(out, cap, "%.*s/%s", dl, slash ? db_path : ".", name);
}

/* The folder of db_path. */
static void folder_of(const char *db_path, char *out, size_t cap)
{
    const char *slash = strrchr(db_path, '/');
    snprintf(out, cap, "%.*s", slash ? (int)(slash - db_path) : 1, slash ? db_path : ".");
}

/* Non-zero if id is 32 lower-case hex digits. */
static int is_device_id(const char *id)
{
    return strlen(id) == KIOSK_ID_HEX && strspn(id, "0123456789abcdef") == KIOSK_ID_HEX;
}

/* Writes text to path atomically: path.partial 0600, fsync, rename, fsync
 * of the folder. */
static int write_file(const char *path, const char *text, kerr *err)
{
    char tmp[GUARD_PATH + 16], dir[GUARD_PATH + 16];
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, KFILE_MODE);
    if (fd < 0)
        return kerr_set(err, KERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    size_t n = strlen(text);
    int ret = kfile_private_fd(fd, tmp, err);
    if (ret == 0 && (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0))
        ret = kerr_set(err, KERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    close(fd);
    if (ret == 0 && rename(tmp, path) != 0)
        ret = kerr_set(err, KERR_IO, "cannot rename %s: %s", tmp, strerror(errno));
    if (ret) {
        unlink(tmp);
        return ret;
    }
    folder_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* ---- the marker ---------------------------------------------------------------- */

/* Reads the marker and refuses a lost store. */
int kstore_guard_before(const char *db_path, char id[KIOSK_ID_HEX + 1], kerr *err)
{
    char marker[GUARD_PATH], buf[80];
    struct stat st;
    id[0] = '\0';
    sibling(db_path, KSTORE_MARKER_FILE, marker, sizeof marker);
    FILE *f = fopen(marker, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return kerr_set(err, KERR_IO, "cannot read %s: %s", marker, strerror(errno));
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!is_device_id(buf))
        return kerr_set(err, KERR_CORRUPT, "%s does not hold a device id; the store was "
                        "left as it is: see 'kiosk store recover'", marker);
    memcpy(id, buf, KIOSK_ID_HEX + 1);              /* 32 hex digits and the NUL */
    if (stat(db_path, &st) != 0 && errno == ENOENT)
        return kerr_set(err, KERR_CORRUPT, "%s is missing, but this folder held the store "
                        "of device %.8s (%s); nothing was created. Restore a copy with "
                        "'kiosk store recover --from FILE' or start over with "
                        "'kiosk store recover --new'", db_path, id, KSTORE_MARKER_FILE);
    if (stat(db_path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return kerr_set(err, KERR_CORRUPT, "%s is empty, but this folder held the store of "
                        "device %.8s (%s); nothing was written. Restore a copy with "
                        "'kiosk store recover --from FILE' or start over with "
                        "'kiosk store recover --new'", db_path, id, KSTORE_MARKER_FILE);
    return 0;
}

/* Writes the marker. */
int kstore_guard_mark(const char *db_path, const char *id, kerr *err)
{
    char marker[GUARD_PATH], text[KIOSK_ID_HEX + 2];
    sibling(db_path, KSTORE_MARKER_FILE, marker, sizeof marker);
    snprintf(text, sizeof text, "%s\n", id);
    return write_file(marker, text, err);
}

/* ---- the clean-close record ---------------------------------------------------------- */

/* The fingerprint of db_path as text; -1 if it cannot be read. */
static int fingerprint(const char *db_path, char *out, size_t cap)
{
    struct stat st;
    if (stat(db_path, &st) != 0)
        return -1;
    snprintf(out, cap, "v1 %lld %lld.%09ld %lld.%09ld %llu %llu\n", (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
             st.st_ctim.tv_nsec, (unsigned long long)st.st_ino, (unsigned long long)st.st_dev);
    return 0;
}

/* Non-zero if a non-empty file path exists. */
static int nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Non-zero if db_path is as a kiosk left it. */
int kstore_guard_was_clean(const char *db_path)
{
    char rec[GUARD_PATH + 16], wal[GUARD_PATH + 16], now[160], then[160];
    snprintf(rec, sizeof rec, "%s%s", db_path, KSTORE_CLEAN_SUFFIX);
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    if (nonempty(wal) || fingerprint(db_path, now, sizeof now) != 0)
        return 0;
    FILE *f = fopen(rec, "r");
    if (!f)
        return 0;
    size_t n = fread(then, 1, sizeof then - 1, f);
    fclose(f);
    then[n] = '\0';
    return strcmp(now, then) == 0;
}

/* Forgets the record. */
void kstore_guard_forget(const char *db_path)
{
    char rec[GUARD_PATH + 16];
    snprintf(rec, sizeof rec, "%s%s", db_path, KSTORE_CLEAN_SUFFIX);
    unlink(rec);
}

/* Records a clean close. */
void kstore_guard_closed(const char *db_path)
{
    char rec[GUARD_PATH + 16], wal[GUARD_PATH + 16], now[160];
    snprintf(rec, sizeof rec, "%s%s", db_path, KSTORE_CLEAN_SUFFIX);
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    if (nonempty(wal) || fingerprint(db_path, now, sizeof now) != 0)
        return;                     /* another connection is open: no record */
    write_file(rec, now, NULL);
}

/* ---- checks ----------------------------------------------------------------------- */

/* Runs one check pragma; first gets its first line ("ok" when well). */
static int run_check(sqlite3 *db, const char *sql, char *first, size_t cap, int *problems,
                     FILE *out)
{
    sqlite3_stmt *st = NULL;
    first[0] = '\0';
    *problems = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        line = line ? line : "";
        if (!first[0])
            snprintf(first, cap, "%s", line);
        if (strcmp(line, "ok") != 0) {
            (*problems)++;
            if (out)
                fprintf(out, "%s\n", line);
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        snprintf(first, cap, "%s", sqlite3_errstr(rc));
        (*problems)++;
        if (out)
            fprintf(out, "%s\n", first);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : rc;
}

/* Checks the open database before its first write. */
int kstore_guard_check(sqlite3 *db, const char *db_path, int full, kerr *err)
{
    static const char *const quick[] = {"PRAGMA quick_check(meta)", "PRAGMA quick_check(events)"};
    static const char *const whole[] = {"PRAGMA quick_check"};
    const char *const *sql = full ? whole : quick;
    int n = full ? 1 : 2;
    for (int i = 0; i < n; i++) {
        char first[300];
        int problems = 0;
        run_check(db, sql[i], first, sizeof first, &problems, NULL);
        if (problems)
            return kerr_set(err, KERR_CORRUPT, "%s is damaged (%s: %.200s); nothing was "
                            "written to it. See 'kiosk store check' and 'kiosk store recover'",
                            db_path, sql[i] + 7, first);
    }
    return 0;
}

/* The kiosk.db path of data_dir. */
static int db_path_of(const char *data_dir, char *out, size_t cap, kerr *err)
{
    size_t dl = data_dir ? strlen(data_dir) : 0;
    if (dl == 0)
        return kerr_set(err, KERR_INVALID, "no data folder given");
    int n = snprintf(out, cap, "%s%s%s", data_dir, data_dir[dl - 1] == '/' ? "" : "/",
                     KIOSK_DB_FILE);
    return n < 0 || (size_t)n >= cap ? kerr_set(err, KERR_INVALID, "data folder path is "
                                                "too long") : 0;
}

/* Opens path read-only with the error mapped; *db is NULL on failure. */
static int open_ro(const char *path, sqlite3 **db, kerr *err)
{
    struct stat st;
    *db = NULL;
    if (stat(path, &st) != 0)
        return kerr_set(err, errno == ENOENT ? KERR_NOTFOUND : KERR_IO, "cannot open %s: %s",
                        path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size == 0)
        return kerr_set(err, KERR_CORRUPT, "%s is %s", path,
                        S_ISREG(st.st_mode) ? "empty" : "not a regular file");
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        kerr_set(err, KERR_IO, "cannot open %s: %s", path,
                 *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
        sqlite3_close(*db);
        *db = NULL;
        return KERR_IO;
    }
    return 0;
}

/* Full integrity check, read only. */
int kstore_check_full(const char *data_dir, FILE *out, kerr *err)
{
    char path[GUARD_PATH], first[300];
    sqlite3 *db = NULL;
    int problems = 0;
    int ret = db_path_of(data_dir, path, sizeof path, err);
    if (ret == 0)
        ret = open_ro(path, &db, err);
    if (ret)
        return ret;
    run_check(db, "PRAGMA integrity_check", first, sizeof first, &problems, out);
    sqlite3_close(db);
    if (problems)
        return kerr_set(err, KERR_CORRUPT, "%s is damaged: %d problem%s found by SQLite's "
                        "integrity check (first: %.200s)", path, problems,
                        problems == 1 ? "" : "s", first);
    if (out)
        fprintf(out, "ok\n");
    return 0;
}

/* ---- recovery -------------------------------------------------------------------- */

/* "YYYYMMDD-HHMMSS" of now, local time. */
static void stamp(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 32, "%Y%m%d-%H%M%S", &tm);
}

/* Renames path to path.replaced-STAMP (and its -wal and -shm with it when
 * with_journal); aside gets the new name, "" if path did not exist. */
static int set_aside(const char *path, const char *when, int with_journal, char *aside,
                     size_t cap, kerr *err)
{
    char to[GUARD_PATH + 64], from[GUARD_PATH + 8];
    struct stat st;
    if (aside && cap)
        aside[0] = '\0';
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : kerr_set(err, KERR_IO, "cannot use %s: %s", path,
                                              strerror(errno));
    snprintf(to, sizeof to, "%s.replaced-%s", path, when);
    if (lstat(to, &st) == 0)
        return kerr_set(err, KERR_IO, "%s already exists; try again in a second", to);
    if (with_journal) {
        static const char *const sfx[] = {"-wal", "-shm"};
        for (int i = 0; i < 2; i++) {
            char jto[GUARD_PATH + 80];
            snprintf(from, sizeof from, "%s%s", path, sfx[i]);
            snprintf(jto, sizeof jto, "%s%s", to, sfx[i]);
            if (lstat(from, &st) == 0 && rename(from, jto) != 0)
                return kerr_set(err, KERR_IO, "cannot rename %s: %s", from, strerror(errno));
        }
    }
    if (rename(path, to) != 0)
        return kerr_set(err, KERR_IO, "cannot rename %s: %s", path, strerror(errno));
    if (aside && cap)
        snprintf(aside, cap, "%s", to);
    return 0;
}

/* Reads one text value of the open db; "" if none. */
static void read_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A copy of this kiosk's store becomes kiosk.db. */
int kstore_recover_from(const char *data_dir, const char *backup, char *aside, size_t cap,
                        kerr *err)
{
    char path[GUARD_PATH], marker_id[KIOSK_ID_HEX + 1], id[80], first[300], app[32];
    char tmp[GUARD_PATH + 16], when[32], sql[GUARD_PATH + 64];
    sqlite3 *src = NULL, *dst = NULL;
    int problems = 0;
    kerr ignore = {0};
    if (aside && cap)
        aside[0] = '\0';
    int ret = db_path_of(data_dir, path, sizeof path, err);
    if (ret)
        return ret;
    kstore_guard_before(path, marker_id, &ignore);   /* only the marker's id */
    if ((ret = open_ro(backup, &src, err)) != 0)
        return ret;
    read_text(src, "PRAGMA application_id", app, sizeof app);
    read_text(src, "SELECT value FROM meta WHERE key = 'device_id'", id, sizeof id);
    if (strtoll(app, NULL, 10) != 0x4B494F53 || !is_device_id(id)) {
        ret = kerr_set(err, KERR_CORRUPT, "%s is not a kiosk store; nothing was changed",
                       backup);
        goto done;
    }
    if (marker_id[0] && strcmp(id, marker_id) != 0) {
        ret = kerr_set(err, KERR_INVALID, "%s is the store of device %.8s, but this kiosk is "
                       "%.8s (%s/%s); nothing was changed. Use 'kiosk store recover --new' "
                       "first to give this folder to another store", backup, id, marker_id,
                       data_dir, KSTORE_MARKER_FILE);
        goto done;
    }
    run_check(src, "PRAGMA integrity_check", first, sizeof first, &problems, NULL);
    if (problems) {
        ret = kerr_set(err, KERR_CORRUPT, "%s is damaged too (integrity check: %.200s); "
                       "nothing was changed", backup, first);
        goto done;
    }
    /* A consistent copy (through the backup's -wal, if any) into a private
     * new file, then renamed over: VACUUM INTO wants an empty file. */
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, KFILE_MODE);
    if (fd < 0 || kfile_private_fd(fd, tmp, err) != 0) {
        ret = fd < 0 ? kerr_set(err, KERR_IO, "cannot create %s: %s", tmp, strerror(errno))
                     : KERR_IO;
        if (fd >= 0)
            close(fd);
        goto done;
    }
    close(fd);
    char *q = sqlite3_mprintf("VACUUM INTO %Q", tmp);
    int rc = q ? sqlite3_exec(src, q, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(q);
    if (rc == SQLITE_OK && sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        rc = sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    else if (rc == SQLITE_OK)
        rc = SQLITE_CANTOPEN;
    sqlite3_close(dst);
    if (rc == SQLITE_OK) {
        fd = open(tmp, O_RDONLY | O_CLOEXEC);
        rc = fd >= 0 && fsync(fd) == 0 ? SQLITE_OK : SQLITE_IOERR;
        if (fd >= 0)
            close(fd);
    }
    if (rc != SQLITE_OK) {
        ret = kerr_set(err, KERR_IO, "cannot copy %s to %s: %s; nothing was changed", backup,
                       tmp, sqlite3_errstr(rc));
        unlink(tmp);
        goto done;
    }
    stamp(when);
    ret = set_aside(path, when, 1, aside, cap, err);
    if (ret == 0 && rename(tmp, path) != 0)
        ret = kerr_set(err, KERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (ret) {
        unlink(tmp);
        goto done;
    }
    snprintf(sql, sizeof sql, "%s", data_dir);
    int dfd = open(sql, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    kstore_guard_forget(path);
    if (!marker_id[0])
        ret = kstore_guard_mark(path, id, err);
done:
    sqlite3_close(src);
    return ret;
}

/* The old store and the marker set aside: the next start makes a new one. */
int kstore_recover_new(const char *data_dir, char *aside, size_t cap, kerr *err)
{
    char path[GUARD_PATH], marker[GUARD_PATH], when[32], marker_aside[GUARD_PATH + 64];
    int ret = db_path_of(data_dir, path, sizeof path, err);
    if (ret)
        return ret;
    stamp(when);
    sibling(path, KSTORE_MARKER_FILE, marker, sizeof marker);
    ret = set_aside(path, when, 1, aside, cap, err);
    if (ret == 0)
        ret = set_aside(marker, when, 0, marker_aside, sizeof marker_aside, err);
    kstore_guard_forget(path);
    return ret;
}
