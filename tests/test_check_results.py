"""Checks run inside every write on the days it touched, stored in check_results (warehouse/check.py record_checks).

Each test builds the KPI fixture warehouse (tests/fixtures/kpi/: 민원 batch 1, AirKorea batch 2 on 2025-03-28..29,
SensorThings batch 3 on 03-16..03-29) and then breaks it on purpose, in place, the way no write would:
- G30: an agg_sensor_daily row for airkorea:보람동 × o3 on 2025-03-30 with n = 3 and no hours behind it;
- G20: the same on 2025-03-20 with n = 2.
Either makes agg_sensor_daily_matches_hourly report one row (hourly n null ≠ daily n). The batches added here are
AirKorea files for station 보람동 (sensor airkorea:보람동), hours "2025033001".."03" = 03-30 01:00–03:00 KST.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest
from fixture_warehouse import add_daily_rows_without_hours, build_kpi_warehouse
from helpers_warehouse import cli, query, sha256, write_airkorea, write_minwon

from warehouse import check, store
from warehouse.build import ingest

KST = ZoneInfo("Asia/Seoul")
DAILY = "agg_sensor_daily_matches_hourly"
G30 = {"sensor_id": "airkorea:보람동", "metric": "o3", "day": "2025-03-30", "n": None, "daily_n": 3, "rows": 1}
G20 = {"sensor_id": "airkorea:보람동", "metric": "o3", "day": "2025-03-20", "n": None, "daily_n": 2, "rows": 1}


def _kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


@pytest.fixture
def db(tmp_path) -> Path:
    """A fresh KPI warehouse with G30 and G20 written into agg_sensor_daily in place."""
    return add_daily_rows_without_hours(build_kpi_warehouse(tmp_path / "kpi.duckdb"))


def _air(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    return write_airkorea(tmp_path / name, rows)


def _stored(db: Path, name: str) -> list[tuple]:
    """(day, failures, sample rows, batch_id, scope_from, scope_to) of one check's stored rows, own row first."""
    rows = query(db, "select day, failures, sample, batch_id, scope_from, scope_to from check_results"
                     " where check_name = $name order by day nulls first", {"name": name})
    return [(r["day"], r["failures"], json.loads(r["sample"]) if r["sample"] else None, r["batch_id"], r["scope_from"],
             r["scope_to"]) for r in rows.iter_rows(named=True)]


def _failures(db: Path) -> dict[str, int]:
    rows = query(db, "select check_name, sum(failures) as n from check_results group by all having sum(failures) > 0")
    return dict(rows.iter_rows())


def test_broken_row_inside_the_touched_range_is_reported_after_the_write(tmp_path, db):
    # the build stored every check clean: G30 and G20 came later, in place, and no write has looked since
    assert _failures(db) == {}
    # batch 4: 보람동 PM10 30, 31, 32 and PM2.5 15, 16, 17 at 03-30 01–03 h, no ozone: 6 readings on 03-30
    report = ingest("sensors", [_air(tmp_path, "a.csv", [
        ["2025033001", "보람동", "30", "15", ""], ["2025033002", "보람동", "31", "16", ""],
        ["2025033003", "보람동", "32", "17", ""]])], "airkorea", db)
    assert (report.batch_id, report.rows_loaded) == (4, 6)
    # the batch touched 03-30 (01:00–03:00), widened to the local day [03-30 00:00, 03-31 00:00): G30 is in it,
    # untouched by the batch (it had no ozone), so it is found; G20 on 03-20 is outside and not looked at
    day = (_kst(2025, 3, 30), _kst(2025, 3, 31))
    assert _stored(db, DAILY) == [
        (None, 0, None, 4, *day),
        (dt.date(2025, 3, 30), 1, [G30], 4, *day),
    ]
    assert _failures(db) == {DAILY: 1}
    # the anomaly checks looked 35 days further: [03-30, 03-31 + 35 = 05-05)
    assert _stored(db, "agg_sensor_anomalies_unique") == [(None, 0, None, 4, _kst(2025, 3, 30), _kst(2025, 5, 5))]
    # the whole history (read-only, nothing stored) finds G20 as well
    assert {r.name: r.failures for r in check.run_checks(db) if r.failures} == {DAILY: 2}

    # --read-only: the same report and exit code, nothing stored, the file unchanged (e.g. verifying a backup)
    before = sha256(db)
    result = cli("check", "--read-only", "--db", db)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL {DAILY}" in result.stdout and "18 of 19 checks passed" in result.stdout
    assert sha256(db) == before and _failures(db) == {DAILY: 1}

    # the check command: the whole history, stored, exit 1, the report lists the check
    result = cli("check", "--db", db)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL {DAILY}: agg_sensor_daily: one row per sensor × metric × day, equal to its hours summed. — 2 offending rows" \
        in result.stdout
    assert "18 of 19 checks passed" in result.stdout
    stored = _stored(db, DAILY)
    assert [s[:4] for s in stored] == [
        (None, 0, None, None), (dt.date(2025, 3, 20), 1, [G20], None), (dt.date(2025, 3, 30), 1, [G30], None),
    ]
    assert all(s[4] is None and s[5] is None for s in stored)  # scope null = the whole history


