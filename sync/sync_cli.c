/*
 * sync_cli.c - `kiosk sync` commands (see sync_cli.h).
 *
 * Output: results on stdout, progress and errors on stderr.  The progress
 * bar redraws in place on a terminal and prints one line per batch
 * otherwise (logs, tests).
 */
#define _GNU_SOURCE
#include "sync_cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* Prints usage and returns 2. */
static int usage(void)
{
    fprintf(stderr, "usage: kiosk sync                       send waiting records to the hub\n"
                    "       kiosk sync pair URL [--ca FILE]      token on standard input\n"
                    "       kiosk sync unpair\n"
                    "       kiosk sync status\n"
                    "       kiosk sync export DIR            bundle for a USB stick\n"
                    "       kiosk sync key                   id and bundle key, to pair without network\n");
    return 2;
}

/* Progress callback: a bar on a terminal, a line per batch elsewhere. */
static void show_progress(void *ctx, int64_t sent, int64_t total)
{
    int tty = *(int *)ctx;
    if (total <= 0)
        return;
    int width = 30, fill = (int)(sent * width / total);
    if (tty) {
        fprintf(stderr, "\rsync [");
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %" PRId64 "/%" PRId64 " records", sent, total);
    } else {
        fprintf(stderr, "sync: %" PRId64 "/%" PRId64 " records\n", sent, total);
    }
    fflush(stderr);
}

/* Formats a Unix ms time as local "YYYY-MM-DD HH:MM:SS", or "never". */
static void fmt_ms(int64_t ms, char *buf, size_t cap)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0 || !localtime_r(&s, &tm))
        snprintf(buf, cap, "never");
    else
        strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* kiosk sync (once). */
static int cmd_now(const char *data_dir, const kclock *clock)
{
    int tty = isatty(2);
    ksync_opts o = {clock, 0, show_progress, &tty, NULL, 0};
    ksync_report rep;
    kerr e = {0};
    int rc = ksync_run(data_dir, &o, &rep, &e);
    if (tty && rep.pending_before > 0)
        fputc('\n', stderr);
    if (rc) {
        fprintf(stderr, "kiosk sync: %s\n", e.msg);
        fprintf(stderr, "kiosk sync: %" PRId64 " records still waiting; they stay on this kiosk\n",
                rep.pending_after);
        return 1;
    }
    printf("sent %" PRId64 " records in %d batches (%" PRId64 " bytes); hub holds up to seq %" PRId64
           "; %" PRId64 " waiting\n", rep.sent, rep.batches, rep.bytes_sent, rep.acked_seq,
           rep.pending_after);
    if (rep.roster_pages > 0)
        printf("received %" PRId64 " roster changes in %d pages (%" PRId64 " bytes); roster at change %"
               PRId64 "%s\n", rep.roster_changes, rep.roster_pages, rep.roster_bytes,
               rep.roster_cursor, rep.roster_skipped ? "; some hub surveys refused (see above)" : "");
    else if (rep.roster_unsupported)
        printf("the hub sends no roster (a hub of before issue 12)\n");
    if (rep.roster_paused)
        printf("%s\n", rep.roster_note);
    return 0;
}

/* kiosk sync status. */
static int cmd_status(const char *data_dir)
{
    ksync_status st;
    kerr e = {0};
    if (ksync_status_read(data_dir, &st, &e)) {
        fprintf(stderr, "kiosk sync status: %s\n", e.msg);
        return 1;
    }
    char ok[32], at[32];
    fmt_ms(st.last_ok_ms, ok, sizeof ok);
    fmt_ms(st.last_attempt_ms, at, sizeof at);
    printf("hub:              %s\n", st.paired ? st.url : "(not paired)");
    printf("records waiting:  %" PRId64 "\n", st.pending);
    printf("acked seq:        %" PRId64 "\n", st.acked_seq);
    printf("last good sync:   %s\n", ok);
    printf("last attempt:     %s\n", at);
    printf("last error:       %s\n", st.last_error[0] ? st.last_error : "(none)");
    return 0;
}

