/*
 * qr.c - QR matrices from libqrencode (see qr.h).
 *
 * libqrencode returns one byte per module whose lowest bit is the colour;
 * we copy those bits out so callers never hold a QRcode.
 */
#include "qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

int kqr_encode(const char *text, unsigned char *modules, int cap, int *side, kerr *err)
{
    if (!text || !text[0])
        return kerr_set(err, KERR_INVALID, "qr: nothing to encode");
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return kerr_set(err, KERR_INVALID, "QRcode_encodeString8bit: %s", strerror(errno));
    int n = q->width;
    if (n * n > cap) {
        QRcode_free(q);
        return kerr_set(err, KERR_FULL, "qr: %d x %d modules do not fit %d bytes", n, n, cap);
    }
    for (int i = 0; i < n * n; i++)
        modules[i] = q->data[i] & 1;
    *side = n;
    QRcode_free(q);
    return 0;
}
