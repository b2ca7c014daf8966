/*
 * hub_main.c - the kiosk-hub command line.
 *
 *   kiosk-hub serve  [--store PATH] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]
 *   kiosk-hub device add NAME | revoke NAME | list   [--store PATH]
 *   kiosk-hub import FILE...                          [--store PATH]
 *   kiosk-hub events                                  [--store PATH]
 *   kiosk-hub export --event ID --format csv|xlsx -o FILE|- [--survey FILE]... [--store PATH]
 *
 * export writes the kiosk export's columns and layout (hub_export.h); each
 * --survey gives a survey's question order and types, as for `kiosk
 * export`; -o - writes the CSV to standard output.
 *
 * --store defaults to $KIOSK_HUB_STORE, else ./kiosk-hub.db.  Exit status:
 * 0 done, 1 refused or failed (message on stderr), 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "hub_export.h"
#include "hub_http.h"
#include "hub_store.h"
#include "kbuf.h"
#include "sync_config.h"

/* Prints usage to stderr and returns 2. */
static int usage(void)
{
    fprintf(stderr,
            "usage: kiosk-hub serve [--store PATH] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]\n"
            "       kiosk-hub device add NAME | device revoke NAME | device list [--store PATH]\n"
            "       kiosk-hub import FILE... [--store PATH]\n"
            "       kiosk-hub events [--store PATH]\n"
            "       kiosk-hub export --event ID --format csv|xlsx -o FILE|- [--survey FILE]...\n"
            "                        [--store PATH]\n");
    return 2;
}

/* Options shared by the subcommands; positional arguments are collected. */
typedef struct opts {
    const char *store, *listen, *tls_cert, *tls_key, *event, *format, *out;
    long max_pages;
    int delay_ms;
    long max_body;
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
        long *num = NULL;
        if (strcmp(a, "--store") == 0) slot = &o->store;
        else if (strcmp(a, "--listen") == 0) slot = &o->listen;
        else if (strcmp(a, "--tls-cert") == 0) slot = &o->tls_cert;
        else if (strcmp(a, "--tls-key") == 0) slot = &o->tls_key;
        else if (strcmp(a, "--event") == 0) slot = &o->event;
        else if (strcmp(a, "--format") == 0) slot = &o->format;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) slot = &o->out;
        else if (strcmp(a, "--survey") == 0) {
            if (o->nsurveys == (int)(sizeof o->surveys / sizeof o->surveys[0])) {
                fprintf(stderr, "kiosk-hub: at most %d --survey files\n", o->nsurveys);
                return -1;
            }
            slot = &o->surveys[o->nsurveys++];
        }
        else if (strcmp(a, "--test-max-pages") == 0) num = &o->max_pages;
        else if (strcmp(a, "--max-batch-bytes") == 0) num = &o->max_body;
        else if (strcmp(a, "--test-ingest-delay-ms") == 0) {
            if (++i >= argc)
                return -1;
            o->delay_ms = atoi(argv[i]);
            continue;
        } else if (a[0] == '-' && a[1]) {
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
        else
            *num = strtol(argv[i], NULL, 10);
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
        rc = khub_device_add(h, o->pos[1], token, &e);
        if (rc == 0) {
            printf("%s\n", token);
            fprintf(stderr, "device %s paired; this token is shown once, on the kiosk run:\n"
                    "  kiosk sync pair URL %s\n", o->pos[1], token);
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
        ksync_batch *bs = NULL;
        int nb = 0;
        khub_result res;
        memset(&res, 0, sizeof res);
        int rc = ksync_bundle_read(o->pos[f], &bs, &nb, &e);
        if (rc == 0 && nb > 0) {
            khub_source src = {NULL, khub_now_ms(), 0, o->pos[f]};
            rc = khub_ingest(h, &src, bs, nb, &res, &e);
        }
        kbuf m = {0};
        kbuf_str(&m, "\"file\":");
        kbuf_json_str(&m, o->pos[f]);
        kbuf_printf(&m, ",\"batches\":%d,\"count\":%d,\"stored\":%d,\"duplicates\":%d", nb, res.records,
                    res.stored, res.duplicates);
        if (res.device_id[0])
            kbuf_printf(&m, ",\"device_id\":\"%s\",\"acked_seq\":%" PRId64, res.device_id, res.acked_seq);
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
        for (int i = 0; i < nb; i++)
            ksync_batch_free(&bs[i]);
        free(bs);
    }
    khub_close(h);
    return failed;
}

/* Entry point. */
int main(int argc, char **argv)
{
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
                              o.max_pages, o.delay_ms};
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
