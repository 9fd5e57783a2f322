"""A sensor batch from its landing into the marts, by the shortest way that gives the same marts.

The landing is two temp tables (models/raw_sensor_tables.sql): `raw_sensor_series`, one row per distinct
series description (what the readings of one sensor × metric × unit × quality × place share), and
`raw_sensor_readings`: the description (`dim`), its sensor × metric (`series`), measured_at, value and `rid`
(file index and line: the order in which the last of repeated readings wins). `Landing` fills them from what
build.prepare parsed (sensors.parse), numbering the descriptions across the batch.

Then one of two ways (the choice only changes how fast, never what is stored):
- append: no sensor × metric × time repeats inside the batch and no stored reading of its series in its time
  range, so every reading is new: inserted as it is and rolled up straight from the batch;
- merge: anything else (a re-sent file, an update, repeats): the reading plan sorts every reading into new,
  changed, same or stale (models/marts/fct_sensor_readings.sql) and the touched days are re-read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.readers import LINE
from warehouse.sensors import DIM

MODELS_DIR = Path(__file__).resolve().parent / "models"
RAW_TABLES = MODELS_DIR / "raw_sensor_tables.sql"
SERIES_COLUMNS = (
    "source", "sensor_id", "station_name", "metric", "unit", "quality", "lat", "lon", "district_code", "domain",
    "expected_interval_s",
)
# first, the batch's readings per description × UTC clock bucket; then the way (append or merge); then the rest
STAGING, BUCKETS = "staging/stg_sensor_readings.sql", "marts/sensor_batch_buckets.sql"
APPEND = ["marts/sensor_batch_hours.sql", "marts/fct_sensor_readings_append.sql"]
MERGE = ["marts/fct_sensor_readings.sql", "marts/fct_sensor_readings_year.sql"]
AFTER = [
    "marts/agg_sensor_hourly_year.sql", "marts/agg_sensor_daily.sql", "marts/dim_district_from_sensors.sql",
    "marts/dim_sensor.sql", "marts/agg_sensor_anomalies.sql", "marts/agg_anomaly_episodes.sql",
]
HOUR_US, QUARTER_US = 3_600_000_000, 900_000_000
SLICE_ROWS = 4_000_000
ORDER_BY = {"time": "order by measured_at", "file": ""}  # {order_by} of fct_sensor_readings_append.sql
Run = Callable[[duckdb.DuckDBPyConnection, str, dict, list[int] | None, dict[str, str] | None], None]


class Landing:
    """The batch's landing tables, filled file by file; descriptions get batch-wide numbers as they arrive."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.dims = 0
        self.series: dict[tuple[str, str], int] = {}
        # The order readings arrive in, read while they land (most exports list them in time order and, at one
        # instant, their series in the same order each time): `in_time_order` spares the sort of the append, and
        # `increasing` — (measured_at, series) only ever increases — proves no key repeats without counting them.
        self.in_time_order = self.increasing = True
        self.last: tuple | None = None  # (measured_at, series) of the last reading landed
        con.execute(RAW_TABLES.read_text(encoding="utf-8"))

    def add_series(self, described: pl.DataFrame) -> pl.DataFrame:
        """Store descriptions numbered 0… within their file; return `dim` (old) → `new_dim`, `series`."""
        pairs = described.select("sensor_id", "metric").rows()
        numbers = [self.series.setdefault(pair, len(self.series)) for pair in pairs]
        numbered = described.with_columns(
            (pl.col(DIM).cast(pl.Int64) + self.dims).cast(pl.Int32).alias("new_dim"),
            pl.Series("series", numbers, dtype=pl.Int32),
        )
        self.dims += described.height
        self.con.register("landing_series", numbered.select(
            pl.col("new_dim").alias("dim"), "series", *[pl.col(c) for c in SERIES_COLUMNS],
        ))
        try:
            self.con.execute("insert into raw_sensor_series by name select * from landing_series")
        finally:
            self.con.unregister("landing_series")
        return numbered.select(DIM, "new_dim", "series")

    def add_readings(self, readings: pl.DataFrame, numbers: pl.DataFrame) -> None:
        """Readings of sensors.READING plus file_index, their `_dim` as numbered by the file's descriptions."""
        if readings.height == 0:
            return
        dims = numbers.sort(DIM)
        if dims[DIM].to_list() != list(range(dims.height)):
            raise AssertionError("series descriptions must be numbered 0… within their file")
        for part in readings.iter_slices(SLICE_ROWS):  # in slices: one copy of a slice at a time, not of the batch
            landed = part.select(
                dims["new_dim"].gather(part[DIM]).alias("dim"),
                dims["series"].gather(part[DIM]).alias("series"),
                "measured_at", "value",
                (pl.col("file_index").cast(pl.Int64) * (1 << 32) + pl.col(LINE).cast(pl.Int64)).alias("rid"),
            )
            self._follow_order(landed)
            self.con.register("landing_readings", landed)
            try:
                self.con.execute("insert into raw_sensor_readings by name select * from landing_readings")
            finally:
                self.con.unregister("landing_readings")

    def _follow_order(self, landed: pl.DataFrame) -> None:
        keys = landed.select("measured_at", "series")
        if self.last is not None:
            keys = pl.concat([pl.DataFrame([self.last], schema=keys.schema, orient="row"), keys])
        step_t, step_s = pl.col("measured_at").diff(), pl.col("series").diff()
        in_order, increasing = keys.select(
            (step_t >= 0).fill_null(True).all().alias("in_order"),
            ((step_t > 0) | ((step_t == 0) & (step_s > 0))).fill_null(True).all().alias("increasing"),
        ).row(0)
        self.in_time_order = self.in_time_order and in_order
        self.increasing = self.increasing and increasing
        self.last = keys.row(-1)


