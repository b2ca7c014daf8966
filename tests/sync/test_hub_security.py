#!/usr/bin/env python3
"""Attacks on the hub and careless use of it (issue 9, sync half).

Each scenario is what an attacker or a careless operator would do, and
checks what the hub must do instead (sync/PROTOCOL.md "Security model"):

  token_binding      a fresh token claims another kiosk's device id
  coverage_earned    a batch claims [1, 2^53-1] with three records
  record_ids         a paired device stores another kiosk's record ids first
  bundle_origin      unsigned, unpaired, re-checksummed and foreign bundles
  strict_json        1.0, 1e1, 2^53+1, \\u0000 and bad UTF-8 in a batch
  auth_before_body   250 unauthenticated 4 MiB uploads (peak RSS of the hub)
  connections        per-IP limit, 1,100 held connections, header timeout
  ambiguous_length   two Content-Lengths, Content-Length + Transfer-Encoding
  import_refuses     FIFO, device, folder, 600 MB file given to import
  private_files      store, -wal, -shm, bundles 0600 and folders 0700 (umask 0)
  secrets            token on stdin for pairing, printed once to stdout
  migration          a schema-1 hub store (tests/sync/fixtures/hub_v1.sql)

Every hub is a real kiosk-hub on 127.0.0.1 (helpers from test_sync_e2e).
Usage: test_hub_security.py --hub PATH --tool PATH [--kiosk PATH] [only...]
"""
import argparse
import http.client
import json
import os
import resource
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_sync_e2e as e2e  # noqa: E402
import hubdb  # noqa: E402
from test_sync_e2e import Env, check, fixture, make_batch, post, pair_direct, sync, hub_cmd, add_device  # noqa: E402,E501

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def device_of(kdir):
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"))
    d = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    db.close()
    return d


def q(store, sql, *args):
    db = hubdb.connect(store)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def raw(port, data, wait=2.0, src="127.0.0.1"):
    """Sends raw bytes, returns everything the hub answers until it closes."""
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.settimeout(wait)
    out = b""
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return out


# ---- 1. sync trust model -------------------------------------------------------

def t_token_binding():
    env = Env(people=5)
    try:
        hub = env.hub()
        env.pair(hub)
        check(sync(env.kdir)[0] == 0, "kiosk a pairs and syncs")
        dev_a = device_of(env.kdir)
        token_b = add_device(env.store, "kiosk-b")
        # a fresh token claims kiosk a's device id: at pairing ...
        s, j = pair_direct(hub, token_b, dev_a)
        check(s == 403 and "kiosk-a" in j["error"]["message"], f"pairing with a held id: 403 ({s} {j})")
        # ... or straight with a batch (today: bound on first use, accepted)
        b = make_batch(env.kdir, 0, 3)
        b["records"][0]["id"] = os.urandom(16).hex()
        s, j = post(hub, json.dumps(b).encode(), token_b)
        check(s == 403 and j["error"]["code"] == "not_paired", f"batch with an unpaired token: 403 ({s} {j})")
        # paired with its own kiosk, the token still cannot speak for a
        kb = os.path.join(env.dir, "kiosk-b")
        fixture(kb, "--people", "1")
        env.pair(hub, kb, token_b)
        s, j = post(hub, json.dumps(b).encode(), token_b)
        check(s == 403 and j["error"]["code"] == "forbidden", f"batch for another id: 403 ({s} {j})")
        n = q(env.store, "SELECT count(*) FROM records WHERE device_id = ?", dev_a)[0][0]
        check(n == 11, f"kiosk a's records untouched ({n})")
        # the same kiosk, re-paired after its token was revoked, keeps its id
        check(hub_cmd(env.store, "device", "revoke", "kiosk-a")[0] == 0, "revoke kiosk-a")
        token_a2 = add_device(env.store, "kiosk-a2")
        env.pair(hub, env.kdir, token_a2)
        fixture(env.kdir, "--people", "1")
        rc, out, err = sync(env.kdir)
        check(rc == 0 and "0 waiting" in out, f"re-paired kiosk syncs on under its id ({out} {err})")
    finally:
        env.close()


