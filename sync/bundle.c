/*
 * bundle.c - writing and verifying bundle files (see bundle.h).
 *
 * Checksum: SHA-256 (libsodium crypto_hash_sha256) over the header and the
 * batch lines, i.e. every byte before the END line.  It catches a file cut
 * short or damaged on the stick and a hand-edited one; it is not a
 * signature (whoever can write the stick can recompute it), which is why
 * importing stays a staff action on the hub.
 */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_config.h"

#define BUNDLE_HEADER "KIOSK-BUNDLE 1\n"

struct ksync_bundle_writer {
    int fd;
    char dir[4096];
    char tmp[4200];
    int count;
    crypto_hash_sha256_state sha;
    kbuf line;
};

/* Writes all of p[0..n) to fd. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes bytes to the file and the running checksum. */
static int put(ksync_bundle_writer *w, const char *p, size_t n, kerr *err)
{
    crypto_hash_sha256_update(&w->sha, (const unsigned char *)p, n);
    if (write_all(w->fd, p, n) != 0)
        return kerr_set(err, errno == ENOSPC ? KERR_FULL : KERR_IO, "write %s: %s", w->tmp,
                        strerror(errno));
    return 0;
}

/* Creates the temporary file and writes the header. */
int ksync_bundle_begin(ksync_bundle_writer **out, const char *dir, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    ksync_bundle_writer *w = calloc(1, sizeof *w);
    if (!w)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    snprintf(w->tmp, sizeof w->tmp, "%s/kiosk-bundle-%ld.tmp", dir, (long)getpid());
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = kerr_set(err, KERR_IO, "cannot create %s: %s", w->tmp, strerror(errno));
        free(w);
        return e;
    }
    crypto_hash_sha256_init(&w->sha);
    int rc = put(w, BUNDLE_HEADER, strlen(BUNDLE_HEADER), err);
    if (rc) {
        ksync_bundle_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* Encodes one batch as a line into the file and the checksum. */
int ksync_bundle_add(ksync_bundle_writer *w, const ksync_batch *b, kerr *err)
{
    kbuf_reset(&w->line);
    int rc = ksync_batch_encode(b, &w->line, err);
    if (rc)
        return rc;
    kbuf_add(&w->line, "\n", 1);
    if (w->line.oom)
        return kerr_set(err, KERR_INTERNAL, "bundle: out of memory");
    rc = put(w, w->line.p, w->line.len, err);
    if (rc == 0)
        w->count++;
    return rc;
}

/* Closes and removes the temporary file. */
void ksync_bundle_abort(ksync_bundle_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    unlink(w->tmp);
    kbuf_free(&w->line);
    free(w);
}

/* Writes END, fsyncs, renames to the final name and fsyncs the folder. */
int ksync_bundle_finish(ksync_bundle_writer *w, const char *device_id, long long seq_from,
                        long long seq_to, char *path, size_t cap, kerr *err)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256_final(&w->sha, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    char end[128];
    int n = snprintf(end, sizeof end, "END %d %s\n", w->count, hex);
    int rc = 0;
    if (write_all(w->fd, end, (size_t)n) != 0 || fsync(w->fd) != 0)
        rc = kerr_set(err, errno == ENOSPC ? KERR_FULL : KERR_IO, "write %s: %s", w->tmp,
                      strerror(errno));
    if (rc == 0 && close(w->fd) != 0)
        rc = kerr_set(err, KERR_IO, "close %s: %s", w->tmp, strerror(errno));
    w->fd = -1;
    if (rc == 0) {
        snprintf(path, cap, "%s/kiosk-%s-%lld-%lld.kbundle", w->dir, device_id, seq_from, seq_to);
        if (rename(w->tmp, path) != 0)
            rc = kerr_set(err, KERR_IO, "rename %s: %s", path, strerror(errno));
    }
    if (rc == 0) {
        int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        kbuf_free(&w->line);
        free(w);
        return 0;
    }
    ksync_bundle_abort(w);
    return rc;
}

/* Reads the whole file (at most KSYNC_MAX_BUNDLE_BYTES) into b. */
static int read_file(const char *path, kbuf *b, kerr *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
    char tmp[65536];
    ssize_t r;
    int rc = 0;
    while ((r = read(fd, tmp, sizeof tmp)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = kerr_set(err, KERR_IO, "read %s: %s", path, strerror(errno));
            break;
        }
        if (b->len + (size_t)r > (size_t)KSYNC_MAX_BUNDLE_BYTES) {
            rc = kerr_set(err, KERR_INVALID, "%s: larger than %ld bytes", path,
                          (long)KSYNC_MAX_BUNDLE_BYTES);
            break;
        }
        if (kbuf_add(b, tmp, (size_t)r) != 0) {
            rc = kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
            break;
        }
    }
    close(fd);
    return rc;
}

/* Checks header, END line, count and checksum; finds the batch lines. */
static int verify(const char *path, const kbuf *b, size_t *body_end, int *count, kerr *err)
{
    size_t hl = strlen(BUNDLE_HEADER);
    if (b->len < hl || memcmp(b->p, BUNDLE_HEADER, hl) != 0)
        return kerr_set(err, KERR_INVALID, "%s: not a kiosk bundle (first line is not \"KIOSK-BUNDLE 1\")",
                        path);
    if (b->len == hl || b->p[b->len - 1] != '\n')
        return kerr_set(err, KERR_INVALID, "%s: no END line (file cut short?)", path);
    size_t start = b->len - 1;
    while (start > 0 && b->p[start - 1] != '\n')
        start--;
    if (start < hl || strncmp(b->p + start, "END ", 4) != 0)
        return kerr_set(err, KERR_INVALID, "%s: no END line (file cut short?)", path);
    char hex[65];
    int n = -1, used = 0;
    if (sscanf(b->p + start, "END %d %64[0-9a-f]%n", &n, hex, &used) != 2 || strlen(hex) != 64 ||
        start + (size_t)used != b->len - 1 || n < 0)
        return kerr_set(err, KERR_INVALID, "%s: END line is damaged", path);
    unsigned char digest[crypto_hash_sha256_BYTES];
    char want[65];
    crypto_hash_sha256(digest, (const unsigned char *)b->p, start);
    sodium_bin2hex(want, sizeof want, digest, sizeof digest);
    if (strcmp(want, hex) != 0)
        return kerr_set(err, KERR_INVALID, "%s: checksum mismatch (file altered or damaged)", path);
    int lines = 0;
    for (size_t i = hl; i < start; i++)
        if (b->p[i] == '\n')
            lines++;
    if (lines != n)
        return kerr_set(err, KERR_INVALID, "%s: END line says %d batches, file has %d", path, n, lines);
    *body_end = start;
    *count = n;
    return 0;
}

/* Reads, verifies and parses a whole bundle, or refuses it whole. */
int ksync_bundle_read(const char *path, ksync_batch **batches, int *n, kerr *err)
{
    *batches = NULL;
    *n = 0;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    kbuf b = {0};
    int rc = read_file(path, &b, err);
    size_t body_end = 0;
    int count = 0;
    if (rc == 0)
        rc = verify(path, &b, &body_end, &count, err);
    ksync_batch *out = NULL;
    if (rc == 0 && count > 0 && !(out = calloc((size_t)count, sizeof *out)))
        rc = kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
    int got = 0;
    size_t pos = strlen(BUNDLE_HEADER);
    while (rc == 0 && got < count) {
        const char *nl = memchr(b.p + pos, '\n', body_end - pos);
        size_t len = (size_t)(nl - (b.p + pos));
        kerr e = {0};
        if (ksync_batch_parse(b.p + pos, len, &out[got], &e) != 0) {
            rc = kerr_set(err, KERR_INVALID, "%s: batch %d (line %d): %s", path, got + 1, got + 2, e.msg);
            break;
        }
        got++;
        pos += len + 1;
    }
    kbuf_free(&b);
    if (rc != 0) {
        for (int i = 0; i < got; i++)
            ksync_batch_free(&out[i]);
        free(out);
        return rc;
    }
    *batches = out;
    *n = count;
    return 0;
}
