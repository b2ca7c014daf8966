/*
 * test_flow.c - the screen state machine, driven with a virtual clock and a
 * real store in a temporary folder (no display).
 */
#include <stdio.h>
#include <string.h>

#include "flow.h"
#include "ktest.h"
#include "store.h"

static char dir[64];
static kclock clock_;
static kclock_virtual vclock;
static kstore *store;
static kevent event;

/* A fresh store with one current event. */
static void setup(void)
{
    kerr err = {0};
    ktest_tmpdir(dir, sizeof dir);
    kclock_virtual_init(&clock_, &vclock, 1780000000000LL, "boot-1");
    CHECK_INT(kstore_open(&store, dir, &clock_, &err), 0);
    CHECK_INT(kstore_event_add(store, "Parent Night", "parent organizing", "2026-11-29", &event,
                               &err), 0);
    CHECK_INT(kstore_event_use(store, event.id, &err), 0);
}

static void teardown(void)
{
    kstore_close(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

/* Types text and taps like the UI would. */
static void type(kflow *f, const char *s, int64_t t) { kflow_text(f, s, t); }

static void test_signup_reaches_done_after_commit(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK(kflow_tap(&f, "btn-new", 100));
    CHECK_STR(kflow_screen_name(f.screen), "form");
    CHECK_INT(f.visit.focus, KF_GIVEN);
    type(&f, "Hương", 200);
    kflow_key(&f, KKEYC_TAB, 300);
    type(&f, "Nguyễn", 400);
    kflow_tap(&f, "btn-submit", 500);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_STR(f.visit.done_name, "Hương");
    CHECK_STR(f.visit.done_event, "Parent Night");
    CHECK_INT(f.visit.done_kind, KDONE_NEW);
    /* The record is in the store: found by search, checked in once. */
    kmatch m[4];
    int n = 0;
    kerr err = {0};
    CHECK_INT(kstore_search(store, "huong", m, 4, &n, &err), 0);
    CHECK_INT(n, 1);
    int checkins = 0, fresh = 0;
    CHECK_INT(kstore_event_counts(store, event.id, &checkins, &fresh, &err), 0);
    CHECK_INT(checkins, 1);
    CHECK_INT(fresh, 1);
    /* A first sign-up gets a check-in code, and done waits for a photo of
     * it; then back to welcome by itself, everything cleared. */
    CHECK(kstore_qr_is_token(f.visit.done_token));
    CHECK(kflow_deadline(&f) == 500 + KIOSK_DONE_QR_MS);
    CHECK_INT(kflow_tick(&f, 500 + KIOSK_DONE_QR_MS - 1), 0);
    CHECK(kflow_tick(&f, 500 + KIOSK_DONE_QR_MS));
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK_STR(f.visit.done_name, "");
    CHECK_STR(f.visit.field[KF_GIVEN], "");
    CHECK_STR(f.visit.done_token, "");
    teardown();
}

static void test_scan_checks_in(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    type(&f, "Sione", 2);
    kflow_tap(&f, "btn-submit", 3);
    char token[48];
    snprintf(token, sizeof token, "%s", f.visit.done_token);
    CHECK(kstore_qr_is_token(token));
    kflow_tap(&f, "btn-back", 4);
    /* A scanner types the code and Return at welcome: done at once, and
     * since signing up checked them in, kindly "already". */
    kflow_text(&f, token, 10);
    kflow_key(&f, KKEYC_ENTER, 11);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_INT(f.visit.done_kind, KDONE_ALREADY);
    CHECK_STR(f.visit.done_name, "Sione");
    kflow_tap(&f, "btn-back", 12);
    /* At another event it is a check-in. */
    kevent other;
    kerr err = {0};
    CHECK_INT(kstore_event_add(store, "Youth Night", "youth organizing", "", &other, &err), 0);
    CHECK_INT(kstore_event_use(store, other.id, &err), 0);
    kflow_text(&f, token, 20);
    kflow_key(&f, KKEYC_ENTER, 21);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_INT(f.visit.done_kind, KDONE_RETURNING);
    kflow_tap(&f, "btn-back", 22);
    /* An unknown code: a kind message on welcome, which goes away. */
    kflow_text(&f, "K1-AAAAAAAAAAAAAAAAAAAAAAAAAA", 30);
    kflow_key(&f, KKEYC_ENTER, 31);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK(f.visit.banner != NULL);
    CHECK(kflow_tick(&f, 31 + KIOSK_BANNER_MS));
    CHECK(f.visit.banner == NULL);
    /* A revoked code no longer works. */
    char person[KIOSK_ID_HEX + 1];
    CHECK_INT(kstore_qr_lookup(store, token, person, NULL, &err), 0);
    CHECK_INT(kstore_qr_revoke(store, person, NULL, &err), 0);
    kflow_text(&f, token, 40);
    kflow_key(&f, KKEYC_ENTER, 41);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK(f.visit.banner != NULL);
    /* Typing that is not a code does nothing. */
    kflow_tick(&f, 41 + KIOSK_BANNER_MS);
    kflow_text(&f, "hello", 50);
    kflow_key(&f, KKEYC_ENTER, 51);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK(f.visit.banner == NULL);
    teardown();
}

static void test_validation_inline(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    kflow_tap(&f, "btn-submit", 2);
    CHECK_STR(kflow_screen_name(f.screen), "form");
    CHECK(f.visit.field_msg[KF_GIVEN] != NULL);
    type(&f, "Ana", 3);
    CHECK(f.visit.field_msg[KF_GIVEN] == NULL);   /* the message goes once fixed */
    CHECK(kflow_validate(KF_PHONE, "+63 917 123 4567") == NULL);
    CHECK(kflow_validate(KF_PHONE, "(408) 555-1234") == NULL);
    CHECK(kflow_validate(KF_PHONE, "090 123 45 67") == NULL);
    CHECK(kflow_validate(KF_PHONE, "12") != NULL);
    CHECK(kflow_validate(KF_PHONE, "555-CALL-NOW") != NULL);
    CHECK(kflow_validate(KF_PHONE, "1+2345678") != NULL);
    CHECK(kflow_validate(KF_EMAIL, "ngoc@vnn.vn") == NULL);
    CHECK(kflow_validate(KF_EMAIL, "민준@예시.한국") == NULL);
    CHECK(kflow_validate(KF_EMAIL, "ana@") != NULL);
    CHECK(kflow_validate(KF_EMAIL, "ana@example") != NULL);
    CHECK(kflow_validate(KF_EMAIL, "a b@example.com") != NULL);
    CHECK(kflow_validate(KF_ZIP, "95112") == NULL);
    CHECK(kflow_validate(KF_ZIP, "K1A 0B1") == NULL);
    CHECK(kflow_validate(KF_ZIP, "12") != NULL);
    CHECK(kflow_validate(KF_FAMILY, "") == NULL);
    CHECK(kflow_validate(KF_GIVEN, "   ") != NULL);
    teardown();
}

static void test_checkin_twice_is_kind_and_stores_once(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    type(&f, "Minh", 2);
    kflow_tap(&f, "btn-submit", 3);
    kflow_tap(&f, "btn-back", 4);
    for (int round = 0; round < 2; round++) {
        kflow_tap(&f, "btn-returning", 10);
        CHECK_STR(kflow_screen_name(f.screen), "find");
        type(&f, "m", 11);
        CHECK_INT(f.visit.searched, 0);          /* one letter: no results yet */
        type(&f, "inh", 12);
        CHECK_INT(f.visit.nresults, 1);
        CHECK_STR(f.visit.results[0].first, "Minh");
        kflow_tap(&f, "result-1", 13);
        CHECK_STR(kflow_screen_name(f.screen), "done");
        CHECK_INT(f.visit.done_kind, KDONE_ALREADY);  /* signing up checked them in */
        kflow_tap(&f, "btn-back", 14);
    }
    int checkins = 0, fresh = 0;
    kerr err = {0};
    kstore_event_counts(store, event.id, &checkins, &fresh, &err);
    CHECK_INT(checkins, 1);
    teardown();
}

static void test_idle_clears_everything(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1000);
    type(&f, "Kalani", 2000);
    CHECK(kflow_deadline(&f) == 2000 + KIOSK_IDLE_MS);
    CHECK_INT(kflow_tick(&f, 2000 + KIOSK_IDLE_MS - 1), 0);
    CHECK_INT(f.still_there, 0);
    CHECK(kflow_tick(&f, 2000 + KIOSK_IDLE_MS));
    CHECK_INT(f.still_there, 1);
    /* Typing does nothing under the prompt; "I'm still here" keeps the data. */
    CHECK_INT(kflow_text(&f, "x", 2000 + KIOSK_IDLE_MS + 10), 0);
    kflow_tap(&f, "btn-still-here", 2000 + KIOSK_IDLE_MS + 20);
    CHECK_INT(f.still_there, 0);
    CHECK_STR(f.visit.field[KF_GIVEN], "Kalani");
    /* Walking away: prompt, then welcome, and nothing is left. */
    int64_t t = 2000 + KIOSK_IDLE_MS + 20 + KIOSK_IDLE_MS;
    kflow_tick(&f, t);
    CHECK_INT(f.still_there, 1);
    kflow_tick(&f, t + KIOSK_STILL_THERE_MS);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK_STR(f.visit.field[KF_GIVEN], "");
    CHECK_INT(f.still_there, 0);
    /* The idle time is a setting. */
    f.idle_ms = 5000;
    kflow_tap(&f, "btn-returning", t + 100000);
    type(&f, "ka", t + 100001);
    CHECK(f.visit.searched);
    kflow_tick(&f, t + 105001);
    CHECK_INT(f.still_there, 1);
    kflow_tap(&f, "btn-start-over", t + 105002);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK_STR(f.visit.query, "");
    CHECK_INT(f.visit.nresults, 0);
    teardown();
}

static void test_keyboard_keys(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    kflow_tap(&f, "key-shift", 2);
    kflow_tap(&f, "key-a", 3);
    kflow_tap(&f, "key-n", 4);   /* shift lasts one letter */
    kflow_tap(&f, "key-space", 5);
    kflow_tap(&f, "key-7", 6);
    CHECK_STR(f.visit.field[KF_GIVEN], "An 7");
    kflow_tap(&f, "key-backspace", 7);
    kflow_tap(&f, "key-backspace", 8);
    CHECK_STR(f.visit.field[KF_GIVEN], "An");
    kflow_tap(&f, "key-enter", 9);
    CHECK_INT(f.visit.focus, KF_FAMILY);
    kflow_tap(&f, "field-phone", 10);
    CHECK_STR(kflow_layout(&f, NULL)->name, "numeric");
    CHECK_INT(kflow_tap(&f, "key-q", 11), 0);   /* not on the pad */
    kflow_tap(&f, "key-+", 12);
    kflow_tap(&f, "key-1", 13);
    CHECK_STR(f.visit.field[KF_PHONE], "+1");
    kflow_tap(&f, "field-email", 14);
    CHECK_STR(kflow_layout(&f, NULL)->name, "email");
    kflow_tap(&f, "key-a", 15);
    kflow_tap(&f, "key-@", 16);
    kflow_tap(&f, "key-b", 17);
    kflow_tap(&f, "key-.com", 18);
    CHECK_STR(f.visit.field[KF_EMAIL], "a@b.com");
    teardown();
}

static void test_clean_text(void)
{
    char s[64];
    snprintf(s, sizeof s, "A\x01" "B\tC\x7f" "D\xc2\x85" "E\xff" "F");
    kflow_clean_text(s, 60);
    CHECK_STR(s, "ABCDEF");
    snprintf(s, sizeof s, "Nguyễn Thị");
    kflow_clean_text(s, 6);
    CHECK_STR(s, "Nguyễn");
    /* Typing past a field's limit stops at the limit. */
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    for (int i = 0; i < 100; i++)
        type(&f, "ư", 2 + i);
    CHECK_INT(strlen(f.visit.field[KF_GIVEN]), KIOSK_NAME_MAX * 2);
    teardown();
}

static void test_save_failure_keeps_entries(void)
{
    setup();
    kerr err = {0};
    kflow f;
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 1);
    type(&f, "Sione", 2);
    /* A database that cannot grow: the save fails like on a full disk. */
    CHECK_INT(kstore_limit_pages(store, 1, &err), 0);
    int rc = 0;
    for (int i = 0; i < 20000 && rc == 0; i++) {
        kperson p = {0};
        snprintf(p.given, sizeof p.given, "Filler %d", i);
        rc = kstore_signup(store, &p, event.id, &err);
    }
    CHECK_INT(rc, KERR_FULL);
    kflow_tap(&f, "btn-submit", 3);
    CHECK_STR(kflow_screen_name(f.screen), "form");
    CHECK(f.visit.banner != NULL);
    CHECK_STR(f.visit.field[KF_GIVEN], "Sione");
    teardown();
}

