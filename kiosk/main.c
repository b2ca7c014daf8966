/*
 * main.c - the kiosk's command line: the kiosk itself, its replay driver,
 * and the staff commands that work without the screen.
 *
 *   kiosk [--data DIR] [--demo] [--windowed] [--size WxH] [--dpi N]
 *         [--idle SECONDS] [--lang CODE]
 *   kiosk --replay FILE [--screenshots DIR] [--data DIR] [--size WxH] [--demo]
 *   kiosk event add NAME --program PROGRAM [--date YYYY-MM-DD]
 *   kiosk event list
 *   kiosk event use ID
 *
 * Options may come before or after the command words.  Exit status: 0 on
 * success, 1 when a replay expectation failed or a check found problems,
 * 2 on bad usage or an error (the message names what and where).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli_args.h"
#include "cli_demo.h"
#include "cli_export.h"
#include "cli_staff.h"
#include "config.h"
#include "demo.h"
#include "flow.h"
#include "i18n.h"
#include "kclock.h"
#include "paths.h"
#include "store.h"
#include "store_guard.h"
#include "survey.h"
#include "surveys.h"
#include "sync_bg.h"
#include "sync_cli.h"
#include "ui/app.h"
#include "cli_i18n.h"
#include "ui/places.h"
#include "ui/replay.h"
#include "ui/screens.h"
#include "ui/linebreak.h"
#include "ui/text.h"

#define KIOSK_ARGS_MAX 64
/* The start's store check shows "checking" once it takes longer than this. */
#define KIOSK_CHECKING_SHOW_MS 250

/* The kiosk's own files (kiosk/paths.h), found at start. */
static kpaths paths;

typedef struct opts {
    const char *data;
    const char *assets;
    const char *replay;
    const char *places;       /* replay: record text places here (i18n review) */
    const char *shots;
    const char *fonts;
    const char *surveys;
    const char *export_dir;
    const char *shutdown_cmd;
    const char *lang;
    const char *program;
    const char *date;
    const char *survey_key;
    const char *link;
    int demo, windowed, trace, software, no_layout_check;
    int w, h;
    double dpi;
    long idle_s;
    long sync_s;
    long limit_pages;
    int nargs;
    const char *args[KIOSK_ARGS_MAX];
} opts;

static void usage(FILE *f)
{
    fputs("usage: kiosk [options]                      run the kiosk\n"
          "       kiosk --replay FILE [options]        run a replay script headless\n"
          "       kiosk event add NAME --program PROGRAM [--date YYYY-MM-DD]\n"
          "                       [--survey KEY] [--link URL]\n"
          "       kiosk event list\n"
          "       kiosk event use ID\n"
          "       kiosk sync [pair URL | unpair | status | export DIR | key]\n"
          "       kiosk survey check FILE...\n"
          "       kiosk export [--event ID | --since DATE] --format csv|xlsx -o FILE\n"
          "       kiosk staff set-pin | revoke-qr PERSON | programs [set LIST]\n"
          "       kiosk i18n check                     translations and fonts\n"
          "       kiosk i18n sheet [--lang CODE...] -o review.xlsx   workbook for reviewers\n"
          "       kiosk i18n apply review.xlsx         write reviewed corrections back\n"
          "       kiosk store check | recover --from FILE | recover --new\n"
          "       kiosk demo seed --people N --checkins M [--events E]   a year of demo data\n"
          "\n"
          "options:\n"
          "  --data DIR         data folder (default $KIOSK_DATA, else\n"
          "                     $XDG_DATA_HOME/kiosk or ~/.local/share/kiosk)\n"
          "  --demo             add a demo event and about 200 people, and use it\n"
          "  --windowed         a window instead of full screen\n"
          "  --size WxH         window (or replay) size, e.g. 800x480\n"
          "  --dpi N            screen density, for 9 mm touch targets (default: the\n"
          "                     display's, or 133, the official Pi touchscreen)\n"
          "  --idle SECONDS     idle time before \"Still there?\" (default 45)\n"
          "  --lang CODE        default language (en)\n"
          "  --sync-every SECS  background sync interval while paired (default 300)\n"
          "  --screenshots DIR  where replay 'shot' files go\n"
          "  --trace            print screen changes on stdout as they happen (tests)\n"
          "  --assets DIR       the kiosk's files: po/, surveys/, fonts/ (default\n"
          "                     $KIOSK_ASSETS, else ../share/kiosk beside the program)\n"
          "  --fonts DIR        font manifest folder (default: ASSETS/fonts)\n"
          "  --surveys DIR      survey files (default: ASSETS/surveys)\n"
          "  --export-dir DIR   staff attendance files go here instead of a USB drive\n"
          "  --shutdown-command CMD  run after staff shut the kiosk down (e.g.\n"
          "                     \"systemctl poweroff\")\n"
          "  --software         use the software renderer\n"
          "  --no-layout-check  replay: do not fail on layout problems\n"
          "  --places FILE      replay: record every text's box (kiosk i18n sheet)\n"
          "  --limit-pages N    testing: cap the database at N pages (a full disk)\n",
          f);
}