@dataclass
class Merged:
    """What the batch did: readings per plan action, readings landed, the instants it touched."""

    counts: dict[str, int]
    landed: int
    appended: bool
    scope: tuple[dt.datetime | None, dt.datetime | None]


def merge(
    con: duckdb.DuckDBPyConnection, landing: Landing, run: Run, progress: Callable[[str, int, int], None] | None = None,
) -> Merged:
    """The landed batch into readings, rollups, dim_sensor and anomalies, within the caller's write."""
    if progress:
        progress(f"model {Path(BUCKETS).stem}", 0, 1)  # the staging view and the way's choice come along
    run(con, STAGING, {}, None, None)
    bucket_us = HOUR_US
    run(con, BUCKETS, {"bucket_us": bucket_us}, None, None)
    if _straddles_local_hours(con, bucket_us):
        bucket_us = QUARTER_US
        run(con, BUCKETS, {"bucket_us": bucket_us}, None, None)
    landed, first, last = con.execute(
        "select count(*), min(measured_at), max(measured_at) from raw_sensor_readings"
    ).fetchall()[0]
    # counted only when the landing's order proves nothing; a hash collision reads as a repeat, and the merge then
    # finds the exact answer
    unique = landing.increasing or con.execute(
        "select count(distinct hash(series, measured_at)) = count(*) from raw_sensor_readings"
    ).fetchall()[0][0]
    append = unique and not _stored_in_range(con, first, last)
    steps = [*(APPEND if append else MERGE), *AFTER]
    params = {"bucket_us": bucket_us, "recompute_all": not append}
    # readings that landed in time order are appended in that order: sorting a year of them again costs seconds
    clauses = {"order_by": ORDER_BY["file" if landing.in_time_order else "time"]}
    years = None  # the local years the batch touched, known once the way's first model made touched_sensor_days
    for i, model in enumerate(steps):
        if progress:
            progress(f"model {Path(model).stem}", i, len(steps))
        run(con, model, params, years, clauses)
        if i == 0:
            years = _years(con)
    if append:
        return Merged({"new": landed}, landed, True, (first, last))
    counts = dict(con.execute("select action, count(*) from reading_plan group by action").fetchall())
    return Merged(counts, landed, False, (first, last))


def _straddles_local_hours(con: duckdb.DuckDBPyConnection, bucket_us: int) -> bool:
    """Whether a UTC clock bucket of the batch spans two local hours: UTC hours are local hours wherever the zone's
    offset is whole hours; elsewhere (India, Nepal, Newfoundland…) quarter hours are, as every offset and every
    change of one since 1990 falls on a quarter hour."""
    return con.execute(
        """select count(*) > 0 from (select distinct bucket from batch_buckets)
           where date_trunc('hour', make_timestamptz(bucket * $b))
                 <> date_trunc('hour', make_timestamptz((bucket + 1) * $b - 1))""",
        {"b": bucket_us},
    ).fetchone()[0]


def _stored_in_range(con: duckdb.DuckDBPyConnection, first, last) -> bool:
    """Whether any stored reading of the batch's series lies within its time range (then it may repeat one)."""
    if first is None:
        return False
    return con.execute(
        """select exists (
               select 1 from fct_sensor_readings as f
               semi join (select distinct sensor_id, metric from raw_sensor_series) as s
                   on s.sensor_id = f.sensor_id and s.metric = f.metric
               where f.measured_at >= $first and f.measured_at <= $last
           )""",
        {"first": first, "last": last},
    ).fetchone()[0]


def _years(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute("select distinct year(day) from touched_sensor_days order by 1").fetchall()]


def year_bounds(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, dt.datetime]:
    """The first instant of a local year and of the next one, in the connection's zone."""
    first, nxt = con.execute(
        "select cast(make_date($y, 1, 1) as timestamptz), cast(make_date($y + 1, 1, 1) as timestamptz)", {"y": year}
    ).fetchall()[0]  # all: a result left unfinished by fetchone() blocks the connection's next statement
    return {"year_from": first, "year_to": nxt}
