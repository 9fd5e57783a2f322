"""Run an analyst's SQL: checked by sqlguard, then on a locked-down connection of its own, with a time limit and a row cap.

Two locks, each enough on its own for files and writes:
1. `sqlguard.check` (the parse tree: one SELECT over the marts and rollups);
2. the console's connection: an in-memory DuckDB that attaches the warehouse READ_ONLY, then turns
   `enable_external_access` off and `lock_configuration` on before any analyst SQL runs, with
   extension auto-install/auto-load, community extensions and Python replacement scans off, no temp
   directory (nothing spills to disk), a memory limit and one thread. A parser gap can therefore
   still not read or write a file, attach a database, load an extension or change a setting.

Why attach instead of `duckdb.connect(path, read_only=True, config=…)`: DuckDB keeps one database
instance per file and process, and refuses a second connection with a different configuration
("Can't open a connection to same database file with a different configuration") while the
dashboard's shared connection (queries/__init__.py) is open. Attaching from a fresh in-memory
instance gives the console its own configuration without touching the shared one. External access
is turned off right after the attach (it cannot be turned back on, and the lock stops any SET).

Why `.limit(cap + 1)` on the relation and not `fetchmany`: the relation API adds a LIMIT node to the
plan (no SQL text is assembled; the analyst's statement is executed as written), DuckDB stops once it
has cap + 1 rows, and `.pl()` keeps DuckDB's exact column types. `fetchmany` on an `execute()`
result also streams, but returns Python tuples (types re-guessed); and Arrow on an `execute()`
result materialises every row first (300 M rows: 42 s and 9 GB here), so that route is avoided.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

import settings
from warehouse import partitions, sqlguard

TIMEOUT_S = 5.0
ROW_CAP = 10_000
MEMORY_LIMIT = "512MB"
THREADS = 1            # the dashboard keeps the other core
INTERRUPT_GRACE_S = 2.0
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "python_enable_replacements": False,   # `from some_python_variable` would scan process memory
    "python_scan_all_frames": False,
    "memory_limit": MEMORY_LIMIT,
    "threads": THREADS,
    "temp_directory": "",                  # no spilling: a runaway query fails instead of filling the disk
}


class ConsoleError(Exception):
    """A query the console did not run to the end; `ko` / `en` say why (the page shows one)."""

    def __init__(self, ko: str, en: str) -> None:
        super().__init__(en)
        self.ko, self.en = ko, en


class Refused(ConsoleError):
    """Refused before running (sqlguard) or by the connection's own locks."""


class TimedOut(ConsoleError):
    """Interrupted at the time limit."""


class Failed(ConsoleError):
    """DuckDB could not run it (an unknown column, out of memory, …)."""


@dataclass(frozen=True)
class Result:
    frame: pl.DataFrame
    truncated: bool     # there were more than row_cap rows; `frame` holds the first row_cap
    elapsed: float      # seconds, query and fetch


TEXT_COLUMNS = ("title", "description_masked")  # complaint text: the mayor's office only
_TEXT_FREE_VIEW = "create view fct_complaints as select * exclude ({cols}) from warehouse.main.fct_complaints"
_PLAIN_VIEW = 'create view "{table}" as select * from warehouse.main."{table}"'


