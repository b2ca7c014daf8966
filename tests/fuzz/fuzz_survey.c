/*
 * fuzz_survey.c - fuzz target for the survey loader (kiosk/core/survey.c,
 * csv.c): any bytes go in as a survey file; nothing may crash, leak or
 * overflow, and what comes out must keep the loader's promises.
 *
 * Built two ways (see tests/fuzz/README.md):
 *   - with clang -fsanitize=fuzzer,address,undefined (CMake option
 *     KIOSK_FUZZ=ON): a libFuzzer target, LLVMFuzzerTestOneInput only;
 *   - otherwise, with KIOSK_FUZZ_REPLAY defined: a plain program that feeds
 *     every file named on its command line (folders: every file in them)
 *     to the same entry point, and every prefix of each (truncated files:
 *     unclosed quotes, cut UTF-8), so CTest replays the corpus with gcc in
 *     every run.
 *
 * Promises checked (abort() on a broken one, so libFuzzer keeps the input):
 *   1. a survey is returned exactly when there is no error;
 *   2. diagnostics are in file order, at real positions, lower case, and
 *      counted at least as often as kept;
 *   3. a returned survey has keys, English text for everything, and a text
 *      for every language; conditions point at earlier questions;
 *   4. answering every shown question with a synthesized valid answer
 *      (first choice, "yes", min, 3, "x") passes ksurvey_answer_check and
 *      leaves ksurvey_next_missing with nothing to ask.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when a promise is broken. */
#define PROMISE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_survey: broken promise: %s\n", #cond);    \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Writes a valid answer to q into out (given the answers so far). */
static void synth_answer(const ksurvey_question *q, char *out, size_t cap)
{
    unsigned char sel[KIOSK_SURVEY_CHOICES_MAX] = { 0 };
    switch (ksurvey_q_type(q)) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE:
        sel[0] = 1;
        PROMISE(ksurvey_encode_choices(q, sel, "x; y", out, cap) == KERR_OK);
        break;
    case KSURVEY_YESNO:
    case KSURVEY_CONSENT:
        snprintf(out, cap, "yes");
        break;
    case KSURVEY_NUMBER:
        snprintf(out, cap, "%ld", ksurvey_q_min(q));
        break;
    case KSURVEY_SCALE:
        snprintf(out, cap, "3");
        break;
    case KSURVEY_TEXT:
        snprintf(out, cap, "x");
        break;
    }
}

/* Checks promise 3 and 4 on a loaded survey. */
static void exercise(const ksurvey *s)
{
    static ksurvey_answers a;   /* large: not on the stack */
    char value[KSURVEY_VALUE_BYTES];

    PROMISE(*ksurvey_key(s) && ksurvey_version(s) >= 1);
    PROMISE(ksurvey_count(s) >= 1 &&
            ksurvey_count(s) <= KIOSK_SURVEY_QUESTIONS_MAX);
    for (int l = 0; l < ksurvey_lang_count(); l++)
        PROMISE(*ksurvey_title(s, ksurvey_lang_code(l)));
    for (int i = 0; i < ksurvey_count(s); i++) {
        const ksurvey_question *q = ksurvey_question_at(s, i);
        const char *ck, *cv;
        int n = ksurvey_q_nchoices(q);
        ksurvey_type t = ksurvey_q_type(q);
        PROMISE(*ksurvey_q_key(q) && ksurvey_find(s, ksurvey_q_key(q)) == q);
        PROMISE(ksurvey_q_index(q) == i);
        PROMISE(ksurvey_q_min(q) <= ksurvey_q_max(q));
        for (int l = 0; l < ksurvey_lang_count(); l++)
            PROMISE(*ksurvey_q_text(q, ksurvey_lang_code(l)));
        if (t == KSURVEY_SINGLE || t == KSURVEY_MULTIPLE)
            PROMISE(n >= 1 && n <= KIOSK_SURVEY_CHOICES_MAX);
        else
            PROMISE(n == 0);
        for (int c = 0; c < n; c++) {
            PROMISE(*ksurvey_choice_key(q, c));
            PROMISE(*ksurvey_choice_text(q, c, "km"));
            if (ksurvey_choice_is_other(q, c))
                PROMISE(c == n - 1);
        }
        if (ksurvey_q_condition(q, &ck, &cv)) {
            const ksurvey_question *t2 = ksurvey_find(s, ck);
            PROMISE(t2 && ksurvey_q_index(t2) < i && *cv);
        }
    }

    ksurvey_answers_clear(&a);
    for (int i = 0; i < ksurvey_count(s); i++) {
        const ksurvey_question *q = ksurvey_question_at(s, i);
        PROMISE(ksurvey_answer_check(q, "\xff", NULL) != KERR_OK);
        if (!ksurvey_visible(q, &a))
            continue;
        synth_answer(q, value, sizeof value);
        PROMISE(ksurvey_answer_check(q, value, NULL) == KERR_OK);
        PROMISE(ksurvey_answers_set(&a, ksurvey_q_key(q), value) == KERR_OK);
    }
    PROMISE(ksurvey_next_missing(s, &a) == -1);
    ksurvey_answers_prune(s, &a);
    PROMISE(ksurvey_next_missing(s, &a) == -1);
}

/* The entry point: load, then check every promise. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ksurvey_diags d;     /* large: not on the stack */
    ksurvey *s = NULL;
    char line[512];
    int rc = ksurvey_load_buffer("fuzz.csv", (const char *)data, size, &s, &d,
                                 NULL);

    PROMISE((rc == KERR_OK) == (s != NULL));
    PROMISE((rc == KERR_OK) == (d.errors == 0));
    PROMISE(d.n <= KIOSK_SURVEY_DIAGS_MAX && d.n <= d.errors + d.warnings);
    for (int i = 0; i < d.n; i++) {
        const ksurvey_diag *g = &d.diag[i];
        PROMISE(g->line >= 1 && g->col >= 1);
        PROMISE(g->msg[0] >= 'a' && g->msg[0] <= 'z');
        if (i > 0)
            PROMISE(g->line > d.diag[i - 1].line ||
                    (g->line == d.diag[i - 1].line &&
                     g->col >= d.diag[i - 1].col));
        ksurvey_diag_format(&d, i, line, sizeof line);
    }
    if (s)
        exercise(s);
    ksurvey_free(s);
    return 0;
}

#ifdef KIOSK_FUZZ_REPLAY
#include <dirent.h>
#include <sys/stat.h>

/* Feeds one file, and its prefixes, to the entry point; returns 1 if it
 * could be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t len = 0, cap = (size_t)KIOSK_SURVEY_FILE_MAX_BYTES + 2, step;
    if (!f)
        return 0;
    buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return 0;
    }
    len = fread(buf, 1, cap, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    step = len <= 4096 ? 1 : len / 2048;   /* every prefix of small files */
    for (size_t n = 0; n < len; n += step)
        LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

/* Usage: fuzz_survey_replay FILE-OR-FOLDER... */
int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *dir;
        struct dirent *e;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "fuzz_survey_replay: cannot read %s\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            files += replay_file(argv[i]);
            continue;
        }
        dir = opendir(argv[i]);
        while (dir && (e = readdir(dir))) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                files += replay_file(path);
        }
        if (dir)
            closedir(dir);
    }
    printf("fuzz_survey_replay: %d files and their prefixes, no broken "
           "promise\n", files);
    return files > 0 ? 0 : 1;
}
#endif
