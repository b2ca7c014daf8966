/* kclock.c - system and virtual clocks, random ids, calendar dates (see kclock.h). */
#define _GNU_SOURCE
#include "kclock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int64_t sys_wall(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t sys_mono(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void random_uuid(char out[40])
{
    unsigned char b[16];
    if (krandom_bytes(b, sizeof b) != 0)
        memset(b, 0, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

void kclock_system(kclock *c)
{
    c->wall_ms = sys_wall;
    c->mono_ms = sys_mono;
    c->ctx = NULL;
    c->boot_id[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (fgets(c->boot_id, sizeof c->boot_id, f))
            c->boot_id[strcspn(c->boot_id, "\r\n")] = '\0';
        fclose(f);
    }
    if (strlen(c->boot_id) < 8)
        random_uuid(c->boot_id);
}

static int64_t virt_wall(void *ctx)
{
    kclock_virtual *v = ctx;
    return v->base_wall_ms + v->now_ms;
}

static int64_t virt_mono(void *ctx)
{
    kclock_virtual *v = ctx;
    return v->now_ms;
}

void kclock_virtual_init(kclock *c, kclock_virtual *v, int64_t base_wall_ms,
                         const char *boot_id)
{
    v->base_wall_ms = base_wall_ms;
    v->now_ms = 0;
    c->wall_ms = virt_wall;
    c->mono_ms = virt_mono;
    c->ctx = v;
    if (boot_id)
        snprintf(c->boot_id, sizeof c->boot_id, "%s", boot_id);
    else
        random_uuid(c->boot_id);
}

int krandom_bytes(void *buf, unsigned n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (unsigned)r;
    }
    return 0;
}

int krandom_id(char out[33])
{
    unsigned char b[16];
    if (krandom_bytes(b, sizeof b) != 0)
        return -1;
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[32] = '\0';
    return 0;
}

int kclock_date_valid(const char *d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-')
                return 0;
        } else if (d[i] < '0' || d[i] > '9') {
            return 0;
        }
    }
    if (d[10] != '\0')
        return 0;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    if (m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && day == 29 && !leap);
}