def console_connection(db: Path | str, *, hide_text: bool = False) -> duckdb.DuckDBPyConnection:
    """A fresh connection that can read the warehouse and nothing else, its settings locked.

    With `hide_text`, the analyst's `fct_complaints` is a view without the complaint text columns, so no
    query — however it is written — can return them: the allowed marts are views in the console's own
    in-memory catalog over the attached (read-only) warehouse, whose names the guard refuses to qualify.
    """
    con = duckdb.connect(":memory:", config=_CONFIG)
    try:
        con.execute("attach $path as warehouse (read_only)", {"path": str(db)})
        partitions.attach_listed(con, db, "warehouse")  # the year files behind fct_sensor_readings
        if hide_text:
            # identifiers from sqlguard's allow-list and this module's constants, never from the analyst
            for table in sorted(sqlguard.ALLOWED_TABLES - {"fct_complaints"}):
                con.execute(_PLAIN_VIEW.format(table=table))
            con.execute(_TEXT_FREE_VIEW.format(cols=", ".join(TEXT_COLUMNS)))
        else:
            con.execute("use warehouse")
        row = con.execute("select value from warehouse.main.meta where key = 'timezone'").fetchone()
        con.execute("set TimeZone = $tz", {"tz": row[0] if row else "UTC"})
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def run_console(
    sql: str, db: Path | str | None = None, *, timeout_s: float = TIMEOUT_S, row_cap: int = ROW_CAP,
    allow_reporter_key: bool = False, hide_text: bool = False,
) -> Result:
    """The first `row_cap` rows of the analyst's SELECT; raises `Refused`, `TimedOut` or `Failed` with ko/en reasons."""
    checked = sqlguard.check(sql, allow_reporter_key=allow_reporter_key)
    if not checked.ok:
        raise Refused(checked.ko, checked.en)
    path = Path(db or settings.db_path())
    if not path.exists():
        raise Failed("데이터 창고가 없습니다.", f"No warehouse at {path}.")
    con = console_connection(path, hide_text=hide_text)
    outcome: dict = {}
    lock = threading.Lock()  # interrupt() and close() never overlap

    def work() -> None:
        start = time.perf_counter()
        try:
            outcome["frame"] = con.sql(checked.sql).limit(row_cap + 1).pl()
        except BaseException as e:  # handed to the caller's thread
            outcome["error"] = e
        finally:
            outcome["elapsed"] = time.perf_counter() - start
            with lock:
                con.close()
                outcome["closed"] = True

    worker = threading.Thread(target=work, name="sql-console", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        deadline = time.monotonic() + INTERRUPT_GRACE_S
        while worker.is_alive() and time.monotonic() < deadline:
            with lock:
                if not outcome.get("closed"):
                    con.interrupt()  # again until it lands: the first may come before execution starts
            worker.join(0.1)
        raise TimedOut(f"시간 제한({timeout_s:g}초)을 넘어 중단했습니다. 조건을 좁히거나 집계된 표(agg_*)를 쓰세요.",
                       f"Stopped at the time limit ({timeout_s:g} s). Narrow the filters or use a rollup (agg_*).")
    if "error" in outcome:
        raise _explain(outcome["error"], timeout_s) from outcome["error"]
    frame = outcome["frame"]
    return Result(frame.head(row_cap), frame.height > row_cap, outcome["elapsed"])


def _explain(error: BaseException, timeout_s: float) -> ConsoleError:
    """DuckDB's error as one of the console's, in both languages."""
    text = str(error)
    if isinstance(error, duckdb.InterruptException):
        return TimedOut(f"시간 제한({timeout_s:g}초)을 넘어 중단했습니다.", f"Stopped at the time limit ({timeout_s:g} s).")
    if isinstance(error, duckdb.OutOfMemoryException):
        return Failed(f"메모리 한도({MEMORY_LIMIT})를 넘었습니다. 조건을 좁히거나 더 집계하세요.",
                      f"The query needs more than the console's {MEMORY_LIMIT} of memory: filter or aggregate more.")
    if isinstance(error, duckdb.PermissionException | duckdb.InvalidInputException) and (
            "disabled by configuration" in text or "configuration has been locked" in text):
        return Refused(f"콘솔 연결이 거부했습니다: {text}", f"Refused by the console's connection: {text}")
    if isinstance(error, duckdb.Error):
        return Failed(f"쿼리 오류: {text}", f"Query error: {text}")
    return Failed(f"쿼리를 실행하지 못했습니다: {text}", f"The query could not run: {text}")


def columns(
    con: duckdb.DuckDBPyConnection, *, allow_reporter_key: bool = False, hide_text: bool = False,
) -> dict[str, list[str]]:
    """The console's tables and their columns, for the page's reference list.

    Read off any reader of the warehouse (`con`: the pages' shared one), whose tables the console's views show
    column for column. A console connection opened only for this list cost the Explorer's first visit about
    75 ms on the city tier (attaching the warehouse and its year files ~40, the catalog read there ~35; ~5 here).
    """
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and list_contains($tables, table_name) "
        "order by table_name, column_index",
        {"tables": sorted(sqlguard.ALLOWED_TABLES)},
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        if (allow_reporter_key or column != sqlguard.REPORTER_KEY) and not (
                hide_text and table == "fct_complaints" and column in TEXT_COLUMNS):
            out.setdefault(table, []).append(column)
    return out
