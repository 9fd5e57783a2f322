"""Sensor readings and their hourly rollup live in one file per year, beside the main warehouse file.

Why: a write copies every file it changes (store.py), and readings are nine tenths of a city's bytes.
With one file for everything, adding one day to five years of history copied all five years; now it
copies the main file (complaints, dims, daily rollups) and the one year the day falls in, so the cost
of an incremental load no longer grows with the years kept.

Layout: `<db>.parts/sensors-<year>.<generation>.duckdb`, each holding `fct_sensor_readings` and
`agg_sensor_hourly` rows of one local year. The main file lists the current files in `partitions` and
carries two views of the same names that union them (after an empty template table, so the views exist
with their types before the first reading). A write never changes a listed file: it writes the year to
a new generation file and lists that in its copy of the main file, so the rename of the main file
(store.writing) switches readers to the new set of files all at once. Files no longer listed are
removed by the next writer.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import duckdb

COLUMNS = {
    "fct_sensor_readings": (
        "sensor_id text not null, metric text not null, measured_at timestamptz not null,"
        " value double not null, unit text not null, quality text"
    ),
    "agg_sensor_hourly": (
        "sensor_id text not null, metric text not null, hour timestamptz not null, day date not null,"
        " n bigint, n_flagged bigint, value_sum double, mean double, min double, max double"
    ),
}
# the local day a row belongs to, which decides its year's file
DAY = {"fct_sensor_readings": "cast(measured_at as date)", "agg_sensor_hourly": "day"}
ALIAS = re.compile(r"p\d{4}")
FILE = re.compile(r"sensors-\d{4}\.[0-9a-z-]+\.duckdb")


def parts_dir(db: Path) -> Path:
    return db.with_name(db.name + ".parts")


def alias_of(year: int) -> str:
    return f"p{int(year):04d}"


def _name(catalog: str) -> str:
    if not re.fullmatch(r"[a-z_]+", catalog):
        raise ValueError(f"not a catalog name: {catalog!r}")
    return catalog


def checked(alias: str) -> str:
    """An alias safe to write into SQL: only `p` and four digits (they are formatted into statements)."""
    if not ALIAS.fullmatch(alias):
        raise ValueError(f"not a partition alias: {alias!r}")
    return alias


def listed(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, str]:
    """alias → file name of the partitions the main file lists (none in an old warehouse).

    `catalog`: the name the main file is attached under, when it is not the connection's default.
    """
    table = f"{_name(catalog)}.main.partitions" if catalog else "partitions"
    try:
        rows = con.execute(f"select alias, file from {table} order by alias").fetchall()  # noqa: S608 (checked name)
    except duckdb.CatalogException:
        return {}
    for alias, file in rows:  # identifiers and paths come from our own writes, but the file may be tampered with
        if not ALIAS.fullmatch(alias) or not FILE.fullmatch(file):
            raise ValueError(f"partitions table lists an invalid entry: {alias!r} {file!r}")
    return dict(rows)


def attached_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years of the year files attached to the connection, in order (none in an old warehouse)."""
    rows = con.execute(
        "select cast(substr(database_name, 2) as integer) as y from duckdb_databases()"
        " where regexp_full_match(database_name, 'p[0-9]{4}') order by y"
    ).fetchall()
    return [r[0] for r in rows]


def attach_listed(con: duckdb.DuckDBPyConnection, db: Path | str, catalog: str | None = None) -> list[str]:
    """Attach, read-only, every partition the main file lists; a no-op for those already attached."""
    folder = parts_dir(Path(db))
    parts = listed(con, catalog)
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    for alias, file in parts.items():
        if alias not in attached:
            con.execute(f"attach $path as {alias} (read_only)", {"path": str(folder / file)})
    return list(parts)


