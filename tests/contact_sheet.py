#!/usr/bin/env python3
"""One contact sheet per language and size: every screen on one image.

    contact_sheet.py SHOTS_DIR OUT_DIR LANG SIZE

Tiles the screenshots the text_floors run took for LANG at SIZE
(SHOTS_DIR/NAME-LANG-SIZE/*.png, in the order of the tours) into
OUT_DIR/contact-LANG-SIZE.png, each with its file name under it, so a
person can look at every screen of a language in a minute.  Fails when a
tour left no screenshot.
"""
import os
import sys

from PIL import Image, ImageDraw

TOURS = ["tour", "staff-tour", "survey-tour", "survey-general", "survey-parent",
         "survey-bootcamp"]


def main():
    shots, out_dir, lang, size = sys.argv[1:5]
    files = []
    for tour in TOURS:
        d = os.path.join(shots, "%s-%s-%s" % (tour, lang, size))
        if not os.path.isdir(d) or not any(f.endswith(".png") for f in os.listdir(d)):
            print("no screenshots in %s (run the text_floors test first)" % d)
            return 1
        files += [(tour, os.path.join(d, f)) for f in sorted(os.listdir(d))
                  if f.endswith(".png")]
    w, h = (int(x) for x in size.split("x"))
    scale = 0.5 if w * h > 500000 else 0.6
    tw, th = int(w * scale), int(h * scale)
    cols = 6 if w > h else 8
    label_h, pad = 22, 12
    rows = (len(files) + cols - 1) // cols
    sheet = Image.new("RGB", (pad + cols * (tw + pad), pad + rows * (th + label_h + pad)),
                      (60, 64, 70))
    draw = ImageDraw.Draw(sheet)
    for i, (tour, path) in enumerate(files):
        im = Image.open(path).convert("RGB").resize((tw, th), Image.LANCZOS)
        x = pad + (i % cols) * (tw + pad)
        y = pad + (i // cols) * (th + label_h + pad)
        sheet.paste(im, (x, y))
        draw.text((x, y + th + 4), "%s/%s" % (tour, os.path.basename(path)),
                  fill=(235, 235, 235))
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "contact-%s-%s.png" % (lang, size))
    sheet.save(out, optimize=False)
    print("%s: %d screens" % (out, len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
