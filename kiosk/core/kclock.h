/*
 * kclock.h - the kiosk's notion of time, injected everywhere.
 *
 * A Raspberry Pi has no real-time clock: at a venue without network its wall
 * clock may be years off.  So every record carries two readings: the wall
 * clock (what the kiosk believes the date is) and the boot id plus
 * milliseconds since that boot (monotonic, cannot jump).  A later sync can
 * then correct every record of one boot session at once.
 *
 * Nothing in core reads the system clock directly: it calls a kclock.  Tests
 * and the replay driver pass a virtual clock they advance by hand.
 */
#ifndef KIOSK_KCLOCK_H
#define KIOSK_KCLOCK_H

#include <stdint.h>

typedef struct kclock {
    int64_t (*wall_ms)(void *ctx);   /* Unix time in ms, as the kiosk believes */
    int64_t (*mono_ms)(void *ctx);   /* ms since boot, never goes back */
    void *ctx;
    char boot_id[40];                /* UUID text of this boot */
} kclock;

/* The real clock: CLOCK_REALTIME, CLOCK_BOOTTIME and the kernel's boot id
 * (/proc/sys/kernel/random/boot_id, or a random one if that is unreadable). */
void kclock_system(kclock *c);

/* A virtual clock for tests and replay: wall = base_wall + *now, mono = *now. */
typedef struct kclock_virtual {
    int64_t base_wall_ms;
    int64_t now_ms;
} kclock_virtual;
void kclock_virtual_init(kclock *c, kclock_virtual *v, int64_t base_wall_ms,
                         const char *boot_id);

/* Fills buf with n cryptographically random bytes (getrandom); 0 on success. */
int krandom_bytes(void *buf, unsigned n);

/* Writes a random 128-bit id as 32 lower-case hex digits plus NUL. */
int krandom_id(char out[33]);

/* 1 if d is "YYYY-MM-DD" and a real calendar date (leap years counted). */
int kclock_date_valid(const char *d);

#endif
