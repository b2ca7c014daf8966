/*
 * demo.h - a demo event and people from many communities, for --demo,
 * screenshots and benchmarks.
 */
#ifndef KIOSK_DEMO_H
#define KIOSK_DEMO_H

#include "kclock.h"
#include "store.h"

/* Creates the demo event "Community Workshop (demo)", program "general",
 * makes it current, and adds about 200 people (Vietnamese, Chinese, Korean,
 * Filipino, Khmer, Lao, Japanese, Hmong, Pacific Islander, South Asian and
 * other names, with real diacritics) checked in at a few past events.
 * Running it again on the same store adds nothing twice.  0 on success. */
int kdemo_seed(kstore *s, kerr *err);

/* Adds n generated people (deterministic from seed) in large transactions,
 * for benchmarks.  Names combine the demo's given and family names. */
int kdemo_people(kstore *s, int n, unsigned seed, kerr *err);

/* ---- a year of data: `kiosk demo seed` ------------------------------------------ */

/* kdemo_fill makes events events (dated back over the past year, one
 * program each, the last one today), people generated people (names as
 * kdemo_people makes them) and checkins check-ins in all: every person
 * signs up (a check-in marked new) at one event, the other check-ins are
 * returning people at later events, each person at most once an event.
 * So people <= checkins <= people x events.  Check-ins of an event are
 * spread over four hours of its day (ending now for today's event) when
 * vclock is given (the store's clock, which the fill moves forward), else
 * they carry the store clock's time.  A vclock set a year back with now_ms
 * the real time gives records stamped as if they had come in over the
 * year.  Writes go in transactions of
 * KDEMO_BATCH records; the last event becomes current.  What it made goes
 * to res (may be NULL).  0, or a KERR_ code with err set (the batches
 * committed stay: each is a consistent set of records). */
#define KDEMO_BATCH 10000
#define KDEMO_FILL_MAX 10000000L           /* people or check-ins */
#define KDEMO_FILL_EVENTS_MAX 100000

typedef struct kdemo_fill_opts {
    long people, checkins;
    int events;                         /* 0: as few as the check-ins need */
    unsigned seed;                      /* the same seed, the same names */
    kclock_virtual *vclock;             /* may be NULL */
    int64_t now_ms;                     /* the year ends here (0: vclock's now) */
    /* called after each batch; non-zero stops (may be NULL) */
    int (*progress)(void *ctx, long done, long total);
    void *progress_ctx;
} kdemo_fill_opts;

typedef struct kdemo_fill_result {
    long people, checkins;
    int events;
    kevent current;
} kdemo_fill_result;

int kdemo_fill(kstore *s, const kdemo_fill_opts *o, kdemo_fill_result *res, kerr *err);

#endif
