/*
 * bundle.c - writing, signing and verifying bundle files (see bundle.h).
 *
 * Checksum: SHA-256 (libsodium crypto_hash_sha256) over the header and the
 * batch lines, i.e. every byte before the END line.  It catches a file cut
 * short or damaged on the stick.  Origin: an Ed25519 signature by the
 * kiosk's own key over the signed statement (ksync_bundle_statement),
 * which names the device and that checksum, so a byte changed anywhere
 * breaks either the checksum or the signature.  The hub learnt the public
 * key at pairing; whoever can write the stick cannot sign for a kiosk.
 *
 * Reading streams: the file is read twice (verify, then parse) one line at
 * a time, so memory is one batch line (at most KSYNC_MAX_BATCH_BYTES) and
 * its parse, whatever the file's size.
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

#define BUNDLE_HEADER "KIOSK-BUNDLE 2\n"
#define BUNDLE_HEADER_V1 "KIOSK-BUNDLE 1\n"

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

/* Creates the folder (0700) if it is missing, the temporary file (0600)
 * and writes the header. */
int ksync_bundle_begin(ksync_bundle_writer **out, const char *dir, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return kerr_set(err, KERR_IO, "cannot create folder %s: %s", dir, strerror(errno));
    ksync_bundle_writer *w = calloc(1, sizeof *w);
    if (!w)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    snprintf(w->tmp, sizeof w->tmp, "%s/kiosk-bundle-%ld.tmp", dir, (long)getpid());
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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

/* The text a bundle's signature signs: device id and END line. */
int ksync_bundle_statement(const char *device_id, const char *end_line, char *out, size_t cap)
{
    return snprintf(out, cap, "kiosk-bundle-signature 2\n%s\n%s", device_id, end_line);
}

/* Writes END and SIG, fsyncs, renames to the final name and fsyncs the folder. */
int ksync_bundle_finish(ksync_bundle_writer *w, const char *device_id,
                        const unsigned char sign_sk[64], long long seq_from, long long seq_to,
                        char *path, size_t cap, kerr *err)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256_final(&w->sha, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    char end[320], stmt[400], sighex[crypto_sign_BYTES * 2 + 1];
    int n = snprintf(end, sizeof end, "END %d %s\n", w->count, hex);
    unsigned char sig[crypto_sign_BYTES];
    int sl = ksync_bundle_statement(device_id, end, stmt, sizeof stmt);
    crypto_sign_detached(sig, NULL, (const unsigned char *)stmt, (unsigned long long)sl, sign_sk);
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    n += snprintf(end + n, sizeof end - (size_t)n, "SIG ed25519 %s %s\n", device_id, sighex);
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

/* ---- reading ------------------------------------------------------------- */

struct ksync_bundle_reader {
    FILE *f;
    char path[4096];
    int version;               /* 1 (unsigned, before issue 9) or 2 */
    int count, got;
    long line;                 /* number of the last line read */
    char device_id[33];        /* the signer (version 2) */
    unsigned char sig[crypto_sign_BYTES];
    char end[160];             /* the END line with its newline */
    char sha_hex[65];          /* the checksum on the END line */
    crypto_hash_sha256_state sha2;   /* pass 2 hashes again: a file changed
                                        between the passes is refused */
    kbuf buf;
};

/* Reads one line (with its newline, if any) into r->buf; *got = 0 at end
 * of file.  0 or a KERR_ code.  A line longer than a batch may be is
 * refused before it is held. */
static int read_line(ksync_bundle_reader *r, int *got, kerr *err)
{
    *got = 0;
    kbuf_reset(&r->buf);
    int c;
    char chunk[4096];
    size_t n = 0;
    while ((c = getc(r->f)) != EOF) {
        chunk[n++] = (char)c;
        if (n == sizeof chunk || c == '\n') {
            if (r->buf.len + n > (size_t)KSYNC_MAX_BATCH_BYTES + 2)
                return kerr_set(err, KERR_INVALID, "%s: line %ld is longer than a batch may be "
                                "(%d bytes)", r->path, r->line + 1, KSYNC_MAX_BATCH_BYTES);
            if (kbuf_add(&r->buf, chunk, n) != 0)
                return kerr_set(err, KERR_INTERNAL, "%s: out of memory", r->path);
            n = 0;
            if (c == '\n')
                break;
        }
    }
    if (n > 0 && kbuf_add(&r->buf, chunk, n) != 0)
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", r->path);
    if (ferror(r->f))
        return kerr_set(err, KERR_IO, "read %s: %s", r->path, strerror(errno));
    if (r->buf.len == 0)
        return 0;
    r->line++;
    *got = 1;
    return 0;
}

/* Opens the file without blocking on a FIFO or device, and refuses anything
 * but a regular file of at most KSYNC_MAX_BUNDLE_BYTES, before reading. */
static int open_regular(ksync_bundle_reader *r, kerr *err)
{
    int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return kerr_set(err, KERR_IO, "cannot open %s: %s", r->path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = kerr_set(err, KERR_IO, "fstat %s: %s", r->path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = kerr_set(err, KERR_INVALID, "%s: not a regular file (%s); give the .kbundle file itself",
                      r->path, S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                      S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
                      S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
    else if (st.st_size > (off_t)KSYNC_MAX_BUNDLE_BYTES)
        rc = kerr_set(err, KERR_INVALID, "%s: %lld bytes, larger than a bundle may be (%ld bytes); "
                      "export smaller bundles on the kiosk", r->path, (long long)st.st_size,
                      (long)KSYNC_MAX_BUNDLE_BYTES);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        rc = kerr_set(err, KERR_IO, "fcntl %s: %s", r->path, strerror(errno));
    if (rc == 0 && !(r->f = fdopen(fd, "rb")))
        rc = kerr_set(err, KERR_IO, "fdopen %s: %s", r->path, strerror(errno));
    if (rc)
        close(fd);
    return rc;
}

/* Pass 1: header, batch lines (counted, hashed), END, SIG, end of file. */
static int verify(ksync_bundle_reader *r, kerr *err)
{
    int got;
    int rc = read_line(r, &got, err);
    if (rc)
        return rc;
    if (got && r->buf.len == strlen(BUNDLE_HEADER) &&
        memcmp(r->buf.p, BUNDLE_HEADER, r->buf.len) == 0)
        r->version = 2;
    else if (got && r->buf.len == strlen(BUNDLE_HEADER_V1) &&
             memcmp(r->buf.p, BUNDLE_HEADER_V1, r->buf.len) == 0)
        r->version = 1;
    else
        return kerr_set(err, KERR_INVALID, "%s: not a kiosk bundle (first line is not \"KIOSK-BUNDLE 2\")",
                        r->path);
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    crypto_hash_sha256_update(&sha, (const unsigned char *)r->buf.p, r->buf.len);
    int lines = 0;
    for (;;) {
        if ((rc = read_line(r, &got, err)) != 0)
            return rc;
        if (!got || r->buf.p[r->buf.len - 1] != '\n')
            return kerr_set(err, KERR_INVALID, "%s: no END line (file cut short?)", r->path);
        if (r->buf.len >= 4 && memcmp(r->buf.p, "END ", 4) == 0)
            break;
        crypto_hash_sha256_update(&sha, (const unsigned char *)r->buf.p, r->buf.len);
        lines++;
    }
    char hex[65], want[65];
    int n = -1, used = 0;
    if (r->buf.len >= sizeof r->end ||
        (memcpy(r->end, r->buf.p, r->buf.len), r->end[r->buf.len] = '\0',
         sscanf(r->end, "END %d %64[0-9a-f]%n", &n, hex, &used) != 2) ||
        strlen(hex) != 64 || (size_t)used != r->buf.len - 1 || n < 0)
        return kerr_set(err, KERR_INVALID, "%s: END line is damaged", r->path);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, digest);
    sodium_bin2hex(want, sizeof want, digest, sizeof digest);
    if (strcmp(want, hex) != 0)
        return kerr_set(err, KERR_INVALID, "%s: checksum mismatch (file altered or damaged)", r->path);
    memcpy(r->sha_hex, hex, sizeof r->sha_hex);
    if (lines != n)
        return kerr_set(err, KERR_INVALID, "%s: END line says %d batches, file has %d", r->path, n,
                        lines);
    r->count = n;
    if ((rc = read_line(r, &got, err)) != 0)
        return rc;
    if (r->version == 1)
        return !got ? 0 : kerr_set(err, KERR_INVALID, "%s: text after the END line", r->path);
    char line[300], dev[40], sighex[200];
    used = 0;
    if (!got)
        return kerr_set(err, KERR_INVALID, "%s: no SIG line (file cut short, or not signed)", r->path);
    if (r->buf.len >= sizeof line || r->buf.p[r->buf.len - 1] != '\n' ||
        (memcpy(line, r->buf.p, r->buf.len), line[r->buf.len] = '\0',
         sscanf(line, "SIG ed25519 %32[0-9a-f] %128[0-9a-f]%n", dev, sighex, &used) != 2) ||
        (size_t)used != r->buf.len - 1 || !ksync_is_id(dev) || strlen(sighex) != 128 ||
        sodium_hex2bin(r->sig, sizeof r->sig, sighex, 128, NULL, NULL, NULL) != 0)
        return kerr_set(err, KERR_INVALID, "%s: SIG line is damaged", r->path);
    memcpy(r->device_id, dev, 33);
    if ((rc = read_line(r, &got, err)) != 0)
        return rc;
    return !got ? 0 : kerr_set(err, KERR_INVALID, "%s: text after the SIG line", r->path);
}

/* Opens and verifies a bundle; positions the reader at the first batch. */
int ksync_bundle_open(ksync_bundle_reader **out, const char *path, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    ksync_bundle_reader *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    int rc = open_regular(r, err);
    if (rc == 0)
        rc = verify(r, err);
    if (rc == 0 && fseek(r->f, 0, SEEK_SET) != 0)
        rc = kerr_set(err, KERR_IO, "seek %s: %s", path, strerror(errno));
    r->line = 0;
    int got = 0;
    if (rc == 0 && (rc = read_line(r, &got, err)) == 0 && !got)
        rc = kerr_set(err, KERR_IO, "%s: changed while being read", path);
    if (rc == 0) {
        crypto_hash_sha256_init(&r->sha2);
        crypto_hash_sha256_update(&r->sha2, (const unsigned char *)r->buf.p, r->buf.len);
    }
    if (rc) {
        ksync_bundle_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int ksync_bundle_version(const ksync_bundle_reader *r)
{
    return r->version;
}

const char *ksync_bundle_signer(const ksync_bundle_reader *r)
{
    return r->device_id;
}

int ksync_bundle_count(const ksync_bundle_reader *r)
{
    return r->count;
}

/* Checks the signature of the statement under the public key pk. */
int ksync_bundle_check_signature(const ksync_bundle_reader *r, const unsigned char pk[32])
{
    char stmt[400];
    int n = ksync_bundle_statement(r->device_id, r->end, stmt, sizeof stmt);
    return r->version == 2 && n > 0 && (size_t)n < sizeof stmt &&
           crypto_sign_verify_detached(r->sig, (const unsigned char *)stmt, (unsigned long long)n,
                                       pk) == 0;
}

/* Pass 2: the next batch, parsed; its device must be the signer's. */
int ksync_bundle_next(ksync_bundle_reader *r, ksync_batch *b, int *done, kerr *err)
{
    *done = 0;
    ksync_batch_init(b);
    if (r->got >= r->count) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256_final(&r->sha2, digest);
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        if (strcmp(hex, r->sha_hex) != 0)
            return kerr_set(err, KERR_INVALID, "%s: changed while being read (checksum differs "
                            "on the second reading)", r->path);
        *done = 1;
        return 0;
    }
    int got;
    int rc = read_line(r, &got, err);
    if (rc)
        return rc;
    if (!got || r->buf.p[r->buf.len - 1] != '\n')
        return kerr_set(err, KERR_IO, "%s: changed while being read", r->path);
    crypto_hash_sha256_update(&r->sha2, (const unsigned char *)r->buf.p, r->buf.len);
    kerr e = {0};
    if (ksync_batch_parse(r->buf.p, r->buf.len - 1, b, &e) != 0)
        return kerr_set(err, KERR_INVALID, "%s: batch %d (line %ld): %s", r->path, r->got + 1, r->line,
                        e.msg);
    r->got++;
    if (r->version == 2 && strcmp(b->device_id, r->device_id) != 0) {
        ksync_batch_free(b);
        return kerr_set(err, KERR_INVALID, "%s: batch %d (line %ld) is of device %s, but the bundle "
                        "is signed by %s", r->path, r->got, r->line, b->device_id, r->device_id);
    }
    return 0;
}

void ksync_bundle_close(ksync_bundle_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    kbuf_free(&r->buf);
    free(r);
}