def test_a_scoped_run_keeps_failures_outside_its_range(tmp_path, db):
    assert cli("check", "--db", db).returncode == 1  # stores G20 (03-20) and G30 (03-30): 2 failures
    # batch 4: 보람동 PM10 40 at 03-31 05:00 — touches 03-31 only
    ingest("sensors", [_air(tmp_path, "b.csv", [["2025033105", "보람동", "40", "", ""]])], "airkorea", db)
    assert _failures(db) == {DAILY: 2}  # 03-20 and 03-30 kept: the run looked at [03-31, 04-01) only
    assert [s[:4] for s in _stored(db, DAILY)] == [
        (None, 0, None, 4), (dt.date(2025, 3, 20), 1, [G20], None), (dt.date(2025, 3, 30), 1, [G30], None),
    ]
    # batch 5, complaints: the sensor checks are not run (a complaint batch writes none of their tables)
    ingest("complaints", [write_minwon(tmp_path / "m.csv", [{
        "접수번호": "N-1", "접수일시": "2025-03-30 10:00:00", "민원구분": "고충민원", "민원분야": "불법주정차",
        "민원제목": "불법주차 신고", "처리상태": "접수", "읍면동": "아름동", "신청경로": "모바일앱", "민원인번호": "R-N1",
    }])], "kr_minwon", db)
    own = dict(query(db, "select check_name, batch_id from check_results where day is null").iter_rows())
    assert own[DAILY] == 4 and own["fct_sensor_readings_unique_key"] == 4 and own["dim_sensor_unique"] == 4
    assert own["fct_complaints_unique_id"] == 5 and own["load_batches_balance"] == 5
    # the complaint checks on the day N-1 was requested, [03-30, 03-31); complaint ids whole
    assert _stored(db, "agg_complaints_daily_matches_fct") == [(None, 0, None, 5, _kst(2025, 3, 30), _kst(2025, 3, 31))]
    assert _stored(db, "fct_complaints_unique_id") == [(None, 0, None, 5, None, None)]
    assert _failures(db) == {DAILY: 2}
    # batch 6: 보람동 ozone 0.02, 0.03, 0.04 at 03-30 01–03 h. The build recomputes 보람동 × o3 × 03-30 from its
    # hours (n = 3 = hourly n), so G30 is gone; the run replaces day 03-30 with nothing, 03-20 stays
    ingest("sensors", [_air(tmp_path, "c.csv", [
        ["2025033001", "보람동", "", "", "0.02"], ["2025033002", "보람동", "", "", "0.03"],
        ["2025033003", "보람동", "", "", "0.04"]])], "airkorea", db)
    assert [s[:4] for s in _stored(db, DAILY)] == [(None, 0, None, 6), (dt.date(2025, 3, 20), 1, [G20], None)]
    assert _failures(db) == {DAILY: 1}
    assert {r.name: r.failures for r in check.run_checks(db) if r.failures} == {DAILY: 1}  # the stored truth


