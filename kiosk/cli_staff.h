/*
 * cli_staff.h - the `kiosk staff ...` commands, called by kiosk/main.c.
 *
 *   kiosk staff set-pin                 asks for the new PIN twice (no echo)
 *   kiosk staff status                  PIN set or not, back-off, programs
 *   kiosk staff unlock                  ends a PIN lock (back-off) at once
 *   kiosk staff programs                lists the programs staff pick from
 *   kiosk staff programs set NAME...    replaces them (one word per program,
 *                                       quote names with spaces)
 *   kiosk staff programs reset          back to the default list
 *   kiosk staff export-folder [DIR|none] where exports go instead of the
 *                                       first USB drive (none: USB again)
 *   kiosk staff revoke-qr PERSON_ID     the person's QR check-in code stops
 *                                       working (a new one is made the next
 *                                       time one is shown)
 *
 * set-pin reads from the terminal with echo off when standard input is
 * one, else two lines from standard input (scripts, tests); the PIN is
 * never printed.
 *
 * main.c opens the store (system clock) and passes the words after
 * "staff": `kiosk staff programs set "youth organizing" general` becomes
 * kcli_staff(s, 4, {"programs", "set", "youth organizing", "general"}).
 * Returns the exit status: 0 done, 1 failed (message on stderr), 2 usage.
 */
#ifndef KIOSK_CLI_STAFF_H
#define KIOSK_CLI_STAFF_H

#include "store.h"

int kcli_staff(kstore *s, int argc, char **argv);

#endif
