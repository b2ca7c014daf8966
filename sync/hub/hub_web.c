/*
 * hub_web.c - the staff web page (hub_web.h): server glue, log-in and
 * sessions, the layout every page shares, and the pages for events, one
 * event's attendance and its files, kiosks and people.  The reports (survey
 * charts, program report, daily grid) are in hub_web_report.c; the reads
 * in hub_web_data.c.
 *
 * A request, after hub_http.c has read its form body (POST only):
 *
 *   /login ──────────────────────────────────────────▶ log-in form / check
 *   anything else ── no live session ──▶ page: 303 /login?next=PATH
 *      │                                 file (.csv .xlsx): 401, POST: 403
 *      │ session
 *   POST ── csrf field != the session's token ──▶ 403
 *      │
 *   route by path ──▶ page, file or 303 after a form; 404 otherwise
 *
 * Every answer carries a Content-Security-Policy that allows the inlined
 * style sheet (by hash), forms to this origin and nothing else, plus
 * nosniff, no framing, no caching and no referrer beyond this origin.
 * The log-in form's own CSRF token is a double-submit: a random value in a
 * cookie scoped to /login and the same in the form.
 *
 * All of it runs on libmicrohttpd's one thread (hub_http.c), like the
 * sync API: a report of a large store or a log-in (Argon2id, about 0.2 s)
 * holds kiosk requests back for as long.
 */
#define _GNU_SOURCE
#include "hub_web.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "export_writer.h"
#include "fold.h"
#include "hub_export.h"
#include "hub_http.h"
#include "hub_web_int.h"
#include "paths.h"
#include "utf8.h"

#define COOKIE_SESSION "khub_session"
#define COOKIE_LOGIN "khub_login"
#define COOKIE_LANG "khub_lang"
#define PEOPLE_SHOWN 200

/* ---- open --------------------------------------------------------------------- */

/* Reads a whole small file. */
static char *read_file(const char *path, size_t max, kerr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    kbuf b = {0};
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len <= max)
        kbuf_add(&b, tmp, n);
    int bad = ferror(f) || b.oom || b.len > max;
    fclose(f);
    if (bad) {
        kbuf_free(&b);
        kerr_set(err, KERR_IO, "cannot read %s (or larger than %zu bytes)", path, max);
        return NULL;
    }
    if (!b.p)
        b.p = strdup("");
    return b.p;
}