def test_a_check_never_stored_or_changed_runs_over_the_whole_history(tmp_path, db):
    con = duckdb.connect(str(db))
    try:  # as if the check's SQL had changed since it was stored, and another check had never run
        con.execute("update check_results set sql_hash = 'older' where check_name = $name", {"name": DAILY})
        con.execute("delete from check_results where check_name = 'fct_sensor_readings_unique_key'")
    finally:
        con.close()
    ingest("sensors", [_air(tmp_path, "b.csv", [["2025033105", "보람동", "40", "", ""]])], "airkorea", db)
    # both ran whole (scope null) although the batch touched 03-31 only: G20 and G30 are found
    assert [s[:4] for s in _stored(db, DAILY)] == [
        (None, 0, None, 4), (dt.date(2025, 3, 20), 1, [G20], 4), (dt.date(2025, 3, 30), 1, [G30], 4),
    ]
    assert _stored(db, DAILY)[0][4:] == (None, None)
    assert _stored(db, "fct_sensor_readings_unique_key") == [(None, 0, None, 4, None, None)]
    # the others stayed scoped
    assert _stored(db, "fct_sensor_readings_not_null") == [(None, 0, None, 4, _kst(2025, 3, 31), _kst(2025, 4, 1))]


def test_a_batch_that_changes_no_reading_runs_no_time_series_check(tmp_path, db):
    air = _air(tmp_path, "b.csv", [["2025033105", "보람동", "40", "", ""]])
    ingest("sensors", [air], "airkorea", db)
    report = ingest("sensors", [air], "airkorea", db)  # the same file again: 1 duplicate, nothing loaded
    assert (report.batch_id, report.rows_loaded, report.rows_duplicate) == (5, 0, 1)
    own = dict(query(db, "select check_name, batch_id from check_results where day is null").iter_rows())
    assert own[DAILY] == own["fct_sensor_readings_unique_key"] == 4  # not run again
    assert own["dim_sensor_unique"] == own["load_batches_balance"] == 5  # run: the batch wrote their tables


def test_a_complaint_moved_to_another_day_rechecks_both_days(tmp_path, db):
    # C17 (민원 fixture: requested 2025-03-28 22:00, 소음, 아름동) corrected to 2025-04-02 09:00: the build recomputes
    # the rollup of 03-28 (where it was) and 04-02 (where it is), so the checks look at [03-28, 04-03)
    report = ingest("complaints", [write_minwon(tmp_path / "m.csv", [{
        "접수번호": "C17", "접수일시": "2025-04-02 09:00:00", "민원구분": "고충민원", "민원분야": "소음",
        "민원제목": "공사장 소음", "처리상태": "접수", "읍면동": "아름동", "신청경로": "모바일앱", "민원인번호": "R13",
    }])], "kr_minwon", db)
    assert (report.batch_id, report.rows_updated) == (4, 1)
    for name in ("agg_complaints_daily_matches_fct", "agg_complaints_daily_unique", "fct_complaints_accepted_values"):
        assert _stored(db, name) == [(None, 0, None, 4, _kst(2025, 3, 28), _kst(2025, 4, 3))], name


def test_stored_results_feed_the_check_command_report(tmp_path, db):
    with store.writing(db) as con:
        results = check.record_checks(con)  # the whole history, no batch: what `python -m warehouse check` stores
    assert len(results) == 19
    failed = [r for r in results if r.failures]
    assert [(r.name, r.failures) for r in failed] == [(DAILY, 2)]
    assert failed[0].sample.to_dicts() == [G20, G30]


def test_anomaly_reach_matches_the_model():
    # check.DAYS_AFTER must follow the anomaly model's recompute window (the days after the touched ones)
    model = (Path(check.__file__).parent / "models" / "marts" / "agg_sensor_anomalies.sql").read_text(encoding="utf-8")
    assert re.search(r"max\(t\.day\) \+ (\d+) as last_day", model).group(1) == str(check.DAYS_AFTER["agg_sensor_anomalies"])


def test_every_time_series_check_is_scoped_and_says_so():
    series = {"fct_sensor_readings", "agg_sensor_hourly", "agg_sensor_daily", "agg_sensor_anomalies", "fct_complaints",
              "agg_complaints_daily"}
    for c in check.checks():
        header = [line for line in c.sql.splitlines() if line.startswith("--")]
        assert "params:" in "\n".join(header), f"{c.name}: the header names no params"
        # a repeated complaint id can span days: that check alone stays whole
        assert c.scoped == (bool(c.tables & series) and c.name != "fct_complaints_unique_id"), c.name