/* Parses the command line into o; returns 0, or 2 after a message. */
static int parse(int argc, char **argv, opts *o)
{
    long long num = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE()                                                        \
    do {                                                               \
        if (!next) {                                                   \
            fprintf(stderr, "kiosk: %s needs a value\n", a);           \
            return 2;                                                  \
        }                                                              \
        i++;                                                           \
    } while (0)
        if (strcmp(a, "--data") == 0) { VALUE(); o->data = next; }
        else if (strcmp(a, "--assets") == 0) { VALUE(); o->assets = next; }
        else if (strcmp(a, "--replay") == 0) { VALUE(); o->replay = next; }
        else if (strcmp(a, "--places") == 0) { VALUE(); o->places = next; }
        else if (strcmp(a, "--screenshots") == 0) { VALUE(); o->shots = next; }
        else if (strcmp(a, "--fonts") == 0) { VALUE(); o->fonts = next; }
        else if (strcmp(a, "--surveys") == 0) { VALUE(); o->surveys = next; }
        else if (strcmp(a, "--export-dir") == 0) { VALUE(); o->export_dir = next; }
        else if (strcmp(a, "--shutdown-command") == 0) { VALUE(); o->shutdown_cmd = next; }
        else if (strcmp(a, "--lang") == 0) { VALUE(); o->lang = next; }
        else if (strcmp(a, "--program") == 0) { VALUE(); o->program = next; }
        else if (strcmp(a, "--date") == 0) { VALUE(); o->date = next; }
        else if (strcmp(a, "--survey") == 0) { VALUE(); o->survey_key = next; }
        else if (strcmp(a, "--link") == 0) { VALUE(); o->link = next; }
        else if (strcmp(a, "--size") == 0) {
            VALUE();
            if (kcli_parse_size(stderr, "kiosk", a, next, 200, 8192, &o->w, &o->h) != 0)
                return 2;
        } else if (strcmp(a, "--dpi") == 0) {
            VALUE();
            if (kcli_parse_real(stderr, "kiosk", a, "dots per inch", next, 30, 1000,
                                &o->dpi) != 0)
                return 2;
        } else if (strcmp(a, "--idle") == 0) {
            VALUE();
            if (kcli_parse_int(stderr, "kiosk", a, "seconds", next, 5, 3600, &num) != 0)
                return 2;
            o->idle_s = (long)num;
        } else if (strcmp(a, "--sync-every") == 0) {
            VALUE();
            if (kcli_parse_int(stderr, "kiosk", a, "seconds", next, 10, 86400, &num) != 0)
                return 2;
            o->sync_s = (long)num;
        } else if (strcmp(a, "--limit-pages") == 0) {
            VALUE();
            if (kcli_parse_int(stderr, "kiosk", a, "pages", next, 1, 2147483647LL, &num) != 0)
                return 2;
            o->limit_pages = (long)num;
        } else if (strcmp(a, "--demo") == 0) o->demo = 1;
        else if (strcmp(a, "--windowed") == 0) o->windowed = 1;
        else if (strcmp(a, "--trace") == 0) o->trace = 1;
        else if (strcmp(a, "--software") == 0) o->software = 1;
        else if (strcmp(a, "--no-layout-check") == 0) o->no_layout_check = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("kiosk %s\n", KIOSK_VERSION);
            exit(0);
        } else if (a[0] == '-' && a[1] && o->nargs == 0) {
            fprintf(stderr, "kiosk: unknown option %s (see kiosk --help)\n", a);
            return 2;
        } else if (o->nargs < KIOSK_ARGS_MAX) {
            /* Command words, and options the command itself reads. */
            o->args[o->nargs++] = a;
        } else {
            fprintf(stderr, "kiosk: too many arguments\n");
            return 2;
        }