/* Taps the on-screen keys for each ASCII letter of s (shift for capitals). */
static void osk(kflow *f, const char *s, int64_t t)
{
    for (; *s; s++) {
        char id[16];
        if (*s >= 'A' && *s <= 'Z') {
            kflow_tap(f, "key-shift", t);
            snprintf(id, sizeof id, "key-%c", *s + 32);
        } else if (*s == ' ') {
            snprintf(id, sizeof id, "key-space");
        } else {
            snprintf(id, sizeof id, "key-%c", *s);
        }
        kflow_tap(f, id, t);
    }
}

/* Issue 10 items 5-6: Telex on the on-screen keys, the "as typed"
 * suggestion, and a physical keyboard that types what is on its keys. */
static void test_telex_switch_and_suggestion(void)
{
    setup();
    kflow f;
    char typed[64], composed[64];
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "lang-vi", 10);
    kflow_tap(&f, "btn-new", 20);
    CHECK(f.visit.telex);
    osk(&f, "Nguyeenx", 30);                        /* on-screen: Telex */
    CHECK_STR(f.visit.field[KF_GIVEN], "Nguyễn");
    CHECK(kflow_typed_suggestion(&f, typed, sizeof typed, composed, sizeof composed));
    CHECK_STR(typed, "Nguyeenx");
    CHECK_STR(composed, "Nguyễn");
    kflow_key(&f, KKEYC_TAB, 40);
    osk(&f, "Luis", 50);
    CHECK_STR(f.visit.field[KF_FAMILY], "Lúi");
    CHECK(kflow_typed_suggestion(&f, typed, sizeof typed, composed, sizeof composed));
    CHECK(kflow_tap(&f, "cand-typed", 60));
    CHECK_STR(f.visit.field[KF_FAMILY], "Luis");
    CHECK(!kflow_typed_suggestion(&f, typed, sizeof typed, composed, sizeof composed));
    osk(&f, " Susan", 70);
    CHECK_STR(f.visit.field[KF_FAMILY], "Luis Susan");
    CHECK(!kflow_typed_suggestion(&f, typed, sizeof typed, composed, sizeof composed));

    /* a physical keyboard: as on its keys, and the switch shows off */
    kflow_key(&f, KKEYC_TAB, 80);
    CHECK_INT(f.visit.focus, KF_PHONE);
    kflow_tap(&f, "field-email", 90);
    kflow_tap(&f, "field-given", 95);
    for (int i = 0; i < 6; i++)
        kflow_key(&f, KKEYC_BACKSPACE, 100);
    type(&f, "Max Tiffany", 110);
    CHECK_STR(f.visit.field[KF_GIVEN], "Max Tiffany");
    CHECK(!f.visit.telex);
    /* switched on by the person: Telex for both */
    CHECK(kflow_tap(&f, "key-telex", 120));
    CHECK(f.visit.telex);
    type(&f, " Thij", 130);
    CHECK_STR(f.visit.field[KF_GIVEN], "Max Tiffany Thị");
    osk(&f, " Vieetj", 140);
    CHECK_STR(f.visit.field[KF_GIVEN], "Max Tiffany Thị Việt");
    /* and off: on-screen keys type as they are too */
    CHECK(kflow_tap(&f, "key-telex", 150));
    CHECK(!f.visit.telex);
    osk(&f, " Lees", 160);
    CHECK_STR(f.visit.field[KF_GIVEN], "Max Tiffany Thị Việt Lees");
    teardown();
}

