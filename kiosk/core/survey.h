/*
 * survey.h - interest surveys: the file format, loading, checking, and the
 * answers a person gives.
 *
 * THE FILE.  One survey is one CSV file (RFC 4180, UTF-8, as a spreadsheet
 * saves it with "CSV UTF-8"), one row per survey, question or choice:
 *
 *   row,key,type,required,options,show_if,en,vi,zh-Hans,zh-Hant,ko,tl,km,lo,ja
 *   survey,parent-workshop,,,version=2,,Parent workshop survey,Khảo sát ...
 *   question,grades,multiple,yes,,,What grades are your children in?,...
 *   choice,k,,,,,Kindergarten (TK or K),...
 *   choice,other,other,,,,Other,...
 *   question,interpret,yesno,yes,,,Do you need an interpreter ...?,...
 *   question,interpret_lang,single,yes,,interpret=yes,In which language?,...
 *
 *   - The header row names the columns; their order is free.  row, key,
 *     type and en are required; required, options, show_if, one column
 *     per language (codes below) and any number of "note" columns (for
 *     translators, ignored) are optional.  Header names, row kinds, types,
 *     yes/no and option names are read without regard to case.
 *   - Rows whose row cell starts with '#' are comments; blank rows are
 *     ignored.  The first other row is the survey row: its key is the
 *     survey's stable key, options holds version=N (a whole number from 1;
 *     raise it whenever a question or choice changes meaning) and the text
 *     columns hold the title.
 *   - A question row: key (stable, stored with every answer), type,
 *     required (yes, no or empty = no), options, show_if, and the question
 *     text per language.  Types and their options:
 *        single    one choice                  (no options)
 *        multiple  any number of choices       max=N (at most N chosen)
 *        yesno     yes or no                   (no options)
 *        text      a short typed answer        max=N characters
 *        number    a whole number              min=N;max=N (default
 *                                              0..1000000)
 *        scale     1 to 5, shown as faces      (no options)
 *        consent   a statement to agree to;    (no options)
 *                  required means it must be agreed to
 *   - What the screens add (it is not in the file): the Yes/No and "I
 *     agree" labels, the keyboard under a chosen write-in, five faces for
 *     a scale (1 = saddest), and "choose up to N" under a multiple
 *     question with max=N.
 *   - Choice rows follow their single or multiple question: key, and the
 *     choice text per language.  A choice whose type is "other" is the
 *     write-in "Other: ___"; its key must be "other" and it must come last.
 *   - show_if is question=value: the question is shown only when the
 *     earlier question's answer has that value (a choice key, yes/no, or a
 *     number); for a multiple question, when that choice is among those
 *     chosen.  A question whose condition question is hidden is hidden.
 *   - Keys are letters a-z, digits, '-' and '_', starting with a letter, at
 *     most KIOSK_SURVEY_KEY_MAX; upper case is folded to lower case.
 *   - English text is required everywhere (it is what every other
 *     language falls back to); a missing translation is a warning.
 *   - Options are name=value, several joined by ';' (or ',').
 * assets/surveys/README.md says the same for staff; example.csv shows it.
 *
 * CHECKING.  The loader checks everything it reads and reports EVERY
 * problem, not only the first, as diagnostics: file, line, column (see
 * csv.h for how they count) and a message, lower case, git style:
 *     parent-workshop.csv:14:18: unknown question type "dropdown" (...)
 *     parent-workshop.csv:9:60: warning: missing ko text; english will
 *     be shown
 * Errors (invalid UTF-8, CSV syntax, unknown row kind, type or option,
 * duplicate key, a choice list that is empty, a condition on an unknown,
 * later or unsuitable question or with an impossible value, missing
 * English text, anything over a limit in config.h) make the file unusable:
 * the loader returns no survey.  Warnings (missing translations, a version
 * not raised after a change) leave it usable.  `kiosk survey check FILE...`
 * is ksurvey_check_files and fails on either.
 *
 * The kiosk never starts a survey that failed: ksurvey_load_keep loads a
 * file and, if it passes, keeps a copy of it as the last good version;
 * when a later edit fails, it loads that copy instead and hands back the
 * new file's diagnostics for the staff screen.
 *
 * ANSWERS.  A person's answers are text, keyed by question key, in
 * exactly the form they are stored:
 *     single    the choice key ("housing"), or "other:TEXT"
 *     multiple  the chosen keys joined by ';' in the order of the choices
 *               ("education;housing"); a write-in comes last as
 *               "other:TEXT" (TEXT may itself hold ';': all of the rest)
 *     yesno     "yes" or "no";  consent "yes" (agreed) or "no"
 *     number    decimal, optional '-' ("14");  scale "1" .. "5"
 *     text      the text as typed (valid UTF-8, at most max characters)
 * An empty or absent answer means not answered.  ksurvey_answers holds
 * them in a fixed buffer (no malloc); ksurvey_visible evaluates show_if;
 * ksurvey_answer_check validates one answer; ksurvey_next_missing finds
 * the first shown question still needing an answer.
 *
 * MEMORY.  A loaded survey is one allocation, immutable, and owns all its
 * strings; questions and texts returned point into it and live until
 * ksurvey_free.  Loading a file also uses a read buffer, freed before
 * returning; the answer functions never allocate.  Limits: config.h.
 *
 * Languages are the kiosk's (assets/po/LINGUAS; ksurvey_set_languages):
 * until it is called, "en", "vi", "zh-Hans", "zh-Hant", "ko", "tl", "km",
 * "lo", "ja", the list LINGUAS ships with.  Codes are matched without
 * regard to case.  Text lookups with an unknown or NULL language, or an
 * empty translation, give English.
 */