#undef VALUE
    }
    return 0;
}

/* The data folder: --data, $KIOSK_DATA, $XDG_DATA_HOME/kiosk, ~/.local/share/kiosk. */
static const char *data_dir(const opts *o, char *buf, size_t cap)
{
    if (o->data)
        return o->data;
    const char *env = getenv("KIOSK_DATA");
    if (env && env[0])
        return env;
    env = getenv("XDG_DATA_HOME");
    if (env && env[0]) {
        snprintf(buf, cap, "%s/kiosk", env);
        return buf;
    }
    env = getenv("HOME");
    snprintf(buf, cap, "%s/.local/share/kiosk", env && env[0] ? env : ".");
    return buf;
}

/* Prints one event line for `kiosk event list`. */
static int print_event(const kevent *e, void *ctx)
{
    const char *current = ctx;
    printf("%s  %s  %-18s %s%s%s%s\n", e->id, e->date, e->program, e->name,
           e->survey[0] ? "   survey: " : "", e->survey,
           strcmp(e->id, current) == 0 ? "   (current)" : "");
    return 0;
}

/* Refuses --survey KEY when no survey file of the kiosk has that key (the
 * event's answers would silently never be collected), listing the keys
 * there are.  The files are loaded as the kiosk loads them at start, with
 * the last good version of a broken file.  0, or 2 after a message. */
static int check_survey_key(const opts *o, kstore *s, const char *dir, const char *key)
{
    kerr err = {0};
    ksurveys *l = NULL;
    char keep[4096 + 16];
    snprintf(keep, sizeof keep, "%s/surveys-good", dir);
    if (!o->surveys && !paths.surveys[0] && kpaths_find(&paths, o->assets, &err) != 0) {
        fprintf(stderr, "kiosk: event add: --survey %s: %s\n", key, err.msg);
        return 2;
    }
    const char *sdir = o->surveys ? o->surveys : paths.surveys;
    if (ksurveys_open(&l, sdir, keep, &err) != 0) {
        fprintf(stderr, "kiosk: event add: --survey %s: cannot read the survey files: %s\n",
                key, err.msg);
        return 2;
    }
    if (ksurveys_use_hub(l, s, &err) != 0)
        fprintf(stderr, "kiosk: event add: the hub's surveys: %s\n", err.msg);
    int found = ksurveys_find(l, key) != NULL;
    if (!found) {
        fprintf(stderr, "kiosk: event add: --survey %s: no survey file in %s (nor the hub) has "
                "that key; ", key, sdir);
        if (ksurveys_count(l) == 0)
            fprintf(stderr, "there are no surveys there (see kiosk survey check)\n");
        else {
            fprintf(stderr, "known keys:");
            for (int i = 0; i < ksurveys_count(l); i++)
                fprintf(stderr, "%s %s", i ? "," : "", ksurvey_key(ksurveys_at(l, i)));
            fprintf(stderr, "\nnothing was stored\n");
        }
    }
    ksurveys_close(l);
    return found ? 0 : 2;
}