/* 1 if dir holds the hub's assets (hub.css and po/). */
static int is_hub_assets(const char *dir)
{
    char p[KPATHS_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s/hub.css", dir);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    snprintf(p, sizeof p, "%s/po", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int khub_web_open(khub_web **out, khub *hub, int tls, const char *assets_dir, kerr *err)
{
    *out = NULL;
    char dir[KPATHS_MAX + 32] = "", exe[KPATHS_MAX];
    const char *env = getenv("KIOSK_ASSETS");
    if (assets_dir && *assets_dir)
        snprintf(dir, sizeof dir, "%s", assets_dir);
    else if (env && *env)
        snprintf(dir, sizeof dir, "%s/hub", env);
    else if (kpaths_exe_dir(exe, sizeof exe) == 0)
        snprintf(dir, sizeof dir, "%s/../share/kiosk/hub", exe);
    if (!dir[0] || !is_hub_assets(dir))
        return kerr_set(err, KERR_NOTFOUND, "cannot find the web page's files (hub.css and po/) in "
                        "%s: install the kiosk-hub package, or set KIOSK_ASSETS to the folder that "
                        "holds hub/", dir[0] ? dir : "(no folder)");
    khub_web *w = calloc(1, sizeof *w);
    if (!w)
        return kerr_set(err, KERR_INTERNAL, "out of memory");
    w->hub = hub;
    w->tls = tls;
    char path[KPATHS_MAX + 48];
    snprintf(path, sizeof path, "%s/hub.css", dir);
    int rc = (w->css = read_file(path, 256 * 1024, err)) ? 0 : KERR_IO;
    if (rc == 0) {
        unsigned char d[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(d, (const unsigned char *)w->css, strlen(w->css));
        sodium_bin2base64(w->css_sha, sizeof w->css_sha, d, sizeof d,
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(path, sizeof path, "%s/po", dir);
        rc = ki18n_open(&w->cat, path, err);
    }
    if (rc) {
        khub_web_close(w);
        return rc;
    }
    *out = w;
    return 0;
}

khub_web *khub_web_view(const khub_web *w, khub *hub)
{
    khub_web *v = malloc(sizeof *v);
    if (v) {
        *v = *w;
        v->hub = hub;
    }
    return v;
}

void khub_web_close(khub_web *w)
{
    if (!w)
        return;
    ki18n_close(w->cat);
    free(w->css);
    free(w);
}

int khub_web_owns(const char *url)
{
    /* the sync API's versions: /v1/..., /v2/... */
    if (url[0] == '/' && url[1] == 'v' && url[2] >= '0' && url[2] <= '9') {
        size_t n = 2 + strspn(url + 2, "0123456789");
        if (url[n] == '/' || url[n] == '\0')
            return 0;
    }
    return 1;
}

/* ---- request helpers ---------------------------------------------------------- */

const char *wtr(const wreq *r, const char *msgid)
{
    return ki18n_tr(r->w->cat, r->lang, msgid);
}

void wfmt(const wreq *r, char *out, size_t cap, const char *msgid, ...)
{
    const char *t = wtr(r, msgid);
    size_t n = 0;
    out[0] = '\0';
    while (*t && n + 1 < cap) {
        const char *close = *t == '{' ? strchr(t, '}') : NULL;
        const char *value = NULL;
        if (close) {
            va_list ap;
            va_start(ap, msgid);
            for (const char *name; (name = va_arg(ap, const char *));) {
                const char *v = va_arg(ap, const char *);
                if (strlen(name) == (size_t)(close - t - 1) && strncmp(name, t + 1, close - t - 1) == 0)
                    value = v;
            }
            va_end(ap);
        }
        if (value) {
            n += (size_t)snprintf(out + n, cap - n, "%s", value);
            if (n >= cap)
                n = cap - 1;
            t = close + 1;
        } else {
            out[n++] = *t++;
            out[n] = '\0';
        }
    }
    /* never end inside a UTF-8 sequence */
    while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80) {
        size_t s = n - 1;
        while (s > 0 && ((unsigned char)out[s] & 0xC0) == 0x80)
            s--;
        int l = 1;
        if (kutf8_decode(out + s, &l) >= 0 && s + (size_t)l == n)
            break;
        out[n = s] = '\0';
    }
}

/* 1 if s is valid UTF-8 without control characters other than TAB. */
static int clean_text(const char *s)
{
    for (size_t i = 0; s[i];) {
        int l = 1;
        long cp = kutf8_decode(s + i, &l);
        if (cp < 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f)
            return 0;
        i += (size_t)l;
    }
    return 1;
}

const char *warg(const wreq *r, const char *name)
{
    const char *v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
    return v && strlen(v) < 1024 && clean_text(v) ? v : NULL;
}

/* The request's cookie of that name, or NULL. */
static const char *cookie(const wreq *r, const char *name)
{
    return MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, name);
}

/* Picks the language: the cookie, else the first of Accept-Language the
 * catalogs have, else English. */
static void pick_lang(wreq *r)
{
    snprintf(r->lang, sizeof r->lang, "%s", KI18N_SOURCE_LANG);
    const char *c = cookie(r, COOKIE_LANG);
    if (c && strlen(c) < sizeof r->lang && ki18n_has(r->w->cat, c)) {
        snprintf(r->lang, sizeof r->lang, "%s", c);
        return;
    }
    const char *al = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Accept-Language");
    while (al && *al) {
        while (*al == ' ' || *al == ',')
            al++;
        size_t n = strcspn(al, ",;");
        char code[KI18N_CODE_MAX];
        if (n > 0 && n < sizeof code) {
            memcpy(code, al, n);
            code[n] = '\0';
            if (ki18n_has(r->w->cat, code)) {
                snprintf(r->lang, sizeof r->lang, "%s", code);
                return;
            }
            char *dash = strchr(code, '-');
            if (dash) {
                *dash = '\0';
                if (ki18n_has(r->w->cat, code)) {
                    snprintf(r->lang, sizeof r->lang, "%s", code);
                    return;
                }
            }
        }
        al = strchr(al, ',');
    }
}

/* Adds the headers every web answer carries. */
static void common_headers(const wreq *r, struct MHD_Response *resp)
{
    char csp[256];
    snprintf(csp, sizeof csp, "default-src 'none'; style-src 'sha256-%s'; img-src 'self';"
             " form-action 'self'; frame-ancestors 'none'; base-uri 'none'", r->w->css_sha);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
}

/* Queues body (taken over: freed by libmicrohttpd) with status and type;
 * set_cookie and location may be NULL. */
static enum MHD_Result queue(wreq *r, unsigned status, const char *type, kbuf *body,
                             const char *set_cookie, const char *location)
{
    if (body->oom) {
        kbuf_free(body);
        return MHD_NO;
    }
    size_t len = body->len;
    char *p = body->p ? body->p : strdup("");
    body->p = NULL;
    body->len = body->cap = 0;
    if (!p)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(p);
        return MHD_NO;
    }
    common_headers(r, resp);
    MHD_add_response_header(resp, "Content-Type", type);
    if (set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", set_cookie);
    if (location)
        MHD_add_response_header(resp, "Location", location);
    enum MHD_Result ok = MHD_queue_response(r->c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* A 303 to location. */
static enum MHD_Result redirect(wreq *r, const char *location, const char *set_cookie)
{
    kbuf b = {0};
    kbuf_str(&b, "");
    return queue(r, 303, "text/plain; charset=utf-8", &b, set_cookie, location);
}

/* A cookie header value with the flags every cookie of the hub has. */
static void make_cookie(const wreq *r, char *out, size_t cap, const char *name, const char *value,
                        const char *path, long max_age)
{
    snprintf(out, cap, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s", name, value,
             path, max_age, r->w->tls ? "; Secure" : "");
}

enum MHD_Result wsend_file(wreq *r, const char *mime, const char *filename, const void *data,
                           size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data,
                                                                MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    common_headers(r, resp);
    char cd[160];
    snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(resp, "Content-Type", mime);
    MHD_add_response_header(resp, "Content-Disposition", cd);
    enum MHD_Result ok = MHD_queue_response(r->c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

void wcsrf_field(const wreq *r, kbuf *b)
{
    khtml(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->sess.csrf);
}

/* ---- layout ------------------------------------------------------------------- */

static const struct {
    const char *path, *label;
} nav_items[] = {
    {"/", N_("Events")},
    {"/people", N_("People")},
    {"/kiosks", N_("Kiosks")},
    {"/reports/programs", N_("Program report")},
    {"/reports/grid", N_("Daily attendance")},
};

/* The head of a page up to its h1 (logged in: navigation and log-out). */
void wpage_begin(wreq *r, kbuf *b, const char *title, const char *nav)
{
    khtml(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>%s · %s</title><style>%S</style></head><body>"
          "<a class=\"skip\" href=\"#main\">%s</a><header class=\"top\">"
          "<p class=\"brand\">%s</p>",
          r->lang, title, wtr(r, "Kiosk hub"), r->w->css, wtr(r, "Skip to the content"),
          wtr(r, "Kiosk hub"));
    if (r->sess.user[0]) {
        khtml(b, "<nav aria-label=\"%s\"><ul>", wtr(r, "Main"));
        for (size_t i = 0; i < sizeof nav_items / sizeof nav_items[0]; i++)
            khtml(b, "<li><a href=\"%s\"%S>%s</a></li>", nav_items[i].path,
                  strcmp(nav, nav_items[i].path) == 0 ? " aria-current=\"page\"" : "",
                  wtr(r, nav_items[i].label));
        khtml(b, "</ul></nav><form class=\"logout\" method=\"post\" action=\"/logout\">");
        wcsrf_field(r, b);
        khtml(b, "<span class=\"who\">%s</span> <button type=\"submit\">%s</button></form>",
              r->sess.user, wtr(r, "Log out"));
    }
    /* language links: each in its own language, back to this page */
    khtml(b, "<ul class=\"langs\" aria-label=\"%s\">", wtr(r, "Language"));
    for (int i = 0; i < ki18n_count(r->w->cat); i++) {
        const ki18n_lang *l = ki18n_lang_at(r->w->cat, i);
        if (strcmp(l->code, r->lang) == 0)
            khtml(b, "<li><span aria-current=\"true\" lang=\"%s\">%s</span></li>", l->code, l->name);
        else
            khtml(b, "<li><a lang=\"%s\" hreflang=\"%s\" href=\"/lang?to=%u&amp;back=%u\">%s</a></li>",
                  l->code, l->code, l->code, r->url, l->name);
    }
    khtml(b, "</ul></header><main id=\"main\" tabindex=\"-1\"><h1>%s</h1>", title);
}

enum MHD_Result wpage_send(wreq *r, kbuf *b, unsigned status)
{
    khtml(b, "</main></body></html>\n");
    return queue(r, status, "text/html; charset=utf-8", b, NULL, NULL);
}

enum MHD_Result wpage_message(wreq *r, unsigned status, const char *title, const char *text)
{
    kbuf b = {0};
    wpage_begin(r, &b, title, "");
    khtml(&b, "<p class=\"message\" role=\"alert\">%s</p>", text);
    if (r->sess.user[0])
        khtml(&b, "<p><a href=\"/\">%s</a></p>", wtr(r, "Back to the events"));
    return wpage_send(r, &b, status);
}

/* A page for a store error: the message goes to the log, not the page. */
static enum MHD_Result store_error(wreq *r, const kerr *e)
{
    kbuf m = {0};
    kbuf_str(&m, "\"path\":");
    kbuf_json_str(&m, r->url);
    kbuf_str(&m, ",\"message\":");
    kbuf_json_str(&m, e->msg);
    if (!m.oom)
        khub_log("web_error", m.p);
    kbuf_free(&m);
    return wpage_message(r, e->code == KHUB_BUSY ? 503 : 500, wtr(r, "Something went wrong"),
                         wtr(r, "The hub could not read its store. Try again in a moment; if it "
                                "keeps happening, the hub's log says why."));
}

/* ---- log in, log out, language ---------------------------------------------------- */

/* 1 if next is a path of this site (not //host, not a scheme). */
static int local_path(const char *next)
{
    return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
           !strpbrk(next, "\r\n\\") && strlen(next) < 512;
}

/* The log-in page with an optional message; a new double-submit token. */
static enum MHD_Result login_page(wreq *r, unsigned status, const char *message, const char *user,
                                  const char *retry_after)
{
    /* one token per browser: a page asked for on the side (the favicon,
     * a second tab) must not replace the one in a form already shown */
    char token[KHUB_CSRF_LEN + 1], ck[256];
    const char *had = cookie(r, COOKIE_LOGIN);
    if (had && strlen(had) == KHUB_CSRF_LEN && strspn(had, "0123456789abcdef") == KHUB_CSRF_LEN)
        memcpy(token, had, sizeof token);
    else
        khub_random_hex(token, KHUB_CSRF_LEN / 2);
    make_cookie(r, ck, sizeof ck, COOKIE_LOGIN, token, "/login", 3600);
    const char *next = warg(r, "next");
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "Log in"), "");
    if (message)
        khtml(&b, "<p class=\"message\" role=\"alert\">%s</p>", message);
    khtml(&b, "<form class=\"card login\" method=\"post\" action=\"/login%S",
          local_path(next) ? "?next=" : "");
    if (local_path(next))
        khtml(&b, "%u", next);
    khtml(&b, "\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
          "<p><label for=\"user\">%s</label><input id=\"user\" name=\"user\" autocomplete=\"username\""
          " required value=\"%s\"%S></p>"
          "<p><label for=\"password\">%s</label><input id=\"password\" name=\"password\""
          " type=\"password\" autocomplete=\"current-password\" required%S></p>"
          "<p><button type=\"submit\">%s</button></p></form>",
          token, wtr(r, "User name"), user ? user : "", user && *user ? "" : " autofocus",
          wtr(r, "Password"), user && *user ? " autofocus" : "", wtr(r, "Log in"));
    khtml(&b, "</main></body></html>\n");
    if (b.oom) {
        kbuf_free(&b);
        return MHD_NO;
    }
    size_t len = b.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, b.p, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        kbuf_free(&b);
        return MHD_NO;
    }
    common_headers(r, resp);
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Set-Cookie", ck);
    if (retry_after)
        MHD_add_response_header(resp, "Retry-After", retry_after);
    enum MHD_Result ok = MHD_queue_response(r->c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Logs a log-in attempt (never the password). */
static void log_login(const char *user, const char *result)
{
    kbuf m = {0};
    kbuf_str(&m, "\"user\":");
    kbuf_json_str(&m, user);
    kbuf_printf(&m, ",\"result\":\"%s\"", result);
    if (!m.oom)
        khub_log("login", m.p);
    kbuf_free(&m);
}

/* POST /login. */
static enum MHD_Result login_post(wreq *r)
{
    char csrf[KHUB_CSRF_LEN + 8], user[KHUB_USER_NAME_MAX * 4 + 1], pw[KHUB_PASSWORD_MAX + 1];
    int fc = khtml_form_get(r->body, r->len, "csrf", csrf, sizeof csrf);
    int fu = khtml_form_get(r->body, r->len, "user", user, sizeof user);
    int fp = khtml_form_get(r->body, r->len, "password", pw, sizeof pw);
    const char *ck = cookie(r, COOKIE_LOGIN);
    if (fc != 1 || !ck || !khub_token_equal(csrf, ck)) {
        sodium_memzero(pw, sizeof pw);
        return login_page(r, 403, wtr(r, "The log-in form was refused because its security token "
                                         "is missing or old. Please log in again."), NULL, NULL);
    }
    if (fu != 1 || fp != 1 || !user[0]) {
        sodium_memzero(pw, sizeof pw);
        return login_page(r, 400, wtr(r, "Give your user name and password."),
                          fu == 1 ? user : NULL, NULL);
    }
    char id[KHUB_SESSION_ID_LEN + 1];
    int wait_s = 0;
    kerr e = {0};
    int rc = khub_login(r->w->hub, user, pw, khub_now_ms(), id, &r->sess, &wait_s, &e);
    sodium_memzero(pw, sizeof pw);
    if (rc == KHUB_BUSY && wait_s > 0) {
        log_login(user, "backoff");
        char msg[256], ra[16];
        snprintf(ra, sizeof ra, "%d", wait_s);
        wfmt(r, msg, sizeof msg, "Too many failed log-ins for this user. Wait {seconds} seconds "
             "and try again.", "seconds", ra, NULL);
        return login_page(r, 429, msg, user, ra);
    }
    if (rc == KHUB_UNAUTHORIZED) {
        log_login(user, "refused");
        return login_page(r, 401, wtr(r, "Wrong user name or password."), user, NULL);
    }
    if (rc)
        return store_error(r, &e);
    log_login(user, "ok");
    char ckv[256];
    make_cookie(r, ckv, sizeof ckv, COOKIE_SESSION, id, "/", (long)(KHUB_SESSION_TTL_MS / 1000));
    sodium_memzero(id, sizeof id);
    const char *next = warg(r, "next");
    return redirect(r, local_path(next) ? next : "/", ckv);
}

/* POST /logout (CSRF checked by the router). */
static enum MHD_Result logout_post(wreq *r)
{
    kerr e = {0};
    khub_session_end(r->w->hub, cookie(r, COOKIE_SESSION), &e);
    char ck[256];
    make_cookie(r, ck, sizeof ck, COOKIE_SESSION, "", "/", 0);
    return redirect(r, "/login", ck);
}

/* GET /lang?to=CODE&back=PATH: remembers the language in a cookie. */
static enum MHD_Result lang_get(wreq *r)
{
    const char *to = warg(r, "to"), *back = warg(r, "back");
    if (!to || !ki18n_has(r->w->cat, to) || strlen(to) >= KI18N_CODE_MAX ||
        strspn(to, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(to))
        return wpage_message(r, 400, wtr(r, "Unknown language"), wtr(r, "No such language."));
    char ck[256];
    make_cookie(r, ck, sizeof ck, COOKIE_LANG, to, "/", 365L * 24 * 3600);
    return redirect(r, local_path(back) ? back : "/", ck);
}

/* ---- events --------------------------------------------------------------------- */

/* What the new-event form held, to show it again after a refusal. */
typedef struct event_form {
    char name[400], program[200], date[16], survey[80], link[600];
} event_form;

/* The form that makes an event at the hub (khub_event_add); open when it
 * was refused (error) so its fields can be put right. */
static void event_form_html(wreq *r, kbuf *b, const event_form *f, const char *error)
{
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    khtml(b, "<details class=\"card new-event\"%S><summary>%s</summary>", error ? " open" : "",
          wtr(r, "New event"));
    if (error)
        khtml(b, "<p class=\"message\" role=\"alert\">%s</p>", error);
    khtml(b, "<form method=\"post\" action=\"/events\">");
    wcsrf_field(r, b);
    khtml(b, "<p><label for=\"ev-name\">%s</label><input id=\"ev-name\" name=\"name\" required "
          "maxlength=\"200\" value=\"%s\"></p>"
          "<p><label for=\"ev-program\">%s</label><input id=\"ev-program\" name=\"program\" required "
          "maxlength=\"100\" value=\"%s\"></p>"
          "<p><label for=\"ev-date\">%s</label><input id=\"ev-date\" name=\"date\" type=\"date\" "
          "required value=\"%s\"></p>"
          "<p><label for=\"ev-survey\">%s</label><input id=\"ev-survey\" name=\"survey\" "
          "maxlength=\"64\" value=\"%s\" aria-describedby=\"ev-survey-hint\">"
          "<small id=\"ev-survey-hint\">%s</small></p>"
          "<p><label for=\"ev-link\">%s</label><input id=\"ev-link\" name=\"link\" type=\"url\" "
          "maxlength=\"500\" value=\"%s\"></p>"
          "<p><button type=\"submit\">%s</button></p></form></details>",
          wtr(r, "Name"), f ? f->name : "", wtr(r, "Program"), f ? f->program : "",
          wtr(r, "Date"), f && f->date[0] ? f->date : today, wtr(r, "Survey (optional)"),
          f ? f->survey : "", wtr(r, "The key of a survey the hub holds, or empty for none."),
          wtr(r, "Link (optional)"), f ? f->link : "", wtr(r, "Create the event"));
}

/* GET / : every event with its check-ins per kiosk (and the form to make
 * one, open with error when it was refused). */
static enum MHD_Result events_page_with(wreq *r, const char *notice, const event_form *f,
                                        const char *error, unsigned status)
{
    wevents ev;
    kerr e = {0};
    if (wdata_events(r->w->hub, &ev, &e))
        return store_error(r, &e);
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "Events"), "/");
    if (notice)
        khtml(&b, "<p class=\"notice\" role=\"status\">%s</p>", notice);
    event_form_html(r, &b, f, error);
    khtml(&b, "<p>%s</p>", wtr(r, "Events held by the hub, newest first. Records of one event made "
                                "at several kiosks (same name and date) are shown as one."));
    if (ev.n == 0)
        khtml(&b, "<p class=\"empty\">%s</p>", wtr(r, "No events yet: kiosks send theirs when they "
                                                     "sync."));
    else {
        khtml(&b, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"events-cap\" tabindex=\"0\">"
              "<table class=\"stack\"><caption id=\"events-cap\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
              "<th scope=\"col\">%s</th></tr></thead><tbody>",
              wtr(r, "Events"), wtr(r, "Date"), wtr(r, "Event"), wtr(r, "Program"),
              wtr(r, "Check-ins"), wtr(r, "Check-ins per kiosk"));
        for (int i = 0; i < ev.n; i++) {
            const wevent *x = &ev.e[i];
            khtml(&b, "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><th scope=\"row\">"
                  "<a href=\"/events/%s\">%s</a></th><td data-label=\"%s\">%s</td>"
                  "<td class=\"num\" data-label=\"%s\">%D</td><td data-label=\"%s\"><ul class=\"kiosks\">",
                  wtr(r, "Date"), x->date, x->id, x->name[0] ? x->name : wtr(r, "(no name)"),
                  wtr(r, "Program"), x->program, wtr(r, "Check-ins"), (int64_t)x->checkins,
                  wtr(r, "Check-ins per kiosk"));
            for (int k = 0; k < x->nkiosks; k++)
                khtml(&b, "<li>%s: %D</li>", x->kiosks[k].kiosk, (int64_t)x->kiosks[k].checkins);
            if (x->nkiosks == 0)
                khtml(&b, "<li>%s</li>", wtr(r, "none yet"));
            khtml(&b, "</ul></td></tr>");
        }
        khtml(&b, "</tbody></table></div>");
    }
    wdata_events_free(&ev);
    return wpage_send(r, &b, status);
}

static enum MHD_Result events_page(wreq *r, const char *notice)
{
    return events_page_with(r, notice, NULL, NULL, 200);
}

/* POST /events: makes an event at the hub; kiosks get it at their next
 * sync. */
static enum MHD_Result events_create(wreq *r)
{
    event_form f;
    memset(&f, 0, sizeof f);
    if (khtml_form_get(r->body, r->len, "name", f.name, sizeof f.name) < 0 ||
        khtml_form_get(r->body, r->len, "program", f.program, sizeof f.program) < 0 ||
        khtml_form_get(r->body, r->len, "date", f.date, sizeof f.date) < 0 ||
        khtml_form_get(r->body, r->len, "survey", f.survey, sizeof f.survey) < 0 ||
        khtml_form_get(r->body, r->len, "link", f.link, sizeof f.link) < 0)
        return events_page_with(r, NULL, NULL, wtr(r, "A field is too long or not text."), 400);
    if (!f.name[0] || !f.program[0])
        return events_page_with(r, NULL, &f, wtr(r, "Give the event a name and a program."), 400);
    char id[33];
    kerr e = {0};
    int rc = khub_event_add(r->w->hub, f.name, f.program, f.date[0] ? f.date : NULL,
                            f.survey[0] ? f.survey : NULL, f.link[0] ? f.link : NULL, id, &e);
    if (rc == KERR_INVALID || rc == KERR_NOTFOUND || rc == KERR_DUP)
        return events_page_with(r, NULL, &f, e.msg, 400);
    if (rc)
        return store_error(r, &e);
    kbuf l = {0};
    kbuf_printf(&l, "\"event_id\":\"%s\",\"by\":", id);
    kbuf_json_str(&l, r->sess.user);
    if (!l.oom)
        khub_log("event_add", l.p);
    kbuf_free(&l);
    return redirect(r, "/?created=1", NULL);
}

/* 1 if id may name an event (what khub_export accepts: 4-32 hex digits). */
static int event_id_ok(const char *id, size_t n)
{
    return n >= 4 && n <= 32 && strspn(id, "0123456789abcdef") >= n;
}

/* Headings of the fixed columns, by their CSV names. */
static const char *column_label(const wreq *r, const char *name)
{
    static const struct {
        const char *csv, *label;
    } names[] = {
        {"checked_in", N_("Checked in")}, {"given", N_("Given name")},
        {"family", N_("Family name")},    {"phone", N_("Phone")},
        {"email", N_("E-mail")},          {"zip", N_("ZIP code")},
        {"status", N_("Status")},         {"event", N_("Event")},
        {"program", N_("Program")},       {"event_date", N_("Date")},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].csv, name) == 0)
            return wtr(r, names[i].label);
    return name;
}

/* Sorting rows of the table by one column (qsort has no context). */
typedef struct sort_row {
    char **row;
    char *key;
    int index;
} sort_row;

static int cmp_sort_row(const void *p, const void *q)
{
    const sort_row *x = p, *y = q;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* 1 if some cell of row holds the folded query. */
static int row_matches(char **row, int ncols, const char *fq)
{
    char f[1024];
    for (int k = 0; k < ncols; k++) {
        kfold(row[k], f, sizeof f);
        if (strstr(f, fq))
            return 1;
    }
    return 0;
}

/* The link of a column heading: sorts by it, the other way if it is the
 * current sort. */
static void sort_link(wreq *r, kbuf *b, const char *event, const char *q, int col, int cur,
                      int desc, const char *label)
{
    int next_desc = col == cur ? !desc : 0;
    khtml(b, "<a href=\"/events/%s?sort=%d&amp;dir=%s", event, col, next_desc ? "desc" : "asc");
    if (q && *q)
        khtml(b, "&amp;q=%u", q);
    khtml(b, "\">%s", label);
    if (col == cur)
        khtml(b, " <span aria-hidden=\"true\">%S</span>", desc ? "▼" : "▲");
    khtml(b, "</a>");
    (void)r;
}

/* Columns the page shows: all but event, program and event date (the
 * same in every row, shown above the table). */
static int shown_column(int k)
{
    return k != KEXPORT_COL_EVENT && k != KEXPORT_COL_PROGRAM && k != KEXPORT_COL_EVENT_DATE;
}

/* GET /events/ID: the merged attendance with search and sort. */
static enum MHD_Result event_page(wreq *r, const char *id)
{
    wtable t;
    kerr e = {0};
    int rc = wdata_attendance(r->w->hub, id, &t, &e);
    if (rc == KERR_NOTFOUND || rc == KERR_INVALID)
        return wpage_message(r, 404, wtr(r, "No such event"), e.msg);
    if (rc)
        return store_error(r, &e);
    const char *q = warg(r, "q"), *sort = warg(r, "sort"), *dir = warg(r, "dir");
    int scol = sort ? atoi(sort) : -1, desc = dir && strcmp(dir, "desc") == 0;
    if (scol < 0 || scol >= t.ncols || !shown_column(scol))
        scol = -1;
    char fq[1024] = "";
    if (q)
        kfold(q, fq, sizeof fq);
    int nrows = t.nrows > 0 ? t.nrows - 1 : 0, shown = 0;
    sort_row *rows = calloc((size_t)(nrows ? nrows : 1), sizeof *rows);
    if (!rows) {
        wdata_table_free(&t);
        return MHD_NO;
    }
    for (int i = 0; i < nrows; i++) {
        char **row = t.rows[i + 1];
        if (fq[0] && !row_matches(row, t.ncols, fq))
            continue;
        rows[shown].row = row;
        rows[shown].index = desc && scol >= 0 ? -i : i;
        if (scol >= 0) {
            char f[1024];
            kfold(row[scol], f, sizeof f);
            rows[shown].key = strdup(f);
        }
        shown++;
    }
    if (scol >= 0) {
        qsort(rows, (size_t)shown, sizeof *rows, cmp_sort_row);
        if (desc)
            for (int i = 0, j = shown - 1; i < j; i++, j--) {
                sort_row tmp = rows[i];
                rows[i] = rows[j];
                rows[j] = tmp;
            }
    }
    char title[600];
    snprintf(title, sizeof title, "%s", t.event_name[0] ? t.event_name : wtr(r, "(no name)"));
    kbuf b = {0};
    wpage_begin(r, &b, title, "/");
    khtml(&b, "<dl class=\"facts\"><div><dt>%s</dt><dd>%s</dd></div><div><dt>%s</dt><dd>%s</dd></div>"
          "<div><dt>%s</dt><dd>%D</dd></div></dl>",
          wtr(r, "Date"), t.event_date, wtr(r, "Program"), t.event_program, wtr(r, "People"),
          (int64_t)nrows);
    khtml(&b, "<ul class=\"actions\"><li><a class=\"button\" href=\"/events/%s/attendance.csv\" download>"
          "%s</a></li><li><a class=\"button\" href=\"/events/%s/attendance.xlsx\" download>%s</a></li>"
          "<li><a href=\"/events/%s/answers\">%s</a></li></ul>",
          id, wtr(r, "Download CSV"), id, wtr(r, "Download XLSX"), id, wtr(r, "Survey answers"));
    khtml(&b, "<form class=\"search\" method=\"get\" action=\"/events/%s\" role=\"search\">"
          "<label for=\"q\">%s</label><input id=\"q\" name=\"q\" type=\"search\" value=\"%s\">",
          id, wtr(r, "Search the attendance"), q ? q : "");
    if (scol >= 0)
        khtml(&b, "<input type=\"hidden\" name=\"sort\" value=\"%d\"><input type=\"hidden\" "
              "name=\"dir\" value=\"%s\">", scol, desc ? "desc" : "asc");
    khtml(&b, "<button type=\"submit\">%s</button></form>", wtr(r, "Search"));
    char count[160];
    char n1[24], n2[24];
    snprintf(n1, sizeof n1, "%d", shown);
    snprintf(n2, sizeof n2, "%d", nrows);
    wfmt(r, count, sizeof count, "{shown} of {all} people", "shown", n1, "all", n2, NULL);
    khtml(&b, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"att-cap\" tabindex=\"0\">"
          "<table class=\"attendance\"><caption id=\"att-cap\">%s</caption><thead><tr>", count);
    for (int k = 0; k < t.ncols; k++) {
        if (!shown_column(k))
            continue;
        const char *aria = k == scol ? (desc ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"")
                                     : "";
        khtml(&b, "<th scope=\"col\"%S>", aria);
        sort_link(r, &b, id, q, k, scol, desc, column_label(r, t.rows[0][k]));
        khtml(&b, "</th>");
    }
    khtml(&b, "</tr></thead><tbody>");
    for (int i = 0; i < shown; i++) {
        khtml(&b, "<tr>");
        for (int k = 0; k < t.ncols; k++) {
            if (!shown_column(k))
                continue;
            const char *v = rows[i].row[k];
            if (k == KEXPORT_COL_STATUS)
                v = strcmp(v, "new") == 0 ? wtr(r, "new") : wtr(r, "returning");
            khtml(&b, k == KEXPORT_COL_GIVEN || k == KEXPORT_COL_FAMILY ? "<td class=\"name\">%s</td>"
                  : "<td>%s</td>", v);
        }
        khtml(&b, "</tr>");
    }
    khtml(&b, "</tbody></table></div>");
    if (shown == 0)
        khtml(&b, "<p class=\"empty\">%s</p>", fq[0] ? wtr(r, "Nobody matches the search.")
                                                     : wtr(r, "Nobody has checked in yet."));
    for (int i = 0; i < shown; i++)
        free(rows[i].key);
    free(rows);
    wdata_table_free(&t);
    return wpage_send(r, &b, 200);
}

/* Reads a whole file into a kbuf. */
static int slurp_into(const char *path, kbuf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        kbuf_add(b, tmp, n);
    int bad = ferror(f) || b->oom;
    fclose(f);
    return bad ? -1 : 0;
}

int wtemp_dir(char *out, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, cap, "%s/kiosk-hub-web.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(out) ? 0 : -1;
}

/* GET /events/ID/attendance.csv|xlsx: khub_export's bytes. */
static enum MHD_Result event_file(wreq *r, const char *id, int xlsx)
{
    kerr e = {0};
    long rows = 0;
    kbuf data = {0};
    int rc;
    if (!xlsx) {
        char *mem = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&mem, &len);
        if (!f)
            return MHD_NO;
        khub_export_opts o = {id, "csv", "-", NULL, 0};
        rc = khub_export_csv_stream(r->w->hub, &o, f, &rows, &e);
        fclose(f);
        if (rc == 0)
            kbuf_add(&data, mem ? mem : "", len);
        free(mem);
    } else {
        char dir[512], path[600];
        if (wtemp_dir(dir, sizeof dir) != 0)
            return wpage_message(r, 500, wtr(r, "Something went wrong"), strerror(errno));
        snprintf(path, sizeof path, "%s/attendance.xlsx", dir);
        khub_export_opts o = {id, "xlsx", path, NULL, 0};
        rc = khub_export(r->w->hub, &o, &rows, &e);
        if (rc == 0 && slurp_into(path, &data) != 0)
            rc = kerr_set(&e, KERR_IO, "cannot read back %s", path);
        unlink(path);
        rmdir(dir);
    }
    if (rc == KERR_NOTFOUND || rc == KERR_INVALID) {
        kbuf_free(&data);
        return wpage_message(r, 404, wtr(r, "No such event"), e.msg);
    }
    if (rc || data.oom) {
        kbuf_free(&data);
        return store_error(r, &e);
    }
    enum MHD_Result ok = wsend_file(r, xlsx ? "application/vnd.openxmlformats-officedocument."
                                              "spreadsheetml.sheet" : "text/csv; charset=utf-8",
                                    xlsx ? "attendance.xlsx" : "attendance.csv", data.p ? data.p : "",
                                    data.len);
    kbuf_free(&data);
    return ok;
}

/* ---- kiosks --------------------------------------------------------------------- */

static const char *const kiosks_lite =
    "SELECT d.name, coalesce(d.device_id, ''), d.created_ms, d.revoked_ms, d.paired_ms,"
    " (SELECT max(b.received_ms) FROM batch_log b WHERE b.device_id = d.device_id),"
    " (SELECT count(*) FROM records r WHERE r.device_id = d.device_id)"
    " FROM devices d ORDER BY d.revoked_ms IS NOT NULL, d.name";
static const char *const kiosks_pg =
    "SELECT d.name, coalesce(d.device_id, ''), d.created_ms, d.revoked_ms, d.paired_ms,"
    " (SELECT max(b.received_ms) FROM batch_log b WHERE b.device_id = d.device_id),"
    " (SELECT count(*) FROM records r WHERE r.device_id = d.device_id)"
    " FROM devices d ORDER BY d.revoked_ms IS NOT NULL, d.name COLLATE \"C\"";

/* Local "YYYY-MM-DD HH:MM" of a Unix ms time. */
static void local_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
        snprintf(out, 32, "?");
}

/* GET /kiosks. */
static enum MHD_Result kiosks_page(wreq *r, const char *notice)
{
    khub_rows *q = NULL;
    kerr e = {0};
    int rc = khub_sql(r->w->hub, kiosks_lite, kiosks_pg, NULL, 0, &q, &e);
    if (rc)
        return store_error(r, &e);
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "Kiosks"), "/kiosks");
    if (notice)
        khtml(&b, "<p class=\"notice\" role=\"status\">%s</p>", notice);
    khtml(&b, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"k-cap\" tabindex=\"0\"><table class=\"stack\">"
          "<caption id=\"k-cap\">%s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s"
          "</th><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s"
          "</th></tr></thead><tbody>",
          wtr(r, "Paired kiosks"), wtr(r, "Kiosk"), wtr(r, "State"), wtr(r, "Last sync"),
          wtr(r, "Records received"), wtr(r, "Action"));
    int n = 0;
    while ((rc = khub_rows_next(q, &e)) == 1) {
        n++;
        const char *name = khub_rows_text(q, 0);
        int revoked = khub_rows_text(q, 3) != NULL, paired = khub_rows_text(q, 4) != NULL;
        char last[32] = "";
        if (khub_rows_text(q, 5))
            local_time(khub_rows_int(q, 5), last);
        khtml(&b, "<tr><th scope=\"row\">%s<br><small class=\"id\">%s</small></th>"
              "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
              "<td class=\"num\" data-label=\"%s\">%D</td><td>",
              name, khub_rows_text(q, 1), wtr(r, "State"), revoked ? wtr(r, "revoked")
              : paired ? wtr(r, "paired") : wtr(r, "waiting to pair"), wtr(r, "Last sync"),
              last[0] ? last : wtr(r, "never"), wtr(r, "Records received"), khub_rows_int(q, 6));
        if (!revoked) {
            khtml(&b, "<form method=\"post\" action=\"/kiosks/revoke\">");
            wcsrf_field(r, &b);
            char label[300];
            wfmt(r, label, sizeof label, "Revoke {kiosk}", "kiosk", name ? name : "", NULL);
            khtml(&b, "<input type=\"hidden\" name=\"name\" value=\"%s\"><button type=\"submit\" "
                  "class=\"danger\" aria-label=\"%s\">%s</button></form>", name, label,
                  wtr(r, "Revoke"));
        }
        khtml(&b, "</td></tr>");
    }
    khub_rows_free(q);
    khtml(&b, "</tbody></table></div>");
    if (rc < 0 || rc > 1) {
        kbuf_free(&b);
        return store_error(r, &e);
    }
    if (n == 0)
        khtml(&b, "<p class=\"empty\">%s</p>", wtr(r, "No kiosks yet: pair one with kiosk-hub "
                                                     "device add NAME."));
    khtml(&b, "<p>%s</p>", wtr(r, "Revoking a kiosk makes its token useless at once: it can no "
                                "longer send records, and what it sent stays."));
    return wpage_send(r, &b, 200);
}

