/*
 * hub_store_sqlite.h - the hub's store in one SQLite file (the default):
 * what hub_store.c calls when --store is a path.  Callers use the khub_
 * functions of hub_store.h; the contract of each is written there.
 */
#ifndef KHUB_STORE_SQLITE_H
#define KHUB_STORE_SQLITE_H

#include "hub_store.h"

typedef struct khub_sqlite khub_sqlite;

int khub_sqlite_open(khub_sqlite **out, const char *path, kerr *err);
void khub_sqlite_close(khub_sqlite *h);
struct sqlite3 *khub_sqlite_db(khub_sqlite *h);
int khub_sqlite_limit_pages(khub_sqlite *h, long pages, kerr *err);
void khub_sqlite_set_ingest_delay(khub_sqlite *h, int ms);
int khub_sqlite_device_add(khub_sqlite *h, const char *name, char token_out[KHUB_TOKEN_LEN + 1],
                           kerr *err);
int khub_sqlite_device_add_bound(khub_sqlite *h, const char *name, const char *device_id,
                                 const unsigned char *sign_pk, char token_out[KHUB_TOKEN_LEN + 1],
                                 kerr *err);
int khub_sqlite_device_revoke(khub_sqlite *h, const char *name, kerr *err);
int khub_sqlite_device_list(khub_sqlite *h, FILE *out, kerr *err);
int khub_sqlite_auth(khub_sqlite *h, const char *token, char name[KHUB_DEVICE_NAME_MAX + 1],
                     char device_id[33], kerr *err);
int khub_sqlite_pair(khub_sqlite *h, const char *token, const char *device_id,
                     const unsigned char sign_pk[32], char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);
int khub_sqlite_bundle_keys(khub_sqlite *h, const char *device_id, unsigned char keys[][32], int max,
                            int *n, char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err);
int khub_sqlite_ingest(khub_sqlite *h, const khub_source *src, const ksync_batch *batches, int nb,
                       khub_result *res, kerr *err);
int khub_sqlite_ingest_begin(khub_sqlite *h, kerr *err);
int khub_sqlite_ingest_batch(khub_sqlite *h, const khub_source *src, const ksync_batch *b,
                             khub_result *res, kerr *err);
int khub_sqlite_ingest_end(khub_sqlite *h, int ok, khub_result *res, kerr *err);
int khub_sqlite_acked(khub_sqlite *h, const char *device_id, int64_t *acked, kerr *err);

#endif
