#!/usr/bin/env python3
"""A language added to the kiosk's LINGUAS, with its catalog, is accepted as
a survey column with no change to the code (issue 14, item 6): staff add
Spanish, write a survey with an "es" column, and a Spanish reader sees it.

    survey_languages.py KIOSK ASSETS FONTS
"""
import os
import shutil
import subprocess
import sys

from kiosktest import Checker, fresh_dir, run

SURVEY = (
    "row,key,type,required,options,show_if,en,es,vi\n"
    "survey,idiomas,,,version=1,,Languages,Idiomas,Ngôn ngữ\n"
    "question,back,yesno,yes,,,Will you come back?,¿Vas a volver?,Bạn sẽ quay lại chứ?\n"
)

ES_PO = '''msgid ""
msgstr ""
"Project-Id-Version: kiosk\\n"
"Language: es\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "language name"
msgid "English"
msgstr "Español"
'''


def main():
    kiosk, assets, fonts = sys.argv[1], sys.argv[2], sys.argv[3]
    c = Checker()
    work = fresh_dir("kiosk-langs-")
    mine = os.path.join(work, "assets")
    os.makedirs(os.path.join(mine, "surveys"))
    shutil.copytree(os.path.join(assets, "po"), os.path.join(mine, "po"))
    os.symlink(os.path.abspath(fonts), os.path.join(work, "fonts"))
    with open(os.path.join(mine, "po", "es.po"), "w", encoding="utf-8") as f:
        f.write(ES_PO)
    with open(os.path.join(mine, "po", "LINGUAS"), "a", encoding="utf-8") as f:
        f.write("es\n")
    survey = os.path.join(mine, "surveys", "idiomas.csv")
    with open(survey, "w", encoding="utf-8") as f:
        f.write(SURVEY)

    # The shipped languages do not include Spanish: the column is refused,
    # and the message lists the languages this kiosk has.
    p = run(kiosk, "--assets", assets, "survey", "check", survey, check=False)
    c.check(p.returncode == 1 and 'unknown column "es"' in p.stdout
            and "language of this kiosk: en, vi" in p.stdout,
            f"without es in LINGUAS the column is named as unknown: {p.returncode} {p.stdout!r}")

    # With es in LINGUAS the same file passes; missing columns of the other
    # languages are warnings about those languages, not about es.
    p = run(kiosk, "--assets", mine, "survey", "check", survey, check=False)
    c.check('"es"' not in p.stdout and "error" not in p.stdout and "no es column" not in p.stdout,
            f"with es in LINGUAS the file has no error: {p.returncode} {p.stdout!r}")
    c.check("no ko column" in p.stdout, f"the other languages are still checked: {p.stdout!r}")

    # The kiosk serves it: a Spanish reader picks Español and reads Spanish.
    data = fresh_dir()
    run(kiosk, "--assets", mine, "--data", data, "event", "add", "Taller", "--program",
        "workshop", "--survey", "idiomas")
    p = run(kiosk, "--assets", mine, "--data", data, check=False,
            script="expect screen welcome\ntap lang-es\ntap btn-new\ntype Ana\n"
                   "tap btn-submit\nexpect screen survey\nexpect text ¿Vas a volver?\n")
    c.check(p.returncode == 0, f"the survey shows its Spanish text: {p.stdout}\n{p.stderr}")

    # A broken LINGUAS does not take the surveys down: the built-in
    # languages stay and the kiosk says what is wrong.
    with open(os.path.join(mine, "po", "LINGUAS"), "a", encoding="utf-8") as f:
        f.write("es\n")
    p = run(kiosk, "--assets", mine, "survey", "check",
            os.path.join(assets, "surveys", "general-interest.csv"), check=False)
    c.check(p.returncode == 0, f"a shipped survey still passes: {p.stdout!r} {p.stderr!r}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
