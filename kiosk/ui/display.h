/*
 * display.h - the display the kiosk got, said out loud: no invisible kiosk.
 *
 * With no desktop and no KMS device, SDL quietly picks its "offscreen"
 * driver (or "dummy" when asked) and a full-screen window "opens" that
 * nobody can see: people would walk up to a dark screen while the log looks
 * healthy.  Outside --replay the kiosk therefore logs the video driver and
 * renderer it got and refuses those two drivers, naming what to do.
 *
 * Escape hatch for tests and benchmarks that need the real loop without a
 * screen: KIOSK_ALLOW_NO_DISPLAY=1 in the environment lets them through,
 * with a warning in the log.  Nothing a person starts sets it.
 */
#ifndef KIOSK_DISPLAY_H
#define KIOSK_DISPLAY_H

#include <SDL2/SDL.h>

#include "kerr.h"

/* After SDL_Init(SDL_INIT_VIDEO): logs the driver; KERR_IO with a message
 * for a driver that shows nothing (unless KIOSK_ALLOW_NO_DISPLAY=1). */
int kdisplay_check(kerr *err);

/* SDL_Init(SDL_INIT_VIDEO) failed: the reason, and what to do. */
int kdisplay_init_failed(kerr *err);

/* Logs the renderer the window got (name, accelerated or software, size). */
void kdisplay_log_renderer(SDL_Renderer *r);

#endif
