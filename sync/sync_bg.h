/*
 * sync_bg.h - automatic sync in the background while the kiosk runs.
 *
 * A thread of its own, with its own database connection and curl handle,
 * runs ksync_run every interval, backs off after failures (doubling up to
 * KSYNC_BACKOFF_MAX_MS, with jitter), and keeps a status the UI reads with
 * ksync_bg_status: a copy under a mutex held for microseconds, no I/O, so
 * the screen never waits on the network or the disk.  The thread runs at a
 * lower CPU priority (nice +10) and writes only single meta rows.
 */
#ifndef KSYNC_BG_H
#define KSYNC_BG_H

#include "client.h"

typedef struct ksync_bg ksync_bg;

/* Starts the thread for the kiosk database in data_dir.  interval_ms <= 0
 * means KSYNC_INTERVAL_MS.  clock may be NULL (system clock); it must
 * outlive the thread and be safe to read from it.  Call from the main
 * thread (it calls ksync_global_init). */
int ksync_bg_start(ksync_bg **out, const char *data_dir, int interval_ms, const kclock *clock,
                   kerr *err);

/* Stops the thread: aborts a transfer in flight and joins.  NULL is fine. */
void ksync_bg_stop(ksync_bg *bg);

/* Copies the current status (never blocks on I/O). */
void ksync_bg_status(ksync_bg *bg, ksync_status *out);

/* Asks for a sync now instead of at the next interval. */
void ksync_bg_kick(ksync_bg *bg);

#endif
