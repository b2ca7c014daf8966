/*
 * hub_main.c - the kiosk-hub command line.
 *
 *   kiosk-hub serve  [--store PATH] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]
 *   kiosk-hub device add NAME [--device-id ID --bundle-key HEX] | revoke NAME | list
 *                                                     [--store PATH]
 *       add prints the new token once, on standard output only; with the
 *       kiosk's id and bundle key (`kiosk sync key`) the token is bound to
 *       them at once, so that kiosk's bundles import before it ever
 *       reaches the hub over a network
 *   kiosk-hub user add NAME                           [--store PATH]
 *       a staff account for the web page (hub_web.h); the password is read
 *       from standard input (one line; not echoed on a terminal) and stored
 *       as Argon2id (hub_users.h)
 *   kiosk-hub import FILE...                          [--store PATH]
 *   kiosk-hub events                                  [--store PATH]
 *   kiosk-hub export --event ID --format csv|xlsx -o FILE|- [--survey FILE]... [--store PATH]
 *   kiosk-hub copy --from HUB.DB --to postgresql://USER@HOST/DB
 *       moves an SQLite hub to PostgreSQL (devices, tokens, records);
 *       running it again adds only what is new
 *   kiosk-hub event add NAME --program P [--date YYYY-MM-DD] [--survey KEY] [--link URL]
 *       makes an event every kiosk downloads; prints its id
 *   kiosk-hub survey add FILE...    a survey file every kiosk downloads
 *                                   (checked as `kiosk survey check` does)
 *   kiosk-hub person list [TEXT] | merge KEEP OTHER | forget ID
 *       the roster's people; merge makes OTHER an alias of KEEP on every
 *       kiosk; forget erases a person's data here and on every kiosk
 *
 * --store PATH is an SQLite file, or a PostgreSQL connection URI
 * (postgresql://USER@HOST/DB, any libpq URI; libpq's PG* variables fill
 * the rest), which several hub processes may share (hub_store.h).
 *
 * export writes the kiosk export's columns and layout (hub_export.h); each
 * --survey gives a survey's question order and types, as for `kiosk
 * export`; -o - writes the CSV to standard output.
 *
 * --store defaults to $KIOSK_HUB_STORE, else ./kiosk-hub.db.  Exit status:
 * 0 done, 1 refused or failed (message on stderr), 2 usage.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "bundle.h"
#include "hub_export.h"
#include "hub_http.h"
#include "hub_store.h"
#include "cli_args.h"
#include "hub_users.h"
#include "kbuf.h"
#include "sync_config.h"

/* Largest --max-batch-bytes: a body is held in memory whole. */
#define KHUB_MAX_BATCH_BYTES_OPT (256LL * 1024 * 1024)

/* Prints usage to stderr and returns 2. */
static int usage(void)
{
    fprintf(stderr,
            "usage: kiosk-hub serve [--store PATH] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]\n"
            "       kiosk-hub device add NAME [--device-id ID --bundle-key HEX] [--store PATH]\n"
            "       kiosk-hub device revoke NAME | device list [--store PATH]\n"
            "       kiosk-hub user add NAME [--store PATH]   (password on standard input)\n"
            "       kiosk-hub import FILE... [--store PATH]\n"
            "       kiosk-hub events [--store PATH]\n"
            "       kiosk-hub export --event ID --format csv|xlsx -o FILE|- [--survey FILE]...\n"
            "                        [--store PATH]\n"
            "       kiosk-hub copy --from HUB.DB --to postgresql://USER@HOST/DB\n"
            "       kiosk-hub event add NAME --program P [--date YYYY-MM-DD] [--survey KEY] [--link URL]\n"
            "       kiosk-hub survey add FILE... [--store PATH]\n"
            "       kiosk-hub person list [TEXT] | merge KEEP OTHER | forget ID [--store PATH]\n"
            "  PATH: an SQLite file, or postgresql://USER@HOST/DB (PostgreSQL)\n");
    return 2;
}

/* Options shared by the subcommands; positional arguments are collected. */
typedef struct opts {
    const char *store, *listen, *tls_cert, *tls_key, *event, *format, *out, *from, *to, *device_id, *bundle_key;
    const char *program, *date, *link;
    long long max_pages;
    long long delay_ms;
    long long max_body;
    const char *pos[16];
    int npos;
    const char *surveys[16];
    int nsurveys;
} opts;