/* POST /kiosks/revoke. */
static enum MHD_Result kiosks_revoke(wreq *r)
{
    char name[KHUB_DEVICE_NAME_MAX * 4 + 1];
    if (khtml_form_get(r->body, r->len, "name", name, sizeof name) != 1)
        return wpage_message(r, 400, wtr(r, "Revoke"), wtr(r, "Which kiosk? The form named none."));
    kerr e = {0};
    int rc = khub_device_revoke(r->w->hub, name, &e);
    if (rc == KERR_NOTFOUND)
        return wpage_message(r, 404, wtr(r, "Revoke"), e.msg);
    if (rc)
        return store_error(r, &e);
    kbuf m = {0};
    kbuf_str(&m, "\"device\":");
    kbuf_json_str(&m, name);
    kbuf_str(&m, ",\"by\":");
    kbuf_json_str(&m, r->sess.user);
    if (!m.oom)
        khub_log("revoke", m.p);
    kbuf_free(&m);
    return redirect(r, "/kiosks?revoked=1", NULL);
}

/* ---- people --------------------------------------------------------------------- */

/* The people staff see: one row per person id that is neither merged into
 * another nor forgotten (people_ids, hub_store.h), named by the record the
 * roster copies; and check-ins per person, a merged id's counted for the
 * id it was merged into (records.person_id, kept at ingest: no check-in's
 * JSON is read). */
