/*
 * test_sync_batch.c - unit tests of the batch format, bundles and the hub
 * store's exactly-once ingest and time correction (no network).
 */
#define _GNU_SOURCE
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "bundle.h"
#include "hub_store.h"
#include "ktest.h"

#define DEV "5d0f6c1e9b2a4c3d8e7f60718293a4b5"
#define BOOT "3e4f1a2b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"

/* Builds a batch of records seq from..to of device DEV, ids derived from seq. */
static void make_batch(ksync_batch *b, int64_t from, int64_t to, const char *boot, int64_t wall0,
                       int64_t sent_wall, int64_t sent_mono)
{
    ksync_batch_init(b);
    snprintf(b->device_id, sizeof b->device_id, "%s", DEV);
    snprintf(b->batch_id, sizeof b->batch_id, "%032llx", (unsigned long long)from * 7919);
    b->seq_from = from;
    b->seq_to = to;
    b->sent_wall_ms = sent_wall;
    b->sent_mono_ms = sent_mono;
    snprintf(b->sent_boot_id, sizeof b->sent_boot_id, "%s", boot);
    for (int64_t s = from; s <= to; s++) {
        ksync_record r;
        memset(&r, 0, sizeof r);
        snprintf(r.table, sizeof r.table, "checkins");
        snprintf(r.id, sizeof r.id, "%032llx", (unsigned long long)s);
        r.seq = s;
        r.wall_ms = wall0 + s * 1000;
        snprintf(r.boot_id, sizeof r.boot_id, "%s", boot);
        r.mono_ms = s * 1000;
        r.fields = strdup("{\"person_id\":\"p\",\"event_id\":\"e\",\"is_new\":1}");
        ksync_batch_take(b, &r, NULL);
    }
}

/* Encodes a batch, parses it back, and compares. */
static void test_roundtrip(void)
{
    ksync_batch b, c;
    make_batch(&b, 1, 3, BOOT, 1781337600000LL, 1781337700000LL, 5000);
    free(b.recs[1].fields);
    b.recs[1].fields = strdup("{\"given\":\"Hương \\\"Q\\\"\\n\",\"n\":null,\"ok\":true}");
    kbuf out = {0};
    kerr e = {0};
    CHECK_INT(ksync_batch_encode(&b, &out, &e), 0);
    CHECK_INT(ksync_batch_parse(out.p, out.len, &c, &e), 0);
    CHECK_INT(c.n, 3);
    CHECK_STR(c.device_id, DEV);
    CHECK_INT(c.seq_to, 3);
    CHECK_INT(c.sent_mono_ms, 5000);
    CHECK_STR(c.recs[1].fields, "{\"given\":\"Hương \\\"Q\\\"\\n\",\"n\":null,\"ok\":true}");
    CHECK_INT(c.recs[2].wall_ms, 1781337600000LL + 3000);
    ksync_batch_free(&c);
    ksync_batch_free(&b);
    kbuf_free(&out);
}

/* Parses text and expects a refusal whose message contains want. */
static void expect_refused(const char *text, const char *want)
{
    ksync_batch b;
    kerr e = {0};
    int rc = ksync_batch_parse(text, strlen(text), &b, &e);
    CHECK_INT(rc, KERR_INVALID);
    if (!strstr(e.msg, want)) {
        ktest_fail++;
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", e.msg, want);
    } else {
        ktest_pass++;
    }
}