#ifndef KIOSK_SURVEY_H
#define KIOSK_SURVEY_H

#include <stdio.h>

#include "../config.h"
#include "kerr.h"

/* ---- languages ----------------------------------------------------------- */

#define KSURVEY_LANGS_MAX 24

/* Sets the languages a survey file may have columns for, from the kiosk's
 * LINGUAS: n codes in any order, which must include "en" (it becomes
 * language 0, the required column).  A language added to LINGUAS with its
 * catalog is thus accepted in survey files with no change to the code.
 * KERR_INVALID (the list is kept as it was) for a bad or repeated code, no
 * "en", or more than KSURVEY_LANGS_MAX.  Call it at start, before surveys
 * are loaded: it is not synchronised with loads on other threads. */
int ksurvey_set_languages(const char *const *codes, int n, kerr *err);

/* Back to the built-in nine (for tests). */
void ksurvey_reset_languages(void);

/* Number of languages (at least 1: "en"). */
int ksurvey_lang_count(void);

/* Code of language i (0 = "en"), or NULL past the last. */
const char *ksurvey_lang_code(int i);

/* Index of a language code, or -1 if the kiosk does not know it. */
int ksurvey_lang_index(const char *code);

/* ---- diagnostics --------------------------------------------------------- */

enum ksurvey_severity { KSURVEY_ERROR, KSURVEY_WARNING };

typedef struct ksurvey_diag {
    int line, col;        /* 0:0 for the whole file (cannot open it) */
    int severity;         /* KSURVEY_ERROR or KSURVEY_WARNING */
    int lang;             /* language index of a missing translation, or -1 */
    char msg[224];
} ksurvey_diag;

/* Every problem of one file, in file order.  errors and warnings count all
 * problems; the first KIOSK_SURVEY_DIAGS_MAX are kept in diag[]. */
typedef struct ksurvey_diags {
    char file[256];       /* the name given to the loader */
    int n;                /* kept in diag[] */
    int errors, warnings;
    ksurvey_diag diag[KIOSK_SURVEY_DIAGS_MAX];
} ksurvey_diags;

/* Writes diagnostic i as "FILE:LINE:COLUMN: message" (no newline). */
void ksurvey_diag_format(const ksurvey_diags *d, int i, char *buf, size_t cap);

/* Prints every kept diagnostic, one a line, and a line for those not kept. */
void ksurvey_diags_print(const ksurvey_diags *d, FILE *out);