static const char *const people_lite =
    "SELECT o.id, coalesce(json_extract(p.fields, '$.given'), ''),"
    " coalesce(json_extract(p.fields, '$.family'), ''), coalesce(json_extract(p.fields, '$.zip'), ''),"
    " coalesce(d.name, o.device_id),"
    " (SELECT count(*) FROM people_ids a WHERE a.alias_of = o.id)"
    " FROM people_ids o JOIN records p ON p.device_id = o.device_id AND p.id = o.id AND p.tbl = 'people'"
    " LEFT JOIN devices d ON d.device_id = o.device_id AND d.revoked_ms IS NULL"
    " WHERE o.alias_of IS NULL AND o.forgotten_ms IS NULL";
static const char *const people_pg =
    "SELECT o.id, coalesce((p.fields)::jsonb ->> 'given', ''),"
    " coalesce((p.fields)::jsonb ->> 'family', ''), coalesce((p.fields)::jsonb ->> 'zip', ''),"
    " coalesce(d.name, o.device_id),"
    " (SELECT count(*) FROM people_ids a WHERE a.alias_of = o.id)"
    " FROM people_ids o JOIN records p ON p.device_id = o.device_id AND p.id = o.id AND p.tbl = 'people'"
    " LEFT JOIN devices d ON d.device_id = o.device_id AND d.revoked_ms IS NULL"
    " WHERE o.alias_of IS NULL AND o.forgotten_ms IS NULL";