/* Issue 10 item 4: "Is this you?" before a sign-up that repeats someone. */
static void test_possible_match_screen(void)
{
    setup();
    kflow f;
    kerr err = {0};
    kperson p;
    memset(&p, 0, sizeof p);
    strcpy(p.given, "Mary-Jane");
    strcpy(p.family, "Smith");
    strcpy(p.phone, "503 555 0100");
    CHECK_INT(kstore_signup(store, &p, event.id, &err), 0);
    kevent other;
    CHECK_INT(kstore_event_add(store, "Bootcamp", "youth", "2026-11-30", &other, &err), 0);
    CHECK_INT(kstore_event_use(store, other.id, &err), 0);

    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-new", 10);
    type(&f, "MaryJane", 20);
    kflow_key(&f, KKEYC_TAB, 30);
    type(&f, "Smith", 40);
    kflow_tap(&f, "field-phone", 50);
    type(&f, "(503) 555-0100", 60);
    kflow_tap(&f, "btn-submit", 70);
    CHECK_STR(kflow_screen_name(f.screen), "possible-match");
    CHECK_STR(f.visit.match.first, "Mary-Jane");
    CHECK_STR(f.visit.match.initial, "S");
    CHECK_STR(f.visit.match.hint, "Parent Night");     /* no ZIP: the last event */
    /* back keeps every entry */
    kflow_tap(&f, "btn-back", 80);
    CHECK_STR(kflow_screen_name(f.screen), "form");
    CHECK_STR(f.visit.field[KF_GIVEN], "MaryJane");
    CHECK_STR(f.visit.field[KF_PHONE], "(503) 555-0100");
    /* it's me: checked in, nobody created */
    kflow_tap(&f, "btn-submit", 90);
    CHECK_STR(kflow_screen_name(f.screen), "possible-match");
    kflow_tap(&f, "btn-its-me", 100);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_INT(f.visit.done_kind, KDONE_RETURNING);
    CHECK_STR(f.visit.done_person, p.id);
    int checkins = 0, fresh = 0;
    CHECK_INT(kstore_event_counts(store, other.id, &checkins, &fresh, &err), 0);
    CHECK_INT(checkins, 1);
    CHECK_INT(fresh, 0);

    /* not me: a new person as typed */
    kflow_reset(&f);
    kflow_tap(&f, "btn-new", 110);
    type(&f, "Mary Jane", 120);
    kflow_key(&f, KKEYC_TAB, 130);
    type(&f, "Smith", 140);
    kflow_tap(&f, "field-phone", 150);
    type(&f, "5035550100", 160);
    kflow_tap(&f, "btn-submit", 170);
    CHECK_STR(kflow_screen_name(f.screen), "possible-match");
    kflow_tap(&f, "btn-not-me", 180);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_INT(f.visit.done_kind, KDONE_NEW);
    CHECK(strcmp(f.visit.done_person, p.id) != 0);
    CHECK_INT(kstore_event_counts(store, other.id, &checkins, &fresh, &err), 0);
    CHECK_INT(checkins, 2);
    CHECK_INT(fresh, 1);
    teardown();
}

