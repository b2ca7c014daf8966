#!/usr/bin/env python3
"""Words under the faces of a scale question come from the survey file
(five choice rows keyed 1 to 5), in the person's language, with English
where a cell is empty; a survey without them shows the catalogs' words;
a file with only some of the five is refused by `kiosk survey check`.

    survey_faces.py KIOSK ASSETS FONTS
"""
import os
import shutil
import sys

from kiosktest import Checker, fresh_dir, run

LANGS = "en,vi,zh-Hans,zh-Hant,ko,tl,km,lo,ja"
WORDS = [
    "choice,1,,,,,Awful,Tệ lắm,糟透了,糟透了,최악이에요,Ang pangit,អាក្រក់ណាស់,ແຍ່ຫຼາຍ,最悪",
    "choice,2,,,,,Meh,Không vui,不太好,不太好,별로예요,Hindi masaya,មិនសូវល្អ,ບໍ່ຄ່ອຍດີ,いまいち",
    "choice,3,,,,,Okay,Bình thường,一般,一般,보통이에요,Okay lang,ធម្មតា,ທຳມະດາ,ふつう",
    "choice,4,,,,,Good,Vui,好,好,좋아요,Masaya,ល្អ,ດີ,いい",
    "choice,5,,,,,Great,Rất vui,很好,很好,최고예요,Napakasaya,ល្អណាស់,,最高",
]


def survey(key, words):
    q = "How do you feel?"
    return "\n".join(["row,key,type,required,options,show_if," + LANGS,
                      "survey,%s,,,version=1,,%s" % (key, ",".join(["Faces"] * 9)),
                      "question,mood,scale,no,,,%s" % ",".join([q] * 9)] + words) + "\n"


def main():
    kiosk, assets, fonts = sys.argv[1:4]
    c = Checker()
    work = fresh_dir("kiosk-faces-")
    mine = os.path.join(work, "assets")
    os.makedirs(os.path.join(mine, "surveys"))
    shutil.copytree(os.path.join(assets, "po"), os.path.join(mine, "po"))
    os.symlink(os.path.abspath(fonts), os.path.join(work, "fonts"))
    with open(os.path.join(mine, "surveys", "faces.csv"), "w", encoding="utf-8") as f:
        f.write(survey("faces", WORDS))
    bad = os.path.join(work, "three.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(survey("three", WORDS[:3]))
    p = run(kiosk, "survey", "check", bad, check=False)
    c.check(p.returncode == 1 and "three.csv:3:1:" in p.stdout and "words under 3 of its five faces"
            in p.stdout, f"three words of five are refused, naming the row: {p.stdout!r}")

    to_survey = "tap btn-new\ntap field-given\ntype Ana\ntap btn-submit\nexpect screen survey\n"
    data = fresh_dir()
    run(kiosk, "--assets", mine, "--data", data, "event", "add", "Night", "--program",
        "general", "--survey", "faces")
    for lang, seen, unseen in (("vi", ["Tệ lắm", "Rất vui"], ["Rất không vui"]),
                               ("km", ["អាក្រក់ណាស់", "ល្អណាស់"], []),
                               ("lo", ["ແຍ່ຫຼາຍ", "Great"], []),     # empty cell: English
                               ("en", ["Awful", "Great"], ["Very unhappy"])):
        script = to_survey + "".join("expect text %s\n" % w for w in seen) + \
            "".join("expect no-text %s\n" % w for w in unseen) + "tap choice-5\ntap btn-next\n" \
            "expect screen done\n"
        p = run(kiosk, "--assets", mine, "--data", data, "--lang", lang, "--size", "800x480",
                check=False, script=script)
        c.check(p.returncode == 0, f"{lang}: the survey's own words under the faces: {p.stderr}")
    # Without words in the file, the catalogs' words, in the person's language.
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Camp", "--program", "youth",
        "--survey", "youth-bootcamp-daily")
    p = run(kiosk, "--data", data, "--lang", "vi", check=False,
            script=to_survey + "expect text Rất không vui\nexpect no-text Tệ lắm\n")
    c.check(p.returncode == 0, f"no words in the file: the catalog's: {p.stderr}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
