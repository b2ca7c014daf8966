/*
 * cli_staff.c - `kiosk staff ...` (see cli_staff.h).
 *
 * The PIN is read into a stack buffer with terminal echo off, checked
 * (six digits at least, and why: staff.h), compared with the second entry, handed to kstaff_set_pin and wiped
 * (explicit_bzero) on every path.  The terminal's settings are restored
 * before anything is printed.
 */
#include "cli_staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "staff.h"
#include "usbdrive.h"

#define PIN_LINE 64

/* Prints usage and returns 2. */
static int usage(void)
{
    fputs("usage: kiosk staff set-pin\n"
          "       kiosk staff status\n"
          "       kiosk staff unlock\n"
          "       kiosk staff programs [set NAME... | reset]\n"
          "       kiosk staff export-folder [DIR | none]\n"
          "       kiosk staff revoke-qr PERSON_ID\n",
          stderr);
    return 2;
}

/* Reads one line into buf without its line end; with echo off (and the
 * prompt on stderr) on a terminal.  -1 at end of input. */
static int read_secret(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    int ret = 0;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    if (!fgets(buf, (int)cap, stdin))
        ret = -1;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (ret == 0)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ret;
}

/* kiosk staff set-pin */
static int cmd_set_pin(kstore *s)
{
    char a[PIN_LINE], b[PIN_LINE];
    kerr err = {0};
    int rc = 0;
    a[0] = b[0] = '\0';
    char prompt[64];
    snprintf(prompt, sizeof prompt, "new staff PIN (%d-%d digits): ", KIOSK_PIN_MIN_DIGITS,
             KIOSK_PIN_MAX_DIGITS);
    if (read_secret(prompt, a, sizeof a) != 0) {
        fprintf(stderr, "kiosk staff set-pin: no PIN given; nothing was changed\n");
        rc = 1;
    } else if (kstaff_pin_valid(a, &err) != 0) {
        /* said before the second entry, with the reason for the rule */
        fprintf(stderr, "kiosk staff set-pin: %s; nothing was changed\n", err.msg);
        rc = 1;
    } else if (read_secret("the same PIN again: ", b, sizeof b) != 0) {
        fprintf(stderr, "kiosk staff set-pin: no PIN given; nothing was changed\n");
        rc = 1;
    } else if (strcmp(a, b) != 0) {
        fprintf(stderr, "kiosk staff set-pin: the two PINs differ; nothing was changed\n");
        rc = 1;
    } else if (kstaff_set_pin(s, NULL, a, &err) != 0) {
        fprintf(stderr, "kiosk staff set-pin: %s; nothing was changed\n", err.msg);
        rc = 1;
    } else {
        fprintf(stderr, "kiosk staff set-pin: the staff PIN is set\n");
    }
    explicit_bzero(a, sizeof a);
    explicit_bzero(b, sizeof b);
    return rc;
}

