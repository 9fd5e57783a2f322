"""Writing the warehouse without ever disturbing its readers.

DuckDB lets one process hold a file for writing and then no other process may open it, not even
read-only. So a write never happens in place: the writer copies the main file, changes the copy,
checkpoints it, and atomically renames it over the original. Sensor readings live in year files
(partitions.py) that a write never changes either: a touched year is written to a new file, listed
only in the copy, so the rename is the one moment the whole new state becomes visible. Readers keep
the old files open until they notice the new main file (by inode) and open it afresh with
`open_reader`. A killed or failed write leaves the original untouched; its stale copies are removed by
the next writer. A lock file serialises writers.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import partitions

SCHEMA = Path(__file__).resolve().parent / "models" / "schema.sql"


def connect(path: Path | str, *, read_only: bool = False, timezone: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    if read_only:
        partitions.attach_listed(con, Path(path))
    if timezone is None and not read_only:
        timezone = "UTC"
    if timezone is None:
        row = con.execute("select value from meta where key = 'timezone'").fetchone()
        timezone = row[0] if row else "UTC"
    con.execute("set TimeZone = $tz", {"tz": timezone})
    return con


def open_reader(path: Path | str, *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A private read-only view of the warehouse as it is now, in the warehouse's time zone.

    Not `duckdb.connect(path)`: that hands back the instance already open for the path while any
    connection or cursor of it lives, i.e. the *old* file after a swap, for as long as a reader holds
    on. An in-memory database is never shared, so the file is attached into a new one and made the
    default catalog (`memory` detached), and the zone is set globally, so cursors inherit both.
    A write that lands between reading the list of year files and attaching them may already have
    removed one: then the new main file is opened instead.
    """
    for attempt in range(5):
        config = {"memory_limit": memory_limit, "temp_directory": tempfile.gettempdir()} if memory_limit else {}
        con = duckdb.connect(":memory:", config=config)
        try:
            con.execute("attach $path as warehouse (read_only)", {"path": str(path)})
            con.execute("use warehouse")
            con.execute("detach memory")
            partitions.attach_listed(con, Path(path))
            rows = con.execute("select value from meta where key = 'timezone'").fetchall()
            con.execute("set global TimeZone = $tz", {"tz": rows[0][0] if rows else "UTC"})
        except duckdb.IOException:
            con.close()
            if attempt == 4:
                raise
            continue
        except BaseException:
            con.close()
            raise
        return con
    raise AssertionError("unreachable")


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
    """A connection to a private copy of `db` (or a new empty file when `fresh`), swapped in on success.

    There is no single transaction: DuckDB lets a transaction write to one attached file only, and the
    year files are separate. Nothing is visible before the rename anyway, so each statement commits on
    its own into private files, and a failure anywhere discards them all.
    """
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
        con, parts = None, None
        try:
            con = connect(tmp, timezone=timezone)
            con.execute("set memory_limit = $limit", {"limit": _writer_memory()})
            con.execute(SCHEMA.read_text())
            partitions.create_templates(con)
            parts = partitions.Writer(con, db)
            # superseded year files: the copy lists what the current file lists (a fresh write's copy lists nothing)
            partitions.remove_unlisted(db, _listed_files(db) if fresh else set(parts.current.values()))
            _writers[id(con)] = parts
            parts.open()
            legacy = partitions.is_legacy(con)
            if legacy:
                parts.migrate_legacy()
            yield con
            parts.finish()
            con.execute("checkpoint")
            if legacy:  # dropping the old tables left their blocks free inside the copy
                con.close()
                _compact(tmp, db)
            else:
                con.close()
            partitions.fsync(tmp)
            # a WAL left next to the old file would make the new one unreadable ("checkpoint iteration does
            # not match"); it is folded into the copy already
            _wal(db).unlink(missing_ok=True)
            os.replace(tmp, db)
            partitions.fsync(db.parent)
        except BaseException:
            if parts is not None:
                parts.abort()
            if con is not None:
                con.close()
            tmp.unlink(missing_ok=True)
            _wal(tmp).unlink(missing_ok=True)
            raise
        finally:
            if con is not None:
                _writers.pop(id(con), None)


_writers: dict[int, partitions.Writer] = {}


def _writer_memory() -> str:
    from settings import writer_memory_limit

    return writer_memory_limit()


def partitions_of(con: duckdb.DuckDBPyConnection) -> partitions.Writer:
    """The year files of the write `con` belongs to (a connection yielded by `writing`)."""
    return _writers[id(con)]


def _listed_files(db: Path) -> set[str]:
    """The year files the current main file lists: the ones readers may be opening now."""
    if not db.exists():
        return set()
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach $path as current (read_only)", {"path": str(db)})
        con.execute("use current")
        return set(partitions.listed(con).values())
    finally:
        con.close()


def _compact(path: Path, db: Path) -> None:
    """Rewrite a file without its free blocks (after a migration dropped most of its bytes)."""
    fresh = path.with_name(path.name + ".compact")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach $old as old (read_only)", {"old": str(path)})
        con.execute("use old")
        partitions.attach_listed(con, db)  # the views name them
        con.execute("attach $new as new", {"new": str(fresh)})
        con.execute("copy from database old to new")
        con.execute("detach new")
    finally:
        con.close()
    os.replace(fresh, path)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def copy(src: Path, dest: Path) -> Path:
    """A copy of a whole warehouse (main file and the year files it lists), e.g. for a backup."""
    src, dest = Path(src), Path(dest)
    files = _listed_files(src)
    if files:
        partitions.parts_dir(dest).mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copyfile(partitions.parts_dir(src) / name, partitions.parts_dir(dest) / name)
    shutil.copyfile(src, dest)
    return dest


def size(db: Path) -> int:
    """Bytes of a whole warehouse: the main file and the year files it lists."""
    db = Path(db)
    return db.stat().st_size + sum((partitions.parts_dir(db) / f).stat().st_size for f in _listed_files(db))