/* ---- loading ------------------------------------------------------------- */

typedef struct ksurvey ksurvey;
typedef struct ksurvey_question ksurvey_question;

/* Loads and checks a survey file.  On success (no errors; warnings may be
 * in diags) returns 0 and sets *out.  Otherwise *out is NULL and returns
 * KERR_IO (cannot read it) or KERR_INVALID (it has errors); err gets a
 * one-line summary.  diags and err may be NULL. */
int ksurvey_load_file(const char *path, ksurvey **out, ksurvey_diags *diags,
                      kerr *err);

/* The same from memory; name is used in messages.  data need not be
 * NUL-terminated and is not kept. */
int ksurvey_load_buffer(const char *name, const char *data, size_t len,
                        ksurvey **out, ksurvey_diags *diags, kerr *err);

/* Loads path for use at an event, keeping its last good version in the
 * folder keep_dir (which must exist) as a file of the same base name:
 *   - path passes: a copy replaces the kept one; *out is the new survey,
 *     *kept = 0; returns 0 (or KERR_IO, with *out still set, if the copy
 *     cannot be written).
 *   - path fails or cannot be read: *out is the kept copy (*kept = 1) or
 *     NULL if there is none; diags hold the new file's problems; returns
 *     KERR_INVALID or KERR_IO and err says which version is in use.
 * A passing file whose version equals the kept copy's but whose content
 * differs gets a warning: answers to both would be mixed up. */
int ksurvey_load_keep(const char *path, const char *keep_dir, ksurvey **out,
                      int *kept, ksurvey_diags *diags, kerr *err);

/* Checks each file and prints its diagnostics to out (or "FILE: ok, ..."
 * when it has none).  Returns the number of problems, errors and warnings,
 * in all files: `kiosk survey check` exits 1 if it is not 0. */
int ksurvey_check_files(int n, char **paths, FILE *out);

void ksurvey_free(ksurvey *s);

/* ---- the survey and its questions ---------------------------------------- */

typedef enum ksurvey_type {
    KSURVEY_SINGLE,
    KSURVEY_MULTIPLE,
    KSURVEY_YESNO,
    KSURVEY_TEXT,
    KSURVEY_NUMBER,
    KSURVEY_SCALE,
    KSURVEY_CONSENT
} ksurvey_type;

/* "single", "multiple", ... as written in the file. */
const char *ksurvey_type_name(ksurvey_type t);

/* Non-zero if the n bytes at k are a key as this file writes them: a
 * letter a-z, then a-z, 0-9, '-', '_'; at most KIOSK_SURVEY_KEY_MAX. */
int ksurvey_key_valid(const char *k, size_t n);

const char *ksurvey_key(const ksurvey *s);
int ksurvey_version(const ksurvey *s);
const char *ksurvey_title(const ksurvey *s, const char *lang);
/* The name the survey was loaded under (its path, or the buffer's name). */
const char *ksurvey_name(const ksurvey *s);

int ksurvey_count(const ksurvey *s);
/* Question i (0-based, in file order), or NULL. */
const ksurvey_question *ksurvey_question_at(const ksurvey *s, int i);
/* The question with that key, or NULL. */
const ksurvey_question *ksurvey_find(const ksurvey *s, const char *key);

const char *ksurvey_q_key(const ksurvey_question *q);
ksurvey_type ksurvey_q_type(const ksurvey_question *q);
int ksurvey_q_required(const ksurvey_question *q);
/* Position in the survey (0-based). */
int ksurvey_q_index(const ksurvey_question *q);
/* The question's text in lang, English if it has none. */
const char *ksurvey_q_text(const ksurvey_question *q, const char *lang);
/* Range of the answer: number: min..max; scale: 1..5; multiple: how many
 * may be chosen (0 or 1 if required .. max); text: length in characters
 * (0 .. max); single, yesno, consent: 0..1. */
