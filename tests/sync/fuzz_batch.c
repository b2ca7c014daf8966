/*
 * fuzz_batch.c - fuzz target for the batch parser (ksync_batch_parse).
 *
 * Built two ways:
 *   - with clang -fsanitize=fuzzer (CMake option KIOSK_FUZZ=ON) it is a
 *     libFuzzer target: ./fuzz_batch -max_total_time=60 corpus/
 *   - otherwise a bounded self-driving run for CTest: it mutates a valid
 *     batch (bit flips, byte insertions and deletions, cuts, splices of
 *     JSON tokens) for at most the given seconds and iterations, checking
 *     that the parser never crashes (ASan/UBSan catch the rest) and that
 *     everything it accepts passes ksync_batch_check and re-encodes to a
 *     batch it accepts again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input; an accepted batch must re-encode and re-parse. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ksync_batch b;
    kerr e = {0};
    if (ksync_batch_parse((const char *)data, size, &b, &e) == 0) {
        kbuf out = {0};
        ksync_batch c;
        if (ksync_batch_check(&b, &e) != 0 || ksync_batch_encode(&b, &out, &e) != 0 ||
            ksync_batch_parse(out.p, out.len, &c, &e) != 0)
            abort();
        if (c.n != b.n || c.seq_to != b.seq_to)
            abort();
        ksync_batch_free(&c);
        kbuf_free(&out);
        ksync_batch_free(&b);
    }
    return 0;
}

#ifndef KIOSK_LIBFUZZER
static const char seed[] =
    "{\"protocol\":1,\"device_id\":\"5d0f6c1e9b2a4c3d8e7f60718293a4b5\","
    "\"batch_id\":\"0c1b2a39485766f5e4d3c2b1a0998877\",\"seq_from\":1,\"seq_to\":3,"
    "\"sent\":{\"wall_ms\":978350400000,\"mono_ms\":7260000,\"boot_id\":\"3e4f1a2b-5c6d\"},"
    "\"records\":[{\"table\":\"events\",\"id\":\"aa11aa11aa11aa11aa11aa11aa11aa11\",\"seq\":1,"
    "\"wall_ms\":978343200000,\"boot_id\":\"3e4f1a2b-5c6d\",\"mono_ms\":60000,"
    "\"fields\":{\"name\":\"Parent night\",\"program\":\"general\",\"date\":\"2000-12-31\"}},"
    "{\"table\":\"people\",\"id\":\"bb22bb22bb22bb22bb22bb22bb22bb22\",\"seq\":2,"
    "\"wall_ms\":978343500000,\"boot_id\":\"3e4f1a2b-5c6d\",\"mono_ms\":360000,"
    "\"fields\":{\"given\":\"H\\u01b0\\u01a1ng\",\"family\":\"Nguy\xe1\xbb\x85n\",\"phone\":\"555\",\"n\":null}},"
    "{\"table\":\"checkins\",\"id\":\"cc33cc33cc33cc33cc33cc33cc33cc33\",\"seq\":3,"
    "\"wall_ms\":978343500100,\"boot_id\":\"3e4f1a2b-5c6d\",\"mono_ms\":360100,"
    "\"fields\":{\"person_id\":\"bb22bb22bb22bb22bb22bb22bb22bb22\",\"is_new\":true}}]}";

static const char *const tokens[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "1e308",
                                     "-0", "9007199254740993", "null", "true", "\"seq\"", "\xff",
                                     "\"fields\"", "{\"a\":{}}", "[[[[[[[[", "\"records\""};

/* xorshift64 step. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Wall-clock seconds: the bound holds on a loaded machine too (CPU time
 * would let a run outlast the test's timeout while it waits for a core). */
static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Usage: fuzz_batch [SECONDS [ITERATIONS [SEED]]] */
int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    long iters = argc > 2 ? atol(argv[2]) : 200000;
    uint64_t s = argc > 3 ? strtoull(argv[3], NULL, 10) : 0x9e3779b97f4a7c15ULL;
    size_t cap = sizeof seed * 2 + 64;
    char *buf = malloc(cap);
    double start = wall_s();
    long i = 0;
    for (; i < iters && wall_s() - start < seconds; i++) {
        size_t len = sizeof seed - 1;
        memcpy(buf, seed, len);
        int edits = 1 + (int)(next(&s) % 6);
        for (int k = 0; k < edits; k++) {
            size_t at = len ? next(&s) % len : 0;
            switch (next(&s) % 5) {
            case 0:
                if (len)
                    buf[at] ^= (char)(1u << (next(&s) % 8));
                break;
            case 1:
                if (len)
                    buf[at] = (char)next(&s);
                break;
            case 2: {
                size_t n = 1 + next(&s) % 16;
                if (at + n <= len) {
                    memmove(buf + at, buf + at + n, len - at - n);
                    len -= n;
                }
                break;
            }
            case 3: {
                const char *t = tokens[next(&s) % (sizeof tokens / sizeof tokens[0])];
                size_t n = strlen(t);
                if (len + n < cap) {
                    memmove(buf + at + n, buf + at, len - at);
                    memcpy(buf + at, t, n);
                    len += n;
                }
                break;
            }
            default:
                len = at;
                break;
            }
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    }
    free(buf);
    printf("fuzz_batch: %ld inputs in %.1f s, no crash\n", i, wall_s() - start);
    printf("%ld passed, 0 failed\n", i);
    return 0;
}
#endif
