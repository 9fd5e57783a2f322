"""Writing the warehouse without ever disturbing its readers.

DuckDB lets one process hold a file for writing and then no other process may open it, not even
read-only. So a write never happens in place: the writer copies the file, changes the copy in one
transaction, checkpoints it, and atomically renames it over the original. Readers keep the old
file open until they notice the new one (by inode) and open it afresh with `open_reader`. A killed
or failed write leaves the original untouched; its stale copy is removed by the next writer. A lock
file serialises writers.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

SCHEMA = Path(__file__).resolve().parent / "models" / "schema.sql"


def connect(path: Path | str, *, read_only: bool = False, timezone: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    if timezone is None and not read_only:
        timezone = "UTC"
    if timezone is None:
        row = con.execute("select value from meta where key = 'timezone'").fetchone()
        timezone = row[0] if row else "UTC"
    con.execute("set TimeZone = $tz", {"tz": timezone})
    return con


def open_reader(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A private read-only view of the file as it is now, in the warehouse's time zone.

    Not `duckdb.connect(path)`: that hands back the instance already open for the path while any
    connection or cursor of it lives, i.e. the *old* file after a swap, for as long as a reader holds
    on. An in-memory database is never shared, so the file is attached into a new one and made the
    default catalog (`memory` detached), and the zone is set globally, so cursors inherit both.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach $path as warehouse (read_only)", {"path": str(path)})
        con.execute("use warehouse")
        con.execute("detach memory")
        rows = con.execute("select value from meta where key = 'timezone'").fetchall()
        con.execute("set global TimeZone = $tz", {"tz": rows[0][0] if rows else "UTC"})
    except BaseException:
        con.close()
        raise
    return con


def _remove_stale_copies(db: Path) -> None:
    for tmp in db.parent.glob(f"{db.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def writing(db: Path, *, fresh: bool = False, timezone: str = "UTC") -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of `db` (or a new empty file when `fresh`), swapped in on success."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.with_name(db.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _remove_stale_copies(db)
        tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        _wal(tmp).unlink(missing_ok=True)  # left by a killed writer that had our pid: not our copy's WAL
        if db.exists() and not fresh:
            shutil.copyfile(db, tmp)
            if _wal(db).exists():  # someone wrote the file in place: their committed changes come along
                shutil.copyfile(_wal(db), _wal(tmp))
        con = None
        try:
            con = connect(tmp, timezone=timezone)
            con.execute(SCHEMA.read_text())
            con.execute("begin transaction")
            yield con
            con.execute("commit")
            con.execute("checkpoint")
            con.close()
            _fsync(tmp)
            # a WAL left next to the old file would make the new one unreadable ("checkpoint iteration does
            # not match"); it is folded into the copy already
            _wal(db).unlink(missing_ok=True)
            os.replace(tmp, db)
            _fsync(db.parent)
        except BaseException:
            if con is not None:
                con.close()
            tmp.unlink(missing_ok=True)
            _wal(tmp).unlink(missing_ok=True)
            raise


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
