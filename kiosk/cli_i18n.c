/*
 * cli_i18n.c - the translation commands (see cli_i18n.h).
 *
 *   kiosk i18n check
 *       every catalog problem, glossary break and missing glyph; per
 *       language how many messages and survey labels are reviewed,
 *       machine-drafted or stale.
 *   kiosk i18n sheet [--lang CODE...] -o review.xlsx [--shots DIR]
 *       runs the screen tours (tests/replay: the door, staff mode and each
 *       shipped survey) headless at 800x480 in each language, recording
 *       every text's box (--places) and the screenshots, then writes the
 *       workbook (kiosk/core/i18n_sheet.h).
 *   kiosk i18n apply review.xlsx [--dry-run]
 *       runs scripts/i18n_apply.py (Debian's python3-openpyxl reads the
 *       workbook, python3-polib writes the catalogs), which asks
 *       `kiosk i18n vet` about every correction and writes nothing unless
 *       all pass.
 *   kiosk i18n vet            (for the script) reads corrections on stdin,
 *       one a line, tab-separated with \\, \t, \n escaped:
 *         REF LANG KIND CTX-OR-EMPTY HAS-CTX MSGID FORM TEXT FIT
 *       and answers "REF\tok" or "REF\tREASON" for each: placeholders kept,
 *       plural form valid, every character drawable by the language's
 *       fonts, and the text fits every box FIT lists at 800x480 by the
 *       kiosk's own layout rules (kv_text: shrink, then wrap).
 *
 * The tours are run by spawning this same program through
 * tests/replay/run.sh, so the sheet sees exactly what the tests see.
 */
#define _GNU_SOURCE /* mkdtemp, readlink */

#include "cli_i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "i18n_review.h"
#include "i18n_sheet.h"
#include "ui/text.h"
#include "utf8.h"
#include "ui/view.h"

/* The folders read and written: the kiosk's own, or --po DIR / --surveys DIR
 * (tests work on copies). */
static const char *PO_DIR = KIOSK_ASSETS_DIR "/po";
static const char *SURVEYS_DIR = KIOSK_ASSETS_DIR "/surveys";
#define REPLAY_DIR KIOSK_SOURCE_DIR "/tests/replay"
#define APPLY_SCRIPT KIOSK_SOURCE_DIR "/scripts/i18n_apply.py"
#define LANGS_MAX 32
#define SHOTS_MAX 256
#ifndef KIOSK_SHEET_JOBS
#define KIOSK_SHEET_JOBS 2          /* screen tours run at once (a Pi has 4 cores) */
#endif

/* The screen tours the sheet runs in each language. */
static const struct tour {
    const char *script;
    const char *opts[6];   /* run.sh options before the kiosk's */
} tours[] = {
    {"tour.replay", {NULL}},
    {"staff-tour.replay", {"--pin", "246813", NULL}},
    {"survey-general.replay", {"--survey", "general-interest", NULL}},
    {"survey-parent.replay", {"--survey", "parent-workshop", NULL}},
    {"survey-bootcamp.replay", {"--survey", "youth-bootcamp-daily", NULL}},
    {"survey-tour.replay", {"--survey", "festival-volunteers", NULL}},
};

/* ---- check ------------------------------------------------------------------ */

static int covers_cb(void *t, uint32_t cp, const char *lang)
{
    return ktext_covers(t, cp, lang);
}

