#!/usr/bin/env python3
"""End-to-end and fault tests of kiosk sync against a real kiosk-hub.

Every hub listens on 127.0.0.1 with a port the kernel picks (--listen
127.0.0.1:0; the hub prints its URL as its first log line).  Kiosks are
fixture databases made by ksync-tool with the schema of kiosk/core/store.h;
`ksync-tool sync DIR ...` runs the same code as `kiosk sync ...`.

After every fault the test checks the three promises of the issue:
  * the hub holds every record once (count == distinct ids, and what it
    acknowledges it holds);
  * the kiosk still holds every record the hub has not acknowledged (the
    kiosk's own records are all still there and its acked_seq is never
    above the hub's);
  * a later sync completes (then hub and kiosk agree on every record).

Some batches are built here in Python from the kiosk database, as a second,
independent implementation of sync/PROTOCOL.md.

Every loop is bounded in count and time; every child process is ended.
Standard library only.  Usage: test_sync_e2e.py --hub PATH --tool PATH
"""
import argparse
import csv
import http.client
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import hubdb

ARGS = None
PASSED = 0
FAILED = 0
DEVICE_BOOT = "0b0b0b0b-0000-4000-8000-000000000001"


def check(cond, what):
    """Counts a check; prints the failures."""
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("  FAILED: " + what, flush=True)


class Hub:
    """A kiosk-hub serve process on 127.0.0.1:0, with its log lines."""

    def __init__(self, store, *extra):
        self.store = store
        self.lines = []
        self.proc = subprocess.Popen(
            [ARGS.hub, "serve", "--store", store, "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            raise RuntimeError("hub did not start: " + self.proc.stderr.read())
        first = json.loads(line)
        self.url = first["url"]
        u = urllib.parse.urlparse(self.url)
        self.port = u.port
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        # stderr is drained too: a hub blocked on a full pipe would hang
        self.errors = []
        self.err_reader = threading.Thread(target=self._read_err, daemon=True)
        self.err_reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def _read_err(self):
        for line in self.proc.stderr:
            if len(self.errors) < 1000:
                self.errors.append(line)

    def batch_logs(self):
        out = []
        for line in list(self.lines):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("event") == "batch":
                out.append(j)
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def run(*cmd, timeout=60):
    """Runs a command; returns (exit code, stdout, stderr)."""
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def tool(*args, timeout=60):
    return run(ARGS.tool, *args, timeout=timeout)


def hub_cmd(store, *args):
    return run(ARGS.hub, *args, "--store", store)


def add_device(store, name):
    rc, out, err = hub_cmd(store, "device", "add", name)
    assert rc == 0, err
    return out.strip()


def fixture(kdir, *args):
    rc, out, err = tool("fixture", kdir, *args)
    assert rc == 0, err
    return out.strip()


def kiosk_db(kdir):
    return sqlite3.connect(os.path.join(kdir, "kiosk.db"), timeout=10)


def kiosk_state(kdir):
    """(device_id, number of own records, acked_seq, max seq) of a kiosk."""
    db = kiosk_db(kdir)
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    dev = meta["device_id"]
    n, mx = 0, 0
    for t in ("events", "people", "checkins"):
        c, m = db.execute(f"SELECT count(*), coalesce(max(seq), 0) FROM {t} WHERE device_id = ?",
                          (dev,)).fetchone()
        n += c
        mx = max(mx, m)
    db.close()
    return dev, n, int(meta.get("sync.acked_seq", "0") or 0), mx


def hub_state(store, device_id=None):
    """(records, distinct ids, acked of device) on the hub."""
    db = hubdb.connect(store)
    n, d = db.execute("SELECT count(*), count(DISTINCT device_id || id) FROM records").fetchone()
    acked = 0
    if device_id:
        acked = db.execute("SELECT coalesce(max(hi), 0) FROM coverage WHERE device_id = ? AND lo <= 1",
                           (device_id,)).fetchone()[0]
    db.close()
    return n, d, acked


def check_promises(store, kdir, what, complete=False):
    """The three promises after a fault (see the module comment)."""
    dev, kn, kacked, kmax = kiosk_state(kdir)
    n, d, hacked = hub_state(store, dev)
    check(n == d, f"{what}: hub holds each record once ({n} rows, {d} ids)")
    check(kacked <= hacked, f"{what}: kiosk acked {kacked} <= hub acked {hacked}")
    db = hubdb.connect(store)
    held = db.execute("SELECT count(*) FROM records WHERE device_id = ? AND seq <= ?",
                      (dev, hacked)).fetchone()[0]
    db.close()
    check(held == hacked, f"{what}: hub holds all {hacked} records it acknowledges (has {held})")
    if complete:
        check(kacked == kmax, f"{what}: kiosk acked {kacked} == its last seq {kmax}")
        check(held == kn, f"{what}: hub holds all {kn} kiosk records (has {held})")


def kiosk_records(kdir, after, limit):
    """This kiosk's records with seq > after, as protocol record objects."""
    db = kiosk_db(kdir)
    db.row_factory = sqlite3.Row
    dev = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    recs = []
    stamps = {"id", "device_id", "seq", "wall_ms", "boot_id", "mono_ms", "name_key"}
    for t in ("events", "people", "checkins"):
        for row in db.execute(f"SELECT * FROM {t} WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                              (dev, after, limit)):
            recs.append({"table": t, "id": row["id"], "seq": row["seq"], "wall_ms": row["wall_ms"],
                         "boot_id": row["boot_id"], "mono_ms": row["mono_ms"],
                         "fields": {k: row[k] for k in row.keys() if k not in stamps}})
    db.close()
    recs.sort(key=lambda r: r["seq"])
    return dev, recs[:limit]


def make_batch(kdir, after, limit):
    """A batch of the kiosk's records after seq `after` (Python encoder)."""
    dev, recs = kiosk_records(kdir, after, limit)
    return {"protocol": 1, "device_id": dev, "batch_id": os.urandom(16).hex(),
            "seq_from": after + 1, "seq_to": recs[-1]["seq"],
            "sent": {"wall_ms": int(time.time() * 1000), "mono_ms": 10 ** 7, "boot_id": DEVICE_BOOT},
            "records": recs}


def post(hub, body, token, ctype="application/json"):
    """POSTs bytes to /v1/batches; returns (status, parsed JSON body)."""
    c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
    try:
        c.request("POST", "/v1/batches", body=body,
                  headers={"Authorization": "Bearer " + token, "Content-Type": ctype})
        r = c.getresponse()
        data = r.read()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, {"raw": data.decode(errors="replace")}
    finally:
        c.close()


def pair_direct(hub, token, device_id):
    """POST /v1/pair as a kiosk does (with a throwaway bundle key); returns
    (status, parsed JSON body)."""
    c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
    try:
        body = json.dumps({"protocol": 1, "device_id": device_id, "public_key": os.urandom(32).hex()})
        c.request("POST", "/v1/pair", body=body,
                  headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def hub_csv(path):
    """The records of a hub CSV export, checked to start with the UTF-8
    byte-order mark and end every record with CRLF, as the kiosk's own."""
    raw = open(path, "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n"), f"{path}: BOM and CRLF")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), strict=True))