static const char *const visits_lite =
    "SELECT coalesce(o.alias_of, x.pid), count(*) FROM"
    " (SELECT person_id AS pid FROM records WHERE tbl = 'checkins') x"
    " LEFT JOIN people_ids o ON o.id = x.pid GROUP BY 1";
static const char *const visits_pg =
    "SELECT coalesce(o.alias_of, x.pid), count(*) FROM"
    " (SELECT person_id AS pid FROM records WHERE tbl = 'checkins') x"
    " LEFT JOIN people_ids o ON o.id = x.pid GROUP BY 1";

typedef struct wperson {
    char *key, *given, *family, *zip, *kiosk;
    char sort[512];
    long checkins, merged;
} wperson;

static int cmp_person(const void *p, const void *q)
{
    const wperson *x = p, *y = q;
    int c = strcmp(x->sort, y->sort);
    return c ? c : strcmp(x->key, y->key);
}

static int cmp_person_key(const void *k, const void *p)
{
    return strcmp((const char *)k, ((const wperson *)p)->key);
}

static int cmp_person_by_key(const void *p, const void *q)
{
    return strcmp(((const wperson *)p)->key, ((const wperson *)q)->key);
}

static void people_free(wperson *v, long n)
{
    for (long i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].given);
        free(v[i].family);
        free(v[i].zip);
        free(v[i].kiosk);
    }
    free(v);
}

