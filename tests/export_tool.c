/*
 * export_tool.c - a small command line over the store and the staff
 * commands, for tests/export_check.py and for trying things by hand:
 *
 *   export-tool --data DIR export ARGS...     kcli_export, as `kiosk export`
 *   export-tool --data DIR staff ARGS...      kcli_staff, as `kiosk staff`
 *   export-tool --data DIR event NAME PROGRAM DATE [SURVEY [LINK]]   prints the id
 *   export-tool --data DIR signup EVENT GIVEN FAMILY PHONE EMAIL ZIP prints the id
 *   export-tool --data DIR checkin PERSON EVENT
 *   export-tool --data DIR answer PERSON EVENT SURVEY VERSION QUESTION VALUE [LANG]
 *   export-tool --data DIR qr PERSON                                 prints the token
 *   export-tool --data DIR lookup TOKEN      prints the person, or exits 1
 *
 * It opens the store exactly as kiosk/main.c does for its commands (the
 * system clock) and passes the words after the command word, so `export`
 * and `staff` here behave as the kiosk's own.  Values may hold any bytes
 * argv can (newlines, quotes), which replay scripts cannot type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_export.h"
#include "cli_staff.h"
#include "kclock.h"
#include "store.h"

/* Prints the message and returns the exit status 1. */
static int fail(const char *what, const kerr *err)
{
    fprintf(stderr, "export-tool: %s: %s\n", what, err->msg);
    return 1;
}

/* Runs one store command (argv[0] is its name); 2 on bad usage. */
static int store_cmd(kstore *s, int argc, char **argv)
{
    kerr err = {0};
    const char *cmd = argv[0];
    if (strcmp(cmd, "event") == 0 && argc >= 4 && argc <= 6) {
        kevent e;
        kevent_spec spec = {argv[1], argv[2], argv[3], argc > 4 ? argv[4] : NULL,
                            argc > 5 ? argv[5] : NULL};
        if (kstore_event_add2(s, &spec, &e, &err) != 0)
            return fail("event", &err);
        printf("%s\n", e.id);
        return kstore_event_use(s, e.id, &err) == 0 ? 0 : fail("event use", &err);
    }
    if (strcmp(cmd, "signup") == 0 && argc == 7) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "%s", argv[2]);
        snprintf(p.family, sizeof p.family, "%s", argv[3]);
        snprintf(p.phone, sizeof p.phone, "%s", argv[4]);
        snprintf(p.email, sizeof p.email, "%s", argv[5]);
        snprintf(p.zip, sizeof p.zip, "%s", argv[6]);
        if (kstore_signup(s, &p, argv[1], &err) != 0)
            return fail("signup", &err);
        printf("%s\n", p.id);
        return 0;
    }
    if (strcmp(cmd, "checkin") == 0 && argc == 3)
        return kstore_checkin(s, argv[1], argv[2], &err) == 0 ? 0 : fail("checkin", &err);
    if (strcmp(cmd, "answer") == 0 && (argc == 7 || argc == 8))
        return kstore_answer_add(s, argv[1], argv[2], argv[3], atoi(argv[4]), argv[5],
                                 argv[6], argc == 8 ? argv[7] : "en", &err) == 0
                   ? 0 : fail("answer", &err);
    if (strcmp(cmd, "qr") == 0 && argc == 2) {
        char token[KIOSK_QR_TOKEN_BYTES];
        if (kstore_qr_token(s, argv[1], token, sizeof token, &err) != 0)
            return fail("qr", &err);
        printf("%s\n", token);
        return 0;
    }
    if (strcmp(cmd, "lookup") == 0 && argc == 2) {
        char person[KIOSK_ID_HEX + 1];
        int revoked = 0;
        if (kstore_qr_lookup(s, argv[1], person, &revoked, &err) != 0) {
            printf("%s\n", revoked ? "revoked" : "unknown");
            return 1;
        }
        printf("%s\n", person);
        return 0;
    }
    fprintf(stderr, "export-tool: bad command (see tests/export_tool.c)\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[1], "--data") != 0) {
        fprintf(stderr, "usage: export-tool --data DIR COMMAND ARGS...\n");
        return 2;
    }
    kclock clock;
    kclock_system(&clock);
    kstore *s = NULL;
    kerr err = {0};
    if (kstore_open(&s, argv[2], &clock, &err) != 0) {
        fprintf(stderr, "export-tool: %s\n", err.msg);
        return 2;
    }
    int rc;
    if (strcmp(argv[3], "export") == 0)
        rc = kcli_export(s, argc - 4, argv + 4);
    else if (strcmp(argv[3], "staff") == 0)
        rc = kcli_staff(s, argc - 4, argv + 4);
    else
        rc = store_cmd(s, argc - 3, argv + 3);
    kstore_close(s);
    return rc;
}