/* Parses argv[from..argc) into o; -1 on a usage error. */
static int parse_opts(int argc, char **argv, int from, opts *o)
{
    memset(o, 0, sizeof *o);
    o->store = getenv("KIOSK_HUB_STORE");
    if (!o->store || !*o->store)
        o->store = KHUB_STORE;
    for (int i = from; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        long long *num = NULL, lo = 0, hi = 0;
        const char *what = NULL;
        if (strcmp(a, "--store") == 0) slot = &o->store;
        else if (strcmp(a, "--listen") == 0) slot = &o->listen;
        else if (strcmp(a, "--tls-cert") == 0) slot = &o->tls_cert;
        else if (strcmp(a, "--tls-key") == 0) slot = &o->tls_key;
        else if (strcmp(a, "--event") == 0) slot = &o->event;
        else if (strcmp(a, "--format") == 0) slot = &o->format;
        else if (strcmp(a, "--from") == 0) slot = &o->from;
        else if (strcmp(a, "--to") == 0) slot = &o->to;
        else if (strcmp(a, "--device-id") == 0) slot = &o->device_id;
        else if (strcmp(a, "--bundle-key") == 0) slot = &o->bundle_key;
        else if (strcmp(a, "--program") == 0) slot = &o->program;
        else if (strcmp(a, "--date") == 0) slot = &o->date;
        else if (strcmp(a, "--link") == 0) slot = &o->link;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) slot = &o->out;
        else if (strcmp(a, "--survey") == 0) {
            if (o->nsurveys == (int)(sizeof o->surveys / sizeof o->surveys[0])) {
                fprintf(stderr, "kiosk-hub: at most %d --survey files\n", o->nsurveys);
                return -1;
            }
            slot = &o->surveys[o->nsurveys++];
        }
        /* numbers: the whole text, in range, or a message naming the option */
        else if (strcmp(a, "--test-max-pages") == 0)
            num = &o->max_pages, lo = 1, hi = INT32_MAX, what = "pages";
        else if (strcmp(a, "--max-batch-bytes") == 0)
            num = &o->max_body, lo = 1, hi = KHUB_MAX_BATCH_BYTES_OPT, what = "bytes";
        else if (strcmp(a, "--test-ingest-delay-ms") == 0)
            num = &o->delay_ms, lo = 0, hi = 60000, what = "milliseconds";
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "kiosk-hub: unknown option %s\n", a);
            return -1;
        } else {
            if (o->npos >= (int)(sizeof o->pos / sizeof o->pos[0]))
                return -1;
            o->pos[o->npos++] = a;
            continue;
        }
        if (++i >= argc) {
            fprintf(stderr, "kiosk-hub: %s needs a value\n", a);
            return -1;
        }
        if (slot)
            *slot = argv[i];
        else if (kcli_parse_int(stderr, "kiosk-hub", a, what, argv[i], lo, hi, num) != 0)
            return -1;
    }
    return 0;
}

/* kiosk-hub device add|revoke|list. */
static int cmd_device(const opts *o)
{
    if (o->npos < 1)
        return usage();
    khub *h;
    kerr e = {0};
    if (khub_open(&h, o->store, &e)) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    int rc = 0;
    if (strcmp(o->pos[0], "add") == 0 && o->npos == 2) {
        char token[KHUB_TOKEN_LEN + 1];
        unsigned char pk[32];
        if (!o->device_id != !o->bundle_key)
            rc = kerr_set(&e, KERR_INVALID, "--device-id and --bundle-key go together (both from "
                          "`kiosk sync key` on the kiosk)");
        else if (o->bundle_key && (strlen(o->bundle_key) != 64 ||
                                   strspn(o->bundle_key, "0123456789abcdef") != 64 ||
                                   sodium_hex2bin(pk, sizeof pk, o->bundle_key, 64, NULL, NULL, NULL) != 0))
            rc = kerr_set(&e, KERR_INVALID, "--bundle-key: expected 64 lower-case hex digits (from "
                          "`kiosk sync key`)");
        else
            rc = khub_device_add_bound(h, o->pos[1], o->device_id, o->bundle_key ? pk : NULL, token, &e);
        if (rc == 0) {
            /* the token goes to standard output once and nowhere else (not
             * to the terminal's other stream, not to any log) */
            printf("%s\n", token);
            fflush(stdout);
            sodium_memzero(token, sizeof token);
            fprintf(stderr, "device %s added; the token above is shown once.  On the kiosk run\n"
                    "  kiosk sync pair URL\nand give it the token on standard input.\n", o->pos[1]);
        }
    } else if (strcmp(o->pos[0], "revoke") == 0 && o->npos == 2) {
        rc = khub_device_revoke(h, o->pos[1], &e);
        if (rc == 0)
            fprintf(stderr, "device %s revoked\n", o->pos[1]);
    } else if (strcmp(o->pos[0], "list") == 0 && o->npos == 1) {
        rc = khub_device_list(h, stdout, &e);
    } else {
        khub_close(h);
        return usage();
    }
    khub_close(h);
    if (rc) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    return 0;
}