/* Issue 10 items 3 and 7: the count of matches, the checked-in mark, and
 * family name first in Chinese, Japanese and Korean. */
static void test_results_and_name_order(void)
{
    setup();
    kflow f;
    kerr err = {0};
    for (int i = 0; i < 9; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "Linh%d", i);
        strcpy(p.family, "Tran");
        CHECK_INT(kstore_signup(store, &p, event.id, &err), 0);
    }
    kflow_init(&f, store, 0, NULL);
    kflow_tap(&f, "btn-returning", 10);
    type(&f, "tr", 20);
    CHECK_INT(f.visit.nresults, KIOSK_SEARCH_RESULTS);
    CHECK_INT(f.visit.nmatches, 9);
    CHECK(f.visit.results[0].checked_in);
    kflow_tap(&f, "result-1", 30);
    CHECK_INT(f.visit.done_kind, KDONE_ALREADY);

    char buf[64];
    kflow_masked_name("en", "Hương", "N", buf, sizeof buf);
    CHECK_STR(buf, "Hương N.");
    kflow_masked_name("ko", "민준", "김", buf, sizeof buf);
    CHECK_STR(buf, "김민준");
    kflow_masked_name("zh-Hans", "Hương", "N", buf, sizeof buf);
    CHECK_STR(buf, "N. Hương");
    kflow_full_name("ja", "美玲", "陈", buf, sizeof buf);
    CHECK_STR(buf, "陈美玲");
    kflow_full_name("ko", "Linh", "Tran", buf, sizeof buf);
    CHECK_STR(buf, "Tran Linh");
    kflow_full_name("vi", "Linh", "Tran", buf, sizeof buf);
    CHECK_STR(buf, "Linh Tran");
    kflow_full_name("en", "美玲", "陈", buf, sizeof buf);      /* its own order */
    CHECK_STR(buf, "陈美玲");
    kflow_masked_name("en", "민준", "김", buf, sizeof buf);
    CHECK_STR(buf, "김민준");

    /* the form asks the family name first; Tab and Enter follow */
    kflow_reset(&f);
    kflow_tap(&f, "lang-ko", 40);
    kflow_tap(&f, "btn-new", 50);
    CHECK_INT(f.visit.focus, KF_FAMILY);
    type(&f, "Kim", 60);
    kflow_key(&f, KKEYC_ENTER, 70);
    CHECK_INT(f.visit.focus, KF_GIVEN);
    type(&f, "Minjun", 80);
    kflow_key(&f, KKEYC_TAB, 90);
    CHECK_INT(f.visit.focus, KF_PHONE);
    kflow_tap(&f, "btn-submit", 100);
    CHECK_STR(kflow_screen_name(f.screen), "done");
    CHECK_STR(f.visit.done_name, "K. Minjun");
    /* given name required: the message sends focus there */
    kflow_reset(&f);
    kflow_tap(&f, "lang-zh-Hans", 110);
    kflow_tap(&f, "btn-new", 120);
    kflow_tap(&f, "btn-submit", 130);
    CHECK_INT(f.visit.focus, KF_GIVEN);
    teardown();
}

