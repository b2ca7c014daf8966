/*
 * qr.h - QR codes as a matrix of modules (libqrencode), for the screens to
 * draw crisp at any size.
 */
#ifndef KIOSK_QR_H
#define KIOSK_QR_H

#include "kerr.h"

#define KQR_MAX_SIDE 177   /* version 40 */

/* Encodes text (byte mode, error correction M) into modules[side*side],
 * 1 = dark, row by row, without the quiet zone; *side gets the width.
 * cap is the size of modules in bytes.  0, or KERR_INVALID/KERR_FULL. */
int kqr_encode(const char *text, unsigned char *modules, int cap, int *side, kerr *err);

#endif