/* Reads one line (the password) from standard input, without echo on a
 * terminal; 0, or -1 if there is none or it is too long. */
static int read_password(char *out, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf(stderr, "password: ");
    } else {
        tty = 0;
    }
    int rc = fgets(out, (int)cap, stdin) ? 0 : -1;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    size_t n = rc == 0 ? strlen(out) : 0;
    if (rc == 0 && n == cap - 1 && out[n - 1] != '\n')
        rc = -1;                                    /* longer than the buffer */
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return rc;
}

/* kiosk-hub user add NAME: a staff account for the web page. */
static int cmd_user(const opts *o)
{
    if (o->npos != 2 || strcmp(o->pos[0], "add") != 0)
        return usage();
    char pw[KHUB_PASSWORD_MAX + 2];
    if (read_password(pw, sizeof pw) != 0) {
        sodium_memzero(pw, sizeof pw);
        fprintf(stderr, "kiosk-hub: user add: give the password on standard input (one line, at "
                "most %d bytes)\n", KHUB_PASSWORD_MAX);
        return 1;
    }
    khub *h;
    kerr e = {0};
    int rc = khub_open(&h, o->store, &e);
    if (rc == 0) {
        rc = khub_user_add(h, o->pos[1], pw, &e);
        khub_close(h);
    }
    sodium_memzero(pw, sizeof pw);
    if (rc) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    fprintf(stderr, "user %s added: log in at the hub's address, /login\n", o->pos[1]);
    return 0;
}

/* Imports one bundle: verified whole (form, checksum, then the signature
 * with the key its kiosk gave at pairing), then stored batch by batch in
 * one transaction, so a bundle is stored whole or not at all. */
static int import_one(khub *h, const char *path, int *nb, khub_result *res, kerr *e)
{
    ksync_bundle_reader *r = NULL;
    int rc = ksync_bundle_open(&r, path, e);
    if (rc)
        return rc;
    *nb = ksync_bundle_count(r);
    if (ksync_bundle_version(r) < 2) {
        ksync_bundle_close(r);
        return kerr_set(e, KERR_INVALID, "%s: an unsigned bundle (written before bundles were "
                        "signed): update the kiosk and export again, or let it sync over the "
                        "network", path);
    }
    snprintf(res->device_id, sizeof res->device_id, "%s", ksync_bundle_signer(r));
    unsigned char keys[4][32];
    int nk = 0, good = 0;
    char name[KHUB_DEVICE_NAME_MAX + 1];
    rc = khub_bundle_keys(h, ksync_bundle_signer(r), keys, 4, &nk, name, e);
    for (int k = 0; rc == 0 && k < nk && !good; k++)
        good = ksync_bundle_check_signature(r, keys[k]);
    if (rc == 0 && !good)
        rc = kerr_set(e, KERR_INVALID, "%s: bad signature: this bundle was not signed by the kiosk "
                      "paired as %s (device id %s); it was altered, or comes from another kiosk "
                      "that claims this id", path, name, ksync_bundle_signer(r));
    if (rc == 0)
        snprintf(res->device_name, sizeof res->device_name, "%s", name);
    if (rc == 0)
        rc = khub_ingest_begin(h, e);
    int open_tx = rc == 0;
    khub_source src = {NULL, khub_now_ms(), 0, path};
    while (rc == 0) {
        ksync_batch b;
        int done = 0;
        rc = ksync_bundle_next(r, &b, &done, e);
        if (rc == 0 && done)
            break;
        if (rc == 0)
            rc = khub_ingest_batch(h, &src, &b, res, e);
        ksync_batch_free(&b);
    }
    if (open_tx) {
        int e2 = khub_ingest_end(h, rc == 0, res, rc ? NULL : e);
        if (rc == 0)
            rc = e2;
    }
    ksync_bundle_close(r);
    return rc;
}

