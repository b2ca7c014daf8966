#!/usr/bin/env python3
"""test_web_security.py - attacks on the hub's web page (issue 12, items 6
and 9), against a real `kiosk-hub serve` on the SQLite store or
(--pg-uri-file) on PostgreSQL.  Standard library only.

  anonymous       every page redirects to /login, every file is 401, every
                  form POST 403; a made-up session cookie is no better
  csrf            every form POST without its token, or with another
                  session's, is refused (403) and changes nothing; the
                  log-in form too
  hostile         names like <script> and "><img onerror=...> sent by a kiosk
                  (as person and kiosk names) are text on every page
  backoff         after 3 wrong passwords the next try waits (429 +
                  Retry-After), even with the right password; then it works
  cookies         the session cookie is HttpOnly, SameSite=Strict, Path=/,
                  and Secure under TLS (not without)
  fixation        a cookie planted before log-in never becomes a session;
                  log-in makes a new one; log-out ends it at the hub
  passwords       `user add` stores Argon2id, refuses short passwords and a
                  second account of one name
  redirects       /login?next= never leads off the site
  sync api        /v1/ keeps bearer tokens: a web session opens nothing there
  migration       a store of schema 1 gets the web's tables and keeps its data
"""
import argparse
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import http.client
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
import hubdb  # noqa: E402
from hubfeed import Hub, Session, request  # noqa: E402

PASSWORD = "correct horse battery"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
HOSTILE_KIOSK = "<svg onload=alert(3)>"

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def seed(hub):
    k = hub.kiosk("door-1")
    bad = hub.kiosk(HOSTILE_KIOSK)
    ev = k.event(HOSTILE[0] + " night", "<b>prog</b>", "2026-11-20")
    p = k.person(HOSTILE[0], HOSTILE[1], "555-0101", "x@example.org", "95112")
    k.checkin(p, ev)
    k.answer(p, ev, "pw", "q", HOSTILE[1])
    q = bad.person("Maria", HOSTILE[0], "", "", "")
    ev2 = bad.event(HOSTILE[0] + " night", "<b>prog</b>", "2026-11-20")
    bad.checkin(q, ev2)
    k.sync()
    bad.sync()
    return ev, p


def pages(ev):
    return ["/", "/events", f"/events/{ev}", f"/events/{ev}/answers", "/people", "/people?q=a",
            "/kiosks", "/reports/programs", "/reports/grid", "/reports/grid?program=%3Cb%3Eprog%3C%2Fb%3E",
            "/no/such/page"]


def files(ev):
    return [f"/events/{ev}/attendance.csv", f"/events/{ev}/attendance.xlsx",
            "/reports/grid.xlsx?program=x"]


FORMS = ["/logout", "/kiosks/revoke", "/people/merge", "/people/forget", "/events"]


def test_anonymous(hub, ev):
    for cookie in (None, "khub_session=" + "ab" * 32):
        s = Session(hub.url)
        hdr = {"Cookie": cookie} if cookie else {}
        label = "with a made-up cookie" if cookie else "anonymous"
        for p in pages(ev):
            st, _, body = s.get(p, headers=hdr)
            loc = s.header("Location") or ""
            check(st == 303 and loc.startswith("/login?next="),
                  f"{label} GET {p}: 303 to /login ({st} {loc})")
            check(b"Maria" not in body and b"door-1" not in body, f"{label} GET {p}: shows no data")
        for p in files(ev):
            st, _, body = s.get(p, headers=hdr)
            check(st == 401 and b"Santos" not in body and b"555" not in body,
                  f"{label} GET {p}: 401 ({st})")
        for p in FORMS:
            st, _, _ = s.post(p, {"name": "door-1", "id": "0" * 32}, headers=hdr)
            check(st in (401, 403), f"{label} POST {p}: refused ({st})")
    st = hub.run("device", "list").stdout
    check("door-1" in st and "revoked" not in st.split("door-1")[1].split("\n")[0],
          "no anonymous form revoked a kiosk")