/* kiosk event add|list|use. */
static int cmd_event(const opts *o, kstore *s, const char *dir)
{
    kerr err = {0};
    const char *sub = o->nargs > 1 ? o->args[1] : "";
    if (strcmp(sub, "add") == 0) {
        if (o->nargs != 3 || !o->program) {
            fprintf(stderr, "usage: kiosk event add NAME --program PROGRAM [--date YYYY-MM-DD] "
                            "[--survey KEY] [--link URL]\n");
            return 2;
        }
        if (o->survey_key && o->survey_key[0] && check_survey_key(o, s, dir, o->survey_key) != 0)
            return 2;
        kevent e;
        kevent_spec spec = {o->args[2], o->program, o->date, o->survey_key, o->link};
        if (kstore_event_add2(s, &spec, &e, &err) != 0) {
            fprintf(stderr, "kiosk: event add: %s\n", err.msg);
            return 2;
        }
        printf("%s\n", e.id);
        kevent cur;
        if (kstore_event_current(s, &cur, &err) != 0) {
            kstore_event_use(s, e.id, &err);
            fprintf(stderr, "kiosk: \"%s\" is now the current event\n", e.name);
        }
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        kevent cur;
        char current[KIOSK_ID_HEX + 1] = "";
        if (kstore_event_current(s, &cur, &err) == 0)
            snprintf(current, sizeof current, "%s", cur.id);
        if (kstore_event_each(s, print_event, current, &err) != 0) {
            fprintf(stderr, "kiosk: event list: %s\n", err.msg);
            return 2;
        }
        return 0;
    }
    if (strcmp(sub, "use") == 0) {
        if (o->nargs != 3) {
            fprintf(stderr, "usage: kiosk event use ID\n");
            return 2;
        }
        kevent e;
        if (kstore_event_get(s, o->args[2], &e, &err) != 0 ||
            kstore_event_use(s, e.id, &err) != 0) {
            fprintf(stderr, "kiosk: event use: %s\n", err.msg);
            return 2;
        }
        printf("current event: %s (%s)\n", e.name, e.id);
        return 0;
    }
    fprintf(stderr, "usage: kiosk event add|list|use ...\n");
    return 2;
}

/* kiosk store check | recover --from FILE | recover --new (store_guard.h).
 * Works without opening the store: exactly when the kiosk refuses it. */
static int cmd_store(const opts *o, const char *dir)
{
    kerr err = {0};
    char aside[4400] = "";
    const char *sub = o->nargs > 1 ? o->args[1] : "";
    if (strcmp(sub, "check") == 0 && o->nargs == 2) {
        int rc = kstore_check_full(dir, stdout, &err);
        if (rc == 0)
            return 0;
        fprintf(stderr, "kiosk store check: %s\n", err.msg);
        if (rc == KERR_CORRUPT)
            fprintf(stderr, "kiosk store check: nothing was changed; to go on, see "
                            "'kiosk store recover'\n");
        return rc == KERR_CORRUPT ? 1 : 2;
    }
    if (strcmp(sub, "recover") == 0 && o->nargs == 4 && strcmp(o->args[2], "--from") == 0) {
        if (kstore_recover_from(dir, o->args[3], aside, sizeof aside, &err) != 0) {
            fprintf(stderr, "kiosk store recover: %s\n", err.msg);
            return 2;
        }
        printf("the store in %s is now a copy of %s\n", dir, o->args[3]);
        if (aside[0])
            printf("the file it replaced was kept as %s\n", aside);
        return 0;
    }
    if (strcmp(sub, "recover") == 0 && o->nargs == 3 && strcmp(o->args[2], "--new") == 0) {
        if (kstore_recover_new(dir, aside, sizeof aside, &err) != 0) {
            fprintf(stderr, "kiosk store recover: %s\n", err.msg);
            return 2;
        }
        if (aside[0])
            printf("the old store was kept as %s\n", aside);
        printf("the next start makes a new, empty store with a new device id: pair it with "
               "the hub again (kiosk sync pair)\n");
        return 0;
    }
    fprintf(stderr,
            "usage: kiosk store check                full check of kiosk.db (read only)\n"
            "       kiosk store recover --from FILE  a copy of this kiosk's store becomes "
            "kiosk.db\n"
            "       kiosk store recover --new        set the old store aside, start an empty "
            "one\n"
            "nothing is deleted: a replaced file is renamed NAME.replaced-DATE-TIME\n");
    return 2;
}