/* Reads the people matching the folded query (all when fq is ""), with
 * their check-ins, sorted by family then given name; *total: all people. */
static int people_read(khub *h, const char *fq, wperson **out, long *n, long *total, kerr *err)
{
    *out = NULL;
    *n = *total = 0;
    kbuf v = {0};
    khub_rows *q = NULL;
    int rc = khub_sql(h, people_lite, people_pg, NULL, 0, &q, err);
    while (rc == 0 && (rc = khub_rows_next(q, err)) == 1) {
        rc = 0;
        (*total)++;
        char both[600], f[600];
        snprintf(both, sizeof both, "%s %s", khub_rows_text(q, 1), khub_rows_text(q, 2));
        kfold(both, f, sizeof f);
        if (fq[0] && !strstr(f, fq))
            continue;
        wperson p;
        memset(&p, 0, sizeof p);
        p.key = strdup(khub_rows_text(q, 0));
        p.given = strdup(khub_rows_text(q, 1));
        p.family = strdup(khub_rows_text(q, 2));
        p.zip = strdup(khub_rows_text(q, 3));
        p.kiosk = strdup(khub_rows_text(q, 4));
        p.merged = (long)khub_rows_int(q, 5);
        snprintf(both, sizeof both, "%s %s", khub_rows_text(q, 2), khub_rows_text(q, 1));
        kfold(both, p.sort, sizeof p.sort);
        if (!p.key || !p.given || !p.family || !p.zip || !p.kiosk ||
            kbuf_add(&v, &p, sizeof p) != 0) {
            free(p.key);
            free(p.given);
            free(p.family);
            free(p.zip);
            free(p.kiosk);
            rc = kerr_set(err, KERR_INTERNAL, "people: out of memory");
        }
    }
    khub_rows_free(q);
    wperson *all = (wperson *)v.p;
    long count = (long)(v.len / sizeof(wperson));
    if (rc == 0 && count) {
        qsort(all, (size_t)count, sizeof *all, cmp_person_by_key);
        q = NULL;
        rc = khub_sql(h, visits_lite, visits_pg, NULL, 0, &q, err);
        while (rc == 0 && (rc = khub_rows_next(q, err)) == 1) {
            rc = 0;
            const char *k = khub_rows_text(q, 0);
            wperson *p = k ? bsearch(k, all, (size_t)count, sizeof *all, cmp_person_key) : NULL;
            if (p)
                p->checkins = (long)khub_rows_int(q, 1);
        }
        khub_rows_free(q);
        qsort(all, (size_t)count, sizeof *all, cmp_person);
    }
    if (rc) {
        people_free(all, count);
        return rc;
    }
    *out = all;
    *n = count;
    return 0;
}

