#!/usr/bin/env python3
"""Survey answers are records, stored as they are given: the check-in is
stored before the survey starts, each answer when the person moves on, so
walking away mid-survey loses nothing already answered; the language shown
is stored with each answer.

    survey_store.py KIOSK
"""
import sys

from kiosktest import Checker, db, fresh_dir, run


def answers(data):
    with db(data) as c:
        return [dict(zip(("person", "survey", "version", "question", "value", "lang"), r))
                for r in c.execute("SELECT person_id, survey_key, survey_version, question_key,"
                                   " value, lang FROM answers ORDER BY seq")]


def main():
    kiosk = sys.argv[1]
    c = Checker()
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Bootcamp Day 1", "--program", "summer bootcamp",
        "--survey", "youth-bootcamp-daily")
    # Walks away after the first answer, with the second typed but not sent.
    run(kiosk, "--data", data, script="tap btn-new\ntype Malia\ntap btn-submit\n"
        "expect screen survey\ntap choice-5\ntap btn-next\ntype robotics\nwait 62000\n"
        "expect screen welcome\n")
    a = answers(data)
    c.check([(x["question"], x["value"]) for x in a] == [("feeling", "5")],
            f"the answer given is stored, the one not sent is not: {a}")
    c.check(a and a[0]["survey"] == "youth-bootcamp-daily" and a[0]["version"] == 1,
            f"survey key and version are stored: {a}")
    with db(data) as con:
        n = con.execute("SELECT count(*) FROM checkins").fetchone()[0]
        ids = con.execute("SELECT id, device_id, seq, wall_ms, boot_id FROM answers").fetchall()
    c.check(n == 1, "the check-in was stored before the survey")
    c.check(all(len(i[0]) == 32 and i[1] and i[2] > 0 and i[3] > 0 and i[4] for i in ids),
            f"answers are records with id, device, sequence, time and boot: {ids}")
    # In Korean, to the end: every answer with the language shown.
    run(kiosk, "--data", data, script="tap lang-ko\ntap btn-new\ntap field-given\ntype 지민\ntap btn-submit\n"
        "tap choice-4\ntap btn-next\ntype 코딩\ntap btn-next\ntap choice-yes\ntap btn-next\n"
        "expect screen done\n")
    a = answers(data)[1:]
    c.check([(x["question"], x["value"], x["lang"]) for x in a] ==
            [("feeling", "4", "ko"), ("learn", "코딩", "ko"), ("talk", "yes", "ko")],
            f"every answer in order with its language: {a}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