/* Every rule of PROTOCOL.md section 2 refuses with a message naming it. */
static void test_refusals(void)
{
    ksync_batch b;
    make_batch(&b, 1, 2, BOOT, 1781337600000LL, 1781337700000LL, 5000);
    kbuf good = {0};
    ksync_batch_encode(&b, &good, NULL);
    ksync_batch_free(&b);
    char *t = strdup(good.p);
    /* truncated anywhere */
    for (size_t cut = 0; cut < good.len; cut += 7) {
        ksync_batch x;
        kerr e = {0};
        CHECK_INT(ksync_batch_parse(good.p, cut, &x, &e), KERR_INVALID);
    }
    expect_refused(good.p + 1, "batch: ");
    char half[64];
    snprintf(half, sizeof half, "%.*s", 40, good.p);
    expect_refused(half, "truncated");
    expect_refused("[]", "expected a JSON object");
    expect_refused("{\"protocol\":2}", "protocol: version 2 not supported");
    expect_refused("{\"protocol\":1}", "device_id: missing");
    char *p;
#define MUTATE(from, to, want)                                   \
    do {                                                         \
        kbuf m = {0};                                            \
        p = strstr(t, from);                                     \
        kbuf_add(&m, t, (size_t)(p - t));                        \
        kbuf_str(&m, to);                                        \
        kbuf_str(&m, p + strlen(from));                          \
        expect_refused(m.p, want);                               \
        kbuf_free(&m);                                           \
    } while (0)
    MUTATE("\"seq\":2", "\"seq\":\"2\"", "records[1].seq: expected an integer");
    MUTATE("\"seq\":2", "\"seq\":2.5", "records[1].seq: expected an integer");
    MUTATE("\"seq\":2", "\"seq\":2.0", "records[1].seq: expected an integer, got 2.0");
    MUTATE("\"seq\":2", "\"seq\":2e0", "records[1].seq: expected an integer, got 2e0");
    MUTATE("\"seq\":2", "\"seq\":02", "records[1].seq: expected an integer, got 02");
    MUTATE("\"seq_to\":2", "\"seq_to\":9007199254740993", "seq_to: integer 9007199254740993 is beyond 2^53");
    MUTATE("\"seq_to\":2", "\"seq_to\":-18446744073709551617", "seq_to: integer -18446744073709551617 is beyond");
    MUTATE("\"is_new\":1", "\"is_new\":1.5", "records[0].fields.is_new: expected an integer");
    MUTATE("\"is_new\":1", "\"is_new\":\"a\\u0000b\"", "records[0].fields.is_new: \\u0000");
    MUTATE("\"is_new\":1", "\"is_new\":\"\\ud800\"", "not JSON");
    MUTATE("\"is_new\":1", "\"is_new\":\"\\udc00\"", "not JSON");
    MUTATE("\"is_new\":1", "\"is_new\":\"\xc3\x28\"", "records[0].fields.is_new: text is not valid UTF-8");
    MUTATE("\"is_new\":1", "\"is_new\":\"\xed\xa0\x80\"", "records[0].fields.is_new: text is not valid UTF-8");
    MUTATE("\"is_new\":1", "\"is_new\":\"\xc0\xaf\"", "records[0].fields.is_new: text is not valid UTF-8");
    MUTATE("\"is_new\":1", "\"x\":{\"y\":1.0},\"is_new\":1", "records[0].fields.x.y: expected an integer");
    MUTATE("\"seq\":2", "\"seq\":9", "records[1].seq: 9 is outside");
    MUTATE("\"seq\":2", "\"seq\":1", "records[1].seq: not above");
    MUTATE("\"seq_to\":2", "\"seq_to\":3", "seq_to: the last record");
    MUTATE("\"table\":\"checkins\"", "\"table\":\"Check ins\"", "records[0].table");
    MUTATE("\"is_new\":1", "\"is_new\":{\"a\":1}", "fields.is_new: expected a string");
    MUTATE("\"fields\":{", "\"fields\":{\"is_new\":2,", "fields.is_new: appears twice");
    MUTATE("\"mono_ms\":1000", "\"mono_ms\":-1", "records[0].mono_ms: must not be negative");
    MUTATE("00000000000000000000000000000002\"", "00000000000000000000000000000001\"",
           "the same id appears twice");
    MUTATE(",\"sent\":", ",\"sentx\":", "sent: missing");
    MUTATE("\"records\":[", "\"records\":\"x\",\"r\":[", "records: expected an array");
    MUTATE("\"device_id\":\"5d0f", "\"device_id\":\"5D0F", "device_id: expected 32 lower-case hex");
    /* trailing garbage */
    kbuf g = {0};
    kbuf_str(&g, good.p);
    kbuf_str(&g, " x");
    expect_refused(g.p, "unexpected text after");
    kbuf_free(&g);
    free(t);
    kbuf_free(&good);
}

