/*
 * staff.c - the staff PIN (Argon2id via libsodium), its back-off, and the
 * configurable list of programs (see staff.h for the rules and the state
 * machine).
 *
 * Invariants:
 *   1. The PIN itself is never stored or copied anywhere but the caller's
 *      buffer and libsodium's hashing; only crypto_pwhash_str's output is
 *      kept ("staff.pin_hash").
 *   2. The back-off state in the settings is never behind what a person at
 *      the pad has seen: a try is saved before its hash is checked, and a
 *      lock before it is reported.  The three back-off settings are written
 *      together in one transaction.
 *   3. Time only ever comes from the caller (now_ms, monotonic within one
 *      run); across runs only a remaining duration is kept.
 */
#include "staff.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

#define KEY_HASH "staff.pin_hash"
#define KEY_FAILURES "staff.pin_failures"
#define KEY_ROUNDS "staff.pin_rounds"
#define KEY_LOCK_LEFT "staff.pin_lock_left_ms"
#define KEY_PROGRAMS "staff.programs"
#define PROGRAMS_BYTES (KIOSK_PROGRAMS_MAX * KIOSK_PROGRAM_BYTES)

/* ---- helpers ---------------------------------------------------------------- */

/* Starts libsodium (idempotent); KERR_INTERNAL if it cannot. */
static int sodium_ready(kerr *err)
{
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: libsodium cannot start");
    return 0;
}

/* Reads an integer setting; dflt if unset or not a number. */
static int64_t setting_int(kstore *s, const char *key, int64_t dflt, int *failed,
                           kerr *err)
{
    char buf[32];
    kerr e = {0};
    int ret = kstore_setting_get(s, key, buf, sizeof buf, &e);
    if (ret == KERR_NOTFOUND)
        return dflt;
    if (ret) {
        *failed = ret;
        if (err)
            *err = e;
        return dflt;
    }
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    return end && end != buf && *end == '\0' && v >= 0 ? (int64_t)v : dflt;
}

/* Reads the back-off state from the settings; the lock left counts from
 * now_ms. */
static int load(kstaff *st, int64_t now_ms, kerr *err)
{
    int failed = 0;
    int64_t f = setting_int(st->store, KEY_FAILURES, 0, &failed, err);
    int64_t r = setting_int(st->store, KEY_ROUNDS, 0, &failed, err);
    int64_t l = setting_int(st->store, KEY_LOCK_LEFT, 0, &failed, err);
    if (failed)
        return failed;
    st->failures = f < KIOSK_PIN_TRIES ? (int)f : KIOSK_PIN_TRIES - 1;
    st->rounds = r < 64 ? (int)r : 64;
    st->lock_left_ms = l < KIOSK_PIN_LOCK_MAX_MS ? l : KIOSK_PIN_LOCK_MAX_MS;
    st->lock_anchor_ms = now_ms;
    st->loaded = 1;
    return 0;
}

/* Writes one integer setting (inside the caller's batch). */
static int save_int(kstore *s, const char *key, int64_t v, kerr *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return kstore_setting_set(s, key, buf, err);
}

/* Writes the three back-off settings inside the caller's transaction, the
 * lock as what is left at now_ms. */
static int save_in_batch(kstaff *st, int64_t now_ms, kerr *err)
{
    int64_t left = st->lock_left_ms - (now_ms - st->lock_anchor_ms);
    if (left < 0)
        left = 0;
    st->lock_left_ms = left;
    st->lock_anchor_ms = now_ms;
    int ret;
    if ((ret = save_int(st->store, KEY_FAILURES, st->failures, err)) ||
        (ret = save_int(st->store, KEY_ROUNDS, st->rounds, err)) ||
        (ret = save_int(st->store, KEY_LOCK_LEFT, left, err)))
        return ret;
    return 0;
}

/* Writes the three back-off settings in one transaction. */
static int save(kstaff *st, int64_t now_ms, kerr *err)
{
    int ret = kstore_batch_begin(st->store, err);
    if (ret)
        return ret;
    if ((ret = save_in_batch(st, now_ms, err)) || (ret = kstore_batch_commit(st->store, err)))
        kstore_batch_rollback(st->store);
    return ret;
}

/* Length of the lock that ends round number `rounds` (1-based). */
static int64_t lock_for_round(int rounds)
{
    int64_t ms = KIOSK_PIN_LOCK_MS;
    for (int i = 1; i < rounds && ms < KIOSK_PIN_LOCK_MAX_MS; i++)
        ms *= 2;
    return ms < KIOSK_PIN_LOCK_MAX_MS ? ms : KIOSK_PIN_LOCK_MAX_MS;
}

