/*
 * demo.h - a demo event and people from many communities, for --demo,
 * screenshots and benchmarks.
 */
#ifndef KIOSK_DEMO_H
#define KIOSK_DEMO_H

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

#endif
