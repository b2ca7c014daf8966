/*
 * display.c - the video driver check and log lines (see display.h).
 */
#include "display.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHAT_TO_DO                                                                   \
    "start it from a desktop session, or on a Raspberry Pi console with KMS "        \
    "(SDL_VIDEODRIVER=kmsdrm, as a user in the video, render and input groups, "     \
    "no desktop holding the screen), or as the service: sudo systemctl start kiosk"

/* Non-zero if the driver draws nowhere a person can see. */
static int invisible(const char *driver)
{
    return strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0;
}

int kdisplay_check(kerr *err)
{
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!driver)
        return kerr_set(err, KERR_IO, "no display found (SDL has no video driver): " WHAT_TO_DO);
    fprintf(stderr, "kiosk: video driver %s\n", driver);
    if (!invisible(driver))
        return 0;
    const char *allow = getenv("KIOSK_ALLOW_NO_DISPLAY");
    if (allow && strcmp(allow, "1") == 0) {
        fprintf(stderr, "kiosk: warning: the '%s' driver shows nothing; running anyway "
                        "because KIOSK_ALLOW_NO_DISPLAY=1 (tests only)\n", driver);
        return 0;
    }
    return kerr_set(err, KERR_IO,
                    "no display found: SDL's '%s' video driver would run the kiosk where "
                    "nobody can see it; " WHAT_TO_DO " (--replay runs it headless)",
                    driver);
}

int kdisplay_init_failed(kerr *err)
{
    return kerr_set(err, KERR_IO, "no display found: SDL_Init: %s; " WHAT_TO_DO,
                    SDL_GetError());
}

void kdisplay_log_renderer(SDL_Renderer *r)
{
    SDL_RendererInfo info;
    int w = 0, h = 0;
    if (!r || SDL_GetRendererInfo(r, &info) != 0)
        return;
    SDL_GetRendererOutputSize(r, &w, &h);
    fprintf(stderr, "kiosk: renderer %s (%s%s), %dx%d\n", info.name,
            info.flags & SDL_RENDERER_ACCELERATED ? "accelerated" : "software",
            info.flags & SDL_RENDERER_PRESENTVSYNC ? ", vsync" : "", w, h);
}