/* ---- the PIN ------------------------------------------------------------------- */

/* Binds a back-off state to the store. */
void kstaff_init(kstaff *st, kstore *s)
{
    memset(st, 0, sizeof *st);
    st->store = s;
}

/* Non-zero if a PIN hash is stored. */
int kstaff_pin_is_set(kstore *s)
{
    char hash[crypto_pwhash_STRBYTES];
    return kstore_setting_get(s, KEY_HASH, hash, sizeof hash, NULL) == 0 && hash[0];
}

/* Non-zero if pin is digits only, from min to KIOSK_PIN_MAX_DIGITS of them. */
static int pin_shape(const char *pin, size_t min)
{
    size_t n = pin ? strlen(pin) : 0;
    return n >= min && n <= KIOSK_PIN_MAX_DIGITS && strspn(pin, "0123456789") == n;
}

/* Checks the shape of a new PIN: digits only, the allowed length. */
int kstaff_pin_valid(const char *pin, kerr *err)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n > 0 && strspn(pin, "0123456789") != n)
        return kerr_set(err, KERR_INVALID, "the PIN must be digits only");
    if (n >= KIOSK_PIN_OLD_MIN_DIGITS && n < KIOSK_PIN_MIN_DIGITS)
        return kerr_set(err, KERR_INVALID, "the PIN must have %d to %d digits (it has %zu): "
                        "anyone with a copy of the kiosk's data can try every %zu-digit PIN "
                        "in %s on one processor core, and every %d-digit PIN takes %d times as long",
                        KIOSK_PIN_MIN_DIGITS, KIOSK_PIN_MAX_DIGITS, n, n,
                        n <= 4 ? "about half an hour" : "about 6 hours",
                        KIOSK_PIN_MIN_DIGITS, n <= 4 ? 100 : 10);
    if (n < KIOSK_PIN_MIN_DIGITS || n > KIOSK_PIN_MAX_DIGITS)
        return kerr_set(err, KERR_INVALID, "the PIN must have %d to %d digits "
                        "(it has %zu)", KIOSK_PIN_MIN_DIGITS, KIOSK_PIN_MAX_DIGITS, n);
    return 0;
}