def create_templates(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table if not exists partitions (alias text primary key, year integer not null, file text not null)")
    for table, columns in COLUMNS.items():
        con.execute(f"create table if not exists tpl_{table} ({columns})")


def create_views(con: duckdb.DuckDBPyConnection, aliases: list[str]) -> None:
    """The union views readers query; recreated whenever the set of years changes."""
    for table in COLUMNS:
        parts = "".join(f" union all select * from {checked(a)}.{table}" for a in sorted(aliases))  # noqa: S608 (constant names, checked aliases)
        con.execute(f"create or replace view {table} as select * from tpl_{table}{parts}")  # noqa: S608 (constant names, checked aliases)


def is_legacy(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse written before partitions keeps readings as a table in its main file."""
    row = con.execute(
        "select table_type from information_schema.tables"
        " where table_catalog = current_database() and table_schema = 'main' and table_name = 'fct_sensor_readings'"
    ).fetchone()
    return row is not None and row[0] == "BASE TABLE"


class Writer:
    """The partitions of one write: untouched years attached read-only, touched ones as new files."""

    def __init__(self, con: duckdb.DuckDBPyConnection, db: Path):
        self.con, self.folder = con, parts_dir(db)
        self.current = listed(con)
        self.written: dict[str, str] = {}
        self.copy_s = 0.0  # seconds spent copying year files (the benchmark reports it)
        self.token = f"{time.time_ns():x}-{os.getpid()}"

    def open(self) -> None:
        self.folder.mkdir(exist_ok=True)
        for alias, file in self.current.items():
            self.con.execute(f"attach $path as {alias} (read_only)", {"path": str(self.folder / file)})
        if not is_legacy(self.con):  # an old warehouse gets its views when migrate_legacy has moved the tables
            create_views(self.con, list(self.current))

    def writable(self, year: int) -> str:
        """The year's alias, attached read-write to a private new generation of its file."""
        alias = alias_of(year)
        if alias in self.written:
            return alias
        name = f"sensors-{int(year):04d}.{self.token}.duckdb"
        if alias in self.current:
            self.con.execute(f"detach {alias}")
            started = time.perf_counter()
            shutil.copyfile(self.folder / self.current[alias], self.folder / name)
            self.copy_s += time.perf_counter() - started
        self.written[alias] = name
        self.con.execute(f"attach $path as {alias}", {"path": str(self.folder / name)})
        for table, columns in COLUMNS.items():
            self.con.execute(f"create table if not exists {alias}.{table} ({columns})")
        if alias not in self.current and not is_legacy(self.con):
            create_views(self.con, [*self.current, *self.written])
        return alias

    def finish(self) -> None:
        """Make the new files durable and list them in the main file (still a private copy)."""
        for alias, name in self.written.items():
            self.con.execute(f"checkpoint {alias}")
            self.con.execute(f"detach {alias}")
            fsync(self.folder / name)
            self.con.execute("delete from partitions where alias = $alias", {"alias": alias})
            self.con.execute(
                "insert into partitions values ($alias, $year, $file)",
                {"alias": alias, "year": int(alias[1:]), "file": name},
            )
        if self.written:
            fsync(self.folder)

    def abort(self) -> None:
        for alias, name in self.written.items():
            try:
                self.con.execute(f"detach if exists {alias}")
            except duckdb.Error:
                pass
            (self.folder / name).unlink(missing_ok=True)
            (self.folder / f"{name}.wal").unlink(missing_ok=True)

    def migrate_legacy(self) -> None:
        """Move readings and hourly rollups of an old single-file warehouse into year files."""
        for table in COLUMNS:
            years = [r[0] for r in self.con.execute(f"select distinct year({DAY[table]}) from main.{table}").fetchall()]  # noqa: S608 (constant names, checked aliases)
            for year in sorted(years):
                alias = self.writable(year)
                order = "measured_at, sensor_id, metric" if table == "fct_sensor_readings" else "hour, sensor_id, metric"
                self.con.execute(
                    f"insert into {alias}.{table} select * from main.{table} where year({DAY[table]}) = $year order by {order}",  # noqa: S608 (constant names, checked aliases)
                    {"year": year},
                )
        for table in COLUMNS:
            self.con.execute(f"drop table main.{table}")
        create_views(self.con, [*self.current, *self.written])


def remove_unlisted(db: Path, keep: set[str]) -> None:
    """Delete partition files no main file lists any more (superseded generations, killed writes)."""
    folder = parts_dir(db)
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        base = path.name.removesuffix(".wal")
        if FILE.fullmatch(base) and base not in keep:
            path.unlink(missing_ok=True)


def fsync(path: Path) -> None:
    """Flush a file or folder to disk (a folder: the names in it), before a rename makes it count."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
