"""Infrastructure-health queries on the KPI fixture: exact rows, worked out by hand from tests/fixtures/kpi/
(minwon.csv, air.csv, things.json — the literals in make_fixture.py) and the sensor facts of EXPECTED.md.

Sensors (dim_sensor, expected_interval_s = 3600 each):

    sensor_id                      name                    domain       district   metrics
    airkorea:보람동                 보람동                   environment  보람동      pm10, pm25   03-28 00:00 … 03-29 23:00
    airkorea:아름동                 아름동                   environment  아름동      pm10, pm25   same
    airkorea:조치원읍               조치원읍                 environment  조치원읍    pm10, pm25   same
    sensorthings:noise-areum-01    아름동 환경소음 측정기    environment  아름동      noise        03-16 00:00 … 03-27 12:00
    sensorthings:traffic-boram-01  보람동 교통량 검지기      transport    보람동      traffic_volume, speed  03-16 … 03-29 23:00
    sensorthings:wl-jochiwon-01    조치원 조천 수위계        disaster     조치원읍    water_level  03-16 … 03-29 23:00, none on 03-20

SensorThings values (make_fixture._value; hour i = 0 at 03-16 00:00, h = hour of day, d = i // 24):
noise = (NOISE_TENTHS[h] − 25 on weekends + (7i mod 13)) / 10; water = (WATER_CM[h] + (3d mod 7) + (2i mod 5)) / 100;
volume = TRAFFIC[h] × (6 on weekends else 10) // 10 + (37i mod 23); speed = (700 − volume × 10 // 45 + (3i mod 7)) / 10.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from fixture_warehouse import AS_OF, KST, PERIOD

import queries
from ui import infrastructure as infra
from ui.filters import Filters

AREUM, BORAM, NASEONG, JOCHIWON = "3611011300", "3611010300", "3611010700", "3611025000"
NO_FILTERS = {"district": None, "domain": None, "category": None, "kind": None}

# air.csv, local hours 00 … 23 (local 00:00 is written as hour 24 of the day before)
AREUM_PM10 = {
    "03-28": [76, 73, 71, 67, 68, 73, 80, 91, 97, 104, 138, 145, 136, 97, 95, 98, 103, 108, 106, 100, 95, 94, 85, 80],
    "03-29": [33, 31, 29, 27, 27, 31, 37, 45, 51, 55, 57, 55, 53, 51, 49, 51, 55, 59, 57, 53, 49, 47, 41, 37],
}
AREUM_PM25 = {
    "03-28": [35, 32, 31, 29, 29, 32, 39, 47, 52, 57, 80, 92, 78, 52, 51, 53, 56, 61, 59, 54, 51, 49, 42, 39],
    "03-29": [16, 15, 14, 13, 13, 15, 18, 22, 25, 27, 28, 27, 26, 25, 24, 25, 27, 29, 28, 26, 24, 23, 20, 18],
}


def run(db: Path, name: str, period=PERIOD, **params) -> list[dict]:
    return queries.run(name, db=db, **{"start": period[0], "end": period[1], "as_of": AS_OF, **NO_FILTERS, **params}).to_dicts()


def at(day: int, hour: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=KST)


def rounded(rows: list[dict], digits: int = 6) -> list[dict]:
    return [{k: round(v, digits) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def test_domain_health(kpi_db):
    # Current period rows by 민원분야 → domain (EXPECTED.md): transport C01 C02 C07 C09 C10 C13 C15 C18 C21 C22 = 10,
    # closed all but C07 and C21 = 8; safety C03 C16 = 2, both closed; disaster C08 = 1, closed; energy C11 C14 = 2,
    # C11 closed; environment C05 C06 C12 C17 C19 = 5, C19 closed, overdue C05 (due 03-28) and C06 (due 03-29) = 2
    # (C12, C17 not yet due). 'other' (C04, C20) is not an infrastructure domain.
    # Sensors first seen before the period's end: transport 1 (traffic), disaster 1 (water), environment 4 (3 air
    # stations + noise), safety and energy none.
    assert run(kpi_db, "domain_health") == [
        {"domain": "transport", "sensors": 1, "received": 10, "closed": 8, "overdue": 0},
        {"domain": "safety", "sensors": 0, "received": 2, "closed": 2, "overdue": 0},
        {"domain": "disaster", "sensors": 1, "received": 1, "closed": 1, "overdue": 0},
        {"domain": "energy", "sensors": 0, "received": 2, "closed": 1, "overdue": 0},
        {"domain": "environment", "sensors": 4, "received": 5, "closed": 1, "overdue": 2},
    ]


def test_domain_health_filtered(kpi_db):
    # 아름동, current: C01 C02 C09 C10 C15 (transport, all closed) and C17 (environment, open, due 04-08);
    # its sensors: airkorea:아름동 and the noise meter, both environment.
    assert run(kpi_db, "domain_health", district=AREUM) == [
        {"domain": "transport", "sensors": 0, "received": 5, "closed": 5, "overdue": 0},
        {"domain": "safety", "sensors": 0, "received": 0, "closed": 0, "overdue": 0},
        {"domain": "disaster", "sensors": 0, "received": 0, "closed": 0, "overdue": 0},
        {"domain": "energy", "sensors": 0, "received": 0, "closed": 0, "overdue": 0},
        {"domain": "environment", "sensors": 2, "received": 1, "closed": 0, "overdue": 0},
    ]
    assert run(kpi_db, "domain_health", domain="transport") == [
        {"domain": "transport", "sensors": 1, "received": 10, "closed": 8, "overdue": 0},
    ]
    assert run(kpi_db, "domain_health", domain="other") == []


def status_with_runs(db, as_of) -> pl.DataFrame:
    """sensor_status with sensor_runs, as the Infrastructure and Map pages read them."""
    params = {"start": PERIOD[0], "end": PERIOD[1], "as_of": as_of}
    return infra.with_runs(queries.run("sensor_status", db=db, **params), queries.run("sensor_runs", db=db, **params))


def test_sensor_status_runs(kpi_db):
    # EXPECTED.md "Sensors": expected = 14 d × 24 = 336 per series; air 48/336 = 0.142857; noise 277/336 = 0.824405
    # (11 × 24 + 13 readings); water 312/336 = 0.928571 (03-20 missing); traffic 336/336 = 1.
    # The added columns: the longest run of one value in the period. 조치원읍 pm10 is 74 µg/m³ for 03-29 17 … 23 h = 7
    # → flat; 보람동 pm25 is 8 at 03-28 01 … 05 h = 5 → not flat; 조치원읍 pm25 is 16 at 03-28 11 … 13 h = 3 (its other
    # runs: 16 16 at 08–09 h and 15–16 h, 24 24 on 03-29); every other series has a pair at most: 2.
    rows = status_with_runs(kpi_db, as_of=AS_OF)
    got = {
        (r["sensor_id"], r["metric"]): (r["expected"], round(r["completeness"], 6), r["longest_run"], r["flat_in_period"])
        for r in rows.iter_rows(named=True)
    }
    assert got == {
        ("airkorea:보람동", "pm10"): (336, 0.142857, 2, False),
        ("airkorea:보람동", "pm25"): (336, 0.142857, 5, False),
        ("airkorea:아름동", "pm10"): (336, 0.142857, 2, False),
        ("airkorea:아름동", "pm25"): (336, 0.142857, 2, False),
        ("airkorea:조치원읍", "pm10"): (336, 0.142857, 7, True),
        ("airkorea:조치원읍", "pm25"): (336, 0.142857, 3, False),
        ("sensorthings:noise-areum-01", "noise"): (336, 0.824405, 2, False),
        ("sensorthings:wl-jochiwon-01", "water_level"): (336, 0.928571, 2, False),
        ("sensorthings:traffic-boram-01", "speed"): (336, 1.0, 2, False),
        ("sensorthings:traffic-boram-01", "traffic_volume"): (336, 1.0, 2, False),
    }
    # the run counts only the period up to as_of: to 03-29 19:00, 조치원읍 pm10 has 74 for 17 … 19 h = 3 (not flat)
    early = status_with_runs(kpi_db, as_of=at(29, 19))
    jochiwon = early.filter((pl.col("sensor_id") == "airkorea:조치원읍") & (pl.col("metric") == "pm10")).row(0, named=True)
    assert (jochiwon["longest_run"], jochiwon["flat_in_period"]) == (3, False)


def test_flat_line_window_is_the_periods_last_31_days(kpi_db):
    # The flat-line check reads at most the period's last RUNS_MAX_DAYS = 31 days (ui/infrastructure.runs_start).
    # PERIOD is 14 days: read whole. [03-01, 04-29): 04-29 − 31 d = 03-29 00:00, which keeps 조치원읍 pm10's 74 × 7
    # (03-29 17 … 23 h) and no other run of 6+ (the 14-day period had none, and this is part of it).
    # [03-01, 04-30): from 03-30 00:00, after the last reading (03-29 23:00): no run at all, where the whole period
    # would flag 조치원읍 pm10 again.
    def runs(start, end) -> tuple[dict, Filters]:
        f = Filters(start=start, end=end, as_of=AS_OF, **NO_FILTERS)
        got = infra.with_runs(queries.run("sensor_status", db=kpi_db, **f.params()),
                              queries.run("sensor_runs", db=kpi_db, **infra.runs_params(f)))
        return {(r["sensor_id"], r["metric"]): r["longest_run"] for r in got.filter(pl.col("flat_in_period")).iter_rows(named=True)}, f

    assert infra.runs_start(Filters(start=PERIOD[0], end=PERIOD[1], as_of=AS_OF)) == PERIOD[0]
    flat, f = runs(at(1), at(29, month=4))
    assert (infra.runs_start(f), flat) == (at(29), {("airkorea:조치원읍", "pm10"): 7})
    assert infra.runs_note(f) == ("고정값 = 기간의 마지막 31일 중 같은 값 6회 이상 연속(긴 기간은 최근 31일만 봄).")
    flat, f = runs(at(1), at(30, month=4))
    assert (infra.runs_start(f), flat) == (at(30), {})
    whole = run(kpi_db, "sensor_runs", period=(at(1), at(30, month=4)))
    assert [(r["sensor_id"], r["metric"], r["longest_run"]) for r in whole if r["flat_in_period"]] == [
        ("airkorea:조치원읍", "pm10", 7)]


def test_domain_summary(kpi_db):
    # environment: (6 air series × 48 + noise 277) / (7 × 336) = 565 / 2352 = 0.240221; stale: the noise meter;
    # flat: airkorea:조치원읍 (pm10). transport: 1.0; disaster: 312/336. safety and energy have no sensors: nulls, not 0.
    health = queries.run("domain_health", db=kpi_db, start=PERIOD[0], end=PERIOD[1], as_of=AS_OF)
    status = status_with_runs(kpi_db, as_of=AS_OF)
    assert rounded(infra.domain_summary(health, status).to_dicts()) == [
        {"domain": "transport", "sensors": 1, "completeness": 1.0, "stale": 0, "flat_lined": 0, "received": 10, "closed": 8, "overdue": 0},
        {"domain": "safety", "sensors": 0, "completeness": None, "stale": None, "flat_lined": None, "received": 2, "closed": 2,
         "overdue": 0},
        {"domain": "disaster", "sensors": 1, "completeness": 0.928571, "stale": 0, "flat_lined": 0, "received": 1, "closed": 1,
         "overdue": 0},
        {"domain": "energy", "sensors": 0, "completeness": None, "stale": None, "flat_lined": None, "received": 2, "closed": 1,
         "overdue": 0},
        {"domain": "environment", "sensors": 4, "completeness": 0.240221, "stale": 1, "flat_lined": 1, "received": 5, "closed": 1,
         "overdue": 2},
    ]


def test_latest_readings(kpi_db):
    # The last reading ≤ AS_OF per series. Air: the 23 h values of 03-29 in air.csv. Noise: 03-27 12:00 (Thu),
    # i = 276: (574 + 7·276 mod 13 = 8) / 10 = 58.2. Water 03-29 23:00, i = 335, d = 13: (121 + 39 mod 7 = 4 +
    # 670 mod 5 = 0) / 100 = 1.25. Traffic 03-29 23:00 (Sat), i = 335: 127 × 6 // 10 = 76 + 12395 mod 23 = 21 → 97;
    # speed (700 − 970 // 45 = 21 + 1005 mod 7 = 4) / 10 = 68.3. Ordered by domain, name, sensor, metric.
    last, noise_last = at(29, 23), at(27, 12)
    rows = run(kpi_db, "latest_readings")
    assert [{k: r[k] for k in ("sensor_id", "metric", "value", "unit", "quality", "measured_at")} for r in rows] == [
        {"sensor_id": "sensorthings:wl-jochiwon-01", "metric": "water_level", "value": 1.25, "unit": "m", "quality": None,
         "measured_at": last},
        {"sensor_id": "airkorea:보람동", "metric": "pm10", "value": 49.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "airkorea:보람동", "metric": "pm25", "value": 21.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "airkorea:아름동", "metric": "pm10", "value": 37.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "airkorea:아름동", "metric": "pm25", "value": 18.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "sensorthings:noise-areum-01", "metric": "noise", "value": 58.2, "unit": "dB", "quality": None,
         "measured_at": noise_last},
        {"sensor_id": "airkorea:조치원읍", "metric": "pm10", "value": 74.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "airkorea:조치원읍", "metric": "pm25", "value": 32.0, "unit": "µg/m³", "quality": None, "measured_at": last},
        {"sensor_id": "sensorthings:traffic-boram-01", "metric": "speed", "value": 68.3, "unit": "km/h", "quality": None,
         "measured_at": last},
        {"sensor_id": "sensorthings:traffic-boram-01", "metric": "traffic_volume", "value": 97.0, "unit": "veh/h", "quality": None,
         "measured_at": last},
    ]
    assert {r["sensor_id"]: r["name"] for r in rows}["sensorthings:noise-areum-01"] == "아름동 환경소음 측정기"


def test_latest_readings_as_of_and_filters(kpi_db):
    # At 03-28 11:30 the last 아름동 PM2.5 is the 11 h reading, 92 (the episode's peak); only 아름동's two sensors.
    rows = queries.run("latest_readings", db=kpi_db, as_of=at(28, 11) + dt.timedelta(minutes=30), district=AREUM).to_dicts()
    assert [(r["sensor_id"], r["metric"], r["value"], r["measured_at"]) for r in rows] == [
        ("airkorea:아름동", "pm10", 145.0, at(28, 11)),
        ("airkorea:아름동", "pm25", 92.0, at(28, 11)),
        # noise on 03-28 11:00 would be after its last reading (03-27 12:00)
        ("sensorthings:noise-areum-01", "noise", 58.2, at(27, 12)),
    ]
    assert [r["metric"] for r in run(kpi_db, "latest_readings", domain="transport")] == ["speed", "traffic_volume"]


def test_sensor_series_hourly(kpi_db):
    # 아름동 PM2.5 in the period: the 48 hourly readings of air.csv, one per hour (mean = min = max, n = 1).
    rows = run(kpi_db, "sensor_series_hourly", sensor_id="airkorea:아름동", metric="pm25")
    values = AREUM_PM25["03-28"] + AREUM_PM25["03-29"]
    assert rows == [
        {"t": at(28) + dt.timedelta(hours=k), "mean": float(v), "min": float(v), "max": float(v), "n": 1} for k, v in enumerate(values)
    ]
    # a 3-hour window is the advisory episode, 80 / 92 / 78
    window = (at(28, 10), at(28, 13))
    assert [r["mean"] for r in run(kpi_db, "sensor_series_hourly", period=window, sensor_id="airkorea:아름동", metric="pm25")] == [
        80.0, 92.0, 78.0]
    # hours after as_of are left out: up to 03-28 11:00 there are 12 hours (00 … 11)
    early = queries.run("sensor_series_hourly", db=kpi_db, start=PERIOD[0], end=PERIOD[1], as_of=at(28, 11),
                        sensor_id="airkorea:아름동", metric="pm25")
    assert early.height == 12
    # the noise meter: 03-16 00:00 … 03-27 12:00 = 11 × 24 + 13 = 277 hours
    assert len(run(kpi_db, "sensor_series_hourly", sensor_id="sensorthings:noise-areum-01", metric="noise")) == 277


def test_sensor_series_daily(kpi_db):
    # 아름동 PM10: 03-28 sum 2280 / 24 = 95, min 67 (03 h), max 145 (11 h); 03-29 sum 1080 / 24 = 45, min 27, max 59.
    assert sum(AREUM_PM10["03-28"]) == 2280 and sum(AREUM_PM10["03-29"]) == 1080
    assert run(kpi_db, "sensor_series_daily", sensor_id="airkorea:아름동", metric="pm10") == [
        {"t": dt.date(2025, 3, 28), "mean": 95.0, "min": 67.0, "max": 145.0, "n": 24},
        {"t": dt.date(2025, 3, 29), "mean": 45.0, "min": 27.0, "max": 59.0, "n": 24},
    ]
    # the water-level gauge has no day 03-20: 13 days of 24 readings
    water = run(kpi_db, "sensor_series_daily", sensor_id="sensorthings:wl-jochiwon-01", metric="water_level")
    assert [r["t"] for r in water] == [dt.date(2025, 3, d) for d in range(16, 30) if d != 20]
    assert {r["n"] for r in water} == {24}


def test_district_metric_daily(kpi_db):
    # PM2.5 daily means (EXPECTED.md): 보람동 12 / 30, 아름동 50 / 22, 조치원읍 14 / 38; one station per district.
    rows = run(kpi_db, "district_metric_daily", metric="pm25")
    expected = [
        (dt.date(2025, 3, 28), BORAM, "보람동", "Boram-dong", 12.0), (dt.date(2025, 3, 28), AREUM, "아름동", "Areum-dong", 50.0),
        (dt.date(2025, 3, 28), JOCHIWON, "조치원읍", "Jochiwon-eup", 14.0),
        (dt.date(2025, 3, 29), BORAM, "보람동", "Boram-dong", 30.0), (dt.date(2025, 3, 29), AREUM, "아름동", "Areum-dong", 22.0),
        (dt.date(2025, 3, 29), JOCHIWON, "조치원읍", "Jochiwon-eup", 38.0),
    ]
    assert rows == [
        {"day": d, "district_code": c, "name_ko": ko, "name_en": en, "mean": m, "n": 24, "sensors": 1} for d, c, ko, en, m in expected
    ]
    # Noise: 아름동 only, 03-16 … 03-27. 03-27 (Thu) has 13 readings, i = 264 … 276: tenths 438 425 417 412 415 431
    # 472 548 583 561 552 566 574 (sum 6394) + 7i mod 13 = 2 9 3 10 4 11 5 12 6 0 7 1 8 (sum 78) → 6472 / 130.
    noise = run(kpi_db, "district_metric_daily", metric="noise")
    assert [r["day"] for r in noise] == [dt.date(2025, 3, d) for d in range(16, 28)]
    assert {r["district_code"] for r in noise} == {AREUM}
    assert noise[-1]["n"] == 13 and noise[-1]["mean"] == pytest.approx(6472 / 130, abs=1e-9)
    # the domain filter applies to the sensors: no transport sensor measures PM2.5
    assert run(kpi_db, "district_metric_daily", metric="pm25", domain="transport") == []


def test_series_query_choice():
    from ui.filters import Filters

    short = Filters(start=at(1), end=at(1) + dt.timedelta(days=31), as_of=AS_OF)
    long = Filters(start=at(1), end=at(1) + dt.timedelta(days=32), as_of=AS_OF)
    assert infra.series_query(short) == "sensor_series_hourly"
    assert infra.series_query(long) == "sensor_series_daily"
    assert infra.default_series(["a|pm10", "b|pm25", "c|pm25"]) == 1
    assert infra.default_series(["a|noise"]) == 0
