/*
 * staff.h - staff rights: the PIN, its back-off, and the list of programs.
 *
 * THE PIN.  6 to 8 digits for a new PIN (KIOSK_PIN_MIN_DIGITS..MAX), set
 * with `kiosk staff set-pin`, stored only as an Argon2id hash (libsodium
 * crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE: about 0.2 s and 64 MiB
 * per check) in the setting "staff.pin_hash".  Never stored, logged or
 * echoed in clear.  A hash stored at other limits (or with Argon2i) keeps
 * opening the pad and is replaced by one at today's limits the first time
 * its PIN is typed right.  The kiosk checks a PIN off the screen's thread
 * (kstaff_check_begin/run/end below).
 *
 * WHY SIX DIGITS.  The back-off below only slows guesses typed at the pad.
 * Whoever copies kiosk.db (a lost SD card, a backup left on a USB drive)
 * can test PINs against the hash offline, at about 0.2 s per try and core:
 * every 4-digit PIN in about half an hour on one core, every 6-digit PIN
 * in about 55 core-hours (100 times longer), every 8-digit PIN in about
 * 230 core-days.  PINs of 4 or 5 digits set before the rule (down to
 * KIOSK_PIN_OLD_MIN_DIGITS) keep opening the pad: the hash does not tell
 * a PIN's length, so a short one is recognised when it is typed, and the
 * flow shows staff a notice to set a longer one (result.short_pin).
 *
 * BACK-OFF.  Wrong PINs come in rounds of KIOSK_PIN_TRIES.  The last wrong
 * PIN of a round locks the pad for KIOSK_PIN_LOCK_MS (30 s), doubling with
 * each further round (60 s, 120 s, ...) up to KIOSK_PIN_LOCK_MAX_MS (1 h).
 * While locked, a PIN is not even checked.  A correct PIN (or setting a new
 * one) ends the back-off.  With the defaults, trying every 6-digit PIN at
 * the pad takes decades.
 *
 *      tries_left = TRIES            wrong, tries left > 1: tries_left - 1
 *       +-------+  ------------------------------+
 *       | open  |  <-----------------------------+
 *       +-------+
 *         | wrong, last try of the round: rounds + 1,
 *         | lock_ms = min(LOCK_MS * 2^(rounds - 1), LOCK_MAX_MS)
 *         v
 *       +--------+  lock time counted down on the monotonic clock
 *       | locked | -----------------------------------> open (new round)
 *       +--------+
 *   correct PIN (from open): back to open, rounds = 0, tries_left = TRIES.
 *
 * TIME.  The kiosk's wall clock may jump (a Raspberry Pi without network
 * sets it late, or never), so the lock is not an absolute time.  What is
 * stored is the lock time still to wait ("staff.pin_lock_left_ms"),
 * counted down with the monotonic milliseconds the caller passes (the
 * flow's clock).  It is saved when a lock starts and whenever a PIN is
 * tried while locked, so a restart resumes the lock from the last saved
 * remainder: a restart never shortens a lock, at worst it starts the rest
 * of it again.  A try is counted (saved) BEFORE its hash is checked, so
 * cutting the power during a check does not win a free try.
 *
 * Settings used (strings in the store's meta, never synced):
 *   staff.pin_hash          the Argon2id string ("$argon2id$v=19$...")
 *   staff.pin_failures      wrong PINs in the current round
 *   staff.pin_rounds        rounds that ended in a lock since the last success
 *   staff.pin_lock_left_ms  lock time left when last saved (0: not locked)
 *   staff.programs          the programs staff pick from, one per line
 */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../config.h"
#include "kerr.h"
#include "store.h"

/* Limits (overridable with -DNAME=value, like config.h's). */
#ifndef KIOSK_STAFF_IDLE_MS
#define KIOSK_STAFF_IDLE_MS 120000          /* staff screen locks itself after this */
#endif
#ifndef KIOSK_PIN_MIN_DIGITS
#define KIOSK_PIN_MIN_DIGITS 6              /* a new PIN */
#endif
#ifndef KIOSK_PIN_OLD_MIN_DIGITS
#define KIOSK_PIN_OLD_MIN_DIGITS 4          /* a PIN set before the 6-digit rule */
#endif
#ifndef KIOSK_PIN_MAX_DIGITS
#define KIOSK_PIN_MAX_DIGITS 8
#endif
#ifndef KIOSK_PIN_TRIES
#define KIOSK_PIN_TRIES 5                   /* wrong PINs in a round before a lock */
#endif
#ifndef KIOSK_PIN_LOCK_MS
#define KIOSK_PIN_LOCK_MS 30000             /* first lock; doubles each further round */
#endif
#ifndef KIOSK_PIN_LOCK_MAX_MS
#define KIOSK_PIN_LOCK_MAX_MS 3600000       /* longest lock */
#endif
#ifndef KIOSK_PROGRAMS_MAX
#define KIOSK_PROGRAMS_MAX 24               /* programs staff can choose from */
#endif

/* The PIN pad's view of the back-off: one per running kiosk, not global. */
typedef struct kstaff {
    kstore *store;
    int loaded;                 /* state read from the settings */
    int failures;               /* wrong PINs in this round */
    int rounds;                 /* rounds that ended in a lock */
    int64_t lock_left_ms;       /* lock time left at lock_anchor_ms */
    int64_t lock_anchor_ms;     /* the caller's monotonic time then */
} kstaff;

typedef enum kstaff_status {
    KSTAFF_OK,                  /* right PIN: staff mode may open */
    KSTAFF_WRONG,               /* wrong PIN; tries_left more in this round */
    KSTAFF_LOCKED,              /* locked for lock_ms more (nothing was checked,
                                 * or this wrong PIN started the lock) */
    KSTAFF_NO_PIN               /* no PIN set: say "kiosk staff set-pin" */
} kstaff_status;

