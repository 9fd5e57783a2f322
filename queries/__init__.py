"""Read queries: one .sql file per result, run with named parameters against the warehouse.

One read-only connection per process, reopened when the warehouse file is replaced (writes swap a new
file in; see warehouse/store.py). Each call takes its own cursor, so sessions never share state.
"""

from __future__ import annotations

import os
import re
import threading
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

import settings
from warehouse import store

QUERIES_DIR = Path(__file__).resolve().parent
# SQL that several queries share, written once: a line `-- part: <name>` stands for queries/parts/<name>.sql
PARTS_DIR = QUERIES_DIR / "parts"
PART = re.compile(r"^[ \t]*-- part: ([a-z_]+)[ \t]*$", re.M)
_lock = threading.Lock()
_state: dict = {"key": None, "con": None}


def names() -> list[str]:
    """Every query this package offers: the allow-list of names `run` accepts."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@cache
def sql_text(name: str) -> str:
    if name not in names():
        raise KeyError(f"no query named {name!r}")
    return _with_parts((QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def _with_parts(sql: str) -> str:
    def part(match: re.Match) -> str:
        path = PARTS_DIR / f"{match.group(1)}.sql"
        if not path.is_file():
            raise KeyError(f"no query part named {match.group(1)!r}")
        return path.read_text(encoding="utf-8").rstrip("\n")

    return PART.sub(part, sql)


def param_names(sql: str) -> set[str]:
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", body))


def version(db: Path | None = None) -> tuple:
    """Identity of the warehouse file now: changes whenever a write swaps a new file in."""
    path = Path(db or settings.db_path())
    st = os.stat(path)
    return (str(path), st.st_ino, st.st_mtime_ns)


def connection(db: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The process's read-only connection to the warehouse file as it is now (reopened after a swap)."""
    # stat before opening: a swap in between makes the key older than the file opened, which costs one
    # extra reopen on the next call; the other order could record the new key on the old file for good
    key = version(db)
    with _lock:
        if _state["key"] != key:
            # a new private instance (see store.open_reader); the old one closes itself when its last
            # cursor is closed, so queries running on it finish on the file they started on
            _state.update(con=store.open_reader(key[0], memory_limit=settings.reader_memory_limit()), key=key)
        return _state["con"]


def cursor(db: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor of the shared connection: its own session, on the connection's file and time zone."""
    return connection(db).cursor()


def run(name: str, db: Path | None = None, **params) -> pl.DataFrame:
    """The named query's rows; only the parameters the query names are passed, missing ones are null."""
    sql = sql_text(name)
    wanted = param_names(sql)
    values = {k: params.get(k) for k in wanted}
    cur = cursor(db)
    try:
        return cur.sql(sql, params=values or None).pl()
    finally:
        cur.close()