def t_coverage_earned():
    env = Env(people=5)     # 11 records: seq 1..11
    try:
        hub = env.hub()
        env.pair(hub)
        b = make_batch(env.kdir, 0, 3)
        b["seq_to"] = 2 ** 53 - 1
        b["records"][2]["seq"] = 2 ** 53 - 1
        b["records"][2]["id"] = os.urandom(16).hex()
        s, j = post(hub, json.dumps(b).encode(), env.token)
        check(s == 200 and j["acked_seq"] == 2, f"claim of [1, 2^53-1] with 3 records: acked 2 ({s} {j})")
        rc, out, err = sync(env.kdir)
        check(rc == 0 and "0 waiting" in out, f"kiosk then sends the rest ({out.strip()} {err.strip()[-200:]})")
        held = q(env.store, "SELECT count(*) FROM records WHERE device_id = ? AND seq <= 11", device_of(env.kdir))
        check(held[0][0] == 11, f"'0 waiting' is true: the hub holds all 11 ({held})")
        e2e.check_promises(env.store, env.kdir, "coverage", complete=True)
    finally:
        env.close()


def t_record_ids():
    env = Env(people=2)
    try:
        hub = env.hub()
        env.pair(hub)
        check(sync(env.kdir)[0] == 0, "kiosk a syncs")
        fixture(env.kdir, "--people", "2", "--person", "Lan,Tran,408-555-0199,")
        token_b = add_device(env.store, "kiosk-b")
        kb = os.path.join(env.dir, "kiosk-b")
        fixture(kb, "--people", "1")
        env.pair(hub, kb, token_b)
        # kiosk b sends kiosk a's waiting records first, phones altered
        dev_b = device_of(kb)
        forged = make_batch(env.kdir, 5, 100)
        forged["device_id"] = dev_b
        first = 100
        for i, r in enumerate(forged["records"]):
            r["seq"] = first + i
            if r["table"] == "people":
                r["fields"]["phone"] = "555-6666"
        forged["seq_from"], forged["seq_to"] = first, first + len(forged["records"]) - 1
        s, j = post(hub, json.dumps(forged).encode(), token_b)
        check(s == 200, f"kiosk b's forged batch is stored under kiosk b ({s} {j})")
        rc, out, err = sync(env.kdir)
        check(rc == 0 and "sent 6 records" in out, f"kiosk a's records are stored, not 'duplicates' ({out.strip()})")
        dev_a = device_of(env.kdir)
        phones = q(env.store, "SELECT json_extract(fields, '$.phone') FROM records WHERE device_id = ?"
                   " AND json_extract(fields, '$.given') = 'Lan'", dev_a)
        check(phones == [("408-555-0199",)], f"kiosk a's Lan keeps her phone ({phones})")
        rc, out, err = sync(env.kdir)
        n = q(env.store, "SELECT count(*) FROM records WHERE device_id = ?", dev_a)[0][0]
        check(rc == 0 and n == 11, f"a re-send stays exactly-once ({n})")
        ev = q(env.store, "SELECT id FROM records WHERE device_id = ? AND tbl = 'events'", dev_a)[0][0]
        out = os.path.join(env.dir, "a.csv")
        rc, _, err = hub_cmd(env.store, "export", "--event", ev, "--format", "csv", "-o", out)
        rows = e2e.hub_csv(out)
        lan = sorted(r[6] for r in rows if r[4] == "Lan")
        check(rc == 0 and lan == ["408-555-0199", "555-6666"],
              f"export: kiosk a's Lan with her phone; kiosk b's copy is kiosk b's own row ({lan} {err})")
    finally:
        env.close()


