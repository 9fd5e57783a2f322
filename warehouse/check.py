"""Data checks: each SQL file in checks/ returns the rows that break one rule; none means it holds.

Two ways to run them:
- `record_checks` inside every write (build.load calls it) and `python -m warehouse check`: the results are stored
  in `check_results`, which the Data page reads, so no page ever runs a check over the whole history.
- `run_checks` / `run_checks_on`: the whole history on a read-only connection, nothing stored (tests, tools).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from warehouse import catalog, partitions, store
from warehouse.sensor_load import year_bounds

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
RESULTS_MODEL = Path(__file__).resolve().parent / "models" / "check_results.sql"
SAMPLE_ROWS = 5

# The marts each dataset's batches write (models/marts/*.sql). A check reading none of them reads only tables every
# write may change (load_batches, quarantine, dim_district, dim_linkage) and runs on every write.
SENSOR_TABLES = frozenset({
    "fct_sensor_readings", "agg_sensor_hourly", "agg_sensor_daily", "agg_sensor_anomalies", "agg_anomaly_episodes",
    "dim_sensor",
})
COMPLAINT_TABLES = frozenset({"fct_complaints", "agg_complaints_daily"})
# A sensor batch also recomputes the anomalies of the 35 days after the days it touched (their baselines may
# include them: models/marts/agg_sensor_anomalies.sql), so a check reading agg_sensor_anomalies looks that far on.
DAYS_AFTER = {"agg_sensor_anomalies": 35}
# A scoped check reading the readings runs one local year at a time, so that its memory stays that of a year's
# readings however long the history (the first write after an upgrade re-runs a changed check over all of it). Its
# offending rows are readings or local days, and the cuts are local midnights, so the parts add up to the whole.
BY_YEAR = "fct_sensor_readings"


@dataclass
class CheckResult:
    name: str
    rule: str
    failures: int
    sample: pl.DataFrame


@dataclass(frozen=True)
class Check:
    """One checks/*.sql file. `scoped`: it takes $scope_from/$scope_to and names each offending row's `day`."""

    name: str
    rule: str
    sql: str
    sql_hash: str
    tables: frozenset[str]
    scoped: bool
    fixed_offset: bool = False  # it takes $fixed_from, $fixed_to, $offset_us (see _fixed_offset)

    @property
    def days_after(self) -> int:
        return max((DAYS_AFTER.get(t, 0) for t in self.tables), default=0)


def check_files() -> list[Path]:
    return sorted(CHECKS_DIR.glob("*.sql"))


def load_check(path: Path) -> Check:
    """A check file: its rule (first comment line), the tables it reads (names after from/join; CTE names come
    along, harmlessly) and whether it is scoped."""
    text = path.read_text(encoding="utf-8")
    rule = next((line[2:].strip() for line in text.splitlines() if line.startswith("--")), path.stem)
    body = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    tables = frozenset(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", body, flags=re.IGNORECASE))
    return Check(
        path.stem, rule, text, hashlib.sha256(text.encode()).hexdigest()[:16], tables, "$scope_from" in body,
        "$offset_us" in body,
    )


def checks() -> list[Check]:
    """Every check, in file-name order (the order of reports and of the Data page)."""
    return [load_check(p) for p in check_files()]


@cache
def _catalogue() -> pl.DataFrame:
    units = {name: spec.get("unit") for name, spec in catalog.metrics().items()}
    return pl.DataFrame({"metric": list(units), "unit": list(units.values())}, schema={"metric": pl.String, "unit": pl.String})


@contextmanager
def _with_catalogue(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The metric catalogue as the relation `metric_catalogue` (fct_sensor_readings_one_unit compares with it)."""
    con.register("metric_catalogue", _catalogue())
    try:
        yield
    finally:
        con.unregister("metric_catalogue")


def _params(
    con: duckdb.DuckDBPyConnection, check: Check, scope_from: dt.datetime | None = None,
    scope_to: dt.datetime | None = None,
) -> dict | None:
    if not check.scoped:
        return None
    params = {"scope_from": scope_from, "scope_to": scope_to}
    return params | _fixed_offset(con, scope_from, scope_to) if check.fixed_offset else params


def _fixed_offset(con: duckdb.DuckDBPyConnection, scope_from: dt.datetime | None, scope_to: dt.datetime | None) -> dict:
    """$fixed_from, $fixed_to, $offset_us: the local year a part of a run lies in and the zone's offset from UTC
    there, when it is the same all year (Korea's every year since 1989): a check then works out a reading's local
    day by adding it to the instant, a third of the cost of ICU's calendar (`cast(measured_at as date)`), which it
    keeps for any reading outside that year and for a year whose clocks change (nulls). The offset is read hour by
    hour from the same calendar, so both ways give the same day."""
    years = partitions.attached_years(con)
    year = con.execute(
        "select coalesce(year(cast($f as timestamptz)), year(cast($t as timestamptz) - interval 1 microsecond), $last)",
        {"f": scope_from, "t": scope_to, "last": years[-1] if years else None},
    ).fetchall()[0][0]
    none = {"fixed_from": None, "fixed_to": None, "offset_us": None}
    if year is None:
        return none
    bounds = year_bounds(con, year)
    low, high = con.execute(
        """select min(epoch_us(cast(t as timestamp)) - epoch_us(t)), max(epoch_us(cast(t as timestamp)) - epoch_us(t)),
           from range($year_from, $year_to, interval 1 hour) as r(t)""",
        bounds,
    ).fetchall()[0]
    return {"fixed_from": bounds["year_from"], "fixed_to": bounds["year_to"], "offset_us": low} if low == high else none


def offending_rows(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """The rows breaking one check's rule over the whole history (none means it holds)."""
    check = load_check(CHECKS_DIR / f"{name}.sql")
    with _with_catalogue(con):
        return _offending(con, check)


def run_checks(db: Path) -> list[CheckResult]:
    con = store.connect(db, read_only=True)
    try:
        return run_checks_on(con)
    finally:
        con.close()


def run_checks_on(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Every check over the whole history on a connection (or cursor) the caller holds; nothing is stored."""
    results = []
    with _with_catalogue(con):
        for check in checks():
            rows = _offending(con, check)
            results.append(CheckResult(check.name, check.rule, rows.height, rows.head(SAMPLE_ROWS)))
    return results


def _offending(con: duckdb.DuckDBPyConnection, check: Check) -> pl.DataFrame:
    """A check's offending rows over the whole history, part by part."""
    parts = _parts(con, check, None, None)
    return pl.concat([con.sql(check.sql, params=_params(con, check, *part)).pl() for part in parts])


def _parts(
    con: duckdb.DuckDBPyConnection, check: Check, scope_from: dt.datetime | None, scope_to: dt.datetime | None,
) -> list[tuple[dt.datetime | None, dt.datetime | None]]:
    """[scope_from, scope_to) cut at each local new year within it, for a check reading the readings (BY_YEAR).

    The years are those of the year files attached (warehouse/partitions.py: a reading's file is its local year),
    found without reading a row. The ends stay as they are, so the parts cover the whole scope whatever the files
    hold; a warehouse from before year files is one part."""
    if not check.scoped or BY_YEAR not in check.tables:
        return [(scope_from, scope_to)]
    # between one year file and the next: before the first there is nothing to split off
    cuts = [year_bounds(con, year)["year_from"] for year in partitions.attached_years(con)[1:]]
    inside = [c for c in cuts if (scope_from is None or c > scope_from) and (scope_to is None or c < scope_to)]
    bounds = [scope_from, *inside, scope_to]
    return list(zip(bounds, bounds[1:], strict=False))


# --------------------------------------------------------------------------------------------- stored results

# The offending rows of one run (the relation registered as check_offending) counted per local day, with the first rows as a sample.
_PER_DAY = """
insert into check_results by name
with numbered as (
    select o.day as day, o as offending, row_number() over (partition by o.day order by o) as n,
    from check_offending as o
)
select $name as check_name, $rule as rule, day, count(*) as failures,
    cast(to_json(list(offending order by n) filter (where n <= $sample_rows)) as varchar) as sample,
    $checked_at as checked_at, $batch_id as batch_id, $scope_from as scope_from, $scope_to as scope_to,
    $sql_hash as sql_hash,
from numbered
group by day
"""
# The same for a check over a small table: its offending rows have no day, all go to the check's own row.
_WHOLE = """
insert into check_results by name
with numbered as (
    select o as offending, row_number() over (order by o) as n,
    from check_offending as o
)
select $name as check_name, $rule as rule, cast(null as date) as day, count(*) as failures,
    cast(to_json(list(offending order by n) filter (where n <= $sample_rows)) as varchar) as sample,
    $checked_at as checked_at, $batch_id as batch_id, $scope_from as scope_from, $scope_to as scope_to,
    $sql_hash as sql_hash,
from numbered
having count(*) > 0
"""
# Every check that ran has its own row (day null): when it last ran, on which range, with which SQL.
_OWN_ROW = """
insert into check_results by name
select $name as check_name, $rule as rule, cast(null as date) as day, 0 as failures, null as sample,
    $checked_at as checked_at, $batch_id as batch_id, $scope_from as scope_from, $scope_to as scope_to,
    $sql_hash as sql_hash,
where not exists (select 1 from check_results where check_name = $name and day is null)
"""


def record_checks(
    con: duckdb.DuckDBPyConnection, batch_id: int | None = None,
    scope: tuple[dt.datetime | dt.date, dt.datetime | dt.date] | None = None,
) -> list[CheckResult]:
    """Run the checks a write can have changed, inside that write, and store their results in `check_results`.

    `scope`: the first and last instant (or day) the batch touched, both included — a sensor batch's measured_at
    range, a complaint batch's requested_at days; None = the whole history.

    How a scoped run keeps the stored result true for the whole warehouse: the time-series checks (those taking
    $scope_from/$scope_to: readings, sensor rollups, complaints by requested_at, the complaint rollup) store their
    offending rows per local day, and a scoped run replaces exactly the days it looked at: the touched days
    widened to whole local days, plus 35 for the checks of agg_sensor_anomalies, which a sensor batch recomputes
    that far on. Every other day's stored result still holds, because only a write changes the data and each write
    re-checks the days it changed. A check's failures are the sum over its stored days, so a failure outside a
    batch's range is kept until a run that covers its day finds it gone. Per day rather than per range, because a
    stored range would have to be split when a later batch covers part of it. The other checks (dims,
    load_batches, quarantine, episodes, complaint ids) read small tables or need every row, and are run whole.

    Which checks run: a check reading sensor marts only on sensor batches, one reading complaint marts only on
    complaint batches (their time-series ones only when the batch loaded or updated a row), the others on every
    write; without a batch (the CLI), all. A check never stored, or whose SQL changed since, runs over the whole
    history once (the first write after upgrading a big warehouse pays that once). Days are local days of the
    warehouse's time zone. Returns the stored results of every check.
    """
    con.execute(RESULTS_MODEL.read_text(encoding="utf-8"))
    dataset, changed = _batch(con, batch_id)
    stored = dict(con.execute("select check_name, sql_hash from check_results where day is null").fetchall())
    checked_at = dt.datetime.now(dt.UTC)
    current = checks()
    with _local_days(con), _with_catalogue(con):
        for check in current:
            up_to_date = stored.get(check.name) == check.sql_hash
            if up_to_date and not _changed_by(check, dataset, changed):
                continue
            whole = scope is None or None in scope or not check.scoped or not up_to_date
            days = None if whole else _days(con, scope, check.days_after)
            _record(con, check, days, batch_id, checked_at)
        con.execute("delete from check_results where not list_contains($names, check_name)",
                    {"names": [c.name for c in current]})
    return stored_results(con)


def _batch(con: duckdb.DuckDBPyConnection, batch_id: int | None) -> tuple[str | None, bool]:
    """The batch's dataset and whether it loaded or updated any row; (None, True) without a batch."""
    if batch_id is None:
        return None, True
    rows = con.execute("select dataset, rows_loaded + rows_updated from load_batches where batch_id = $b",
                       {"b": batch_id}).fetchall()
    return (rows[0][0], bool(rows[0][1])) if rows else (None, True)


def _changed_by(check: Check, dataset: str | None, changed: bool) -> bool:
    """Whether a batch of this dataset can have changed what the check reads."""
    if dataset is None:
        return True
    if check.tables & COMPLAINT_TABLES:
        return dataset == "complaints" and (changed or not check.scoped)
    if check.tables & SENSOR_TABLES:
        return dataset == "sensors" and (changed or not check.scoped)
    return True


def _days(con: duckdb.DuckDBPyConnection, scope: tuple[dt.date, dt.date], after: int) -> tuple[dt.datetime, dt.datetime]:
    """[first local midnight, midnight after the last day + `after` days) around the touched range."""
    return con.execute(
        "select cast(cast($first as date) as timestamptz), cast(cast($last as date) + 1 + $after as timestamptz)",
        {"first": scope[0], "last": scope[1], "after": after},
    ).fetchall()[0]


def _record(
    con: duckdb.DuckDBPyConnection, check: Check, days: tuple[dt.datetime, dt.datetime] | None,
    batch_id: int | None, checked_at: dt.datetime,
) -> None:
    """Run one check (over `days`, else the whole history) and replace its stored result for what it looked at."""
    scope_from, scope_to = days or (None, None)
    if days is None:
        con.execute("delete from check_results where check_name = $name", {"name": check.name})
    else:
        con.execute(
            "delete from check_results where check_name = $name"
            " and (day is null or (day >= cast($scope_from as date) and day < cast($scope_to as date)))",
            {"name": check.name, "scope_from": scope_from, "scope_to": scope_to},
        )
    values = {
        "name": check.name, "rule": check.rule, "sample_rows": SAMPLE_ROWS, "checked_at": checked_at,
        "batch_id": batch_id, "scope_from": scope_from, "scope_to": scope_to, "sql_hash": check.sql_hash,
    }
    for part in _parts(con, check, scope_from, scope_to):  # each part's days are its own: stored as they come
        con.register("check_offending", con.sql(check.sql, params=_params(con, check, *part)))
        try:
            con.execute(_PER_DAY if check.scoped else _WHOLE, values)
        finally:
            con.unregister("check_offending")
    con.execute(_OWN_ROW, {k: v for k, v in values.items() if k != "sample_rows"})


@contextmanager
def _local_days(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Days are the warehouse's local days (meta.timezone), whatever zone the writer's connection was opened in."""
    zone = con.execute("select value from meta where key = 'timezone'").fetchall()
    before = con.execute("select current_setting('TimeZone')").fetchall()[0][0]
    if not zone or zone[0][0] == before:
        yield
        return
    con.execute("set TimeZone = $tz", {"tz": zone[0][0]})
    try:
        yield
    finally:
        con.execute("set TimeZone = $tz", {"tz": before})


def stored_results(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """The stored result of every check: its failures summed over its stored days, the first offending rows."""
    rows = con.execute(
        """select check_name, any_value(rule) filter (where day is null), cast(sum(failures) as bigint),
                  list(sample order by day nulls first) filter (where failures > 0)
           from check_results group by check_name order by check_name"""
    ).fetchall()
    results = []
    for name, rule, failures, samples in rows:
        sample = [row for text in samples or [] for row in json.loads(text)][:SAMPLE_ROWS]
        results.append(CheckResult(name, rule, int(failures), pl.DataFrame(sample) if sample else pl.DataFrame()))
    return results


def report(db: Path, results: list[CheckResult]) -> str:
    """The quality report: checks, then per-batch row accounting and the main quarantine reasons."""
    con = store.connect(db, read_only=True)
    try:
        batches = con.sql(
            "select batch_id, dataset, source, profile, rows_read, rows_loaded, rows_updated, rows_duplicate,"
            " rows_quarantined, status from load_batches order by batch_id"
        ).pl()
        reasons = con.sql(
            "select batch_id, field, regexp_replace(reason, '''[^'']*''', '''…''', 'g') as reason, count(*) as n"
            " from quarantine group by all order by batch_id, n desc"
        ).pl()
        totals = con.execute(
            "select (select count(*) from fct_complaints) as complaints,"
            " (select count(*) from fct_sensor_readings) as readings,"
            " (select count(*) from dim_sensor) as sensors,"
            " (select count(*) from dim_district) as districts"
        ).fetchone()
    finally:
        con.close()
    counts = f"  complaints {totals[0]:,}  readings {totals[1]:,}  sensors {totals[2]:,}  districts {totals[3]:,}"
    lines = [f"warehouse {db}", counts, "", "checks:"]
    for r in results:
        mark = "ok  " if r.failures == 0 else "FAIL"
        lines.append(f"  {mark} {r.name}: {r.rule}" + (f" — {r.failures} offending rows" if r.failures else ""))
        if r.failures:
            lines.append("       " + str(r.sample).replace("\n", "\n       "))
    lines += ["", "batches (read = loaded + updated + duplicates + quarantined):"]
    for b in batches.iter_rows(named=True):
        lines.append(
            f"  #{b['batch_id']} {b['dataset']:<10} {b['source']:<14} read {b['rows_read']:>10,} loaded {b['rows_loaded']:>10,}"
            f" updated {b['rows_updated']:>8,} dup {b['rows_duplicate']:>8,} quarantined {b['rows_quarantined']:>7,} {b['status']}"
        )
        for q in reasons.filter(pl.col("batch_id") == b["batch_id"]).head(5).iter_rows(named=True):
            lines.append(f"      {q['n']:>7,} × [{q['field']}] {q['reason'][:110]}")
    failed = sum(1 for r in results if r.failures)
    lines += ["", f"{len(results) - failed} of {len(results)} checks passed"]
    return "\n".join(lines)
