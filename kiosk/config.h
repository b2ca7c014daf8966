/*
 * config.h - limits and defaults of the kiosk, in one place.
 *
 * Every limit the kiosk enforces is a named constant here, so that a reader
 * finds them all at once and a build can override any of them with
 * -DNAME=value (CMake: add_compile_definitions).  Sizes of text fields are in
 * characters (code points) unless the name ends in _BYTES.
 */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

/* ---- people's fields (characters) ---------------------------------------- */
#ifndef KIOSK_NAME_MAX
#define KIOSK_NAME_MAX 60          /* given or family name */
#endif
#ifndef KIOSK_PHONE_MAX
#define KIOSK_PHONE_MAX 24
#endif
#ifndef KIOSK_EMAIL_MAX
#define KIOSK_EMAIL_MAX 120
#endif
#ifndef KIOSK_ZIP_MAX
#define KIOSK_ZIP_MAX 12
#endif
#ifndef KIOSK_QUERY_MAX
#define KIOSK_QUERY_MAX 60         /* search box */
#endif
/* Byte buffers hold the character limits above in UTF-8 (4 bytes each). */
#define KIOSK_FIELD_BYTES(chars) ((chars) * 4 + 1)
#define KIOSK_NAME_BYTES  KIOSK_FIELD_BYTES(KIOSK_NAME_MAX)
#define KIOSK_PHONE_BYTES KIOSK_FIELD_BYTES(KIOSK_PHONE_MAX)
#define KIOSK_EMAIL_BYTES KIOSK_FIELD_BYTES(KIOSK_EMAIL_MAX)
#define KIOSK_ZIP_BYTES   KIOSK_FIELD_BYTES(KIOSK_ZIP_MAX)
#define KIOSK_QUERY_BYTES KIOSK_FIELD_BYTES(KIOSK_QUERY_MAX)

/* ---- events ---------------------------------------------------------------- */
#ifndef KIOSK_EVENT_NAME_MAX
#define KIOSK_EVENT_NAME_MAX 80
#endif
#ifndef KIOSK_PROGRAM_MAX
#define KIOSK_PROGRAM_MAX 40
#endif
#define KIOSK_EVENT_NAME_BYTES KIOSK_FIELD_BYTES(KIOSK_EVENT_NAME_MAX)
#define KIOSK_PROGRAM_BYTES    KIOSK_FIELD_BYTES(KIOSK_PROGRAM_MAX)
#define KIOSK_HINT_BYTES       KIOSK_EVENT_NAME_BYTES
#define KIOSK_ID_HEX 32            /* 128-bit ids as lower-case hex */

/* ---- search ---------------------------------------------------------------- */
#ifndef KIOSK_SEARCH_MIN_CHARS
#define KIOSK_SEARCH_MIN_CHARS 2   /* results appear from this many characters */
#endif
#ifndef KIOSK_SEARCH_RESULTS
#define KIOSK_SEARCH_RESULTS 6     /* rows shown on the find screen */
#endif
#ifndef KIOSK_SEARCH_COUNT_MAX
#define KIOSK_SEARCH_COUNT_MAX 1000 /* matches counted for "N more" */
#endif

/* ---- timing (milliseconds) -------------------------------------------------- */
#ifndef KIOSK_IDLE_MS
#define KIOSK_IDLE_MS 45000        /* idle before "Still there?" */
#endif
#ifndef KIOSK_STILL_THERE_MS
#define KIOSK_STILL_THERE_MS 15000 /* how long the prompt waits */
#endif
#ifndef KIOSK_DONE_MS
#define KIOSK_DONE_MS 6000         /* thank-you screen, then welcome */
#endif
#ifndef KIOSK_DONE_QR_MS
#define KIOSK_DONE_QR_MS 10000     /* ... when it shows a code to photograph */
#endif
#ifndef KIOSK_BANNER_MS
#define KIOSK_BANNER_MS 8000       /* a message on welcome (unknown code) */
#endif

/* ---- screen ------------------------------------------------------------------ */
#ifndef KIOSK_TOUCH_MM
#define KIOSK_TOUCH_MM 9.0         /* smallest touch target, millimetres */
#endif
#ifndef KIOSK_DEFAULT_DPI
#define KIOSK_DEFAULT_DPI 133.0    /* official 7" Raspberry Pi touchscreen */
#endif

/* ---- store ------------------------------------------------------------------- */
#ifndef KIOSK_DB_FILE
#define KIOSK_DB_FILE "kiosk.db"
#endif
#ifndef KIOSK_BUSY_TIMEOUT_MS
#define KIOSK_BUSY_TIMEOUT_MS 5000
#endif

/* ---- surveys (see kiosk/core/survey.h) ---------------------------------------- */
#ifndef KIOSK_SURVEY_FILE_MAX_BYTES
#define KIOSK_SURVEY_FILE_MAX_BYTES 262144  /* a survey file, bytes */
#endif
#ifndef KIOSK_SURVEY_QUESTIONS_MAX
#define KIOSK_SURVEY_QUESTIONS_MAX 60       /* questions in one survey */
#endif
#ifndef KIOSK_SURVEY_CHOICES_MAX
#define KIOSK_SURVEY_CHOICES_MAX 40         /* choices of one question */
#endif
#ifndef KIOSK_SURVEY_KEY_MAX
#define KIOSK_SURVEY_KEY_MAX 32             /* survey, question, choice keys (ASCII) */
#endif
#ifndef KIOSK_SURVEY_TEXT_MAX
#define KIOSK_SURVEY_TEXT_MAX 600           /* one text cell (a consent statement) */
#endif
#ifndef KIOSK_SURVEY_ANSWER_MAX
#define KIOSK_SURVEY_ANSWER_MAX 200         /* a typed answer or "Other: ___" text */
#endif
#ifndef KIOSK_SURVEY_NUMBER_LIMIT
#define KIOSK_SURVEY_NUMBER_LIMIT 1000000   /* bound of min/max of number questions */
#endif
#ifndef KIOSK_SURVEY_DIAGS_MAX
#define KIOSK_SURVEY_DIAGS_MAX 100          /* problems kept per file (all are counted) */
#endif
#ifndef KIOSK_SURVEY_ANSWERS_BYTES
#define KIOSK_SURVEY_ANSWERS_BYTES 16384    /* all answers of one person, encoded */
#endif

#endif /* KIOSK_CONFIG_H */