static int cmd_check(const char *fonts)
{
    kerr err = {0};
    ki18n *cat;
    ktext *t;
    if (ki18n_open(&cat, PO_DIR, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        return 1;
    }
    if (ktext_open(&t, fonts, NULL, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        ki18n_close(cat);
        return 1;
    }
    int n = ki18n_check_report(cat, covers_cb, t, stdout);
    printf("survey labels (%s): reviewed, machine-drafted, stale:\n", SURVEYS_DIR);
    for (int i = 0; i < ki18n_count(cat); i++) {
        const ki18n_lang *L = ki18n_lang_at(cat, i);
        ki18n_counts k;
        if (ki18n_is_source(cat, L->code))
            continue;
        if (kreview_survey_counts(L->code, PO_DIR, SURVEYS_DIR, &k, &err) != 0) {
            printf("%s: surveys: %s\n", L->code, err.msg);
            n++;
            continue;
        }
        printf("  %-8s %d reviewed, %d machine-drafted, %d stale", L->code, k.reviewed,
               k.machine, k.stale);
        if (k.untranslated)
            printf(", %d untranslated", k.untranslated);
        printf("\n");
    }
    ktext_close(t);
    ki18n_close(cat);
    return n ? 1 : 0;
}

/* ---- sheet ------------------------------------------------------------------ */

/* Starts argv (with stdout to /dev/null and stderr to log, if given); returns
 * its pid, or -1. */
static pid_t spawn(char *const argv[], const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (log) {
            FILE *o = freopen("/dev/null", "w", stdout);
            FILE *e = freopen(log, "w", stderr);
            (void)o;
            (void)e;
        }
        execvp(argv[0], argv);
        fprintf(stderr, "kiosk: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Exit status of a finished child's wait status. */
static int exit_status(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Runs argv (with stdout to /dev/null and stderr to log, if given) and waits;
 * returns its exit status. */
static int run(char *const argv[], const char *log)
{
    pid_t pid = spawn(argv, log);
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return exit_status(st);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the PNG files of dir (sorted) to the language's pictures. */
static void collect_shots(ksheet_lang *L, const char *dir, const char *tour)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[SHOTS_MAX];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < SHOTS_MAX) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".png") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        if (names[i] && L->nshots < SHOTS_MAX) {
            char path[2048], cap[600];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            snprintf(cap, sizeof cap, "%.*s: %.*s", (int)(strlen(tour) - 7), tour,
                     (int)(strlen(names[i]) - 4), names[i]);
            L->shots[L->nshots] = strdup(path);
            L->captions[L->nshots] = strdup(cap);
            if (L->shots[L->nshots] && L->captions[L->nshots])
                L->nshots++;
        }
        free(names[i]);
    }
}

/* Removes a folder tree made by the sheet (files one level below dirs). */
static void remove_tree(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    run(argv, "/dev/null");
}

static int cmd_sheet(int argc, char **argv)
{
    const char *out = NULL, *keep = NULL;
    const char *want[LANGS_MAX];
    int nwant = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--shots") == 0 && i + 1 < argc) {
            keep = argv[++i];
        } else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            while (i + 1 < argc && argv[i + 1][0] != '-' && nwant < LANGS_MAX)
                want[nwant++] = argv[++i];
        } else {
            fprintf(stderr, "kiosk i18n sheet: unexpected '%s'\n"
                            "usage: kiosk i18n sheet [--lang CODE...] -o review.xlsx "
                            "[--shots DIR]\n", argv[i]);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "usage: kiosk i18n sheet [--lang CODE...] -o review.xlsx [--shots DIR]\n");
        return 2;
    }
    kerr err = {0};
    ki18n *cat;
    if (ki18n_open(&cat, PO_DIR, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        return 1;
    }
    const char *codes[LANGS_MAX];
    int ncodes = 0;
    if (nwant) {
        for (int i = 0; i < nwant; i++) {
            int found = -1;
            for (int j = 0; j < ki18n_count(cat); j++)
                if (strcmp(ki18n_lang_at(cat, j)->code, want[i]) == 0)
                    found = j;
            if (found < 0 || ki18n_is_source(cat, want[i])) {
                fprintf(stderr, "kiosk i18n sheet: --lang %s: %s\n", want[i],
                        found < 0 ? "no catalog for that language (see assets/po/LINGUAS)"
                                  : "English is the source language; there is nothing to review");
                ki18n_close(cat);
                return 2;
            }
            codes[ncodes++] = ki18n_lang_at(cat, found)->code;
        }
    } else {
        for (int j = 0; j < ki18n_count(cat) && ncodes < LANGS_MAX; j++)
            if (!ki18n_is_source(cat, ki18n_lang_at(cat, j)->code))
                codes[ncodes++] = ki18n_lang_at(cat, j)->code;
    }
    char self[1024];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) {
        fprintf(stderr, "kiosk i18n sheet: cannot find this program's path\n");
        ki18n_close(cat);
        return 1;
    }
    self[sl] = '\0';
    char tmpl[] = "/tmp/kiosk-sheet.XXXXXX";
    const char *work = keep;
    if (!work) {
        work = mkdtemp(tmpl);
        if (!work) {
            fprintf(stderr, "kiosk i18n sheet: cannot make a temporary folder: %s\n",
                    strerror(errno));
            ki18n_close(cat);
            return 1;
        }
    } else if (mkdir(work, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "kiosk i18n sheet: cannot make %s: %s\n", work, strerror(errno));
        ki18n_close(cat);
        return 1;
    }
    ksheet_lang *langs = calloc((size_t)ncodes, sizeof *langs);
    kreview *revs = calloc((size_t)ncodes, sizeof *revs);
    int rc = langs && revs ? 0 : 1;
    for (int l = 0; l < ncodes && !rc; l++) {
        ksheet_lang *L = &langs[l];
        L->code = codes[l];
        for (int j = 0; j < ki18n_count(cat); j++)
            if (strcmp(ki18n_lang_at(cat, j)->code, codes[l]) == 0)
                L->name = ki18n_lang_at(cat, j)->name;
        L->shots = calloc(SHOTS_MAX, sizeof *L->shots);
        L->captions = calloc(SHOTS_MAX, sizeof *L->captions);
        L->r = &revs[l];
        if (!L->shots || !L->captions ||
            kreview_build(L->r, cat, L->code, PO_DIR, SURVEYS_DIR, &err) != 0) {
            fprintf(stderr, "kiosk i18n sheet: %s\n", err.msg[0] ? err.msg : "out of memory");
            rc = 1;
            break;
        }
    }
    /* The tours, KIOSK_SHEET_JOBS at a time (each is one headless kiosk);
     * their places and pictures are then read in a fixed order. */
    size_t ntours = sizeof tours / sizeof tours[0], njobs = (size_t)ncodes * ntours;
    struct tour_job { pid_t pid; int status; char shots[1400], places[1500], log[1500]; } *jobs =
        calloc(njobs ? njobs : 1, sizeof *jobs);
    if (!jobs)
        rc = 1;
    char runsh[1400];
    snprintf(runsh, sizeof runsh, "%s/run.sh", REPLAY_DIR);
    if (!rc)
        fprintf(stderr, "running %zu screen tours at 800x480 (%d language%s)...\n", njobs, ncodes,
                ncodes == 1 ? "" : "s");
    size_t next = 0, done = 0;
    int running = 0;
    while (!rc && done < njobs) {
        while (next < njobs && running < KIOSK_SHEET_JOBS) {
            struct tour_job *j = &jobs[next];
            const struct tour *t = &tours[next % ntours];
            const char *code = langs[next / ntours].code;
            snprintf(j->shots, sizeof j->shots, "%s/%s/%.*s", work, code,
                     (int)(strlen(t->script) - 7), t->script);
            snprintf(j->places, sizeof j->places, "%s.places", j->shots);
            snprintf(j->log, sizeof j->log, "%s.log", j->shots);
            char script[1400], dir[1400];
            snprintf(script, sizeof script, "%s/%s", REPLAY_DIR, t->script);
            snprintf(dir, sizeof dir, "%s/%s", work, code);
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                fprintf(stderr, "kiosk i18n sheet: cannot make %s: %s\n", dir, strerror(errno));
            char *av[24];
            int n = 0;
            av[n++] = "sh";
            av[n++] = runsh;
            av[n++] = self;
            av[n++] = script;
            av[n++] = "800x480";
            av[n++] = j->shots;
            for (int k = 0; t->opts[k]; k++)
                av[n++] = (char *)t->opts[k];
            av[n++] = "--lang";
            av[n++] = (char *)code;
            av[n++] = "--export-dir";
            av[n++] = "@DATA@/usb";
            av[n++] = "--no-layout-check";
            av[n++] = "--places";
            av[n++] = j->places;
            av[n] = NULL;
            j->pid = spawn(av, j->log);
            j->status = -1;
            if (j->pid < 0)
                done++;
            else
                running++;
            next++;
        }
        if (running == 0)
            continue;
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (size_t k = 0; k < next; k++)
            if (jobs[k].pid == pid) {
                jobs[k].status = exit_status(st);
                jobs[k].pid = 0;
                running--;
                done++;
            }
    }
    for (size_t k = 0; !rc && k < njobs; k++) {
        ksheet_lang *L = &langs[k / ntours];
        const struct tour *t = &tours[k % ntours];
        if (jobs[k].status != 0)
            fprintf(stderr, "%s: the tour %s stopped early (status %d, see %s); the sheet has "
                            "what it saw\n", L->code, t->script, jobs[k].status,
                    keep ? jobs[k].log : "--shots DIR to keep its log");
        if (access(jobs[k].places, R_OK) == 0 &&
            kreview_add_places(L->r, jobs[k].places, &err) != 0) {
            fprintf(stderr, "kiosk i18n sheet: %s\n", err.msg);
            rc = 1;
        }
        collect_shots(L, jobs[k].shots, t->script);
    }
    free(jobs);
    if (!rc && ksheet_write(out, langs, ncodes, &err) != 0) {
        fprintf(stderr, "kiosk i18n sheet: %s\n", err.msg);
        rc = 1;
    }
    if (!rc) {
        int items = 0, seen = 0, shots = 0;
        for (int l = 0; l < ncodes; l++) {
            items += revs[l].n;
            shots += langs[l].nshots;
            for (int i = 0; i < revs[l].n; i++)
                seen += revs[l].it[i].nplaces > 0;
        }
        printf("%s: %d language%s, %d rows (%d seen on a screen), %d screenshots\n", out,
               ncodes, ncodes == 1 ? "" : "s", items, seen, shots);
    }
    for (int l = 0; langs && l < ncodes; l++) {
        for (int i = 0; i < langs[l].nshots; i++) {
            free(langs[l].shots[i]);
            free(langs[l].captions[i]);
        }
        free(langs[l].shots);
        free(langs[l].captions);
        kreview_free(&revs[l]);
    }
    free(langs);
    free(revs);
    if (!keep)
        remove_tree(work);
    ki18n_close(cat);
    return rc;
}