FIXED = ["checked_in", "event", "program", "event_date", "given", "family", "phone", "email", "zip",
         "status"]


def sync(kdir, *extra, timeout=60):
    return tool("sync", kdir, *extra, timeout=timeout)


class Env:
    """A temporary folder with a hub store, a token and a kiosk fixture."""

    def __init__(self, people=100, name="kiosk-a"):
        self.dir = tempfile.mkdtemp(prefix="ksync-e2e-")
        self.store = hubdb.new_store(self.dir)
        self.token = add_device(self.store, name)
        self.kdir = os.path.join(self.dir, name)
        self.event = fixture(self.kdir, "--people", str(people))
        self.hubs = []

    def hub(self, *extra):
        h = Hub(self.store, *extra)
        self.hubs.append(h)
        return h

    def pair(self, hub, kdir=None, token=None):
        p = subprocess.run([ARGS.tool, "sync", kdir or self.kdir, "pair", hub.url],
                           input=(token or self.token) + "\n", capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr

    def close(self):
        for h in self.hubs:
            h.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- scenarios ----------------------------------------------------------------

def t_happy_replay_reorder():
    env = Env(people=150)
    try:
        hub = env.hub()
        env.pair(hub)
        # reordered: seq 101.. before 1..100, by a second encoder
        b2 = make_batch(env.kdir, 100, 1000)
        b1 = make_batch(env.kdir, 0, 100)
        s, j = post(hub, json.dumps(b2).encode(), env.token)
        check(s == 200 and j["acked_seq"] == 0, f"later batch first: 200, acked 0 ({s} {j})")
        s, j = post(hub, json.dumps(b1).encode(), env.token)
        check(s == 200 and j["acked_seq"] == b2["seq_to"], f"earlier batch: acked {b2['seq_to']} ({j})")
        # replayed
        s, j = post(hub, json.dumps(b1).encode(), env.token)
        check(s == 200 and j["stored"] == 0 and j["duplicates"] == 100, f"replay stores nothing ({j})")
        # overlapping
        s, j = post(hub, json.dumps(make_batch(env.kdir, 50, 100)).encode(), env.token)
        check(s == 200 and j["stored"] == 0, f"overlap stores nothing ({j})")
        # the kiosk did not know: it sends all again, the hub absorbs it
        rc, out, err = sync(env.kdir)
        check(rc == 0, f"kiosk sync completes ({err})")
        check_promises(env.store, env.kdir, "replay/reorder", complete=True)
        dev = b1["device_id"]
        c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
        c.request("GET", f"/v1/devices/{dev}/ack", headers={"Authorization": "Bearer " + env.token})
        r = c.getresponse()
        j = json.loads(r.read())
        c.close()
        check(r.status == 200 and j["acked_seq"] == kiosk_state(env.kdir)[3], f"GET ack ({r.status} {j})")
        logs = hub.batch_logs()
        check(all("device" in l and "count" in l and "result" in l for l in logs if l["status"] == 200),
              "structured batch logs carry device, count, result")
        # new records later: only those are sent
        fixture(env.kdir, "--people", "5")
        rc, out, _ = sync(env.kdir)
        check(rc == 0 and out.startswith("sent 10 records"), f"incremental sync sends 10 ({out.strip()})")
        rc, out, _ = sync(env.kdir, "status")
        check("records waiting:  0" in out and "last error:       (none)" in out, f"status ({out})")
    finally:
        env.close()


def t_malformed_and_limits():
    env = Env(people=20)
    try:
        hub = env.hub("--max-batch-bytes", "20000")
        good = json.dumps(make_batch(env.kdir, 0, 1000)).encode()
        pair_direct(hub, env.token, make_batch(env.kdir, 0, 1)["device_id"])
        s, j = post(hub, good[: len(good) // 2], env.token)
        check(s == 400 and "truncated" in j["error"]["message"], f"truncated: 400 naming it ({s} {j})")
        bad = make_batch(env.kdir, 0, 1000)
        bad["records"][3]["seq"] = "four"
        s, j = post(hub, json.dumps(bad).encode(), env.token)
        check(s == 400 and j["error"]["message"].startswith("records[3].seq"), f"bad member named ({j})")
        s, j = post(hub, b"\x00\xff garbage", env.token)
        check(s == 400 and j["error"]["code"] == "malformed", f"garbage: 400 ({j})")
        s, j = post(hub, good, env.token, ctype="text/plain")
        check(s == 415, f"wrong content type: 415 ({s})")
        big = make_batch(env.kdir, 0, 1000)
        big["records"][0]["fields"]["note"] = "x" * 15000
        big["records"][1]["fields"]["note"] = "x" * 15000
        s, j = post(hub, json.dumps(big).encode(), env.token)
        check(s == 413 and j["error"]["code"] == "too_large", f"oversized: 413 ({s} {j})")
        s, j = post(hub, good, "khub_" + "0" * 64)
        check(s == 401 and j["error"]["code"] == "unauthorized", f"wrong token: 401 ({s} {j})")
        n, _, _ = hub_state(env.store)
        check(n == 0, f"nothing stored after refusals ({n})")
        # the kiosk itself meets the 413 and halves its batches until they fit
        env.pair(hub)
        rc, out, err = sync(env.kdir)
        check(rc == 0, f"kiosk sync with a small hub limit completes ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "413", complete=True)
    finally:
        env.close()


def t_wrong_and_revoked_token():
    env = Env(people=30)
    try:
        hub = env.hub()
        rc, _, err = sync(env.kdir, "pair", hub.url, "khub_" + "1" * 64)
        check(rc == 1 and "401" in err, f"pair with a wrong token is refused by the hub ({err.strip()})")
        rc, out, _ = sync(env.kdir, "status")
        check("(not paired)" in out, f"a refused pairing stores nothing ({out})")
        rc, _, err = sync(env.kdir)
        check(rc == 1 and "not paired" in err, f"unpaired kiosk: sync says so ({err.strip()})")
        check(hub_state(env.store)[0] == 0, "wrong token: nothing stored")
        check_promises(env.store, env.kdir, "wrong token")
        env.pair(hub)
        rc, _, _ = sync(env.kdir)
        check(rc == 0, "right token: sync completes")
        fixture(env.kdir, "--people", "3")
        rc, _, err = hub_cmd(env.store, "device", "revoke", "kiosk-a")
        check(rc == 0, "revoke")
        rc, _, err = sync(env.kdir)
        check(rc == 1 and "token revoked" in err, f"revoked: refused ({err.strip()})")
        rc, out, _ = sync(env.kdir, "status")
        check("records waiting:  6" in out and "401" in out, f"status shows waiting and error ({out})")
        check_promises(env.store, env.kdir, "revoked")
        # another kiosk with this kiosk's token: forbidden once bound
        token_b = add_device(env.store, "kiosk-b")
        kb = os.path.join(env.dir, "kiosk-b")
        fixture(kb, "--people", "2")
        env.pair(hub, kb, token_b)
        check(sync(kb)[0] == 0, "kiosk-b syncs with its own token")
        ka2 = os.path.join(env.dir, "kiosk-c")
        fixture(ka2, "--people", "2")
        rc, _, err = sync(ka2, "pair", hub.url, token_b)
        check(rc == 1 and "403" in err, f"token bound to another device: 403 at pairing ({err.strip()})")
        rc, _, err = sync(ka2)
        check(rc == 1 and "not paired" in err, f"... and nothing stored for it ({err.strip()})")
    finally:
        env.close()


def t_connection_cut():
    env = Env(people=400)
    try:
        hub = env.hub()
        body = json.dumps(make_batch(env.kdir, 0, 1000)).encode()
        # 1. the upload is cut halfway: the hub stores nothing and lives on
        s = socket.create_connection(("127.0.0.1", hub.port), timeout=10)
        head = (f"POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {env.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        s.sendall(head + body[: len(body) // 2])
        time.sleep(0.2)
        s.close()
        time.sleep(0.2)
        c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
        c.request("GET", "/v1/health")
        check(c.getresponse().status == 200, "hub alive after a cut upload")
        c.close()
        check(hub_state(env.store)[0] == 0, "cut upload: nothing stored")
        # 2. the answer is lost: a proxy forwards the request, drops the reply
        proxy = CuttingProxy(hub.port)
        rc, _, err = sync(env.kdir, "pair", f"http://127.0.0.1:{proxy.port}", env.token)
        rc, _, err = sync(env.kdir)
        check(rc == 1, f"lost answer: kiosk sync fails ({err.strip()[-120:]})")
        proxy.close()
        n, _, _ = hub_state(env.store)
        check(n > 0, f"lost answer: the hub had stored the batch ({n})")
        check_promises(env.store, env.kdir, "connection cut")
        env.pair(hub)
        rc, _, err = sync(env.kdir)
        check(rc == 0, f"later sync completes ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "connection cut, later", complete=True)
    finally:
        env.close()


class CuttingProxy:
    """Forwards one request at a time to the hub and closes the client's
    connection without the answer (the network fails after the hub acted)."""

    def __init__(self, hub_port):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(4)
        self.srv.settimeout(0.2)
        self.port = self.srv.getsockname()[1]
        self.hub_port = hub_port
        self.stop = False
        self.t = threading.Thread(target=self._serve, daemon=True)
        self.t.start()

    def _serve(self):
        deadline = time.time() + 60
        while not self.stop and time.time() < deadline:
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            up = socket.create_connection(("127.0.0.1", self.hub_port), timeout=10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                while len(rest) < length:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                up.sendall(head + b"\r\n\r\n" + rest)
                answer = up.recv(65536)  # the hub answered: it has committed
                if not head.startswith(b"POST /v1/batches "):
                    c.sendall(answer)    # pairing and ack go through; batches lose their answer
            except OSError:
                pass
            up.close()
            c.close()                   # ... and the kiosk never hears it

    def close(self):
        self.stop = True
        self.t.join(5)
        self.srv.close()


def t_sigkill_mid_ingest():
    env = Env(people=1500)     # 3001 records
    try:
        hub = env.hub("--test-ingest-delay-ms", "2")
        env.pair(hub)
        p = subprocess.Popen([ARGS.tool, "sync", env.kdir], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(1.5)            # the batch of 3001 takes ~6 s inside its transaction
        hub.kill9()
        out, err = p.communicate(timeout=30)
        check(p.returncode == 1, f"kiosk sync fails when the hub dies ({err.strip()[-120:]})")
        n, d, _ = hub_state(env.store)
        check(n == 0, f"killed mid-ingest: the batch was rolled back whole ({n} rows)")
        check_promises(env.store, env.kdir, "SIGKILL")
        hub2 = env.hub()
        env.pair(hub2)
        rc, _, err = sync(env.kdir)
        check(rc == 0, f"after restart the sync completes ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "SIGKILL, restarted", complete=True)
    finally:
        env.close()


def t_disk_full():
    env = Env(people=2000)
    try:
        # the schema alone takes a few pages; 30 pages cannot hold 4001 records
        hub = env.hub("--test-max-pages", "30")
        env.pair(hub)
        rc, _, err = sync(env.kdir)
        check(rc == 1 and "507" in err, f"disk full: 507 reported ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "disk full")
        _, kn, kacked, _ = kiosk_state(env.kdir)
        check(kn == 4001 and kacked == 0, "disk full: kiosk keeps every record waiting")
        hub.stop()
        hub2 = env.hub()
        env.pair(hub2)
        rc, _, err = sync(env.kdir)
        check(rc == 0, f"space again: sync completes ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "disk full, later", complete=True)
    finally:
        env.close()


def t_bundle():
    env = Env(people=300)
    try:
        usb = os.path.join(env.dir, "usb")
        os.mkdir(usb)
        rc, out, err = sync(env.kdir, "export", usb)
        check(rc == 0, f"an unpaired kiosk still writes a bundle ({err})")
        rc, _, err = hub_cmd(env.store, "import", out.strip())
        check(rc == 1 and "not paired with this hub" in err and "kiosk sync pair" in err,
              f"bundle of an unpaired kiosk refused, saying what to do ({err.strip()})")
        os.remove(out.strip())
        hub = env.hub()
        env.pair(hub)
        hub.stop()
        rc, out, err = sync(env.kdir, "export", usb)
        check(rc == 0 and out.strip().endswith(".kbundle"), f"export writes a bundle ({err})")
        path = out.strip()
        check(not [f for f in os.listdir(usb) if f.endswith(".tmp")], "no .tmp left behind")
        data = open(path, "rb").read()
        cut = os.path.join(usb, "cut.kbundle")
        open(cut, "wb").write(data[: len(data) * 2 // 3])
        rc, _, err = hub_cmd(env.store, "import", cut)
        check(rc == 1 and "cut short" in err, f"cut bundle refused ({err.strip()})")
        altered = os.path.join(usb, "altered.kbundle")
        open(altered, "wb").write(data.replace(b"Nguy", b"Nguz", 1))
        rc, _, err = hub_cmd(env.store, "import", altered)
        check(rc == 1 and "checksum mismatch" in err, f"altered bundle refused ({err.strip()})")
        check(hub_state(env.store)[0] == 0, "refused bundles store nothing")
        rc, _, err = hub_cmd(env.store, "import", path)
        check(rc == 0 and "601 new" in err, f"import ({err.strip()})")
        before = hubdb.connect(env.store).execute(
            "SELECT count(*), sum(length(fields)), max(received_ms) FROM records").fetchone()
        rc, _, err = hub_cmd(env.store, "import", path)
        after = hubdb.connect(env.store).execute(
            "SELECT count(*), sum(length(fields)), max(received_ms) FROM records").fetchone()
        check(rc == 0 and "0 new" in err and before == after, f"second import changes nothing ({err.strip()})")
        # the kiosk learns on its next network sync; nothing is stored twice
        hub = env.hub()
        env.pair(hub)
        rc, _, err = sync(env.kdir)
        check(rc == 0, "sync after import completes")
        check_promises(env.store, env.kdir, "bundle", complete=True)
        rc, _, err = sync(env.kdir, "export", usb)
        check(rc == 1 and "nothing to export" in err, "nothing left to export")
    finally:
        env.close()


def t_time_correction():
    env = Env(people=0)
    try:
        shutil.rmtree(env.kdir)
        y2001 = 978350400000
        boot = "5e5e5e5e-0000-4000-8000-00000000beef"
        # a Pi that booted with its clock in 2001: records at mono 60 s .. 70 s
        ev = fixture(env.kdir, "--people", "5", "--wall-ms", str(y2001), "--mono-ms", "60000",
                     "--boot-id", boot)
        hub = env.hub()
        env.pair(hub)
        send_mono = 3600000     # synced an hour after boot, clock still in 2001
        t0 = int(time.time() * 1000)
        rc, _, err = sync(env.kdir, "--clock", f"{y2001 + send_mono - 60000},{send_mono},{boot}")
        t1 = int(time.time() * 1000)
        check(rc == 0, f"sync ({err})")
        db = hubdb.connect(env.store)
        rows = db.execute("SELECT mono_ms, wall_ms, corrected_ms, time_source FROM records").fetchall()
        ok = all(src == "anchor" and t0 - (send_mono - m) - 50 <= c <= t1 - (send_mono - m) + 50
                 for m, w, c, src in rows)
        check(len(rows) == 11 and ok, f"times corrected from the boot anchor ({rows[:2]})")
        # the merged export shows the corrected date, not 2001
        out = os.path.join(env.dir, "a.csv")
        rc, _, err = hub_cmd(env.store, "export", "--event", ev[:8], "--format", "csv", "-o", out)
        rows = hub_csv(out)
        when = [r[0] for r in rows[1:]]
        check(rc == 0 and len(when) == 5 and all(w and not w.startswith("2001-") for w in when),
              f"export uses corrected time ({when})")
    finally:
        env.close()


def t_merged_attendance():
    env = Env(people=0)
    try:
        shutil.rmtree(env.kdir)
        ka, kb = os.path.join(env.dir, "ka"), os.path.join(env.dir, "kb")
        token_b = add_device(env.store, "kiosk-b")
        same = "Hương,Nguyễn,408-555-0101,"
        ev = fixture(ka, "--people", "3", "--event", "Parent Night", "--person", same)
        fixture(kb, "--people", "2", "--event", "parent night", "--person", "HUONG,Nguyen,(408) 555 0101,")
        fixture(kb, "--event", "parent night", "--person", "Hương,Nguyễn,,")   # namesake, no phone: kept
        hub = env.hub()
        env.pair(hub, ka)
        env.pair(hub, kb, token_b)
        check(sync(ka)[0] == 0 and sync(kb)[0] == 0, "both kiosks sync")
        for fmt in ("csv", "xlsx"):
            out = os.path.join(env.dir, "att." + fmt)
            rc, _, err = hub_cmd(env.store, "export", "--event", ev, "--format", fmt, "-o", out)
            check(rc == 0, f"export {fmt} ({err.strip()})")
        lines = hub_csv(os.path.join(env.dir, "att.csv"))
        check(lines[0] == FIXED, f"columns of the kiosk's export ({lines[0]})")
        # kiosk b's 2 generated people are kiosk a's first 2 (same names and
        # phones: ksync-tool generates them alike), Hương at both kiosks
        # (written differently) counts once, the namesake without a phone
        # stays separate: 3 + 1 + 1 = 5
        check(len(lines) - 1 == 5, f"merged attendance has 5 people ({len(lines) - 1}: {lines[1:]})")
        huong = [l for l in lines[1:] if l[4] in ("Hương", "HUONG")]
        check(len(huong) == 2, f"Hương once with phone, the namesake once ({huong})")
        check(all(l[9] == "new" for l in lines[1:]), "every one signed up there: status new")
        check(open(os.path.join(env.dir, "att.xlsx"), "rb").read(2) == b"PK", "xlsx is a zip")
    finally:
        env.close()


def t_background():
    """The background sync never holds up the screen's thread: asserted by
    the order of events, not by durations (those are benchmark figures:
    tests/bench/sync_bg.py).  The hub takes 10 ms per record
    (--test-ingest-delay-ms), so a sync stays in flight long enough for the
    kiosk to go on around it (the first batch, 400 records, about 4 s; the
    one a stop interrupts, 300 records, about 3 s)."""
    env = Env(people=200)
    try:
        hub = env.hub("--test-ingest-delay-ms", "10")
        env.pair(hub)
        rc, out, err = tool("bg", env.kdir, "3", "300", timeout=240)
        j = json.loads(out)
        check(rc == 0 and j["pending"] == 0 and j["failures"] == 0, f"background sync catches up ({j})")
        check(j["writes_while_running"] >= 1,
              f"kiosk writes commit while a sync is in flight around them ({j})")
        check(j["status_while_running"] >= 1, f"status answers while a sync is in flight ({j})")
        check(j["stopped_while_running"] == 1 and j["stop_returned_first"] == 1,
              f"stop returns before the sync in flight completes ({j})")
        check_promises(env.store, env.kdir, "background", complete=False)
        hub.stop()
        rc, out, err = tool("bg", env.kdir, "2", "200", timeout=240)
        j = json.loads(out)
        check(j["failures"] >= 1 and j["pending"] > 0 and j["last_error"] == "set",
              f"hub down: failures counted, records kept, error shown ({j})")
    finally:
        env.close()


def t_real_store():
    """A kiosk database written by the real store (kstore) syncs whole."""
    env = Env(people=0)
    try:
        kdir = os.path.join(env.dir, "store-kiosk")
        rc, out, err = tool("store", kdir, "40")
        check(rc == 0, f"kstore fixture ({err.strip()})")
        ev = out.strip()
        hub = env.hub()
        env.pair(hub, kdir)
        rc, out, err = sync(kdir)
        check(rc == 0 and out.startswith("sent 81 records"), f"sync of a kstore database ({out.strip()} {err.strip()[-200:]})")
        check_promises(env.store, kdir, "kstore", complete=True)
        out = os.path.join(env.dir, "s.csv")
        rc, _, err = hub_cmd(env.store, "export", "--event", ev, "--format", "csv", "-o", out)
        rows = hub_csv(out)
        check(rc == 0 and len(rows) == 41, f"merged export of a kstore event has 40 people ({len(rows) - 1})")
        db = hubdb.connect(env.store)
        fields = db.execute("SELECT fields FROM records WHERE tbl = 'people' LIMIT 1").fetchone()[0]
        check("name_key" not in fields and "given" in fields, f"people fields travel without name_key ({fields})")
        db.close()
    finally:
        env.close()


def t_tls():
    if not shutil.which("openssl"):
        # scripts/install-deps.sh installs it: a missing one is a failure,
        # not a reason to skip TLS.
        check(False, "openssl is needed to make a test certificate (scripts/install-deps.sh)")
        return
    env = Env(people=10)
    try:
        cert, key = os.path.join(env.dir, "cert.pem"), os.path.join(env.dir, "key.pem")
        rc, _, err = run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1")
        check(rc == 0, f"openssl ({err[-200:]})")
        hub = env.hub("--tls-cert", cert, "--tls-key", key)
        check(hub.url.startswith("https://"), "hub serves https")
        rc, _, err = sync(env.kdir, "pair", hub.url, env.token, "--ca", cert)
        rc, out, err = sync(env.kdir)
        check(rc == 0, f"sync over TLS ({err.strip()[-200:]})")
        check_promises(env.store, env.kdir, "tls", complete=True)
    finally:
        env.close()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--pg-uri-file", help="run on PostgreSQL: the test server's URI (hubdb.py)")
    ap.add_argument("only", nargs="*")
    ARGS = ap.parse_args()
    tests = [t_happy_replay_reorder, t_malformed_and_limits, t_wrong_and_revoked_token, t_connection_cut,
             t_sigkill_mid_ingest, t_disk_full, t_bundle, t_time_correction, t_merged_attendance,
             t_background, t_real_store, t_tls]
    if ARGS.pg_uri_file:
        hubdb.use_postgresql(ARGS.pg_uri_file)
        # the page cap that stands in for a full disk is SQLite's; PostgreSQL's
        # "disk full" (53100) is mapped in hub_store_pg.c
        tests.remove(t_disk_full)
        print("-- t_disk_full: SQLite only (--test-max-pages)", flush=True)
    try:
        for t in tests:
            if ARGS.only and t.__name__ not in ARGS.only:
                continue
            print("--", t.__name__, flush=True)
            start = time.time()
            try:
                t()
            except Exception as e:    # a crash of one scenario is a failure, not the end
                check(False, f"{t.__name__} raised {type(e).__name__}: {e}")
            print(f"   {time.time() - start:.1f} s", flush=True)
    finally:
        hubdb.drop_all()
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
