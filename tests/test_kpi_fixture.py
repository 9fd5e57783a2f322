"""The KPI fixture warehouse builds, passes every data check, and holds the facts EXPECTED.md builds on.

The numbers here are literals from tests/fixtures/kpi/EXPECTED.md (worked out by hand from the rows in
make_fixture.py). They are checked on the marts with plain row reads, not with the dashboard's queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from fixture_warehouse import AS_OF, KPI_DIR, KST, PERIOD, PREVIOUS_PERIOD, REPORTER_KEY

from warehouse import store
from warehouse.check import run_checks


def rows(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def kst(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=KST)


# --------------------------------------------------------------------------------------------- files

def test_exports_are_what_make_fixture_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("kpi_make_fixture", KPI_DIR / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.write_all(tmp_path):
        assert path.read_bytes() == (KPI_DIR / path.name).read_bytes(), f"{path.name} differs: rerun make_fixture.py"


def test_minwon_export_is_cp949():
    data = (KPI_DIR / "minwon.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode("cp949").startswith("접수번호,접수일시,민원구분")


def test_periods_are_two_consecutive_fortnights():
    assert PREVIOUS_PERIOD[1] == PERIOD[0]
    assert PERIOD[1] - PERIOD[0] == PREVIOUS_PERIOD[1] - PREVIOUS_PERIOD[0] == dt.timedelta(days=14)
    assert PERIOD[0] <= AS_OF < PERIOD[1]
    assert AS_OF.utcoffset() == dt.timedelta(hours=9)


# --------------------------------------------------------------------------------------------- build

def test_every_check_passes(kpi_db):
    failed = {r.name: r.sample for r in run_checks(kpi_db) if r.failures}
    assert failed == {}


def test_batches_and_quarantine(kpi_db):
    batches = rows(kpi_db, """select dataset, source, profile, rows_read, rows_loaded, rows_updated, rows_duplicate,
                                     rows_quarantined, status from load_batches order by batch_id""")
    assert batches == [
        ("complaints", "minwon", "kr_minwon", 39, 38, 0, 0, 1, "ok"),
        ("sensors", "airkorea", "airkorea", 288, 288, 0, 0, 0, "ok"),
        ("sensors", "sensorthings", "sensorthings", 1261, 1261, 0, 0, 0, "ok"),
    ]
    quarantined = rows(kpi_db, "select batch_id, line, field, raw_record like '%\"Q01\"%' from quarantine")
    assert quarantined == [(1, 34, "satisfaction", True)]  # Q01: 만족도 9


# --------------------------------------------------------------------------------------------- complaints

def test_complaint_counts_by_kind_and_status(kpi_db):
    counts = dict(((k, s), n) for k, s, n in rows(kpi_db, "select kind, status, count(*) from fct_complaints group by all"))
    assert counts == {
        ("complaint", "closed"): 18, ("complaint", "in_progress"): 5, ("complaint", "open"): 5,
        ("inquiry", "closed"): 5,
        ("proposal", "closed"): 3, ("proposal", "in_progress"): 2,
    }


@pytest.mark.parametrize(
    ("period", "ids"),
    [
        (PERIOD, "C01 C02 C03 C04 C05 C06 C07 C08 C09 C10 C11 C12 C13 C14 C15 C16 C17 C18 C19 C20 C21 C22"),
        (PREVIOUS_PERIOD, "P01 P02 P03 P04 P05 P06 P07 P08 P09 P10 P11 P12 P13 P14"),
    ],
)
def test_rows_per_period(kpi_db, period, ids):
    got = rows(kpi_db, "select source_id from fct_complaints where requested_at >= $a and requested_at < $b order by 1",
               {"a": period[0], "b": period[1]})
    assert [r[0] for r in got] == ids.split()


def test_rows_outside_both_periods(kpi_db):
    got = rows(kpi_db, "select source_id from fct_complaints where requested_at < $a order by 1", {"a": PREVIOUS_PERIOD[0]})
    assert got == [("O01",), ("O02",)]


def test_period_kinds_and_statuses(kpi_db):
    def by(period, col):
        return dict(rows(kpi_db, f"select {col}, count(*) from fct_complaints where requested_at >= $a and requested_at < $b group by all",
                         {"a": period[0], "b": period[1]}))

    assert by(PERIOD, "kind") == {"complaint": 16, "inquiry": 3, "proposal": 3}
    assert by(PERIOD, "status") == {"closed": 15, "in_progress": 4, "open": 3}
    assert by(PREVIOUS_PERIOD, "kind") == {"complaint": 10, "inquiry": 2, "proposal": 2}
    assert by(PREVIOUS_PERIOD, "status") == {"closed": 11, "in_progress": 2, "open": 1}


def test_quality_flags(kpi_db):
    flagged = rows(kpi_db, "select source_id, quality, district_code from fct_complaints where quality is not null order by 1")
    assert flagged == [
        ("C08", "no_district", None),               # no 읍면동, no coordinates
        ("C13", "closed_before_requested", "3611025000"),  # closed 03-25 18:00, requested 03-26 08:00
        ("P09", "no_district", None),
    ]
    assert rows(kpi_db, "select count(*) from fct_complaints where closed_at < requested_at") == [(1,)]


def test_districts(kpi_db):
    per = dict(rows(kpi_db, "select coalesce(district_code, '-'), count(*) from fct_complaints group by all"))
    # 아름동, 보람동, 조치원읍, 나성동 (C16 by coordinates only), none
    assert per == {"3611011300": 12, "3611010300": 8, "3611025000": 10, "3611010700": 6, "-": 2}
    assert rows(kpi_db, "select district_code from fct_complaints where source_id = 'C16'") == [("3611010700",)]


DUE = {  # due_at, KST: statutory = the end of the last working day; C15/C18 from the source's 처리기한
    "O01": "2024-12-19 00:00", "O02": "2025-03-01 00:00",
    "P01": "2025-03-13 00:00", "P02": "2025-03-14 00:00", "P03": "2025-03-15 00:00", "P04": "2025-03-18 00:00",
    "P05": "2025-03-19 00:00", "P06": "2025-03-20 00:00", "P07": "2025-03-22 00:00", "P08": "2025-03-28 00:00",
    "P09": "2025-03-21 00:00", "P10": "2025-03-22 00:00", "P11": "2025-03-26 00:00", "P12": "2025-03-13 00:00",
    "P13": "2025-03-25 00:00", "P14": "2025-03-21 00:00",
    "C01": "2025-03-26 00:00", "C02": "2025-03-26 00:00", "C03": "2025-03-27 00:00", "C04": "2025-03-27 00:00",
    "C05": "2025-03-28 00:00", "C06": "2025-03-29 00:00", "C07": "2025-04-02 00:00", "C08": "2025-04-01 00:00",
    "C09": "2025-04-03 00:00", "C10": "2025-04-04 00:00", "C11": "2025-04-05 00:00", "C12": "2025-04-09 00:00",
    "C13": "2025-04-04 00:00", "C14": "2025-04-05 00:00", "C15": "2025-03-22 00:00", "C16": "2025-04-01 00:00",
    "C17": "2025-04-08 00:00", "C18": "2025-03-27 18:00", "C19": "2025-04-02 00:00", "C20": "2025-04-04 00:00",
    "C21": "2025-04-08 00:00", "C22": "2025-03-26 00:00",
}


def test_due_dates(kpi_db):
    got = dict(rows(kpi_db, "select source_id, due_at from fct_complaints"))
    assert got == {k: kst(v) for k, v in DUE.items()}


def test_on_time_late_overdue_rows(kpi_db):
    got = rows(kpi_db, "select source_id, status, closed_at, due_at from fct_complaints")
    on_time = sorted(i for i, s, c, d in got if s == "closed" and c <= d)
    late = sorted(i for i, s, c, d in got if s == "closed" and c > d)
    overdue = sorted(i for i, s, c, d in got if s != "closed" and d < AS_OF)
    assert late == ["C02", "C18", "C22", "P02", "P10"]
    assert overdue == ["C05", "C06", "O01", "O02", "P05", "P08", "P11"]
    assert len(on_time) == 21  # 12 current + 9 previous; C13 (closed before requested) is one of them
    assert "C13" in on_time


def test_reporters(kpi_db):
    keys = rows(kpi_db, "select source_id, reporter_key from fct_complaints")
    assert sum(k is None for _, k in keys) == 1  # P09 is anonymous
    assert len({k for _, k in keys if k}) == 25  # R01 … R25
    expected = hmac.new(REPORTER_KEY.encode(), b"minwon\x1fR01", hashlib.sha256).hexdigest()[:20]
    assert dict(keys)["C01"] == expected  # built with WAREHOUSE_REPORTER_KEY=test-key
    r01 = sorted(i for i, k in keys if k == expected)
    assert r01 == ["C01", "C03", "C09", "P01", "P12", "P13"]


def test_proposals(kpi_db):
    got = rows(kpi_db, "select source_id, votes, adopted, status from fct_complaints where kind = 'proposal' order by 1")
    assert got == [
        ("C10", 25, True, "closed"), ("C11", 8, False, "closed"), ("C12", 12, None, "in_progress"),
        ("P07", 40, True, "closed"), ("P08", 3, None, "in_progress"),
    ]


def test_satisfaction_only_on_closed_rows(kpi_db):
    got = rows(kpi_db, "select status, count(satisfaction), sum(satisfaction) from fct_complaints group by all order by 1")
    assert got == [("closed", 15, 55), ("in_progress", 0, None), ("open", 0, None)]


# --------------------------------------------------------------------------------------------- as_of

def test_as_of_is_the_latest_timestamp(kpi_db):
    (complaints_max,) = rows(kpi_db, """select max(greatest(requested_at, coalesce(first_response_at, requested_at),
                                               coalesce(closed_at, requested_at), coalesce(updated_at, requested_at)))
                                        from fct_complaints""")[0]
    (readings_max,) = rows(kpi_db, "select max(measured_at) from fct_sensor_readings")[0]
    assert max(complaints_max, readings_max) == AS_OF
    assert readings_max == AS_OF and complaints_max == kst("2025-03-28 22:00")


# --------------------------------------------------------------------------------------------- sensors

def test_sensors(kpi_db):
    got = rows(kpi_db, "select sensor_id, domain, district_code, expected_interval_s, first_seen, last_seen from dim_sensor order by 1")
    first_air, first_st, last = kst("2025-03-28 00:00"), kst("2025-03-16 00:00"), AS_OF
    assert got == [
        ("airkorea:보람동", "environment", "3611010300", 3600, first_air, last),
        ("airkorea:아름동", "environment", "3611011300", 3600, first_air, last),
        ("airkorea:조치원읍", "environment", "3611025000", 3600, first_air, last),
        ("sensorthings:noise-areum-01", "environment", "3611011300", 3600, first_st, kst("2025-03-27 12:00")),
        ("sensorthings:traffic-boram-01", "transport", "3611010300", 3600, first_st, last),
        ("sensorthings:wl-jochiwon-01", "disaster", "3611025000", 3600, first_st, last),
    ]


def test_readings_per_series_in_the_period(kpi_db):
    got = rows(kpi_db, """select sensor_id, metric, count(*) from fct_sensor_readings
                          where measured_at >= $a and measured_at < $b group by all""", {"a": PERIOD[0], "b": PERIOD[1]})
    assert dict(((s, m), n) for s, m, n in got) == {
        ("airkorea:보람동", "pm10"): 48, ("airkorea:보람동", "pm25"): 48,
        ("airkorea:아름동", "pm10"): 48, ("airkorea:아름동", "pm25"): 48,
        ("airkorea:조치원읍", "pm10"): 48, ("airkorea:조치원읍", "pm25"): 48,
        ("sensorthings:noise-areum-01", "noise"): 277,
        ("sensorthings:traffic-boram-01", "traffic_volume"): 336,
        ("sensorthings:traffic-boram-01", "speed"): 336,
        ("sensorthings:wl-jochiwon-01", "water_level"): 312,
    }
    assert rows(kpi_db, "select count(*) from fct_sensor_readings where measured_at < $a", {"a": PERIOD[0]}) == [(0,)]


def test_water_level_gap(kpi_db):
    got = rows(kpi_db, """select measured_at from fct_sensor_readings where sensor_id = 'sensorthings:wl-jochiwon-01'
                          order by 1""")
    times = [t for (t,) in got]
    gaps = [(a, b) for a, b in zip(times, times[1:], strict=False) if b - a != dt.timedelta(hours=1)]
    assert gaps == [(kst("2025-03-19 23:00"), kst("2025-03-21 00:00"))]


def _longest_runs(db: Path) -> dict[tuple[str, str], tuple[int, dt.datetime]]:
    """(sensor, metric) → (longest run of equal consecutive readings, its first reading's time)."""
    got = rows(db, "select sensor_id, metric, measured_at, value from fct_sensor_readings order by 1, 2, 3")
    out: dict = {}
    prev, run, start = None, 0, None
    for s, m, t, v in got:
        if prev == (s, m, v):
            run += 1
        else:
            run, start = 1, t
        if run > out.get((s, m), (0, None))[0]:
            out[(s, m)] = (run, start)
        prev = (s, m, v)
    return out


def test_flat_lines(kpi_db):
    runs = _longest_runs(kpi_db)
    # 조치원읍 PM10 is 74 for its last 7 readings (03-29 17:00 … 23:00 = AS_OF): flat both as "≥ 6 equal in a row
    # anywhere" and as "the last 6 readings equal"; no other series has either
    assert {k: v for k, v in runs.items() if v[0] >= 6} == {("airkorea:조치원읍", "pm10"): (7, kst("2025-03-29 17:00"))}
    assert runs[("airkorea:보람동", "pm25")] == (5, kst("2025-03-28 01:00"))  # the near miss: 5 is not flat
    last6 = rows(kpi_db, """select sensor_id, metric, count(distinct value) from (
                                select *, row_number() over (partition by sensor_id, metric order by measured_at desc) as k
                                from fct_sensor_readings) where k <= 6 group by all having count(distinct value) = 1""")
    assert last6 == [("airkorea:조치원읍", "pm10", 1)]


def test_air_daily_means(kpi_db):
    got = rows(kpi_db, "select sensor_id, metric, day, n, mean from agg_sensor_daily where sensor_id like 'airkorea:%'")
    means = {(s.split(":")[1], m, d.isoformat()): (n, v) for s, m, d, n, v in got}
    assert means == {
        ("아름동", "pm10", "2025-03-28"): (24, 95.0), ("아름동", "pm25", "2025-03-28"): (24, 50.0),
        ("아름동", "pm10", "2025-03-29"): (24, 45.0), ("아름동", "pm25", "2025-03-29"): (24, 22.0),
        ("보람동", "pm10", "2025-03-28"): (24, 25.0), ("보람동", "pm25", "2025-03-28"): (24, 12.0),
        ("보람동", "pm10", "2025-03-29"): (24, 60.0), ("보람동", "pm25", "2025-03-29"): (24, 30.0),
        ("조치원읍", "pm10", "2025-03-28"): (24, 40.0), ("조치원읍", "pm25", "2025-03-28"): (24, 14.0),
        ("조치원읍", "pm10", "2025-03-29"): (24, 70.0), ("조치원읍", "pm25", "2025-03-29"): (24, 38.0),
    }


def test_advisory_hours(kpi_db):
    got = rows(kpi_db, """select sensor_id, measured_at, metric, value from fct_sensor_readings
                          where (metric = 'pm25' and value >= 75) or (metric = 'pm10' and value >= 150) order by 1, 2""")
    assert got == [
        ("airkorea:보람동", kst("2025-03-29 15:00"), "pm25", 110.0),   # one hour: no episode
        ("airkorea:아름동", kst("2025-03-28 10:00"), "pm25", 80.0),    # three hours: the episode
        ("airkorea:아름동", kst("2025-03-28 11:00"), "pm25", 92.0),
        ("airkorea:아름동", kst("2025-03-28 12:00"), "pm25", 78.0),
    ]
    assert Counter(s for s, *_ in got) == {"airkorea:아름동": 3, "airkorea:보람동": 1}
