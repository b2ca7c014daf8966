/*
 * sync_cli.h - the `kiosk sync ...` staff commands, called by kiosk/main.c.
 *
 *   kiosk sync                      send everything waiting, with a progress bar
 *   kiosk sync pair URL [--ca FILE]   token read from standard input (no echo
 *                                   on a terminal); pairs with the hub
 *   kiosk sync key                  device id and bundle key, for pairing
 *                                   without a network
 *   kiosk sync unpair
 *   kiosk sync status               records waiting, last good sync, last error
 *   kiosk sync export DIR           write a bundle for a USB stick
 *
 * main.c passes the data folder and the words after "sync":
 * `kiosk --data /var/lib/kiosk sync pair http://hub:8420` becomes
 * ksync_cli("/var/lib/kiosk", 2, {"pair", "http://hub:8420"}).  (A token
 * given as a third word is still taken, for scripts that keep it out of
 * the command line by other means.)
 * Returns the process exit status: 0 done, 1 failed (message on stderr),
 * 2 usage.
 */
#ifndef KSYNC_CLI_H
#define KSYNC_CLI_H

#include "kclock.h"

int ksync_cli(const char *data_dir, int argc, char **argv);

/* The same with an injected clock (tests, replay); NULL = system clock. */
int ksync_cli_clock(const char *data_dir, const kclock *clock, int argc, char **argv);

#endif