/* Reads one integer from the hub store. */
static long long q1(khub *h, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(khub_db(h), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Replays, overlaps and reordering store each record once; acked only
 * moves over a contiguous cover. */
static void test_ingest_exactly_once(void)
{
    char dir[64], path[128];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/hub.db", dir);
    khub *h;
    kerr e = {0};
    CHECK_INT(khub_open(&h, path, &e), 0);
    char token[KHUB_TOKEN_LEN + 1];
    CHECK_INT(khub_device_add(h, "door-1", token, &e), 0);
    CHECK_INT(khub_device_add(h, "door-1", token + 0, &e), KERR_DUP);
    CHECK_INT(khub_device_add(h, "door-2", token, &e), 0);
    khub_source src = {token, khub_now_ms(), 1, "test"};
    khub_result res;
    ksync_batch b1, b2, b3, b12;
    int64_t w = khub_now_ms() - 100000;
    make_batch(&b1, 1, 10, BOOT, w, w + 20000, 20000);
    /* a token is bound at pairing, never by a batch */
    CHECK_INT(khub_ingest(h, &src, &b1, 1, &res, &e), KHUB_NOT_PAIRED);
    CHECK(strstr(e.msg, "kiosk sync pair") != NULL);
    unsigned char pk[32] = {1}, pk2[32] = {2};
    char name[KHUB_DEVICE_NAME_MAX + 1];
    CHECK_INT(khub_pair(h, token, DEV, pk, name, &e), 0);
    CHECK_STR(name, "door-2");
    CHECK_INT(khub_pair(h, token, DEV, pk2, name, &e), 0);      /* same kiosk again: new key */
    CHECK_INT(khub_pair(h, token, "ffff6c1e9b2a4c3d8e7f60718293a4b5", pk, name, &e), KHUB_FORBIDDEN);
    make_batch(&b2, 11, 20, BOOT, w, w + 20000, 20000);
    make_batch(&b3, 21, 30, BOOT, w, w + 30000, 30000);
    make_batch(&b12, 5, 15, BOOT, w, w + 20000, 20000);
    CHECK_INT(khub_ingest(h, &src, &b3, 1, &res, &e), 0);    /* out of order */
    CHECK_INT(res.stored, 10);
    CHECK_INT(res.acked_seq, 0);
    CHECK_INT(khub_ingest(h, &src, &b12, 1, &res, &e), 0);   /* overlapping, gap below */
    CHECK_INT(res.acked_seq, 0);
    CHECK_INT(khub_ingest(h, &src, &b1, 1, &res, &e), 0);
    CHECK_INT(res.stored, 4);
    CHECK_INT(res.duplicates, 6);
    CHECK_INT(res.acked_seq, 15);
    CHECK_INT(khub_ingest(h, &src, &b2, 1, &res, &e), 0);
    CHECK_INT(res.acked_seq, 30);
    CHECK_INT(khub_ingest(h, &src, &b2, 1, &res, &e), 0);    /* replay */
    CHECK_INT(res.stored, 0);
    CHECK_INT(res.duplicates, 10);
    CHECK_INT(q1(h, "SELECT count(*) FROM records"), 30);
    CHECK_INT(q1(h, "SELECT count(*) FROM coverage"), 1);
    /* the token is bound to DEV: another device id is forbidden */
    ksync_batch other;
    make_batch(&other, 1, 1, BOOT, w, w, 0);
    other.device_id[0] = 'f';
    CHECK_INT(khub_ingest(h, &src, &other, 1, &res, &e), KHUB_FORBIDDEN);
    /* ... and another token cannot pair with DEV while door-2 is live */
    char token1[KHUB_TOKEN_LEN + 1];
    CHECK_INT(khub_device_add(h, "door-3", token1, &e), 0);
    CHECK_INT(khub_pair(h, token1, DEV, pk, name, &e), KHUB_FORBIDDEN);
    CHECK(strstr(e.msg, "door-2") != NULL);
    /* record ids belong to their device: door-3's record with an id DEV
     * will use is its own row, and DEV's record is still stored */
    CHECK_INT(khub_pair(h, token1, other.device_id, pk, name, &e), 0);
    khub_source src3 = {token1, khub_now_ms(), 1, "test"};
    ksync_batch early;
    make_batch(&early, 1, 1, BOOT, w, w, 0);
    early.device_id[0] = 'f';
    snprintf(early.recs[0].id, sizeof early.recs[0].id, "%032llx", 31ULL);
    CHECK_INT(khub_ingest(h, &src3, &early, 1, &res, &e), 0);
    /* coverage is earned: a claim of [31, 2^53 - 1] with three records
     * covers only the seqs held */
    ksync_batch claim;
    make_batch(&claim, 31, 33, BOOT, w, w + 20000, 20000);
    claim.recs[2].seq = claim.seq_to = 9007199254740991LL;
    snprintf(claim.recs[2].id, sizeof claim.recs[2].id, "%032llx", 9007199254740991ULL);
    CHECK_INT(khub_ingest(h, &src, &claim, 1, &res, &e), 0);
    CHECK_INT(res.stored, 3);
    CHECK_INT(res.acked_seq, 32);
    CHECK_INT(q1(h, "SELECT count(*) FROM records WHERE id = '0000000000000000000000000000001f'"), 2);
    ksync_batch_free(&early);
    ksync_batch_free(&claim);
    /* revoked: 401, nothing stored */
    CHECK_INT(khub_device_revoke(h, "door-2", &e), 0);
    CHECK_INT(khub_device_revoke(h, "door-2", &e), KERR_NOTFOUND);
    CHECK_INT(khub_ingest(h, &src, &b1, 1, &res, &e), KHUB_UNAUTHORIZED);
    khub_source bad = {"khub_nope", khub_now_ms(), 1, "test"};
    CHECK_INT(khub_ingest(h, &bad, &b1, 1, &res, &e), KHUB_UNAUTHORIZED);
    /* a full store refuses the whole batch */
    ksync_batch big;
    make_batch(&big, 33, 4000, BOOT, w, w + 20000, 20000);
    khub_source trusted = {NULL, khub_now_ms(), 0, "bundle"};
    long long pages = q1(h, "PRAGMA page_count");
    CHECK_INT(khub_limit_pages(h, pages + 2, &e), 0);
    CHECK_INT(khub_ingest(h, &trusted, &big, 1, &res, &e), KERR_FULL);
    CHECK_INT(q1(h, "SELECT count(*) FROM records"), 34);
    CHECK_INT(khub_limit_pages(h, 1000000, &e), 0);
    CHECK_INT(khub_ingest(h, &trusted, &big, 1, &res, &e), 0);
    CHECK_INT(res.acked_seq, 4000);
    ksync_batch_free(&big);
    ksync_batch_free(&other);
    ksync_batch_free(&b1);
    ksync_batch_free(&b2);
    ksync_batch_free(&b3);
    ksync_batch_free(&b12);
    khub_close(h);
}

/* PROTOCOL.md section 6: a clock years off is corrected through the boot's
 * anchor; an earlier boot falls back or waits for its own anchor. */
static void test_time_correction(void)
{
    char dir[64], path[128];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/hub.db", dir);
    khub *h;
    kerr e = {0};
    CHECK_INT(khub_open(&h, path, &e), 0);
    khub_result res;
    int64_t now = khub_now_ms();
    int64_t y2001 = 978350400000LL;
    /* boot A: clock at 2001; records at mono 1000..5000; sent at mono 3600000 */
    ksync_batch a;
    make_batch(&a, 1, 5, "boot-a", y2001, y2001 + 3600000, 3600000);
    khub_source src = {NULL, now, 1, "test"};
    CHECK_INT(khub_ingest(h, &src, &a, 1, &res, &e), 0);
    /* record seq 1 has mono 1000: corrected = now - (3600000 - 1000) */
    CHECK_INT(q1(h, "SELECT corrected_ms FROM records WHERE seq = 1"), now - 3599000);
    CHECK_INT(q1(h, "SELECT count(*) FROM records WHERE time_source = 'anchor'"), 5);
    /* boot B: good clock, records sent from boot C (no anchor for B) */
    ksync_batch b;
    make_batch(&b, 6, 7, "boot-b", now - 86400000, now, 10);
    snprintf(b.sent_boot_id, sizeof b.sent_boot_id, "boot-c");
    CHECK_INT(khub_ingest(h, &src, &b, 1, &res, &e), 0);
    CHECK_INT(q1(h, "SELECT count(*) FROM records WHERE time_source = 'kiosk_unverified'"), 2);
    /* boot D: clock at 2001, no anchor -> unknown */
    ksync_batch d;
    make_batch(&d, 8, 8, "boot-d", y2001, now, 10);
    snprintf(d.sent_boot_id, sizeof d.sent_boot_id, "boot-c");
    CHECK_INT(khub_ingest(h, &src, &d, 1, &res, &e), 0);
    CHECK_INT(q1(h, "SELECT corrected_ms IS NULL FROM records WHERE seq = 8"), 1);
    /* a late batch sent from boot D anchors it and re-times seq 8 */
    ksync_batch d2;
    make_batch(&d2, 9, 9, "boot-d", y2001, y2001 + 20000, 20000);
    khub_source late = {NULL, now + 5000, 1, "test"};
    CHECK_INT(khub_ingest(h, &late, &d2, 1, &res, &e), 0);
    CHECK_INT(q1(h, "SELECT time_source = 'anchor' FROM records WHERE seq = 8"), 1);
    CHECK_INT(q1(h, "SELECT corrected_ms FROM records WHERE seq = 8"), now + 5000 - (20000 - 8000));
    CHECK_INT(res.acked_seq, 9);
    ksync_batch_free(&a);
    ksync_batch_free(&b);
    ksync_batch_free(&d);
    ksync_batch_free(&d2);
    khub_close(h);
}

/* Reads a whole bundle through the reader; returns batches read or -code. */
static int read_bundle(const char *path, const unsigned char *pk, int *sig_ok, kerr *e)
{
    ksync_bundle_reader *r;
    int rc = ksync_bundle_open(&r, path, e);
    if (rc)
        return -rc;
    *sig_ok = pk ? ksync_bundle_check_signature(r, pk) : 0;
    int n = 0, done = 0;
    while (rc == 0 && !done) {
        ksync_batch b;
        rc = ksync_bundle_next(r, &b, &done, e);
        if (rc == 0 && !done)
            n++;
        ksync_batch_free(&b);
    }
    ksync_bundle_close(r);
    return rc ? -rc : n;
}

/* Writes data[0..len) to path. */
static void put_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

/* Bundles: written and signed, read back; cut, altered or re-signed ones
 * are refused. */
static void test_bundle(void)
{
    char dir[64], path[4400];
    ktest_tmpdir(dir, sizeof dir);
    ksync_bundle_writer *w;
    kerr e = {0};
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    CHECK_INT(ksync_bundle_begin(&w, dir, &e), 0);
    ksync_batch b1, b2;
    make_batch(&b1, 1, 3, BOOT, 1781337600000LL, 1781337700000LL, 5000);
    make_batch(&b2, 4, 6, BOOT, 1781337600000LL, 1781337700000LL, 5000);
    CHECK_INT(ksync_bundle_add(w, &b1, &e), 0);
    CHECK_INT(ksync_bundle_add(w, &b2, &e), 0);
    CHECK_INT(ksync_bundle_finish(w, DEV, sk, 1, 6, path, sizeof path, &e), 0);
    CHECK(strstr(path, "kiosk-" DEV "-1-6.kbundle") != NULL);
    int sig = 0;
    CHECK_INT(read_bundle(path, pk, &sig, &e), 2);
    CHECK_INT(sig, 1);
    CHECK_INT(read_bundle(path, pk2, &sig, &e), 2);
    CHECK_INT(sig, 0);                         /* another kiosk's key */
    FILE *f = fopen(path, "rb");
    static char data[65536];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    char bad[4500];
    snprintf(bad, sizeof bad, "%s/bad.kbundle", dir);
    size_t cuts[] = {len - 1, len - 140, len / 2, 10};
    for (int i = 0; i < 4; i++) {
        put_file(bad, data, cuts[i]);
        CHECK_INT(read_bundle(bad, pk, &sig, &e), -KERR_INVALID);
    }
    CHECK(strstr(e.msg, "bad.kbundle") != NULL);
    /* altered: the checksum says so */
    static char alt[65536];
    memcpy(alt, data, len);
    char *p = strstr(alt, "\"is_new\":1");
    p[9] = '0';
    put_file(bad, alt, len);
    CHECK_INT(read_bundle(bad, pk, &sig, &e), -KERR_INVALID);
    CHECK(strstr(e.msg, "checksum mismatch") != NULL);
    /* altered with the checksum recomputed (anyone can): the signature says so */
    p = strstr(alt, "\nEND ");
    unsigned char d[32];
    char hex[65];
    crypto_hash_sha256(d, (const unsigned char *)alt, (unsigned long long)(p + 1 - alt));
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    memcpy(p + 1 + strlen("END 2 "), hex, 64);
    put_file(bad, alt, len);
    CHECK_INT(read_bundle(bad, pk, &sig, &e), 2);
    CHECK_INT(sig, 0);
    /* not a regular file: refused before any read */
    CHECK_INT(read_bundle(dir, pk, &sig, &e), -KERR_INVALID);
    CHECK(strstr(e.msg, "not a regular file (a folder)") != NULL);
    CHECK_INT(read_bundle("/dev/zero", pk, &sig, &e), -KERR_INVALID);
    CHECK(strstr(e.msg, "a device") != NULL);
    ksync_batch_free(&b1);
    ksync_batch_free(&b2);
}

/* khub_field_text (the event_id and person_id columns, filled at ingest)
 * against SQLite's json_extract, which fills them in the migration: the
 * same text for strings with every kind of escape, NULL for the rest, and
 * never fooled by a member name inside another member's value. */
static void test_field_text(void)
{
    static const char *const cases[] = {
        "{\"person_id\":\"p1\",\"event_id\":\"e1\",\"is_new\":1}",
        "{\"is_new\":1,\"event_id\":\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\"}",
        "{\"event_id\":\"\\u00e9\\u4e2d\\ud83d\\ude00x\"}",
        "{\"event_id\":\"Hương\"}",
        "{\"event_id\":7}",
        "{\"event_id\":null}",
        "{\"event_id\":true,\"person_id\":\"\"}",
        "{\"note\":\"\\\"event_id\\\":\\\"fake\\\"\",\"event_id\":\"real\"}",
        "{\"note\":\"\\\"event_id\\\":\\\"fake\\\"\"}",
        "{\"event_idx\":\"no\",\"xevent_id\":\"no\"}",
        "{ \"event_id\" : \"spaced\" , \"person_id\" : -12 }",
        "{}",
    };
    sqlite3 *db;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *st;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT CASE WHEN json_type(?1, '$.' || ?2) = 'text'"
                                 " THEN json_extract(?1, '$.' || ?2) END", -1, &st, NULL), SQLITE_OK);
    int strings = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int k = 0; k < 2; k++) {
            const char *key = k ? "person_id" : "event_id";
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, cases[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
            CHECK_INT(sqlite3_step(st), SQLITE_ROW);
            const char *want = (const char *)sqlite3_column_text(st, 0);
            char *got = khub_field_text(cases[i], key);
            if (want) {
                strings++;
                CHECK(got != NULL && strcmp(got, want) == 0);
            } else {
                CHECK(got == NULL);
            }
            if ((want == NULL) != (got == NULL) || (want && strcmp(got, want) != 0))
                fprintf(stderr, "  case %zu %s: got %s, json_extract %s\n", i, key,
                        got ? got : "NULL", want ? want : "NULL");
            free(got);
        }
    }
    CHECK_INT(strings, 8);
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(khub_field_text(NULL, "event_id") == NULL);
    CHECK(khub_field_text("[1]", "event_id") == NULL);
    CHECK(khub_field_text("{\"event_id\":\"unterminated", "event_id") == NULL);
}

/* Entry point. */
int main(void)
{
    RUN(test_field_text);
    RUN(test_roundtrip);
    RUN(test_refusals);
    RUN(test_ingest_exactly_once);
    RUN(test_time_correction);
    RUN(test_bundle);
    return ktest_summary();
}