/* GET /people?q=. */
static enum MHD_Result people_page(wreq *r, const char *notice)
{
    const char *q = warg(r, "q");
    char fq[600] = "";
    if (q)
        kfold(q, fq, sizeof fq);
    wperson *v = NULL;
    long n = 0, total = 0;
    kerr e = {0};
    if (people_read(r->w->hub, fq, &v, &n, &total, &e))
        return store_error(r, &e);
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "People"), "/people");
    if (notice)
        khtml(&b, "<p class=\"notice\" role=\"status\">%s</p>", notice);
    khtml(&b, "<form class=\"search\" method=\"get\" action=\"/people\" role=\"search\">"
          "<label for=\"q\">%s</label><input id=\"q\" name=\"q\" type=\"search\" value=\"%s\">"
          "<button type=\"submit\">%s</button></form>",
          wtr(r, "Search people by name"), q ? q : "", wtr(r, "Search"));
    char count[200];
    char n1[24], n2[24];
    snprintf(n1, sizeof n1, "%ld", n);
    snprintf(n2, sizeof n2, "%ld", total);
    wfmt(r, count, sizeof count, "{shown} of {all} people", "shown", n1, "all", n2, NULL);
    khtml(&b, "<form method=\"post\" action=\"/people/merge\" class=\"people\">");
    wcsrf_field(r, &b);
    khtml(&b, "<p>%s</p>", wtr(r, "To merge two records of one person: choose the record to keep, "
                                "tick the other, then Merge. To remove a person's personal data, "
                                "use Forget."));
    khtml(&b, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"p-cap\" tabindex=\"0\"><table class=\"stack\">"
          "<caption id=\"p-cap\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
          "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
          "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
          "</tr></thead><tbody>",
          count, wtr(r, "Name"), wtr(r, "Keep"), wtr(r, "Merge into kept"), wtr(r, "Forget"),
          wtr(r, "Check-ins"), wtr(r, "ZIP code"), wtr(r, "Kiosk"));
    for (long i = 0; i < n && i < PEOPLE_SHOWN; i++) {
        const wperson *p = &v[i];
        char name[600], keep[700], merge[700], forget[700];
        snprintf(name, sizeof name, "%s %s", p->given, p->family);
        wfmt(r, keep, sizeof keep, "Keep {name}", "name", name, NULL);
        wfmt(r, merge, sizeof merge, "Merge {name} into the kept record", "name", name, NULL);
        wfmt(r, forget, sizeof forget, "Forget {name}", "name", name, NULL);
        char merged[120] = "";
        if (p->merged > 0) {
            char mn[24];
            snprintf(mn, sizeof mn, "%ld", p->merged);
            wfmt(r, merged, sizeof merged, "+{n} merged", "n", mn, NULL);
        }
        khtml(&b, "<tr><th scope=\"row\" class=\"name\">%s%S<small>%s</small></th>",
              name, merged[0] ? " " : "", merged);
        khtml(&b, "<td class=\"act\" data-label=\"%s\"><input type=\"radio\" name=\"keep\" value=\"%s\" id=\"k%D\" "
              "aria-label=\"%s\"></td>"
              "<td class=\"act\" data-label=\"%s\"><input type=\"checkbox\" name=\"other\" value=\"%s\" id=\"o%D\" "
              "aria-label=\"%s\"></td>"
              "<td class=\"act\"><button type=\"submit\" class=\"danger\" formaction=\"/people/forget\" name=\"id\" "
              "value=\"%s\" aria-label=\"%s\">%s</button></td>"
              "<td class=\"num\" data-label=\"%s\">%D</td><td data-label=\"%s\">%s</td>"
              "<td data-label=\"%s\">%s</td></tr>",
              wtr(r, "Keep"), p->key, (int64_t)i, keep, wtr(r, "Merge into kept"), p->key,
              (int64_t)i, merge, p->key, forget, wtr(r, "Forget"), wtr(r, "Check-ins"),
              (int64_t)p->checkins, wtr(r, "ZIP code"), p->zip, wtr(r, "Kiosk"), p->kiosk);
    }
    khtml(&b, "</tbody></table></div>");
    if (n > PEOPLE_SHOWN) {
        char more[200];
        char shown_n[24];
        snprintf(shown_n, sizeof shown_n, "%d", PEOPLE_SHOWN);
        wfmt(r, more, sizeof more, "Showing the first {n}: search to find others.", "n", shown_n,
             NULL);
        khtml(&b, "<p>%s</p>", more);
    }
    if (n == 0)
        khtml(&b, "<p class=\"empty\">%s</p>", fq[0] ? wtr(r, "Nobody matches the search.")
                                                     : wtr(r, "No people yet."));
    else
        khtml(&b, "<p><button type=\"submit\">%s</button></p>", wtr(r, "Merge"));
    khtml(&b, "</form>");
    people_free(v, n);
    return wpage_send(r, &b, 200);
}

/* 1 if k is a person id (32 lower-case hex digits). */
static int person_key_ok(const char *k)
{
    return strlen(k) == 32 && strspn(k, "0123456789abcdef") == 32;
}

typedef struct merge_list {
    char keys[16][33];
    int n, bad;
} merge_list;

static void take_other(void *ctx, const char *v)
{
    merge_list *m = ctx;
    if (!person_key_ok(v) || m->n == 16)
        m->bad = 1;
    else
        snprintf(m->keys[m->n++], sizeof m->keys[0], "%s", v);
}

/* POST /people/merge: keep=KEY other=KEY... */
static enum MHD_Result people_merge(wreq *r)
{
    char keep[80];
    merge_list m;
    memset(&m, 0, sizeof m);
    int fk = khtml_form_get(r->body, r->len, "keep", keep, sizeof keep);
    int no = khtml_form_each(r->body, r->len, "other", take_other, &m);
    if (fk != 1 || !person_key_ok(keep) || no < 1 || m.bad)
        return wpage_message(r, 400, wtr(r, "Merge"), wtr(r, "Choose one record to keep and tick "
                                                           "at least one other record to merge "
                                                           "into it."));
    kerr e = {0};
    int merged = 0;
    for (int i = 0; i < m.n; i++) {
        if (strcmp(m.keys[i], keep) == 0)
            continue;
        int rc = khub_person_merge(r->w->hub, keep, m.keys[i], &e);
        if (rc == KERR_NOTFOUND || rc == KERR_INVALID)
            return wpage_message(r, rc == KERR_NOTFOUND ? 404 : 400, wtr(r, "Merge"), e.msg);
        if (rc)
            return store_error(r, &e);
        merged++;
        kbuf l = {0};
        kbuf_printf(&l, "\"keep\":\"%s\",\"other\":\"%s\",\"by\":", keep, m.keys[i]);
        kbuf_json_str(&l, r->sess.user);
        if (!l.oom)
            khub_log("merge", l.p);
        kbuf_free(&l);
    }
    if (!merged)
        return wpage_message(r, 400, wtr(r, "Merge"), wtr(r, "The record to keep cannot be merged "
                                                           "into itself."));
    return redirect(r, "/people?merged=1", NULL);
}