static void test_error_screen(void)
{
    kflow f;
    kflow_init(&f, NULL, 0, "cannot open /nowhere/kiosk.db: No such file or directory");
    CHECK_STR(kflow_screen_name(f.screen), "error");
    CHECK_INT(kflow_tap(&f, "btn-new", 1), 0);
    CHECK_STR(kflow_screen_name(f.screen), "error");
    CHECK_INT(kflow_deadline(&f), -1);
}

/* 1 if the bytes of s appear anywhere in the n bytes at p. */
static int bytes_hold(const void *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    const unsigned char *b = p;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0)
            return 1;
    return 0;
}

/* Types a word on the on-screen keyboard, key by key (Telex composes). */
static void osk_word(kflow *f, const char *keys, int64_t *t)
{
    for (const char *k = keys; *k; k++) {
        char id[16];
        snprintf(id, sizeof id, "key-%c", *k);
        CHECK(kflow_tap(f, id, *t += 100));
    }
}

/* Nothing of a visit stays in the flow once it is over: not the field,
 * and not the keyboard's composition either, which held the last word a
 * person typed (its keys as typed and as written) after kflow_reset. */
static void test_reset_forgets_the_composer(void)
{
    setup();
    kflow f;
    kflow_init(&f, store, 0, NULL);
    int64_t t = 0;
    /* idle, then "start over" on the prompt */
    for (int way = 0; way < 2; way++) {
        CHECK(kflow_tap(&f, "lang-vi", t += 100));
        CHECK(kflow_tap(&f, "btn-new", t += 100));
        CHECK_STR(kflow_screen_name(f.screen), "form");
        osk_word(&f, "nguyeenx", &t);
        CHECK_STR(f.visit.field[f.visit.focus], "nguyễn");
        CHECK(f.visit.compose.telex.nraw > 0);          /* the composer follows the word */
        CHECK(bytes_hold(&f, sizeof f, "nguy"));
        if (way == 0) {
            kflow_tick(&f, t += f.idle_ms);             /* "Still there?" */
            CHECK(f.still_there);
            kflow_tick(&f, t += KIOSK_STILL_THERE_MS);
        } else {
            kflow_tick(&f, t += f.idle_ms);
            CHECK(kflow_tap(&f, "btn-start-over", t += 100));
        }
        CHECK_STR(kflow_screen_name(f.screen), "welcome");
        CHECK_INT(f.visit.compose.telex.nraw, 0);
        CHECK_STR(f.visit.compose.telex.shown, "");
        CHECK(!bytes_hold(&f, sizeof f, "nguy"));       /* nowhere in the flow's memory */
        CHECK(!bytes_hold(&f, sizeof f, "nguyễn"));
        CHECK_STR(f.visit.lang, "en");                  /* the default language again */
        CHECK(f.visit.telex);                           /* Telex on for the next person */
    }
    teardown();
}

int main(void)
{
    RUN(test_signup_reaches_done_after_commit);
    RUN(test_scan_checks_in);
    RUN(test_validation_inline);
    RUN(test_checkin_twice_is_kind_and_stores_once);
    RUN(test_idle_clears_everything);
    RUN(test_keyboard_keys);
    RUN(test_clean_text);
    RUN(test_save_failure_keeps_entries);
    RUN(test_error_screen);
    RUN(test_telex_switch_and_suggestion);
    RUN(test_possible_match_screen);
    RUN(test_results_and_name_order);
    RUN(test_reset_forgets_the_composer);
    return ktest_summary();
}