/* ---- vet: the checks of one correction ------------------------------------------- */

static int measure_cb(void *ctx, const char *text, int px, int bold, const char *lang, int *w,
                      int *h)
{
    return ktext_measure(ctx, text, px, lang, bold, w, h);
}

static int line_height_cb(void *ctx, int px, const char *lang)
{
    return ktext_line_height(ctx, px, lang);
}

/* The size drawn (Khmer and Lao larger than nominal): floors hold on it. */
static int drawn_px_cb(void *ctx, const char *text, int px, const char *lang)
{
    return ktext_drawn_px(ctx, text, px, lang);
}

/* Undoes \\ \t \n escapes in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* Fills the kiosk's placeholders with typical values, for measuring. */
static void sample(const char *text, char *out, size_t cap)
{
    static const char *const ph[][2] = {
        {"{name}", "Maria"}, {"{event}", "Parent Night"}, {"{n}", "15"},
        {"{program}", "parent organizing"}, {"{language}", "Tiếng Việt"}, {NULL, NULL}};
    size_t o = 0;
    for (const char *p = text; *p && o + 1 < cap;) {
        int done = 0;
        for (int i = 0; ph[i][0] && !done; i++) {
            size_t kl = strlen(ph[i][0]);
            if (strncmp(p, ph[i][0], kl) == 0) {
                size_t vl = strlen(ph[i][1]);
                if (o + vl < cap) {
                    memcpy(out + o, ph[i][1], vl);
                    o += vl;
                }
                p += kl;
                done = 1;
            }
        }
        if (!done)
            out[o++] = *p++;
    }
    out[o] = '\0';
}