long ksurvey_q_min(const ksurvey_question *q);
long ksurvey_q_max(const ksurvey_question *q);
/* The condition (show_if) as question key and value, or 0 if none. */
int ksurvey_q_condition(const ksurvey_question *q, const char **key,
                        const char **value);

/* Choices of a single or multiple question (0 for other types). */
int ksurvey_q_nchoices(const ksurvey_question *q);
const char *ksurvey_choice_key(const ksurvey_question *q, int i);
const char *ksurvey_choice_text(const ksurvey_question *q, int i,
                                const char *lang);
/* Non-zero if choice i is the write-in "Other: ___" (always the last). */
int ksurvey_choice_is_other(const ksurvey_question *q, int i);
/* The words under face i (0 the saddest .. 4 the happiest) of a scale
 * question in lang (English where that cell is empty), from the survey's
 * five choice rows keyed 1 to 5; NULL when the survey gives none (the
 * kiosk's catalogs then say "Very unhappy" .. "Very happy"). */
const char *ksurvey_scale_word(const ksurvey_question *q, int i, const char *lang);

/* ---- answers ------------------------------------------------------------- */

/* The longest encoded answer: every choice key and a write-in. */
#define KSURVEY_VALUE_BYTES \
    (KIOSK_SURVEY_CHOICES_MAX * (KIOSK_SURVEY_KEY_MAX + 1) + 6 + \
     KIOSK_SURVEY_ANSWER_MAX * 4 + 1)

/* Question key -> encoded answer, for one person; no malloc.  Clear it
 * with ksurvey_answers_clear (a zeroed struct is also empty). */
typedef struct ksurvey_answers {
    int n;
    struct {
        char key[KIOSK_SURVEY_KEY_MAX + 1];
        unsigned off, len;          /* value at pool[off], NUL after it */
    } item[KIOSK_SURVEY_QUESTIONS_MAX];
    unsigned used;
    char pool[KIOSK_SURVEY_ANSWERS_BYTES];
} ksurvey_answers;

void ksurvey_answers_clear(ksurvey_answers *a);
/* Sets (or with NULL or "" removes) the answer to question qkey.  Returns
 * 0, KERR_FULL if it does not fit, KERR_INVALID for a bad key. */
int ksurvey_answers_set(ksurvey_answers *a, const char *qkey,
                        const char *value);
/* The answer to qkey, or NULL if none. */
const char *ksurvey_answers_get(const ksurvey_answers *a, const char *qkey);

/* Non-zero if q is shown, given the answers so far: it has no condition,
 * or its condition question is shown and its answer matches. */
int ksurvey_visible(const ksurvey_question *q, const ksurvey_answers *a);

/* Checks one encoded answer to q (NULL or "" = not answered): 0 if it is
 * acceptable, KERR_INVALID with a message otherwise (a required question
 * not answered, a consent not agreed to, an unknown choice, a number out
 * of range, too many choices, text too long or not UTF-8, ...). */
int ksurvey_answer_check(const ksurvey_question *q, const char *value,
                         kerr *err);

/* Index of the first shown question whose answer does not pass
 * ksurvey_answer_check, or -1 if the person may finish. */
int ksurvey_next_missing(const ksurvey *s, const ksurvey_answers *a);

/* Removes answers to questions that are hidden (or not in s), so that
 * what is stored matches what the person last saw. */
void ksurvey_answers_prune(const ksurvey *s, ksurvey_answers *a);

/* Encodes the choices of a single or multiple question: selected[i] is
 * non-zero for chosen choice i (q's order); other_text is the write-in
 * (used if the other choice is selected).  Returns 0, KERR_INVALID (not a
 * choice question, or not one choice for single), or KERR_FULL (cap). */
int ksurvey_encode_choices(const ksurvey_question *q,
                           const unsigned char *selected,
                           const char *other_text, char *out, size_t cap);

/* Non-zero if the encoded answer value includes choice key ("other"
 * matches a write-in). */
int ksurvey_answer_has(const char *value, const char *choice_key);

/* The write-in text of an encoded answer, or NULL if it has none. */
const char *ksurvey_answer_other(const char *value);

#endif
