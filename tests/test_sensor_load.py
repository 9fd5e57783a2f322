"""The two ways a sensor batch is merged (warehouse/sensor_load.py) give the marts the readings say.

Append (no repeated key, nothing stored in the batch's range) rolls hours up from per-bucket sums of the batch;
merge sorts readings into new / changed / same and re-reads touched days. Each test states the hours, days and
counts worked out by hand, or compares with the rollup recomputed from the stored readings.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from warehouse import build, sensor_load, store
from warehouse.profile import load_profile
from warehouse.reference import City, load_city

HEADER = "measured_at,station,metric,value,status"
HOURLY_FROM_READINGS = """
select sensor_id, metric, date_trunc('hour', measured_at) as hour, cast(measured_at as date) as day,
    count(*) filter (where quality is null) as n, count(*) filter (where quality is not null) as n_flagged,
    cast(sum(cast(value as decimal(18, 6))) filter (where quality is null) as double) as value_sum,
    min(value) filter (where quality is null) as min, max(value) filter (where quality is null) as max,
from fct_sensor_readings group by all order by all
"""
HOURLY = "select sensor_id, metric, hour, day, n, n_flagged, value_sum, min, max from agg_sensor_hourly order by all"


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


@pytest.fixture
def ways(monkeypatch) -> list[bool]:
    """Whether each merged batch was appended (True) or merged (False)."""
    seen: list[bool] = []
    real = sensor_load.merge

    def merge(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(result.appended)
        return result

    monkeypatch.setattr(sensor_load, "merge", merge)
    return seen


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def load(db: Path, files: list[Path], timezone: str | None = None):
    """One batch into `db`, with the Sejong reference, in its zone or in another one (a copy of it)."""
    city = load_city("sejong")
    if timezone:
        folder = db.parent / "city"
        if not folder.exists():
            shutil.copytree(city.path, folder)
            toml = folder / "city.toml"
            toml.write_text(toml.read_text(encoding="utf-8").replace('"Asia/Seoul"', f'"{timezone}"'), encoding="utf-8")
        city = City("sejong", folder)
    batch = build.prepare("sensors", files, load_profile("sensors_csv"), city, source="t")
    with store.writing(db, timezone=city.timezone) as con:
        build.initialize(con, city)
        return build.load(con, batch)


def rows(db: Path, sql: str, timezone: str = "Asia/Seoul") -> list[tuple]:
    con = store.connect(db, read_only=True, timezone=timezone)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_time_ordered_file_is_appended_and_rolled_up_by_hour(tmp_path, ways):
    # S1 pm10 every 20 minutes from 09:00 to 10:40 KST: hour 09 = 30 + 31 + 32, hour 10 = 33 + 34 + 35 (status
    # 'calibration' on the 10:40 reading: flagged, not in the sums)
    readings = [f"2025-03-01T{9 + i // 3:02d}:{i % 3 * 20:02d}:00+09:00,S1,pm10,{30 + i},{'calibration' if i == 5 else ''}"
                for i in range(6)]
    db = tmp_path / "w.duckdb"
    report = load(db, [write(tmp_path / "a.csv", readings)])
    assert ways == [True] and report.rows_loaded == 6
    hours = rows(db, "select extract(hour from hour), n, n_flagged, value_sum, min, max from agg_sensor_hourly order by 1")
    assert hours == [(9, 3, 0, 93.0, 30.0, 32.0), (10, 2, 1, 67.0, 33.0, 34.0)]
    assert rows(db, "select day, n, n_flagged, value_sum from agg_sensor_daily") == [(dt.date(2025, 3, 1), 5, 1, 160.0)]
    assert rows(db, "select expected_interval_s from dim_sensor") == [(1200,)]


def test_an_appended_day_that_already_had_hours_is_recomputed_from_the_readings(tmp_path, ways):
    # the morning first, then the rest of the day including a reading in the morning's last hour (09:50)
    db = tmp_path / "w.duckdb"
    load(db, [write(tmp_path / "am.csv", ["2025-03-01T09:00:00+09:00,S1,pm10,10,", "2025-03-01T09:30:00+09:00,S1,pm10,20,"])])
    load(db, [write(tmp_path / "pm.csv", ["2025-03-01T09:50:00+09:00,S1,pm10,30,", "2025-03-01T14:00:00+09:00,S1,pm10,40,"])])
    assert ways == [True, True]
    assert rows(db, "select extract(hour from hour), n, value_sum from agg_sensor_hourly order by 1") == [(9, 3, 60.0), (14, 1, 40.0)]
    assert rows(db, HOURLY) == rows(db, HOURLY_FROM_READINGS)
    assert rows(db, "select n, value_sum from agg_sensor_daily") == [(4, 100.0)]


def test_the_same_readings_twice_in_one_batch_are_merged_as_duplicates(tmp_path, ways):
    readings = ["2025-03-01T09:00:00+09:00,S1,pm10,10,", "2025-03-01T09:05:00+09:00,S1,pm10,11,"]
    first, again = write(tmp_path / "a.csv", readings), write(tmp_path / "b.csv", readings)
    report = load(tmp_path / "w.duckdb", [first, again])
    assert ways == [False]
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate) == (4, 2, 2)
    assert rows(tmp_path / "w.duckdb", "select n, value_sum from agg_sensor_hourly") == [(2, 21.0)]


def test_readings_out_of_order_are_counted_before_they_are_appended(tmp_path, ways):
    # two stations, the file sorted by station then time: (time, series) does not only increase, so the batch's
    # keys are counted (all distinct) and it is still appended, in time order
    readings = [f"2025-03-01T09:{m:02d}:00+09:00,{s},pm10,{v},"
                for s, base in (("S2", 50), ("S1", 10)) for m, v in ((0, base), (30, base + 1))]
    db = tmp_path / "w.duckdb"
    load(db, [write(tmp_path / "a.csv", readings)])
    assert ways == [True]
    assert rows(db, "select sensor_id, n, value_sum from agg_sensor_hourly order by 1") == [("t:S1", 2, 21.0), ("t:S2", 2, 101.0)]
    times = [r[0] for r in rows(db, "select measured_at from fct_sensor_readings")]
    assert times == sorted(times)


def test_a_zone_with_a_half_hour_offset_rolls_up_by_its_own_hours(tmp_path, ways):
    # Asia/Kolkata is UTC+5:30: 09:10 and 09:50 local are one local hour but two UTC hours, and 10:20 local
    # shares its UTC hour (04:00–05:00) with 09:50; quarter-hour buckets keep each reading in its local hour
    readings = ["2025-03-01T09:10:00+05:30,S1,pm10,10,", "2025-03-01T09:50:00+05:30,S1,pm10,20,",
                "2025-03-01T10:20:00+05:30,S1,pm10,40,"]
    db = tmp_path / "w.duckdb"
    load(db, [write(tmp_path / "a.csv", readings)], timezone="Asia/Kolkata")
    assert ways == [True]
    got = rows(db, "select strftime(hour, '%H:%M'), n, value_sum from agg_sensor_hourly order by hour", "Asia/Kolkata")
    assert got == [("09:00", 2, 30.0), ("10:00", 1, 40.0)]
    assert rows(db, HOURLY, "Asia/Kolkata") == rows(db, HOURLY_FROM_READINGS, "Asia/Kolkata")


def test_a_batch_over_new_year_is_appended_to_both_years(tmp_path, ways):
    readings = ["2025-12-31T23:30:00+09:00,S1,pm10,10,", "2026-01-01T00:30:00+09:00,S1,pm10,20,"]
    db = tmp_path / "w.duckdb"
    load(db, [write(tmp_path / "a.csv", readings)])
    assert ways == [True]
    assert rows(db, "select year(day), n, value_sum from agg_sensor_hourly order by 1") == [(2025, 1, 10.0), (2026, 1, 20.0)]
    assert rows(db, "select year, count(*) from partitions group by year order by 1") == [(2025, 1), (2026, 1)]


def test_sparse_series_take_the_gap_between_readings_as_interval(tmp_path):
    # one reading a day at 06:00: no clock hour holds two, so the interval is the median gap, a day
    readings = [f"2025-03-{d:02d}T06:00:00+09:00,S1,rainfall,{d}," for d in range(1, 6)]
    db = tmp_path / "w.duckdb"
    load(db, [write(tmp_path / "a.csv", readings)])
    assert rows(db, "select expected_interval_s from dim_sensor") == [(86400,)]
