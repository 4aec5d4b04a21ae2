"""The client schema, from the migrations, in a plain SQLite file for sqlx's macros to describe
queries against: `python3 scripts/describing-schema.py OUT.db migrations/client/*.sql`.

The macros' own connection has none of the store's SQL functions (store/functions.rs), and SQLite
refuses to prepare a statement whose triggers call an unknown function. So the migrations run with
a stand-in `local_day` here, then every trigger, and the views that call it, are dropped from this
copy: they change no query's columns or parameters.
"""
import datetime
import sqlite3
import sys
from zoneinfo import ZoneInfo


def local_day(instant_ms, zone):
    if instant_ms is None:
        return None
    try:
        tz = ZoneInfo(zone)
    except Exception:
        tz = datetime.timezone.utc
    return datetime.datetime.fromtimestamp(instant_ms / 1000, tz).date().isoformat()


db = sqlite3.connect(sys.argv[1])
db.create_function("local_day", 2, local_day, deterministic=True)
for migration in sorted(sys.argv[2:]):
    db.executescript(open(migration).read())
for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE type = 'trigger' OR (type = 'view' AND sql LIKE '%local_day(%')").fetchall():
    db.execute(f"DROP {kind.upper()} {name}")
db.commit()
