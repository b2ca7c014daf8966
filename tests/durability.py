#!/usr/bin/env python3
"""Durability: kill the kiosk with SIGKILL right after `done` appears and at
random moments during a run of sign-ups; every sign-in that reached `done`
must be in the database, checked in, and PRAGMA integrity_check must say ok.

    durability.py KIOSK [ROUNDS]
"""
import os
import random
import signal
import subprocess
import sys
import time

from kiosktest import ENV, Checker, checked_in, fresh_dir, integrity, run, signup_block, stored_people


def one_round(kiosk, data, rnd, mode, rng, c):
    script = "".join(signup_block(f"Durable{rnd}x{i}") for i in range(40))
    p = subprocess.Popen([kiosk, "--replay", "-", "--data", data, "--trace", "--size", "800x480"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, env=ENV)
    p.stdin.write(script)
    p.stdin.close()
    # after-done: the moment the thank-you shows; random: after a random
    # number of screen changes plus a few milliseconds, mid-write or not.
    kill_after = 1 + rnd % 3 if mode == "after-done" else rng.randint(1, 110)
    lines = 0
    done = []
    for line in p.stdout:
        lines += 1
        if line.startswith("done "):
            done.append(line.split()[1])
        if mode == "after-done" and line.startswith("done ") and len(done) == kill_after:
            p.send_signal(signal.SIGKILL)
        elif mode == "random" and lines == kill_after:
            time.sleep(rng.uniform(0, 0.004))
            p.send_signal(signal.SIGKILL)
    p.wait()
    return done, p.returncode


def main():
    kiosk = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    rng = random.Random(20261129)
    c = Checker()
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Durability night", "--program", "general")
    all_done = []
    killed = 0
    for rnd in range(rounds):
        mode = "after-done" if rnd % 2 == 0 else "random"
        done, rc = one_round(kiosk, data, rnd, mode, rng, c)
        killed += rc == -signal.SIGKILL
        all_done += done
        people = stored_people(data)
        ins = checked_in(data)
        missing = [d for d in all_done if d not in people or d not in ins]
        c.check(not missing, f"round {rnd} ({mode}): sign-ins that reached done are missing: {missing}")
        c.check(integrity(data) == "ok", f"round {rnd}: integrity_check is not ok")
        # Nothing half-stored: every person has their check-in.
        c.check(set(people) <= ins, f"round {rnd}: a person was stored without a check-in")
    c.check(killed == rounds, f"only {killed} of {rounds} runs were killed: the test did not test")
    c.check(len(all_done) > 0, "no sign-in reached done")
    print(f"{rounds} rounds, {killed} killed, {len(all_done)} sign-ins reached done, all stored")
    # The kiosk starts cleanly on the database after all that.
    run(kiosk, "--data", data, script="expect screen welcome\n")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