def test_the_unique_key_check_finds_each_repeated_reading_once_with_its_local_day(tmp_path):
    # stored in the year file as no write stores them: noise-areum-01 × noise at 03-16 00:00 KST (15:00 UTC the
    # day before) twice, and traffic-boram-01 × traffic_volume at the same instant three times, with other values
    db = build_kpi_warehouse(tmp_path / "kpi.duckdb")
    midnight = _kst(2025, 3, 16)
    with store.writing(db, timezone="Asia/Seoul") as con:
        part = store.partitions_of(con).writable(2025)
        for sensor, metric, copies in (("noise-areum-01", "noise", 1), ("traffic-boram-01", "traffic_volume", 2)):
            con.execute(
                f"insert into {part}.fct_sensor_readings"
                " select sensor_id, metric, measured_at, value + n, unit, quality"
                f" from {part}.fct_sensor_readings, range(1, $copies + 1) as r(n)"
                " where sensor_id = $sensor and metric = $metric and measured_at = $at",
                {"sensor": f"sensorthings:{sensor}", "metric": metric, "at": midnight, "copies": copies},
            )
    con = store.connect(db, read_only=True)
    try:
        rows = check.offending_rows(con, "fct_sensor_readings_unique_key").sort("sensor_id")
    finally:
        con.close()
    assert rows.select("sensor_id", "metric", "day", "n").rows() == [
        ("sensorthings:noise-areum-01", "noise", dt.date(2025, 3, 16), 2),
        ("sensorthings:traffic-boram-01", "traffic_volume", dt.date(2025, 3, 16), 3),
    ]
    assert rows["measured_at"].to_list() == [midnight, midnight]


def test_the_complaint_id_check_finds_each_repeated_id_once_with_its_count():
    # fct_complaints' primary key forbids repeats, so the check's SQL runs on a table without one: minwon:A three
    # times, minwon:B twice, minwon:C once
    con = duckdb.connect()
    try:
        con.execute("create table fct_complaints (complaint_id text)")
        ids = ["minwon:A", "minwon:B", "minwon:A", "minwon:C", "minwon:B", "minwon:A"]
        con.execute("insert into fct_complaints select unnest($ids)", {"ids": ids})
        rows = check.offending_rows(con, "fct_complaints_unique_id").sort("complaint_id").rows()
    finally:
        con.close()
    assert rows == [("minwon:A", 3), ("minwon:B", 2)]


def test_a_check_of_the_readings_runs_a_local_year_at_a_time_and_misses_nothing_at_the_cut(tmp_path):
    # noise-areum-01 × noise stored twice at 2024-12-31 23:55 KST (year file 2024) and twice at 2025-01-01 00:00 KST,
    # the local new year where the run cuts its scope: each key found once, on its own local day
    db = build_kpi_warehouse(tmp_path / "kpi.duckdb")
    late, midnight = _kst(2024, 12, 31, 23, 55), _kst(2025, 1, 1)
    source = {"sensor": "sensorthings:noise-areum-01", "metric": "noise", "at": _kst(2025, 3, 16)}
    with store.writing(db, timezone="Asia/Seoul") as con:
        for at in (late, midnight):
            part = store.partitions_of(con).writable(at.year)
            con.execute(
                f"insert into {part}.fct_sensor_readings"
                " select sensor_id, metric, $to, value + n, unit, quality from fct_sensor_readings, range(2) as r(n)"
                " where sensor_id = $sensor and metric = $metric and measured_at = $at",
                {**source, "to": at},
            )
    name = "fct_sensor_readings_unique_key"
    con = store.connect(db, read_only=True)
    try:
        rows = check.offending_rows(con, name).sort("day")
        unique_key = check.load_check(check.CHECKS_DIR / f"{name}.sql")
        parts = check._parts(con, unique_key, None, None)
    finally:
        con.close()
    assert parts == [(None, midnight), (midnight, None)]  # the open ends keep whatever lies beyond the years
    assert rows.select("measured_at", "day", "n").rows() == [
        (late, dt.date(2024, 12, 31), 2), (midnight, dt.date(2025, 1, 1), 2),
    ]
    assert cli("check", "--db", db).returncode == 1  # the whole history, stored per day
    assert [s[:2] for s in _stored(db, name)] == [(None, 0), (dt.date(2024, 12, 31), 1), (dt.date(2025, 1, 1), 1)]
    with store.writing(db, timezone="Asia/Seoul") as con:  # a scope across the new year, cut there too
        con.execute("delete from check_results where check_name = $name and day is not null", {"name": name})
        check.record_checks(con, scope=(_kst(2024, 12, 31, 12), _kst(2025, 1, 1, 6)))
        parts = check._parts(con, unique_key, _kst(2024, 12, 31), _kst(2025, 1, 2))
    assert parts == [(_kst(2024, 12, 31), midnight), (midnight, _kst(2025, 1, 2))]
    assert [(s[0], s[1], s[4], s[5]) for s in _stored(db, name)] == [
        (None, 0, _kst(2024, 12, 31), _kst(2025, 1, 2)),
        (dt.date(2024, 12, 31), 1, _kst(2024, 12, 31), _kst(2025, 1, 2)),
        (dt.date(2025, 1, 1), 1, _kst(2024, 12, 31), _kst(2025, 1, 2)),
    ]