/* Makes sure sign-ins have an event to go to: without one, a drop-in event
 * for today is made, so no sign-in is ever turned away. */
static int ensure_event(kstore *s, kerr *err)
{
    kevent e;
    if (kstore_event_current(s, &e, err) == 0)
        return 0;
    if (kstore_event_add(s, "Drop-in sign-in", "general", "", &e, err) != 0 ||
        kstore_event_use(s, e.id, err) != 0)
        return err->code;
    fprintf(stderr,
            "kiosk: no event was chosen; sign-ins go to \"%s\" (%s). Use 'kiosk event add' "
            "and 'kiosk event use' to choose one.\n",
            e.name, e.id);
    return 0;
}

/* What the staff screen says about sync: from the background thread's
 * status (no I/O), else from the database. */
typedef struct sync_ctx {
    ksync_bg *bg;
    const char *dir;
} sync_ctx;

static void sync_status_cb(void *ctx, struct kflow_sync *out)
{
    sync_ctx *c = ctx;
    ksync_status st;
    memset(&st, 0, sizeof st);
    if (c->bg)
        ksync_bg_status(c->bg, &st);
    else if (ksync_status_read(c->dir, &st, NULL) != 0)
        return;
    out->known = 1;
    out->paired = st.paired;
    out->pending = (long)st.pending;
    out->last_ok_ms = st.last_ok_ms;
    snprintf(out->error, sizeof out->error, "%s", st.last_error);
}

/* Draws the export's progress bar while the file is written (on the
 * screen's thread: the export calls back between rows), at most every
 * 50 ms so drawing never slows the writing. */
typedef struct progress_ctx {
    kapp *app;
    double last_ms;
} progress_ctx;

static int export_progress_cb(void *ctx, long done, long total)
{
    progress_ctx *p = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
    if (done < total && now - p->last_ms < 50)
        return 0;
    p->last_ms = now;
    kapp_frame(p->app, 1, p->app->win != NULL);
    SDL_PumpEvents();   /* keep the window responsive */
    return 0;
}

/* The staff screen's sync bundle, written with the sync client. */
static int sync_bundle_cb(void *ctx, const char *folder, char *path, size_t cap, long *records,
                          kerr *err)
{
    sync_ctx *c = ctx;
    int64_t n = 0;
    int rc = ksync_export(c->dir, folder, NULL, path, cap, &n, err);
    *records = (long)n;
    return rc;
}

/* What the kiosk needs before its first screen, made on a thread of its
 * own (issue 16, item 7): opening the store checks it (PRAGMA quick_check
 * of the whole file after an unclean stop: 2.6 s at 100k people on a PC,
 * several times that on a Pi 3), and the screen must not freeze meanwhile. */
typedef struct start_job {
    const opts *o;
    const char *dir;
    const kclock *clock;
    kstore *s;                  /* NULL: error says why */
    char error[600];
    ksurveys *surveys;
    pthread_t thread;
    atomic_int done;
} start_job;

