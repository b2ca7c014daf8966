/*
 * hub_html.h - the one place the web page writes HTML text.
 *
 * Every byte that did not come from a literal in the code goes through
 * khtml(): its %s escapes the five characters HTML gives meaning to
 * (& < > " ') everywhere -- between tags and inside quoted attributes
 * alike -- so that a name a kiosk sent, such as <script> or
 * "><img onerror=...>, is shown as text on every page.  Nothing else
 * writes into a page: there is no "raw" directive for data, only %S for
 * markup that this program built itself (already escaped by khtml).
 *
 * Directives:
 *   %s  text, escaped (NULL is written as nothing)
 *   %S  markup built by khtml (trusted, written as is)
 *   %u  text as one URL query component (percent-encoded), for hrefs
 *   %d  int         %D  int64_t        %%  a percent sign
 */
#ifndef KHUB_HTML_H
#define KHUB_HTML_H

#include <stdint.h>

#include "kbuf.h"

/* Appends fmt to b with the directives above. */
void khtml(kbuf *b, const char *fmt, ...);

/* Appends text escaped (the %s of khtml). */
void khtml_text(kbuf *b, const char *s);

/* Appends text percent-encoded as a URL query component. */
void khtml_url(kbuf *b, const char *s);

/* Decodes an application/x-www-form-urlencoded value in place ('+' is a
 * space, %XX a byte); returns -1 for a bad %-escape or invalid UTF-8. */
int khtml_form_decode(char *s);

/* Finds field name in a form body (name=value&...); copies its decoded
 * value into out (at most cap-1 bytes).  Returns 1 found, 0 absent, -1 bad
 * encoding or too long. */
int khtml_form_get(const char *body, size_t len, const char *name, char *out, size_t cap);

/* Calls fn for every value of field name (repeated fields, checkboxes);
 * returns how many there were, or -1 for a bad one. */
int khtml_form_each(const char *body, size_t len, const char *name,
                    void (*fn)(void *ctx, const char *value), void *ctx);

#endif