def test_csrf(hub, ev):
    s = Session(hub.url)
    # the log-in form without its token
    s.get("/login")
    st, _, _ = s.post("/login", {"user": "staff", "password": PASSWORD})
    check(st == 403 and "khub_session" not in s.cookies, f"log-in without its CSRF token refused ({st})")
    st, _, _ = s.post("/login", {"user": "staff", "password": PASSWORD, "csrf": "0" * 64})
    check(st == 403 and "khub_session" not in s.cookies, f"log-in with a wrong CSRF token refused ({st})")
    st, _ = s.login("staff", PASSWORD)
    check(st == 303 and "khub_session" in s.cookies, f"log-in with its token works ({st})")
    other = Session(hub.url)
    other.login("staff", PASSWORD)
    st, _, page = other.get("/kiosks")
    other_token = other.csrf_of(page)
    for token, label in ((None, "without"), (other_token, "with another session's")):
        for p in FORMS:
            form = {"name": "door-1", "id": "0" * 32, "keep": "0" * 32, "other": "1" * 32,
                    "confirm": "yes"}
            if token:
                form["csrf"] = token
            st, _, _ = s.post(p, form)
            check(st == 403, f"POST {p} {label} CSRF token: 403 ({st})")
    devs = hub.run("device", "list").stdout
    check("revoked" not in devs.split("door-1")[1].split("\n")[0], "the kiosk was not revoked")
    st, _, _ = s.get("/")
    check(st == 200, "the session still works (logout without a token did nothing)")
    # with the token the same form works
    st, _, page = s.get("/kiosks")
    st, _, _ = s.post("/kiosks/revoke", {"name": HOSTILE_KIOSK, "csrf": s.csrf_of(page)})
    check(st == 303, f"revoke with its CSRF token works ({st})")
    devs = hub.run("device", "list").stdout
    check("revoked" in devs, "and the kiosk is revoked")


def test_hostile(hub, ev):
    s = Session(hub.url)
    s.login("staff", PASSWORD)
    for p in pages(ev):
        st, _, body = s.get(p)
        text = body.decode("utf-8")
        ok = "<script" not in text.lower() and "<img" not in text.lower() and "<svg onload" not in text.lower()
        check(st in (200, 404) and ok, f"GET {p}: no markup from data ({st})")
        if p in (f"/events/{ev}", "/people", "/"):
            check("&lt;script&gt;alert(1)&lt;/script&gt;" in text, f"GET {p}: the name is shown as text")
    st, _, body = s.get("/kiosks")
    check("&lt;svg onload=alert(3)&gt;" in body.decode(), "the kiosk named like markup is shown as text")
    st, _, body = s.get(f"/events/{ev}?q=%3Cscript%3E&sort=1%22%3E")
    check(st == 200 and b"<script>" not in body and b"&lt;script&gt;" in body,
          "a search for <script> is echoed as text")
    st, hdrs, _ = s.get("/")
    h = {k.lower(): v for k, v in hdrs}
    csp = h.get("content-security-policy", "")
    check("default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp,
          f"a Content-Security-Policy that allows no script ({csp[:60]}...)")
    check(h.get("x-content-type-options") == "nosniff", "nosniff")


def test_people_counts(hub, person):
    """The people page counts each person's check-ins (from the column the
    hub keeps at ingest, not the check-in's JSON): the seeded person has one."""
    s = Session(hub.url)
    s.login("staff", PASSWORD)
    st, _, body = s.get("/people")
    rows = [r for r in re.findall(r"<tr.*?</tr>", body.decode("utf-8"), re.S)
            if f'value="{person}"' in r]
    m = re.search(r'data-label="Check-ins">(\d+)<', rows[0]) if rows else None
    check(st == 200 and m is not None and m.group(1) == "1",
          f"the people page shows the seeded person's one check-in ({m.group(1) if m else 'no row'})")