def rewrite_bundle(data, header=None, drop_sig=False, fix_checksum=False):
    """Edits a bundle's bytes as an attacker could, recomputing its checksum."""
    import hashlib
    lines = data.split(b"\n")[:-1]
    end = [i for i, l in enumerate(lines) if l.startswith(b"END ")][0]
    if header:
        lines[0] = header
    body = b"\n".join(lines[:end]) + b"\n"
    tail = lines[end + 1:]
    if drop_sig:
        tail = []
    endline = b"END %d " % (end - 1) + hashlib.sha256(body).hexdigest().encode() if fix_checksum else lines[end]
    return body + endline + b"\n" + b"".join(t + b"\n" for t in tail)


def t_bundle_origin():
    env = Env(people=20)
    try:
        usb = os.path.join(env.dir, "usb")
        hub = env.hub()
        env.pair(hub)
        hub.stop()
        rc, out, err = sync(env.kdir, "export", usb)
        path = out.strip()
        check(rc == 0 and os.path.isdir(usb), f"export makes the folder and a bundle ({err})")
        data = open(path, "rb").read()
        check(b"\nSIG ed25519 " + device_of(env.kdir).encode() in data, "bundle carries the kiosk's signature")
        # altered, checksum recomputed: the signature fails
        alt = os.path.join(env.dir, "alt.kbundle")
        check(b'"is_new":1' in data, "bundle has a check-in to alter")
        open(alt, "wb").write(rewrite_bundle(data.replace(b'"is_new":1', b'"is_new":0', 1), fix_checksum=True))
        rc, _, err = hub_cmd(env.store, "import", alt)
        check(rc == 1 and "bad signature" in err, f"re-checksummed bundle refused ({err.strip()})")
        # an unsigned (version 1) bundle: refused, saying what to do
        v1 = os.path.join(env.dir, "v1.kbundle")
        open(v1, "wb").write(rewrite_bundle(data, header=b"KIOSK-BUNDLE 1", drop_sig=True, fix_checksum=True))
        rc, _, err = hub_cmd(env.store, "import", v1)
        check(rc == 1 and "unsigned bundle" in err and "export again" in err, f"unsigned bundle refused ({err.strip()})")
        # another kiosk with the same device id (a copied kiosk.db) signs with its own key
        kc = os.path.join(env.dir, "copy")
        os.mkdir(kc)
        src = sqlite3.connect(os.path.join(env.kdir, "kiosk.db"))
        dst = sqlite3.connect(os.path.join(kc, "kiosk.db"))
        src.backup(dst)
        src.close()
        dst.execute("DELETE FROM meta WHERE key = 'sync.sign_key'")
        dst.commit()
        dst.close()
        rc, out, _ = sync(kc, "export", os.path.join(env.dir, "usb2"))
        rc, _, err = hub_cmd(env.store, "import", out.strip())
        check(rc == 1 and "bad signature" in err, f"bundle signed by another key refused ({err.strip()})")
        check(q(env.store, "SELECT count(*) FROM records")[0][0] == 0, "refused bundles store nothing")
        rc, _, err = hub_cmd(env.store, "import", path)
        check(rc == 0 and "41 new" in err, f"the kiosk's own bundle is imported ({err.strip()})")
        # a revoked device's bundles are refused
        check(hub_cmd(env.store, "device", "revoke", "kiosk-a")[0] == 0, "revoke")
        rc, _, err = hub_cmd(env.store, "import", path)
        check(rc == 1 and "revoked" in err, f"bundle of a revoked device refused ({err.strip()})")
    finally:
        env.close()


