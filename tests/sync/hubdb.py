"""hubdb.py - the hub's store as the sync tests see it, on either backend.

A test asks `new_store(folder)` for a fresh store and passes what it gets
to `kiosk-hub --store`: a file path in the folder (SQLite), or the URI of a
new, empty PostgreSQL database (`use_postgresql(uri_file)` switched the
tests to PostgreSQL; the server is the one scripts/pg-test-server.sh
started, see tests/sync/CMakeLists.txt).  `connect(store)` reads a store
with the sqlite3 calls the tests use (execute(sql, params).fetchone() and
.fetchall()); on PostgreSQL through psql, with the SQL's ? placeholders
filled in as quoted literals and SQLite's json_extract(x, '$.k') read as
jsonb.  Standard library only.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import uuid

BACKEND = "sqlite"
PG_URI = None
_CREATED = []


def use_postgresql(uri_file):
    """Makes new_store() hand out PostgreSQL databases of the server whose
    URI is in uri_file.  A missing or silent server fails here, loudly."""
    global BACKEND, PG_URI
    if not shutil.which("psql"):
        raise RuntimeError("psql not found: install Debian's postgresql-client (scripts/install-deps.sh)")
    with open(uri_file) as f:
        PG_URI = f.read().strip()
    if not PG_URI:
        raise RuntimeError(f"{uri_file}: empty; the pg_server_start fixture did not run")
    psql(PG_URI, "SELECT 1")
    BACKEND = "postgresql"


def is_pg(store):
    return store.startswith("postgresql://") or store.startswith("postgres://")


def with_db(uri, dbname):
    """The URI with another database (a later dbname parameter wins)."""
    return uri + ("&" if "?" in uri else "?") + "dbname=" + dbname


def psql(uri, sql, search_path=None):
    """Runs SQL through psql; returns its standard output (raises on error)."""
    env = dict(os.environ)
    if search_path:
        env["PGOPTIONS"] = "-c search_path=" + search_path
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, uri],
                       capture_output=True, text=True, timeout=120, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"psql: {p.stderr.strip()}\n  SQL: {sql[:300]}")
    return p.stdout


def new_store(folder, name="hub.db"):
    """A fresh, empty store: folder/name, or a new PostgreSQL database."""
    if BACKEND == "sqlite":
        return os.path.join(folder, name)
    db = "khub_t_" + uuid.uuid4().hex[:16]
    psql(PG_URI, f'CREATE DATABASE "{db}"')
    _CREATED.append(db)
    return with_db(PG_URI, db)


def drop_all():
    """Drops the databases new_store made (at the end of a test run)."""
    while _CREATED:
        db = _CREATED.pop()
        try:
            psql(PG_URI, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        except RuntimeError as e:
            print("  note: " + str(e).splitlines()[0], flush=True)


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def _fill(sql, params):
    """Replaces each ? outside quotes with the next parameter as a literal."""
    out, i, q = [], 0, None
    params = list(params or ())
    for ch in sql:
        if q:
            q = None if ch == q else q
            out.append(ch)
        elif ch in "'\"":
            q = ch
            out.append(ch)
        elif ch == "?":
            out.append(_literal(params[i]))
            i += 1
        else:
            out.append(ch)
    if i != len(params):
        raise ValueError(f"{len(params)} parameters for {i} placeholders")
    return "".join(out)


_JSON = re.compile(r"json_extract\(\s*([\w.]+)\s*,\s*'\$\.(\w+)'\s*\)")


class _Cursor:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


class PgConn:
    """The part of sqlite3.Connection the tests use, over psql."""

    def __init__(self, uri):
        self.uri = uri

    def execute(self, sql, params=()):
        sql = _JSON.sub(lambda m: f"(({m.group(1)})::jsonb ->> '{m.group(2)}')", _fill(sql, params))
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "WITH"):
            psql(self.uri, sql, "kiosk_hub")
            return _Cursor([])
        # rows as JSON arrays keep column order, types and NULLs
        out = psql(self.uri, f"SELECT coalesce(json_agg(row_to_json(t)), '[]') FROM ({sql}) t",
                   "kiosk_hub")
        rows = json.loads(out, object_pairs_hook=lambda pairs: tuple(v for _, v in pairs))
        return _Cursor([tuple(r) for r in rows])

    def commit(self):
        pass

    def close(self):
        pass


def connect(store, timeout=10):
    """sqlite3.connect for a file, PgConn for a PostgreSQL URI."""
    if is_pg(store):
        return PgConn(store)
    return sqlite3.connect(store, timeout=timeout)