def test_backoff(hub):
    s = Session(hub.url)
    for i in range(3):
        st, _ = s.login("staff", "wrong password %d" % i)
        check(st == 401, f"wrong password {i + 1}: 401 ({st})")
    t0 = time.time()
    st, _ = s.login("staff", PASSWORD)
    ra = s.header("Retry-After")
    check(st == 429 and ra and int(ra) >= 1, f"4th try at once, right password: 429, Retry-After {ra}")
    check("khub_session" not in s.cookies, "and no session")
    time.sleep(max(0, int(ra or 1) - (time.time() - t0)) + 0.2)
    st, _ = s.login("staff", PASSWORD)
    check(st == 303 and "khub_session" in s.cookies, f"after waiting, the right password works ({st})")
    for i in range(3):
        s2 = Session(hub.url)
        s2.login("nobody", "x" * 10)
    st, _ = Session(hub.url).login("nobody", "x" * 10)
    check(st == 429, f"an unknown name backs off the same way ({st})")


def cookie_of(session, name):
    for v in session.set_cookies():
        if v.startswith(name + "="):
            return v
    return ""


def test_cookies(hub):
    s = Session(hub.url)
    s.login("staff", PASSWORD)
    c = cookie_of(s, "khub_session")
    attrs = [a.strip() for a in c.split(";")]
    check("HttpOnly" in attrs and "SameSite=Strict" in attrs and "Path=/" in attrs,
          f"session cookie HttpOnly, SameSite=Strict, Path=/ ({c[:14]}...{'; '.join(attrs[1:])})")
    check("Secure" not in attrs, "no Secure on plain HTTP (the browser would drop it)")


def test_tls_cookie(hub_bin, tmp):
    cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"], check=True,
                   capture_output=True)
    hub = Hub(hub_bin, hubdb.new_store(tmp, "tls.db"))
    hub.user_add("staff", PASSWORD)
    hub.start("--tls-cert", cert, "--tls-key", key)
    try:
        host, port = hub.address()
        ctx = ssl._create_unverified_context()

        def get(path, body=None, headers=None):
            c = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
            c.request("POST" if body else "GET", path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, r.getheaders(), data

        st, hdrs, page = get("/login")
        login_cookie = [v for k, v in hdrs if k.lower() == "set-cookie"][0]
        check("Secure" in login_cookie, "under TLS the log-in form's cookie is Secure")
        import re
        token = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"user": "staff", "password": PASSWORD, "csrf": token})
        st, hdrs, _ = get("/login", body.encode(), {"Cookie": login_cookie.split(";")[0],
                                                    "Content-Type": "application/x-www-form-urlencoded"})
        sc = [v for k, v in hdrs if k.lower() == "set-cookie"]
        check(st == 303 and sc and "Secure" in sc[0] and "HttpOnly" in sc[0] and "SameSite=Strict" in sc[0],
              f"under TLS the session cookie is Secure, HttpOnly, SameSite=Strict ({st})")
    finally:
        hub.stop()


def test_fixation(hub):
    planted = "cd" * 32
    s = Session(hub.url)
    s.cookies["khub_session"] = planted
    st, _ = s.login("staff", PASSWORD)
    check(st == 303 and s.cookies.get("khub_session") not in (None, planted),
          "log-in issues a new session id, not the planted one")
    a = Session(hub.url)
    a.cookies["khub_session"] = planted
    st, _, _ = a.get("/")
    check(st == 303, f"the planted id is not logged in ({st})")
    old = s.cookies["khub_session"]
    st, _, page = s.get("/")
    st, _, _ = s.post("/logout", {"csrf": s.csrf_of(page)})
    check(st == 303 and "khub_session" not in s.cookies, f"log-out clears the cookie ({st})")
    replay = Session(hub.url)
    replay.cookies["khub_session"] = old
    st, _, _ = replay.get("/")
    check(st == 303, f"the old session id no longer works after log-out ({st})")
    st, _, _ = replay.get("/events/0000/attendance.csv")
    check(st == 401, f"nor for files ({st})")


def test_passwords(hub):
    p = hub.run("user", "add", "short", stdin="abc\n", check=False)
    check(p.returncode == 1 and "at least" in p.stderr, f"a short password is refused: {p.stderr.strip()}")
    p = hub.run("user", "add", "staff", stdin="another password\n", check=False)
    check(p.returncode == 1 and "exists" in p.stderr, f"a second staff account is refused: {p.stderr.strip()}")
    db = hubdb.connect(hub.store)
    row = db.execute("SELECT pw_hash FROM web_users WHERE name = ?", ("staff",)).fetchone()
    check(row and row[0].startswith("$argon2id$") and PASSWORD not in row[0],
          f"the password is stored as Argon2id ({row[0][:30] if row else None}...)")
    rows = db.execute("SELECT id_hash FROM web_sessions", ()).fetchall()
    check(all(len(r[0]) == 64 for r in rows), "sessions are stored as hashes")


