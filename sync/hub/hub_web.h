/*
 * hub_web.h - the staff web page that `kiosk-hub serve` answers at `/`, on
 * the port of the sync API (whose /v1/, /v2/ URLs keep their bearer
 * tokens).
 *
 * Everything is drawn on the server: HTML with inline SVG charts, one
 * style sheet from the assets folder inlined into each page (allowed by
 * its hash in the Content-Security-Policy), no script at all, nothing
 * loaded from anywhere else.  Strings come from gettext catalogs read by
 * the kiosk's own reader (kiosk/core/i18n.h) from ASSETS/hub/po.
 *
 * Every URL but /login needs a session: a page asked for without one is
 * redirected to /login, a file (.csv, .xlsx) gets 401, a form POST 403.
 * Every form carries a CSRF token; a POST without the session's token is
 * refused (403).  Log-in: hub_users.h.
 */
#ifndef KHUB_WEB_H
#define KHUB_WEB_H

#include <microhttpd.h>
#include <stddef.h>

#include "hub_store.h"

#define KHUB_WEB_MAX_FORM (64 * 1024)   /* bytes of a form body */

typedef struct khub_web khub_web;

/* Loads the style sheet and catalogs from the hub's assets folder:
 * assets_dir if given, else $KIOSK_ASSETS/hub, else BIN/../share/kiosk/hub. */
int khub_web_open(khub_web **out, khub *hub, int tls, const char *assets_dir, kerr *err);
void khub_web_close(khub_web *w);

/* A view of w answering from store hub (a connection thread's own handle
 * of the same store: hub_http.c): it shares w's catalogs and style sheet,
 * which are only read, so w must outlive it.  Freed with free(); NULL if
 * out of memory. */
khub_web *khub_web_view(const khub_web *w, khub *hub);

/* 1 if url belongs to the web page (anything outside the sync API's
 * /v1/, /v2/, ...). */
int khub_web_owns(const char *url);

/* Answers one request whose form body (if any) has been read whole;
 * too_large: the body passed KHUB_WEB_MAX_FORM and was dropped. */
enum MHD_Result khub_web_handle(khub_web *w, struct MHD_Connection *c, const char *url,
                                const char *method, const char *body, size_t len, int too_large);

#endif
