/*
 * render.h - draws a kview with SDL (the only place view ops meet pixels).
 */
#ifndef KIOSK_RENDER_H
#define KIOSK_RENDER_H

#include <SDL2/SDL.h>

#include "text.h"
#include "view.h"

/* Clears the target and draws every op of v. */
void krender_view(SDL_Renderer *r, ktext *t, const kview *v);

/* Reads the renderer's pixels (call before SDL_RenderPresent) and writes a
 * PNG file; 0 on success, else KERR_IO with the reason in err. */
int krender_png(SDL_Renderer *r, int w, int h, const char *path, kerr *err);

#endif
