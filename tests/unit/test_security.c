/*
 * test_security.c - issue 9, the kiosk's store and files, attacked from
 * C: the staff PIN against offline guessing (item 13) and files that only
 * their owner can read whatever the umask (item 12).
 *
 *   - A new PIN needs 6 digits, and the refusal says why; a 4-digit PIN
 *     stored by an older kiosk (its Argon2id hash, the old format) still
 *     opens the pad, and the result tells the flow to show a notice.
 *   - Attendance files (CSV and XLSX) are 0600 under umask 0 and under
 *     0277, and a leftover partial file of another mode does not lend it.
 *   - kiosk.db, its -wal and -shm and the device marker are 0600, the data
 *     folder and the parents the store made 0700, under umask 0, 022 and
 *     0277; an older kiosk's 0644 store is narrowed at its next open.
 */
#include <sodium.h>
#include <sys/stat.h>

#include "export.h"
#include "kfile.h"
#include "ktest.h"
#include "staff.h"
#include "store.h"

#define BASE_WALL 1700000000000LL

typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vclock;
    kstore *s;
    kerr err;
} world;

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vclock, BASE_WALL, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "cannot open store: %s\n", w->err.msg);
        exit(1);
    }
}

static void world_close(world *w)
{
    char cmd[128];
    kstore_close(w->s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", w->dir);
}

/* Permission bits of path, or -1. */
static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Item 13: new PINs have 6+ digits; old 4-digit ones still work, flagged. */
static void test_pin_six_digits(void)
{
    world w;
    kstaff st;
    kstaff_result r;
    char hash[crypto_pwhash_STRBYTES];
    world_open(&w);
    kstaff_init(&st, w.s);

    /* 4 and 5 digits are refused for a new PIN, with the reason */
    CHECK_INT(kstaff_set_pin(w.s, &st, "2468", &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "6 to 8 digits") != NULL);
    CHECK(strstr(w.err.msg, "copy of the kiosk's data") != NULL);
    CHECK(strstr(w.err.msg, "half an hour") != NULL);
    CHECK_INT(kstaff_set_pin(w.s, &st, "24680", &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "it has 5") != NULL);
    CHECK(!kstaff_pin_is_set(w.s));

    /* the old format: a 4-digit PIN's hash as an older kiosk stored it */
    CHECK_INT(sodium_init() >= 0, 1);
    CHECK_INT(crypto_pwhash_str(hash, "2468", 4, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
    CHECK_INT(kstore_setting_set(w.s, "staff.pin_hash", hash, &w.err), 0);
    CHECK_INT(kstaff_check_pin(&st, "2468", 1000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_OK);
    CHECK_INT(r.short_pin, 1);
    CHECK_INT(kstaff_check_pin(&st, "2469", 2000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_WRONG);
    CHECK_INT(r.short_pin, 0);
    /* shorter than 4 is never even checked */
    CHECK_INT(kstaff_check_pin(&st, "246", 3000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_WRONG);

    /* a new 6-digit PIN: no notice */
    CHECK_INT(kstaff_set_pin(w.s, &st, "246813", &w.err), 0);
    CHECK_INT(kstaff_check_pin(&st, "2468", 4000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_WRONG);
    CHECK_INT(kstaff_check_pin(&st, "246813", 5000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_OK);
    CHECK_INT(r.short_pin, 0);
    sodium_memzero(hash, sizeof hash);
    world_close(&w);
}

/* Writes one export of w's store to path; returns kexport_write's code. */
static int export_to(world *w, kexport_format f, const char *path)
{
    kexport_opts o;
    memset(&o, 0, sizeof o);
    o.format = f;
    return kexport_write(w->s, &o, path, NULL, &w->err);
}

/* Item 12: attendance files are 0600 whatever the umask. */
static void test_export_private(void)
{
    world w;
    kevent e;
    kperson p = {.given = "Lan", .family = "Nguyen", .phone = "555 0100"};
    char path[128], partial[160];
    world_open(&w);
    CHECK_INT(kstore_event_add(w.s, "Parent Night", "general", "", &e, &w.err), 0);
    CHECK_INT(kstore_signup(w.s, &p, e.id, &w.err), 0);

    static const mode_t masks[] = {0, 022, 0277};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        mode_t old = umask(masks[i]);
        snprintf(path, sizeof path, "%s/a%zu.csv", w.dir, i);
        CHECK_INT(export_to(&w, KEXPORT_CSV, path), 0);
        CHECK_INT(mode_of(path), 0600);
        snprintf(path, sizeof path, "%s/a%zu.xlsx", w.dir, i);
        CHECK_INT(export_to(&w, KEXPORT_XLSX, path), 0);
        CHECK_INT(mode_of(path), 0600);
        umask(old);
    }
    /* a partial file left world-readable by a crash does not lend its mode */
    snprintf(path, sizeof path, "%s/b.csv", w.dir);
    snprintf(partial, sizeof partial, "%s/b.csv.partial", w.dir);
    FILE *f = fopen(partial, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    chmod(partial, 0666);
    mode_t old = umask(0);
    CHECK_INT(export_to(&w, KEXPORT_CSV, path), 0);
    umask(old);
    CHECK_INT(mode_of(path), 0600);
    world_close(&w);
}

/* kfile_private_dir takes group and other bits away, keeps the owner's. */
static void test_private_dir(void)
{
    char dir[64];
    kerr err = {0};
    ktest_tmpdir(dir, sizeof dir);
    chmod(dir, 0755);
    CHECK_INT(kfile_private_dir(dir, &err), 0);
    CHECK_INT(mode_of(dir), 0700);
    CHECK_INT(kfile_private_dir("/nonexistent/kiosk-folder", &err), KERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/kiosk-folder") != NULL);
    rmdir(dir);
}

/* Item 12: the store's files 0600 and its folder 0700, whatever the umask;
 * an older store's 0644 narrowed. */
static void test_store_private(void)
{
    static const mode_t masks[] = {0, 022, 0277};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char base[64], dir[128], path[192];
        kclock clock;
        kclock_virtual vc;
        kstore *s = NULL;
        kerr err = {0};
        kevent e;
        ktest_tmpdir(base, sizeof base);
        snprintf(dir, sizeof dir, "%s/a/b", base);    /* parents made too */
        kclock_virtual_init(&clock, &vc, BASE_WALL, NULL);
        mode_t old = umask(masks[i]);
        CHECK_INT(kstore_open(&s, dir, &clock, &err), 0);
        if (s)
            CHECK_INT(kstore_event_add(s, "Night", "general", "", &e, &err), 0);
        umask(old);
        CHECK_INT(mode_of(dir), 0700);
        snprintf(path, sizeof path, "%s/a", base);
        CHECK_INT(mode_of(path), 0700);
        static const char *const files[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "device"};
        for (int f = 0; f < 4; f++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[f]);
            CHECK_INT(mode_of(path), 0600);
        }
        kstore_close(s);
        /* an older kiosk's 0644 store in a 0755 folder: narrowed at open */
        snprintf(path, sizeof path, "%s/kiosk.db", dir);
        chmod(path, 0644);
        chmod(dir, 0755);
        CHECK_INT(kstore_open(&s, dir, &clock, &err), 0);
        CHECK_INT(mode_of(path), 0600);
        CHECK_INT(mode_of(dir), 0700);
        kstore_close(s);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", base);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", base);
    }
}

int main(void)
{
    RUN(test_pin_six_digits);
    RUN(test_export_private);
    RUN(test_private_dir);
    RUN(test_store_private);
    return ktest_summary();
}