/* kiosk-hub import FILE...: each bundle verified whole, then stored whole. */
static int cmd_import(const opts *o)
{
    if (o->npos < 1)
        return usage();
    khub *h;
    kerr e = {0};
    if (khub_open(&h, o->store, &e)) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    int failed = 0;
    for (int f = 0; f < o->npos; f++) {
        int nb = 0;
        khub_result res;
        memset(&res, 0, sizeof res);
        int rc = import_one(h, o->pos[f], &nb, &res, &e);
        kbuf m = {0};
        kbuf_str(&m, "\"file\":");
        kbuf_json_str(&m, o->pos[f]);
        kbuf_printf(&m, ",\"batches\":%d,\"count\":%d,\"stored\":%d,\"duplicates\":%d", nb, res.records,
                    rc ? 0 : res.stored, rc ? 0 : res.duplicates);
        if (res.device_id[0])
            kbuf_printf(&m, ",\"device_id\":\"%s\"", res.device_id);
        if (res.device_name[0]) {
            kbuf_str(&m, ",\"device\":");
            kbuf_json_str(&m, res.device_name);
        }
        if (!rc)
            kbuf_printf(&m, ",\"acked_seq\":%" PRId64, res.acked_seq);
        kbuf_printf(&m, ",\"result\":\"%s\"", rc ? "refused" : "ok");
        if (rc) {
            kbuf_str(&m, ",\"message\":");
            kbuf_json_str(&m, e.msg);
            fprintf(stderr, "kiosk-hub: %s: nothing imported\n", e.msg);
            failed = 1;
        } else {
            fprintf(stderr, "%s: %d records, %d new, %d already held\n", o->pos[f], res.records,
                    res.stored, res.duplicates);
        }
        if (!m.oom)
            khub_log("import", m.p);
        kbuf_free(&m);
    }
    khub_close(h);
    return failed;
}

/* kiosk-hub copy --from HUB.DB --to URI: an SQLite hub into PostgreSQL. */
static int cmd_copy(const opts *o)
{
    if (!o->from || !o->to || o->npos)
        return usage();
    struct stat st;
    if (stat(o->from, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "kiosk-hub: --from %s: no such hub store file\n", o->from);
        return 1;
    }
    khub *src = NULL, *dst = NULL;
    kerr e = {0};
    int rc = khub_open(&src, o->from, &e);
    if (rc == 0)
        rc = khub_open(&dst, o->to, &e);
    if (rc == 0)
        rc = khub_copy(dst, src, stderr, &e);
    khub_close(dst);
    khub_close(src);
    if (rc) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    return 0;
}

/* kiosk-hub event add | survey add | person list|merge|forget: the roster
 * kiosks download (hub_store.h). */
