"""Per-source watermarks in the warehouse's `meta` table: how far a feed has been pulled.

A watermark is only ever written in the same transaction as the ingest of the files it covers, so a
failed fetch or a failed ingest leaves it where it was and the next pull resumes from there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from warehouse.errors import UsageError

PREFIX = "watermark"


def key(kind: str, base_url: str, scope: str | None = None) -> str:
    """`watermark:<kind>:<base url>` (plus `#<scope>`, e.g. an Open311 jurisdiction)."""
    name = f"{PREFIX}:{kind}:{base_url.rstrip('/')}"
    return f"{name}#{scope}" if scope else name


def parse_time(text: str, what: str = "time") -> dt.datetime:
    """An ISO 8601 time as an aware UTC datetime (a time without offset is taken as UTC)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"{what} is not an ISO 8601 time: {text!r} (e.g. 2025-03-01T00:00:00Z)") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def format_time(value: dt.datetime) -> str:
    """UTC, ISO 8601 with Z (fractional seconds only when there are any)."""
    value = value.astimezone(dt.UTC)
    spec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def read(db: Path, name: str) -> dt.datetime | None:
    """The stored watermark, or None when the warehouse or the watermark does not exist yet."""
    if not Path(db).exists():
        return None
    # attached into a private in-memory database: duckdb.connect(path) could hand back an instance of this
    # process still open on the file as it was before the last swap
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach $path as warehouse (read_only)", {"path": str(db)})
        row = con.execute("select value from warehouse.meta where key = $key", {"key": name}).fetchone()
    except duckdb.CatalogException:
        row = None
    finally:
        con.close()
    return parse_time(row[0], name) if row else None


def advance(con: duckdb.DuckDBPyConnection, name: str, value: dt.datetime) -> dt.datetime:
    """Store max(stored, value) inside the caller's transaction; a lookback pull never moves it back."""
    row = con.execute("select value from meta where key = $key", {"key": name}).fetchone()
    if row is not None:
        value = max(value, parse_time(row[0], name))
    con.execute("insert or replace into meta values ($key, $value)", {"key": name, "value": format_time(value)})
    return value