static void start_work(start_job *j)
{
    const opts *o = j->o;
    kerr err = {0};
    if (kstore_open(&j->s, j->dir, j->clock, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        snprintf(j->error, sizeof j->error, "%s", err.msg);
        j->s = NULL;
    } else if (o->limit_pages > 0 && kstore_limit_pages(j->s, o->limit_pages, &err) != 0) {
        fprintf(stderr, "kiosk: --limit-pages: %s\n", err.msg);
    }
    if (j->s && o->demo && kdemo_seed(j->s, &err) != 0)
        fprintf(stderr, "kiosk: demo: %s\n", err.msg);
    if (j->s && ensure_event(j->s, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        snprintf(j->error, sizeof j->error, "%s", err.msg);
    }
    /* Surveys: each file checked; a broken edit falls back to its last
     * good version, kept in the data folder. */
    char keep[4096];
    snprintf(keep, sizeof keep, "%s/surveys-good", j->dir);
    const char *sdir = o->surveys ? o->surveys : paths.surveys;
    if (j->s && ksurveys_open(&j->surveys, sdir, keep, &err) != 0)
        fprintf(stderr, "kiosk: surveys: %s\n", err.msg);
    /* and the hub's (sync/PROTOCOL.md 12), each through the same check */
    if (j->s && !j->surveys)
        j->surveys = ksurveys_new();
    if (j->surveys && ksurveys_use_hub(j->surveys, j->s, &err) != 0)
        fprintf(stderr, "kiosk: the hub's surveys: %s\n", err.msg);
    if (j->surveys && ksurveys_problems(j->surveys)[0])
        fprintf(stderr, "kiosk: survey problems:\n%s", ksurveys_problems(j->surveys));
}

static void *start_thread(void *arg)
{
    start_job *j = arg;
    start_work(j);
    atomic_store(&j->done, 1);
    return NULL;
}

static int start_done(void *ctx)
{
    return atomic_load(&((start_job *)ctx)->done);
}

/* Runs the kiosk, on screen or under replay. */
static int run_kiosk(const opts *o, const char *dir)
{
    kclock clock;
    kclock_virtual vc;
    if (o->replay)
        kclock_virtual_init(&clock, &vc, (int64_t)time(NULL) * 1000, NULL);
    else
        kclock_system(&clock);

    kerr err = {0};
    kflow flow;
    kapp app;
    kapp_opts ao = {
        .fonts_dir = o->fonts ? o->fonts : paths.fonts,
        .w = o->w, .h = o->h,
        .windowed = o->windowed || o->replay,
        .offscreen = o->replay != NULL,
        .dpi = o->dpi,
        .software = o->software || o->replay,
    };
    if (kapp_open(&app, &flow, &ao, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        return 2;
    }
    /* What the welcome screen measured and drew at the last start. */
    char text_cache[4200];
    snprintf(text_cache, sizeof text_cache, "%s/text-cache", dir);
    ktext_cache_open(app.text, text_cache, ao.fonts_dir);
    klinebreak_memo(ktext_breaks_get, ktext_breaks_put, app.text);
    /* Catalogs: without them the kiosk still works, in English. */
    ki18n *cat = NULL;
    if (ki18n_open(&cat, paths.po, &err) != 0)
        fprintf(stderr, "kiosk: translations: %s; showing English only\n", err.msg);
    else
        kapp_use_catalog(&app, cat, KUI_LANGS_MAX);
    if (o->lang && cat && !ki18n_has(cat, o->lang))
        fprintf(stderr, "kiosk: --lang %s: no catalog for that language; using English\n",
                o->lang);

    /* The store, checked off the screen's thread: "checking" shows if it
     * takes longer than a blink (KIOSK_CHECKING_SHOW_MS). */
    start_job job = {.o = o, .dir = dir, .clock = &clock};
    atomic_init(&job.done, 0);
    if (pthread_create(&job.thread, NULL, start_thread, &job) == 0) {
        kapp_checking_wait(&app, o->lang && cat && ki18n_has(cat, o->lang) ? o->lang : "en",
                           start_done, &job, KIOSK_CHECKING_SHOW_MS);
        pthread_join(job.thread, NULL);
    } else {
        start_work(&job);       /* no thread to be had: here, as before */
    }
    kstore *s = job.s;
    ksurveys *surveys = job.surveys;
    char *error = job.error;
    if (app.quit) {             /* the window was closed while checking */
        klinebreak_memo(NULL, NULL, NULL);
        kapp_close(&app);
        ki18n_close(cat);
        ksurveys_close(surveys);
        kstore_close(s);
        return 0;
    }
    int64_t start = o->replay ? 0 : (int64_t)SDL_GetTicks64();
    kflow_init(&flow, s, start, error[0] ? error : NULL);
    flow.surveys = surveys;
    flow.clock = &clock;
    flow.export_dir = o->export_dir;
    flow.staff.page_rows = kscreen_staff_rows(&app.ui);
    for (int i = 0; cat && i < ki18n_count(cat) && i < 24; i++)
        flow.langs[flow.nlangs++] = ki18n_lang_at(cat, i)->code;
    /* The language staff chose for each visit to start in. */
    char saved_lang[KFLOW_LANG_MAX] = "";
    if (s && !o->lang && kstore_setting_get(s, "default_lang", saved_lang, sizeof saved_lang,
                                            &err) == 0 && cat && ki18n_has(cat, saved_lang)) {
        snprintf(flow.default_lang, sizeof flow.default_lang, "%s", saved_lang);
        kflow_reset(&flow);
    }
    if (o->idle_s > 0)
        flow.idle_ms = o->idle_s * 1000;
    if (o->lang && cat && ki18n_has(cat, o->lang)) {
        snprintf(flow.default_lang, sizeof flow.default_lang, "%s", o->lang);
        kflow_reset(&flow);
    }
    progress_ctx pctx = {&app, 0};
    flow.export_progress = export_progress_cb;
    flow.progress_ctx = &pctx;
    sync_ctx sctx = {NULL, dir};
    flow.sync_status = sync_status_cb;
    flow.sync_bundle = sync_bundle_cb;
    flow.sync_ctx = &sctx;
    int rc;
    if (o->replay) {
        kreplay_opts ro = {o->replay, o->shots, o->trace, !o->no_layout_check};
        kplaces *places = NULL;
        if (o->places && kplaces_open(&places, o->places, &err) != 0) {
            fprintf(stderr, "kiosk: --places: %s\n", err.msg);
            rc = 2;
        } else {
            app.ui.on_text = places ? kplaces_on_text : NULL;
            app.ui.on_text_ctx = places;
            rc = kreplay_run(&app, &vc, &ro);
            if (kplaces_close(places) != 0) {
                fprintf(stderr, "kiosk: --places: cannot write %s\n", o->places);
                rc = 2;
            }
        }
    } else {
        app.trace = o->trace;
        /* Records travel to the hub in the background while people sign in;
         * the thread has its own connection and never blocks the screen. */
        ksync_bg *bg = NULL;
        if (s && ksync_bg_start(&bg, dir, (int)(o->sync_s > 0 ? o->sync_s : 300) * 1000, NULL,
                                &err) != 0) {
            fprintf(stderr, "kiosk: background sync: %s\n", err.msg);
            bg = NULL;
        }
        sctx.bg = bg;
        rc = kapp_run(&app);
        ksync_bg_stop(bg);
    }
    kflow_settle(&flow);        /* a PIN being checked: its try is saved first */
    int shutdown = flow.quit;
    klinebreak_memo(NULL, NULL, NULL);
    kapp_close(&app);
    ki18n_close(cat);
    ksurveys_close(surveys);
    kstore_close(s);
    if (shutdown && o->shutdown_cmd && !o->replay) {
        /* Everything is closed and on disk: now the machine may go down. */
        fprintf(stderr, "kiosk: shut down by staff; running: %s\n", o->shutdown_cmd);
        rc = system(o->shutdown_cmd) == 0 ? rc : 2;
    }
    return rc;
}

/* Survey files may have a column for each of the kiosk's languages
 * (assets/po/LINGUAS): a language added there with its catalog needs no
 * change to the code.  Without the assets, or with a broken LINGUAS (the
 * screen then reports it), the built-in nine stay. */
static void survey_languages(const opts *o)
{
    kerr err = {0};
    if (!paths.po[0] && kpaths_find(&paths, o->assets, &err) != 0)
        return;
    static char codes[KSURVEY_LANGS_MAX][KI18N_CODE_MAX];
    const char *list[KSURVEY_LANGS_MAX];
    int n = 0;
    if (ki18n_languages(paths.po, codes, KSURVEY_LANGS_MAX, &n, &err) != 0)
        return;
    for (int i = 0; i < n; i++)
        list[i] = codes[i];
    if (ksurvey_set_languages(list, n, &err) != 0)
        fprintf(stderr, "kiosk: %s/LINGUAS: %s; survey files are read with the built-in "
                "languages\n", paths.po, err.msg);
}

int main(int argc, char **argv)
{
    opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    char buf[4096];
    const char *dir = data_dir(&o, buf, sizeof buf);
    /* The kiosk's own files: the screen and the language check need them. */
    if (o.nargs == 0 || strcmp(o.args[0], "i18n") == 0) {
        kerr perr = {0};
        if (kpaths_find(&paths, o.assets, &perr) != 0) {
            fprintf(stderr, "kiosk: %s\n", perr.msg);
            return 2;
        }
    }
    if (o.nargs == 0 || strcmp(o.args[0], "survey") == 0 || strcmp(o.args[0], "event") == 0 ||
        strcmp(o.args[0], "export") == 0)
        survey_languages(&o);
    if (o.nargs == 0)
        return run_kiosk(&o, dir);

    if (strcmp(o.args[0], "event") == 0 || strcmp(o.args[0], "export") == 0 ||
        strcmp(o.args[0], "staff") == 0) {
        kclock clock;
        kclock_system(&clock);
        kstore *s;
        kerr err = {0};
        if (kstore_open(&s, dir, &clock, &err) != 0) {
            fprintf(stderr, "kiosk: %s\n", err.msg);
            return 2;
        }
        if (strcmp(o.args[0], "event") == 0)
            rc = cmd_event(&o, s, dir);
        else if (strcmp(o.args[0], "export") == 0)
            rc = kcli_export(s, o.nargs - 1, (char **)(o.args + 1));
        else
            rc = kcli_staff(s, o.nargs - 1, (char **)(o.args + 1));
        kstore_close(s);
        return rc;
    }
    if (strcmp(o.args[0], "store") == 0)
        return cmd_store(&o, dir);
    if (strcmp(o.args[0], "i18n") == 0) {
        /* The found catalogs and surveys, as --po and --surveys right after
         * the command word (the caller's own, later, still win). */
        char *av[KIOSK_ARGS_MAX + 8];
        int n = 0, at = 1;
        while (at < argc && strcmp(argv[at], "i18n") != 0)
            at++;
        for (int i = 0; i < argc && n < KIOSK_ARGS_MAX; i++) {
            av[n++] = argv[i];
            if (i == at + 1 || (i == at && at + 1 >= argc)) {
                av[n++] = "--po";
                av[n++] = paths.po;
                av[n++] = "--surveys";
                av[n++] = paths.surveys;
            }
        }
        return kcli_i18n(n, av, o.fonts ? o.fonts : paths.fonts);
    }
    if (strcmp(o.args[0], "survey") == 0) {
        if (o.nargs < 3 || strcmp(o.args[1], "check") != 0) {
            fprintf(stderr, "usage: kiosk survey check FILE...\n");
            return 2;
        }
        return ksurvey_check_files(o.nargs - 2, (char **)(o.args + 2), stdout) ? 1 : 0;
    }
    if (strcmp(o.args[0], "demo") == 0) {
        ksync_status st = {0};
        ksync_status_read(dir, &st, NULL);
        return kcli_demo(dir, st.paired, o.nargs - 1, (char **)(o.args + 1));
    }
    if (strcmp(o.args[0], "sync") == 0)
        return ksync_cli(dir, o.nargs - 1, (char **)(o.args + 1));
    fprintf(stderr, "kiosk: unknown command '%s' (see kiosk --help)\n", o.args[0]);
    return 2;
}