static int cmd_roster(const char *cmd, const opts *o)
{
    const char *sub = o->npos ? o->pos[0] : "";
    int ok_args = (strcmp(cmd, "event") == 0 && strcmp(sub, "add") == 0 && o->npos == 2 &&
                   o->program && o->nsurveys <= 1) ||
                  (strcmp(cmd, "survey") == 0 && strcmp(sub, "add") == 0 && o->npos >= 2) ||
                  (strcmp(cmd, "person") == 0 && ((strcmp(sub, "list") == 0 && o->npos <= 2) ||
                                                  (strcmp(sub, "merge") == 0 && o->npos == 3) ||
                                                  (strcmp(sub, "forget") == 0 && o->npos == 2)));
    if (!ok_args)
        return usage();
    khub *h;
    kerr e = {0};
    if (khub_open(&h, o->store, &e)) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    int rc = 0;
    if (strcmp(cmd, "event") == 0) {
        char id[33];
        rc = khub_event_add(h, o->pos[1], o->program, o->date, o->nsurveys ? o->surveys[0] : NULL,
                            o->link, id, &e);
        if (rc == 0)
            printf("%s\n", id);
    } else if (strcmp(cmd, "survey") == 0) {
        for (int f = 1; f < o->npos && rc == 0; f++) {
            FILE *in = fopen(o->pos[f], "rb");
            struct stat st;
            if (!in || fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode)) {
                rc = kerr_set(&e, KERR_IO, "%s: cannot read it (not a regular file?)", o->pos[f]);
                if (in)
                    fclose(in);
                break;
            }
            size_t cap = (size_t)st.st_size + 1, n = 0;
            char *buf = malloc(cap);
            if (buf)
                n = fread(buf, 1, cap, in);
            fclose(in);
            char key[65];
            int version = 0;
            rc = !buf ? kerr_set(&e, KERR_INTERNAL, "out of memory")
                      : khub_survey_add(h, buf, n, o->pos[f], key, &version, &e);
            free(buf);
            if (rc == 0)
                fprintf(stderr, "%s: survey %s version %d, kiosks get it at their next sync\n",
                        o->pos[f], key, version);
        }
    } else if (strcmp(o->pos[0], "list") == 0) {
        khub_rows *r = NULL;
        rc = khub_people_list(h, o->npos > 1 ? o->pos[1] : "", 10000, &r, &e);
        int got;
        while (rc == 0 && (got = khub_rows_next(r, &e)) == 1) {
            const char *merged = khub_rows_text(r, 5);
            printf("%s\t%s\t%s\t%s\t%s%s%s\n", khub_rows_text(r, 0), khub_rows_text(r, 1),
                   khub_rows_text(r, 2), khub_rows_text(r, 3), khub_rows_text(r, 4),
                   merged && *merged ? "\tmerged: " : "", merged ? merged : "");
        }
        if (rc == 0 && got < 0)
            rc = got;
        khub_rows_free(r);
    } else if (strcmp(o->pos[0], "merge") == 0) {
        rc = khub_person_merge(h, o->pos[1], o->pos[2], &e);
        if (rc == 0)
            fprintf(stderr, "%s is now %s on the hub and, after their next sync, on every kiosk\n",
                    o->pos[2], o->pos[1]);
    } else {
        rc = khub_person_forget(h, o->pos[1], &e);
        if (rc == 0)
            fprintf(stderr, "%s forgotten: name and contacts erased here; every kiosk erases them "
                    "at its next sync\n", o->pos[1]);
    }
    khub_close(h);
    if (rc) {
        fprintf(stderr, "kiosk-hub: %s\n", e.msg);
        return 1;
    }
    return 0;
}

/* Entry point. */
int main(int argc, char **argv)
{
    /* Everything the hub creates (store, its -wal and -shm, exports) is
     * private to its user whatever the caller's umask. */
    umask(077);
    if (argc < 2)
        return usage();
    opts o;
    if (parse_opts(argc, argv, 2, &o) != 0)
        return usage();
    const char *cmd = argv[1];
    kerr e = {0};
    if (strcmp(cmd, "serve") == 0) {
        if (o.npos)
            return usage();
        khub_serve_opts so = {o.store, o.listen, o.tls_cert, o.tls_key, (size_t)o.max_body,
                              (long)o.max_pages, (int)o.delay_ms};
        if (khub_serve(&so, &e)) {
            fprintf(stderr, "kiosk-hub: %s\n", e.msg);
            return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "device") == 0)
        return cmd_device(&o);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(&o);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(&o);
    if (strcmp(cmd, "copy") == 0)
        return cmd_copy(&o);
    if (strcmp(cmd, "event") == 0 || strcmp(cmd, "survey") == 0 || strcmp(cmd, "person") == 0)
        return cmd_roster(cmd, &o);
    if (strcmp(cmd, "events") == 0 || strcmp(cmd, "export") == 0) {
        khub *h;
        if (khub_open(&h, o.store, &e)) {
            fprintf(stderr, "kiosk-hub: %s\n", e.msg);
            return 1;
        }
        int rc;
        if (strcmp(cmd, "events") == 0) {
            rc = khub_events_list(h, stdout, &e);
        } else if (!o.event || !o.format || !o.out || o.npos) {
            khub_close(h);
            return usage();
        } else {
            long rows = 0;
            khub_export_opts xo = {o.event, o.format, o.out, o.surveys, o.nsurveys};
            rc = khub_export(h, &xo, &rows, &e);
            if (rc == 0)
                fprintf(stderr, "%s: %ld people\n", strcmp(o.out, "-") ? o.out : "standard output",
                        rows);
        }
        khub_close(h);
        if (rc) {
            fprintf(stderr, "kiosk-hub: %s\n", e.msg);
            return 1;
        }
        return 0;
    }
    return usage();
}