/* Checks one correction; "" when it passes, else the reason in why. */
static void vet_one(const ki18n *cat, ktext *t, kview *v, char **f, char *why, size_t cap)
{
    const char *lang = f[1], *kind = f[2], *ctx = f[4][0] == '1' ? f[3] : NULL;
    const char *msgid = f[5], *text = f[7], *fit = f[8];
    int form = atoi(f[6]);
    why[0] = '\0';
    char detail[200];
    if (!ki18n_has(cat, lang) || ki18n_is_source(cat, lang)) {
        snprintf(why, cap, "no catalog for language '%s' to correct", lang);
        return;
    }
    if (strcmp(kind, "po") == 0) {
        const kpo_entry *tm = NULL;
        for (int i = 0; i < ki18n_template_count(cat) && !tm; i++) {
            const kpo_entry *e = ki18n_template_at(cat, i);
            if (strcmp(e->id, msgid) == 0 && !e->ctx == !ctx && (!ctx || strcmp(e->ctx, ctx) == 0))
                tm = e;
        }
        if (!tm) {
            snprintf(why, cap, "the kiosk no longer has the message \"%.80s\" (make a new "
                               "sheet)", msgid);
            return;
        }
        int np = ki18n_rule(cat, lang)->nplurals;
        if (tm->id_plural && (form < 0 || form >= np)) {
            snprintf(why, cap, "breaks plural forms: this language has %d form%s (Plural-Forms), "
                               "this row is form %d", np, np == 1 ? "" : "s", form);
            return;
        }
        if (!tm->id_plural && form != -1) {
            snprintf(why, cap, "breaks plural forms: \"%.60s\" has no plural", msgid);
            return;
        }
        if (!ki18n_placeholders_match(tm->id, tm->id_plural, text, detail, sizeof detail)) {
            snprintf(why, cap, "placeholder %s: keep every {word} of the English exactly as it "
                               "is", detail);
            return;
        }
    } else if (!ki18n_placeholders_match(msgid, NULL, text, detail, sizeof detail)) {
        snprintf(why, cap, "placeholder %s: keep every {word} of the English exactly as it is",
                 detail);
        return;
    }
    for (const char *p = text; *p;) {
        int len = 1;
        long cp = kutf8_decode(p, &len);
        if (cp < 0 || len < 1) {
            snprintf(why, cap, "not valid UTF-8 text");
            return;
        }
        if (cp == '\n' || cp == '\t' || (cp < 0x20)) {
            snprintf(why, cap, "a line break or control character: write it as one line");
            return;
        }
        if (!ktext_covers(t, (uint32_t)cp, lang)) {
            snprintf(why, cap, "U+%04lX '%.*s' is drawn by no font of the kiosk for %s: it "
                               "would show as a box", cp, len, p, lang);
            return;
        }
        p += len;
    }
    kui u;
    memset(&u, 0, sizeof u);
    kui_metrics(&u, 800, 480, KIOSK_DEFAULT_DPI);
    u.measure = measure_cb;
    u.line_height = line_height_cb;
    u.drawn_px = drawn_px_cb;
    u.measure_ctx = t;
    u.lang = lang;
    char filled[4096];
    sample(text, filled, sizeof filled);
    for (const char *p = fit; *p;) {
        int w, h, px, min_px, flags, used = 0;
        char screen[32] = "";
        if (sscanf(p, "%d,%d,%d,%d,%d,%31[^;]%n", &w, &h, &px, &min_px, &flags, screen,
                   &used) < 6 || used == 0)
            break;
        kview_begin(v, screen, 800, 480, lang);
        kv_text(v, &u, (krect){0, 0, w, h}, filled, px, min_px, (kcolor){0, 0, 0, 255},
                flags & ~(KT_TAIL | KT_TRIM | KT_CARET));
        if (v->nproblems > 0) {
            snprintf(why, cap, "does not fit at 800x480: on the %s screen it has %d x %d px "
                               "(text %d px, at least %d px%s); shorten it", screen, w, h, px,
                     min_px, flags & KT_WRAP ? ", wrapped" : ", one line");
            return;
        }
        p += used;
        if (*p == ';')
            p++;
    }
}

