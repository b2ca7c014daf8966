/*
 * screens.c - picks the builder for the flow's screen (screens.h): the
 * BUILDER column of kiosk/core/flow_screens.h.
 */
#include "screens.h"

#include <assert.h>

#include "widgets.h"

typedef void (*kscreen_builder)(kview *v, const kui *u, const kflow *f);

static const kscreen_builder builders[KS_COUNT] = {
#define KSCREEN_BUILDER(ID, NAME, TAP, INPUT, IDLE, BUILDER) [ID] = BUILDER,
    KFLOW_SCREENS(KSCREEN_BUILDER)
#undef KSCREEN_BUILDER
};

void kscreens_build(kview *v, const kui *u, const kflow *f)
{
    assert(f->screen >= 0 && f->screen < KS_COUNT);
    kview_begin(v, kflow_screen_name(f->screen), u->w, u->h, u->lang);
    builders[f->screen >= 0 && f->screen < KS_COUNT ? f->screen : KS_ERROR](v, u, f);
    kw_still_there(v, u, f);
    kw_pressed(v, u);
    kview_finish(v, u);
}
