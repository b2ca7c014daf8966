/*
 * screens.c - picks the builder for the flow's screen (screens.h).
 */
#include "screens.h"
#include "widgets.h"

void kscreens_build(kview *v, const kui *u, const kflow *f)
{
    kview_begin(v, kflow_screen_name(f->screen), u->w, u->h, u->lang);
    switch (f->screen) {
    case KS_WELCOME: kscreen_welcome(v, u, f); break;
    case KS_FIND: kscreen_find(v, u, f); break;
    case KS_FORM: kscreen_form(v, u, f); break;
    case KS_DONE: kscreen_done(v, u, f); break;
    case KS_SURVEY: kscreen_survey(v, u, f); break;
    case KS_MATCH: kscreen_match(v, u, f); break;
    case KS_STAFF_PIN:
    case KS_STAFF:
    case KS_STAFF_EVENTS:
    case KS_STAFF_EVENT_NEW:
    case KS_STAFF_EXPORT:
    case KS_STAFF_PERSON:
    case KS_STAFF_SHUTDOWN: kscreen_staff(v, u, f); break;
    case KS_CHECKING: kscreen_checking(v, u, f); break;   /* screen_checking.c */
    default: kscreen_error(v, u, f); break;
    }
    kw_still_there(v, u, f);
    kw_pressed(v, u);
    kview_finish(v, u);
}