def test_redirects(hub):
    for nxt in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        s = Session(hub.url)
        st, _, page = s.get("/login?next=" + urllib.parse.quote(nxt, safe=""))
        token = s.csrf_of(page)
        st, _, _ = s.post("/login?next=" + urllib.parse.quote(nxt, safe=""),
                          {"user": "staff", "password": PASSWORD, "csrf": token})
        loc = s.header("Location")
        check(st == 303 and loc == "/", f"next={nxt} leads to / ({loc})")
    s = Session(hub.url)
    st, _, page = s.get("/login?next=%2Fkiosks")
    st, _, _ = s.post("/login?next=%2Fkiosks", {"user": "staff", "password": PASSWORD,
                                                "csrf": s.csrf_of(page)})
    check(s.header("Location") == "/kiosks", "next=/kiosks leads back to the page asked for")


def test_sync_api(hub):
    s = Session(hub.url)
    s.login("staff", PASSWORD)
    st, _, _ = s.get("/v1/health")
    check(st == 200, "/v1/health answers")
    st, _, body = s.send("POST", "/v1/batches", None, {"Content-Type": "application/json"})
    check(st == 401, f"/v1/batches with a web session but no token: 401 ({st})")
    st, _, _ = request(hub.url, "GET", "/v1/devices/" + "0" * 32 + "/ack",
                       headers={"Cookie": "khub_session=" + s.cookies["khub_session"]})
    check(st == 401, f"/v1/devices/ID/ack with a web session but no token: 401 ({st})")


def test_migration(hub_bin, tmp):
    """A store of an older hub (schema 1, tests/sync/fixtures/hub_v1.sql)
    gets the web tables at its first open and keeps every record."""
    import sqlite3
    fixtures = os.path.join(HERE, "..", "sync", "fixtures")
    store = os.path.join(tmp, "old.db")
    with open(os.path.join(fixtures, "hub_v1.sql")) as f:
        subprocess.run(["sqlite3", store], stdin=f, check=True)
    db = sqlite3.connect(store)
    before = db.execute("SELECT count(*), sum(length(fields)) FROM records").fetchone()
    db.close()
    hub = Hub(hub_bin, store)
    hub.user_add("staff", PASSWORD)
    db = sqlite3.connect(store)
    after = db.execute("SELECT count(*), sum(length(fields)) FROM records").fetchone()
    users = db.execute("SELECT count(*) FROM web_users").fetchone()[0]
    db.close()
    check(before == after and users == 1, f"an old store gets staff accounts and keeps its records "
                                          f"({before} -> {after})")
    hub.start()
    try:
        s = Session(hub.url)
        st, _ = s.login("staff", PASSWORD)
        st, _, page = s.get("/")
        check(st == 200 and b"/events/" in page, f"its events are on the web page ({st})")
    finally:
        hub.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--pg-uri-file")
    args = ap.parse_args()
    if args.pg_uri_file:
        hubdb.use_postgresql(args.pg_uri_file)
    tmp = tempfile.mkdtemp(prefix="web-security-")
    hub = Hub(args.hub, hubdb.new_store(tmp))
    try:
        hub.user_add("staff", PASSWORD)
        hub.start()
        ev, person = seed(hub)
        test_anonymous(hub, ev)
        test_hostile(hub, ev)
        test_people_counts(hub, person)
        test_cookies(hub)
        test_fixation(hub)
        test_redirects(hub)
        test_sync_api(hub)
        test_passwords(hub)
        test_csrf(hub, ev)
        test_backoff(hub)
        hub.stop()
        test_tls_cookie(args.hub, tmp)
        if not args.pg_uri_file:
            test_migration(args.hub, tmp)
    finally:
        hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        hubdb.drop_all()
    print(f"{failures} failure(s)" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