/* POST /people/forget: id=KEY, then confirm=yes on the page it shows. */
static enum MHD_Result people_forget(wreq *r)
{
    char id[80], confirm[8];
    if (khtml_form_get(r->body, r->len, "id", id, sizeof id) != 1 || !person_key_ok(id))
        return wpage_message(r, 400, wtr(r, "Forget"), wtr(r, "Which person? The form named none."));
    if (khtml_form_get(r->body, r->len, "confirm", confirm, sizeof confirm) != 1 ||
        strcmp(confirm, "yes") != 0) {
        /* ask first: this cannot be undone */
        const char *pv[] = {id};
        khub_rows *q = NULL;
        kerr e = {0};
        char name[600] = "";
        int rc = khub_sql(r->w->hub,
                          "SELECT coalesce(json_extract(fields, '$.given'), '') || ' ' ||"
                          " coalesce(json_extract(fields, '$.family'), '') FROM records"
                          " WHERE tbl = 'people' AND id = ?1 LIMIT 1",
                          "SELECT coalesce((fields)::jsonb ->> 'given', '') || ' ' ||"
                          " coalesce((fields)::jsonb ->> 'family', '') FROM records"
                          " WHERE tbl = 'people' AND id = $1 LIMIT 1",
                          pv, 1, &q, &e);
        if (rc == 0 && (rc = khub_rows_next(q, &e)) == 1) {
            snprintf(name, sizeof name, "%s", khub_rows_text(q, 0));
            rc = 0;
        }
        khub_rows_free(q);
        if (rc)
            return store_error(r, &e);
        kbuf b = {0};
        wpage_begin(r, &b, wtr(r, "Forget a person"), "/people");
        khtml(&b, "<p>%s</p><p class=\"name big\">%s</p><p>%s</p>",
              wtr(r, "This removes the person's name, phone, e-mail and ZIP code from the hub, and "
                     "from every kiosk at its next sync. Their check-ins stay as anonymous rows, so "
                     "attendance counts do not change. This cannot be undone."),
              name[0] ? name : id, wtr(r, "Forget this person?"));
        khtml(&b, "<form method=\"post\" action=\"/people/forget\" class=\"actions\">");
        wcsrf_field(r, &b);
        khtml(&b, "<input type=\"hidden\" name=\"id\" value=\"%s\"><input type=\"hidden\" "
              "name=\"confirm\" value=\"yes\"><button type=\"submit\" class=\"danger\">%s</button> "
              "<a href=\"/people\">%s</a></form>", id, wtr(r, "Forget this person"),
              wtr(r, "Cancel"));
        return wpage_send(r, &b, 200);
    }
    kerr e = {0};
    int rc = khub_person_forget(r->w->hub, id, &e);
    if (rc == KERR_NOTFOUND || rc == KERR_INVALID)
        return wpage_message(r, rc == KERR_NOTFOUND ? 404 : 400, wtr(r, "Forget"), e.msg);
    if (rc)
        return store_error(r, &e);
    kbuf l = {0};
    kbuf_printf(&l, "\"person\":\"%s\",\"by\":", id);
    kbuf_json_str(&l, r->sess.user);
    if (!l.oom)
        khub_log("forget", l.p);
    kbuf_free(&l);
    return redirect(r, "/people?forgotten=1", NULL);
}

/* ---- the router ------------------------------------------------------------------- */

/* 1 if the path names a file (answered 401, not redirected, without a session). */
static int is_file_path(const char *url)
{
    size_t n = strlen(url);
    return (n > 4 && strcmp(url + n - 4, ".csv") == 0) ||
           (n > 5 && strcmp(url + n - 5, ".xlsx") == 0);
}

/* Routes a request of a logged-in staff member. */
static enum MHD_Result route(wreq *r, int is_get, int is_post)
{
    const char *url = r->url;
    if (is_post) {
        char csrf[KHUB_CSRF_LEN + 8];
        if (khtml_form_get(r->body, r->len, "csrf", csrf, sizeof csrf) != 1 ||
            !khub_token_equal(csrf, r->sess.csrf))
            return wpage_message(r, 403, wtr(r, "Refused"),
                                 wtr(r, "This form was refused: its security token is missing or "
                                        "old. Go back, reload the page and try again."));
        if (strcmp(url, "/logout") == 0)
            return logout_post(r);
        if (strcmp(url, "/events") == 0 || strcmp(url, "/") == 0)
            return events_create(r);
        if (strcmp(url, "/kiosks/revoke") == 0)
            return kiosks_revoke(r);
        if (strcmp(url, "/people/merge") == 0)
            return people_merge(r);
        if (strcmp(url, "/people/forget") == 0)
            return people_forget(r);
        return wpage_message(r, 404, wtr(r, "Not found"), wtr(r, "There is no such page."));
    }
    if (!is_get)
        return wpage_message(r, 405, wtr(r, "Not found"), wtr(r, "There is no such page."));
    if (strcmp(url, "/") == 0 || strcmp(url, "/events") == 0)
        return events_page(r, warg(r, "created") ? wtr(r, "The event was made: kiosks receive it "
                                                          "at their next sync.") : NULL);
    if (strcmp(url, "/kiosks") == 0)
        return kiosks_page(r, warg(r, "revoked") ? wtr(r, "The kiosk was revoked.") : NULL);
    if (strcmp(url, "/people") == 0)
        return people_page(r, warg(r, "merged") ? wtr(r, "The records were merged.")
                              : warg(r, "forgotten") ? wtr(r, "The person was forgotten.") : NULL);
    if (strcmp(url, "/reports/programs") == 0)
        return wpage_programs(r);
    if (strcmp(url, "/reports/grid") == 0)
        return wpage_grid(r, 0);
    if (strcmp(url, "/reports/grid.xlsx") == 0)
        return wpage_grid(r, 1);
    static const char ev[] = "/events/";
    if (strncmp(url, ev, sizeof ev - 1) == 0) {
        const char *id = url + sizeof ev - 1;
        size_t n = strcspn(id, "/");
        char eid[33];
        if (event_id_ok(id, n)) {
            memcpy(eid, id, n);
            eid[n] = '\0';
            const char *rest = id + n;
            if (!*rest)
                return event_page(r, eid);
            if (strcmp(rest, "/attendance.csv") == 0)
                return event_file(r, eid, 0);
            if (strcmp(rest, "/attendance.xlsx") == 0)
                return event_file(r, eid, 1);
            if (strcmp(rest, "/answers") == 0)
                return wpage_answers(r, eid);
        }
    }
    return wpage_message(r, 404, wtr(r, "Not found"), wtr(r, "There is no such page."));
}

enum MHD_Result khub_web_handle(khub_web *w, struct MHD_Connection *c, const char *url,
                                const char *method, const char *body, size_t len, int too_large)
{
    wreq r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.c = c;
    r.url = url;
    r.method = method;
    r.body = body ? body : "";
    r.len = body ? len : 0;
    pick_lang(&r);
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int is_post = strcmp(method, "POST") == 0;
    if (too_large)
        return wpage_message(&r, 413, wtr(&r, "Refused"), wtr(&r, "The form was too large."));
    if (strcmp(url, "/lang") == 0 && is_get)
        return lang_get(&r);
    kerr e = {0};
    int live = khub_session_get(w->hub, cookie(&r, COOKIE_SESSION), khub_now_ms(), &r.sess, &e);
    if (live < 0 || live > 1)
        return store_error(&r, &e);
    if (strcmp(url, "/login") == 0) {
        if (is_post)
            return login_post(&r);
        if (live == 1)
            return redirect(&r, "/", NULL);
        memset(&r.sess, 0, sizeof r.sess);
        return login_page(&r, 200, NULL, NULL, NULL);
    }
    if (live != 1) {
        memset(&r.sess, 0, sizeof r.sess);
        if (is_file_path(url)) {
            kbuf b = {0};
            kbuf_str(&b, "401 Unauthorized: log in at /login first\n");
            return queue(&r, 401, "text/plain; charset=utf-8", &b, NULL, NULL);
        }
        if (!is_get)
            return wpage_message(&r, 403, wtr(&r, "Refused"), wtr(&r, "Log in first."));
        kbuf loc = {0};
        kbuf_str(&loc, "/login?next=");
        khtml_url(&loc, url);
        enum MHD_Result ok = loc.oom ? MHD_NO : redirect(&r, loc.p, NULL);
        kbuf_free(&loc);
        return ok;
    }
    return route(&r, is_get, is_post);
}