def test_the_readings_by_day_check_finds_a_reading_at_a_local_midnight_by_the_zones_fixed_offset(tmp_path):
    # one more reading of noise-areum-01 × noise at 03-16 00:00:30 KST (03-15 15:00:30 UTC) with no hour behind it:
    # its local day, 03-16, has one reading more than its hours
    db = build_kpi_warehouse(tmp_path / "kpi.duckdb")
    source = {"sensor": "sensorthings:noise-areum-01", "metric": "noise", "at": _kst(2025, 3, 16)}
    with store.writing(db, timezone="Asia/Seoul") as con:
        part = store.partitions_of(con).writable(2025)
        con.execute(
            f"insert into {part}.fct_sensor_readings select sensor_id, metric, $to, value, unit, quality"
            " from fct_sensor_readings where sensor_id = $sensor and metric = $metric and measured_at = $at",
            {**source, "to": _kst(2025, 3, 16, 0, 0, 30)},
        )
    name = "agg_sensor_hourly_matches_fct"
    by_calendar = {"scope_from": None, "scope_to": None, "fixed_from": None, "fixed_to": None, "offset_us": None}
    con = store.connect(db, read_only=True)
    try:
        fixed = check._fixed_offset(con, None, None)
        by_offset = check.offending_rows(con, name)
        sql = check.load_check(check.CHECKS_DIR / f"{name}.sql").sql
        by_icu = con.sql(sql, params=by_calendar).pl()
    finally:
        con.close()
    assert fixed == {"fixed_from": _kst(2025, 1, 1), "fixed_to": _kst(2026, 1, 1), "offset_us": 9 * 3600 * 10**6}
    for rows in (by_offset, by_icu):
        assert rows.select("sensor_id", "metric", "day", pl.col("n") - pl.col("agg_n")).rows() == [
            ("sensorthings:noise-areum-01", "noise", dt.date(2025, 3, 16), 1),
        ]


@pytest.mark.parametrize(("zone", "year", "offset_h"), [
    ("Asia/Seoul", 2025, 9), ("Asia/Kolkata", 2025, 5.5), ("Asia/Seoul", 1988, None), ("Europe/Berlin", 2025, None),
])
def test_a_local_year_has_a_fixed_offset_only_when_its_clocks_never_change(zone, year, offset_h):
    # Korea kept summer time in 1987 and 1988; Berlin changes its clocks every year
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = $tz", {"tz": zone})
        fixed = check._fixed_offset(con, dt.datetime(year, 3, 1, tzinfo=ZoneInfo(zone)), None)
    finally:
        con.close()
    local = ZoneInfo(zone)
    expected = {"fixed_from": None, "fixed_to": None, "offset_us": None} if offset_h is None else {
        "fixed_from": dt.datetime(year, 1, 1, tzinfo=local), "fixed_to": dt.datetime(year + 1, 1, 1, tzinfo=local),
        "offset_us": int(offset_h * 3600 * 10**6),
    }
    assert fixed == expected
