/*
 * cli_demo.h - the `kiosk demo seed` command, called by kiosk/main.c: a
 * year of generated data, to try a kiosk (staff screen, search, exports)
 * at the size it will reach.
 *
 *   kiosk demo seed --people N --checkins M [--events E] [--seed S]
 *
 * Adds N fictional people and M check-ins in all (each person signs up at
 * one event; the rest are returning visits), at E events dated back over
 * the past year, the last one today, which becomes the current event
 * (default E: as few as the check-ins need, M / N rounded up).  Check-ins
 * carry times spread over four hours of their event's day.  Written in
 * batches (kiosk/core/demo.h); progress goes to stderr.  Refused on a
 * kiosk paired with a hub, where the fictional people would be sent.
 *
 * Returns the exit status: 0 done, 1 failed (the message names what; the
 * batches already committed stay), 2 usage.
 */
#ifndef KIOSK_CLI_DEMO_H
#define KIOSK_CLI_DEMO_H

int kcli_demo(const char *data_dir, int paired, int argc, char **argv);

#endif