/* Hashes and stores a new PIN, ending any back-off. */
int kstaff_set_pin(kstore *s, kstaff *st, const char *pin, kerr *err)
{
    char hash[crypto_pwhash_STRBYTES];
    int ret = kstaff_pin_valid(pin, err);
    if (ret == 0)
        ret = sodium_ready(err);
    if (ret)
        return ret;
    if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return kerr_set(err, KERR_INTERNAL, "crypto_pwhash_str: out of memory "
                        "(it needs %zu MiB)",
                        (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20);
    ret = kstore_batch_begin(s, err);
    if (ret)
        goto done;
    if ((ret = kstore_setting_set(s, KEY_HASH, hash, err)) ||
        (ret = save_int(s, KEY_FAILURES, 0, err)) ||
        (ret = save_int(s, KEY_ROUNDS, 0, err)) ||
        (ret = save_int(s, KEY_LOCK_LEFT, 0, err)) ||
        (ret = kstore_batch_commit(s, err)))
        kstore_batch_rollback(s);
    if (ret == 0 && st) {
        st->failures = st->rounds = 0;
        st->lock_left_ms = 0;
        st->loaded = 1;
    }
done:
    sodium_memzero(hash, sizeof hash);
    return ret;
}

/* Lock time left at now_ms. */
int64_t kstaff_lock_remaining(kstaff *st, int64_t now_ms)
{
    if (!st->loaded && load(st, now_ms, NULL) != 0)
        return 0;
    int64_t left = st->lock_left_ms - (now_ms - st->lock_anchor_ms);
    return left > 0 ? left : 0;
}

/* Tries a PIN (see staff.h for the rules): the three steps on this thread. */
int kstaff_check_pin(kstaff *st, const char *pin, int64_t now_ms, kstaff_result *r,
                     kerr *err)
{
    kstaff_check c;
    int ret = kstaff_check_begin(st, pin, now_ms, &c, r, err);
    if (ret || !c.pending)
        return ret;
    kstaff_check_run(&c);
    atomic_store(&c.done, 1);
    return kstaff_check_end(st, &c, now_ms, r, err);
}

/* Wipes the copies of the PIN and hashes. */
static void check_wipe(kstaff_check *c)
{
    sodium_memzero(c->pin, sizeof c->pin);
    sodium_memzero(c->hash, sizeof c->hash);
    sodium_memzero(c->rehash, sizeof c->rehash);
    c->right = 0;
    c->pending = 0;
}

/* Step 1 (store): back-off, the try counted and saved, copies for step 2. */
int kstaff_check_begin(kstaff *st, const char *pin, int64_t now_ms, kstaff_check *c,
                       kstaff_result *r, kerr *err)
{
    int ret = 0;
    if (!st || !st->store || !r || !c)
        return kerr_set(err, KERR_INVALID, "kstaff_check_begin: no state, check or result");
    memset(c, 0, sizeof *c);
    atomic_init(&c->done, 0);
    memset(r, 0, sizeof *r);
    if ((ret = sodium_ready(err)) ||
        (!st->loaded && (ret = load(st, now_ms, err))))
        return ret;
    ret = kstore_setting_get(st->store, KEY_HASH, c->hash, sizeof c->hash, err);
    if (ret == KERR_NOTFOUND || (ret == 0 && !c->hash[0])) {
        check_wipe(c);
        r->status = KSTAFF_NO_PIN;
        return 0;
    }
    if (ret == 0 && crypto_pwhash_str_needs_rehash(c->hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0)
        ret = kerr_set(err, KERR_CORRUPT, "setting %s is not a PIN hash: set the "
                       "PIN again with 'kiosk staff set-pin'", KEY_HASH);
    if (ret) {
        check_wipe(c);
        return ret;
    }

    int64_t left = kstaff_lock_remaining(st, now_ms);
    if (left > 0) {                             /* locked: nothing is checked */
        check_wipe(c);
        ret = save(st, now_ms, err);
        r->status = KSTAFF_LOCKED;
        r->lock_ms = left;
        return ret;
    }
    if (st->lock_left_ms > 0) {                 /* a lock just ran out */
        st->lock_left_ms = 0;
        st->failures = 0;
    }

    /* count this try as wrong first (saved), then check it */
    kstaff before = *st;
    if (++st->failures >= KIOSK_PIN_TRIES) {
        st->rounds++;
        st->failures = 0;
        st->lock_left_ms = lock_for_round(st->rounds);
        st->lock_anchor_ms = now_ms;
    }
    ret = save(st, now_ms, err);
    if (ret) {
        *st = before;
        check_wipe(c);
        return ret;
    }
    /* A PIN set before the 6-digit rule may be shorter: checked as well;
     * anything else is simply wrong (nothing to hash). */
    if (pin_shape(pin, KIOSK_PIN_OLD_MIN_DIGITS))
        snprintf(c->pin, sizeof c->pin, "%s", pin);
    c->pending = 1;
    return 0;
}

/* Step 2 (any thread): the hash, and a new one for an older stored hash. */
void kstaff_check_run(kstaff_check *c)
{
    c->right = c->pin[0] && crypto_pwhash_str_verify(c->hash, c->pin, strlen(c->pin)) == 0;
    c->rehash[0] = '\0';
    if (c->right && crypto_pwhash_str_needs_rehash(c->hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) == 1 &&
        crypto_pwhash_str(c->rehash, c->pin, strlen(c->pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        c->rehash[0] = '\0';                   /* out of memory: keep the old one */
}

/* The thread of kstaff_check_start. */
static void *check_thread(void *arg)
{
    kstaff_check *c = arg;
    kstaff_check_run(c);
    atomic_store(&c->done, 1);
    return NULL;
}

/* Starts step 2 on a thread of its own, or runs it here. */
void kstaff_check_start(kstaff_check *c)
{
    atomic_store(&c->done, 0);
    c->started = pthread_create(&c->thread, NULL, check_thread, c) == 0;
    if (!c->started)
        check_thread(c);
}

/* Non-zero once step 2 finished. */
int kstaff_check_done(kstaff_check *c)
{
    return atomic_load(&c->done);
}

/* Step 3 (store): the result; a right PIN ends the back-off (and stores
 * the new hash if the stored one is still the one checked). */
int kstaff_check_end(kstaff *st, kstaff_check *c, int64_t now_ms, kstaff_result *r,
                     kerr *err)
{
    if (!st || !c || !r)
        return kerr_set(err, KERR_INVALID, "kstaff_check_end: no state, check or result");
    if (c->started) {
        pthread_join(c->thread, NULL);
        c->started = 0;
    }
    memset(r, 0, sizeof *r);
    int ret = 0;
    if (!c->pending) {
        check_wipe(c);
        return kerr_set(err, KERR_INVALID, "kstaff_check_end: no PIN check was begun");
    }
    if (c->right) {
        kstaff before = *st;
        st->failures = st->rounds = 0;
        st->lock_left_ms = 0;
        if (c->rehash[0]) {
            /* one transaction: the new hash, if the stored one is unchanged,
             * and the back-off */
            char now[sizeof c->hash];
            if ((ret = kstore_batch_begin(st->store, err)) == 0) {
                if ((ret = kstore_setting_get(st->store, KEY_HASH, now, sizeof now, err)) == 0 &&
                    strcmp(now, c->hash) == 0)
                    ret = kstore_setting_set(st->store, KEY_HASH, c->rehash, err);
                if (ret == 0)
                    ret = save_in_batch(st, now_ms, err);
                if (ret == 0)
                    ret = kstore_batch_commit(st->store, err);
                if (ret)
                    kstore_batch_rollback(st->store);
            }
            sodium_memzero(now, sizeof now);
        } else {
            ret = save(st, now_ms, err);
        }
        if (ret)
            *st = before;
        r->status = KSTAFF_OK;
        r->short_pin = strlen(c->pin) < KIOSK_PIN_MIN_DIGITS;
    } else {
        int64_t left = kstaff_lock_remaining(st, now_ms);
        if (left > 0) {
            r->status = KSTAFF_LOCKED;
            r->lock_ms = left;
        } else {
            r->status = KSTAFF_WRONG;
            r->tries_left = KIOSK_PIN_TRIES - st->failures;
        }
    }
    check_wipe(c);
    return ret;
}

/* Ends any back-off. */
int kstaff_reset_backoff(kstore *s, kstaff *st, kerr *err)
{
    kstaff tmp;
    kstaff_init(&tmp, s);
    tmp.loaded = 1;
    int ret = save(&tmp, 0, err);
    if (ret == 0 && st) {
        st->failures = st->rounds = 0;
        st->lock_left_ms = 0;
        st->loaded = 1;
    }
    return ret;
}

/* ---- programs ------------------------------------------------------------------ */

/* Fills names with the configured programs, else the defaults. */
int kstaff_programs(kstore *s, char names[][KIOSK_PROGRAM_BYTES], int max, int *n,
                    kerr *err)
{
    char buf[PROGRAMS_BYTES];
    if (!n || (max > 0 && !names))
        return kerr_set(err, KERR_INVALID, "kstaff_programs: no output");
    *n = 0;
    int ret = kstore_setting_get(s, KEY_PROGRAMS, buf, sizeof buf, err);
    if (ret && ret != KERR_NOTFOUND)
        return ret;
    if (ret == KERR_NOTFOUND || !buf[0])
        snprintf(buf, sizeof buf, "%s", KSTAFF_DEFAULT_PROGRAMS);
    for (char *p = buf; *p && *n < max;) {
        size_t len = strcspn(p, "\n");
        if (len > 0 && len < KIOSK_PROGRAM_BYTES) {
            memcpy(names[*n], p, len);
            names[(*n)++][len] = '\0';
        }
        p += len + (p[len] == '\n');
    }
    return 0;
}

/* Counts UTF-8 characters. */
static size_t chars(const char *t)
{
    size_t n = 0;
    for (; *t; t++)
        n += ((unsigned char)*t & 0xC0) != 0x80;
    return n;
}

/* Replaces the list of programs (n = 0: the defaults). */
int kstaff_programs_set(kstore *s, const char *const *names, int n, kerr *err)
{
    char buf[PROGRAMS_BYTES];
    char folded[KIOSK_PROGRAMS_MAX][4 * KIOSK_PROGRAM_BYTES];
    size_t used = 0;
    if (n < 0 || n > KIOSK_PROGRAMS_MAX || (n > 0 && !names))
        return kerr_set(err, KERR_INVALID, "give 1 to %d programs", KIOSK_PROGRAMS_MAX);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *p = names[i] ? names[i] : "";
        size_t len = strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        char one[KIOSK_PROGRAM_BYTES];
        if (len == 0)
            return kerr_set(err, KERR_INVALID, "program %d is empty", i + 1);
        if (len >= sizeof one)
            return kerr_set(err, KERR_INVALID, "program %d is longer than %d "
                            "characters", i + 1, KIOSK_PROGRAM_MAX);
        memcpy(one, p, len);
        one[len] = '\0';
        if (strpbrk(one, "\r\n"))
            return kerr_set(err, KERR_INVALID, "program %d has a line break", i + 1);
        if (chars(one) > KIOSK_PROGRAM_MAX)
            return kerr_set(err, KERR_INVALID, "program \"%s\" is longer than %d "
                            "characters", one, KIOSK_PROGRAM_MAX);
        kfold(one, folded[i], sizeof folded[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(folded[i], folded[j]) == 0)
                return kerr_set(err, KERR_INVALID, "program \"%s\" is listed twice",
                                one);
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                 i ? "\n" : "", one);
    }
    return kstore_setting_set(s, KEY_PROGRAMS, buf, err);
}