def t_repair_replay():
    """A kiosk's id re-paired under a new token by another machine (a copied
    kiosk.db with its own key): the old kiosk's bundles, signed with the key
    of a revoked token, are refused; the new machine's are taken."""
    env = Env(people=5)
    try:
        hub = env.hub()
        env.pair(hub)
        hub.stop()
        rc, out, err = sync(env.kdir, "export", os.path.join(env.dir, "usb-a"))
        old = out.strip()
        check(rc == 0 and os.path.isfile(old), f"kiosk a writes a bundle ({err})")
        # kiosk a is lost: its token revoked; a copy of its store, with a key
        # of its own, is paired under a new token and takes over the id
        check(hub_cmd(env.store, "device", "revoke", "kiosk-a")[0] == 0, "revoke kiosk-a")
        kc = os.path.join(env.dir, "copy")
        os.mkdir(kc)
        src = sqlite3.connect(os.path.join(env.kdir, "kiosk.db"))
        dst = sqlite3.connect(os.path.join(kc, "kiosk.db"))
        src.backup(dst)
        src.close()
        dst.execute("DELETE FROM meta WHERE key LIKE 'sync.%'")
        dst.commit()
        dst.close()
        token_c = add_device(env.store, "kiosk-c")
        hub = env.hub()
        env.pair(hub, kc, token_c)
        hub.stop()
        check(device_of(kc) == device_of(env.kdir), "the copy holds kiosk a's device id")
        # the old kiosk's bundle: its key belongs to a revoked token
        rc, _, err = hub_cmd(env.store, "import", old)
        check(rc == 1 and ("revoked" in err or "signature" in err),
              f"the revoked kiosk's bundle is refused after the re-pairing ({err.strip()})")
        check(q(env.store, "SELECT count(*) FROM records")[0][0] == 0, "nothing of it is stored")
        # the same bundle with the new key's name in it, re-checksummed: the
        # signature is still the old key's
        data = open(old, "rb").read()
        forged = os.path.join(env.dir, "forged.kbundle")
        open(forged, "wb").write(rewrite_bundle(data, fix_checksum=True))
        rc, _, err = hub_cmd(env.store, "import", forged)
        check(rc == 1, f"a re-checksummed copy is refused too ({err.strip()})")
        # the machine that now holds the id signs with its own key: taken
        rc, out, err = sync(kc, "export", os.path.join(env.dir, "usb-c"))
        rc, _, err = hub_cmd(env.store, "import", out.strip())
        check(rc == 0 and "new" in err, f"the re-paired machine's bundle is imported ({err.strip()})")
    finally:
        env.close()


def t_strict_json():
    env = Env(people=3)
    try:
        hub = env.hub()
        env.pair(hub)
        good = json.dumps(make_batch(env.kdir, 0, 100))
        cases = [
            (good.replace('"seq_from": 1,', '"seq_from": 1.0,', 1), "seq_from: expected an integer, got 1.0"),
            (good.replace('"seq_from": 1,', '"seq_from": 1e0,', 1), "seq_from: expected an integer, got 1e0"),
            (good.replace('"seq": 7,', '"seq": 7.0,', 1), "records[6].seq: expected an integer"),
            (good.replace('"seq_from": 1,', '"seq_from": 9007199254740993,', 1), "beyond 2^53"),
            (good.replace('"given": "', '"given": "A\\u0000', 1), "\\u0000"),
            (None, "not valid UTF-8"),
        ]
        for body, want in cases:
            raw_body = body.encode() if body else good.replace('"given": "', '"given": "\udcff', 1).encode(
                "utf-8", "surrogateescape")
            s, j = post(hub, raw_body, env.token)
            msg = j.get("error", {}).get("message", "")
            check(s == 400 and want in msg, f"refused with 400 naming it: {want!r} ({s} {msg})")
        check(q(env.store, "SELECT count(*) FROM records")[0][0] == 0, "nothing stored")
        bad = q(env.store, "SELECT count(*) FROM records WHERE fields LIKE '%\\u0000%' ESCAPE '!'")[0][0]
        check(bad == 0, "no NUL escape stored")
    finally:
        env.close()


# ---- 2. the hub under load and abuse --------------------------------------------

