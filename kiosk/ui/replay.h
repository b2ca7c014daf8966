/*
 * replay.h - the replay driver: runs a script of inputs and expectations
 * against the real kiosk, headless, on virtual time.
 *
 * The one interface UI tests, demos, acceptance tests and benchmarks use;
 * the command language is documented in tests/README.md.
 */
#ifndef KIOSK_REPLAY_H
#define KIOSK_REPLAY_H

#include "app.h"
#include "kclock.h"

typedef struct kreplay_opts {
    const char *script;       /* path, or "-" for standard input */
    const char *shots_dir;    /* where shot FILE.png goes; NULL = current folder */
    int trace;                /* print "screen NAME" / "done ID" lines as they happen */
    int layout_check;         /* fail on layout problems (default on) */
} kreplay_opts;

/* Runs the script; returns 0 when every command ran and every expectation
 * held, 1 otherwise (with FILE:LINE and what was seen on stderr). */
int kreplay_run(kapp *a, kclock_virtual *vc, const kreplay_opts *o);

#endif