/* Prints the programs, one per line, on stdout. */
static int print_programs(kstore *s)
{
    char names[KIOSK_PROGRAMS_MAX][KIOSK_PROGRAM_BYTES];
    int n = 0;
    kerr err = {0};
    if (kstaff_programs(s, names, KIOSK_PROGRAMS_MAX, &n, &err) != 0) {
        fprintf(stderr, "kiosk staff programs: %s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%s\n", names[i]);
    return 0;
}

/* kiosk staff programs [set NAME... | reset] */
static int cmd_programs(kstore *s, int argc, char **argv)
{
    kerr err = {0};
    if (argc == 0)
        return print_programs(s);
    if (strcmp(argv[0], "set") == 0 && argc >= 2) {
        if (kstaff_programs_set(s, (const char *const *)(argv + 1), argc - 1, &err) != 0) {
            fprintf(stderr, "kiosk staff programs set: %s; nothing was changed\n", err.msg);
            return 1;
        }
        return print_programs(s);
    }
    if (strcmp(argv[0], "reset") == 0 && argc == 1) {
        if (kstaff_programs_set(s, NULL, 0, &err) != 0) {
            fprintf(stderr, "kiosk staff programs reset: %s\n", err.msg);
            return 1;
        }
        return print_programs(s);
    }
    return usage();
}

/* kiosk staff status */
static int cmd_status(kstore *s)
{
    kstaff st;
    kstaff_init(&st, s);
    int64_t left = kstaff_lock_remaining(&st, 0);
    printf("staff PIN: %s\n", kstaff_pin_is_set(s) ? "set" : "not set (kiosk staff set-pin)");
    if (left > 0)
        printf("PIN pad: locked for %lld s more after wrong PINs (kiosk staff unlock)\n",
               (long long)((left + 999) / 1000));
    else
        printf("PIN pad: open (%d wrong PINs in this round)\n", st.failures);
    char folder[4096];
    if (kstore_setting_get(s, "export.folder", folder, sizeof folder, NULL) == 0 && folder[0])
        printf("exports go to: %s\n", folder);
    else
        printf("exports go to: the first USB drive\n");
    printf("programs:\n");
    return print_programs(s);
}

/* kiosk staff export-folder [DIR | none] */
static int cmd_export_folder(kstore *s, int argc, char **argv)
{
    kerr err = {0};
    char folder[4096];
    if (argc == 0) {
        if (kstore_setting_get(s, "export.folder", folder, sizeof folder, NULL) == 0 &&
            folder[0])
            printf("%s\n", folder);
        else
            printf("none (the first USB drive)\n");
        return 0;
    }
    if (argc != 1)
        return usage();
    const char *value = strcmp(argv[0], "none") == 0 ? "" : argv[0];
    if (*value && value[0] != '/') {
        fprintf(stderr, "kiosk staff export-folder: give a full path (starting with /)\n");
        return 2;
    }
    if (*value) {
        kusb_drive d;
        if (kusb_check_folder(value, NULL, &d, &err) != 0)
            fprintf(stderr, "kiosk staff export-folder: warning: %s\n", err.msg);
    }
    if (kstore_setting_set(s, "export.folder", value, &err) != 0) {
        fprintf(stderr, "kiosk staff export-folder: %s\n", err.msg);
        return 1;
    }
    printf("exports go to: %s\n", *value ? value : "the first USB drive");
    return 0;
}

/* Runs `kiosk staff ...`. */
int kcli_staff(kstore *s, int argc, char **argv)
{
    kerr err = {0};
    const char *sub = argc > 0 ? argv[0] : "";
    if (strcmp(sub, "set-pin") == 0 && argc == 1)
        return cmd_set_pin(s);
    if (strcmp(sub, "status") == 0 && argc == 1)
        return cmd_status(s);
    if (strcmp(sub, "unlock") == 0 && argc == 1) {
        if (kstaff_reset_backoff(s, NULL, &err) != 0) {
            fprintf(stderr, "kiosk staff unlock: %s\n", err.msg);
            return 1;
        }
        fprintf(stderr, "kiosk staff unlock: the PIN pad is open again\n");
        return 0;
    }
    if (strcmp(sub, "programs") == 0)
        return cmd_programs(s, argc - 1, argv + 1);
    if (strcmp(sub, "export-folder") == 0)
        return cmd_export_folder(s, argc - 1, argv + 1);
    if (strcmp(sub, "revoke-qr") == 0 && argc == 2) {
        int n = 0;
        if (kstore_qr_revoke(s, argv[1], &n, &err) != 0) {
            fprintf(stderr, "kiosk staff revoke-qr: %s\n", err.msg);
            return 1;
        }
        if (n)
            printf("revoked %d QR code(s) of person %s\n", n, argv[1]);
        else
            printf("person %s had no QR code to revoke\n", argv[1]);
        return 0;
    }
    return usage();
}