/* Reads the hub token from standard input: one line, spaces around it
 * ignored.  On a terminal it asks for it and does not echo it, so the
 * token never shows on screen, in the shell's history or in ps. */
static int read_token(char *buf, size_t cap)
{
    int tty = isatty(0);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "hub token (from kiosk-hub device add): ");
        fflush(stderr);
        if (tcgetattr(0, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(0, TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
    }
    char *got = fgets(buf, (int)cap, stdin);
    if (tty) {
        tcsetattr(0, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    char *p = buf;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    memmove(buf, p, n);
    buf[n] = '\0';
    return 0;
}

/* kiosk sync pair URL [TOKEN] [--ca FILE]. */
static int cmd_pair(int argc, char **argv, const char *data_dir)
{
    const char *url = NULL, *token = NULL, *ca = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
            ca = argv[++i];
        else if (argv[i][0] == '-')
            return usage();
        else if (!url)
            url = argv[i];
        else if (!token)
            token = argv[i];
        else
            return usage();
    }
    if (!url)
        return usage();
    char line[256];
    if (!token) {
        if (read_token(line, sizeof line) != 0 || !line[0]) {
            fprintf(stderr, "kiosk sync pair: no token on standard input (give the token that "
                    "kiosk-hub device add printed)\n");
            return 1;
        }
        token = line;
    }
    kerr e = {0};
    int confirmed = 0;
    int rc = ksync_pair(data_dir, url, token, ca, &confirmed, &e);
    sodium_memzero(line, sizeof line);
    if (rc) {
        fprintf(stderr, "kiosk sync pair: %s\n", e.msg);
        return 1;
    }
    if (confirmed)
        printf("paired with %s; run `kiosk sync` to send now\n", url);
    else
        printf("saved %s, but the hub did not answer (%s); the kiosk pairs when it next reaches "
               "the hub\n", url, e.msg);
    return 0;
}

/* Dispatches the sync subcommands with the given clock. */
int ksync_cli_clock(const char *data_dir, const kclock *clock, int argc, char **argv)
{
    kerr e = {0};
    if (ksync_global_init(&e)) {
        fprintf(stderr, "kiosk sync: %s\n", e.msg);
        return 1;
    }
    if (argc == 0 || strcmp(argv[0], "now") == 0)
        return argc > 1 ? usage() : cmd_now(data_dir, clock);
    const char *cmd = argv[0];
    if (strcmp(cmd, "pair") == 0)
        return cmd_pair(argc, argv, data_dir);
    if (strcmp(cmd, "unpair") == 0 && argc == 1) {
        if (ksync_unpair(data_dir, &e)) {
            fprintf(stderr, "kiosk sync unpair: %s\n", e.msg);
            return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "status") == 0 && argc == 1)
        return cmd_status(data_dir);
    if (strcmp(cmd, "key") == 0 && argc == 1) {
        char id[33], key[65];
        if (ksync_key(data_dir, id, key, &e)) {
            fprintf(stderr, "kiosk sync key: %s\n", e.msg);
            return 1;
        }
        printf("kiosk-hub device add NAME --device-id %s --bundle-key %s\n", id, key);
        fprintf(stderr, "run that on the hub (NAME: this kiosk's name there); its bundles then import\n"
                "even if it never reaches the hub, and the token it prints pairs it over a network\n");
        return 0;
    }
    if (strcmp(cmd, "export") == 0 && argc == 2) {
        char path[4400];
        int64_t n = 0;
        ksync_opts o = {clock, 0, NULL, NULL, NULL, 0};
        if (ksync_export(data_dir, argv[1], &o, path, sizeof path, &n, &e)) {
            fprintf(stderr, "kiosk sync export: %s\n", e.msg);
            return 1;
        }
        printf("%s\n", path);
        fprintf(stderr, "wrote %" PRId64 " records; on the hub run: kiosk-hub import %s\n", n, path);
        return 0;
    }
    return usage();
}

/* Dispatches the sync subcommands with the system clock. */
int ksync_cli(const char *data_dir, int argc, char **argv)
{
    return ksync_cli_clock(data_dir, NULL, argc, argv);
}
