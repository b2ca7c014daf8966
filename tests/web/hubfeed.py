"""hubfeed.py - a hub with staff and data, for the web page's tests and
benchmark (standard library only).

`Hub(hub_bin, store)` starts `kiosk-hub serve` on a free port of 127.0.0.1;
`hub.user_add(name, password)` makes a staff account the way staff do
(`kiosk-hub user add`, password on standard input); `hub.kiosk(name)` pairs
a stand-in kiosk (`kiosk-hub device add`, then POST /v1/pair) that sends
records over the real sync API: events, people, check-ins and survey
answers, as a kiosk would (sync/PROTOCOL.md section 2).

`Session(url)` is a browser-like HTTP client: cookies, no redirects
followed, form posts.
"""
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.parse

BOOT_EPOCH_MS = 1735689600000   # 2025-01-01: every stand-in kiosk booted then


def new_id():
    return secrets.token_hex(16)


class Hub:
    def __init__(self, hub_bin, store, env=None):
        self.bin = hub_bin
        self.store = store
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.url = None

    def run(self, *args, stdin=None, check=True):
        p = subprocess.run([self.bin, *args, "--store", self.store], input=stdin,
                           capture_output=True, text=True, timeout=120, env=self.env)
        if check and p.returncode != 0:
            raise RuntimeError(f"kiosk-hub {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return p

    def user_add(self, name, password):
        return self.run("user", "add", name, stdin=password + "\n")

    def start(self, *extra):
        self.proc = subprocess.Popen([self.bin, "serve", "--store", self.store, "--listen",
                                      "127.0.0.1:0", *extra], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=self.env)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("kiosk-hub serve did not start: " + self.proc.stderr.read())
        self.url = json.loads(line)["url"]
        return self

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def kiosk(self, name):
        token = self.run("device", "add", name).stdout.strip()
        k = Kiosk(self.url, token)
        k.pair()
        return k

    def address(self):
        u = urllib.parse.urlparse(self.url)
        return u.hostname, u.port


def request(url, method, path, body=None, headers=None, timeout=60):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheaders(), data


class Kiosk:
    """A stand-in kiosk that speaks the sync protocol."""

    def __init__(self, url, token):
        self.url = url
        self.token = token
        self.device_id = new_id()
        self.boot_id = "boot-" + secrets.token_hex(4)
        self.seq = 0
        self.pending = []

    def post(self, path, obj):
        st, _, data = request(self.url, "POST", path, json.dumps(obj).encode(),
                              {"Authorization": "Bearer " + self.token,
                               "Content-Type": "application/json"})
        if st != 200:
            raise RuntimeError(f"{path}: {st} {data[:300]!r}")
        return json.loads(data)

    def pair(self):
        self.post("/v1/pair", {"protocol": 1, "device_id": self.device_id,
                               "public_key": secrets.token_hex(32)})

    def add(self, table, fields, wall_ms=None):
        self.seq += 1
        wall = int(wall_ms if wall_ms is not None else time.time() * 1000)
        rid = new_id()
        self.pending.append({"table": table, "id": rid, "seq": self.seq, "wall_ms": wall,
                             "boot_id": self.boot_id, "mono_ms": wall - BOOT_EPOCH_MS,
                             "fields": fields})
        return rid

    def event(self, name, program="general", date="2026-11-29", wall_ms=None):
        return self.add("events", {"name": name, "program": program, "date": date}, wall_ms)

    def person(self, given, family, phone="", email="", zip_code="", wall_ms=None):
        return self.add("people", {"given": given, "family": family, "phone": phone,
                                   "email": email, "zip": zip_code}, wall_ms)

    def checkin(self, person, event, is_new=1, wall_ms=None):
        return self.add("checkins", {"person_id": person, "event_id": event, "is_new": is_new},
                        wall_ms)

    def answer(self, person, event, survey, question, value, wall_ms=None):
        return self.add("answers", {"person_id": person, "event_id": event, "survey_key": survey,
                                    "survey_version": 1, "question_key": question,
                                    "value": value, "lang": "en"}, wall_ms)

    def sync(self):
        while self.pending:
            part, self.pending = self.pending[:4000], self.pending[4000:]
            now = int(time.time() * 1000)
            self.post("/v1/batches", {
                "protocol": 1, "device_id": self.device_id, "batch_id": new_id(),
                "seq_from": part[0]["seq"], "seq_to": part[-1]["seq"],
                "sent": {"wall_ms": now, "mono_ms": now - BOOT_EPOCH_MS, "boot_id": self.boot_id},
                "records": part})


class Session:
    """Cookies and forms, as a browser keeps them (redirects not followed)."""

    def __init__(self, url):
        self.url = url
        self.cookies = {}
        self.last_headers = []

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def send(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = self._cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        st, hdrs, data = request(self.url, method, path, body, h)
        self.last_headers = hdrs
        for k, v in hdrs:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return st, hdrs, data

    def get(self, path, headers=None):
        return self.send("GET", path, headers=headers)

    def post(self, path, form, headers=None):
        return self.send("POST", path, form, headers)

    def header(self, name):
        for k, v in self.last_headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_cookies(self):
        return [v for k, v in self.last_headers if k.lower() == "set-cookie"]

    def csrf_of(self, html):
        m = re.search(rb'name="csrf" value="([0-9a-f]+)"', html)
        return m.group(1).decode() if m else None

    def login(self, user, password):
        st, _, page = self.get("/login")
        token = self.csrf_of(page)
        st, hdrs, data = self.post("/login", {"user": user, "password": password, "csrf": token})
        return st, data


def ttfb(url, path, cookie):
    """Seconds from sending a GET to the first byte of the answer."""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=60)
    req = (f"GET {path} HTTP/1.1\r\nHost: {u.hostname}\r\nCookie: {cookie}\r\n"
           "Connection: close\r\n\r\n").encode()
    t0 = time.perf_counter()
    s.sendall(req)
    first = s.recv(1)
    t1 = time.perf_counter()
    if not first:
        raise RuntimeError(f"{path}: no answer")
    total = first
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        total += chunk
    s.close()
    if not total.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"{path}: {total[:200]!r}")
    return t1 - t0, len(total)