typedef struct kstaff_result {
    kstaff_status status;
    int tries_left;             /* KSTAFF_WRONG: before the next lock */
    int64_t lock_ms;            /* KSTAFF_LOCKED: ms to wait */
    int short_pin;              /* KSTAFF_OK with a PIN shorter than
                                 * KIOSK_PIN_MIN_DIGITS (set before the rule):
                                 * staff should set a new one */
} kstaff_result;

/* Binds a back-off state to the store (reads nothing yet). */
void kstaff_init(kstaff *st, kstore *s);

/* Non-zero if a PIN is set (and readable). */
int kstaff_pin_is_set(kstore *s);

/* Checks that pin can be a NEW PIN: KIOSK_PIN_MIN_DIGITS..MAX_DIGITS digits
 * and nothing else; KERR_INVALID with a message saying what is wrong and,
 * for a short one, why six digits (see WHY SIX DIGITS). */
int kstaff_pin_valid(const char *pin, kerr *err);

/* Hashes and stores a new PIN (durable on return) and ends any back-off.
 * About 0.2 s.  st may be NULL (the command line); a kiosk that runs
 * passes its own so that its view is reset too. */
int kstaff_set_pin(kstore *s, kstaff *st, const char *pin, kerr *err);

/* Tries a PIN at monotonic time now_ms (the same clock on every call of
 * one run).  Returns 0 with *r filled, or a KERR_ code if the store
 * failed.  About 0.2 s when it checks a hash; instant when locked. */
int kstaff_check_pin(kstaff *st, const char *pin, int64_t now_ms, kstaff_result *r,
                     kerr *err);

/* ---- a PIN checked off the screen's thread ----
 *
 * kstaff_check_pin in three steps, so that the slow middle one (Argon2id:
 * 64 MiB, about 0.2 s on a PC and about a second on a Pi 3) runs on a
 * thread of its own while the screen keeps drawing and answering:
 *
 *   kstaff_check_begin  caller's thread, store: the back-off, the try
 *                       counted and saved (invariant 2); copies the stored
 *                       hash and the PIN into the check
 *   kstaff_check_run    any thread, no store: the hash; after a right PIN
 *                       whose stored hash is older (Argon2i, or Argon2id at
 *                       other limits), the PIN hashed again at today's
 *   kstaff_check_end    caller's thread, store: the result; a right PIN
 *                       ends the back-off and stores the new hash (only if
 *                       the stored one is still the one checked: a PIN set
 *                       meanwhile from the command line wins); wipes the
 *                       copies
 *
 * kstaff_check_start runs kstaff_check_run on a new thread (or here, if no
 * thread can be made); kstaff_check_done says whether it finished, without
 * waiting; kstaff_check_end waits for it.  Old hashes stay verifiable:
 * crypto_pwhash_str_verify reads Argon2i and Argon2id strings of any
 * limits, and a stored hash is replaced only after its PIN was typed. */
typedef struct kstaff_check {
    int pending;                /* begin left work: run (or start), then end */
    char hash[160];             /* the stored hash when begin ran */
    char pin[KIOSK_PIN_MAX_DIGITS + 1];
    int right;                  /* run: the PIN matches hash */
    char rehash[160];           /* run: the PIN hashed at today's limits, or "" */
    int started;                /* a thread runs kstaff_check_run */
    pthread_t thread;
    atomic_int done;            /* kstaff_check_run finished */
} kstaff_check;

/* Begins a try at now_ms.  Returns 0 with c->pending = 1 (run, then end),
 * or c->pending = 0 and *r final (locked, no PIN); a KERR_ code if the store
 * failed.  c is overwritten. */
int kstaff_check_begin(kstaff *st, const char *pin, int64_t now_ms, kstaff_check *c,
                       kstaff_result *r, kerr *err);

/* The hash (slow; no store, no shared state: any thread). */
void kstaff_check_run(kstaff_check *c);

/* Starts kstaff_check_run on a thread of its own (here, if none can be
 * made); kstaff_check_done is then non-zero once it finished. */
void kstaff_check_start(kstaff_check *c);
int kstaff_check_done(kstaff_check *c);

/* Ends a begun try (waits for its thread) at now_ms: fills *r as
 * kstaff_check_pin does.  c is wiped; c->pending is 0 afterwards. */
int kstaff_check_end(kstaff *st, kstaff_check *c, int64_t now_ms, kstaff_result *r,
                     kerr *err);

/* Lock time left at now_ms (0 if not locked), for the countdown. */
int64_t kstaff_lock_remaining(kstaff *st, int64_t now_ms);

/* Ends any back-off (`kiosk staff unlock`, for staff at the machine). */
int kstaff_reset_backoff(kstore *s, kstaff *st, kerr *err);

/* ---- programs ---- */

/* The default list, one per line. */
#define KSTAFF_DEFAULT_PROGRAMS                                         \
    "youth organizing\nsummer bootcamp\nparent organizing\n"            \
    "college students\nfamily advocacy\ngeneral"

/* Fills names with the configured programs (the setting, else the
 * defaults), at most max; *n gets the count. */
int kstaff_programs(kstore *s, char names[][KIOSK_PROGRAM_BYTES], int max, int *n,
                    kerr *err);

/* Replaces the list: 1..KIOSK_PROGRAMS_MAX names, each 1..KIOSK_PROGRAM_MAX
 * characters without line ends, no two the same.  n = 0 restores the
 * defaults. */
int kstaff_programs_set(kstore *s, const char *const *names, int n, kerr *err);

#endif
