/*
 * hub_roster.h - the hub's roster (hub_store.h "the roster"), private to
 * the store: what hub_store.c calls while ingesting and at open.
 */
#ifndef KHUB_ROSTER_H
#define KHUB_ROSTER_H

#include "hub_store.h"

/* Inside the ingest transaction, after a batch was stored: its people
 * records enter people_ids and (first copy of an id, names that a kiosk
 * can show) the roster; records of forgotten ids are erased. */
int khub_roster_note_batch(khub *h, const ksync_batch *b, kerr *err);

/* At open: if a migration left the roster to fill from the records held
 * (hub_meta roster_backfill), does it in one transaction. */
int khub_roster_backfill(khub *h, kerr *err);

#endif