static int cmd_vet(const char *fonts)
{
    kerr err = {0};
    ki18n *cat;
    ktext *t;
    if (ki18n_open(&cat, PO_DIR, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        return 1;
    }
    if (ktext_open(&t, fonts, NULL, &err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err.msg);
        ki18n_close(cat);
        return 1;
    }
    kview *v = malloc(sizeof *v);
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    int rc = v && line ? 0 : 1;
    while (!rc && fgets(line, (int)cap, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        char *f[9];
        int nf = 0;
        for (char *p = line; nf < 9;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nf != 9) {
            printf("%s\tmalformed request (%d fields)\n", f[0], nf);
            continue;
        }
        for (int i = 1; i < 9; i++)
            unescape(f[i]);
        char why[600];
        vet_one(cat, t, v, f, why, sizeof why);
        printf("%s\t%s\n", f[0], why[0] ? why : "ok");
        fflush(stdout);
    }
    free(line);
    free(v);
    ktext_close(t);
    ki18n_close(cat);
    return rc;
}

/* ---- apply -------------------------------------------------------------------- */

static int cmd_apply(int argc, char **argv)
{
    char self[1024];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) {
        fprintf(stderr, "kiosk i18n apply: cannot find this program's path\n");
        return 1;
    }
    self[sl] = '\0';
    const char *py = getenv("KIOSK_PYTHON");
    char *av[32];
    int n = 0;
    av[n++] = (char *)(py && py[0] ? py : "/usr/bin/python3");
    av[n++] = APPLY_SCRIPT;
    av[n++] = "--kiosk";
    av[n++] = self;
    av[n++] = "--po-dir";
    av[n++] = (char *)PO_DIR;
    av[n++] = "--surveys";
    av[n++] = (char *)SURVEYS_DIR;
    for (int i = 0; i < argc && n < 30; i++)
        av[n++] = argv[i];
    av[n] = NULL;
    return run(av, NULL);
}

int kcli_i18n(int argc, char **argv, const char *fonts_dir)
{
    int at = 1;
    while (at < argc && strcmp(argv[at], "i18n") != 0)
        at++;
    at++;
    const char *cmd = at < argc ? argv[at] : "";
    /* --po DIR and --surveys DIR anywhere after the command word. */
    char *kept[64];
    int rest = 0;
    for (int i = at + 1; i < argc && rest < 64; i++) {
        if (strcmp(argv[i], "--po") == 0 && i + 1 < argc)
            PO_DIR = argv[++i];
        else if (strcmp(argv[i], "--surveys") == 0 && i + 1 < argc)
            SURVEYS_DIR = argv[++i];
        else
            kept[rest++] = argv[i];
    }
    char **rargv = kept;
    if (strcmp(cmd, "check") == 0 && rest == 0)
        return cmd_check(fonts_dir);
    if (strcmp(cmd, "sheet") == 0)
        return cmd_sheet(rest, rargv);
    if (strcmp(cmd, "apply") == 0 && rest >= 1)
        return cmd_apply(rest, rargv);
    if (strcmp(cmd, "vet") == 0 && rest == 0)
        return cmd_vet(fonts_dir);
    fprintf(stderr, "usage: kiosk i18n check\n"
                    "       kiosk i18n sheet [--lang CODE...] -o review.xlsx [--shots DIR]\n"
                    "       kiosk i18n apply review.xlsx [--dry-run]\n"
                    "  (each takes --po DIR and --surveys DIR to work on other folders)\n");
    return 2;
}