def vm(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return -1


def t_auth_before_body():
    env = Env(people=1)
    try:
        hub = env.hub()
        pid = hub.proc.pid
        before = vm(pid, "VmRSS")
        body = b"x" * (4 * 1024 * 1024)
        head = (b"POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer khub_" + b"0" * 64 +
                b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        # headers alone: the 401 comes before any body byte is sent
        s = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
        s.sendall(head)
        ans = s.recv(4096)
        s.close()
        check(ans.startswith(b"HTTP/1.1 401"), f"401 before the body ({ans[:60]})")
        for path, want in ((b"/v1/health", b"405"), (b"/v1/nowhere", b"404")):
            s = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
            s.sendall(head.replace(b"/v1/batches", path))
            ans = s.recv(4096)
            s.close()
            check(ans.startswith(b"HTTP/1.1 " + want), f"POST {path}: {want} before the body ({ans[:60]})")
        statuses = []

        def upload():
            c = socket.create_connection(("127.0.0.1", hub.port), timeout=10)
            try:
                c.sendall(head)
                c.sendall(body)
            except OSError:
                pass       # the hub closed after answering: the rest is never read
            try:
                statuses.append(c.recv(64)[:12])
            except OSError:
                statuses.append(b"reset")
            c.close()
        for _ in range(5):     # 250 uploads, 50 at a time
            ts = [threading.Thread(target=upload) for _ in range(50)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(30)
        peak, after = vm(pid, "VmHWM"), vm(pid, "VmRSS")
        print(f"   hub RSS {before} MB before, {after} MB after, peak {peak} MB", flush=True)
        check(len(statuses) == 250, f"250 uploads answered or cut ({len(statuses)})")
        # 50 uploads at a time: a hub that held their bodies would peak over
        # 200 MB.  Under qemu-user (cross builds) the RSS measured is
        # qemu's, which keeps about 1.5 MB of its own per guest thread (the
        # hub runs a thread per connection), so the bound there is higher
        # but still far under the bodies.
        try:
            emulated = "qemu" in os.path.basename(os.readlink(f"/proc/{pid}/exe"))
        except OSError:
            emulated = False
        bound = 150 if emulated else 50
        check(peak < bound, f"the hub never held the bodies: peak RSS {peak} MB < {bound} MB"
              + (" (under qemu)" if emulated else ""))
        c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
        c.request("GET", "/v1/health")
        check(c.getresponse().status == 200, "hub alive")
        c.close()
    finally:
        env.close()


def t_connections():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    env = Env(people=50)
    held = []
    try:
        hub = env.hub()
        # per-IP limit: the 65th connection from one address is closed at once
        for _ in range(70):
            s = socket.socket()
            s.bind(("127.0.0.9", 0))
            s.connect(("127.0.0.1", hub.port))
            s.sendall(b"POST /v1/batches HTTP/1.1\r\n")
            held.append(s)
        time.sleep(0.5)
        closed = 0
        for s in held[64:]:
            s.settimeout(1)
            try:
                closed += s.recv(10) == b""
            except OSError:
                closed += 1
        check(closed == 6, f"per-IP limit: 6 of 70 connections from one address refused ({closed})")
        for s in held:
            s.close()
        held.clear()
        # 1,100 slow connections from 30 addresses (past select()'s 1,024)
        for i in range(1100):
            s = socket.socket()
            s.bind((f"127.0.1.{10 + i % 30}", 0))
            s.connect(("127.0.0.1", hub.port))
            s.sendall(b"POST /v1/batches HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        env.pair(hub)
        t0 = time.time()
        rc, out, err = sync(env.kdir)
        check(rc == 0 and "0 waiting" in out,
              f"a good kiosk syncs while 1,100 slow connections are held ({time.time() - t0:.2f} s; {err.strip()[-200:]})")
        for s in held:
            s.close()
        held.clear()
        # a request that never finishes its headers is dropped (header timeout)
        s = socket.create_connection(("127.0.0.1", hub.port), timeout=20)
        s.sendall(b"POST /v1/batches HTTP/1.1\r\nHost: x\r\n")
        t0 = time.time()
        try:
            got = s.recv(100)
        except OSError:
            got = b""
        waited = time.time() - t0
        s.close()
        check(got == b"" and waited < 15, f"unfinished headers dropped after {waited:.1f} s")
    finally:
        for s in held:
            s.close()
        env.close()


def t_ambiguous_length():
    env = Env(people=1)
    try:
        hub = env.hub()
        env.pair(hub)
        smuggled = b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        auth = b"Authorization: Bearer " + env.token.encode() + b"\r\nContent-Type: application/json\r\n"
        a = raw(hub.port, b"POST /v1/batches HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n12345" + smuggled)
        check(a.startswith(b"HTTP/1.1 400") and a.count(b"HTTP/1.1") == 1,
              f"two Content-Lengths: 400, and nothing after it is read as a request ({a[:80]})")
        a = raw(hub.port, b"POST /v1/batches HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
        check(a.startswith(b"HTTP/1.1 400") and a.count(b"HTTP/1.1") == 1,
              f"Content-Length with Transfer-Encoding: 400, nothing smuggled ({a[:80]})")
        check(b"ambiguous" in a, "the message says why")
    finally:
        env.close()


def t_import_refuses():
    d = tempfile.mkdtemp(prefix="ksync-imp-")
    try:
        store = hubdb.new_store(d)
        fifo = os.path.join(d, "fifo.kbundle")
        os.mkfifo(fifo)
        big = os.path.join(d, "big.kbundle")
        with open(big, "wb") as f:
            f.truncate(600 * 1024 * 1024)
        base_mb = None
        for path, want in ((os.path.join(d, "none.kbundle"), "cannot open"), (fifo, "a FIFO"),
                           ("/dev/zero", "a device"), (d, "a folder"), (big, "larger than")):
            t0 = time.time()
            p = subprocess.Popen([e2e.ARGS.hub, "import", path, "--store", store], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            try:
                _, ru = os.wait4(p.pid, 0)[1:]
            except ChildProcessError:
                ru = None
            err = p.stderr.read()
            p.stdout.close()
            p.stderr.close()
            dt = time.time() - t0
            mb = ru.ru_maxrss / 1024 if ru else -1
            check(want in err and "nothing imported" in err, f"import {os.path.basename(path)}: refused ({err.strip()})")
            if base_mb is None:
                base_mb = mb       # the hub's own size, for a file it cannot even open
                continue
            check(dt < 5 and mb - base_mb < 4,
                  f"   ... at once ({dt:.2f} s) without reading it ({mb - base_mb:+.1f} MB over {base_mb:.1f} MB)")
    finally:
        subprocess.run(["rm", "-rf", d])


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def t_private_files():
    d = tempfile.mkdtemp(prefix="ksync-mode-")
    old = os.umask(0)
    try:
        store = os.path.join(d, "hub", "hub.db")
        token = add_device(store, "kiosk-a")
        check(mode(store) == 0o600, f"hub store created 0600 with umask 0 ({oct(mode(store))})")
        check(mode(os.path.dirname(store)) == 0o700, f"its new folder 0700 ({oct(mode(os.path.dirname(store)))})")
        kdir = os.path.join(d, "kiosk")
        fixture(kdir, "--people", "3")
        h = e2e.Hub(store)
        try:
            p = subprocess.run([e2e.ARGS.tool, "sync", kdir, "pair", h.url], input=token + "\n",
                               capture_output=True, text=True, timeout=60)
            check(p.returncode == 0 and sync(kdir)[0] == 0, "pair and sync")
            for side in ("-wal", "-shm"):
                if os.path.exists(store + side):
                    check(mode(store + side) == 0o600, f"{side} is 0600 ({oct(mode(store + side))})")
        finally:
            h.stop()
        os.mkdir(os.path.join(d, "usb"))
        usb = os.path.join(d, "usb", "bundles")
        fixture(kdir, "--people", "1")
        rc, out, _ = sync(kdir, "export", usb)
        check(rc == 0 and mode(out.strip()) == 0o600 and mode(usb) == 0o700,
              f"bundle 0600 in a new folder 0700 ({oct(mode(out.strip()))} {oct(mode(usb))})")
        # an older store left 0644 is tightened
        os.chmod(store, 0o644)
        hub_cmd(store, "device", "list")
        check(mode(store) == 0o600, f"an existing 0644 store is made 0600 ({oct(mode(store))})")
        xo = os.path.join(d, "att.csv")
        ev = q(store, "SELECT id FROM records WHERE tbl = 'events'")[0][0]
        hub_cmd(store, "export", "--event", ev, "--format", "csv", "-o", xo)
        check(mode(xo) == 0o600, f"hub attendance export 0600 ({oct(mode(xo))})")
    finally:
        os.umask(old)
        subprocess.run(["rm", "-rf", d])


def t_secrets():
    d = tempfile.mkdtemp(prefix="ksync-sec-")
    try:
        store = hubdb.new_store(d)
        p = subprocess.run([e2e.ARGS.hub, "device", "add", "door-1", "--store", store], capture_output=True,
                           text=True)
        token = p.stdout.strip()
        check(p.returncode == 0 and len(token) == 69 and p.stdout.count("khub_") == 1, "token printed once on stdout")
        check("khub_" not in p.stderr, f"token not on stderr ({p.stderr.strip()})")
        log = q(store, "SELECT count(*) FROM devices WHERE token_hash = ?", token)[0][0]
        check(log == 0, "the store keeps only a hash")
        kdir = os.path.join(d, "kiosk")
        fixture(kdir, "--people", "2")
        h = e2e.Hub(store)
        try:
            kiosk = e2e.ARGS.kiosk
            cmd = [kiosk, "--data", kdir, "sync", "pair", h.url] if kiosk else [e2e.ARGS.tool, "sync", kdir, "pair", h.url]
            p = subprocess.run(cmd, input=token + "\n", capture_output=True, text=True, timeout=60)
            check(p.returncode == 0 and "paired with" in p.stdout, f"pair reads the token from stdin ({p.stdout} {p.stderr})")
            check(token not in p.stdout + p.stderr, "pair never echoes the token")
            rc, out, err = sync(kdir)
            check(rc == 0 and "0 waiting" in out, f"then syncs ({err.strip()})")
            p = subprocess.run(cmd, input="", capture_output=True, text=True, timeout=60)
            check(p.returncode == 1 and "no token on standard input" in p.stderr, f"no token: refused ({p.stderr.strip()})")
            check(token not in "".join(h.lines), "hub log never shows the token")
        finally:
            h.stop()
    finally:
        subprocess.run(["rm", "-rf", d])


def t_migration():
    d = tempfile.mkdtemp(prefix="ksync-mig-")
    try:
        meta = json.load(open(os.path.join(FIXTURES, "hub_v1.json")))
        store = os.path.join(d, "hub.db")
        subprocess.run(["sqlite3", store], stdin=open(os.path.join(FIXTURES, "hub_v1.sql")), check=True)
        kdir = os.path.join(d, "kiosk-a")
        os.mkdir(kdir)
        subprocess.run(["sqlite3", os.path.join(kdir, "kiosk.db")],
                       stdin=open(os.path.join(FIXTURES, "hub_v1_kiosk_a.sql")), check=True)
        before = q(store, "SELECT count(*), sum(length(fields)) FROM records")[0]
        rc, out, err = hub_cmd(store, "device", "list")
        check(rc == 0 and q(store, "PRAGMA user_version")[0][0] == 5, f"schema 1 migrated to 5 ({err.strip()})")
        # issue 12: the people held enter the roster kiosks download
        ids = q(store, "SELECT count(DISTINCT id) FROM records WHERE tbl = 'people'")[0][0]
        held = q(store, "SELECT count(*) FROM people_ids")[0][0]
        check(ids > 0 and held == ids, f"every person id held is in people_ids ({held} of {ids})")
        after = q(store, "SELECT count(*), sum(length(fields)) FROM records")[0]
        check(before == after, f"every record kept ({before} -> {after})")
        a, b = meta["device_a"], meta["device_b"]
        cov = dict(q(store, "SELECT device_id, max(hi) FROM coverage WHERE lo <= 1 GROUP BY device_id"))
        check(cov.get(a) == 5 and cov.get(b) == 7,
              f"coverage rebuilt from records: a 5 (its seq 6 and 8 were taken), b 7 not 2^53-1 ({cov})")
        bound = dict(q(store, "SELECT name, coalesce(device_id, '') FROM devices"))
        check(bound["door-a"] == a and bound["door-b"] == b and bound["door-c"] == "",
              f"used tokens stay bound, the unused one waits for pairing ({bound})")
        h = e2e.Hub(store)
        try:
            # the kiosk paired before the change syncs on with the same token
            db = sqlite3.connect(os.path.join(kdir, "kiosk.db"))
            db.execute("UPDATE meta SET value = ? WHERE key = 'sync.url'", (h.url,))
            db.commit()
            db.close()
            rc, out, err = sync(kdir)
            check(rc == 0 and "0 waiting" in out and "sent 4 records" in out,
                  f"kiosk a resends what the old hub dropped ({out.strip()} {err.strip()[-200:]})")
            for rid in meta["stolen_ids"]:
                rows = q(store, "SELECT device_id, json_extract(fields, '$.phone') FROM records WHERE id = ?"
                         " ORDER BY device_id = ?", rid, a)
                check(len(rows) == 2 and rows[1][0] == a and rows[1][1] != "555-9999",
                      f"{rid[:8]}: kiosk a's own copy now held beside b's ({rows})")
            s, j = pair_direct(h, meta["tokens"]["door-c"], os.urandom(16).hex())
            check(s == 200, f"an unused old token pairs ({s} {j})")
            s, j = pair_direct(h, meta["tokens"]["door-d"], os.urandom(16).hex())
            check(s == 401, f"a revoked old token stays revoked ({s})")
        finally:
            h.stop()
    finally:
        subprocess.run(["rm", "-rf", d])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--kiosk")
    ap.add_argument("--pg-uri-file", help="run on PostgreSQL: the test server's URI (hubdb.py)")
    ap.add_argument("only", nargs="*")
    e2e.ARGS = ap.parse_args()
    tests = [t_token_binding, t_coverage_earned, t_record_ids, t_bundle_origin, t_repair_replay,
             t_strict_json,
             t_auth_before_body, t_connections, t_ambiguous_length, t_import_refuses, t_private_files,
             t_secrets, t_migration]
    if e2e.ARGS.pg_uri_file:
        hubdb.use_postgresql(e2e.ARGS.pg_uri_file)
        # file modes and the schema-1 file are the SQLite store's; the
        # PostgreSQL store's old-format path is `kiosk-hub copy`
        # (test_hub_pg_multi.py t_copy)
        for t in (t_private_files, t_migration):
            tests.remove(t)
            print(f"-- {t.__name__}: SQLite only (the store file)", flush=True)
    try:
        for t in tests:
            if e2e.ARGS.only and t.__name__ not in e2e.ARGS.only:
                continue
            print("--", t.__name__, flush=True)
            start = time.time()
            try:
                t()
            except Exception as ex:
                check(False, f"{t.__name__} raised {type(ex).__name__}: {ex}")
            print(f"   {time.time() - start:.1f} s", flush=True)
    finally:
        hubdb.drop_all()
    print(f"{e2e.PASSED} passed, {e2e.FAILED} failed")
    return 1 if e2e.FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
