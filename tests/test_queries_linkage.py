"""Exact expected rows of the Complaints × sensors queries and marts.

Linkage queries run on the hand-made linkage fixture (tests/fixtures/linkage/, numbers in its EXPECTED.md); the
per-district score and equity queries on the KPI fixture (tests/fixtures/kpi/EXPECTED.md).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from fixture_warehouse import AS_OF as KPI_AS_OF
from fixture_warehouse import PERIOD as KPI_PERIOD
from helpers_warehouse import query, run_check
from linkage_warehouse import AREUM, AS_OF, BORAM, JOCHIWON, KST, NASEONG, PERIOD, build_linkage_warehouse

import queries
import scoring
from ui.district_score import district_scores, sensor_kpis
from ui.equity import gini, lorenz
from ui.linkage import best_lag

CURRENT = {"start": PERIOD[0], "end": PERIOD[1], "as_of": AS_OF}
KPI_CURRENT = {"start": KPI_PERIOD[0], "end": KPI_PERIOD[1], "as_of": KPI_AS_OF}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=KST)


@pytest.fixture(scope="module")
def linkage_db(tmp_path_factory):
    return build_linkage_warehouse(tmp_path_factory.mktemp("linkage"))


def run(name, db, **params):
    return queries.run(name, db=db, **params)


# ------------------------------------------------------------------------------------------------ the marts


def test_anomalous_hours(linkage_db):
    rows = query(linkage_db, "select sensor_id, metric, hour, value, z from agg_sensor_anomalies order by hour, sensor_id")
    got = [(r["sensor_id"].split(":")[1], r["hour"], r["value"], None if r["z"] is None else round(r["z"], 6))
           for r in rows.iter_rows(named=True)]
    assert got == [
        ("air-boram", at("2025-07-07 15:00"), 76.0, None),
        ("noise-boram-1", at("2025-07-08 22:00"), 70.0, 6.666667),
        ("noise-boram-1", at("2025-07-08 23:00"), 72.0, 7.0),
        ("noise-boram-1", at("2025-07-09 00:00"), 70.0, 6.666667),
        ("noise-boram-2", at("2025-07-09 00:00"), 68.0, 6.0),
        ("noise-boram-2", at("2025-07-09 01:00"), 69.0, 6.0),
        ("noise-boram-2", at("2025-07-09 02:00"), 68.0, 6.0),
        ("water-jochiwon", at("2025-07-09 06:00"), 2.8, 4.0),
        ("water-jochiwon", at("2025-07-09 07:00"), 3.0, 4.475),
        ("water-jochiwon", at("2025-07-09 08:00"), 3.2, 5.0),
        ("water-jochiwon", at("2025-07-09 09:00"), 3.1, 4.725),
        ("water-jochiwon", at("2025-07-09 10:00"), 2.9, 4.25),
        ("water-jochiwon", at("2025-07-09 11:00"), 2.7, 3.725),
        ("noise-boram-1", at("2025-07-10 03:00"), 70.0, 6.333333),
        ("traffic-areum", at("2025-07-10 08:00"), 10.0, -13.333333),
        ("traffic-areum", at("2025-07-10 09:00"), 12.0, -13.0),
        ("power-naseong", at("2025-07-11 14:00"), 0.0, -4.0),
        ("power-naseong", at("2025-07-11 15:00"), 0.0, -4.0),
        ("power-naseong", at("2025-07-11 16:00"), 0.0, -4.0),
        ("noise-jochiwon", at("2025-07-12 02:00"), 66.0, 5.333333),
        ("noise-jochiwon", at("2025-07-12 03:00"), 67.0, 5.333333),
        ("air-boram", at("2025-07-12 10:00"), 80.0, None),
        ("air-boram", at("2025-07-12 11:00"), 90.0, None),
        ("air-boram", at("2025-07-12 12:00"), 78.0, None),
    ]
    # baselines: 20 weekday values, 8 on the Saturday; the frozen 65 dB run of 07-11 is not there
    counts = query(linkage_db, "select n_baseline, count(*) as n from agg_sensor_anomalies group by all order by all").rows()
    assert counts == [(8, 5), (20, 19)]


def test_episodes_mart(linkage_db):
    rows = query(linkage_db, """select district_code, link, started_at, ended_at, hours, sensors, peak_value, peak_z
                               from agg_anomaly_episodes order by started_at""").rows()
    rounded = [(*r[:7], None if r[7] is None else round(r[7], 6)) for r in rows]
    assert rounded == [
        (BORAM, "noise", at("2025-07-08 22:00"), at("2025-07-09 03:00"), 5, 2, 72.0, 7.0),
        (JOCHIWON, "flood", at("2025-07-09 06:00"), at("2025-07-09 12:00"), 6, 1, 3.2, 5.0),
        (AREUM, "traffic", at("2025-07-10 08:00"), at("2025-07-10 10:00"), 2, 1, 10.0, 13.333333),
        (NASEONG, "power", at("2025-07-11 14:00"), at("2025-07-11 17:00"), 3, 1, 0.0, 4.0),
        (JOCHIWON, "noise", at("2025-07-12 02:00"), at("2025-07-12 04:00"), 2, 1, 67.0, 5.333333),
        (BORAM, "air", at("2025-07-12 10:00"), at("2025-07-12 13:00"), 3, 1, 90.0, None),
    ]


def test_marts_are_the_same_when_the_sensors_arrive_in_daily_batches(linkage_db, tmp_path):
    # 5 batches of 7 days each: every batch recomputes its days and the 28 after them, reading 28 days back
    split = build_linkage_warehouse(tmp_path, sensor_batches=5)
    for table in ("agg_sensor_anomalies", "agg_anomaly_episodes", "dim_linkage"):
        sql = f"select * from {table} order by all"
        assert query(split, sql).rows() == query(linkage_db, sql).rows(), table
    for check in ("agg_sensor_anomalies_unique", "agg_sensor_anomalies_match_hourly", "agg_anomaly_episodes_valid",
                  "dim_linkage_consistent"):
        assert run_check(split, check).height == 0, check


def test_linkage_table_comes_from_the_data_file(linkage_db):
    signals = query(linkage_db, """select link, metric, direction, min_scale, min_share, level, list(category order by category) as c
                                   from dim_linkage where role = 'signal' group by all order by link""").rows()
    assert signals == [
        ("air", "pm25", "high", 0.0, 0.0, 75.0, ["미세먼지", "악취"]),
        ("flood", "water_level", "high", 0.4, 0.0, None, ["배수불량", "침수"]),
        ("noise", "noise", "high", 3.0, 0.0, None, ["소음"]),
        ("power", "power", "low", 0.0, 0.25, None, ["정전"]),
        ("traffic", "speed", "low", 3.0, 0.0, None, ["교통신호", "대중교통", "불법주정차"]),
    ]


# --------------------------------------------------------------------------------------------- the queries


def test_linkage_links(linkage_db):
    rows = run("linkage_links", linkage_db).select("link", "metric", "context", "sensors", "districts").rows()
    assert rows == [
        ("air", "pm25", ["pm10"], 1, [BORAM]),
        ("flood", "water_level", ["rainfall"], 1, [JOCHIWON]),
        ("noise", "noise", [], 3, [BORAM, JOCHIWON]),
        ("power", "power", [], 1, [NASEONG]),
        ("traffic", "speed", ["traffic_volume"], 1, [AREUM]),
    ]


def test_linkage_series_hourly_for_a_district(linkage_db):
    frame = run("linkage_series", linkage_db, start=at("2025-07-08 21:00"), end=at("2025-07-09 06:00"), link="noise",
                grain="hour", district=BORAM)
    # signal = mean of the two 보람동 meters; complaints = N1 … N4
    assert frame.select("bucket", "complaints", "signal").rows() == [
        (at("2025-07-08 21:00"), 0, 51.0), (at("2025-07-08 22:00"), 0, 60.0), (at("2025-07-08 23:00"), 0, 61.5),
        (at("2025-07-09 00:00"), 0, 69.0), (at("2025-07-09 01:00"), 0, 60.0), (at("2025-07-09 02:00"), 0, 59.0),
        (at("2025-07-09 03:00"), 1, 51.0), (at("2025-07-09 04:00"), 2, 50.0), (at("2025-07-09 05:00"), 1, 51.0),
    ]
    assert set(frame["signal_metric"]) == {"noise"} and frame["context"].null_count() == frame.height


def test_linkage_series_daily_with_context(linkage_db):
    frame = run("linkage_series", linkage_db, start=at("2025-07-08 00:00"), end=at("2025-07-10 00:00"), link="flood",
                grain="day", district=None)
    # 07-09: 18 quiet hours (9 × 1.20 + 9 × 1.21 = 21.69) + the flood (17.7) = 39.39 / 24; rain 45 mm / 24 h
    assert frame.select("bucket", "complaints", "signal", "context", "context_metric").rows() == [
        (at("2025-07-08 00:00"), 0, pytest.approx(1.205), 0.0, "rainfall"),
        (at("2025-07-09 00:00"), 2, pytest.approx(1.64125), 1.875, "rainfall"),
    ]


def test_linkage_episodes_with_first_reports(linkage_db):
    frame = run("linkage_episodes", linkage_db, window_hours=24, **CURRENT)
    assert frame.select("district_code", "link", "started_at", "first_report_at", "reports", "lead_hours", "status").rows() == [
        (BORAM, "noise", at("2025-07-08 22:00"), at("2025-07-09 03:30"), 4, 5.5, "reported"),
        (JOCHIWON, "flood", at("2025-07-09 06:00"), at("2025-07-09 08:00"), 2, 2.0, "reported"),
        (AREUM, "traffic", at("2025-07-10 08:00"), at("2025-07-10 08:45"), 1, 0.75, "reported"),
        (NASEONG, "power", at("2025-07-11 14:00"), at("2025-07-11 14:30"), 2, 0.5, "reported"),
        (JOCHIWON, "noise", at("2025-07-12 02:00"), None, 0, None, "silent"),
        (BORAM, "air", at("2025-07-12 10:00"), at("2025-07-12 14:00"), 1, 4.0, "reported"),
    ]
    # filters, and a window still open at as_of: 07-12 04:00 + 48 h is after 07-13 23:00
    open_window = run("linkage_episodes", linkage_db, window_hours=48, link="noise", district=JOCHIWON, **CURRENT)
    assert open_window["status"].to_list() == ["waiting"]


def test_linkage_confirmed(linkage_db):
    rows = run("linkage_confirmed", linkage_db, window_hours=24, **CURRENT).select(
        "link", "complaints", "covered", "confirmed", "confirmed_share", "confirmed_share_covered").rows()
    assert rows == [
        ("air", 2, 2, 1, 0.5, 0.5), ("flood", 2, 2, 2, 1.0, 1.0), ("noise", 9, 8, 4, pytest.approx(4 / 9), 0.5),
        ("power", 2, 2, 2, 1.0, 1.0), ("traffic", 5, 2, 1, 0.2, 0.5),
    ]


def r_of(n: int, sxy: int, sx: int = 5, sy: int = 4, syy: int = 6) -> float:
    return (n * sxy - sx * sy) / math.sqrt((n * sx - sx * sx) * (n * syy - sy * sy))


def test_linkage_lag_correlation(linkage_db):
    frame = run("linkage_lag_correlation", linkage_db, start=PERIOD[0], end=PERIOD[1], link="noise", district=BORAM)
    assert frame.height == 49 and frame["lag"].to_list() == list(range(49))
    sums = [0, 1, 3, 4, 4, 4, 3, 1, 0]
    for k, sxy in enumerate(sums):
        row = frame.row(k, named=True)
        assert (row["n"], row["episode_hours"], row["complaints_in_lagged_episodes"]) == (312 - k, 5, sxy)
        assert row["r"] == pytest.approx(r_of(312 - k, sxy), abs=1e-9)
    assert frame["r"][3] == pytest.approx(0.727510, abs=1e-6) and frame["r"][0] == pytest.approx(-0.011849, abs=1e-6)
    assert best_lag(frame) == (3, pytest.approx(0.727510, abs=1e-6))
    # no sensor of the link in the district: x is constant, r undefined at every lag
    empty = run("linkage_lag_correlation", linkage_db, start=PERIOD[0], end=PERIOD[1], link="noise", district=AREUM)
    assert empty["r"].null_count() == 49 and best_lag(empty) == (None, None)


def poisson_tail(s: int, lam: float) -> float:
    return 1 - sum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(s))


def test_linkage_bursts(linkage_db):
    rows = run("linkage_bursts", linkage_db, window_hours=24, **CURRENT).select(
        "category", "district_code", "first_day", "last_day", "items", "first_at", "last_at", "peak_three_day", "expected",
        "p", "link", "sensor_in_district", "sensor_seen").rows()
    d = dt.date
    quiet = 3 / 28
    assert rows == [
        ("소음", BORAM, d(2025, 7, 7), d(2025, 7, 11), 4, at("2025-07-09 03:30"), at("2025-07-09 05:20"), 4,
         pytest.approx(quiet), pytest.approx(poisson_tail(4, quiet)), "noise", True, True),
        ("쓰레기", AREUM, d(2025, 7, 6), d(2025, 7, 10), 22, at("2025-07-06 09:00"), at("2025-07-09 16:00"), 21,
         pytest.approx(3 * 27 / 28), pytest.approx(poisson_tail(21, 3 * 27 / 28), rel=1e-3), None, False, False),
        ("소음", JOCHIWON, d(2025, 7, 3), d(2025, 7, 7), 4, at("2025-07-05 10:00"), at("2025-07-05 13:00"), 4,
         pytest.approx(quiet), pytest.approx(poisson_tail(4, quiet)), "noise", True, False),
    ]
    assert poisson_tail(4, quiet) == pytest.approx(5.04e-6, rel=1e-3) and poisson_tail(8, 3 * 39 / 28) > 0.05
    assert run("linkage_bursts", linkage_db, window_hours=24, district=NASEONG, **CURRENT).is_empty()


def test_emerging_issues(linkage_db):
    rows = run("emerging_issues", linkage_db, **CURRENT).select(
        "day", "category", "domain", "district_code", "received", "baseline", "mad", "z").rows()
    assert rows == [(dt.date(2025, 7, 9), "쓰레기", "environment", AREUM, 8, 1.0, 0.0, 7.0),
                    (dt.date(2025, 7, 8), "쓰레기", "environment", AREUM, 12, 1.0, 0.0, 11.0)]
    assert run("emerging_issues", linkage_db, district=BORAM, **CURRENT).is_empty()
    assert run("emerging_issues", linkage_db, domain="transport", **CURRENT).is_empty()


def test_proposal_impact(linkage_db):
    rows = run("proposal_impact", linkage_db, **CURRENT).select(
        "complaint_id", "category", "district_code", "adopted_at", "window_days", "before", "after", "change",
        "others_before", "others_after", "others_change", "difference").rows()
    assert rows == [("canonical:PR1", "불법주정차", AREUM, at("2025-06-23 00:00"), pytest.approx(20 + 23 / 24), 6, 2,
                     pytest.approx(-2 / 3), 4, 4, 0.0, pytest.approx(-2 / 3))]
    # adopted more than 90 days before the period: out
    later = {**CURRENT, "start": at("2025-09-22 00:00"), "end": at("2025-10-01 00:00")}
    assert run("proposal_impact", linkage_db, **later).is_empty()


def distance_km(lat: float, lon: float, s_lat: float, s_lon: float) -> float:
    return 111.2 * math.sqrt((s_lat - lat) ** 2 + ((s_lon - lon) * math.cos(math.radians(lat))) ** 2)


def test_hotspots(linkage_db):
    rows = run("hotspots", linkage_db, **CURRENT).rows(named=True)
    assert [(r["items"], r["top_category"], r["top_category_items"], r["sensor_id"], r["sensor_anomalous_hours"])
            for r in rows] == [(27, "쓰레기", 27, "canonical:traffic-areum", 2), (4, "소음", 4, "canonical:water-jochiwon", 6)]
    assert (rows[0]["lat"], rows[0]["lon"]) == (pytest.approx(36.516375), pytest.approx(127.2502))
    assert (rows[1]["lat"], rows[1]["lon"]) == (pytest.approx(36.604125), pytest.approx(127.295))
    assert rows[0]["sensor_distance_km"] == pytest.approx(distance_km(36.516375, 127.2502, 36.518, 127.25))
    assert rows[0]["sensor_distance_km"] == pytest.approx(0.181582, abs=1e-6)
    assert rows[1]["sensor_distance_km"] == pytest.approx(0.456825, abs=1e-6)


# ------------------------------------------------------------------------ per-district score and equity (KPI fixture)


def test_district_score_kpis_match_kpi_headline_per_district(kpi_db):
    frame = run("district_score_kpis", kpi_db, **KPI_CURRENT)
    assert frame.height == 24 and frame["received"].sum() == 21  # 22 received, C08 has no district
    areum = frame.filter(pl.col("district_code") == "3611011300").row(0, named=True)
    # EXPECTED.md, 아름동 current
    assert (areum["received"], areum["closed"], areum["participants"]) == (6, 5, 4)
    assert areum["median_days_to_close"] == pytest.approx(2.458333, abs=1e-6)
    assert areum["p90_days_to_close"] == pytest.approx(10.7, abs=1e-6)
    assert (areum["first_response_hours"], areum["on_time_rate"], areum["satisfaction_mean"]) == (4.0, 0.8, 3.5)
    assert areum["participation_per_1000"] == pytest.approx(0.266064, abs=1e-6) and areum["repeat_participant_share"] == 0.5
    keys = ["received", "closed", "resolution_rate", "median_days_to_close", "p90_days_to_close", "first_response_hours",
            "on_time_rate", "satisfaction_mean", "participants", "repeat_participant_share", "participation_per_1000"]
    for row in frame.iter_rows(named=True):  # the same definitions as kpi_headline with the district filter
        single = run("kpi_headline", kpi_db, district=row["district_code"], **KPI_CURRENT).row(0, named=True)
        for key in keys:
            assert row[key] == pytest.approx(single[key]) if single[key] is not None else row[key] is None, (row["name_ko"], key)


def test_district_scores_add_up_their_contributions():
    kpis = pl.DataFrame({"district_code": ["A", "B"], "name_ko": ["가", "나"], "name_en": ["A", "B"], "received": [4, 0],
                         "resolution_rate": [0.45, None], "median_days_to_close": [10.0, None]})
    goals = {"resolution_rate": {"target": 0.9, "direction": "higher"},
             "median_days_to_close": {"target": 5, "direction": "lower"},
             "sensor_completeness": {"target": 0.95, "direction": "higher"}}
    sensors = sensor_kpis(pl.DataFrame({"district_code": ["A", "A", None], "completeness": [0.95, 0.475, 0.1]}),
                          pl.DataFrame({"district_code": ["A"], "grade": [1]}))
    assert sensors == {"A": {"sensor_completeness": pytest.approx(0.7125), "aq_good_share": 1.0}}
    scores = district_scores(kpis, sensors, goals)
    a = scores.row(0, named=True)
    # ratios 0.45/0.9 = 0.5, 5/10 = 0.5, 0.7125/0.95 = 0.75 → score 1.75 / 3; each contribution = ratio / 3
    assert a["used"] == 3 and a["score"] == pytest.approx(1.75 / 3)
    parts = [a["resolution_rate_contribution"], a["median_days_to_close_contribution"], a["sensor_completeness_contribution"]]
    assert parts == [pytest.approx(0.5 / 3), pytest.approx(0.5 / 3), pytest.approx(0.25)] and sum(parts) == pytest.approx(a["score"])
    b = scores.row(1, named=True)
    assert (b["score"], b["used"], b["resolution_rate_contribution"]) == (None, 0, None)
    assert scoring.city_score({"resolution_rate": 0.45, "median_days_to_close": 10.0, "sensor_completeness": 0.7125},
                              goals).score == pytest.approx(a["score"])


def test_equity_districts(kpi_db):
    frame = run("equity_districts", kpi_db, **KPI_CURRENT)
    assert frame.height == 24 and set(frame["basis"]) == {"reporters"}
    # city over items with a district: 16 reporters (R07's C08 has none) / 254 607; median of 13 durations = C15
    city = frame.row(0, named=True)
    assert city["city_participation_per_1000"] == pytest.approx(16 / 254607 * 1000)
    assert city["city_median_days_to_close"] == pytest.approx(2.458333, abs=1e-6)
    active = frame.filter(pl.col("received") > 0).select(
        "name_ko", "reporters", "participation_per_1000", "median_days_to_close", "under_heard", "under_served").rows()
    assert active == [
        ("보람동", 5, pytest.approx(0.394104, abs=1e-6), 3.0, False, False),
        ("나성동", 3, pytest.approx(0.250941, abs=1e-6), 0.5, False, False),
        ("아름동", 4, pytest.approx(0.266064, abs=1e-6), pytest.approx(2.458333, abs=1e-6), False, False),
        # C04 0.25, C19 1, C11 7, C22 10.416667 (C13 excluded) → 4.0 > 1.5 × 2.458333 = 3.6875
        ("조치원읍", 5, pytest.approx(0.161124, abs=1e-6), 4.0, False, True),
    ]
    quiet = frame.filter(pl.col("received") == 0)
    assert quiet.height == 20 and quiet["under_heard"].all() and not quiet["under_served"].any()


def test_gini_and_lorenz_by_hand():
    # two equal halves, one with everything: Lorenz (0,0) (0.5,0) (1,1), Gini 1 − 0.5 × 1 = 0.5
    assert lorenz([0.0, 1.0], [1, 1]).rows() == [(0.0, 0.0), (0.5, 0.0), (1.0, 1.0)]
    assert gini([0.0, 1.0], [1, 1]) == pytest.approx(0.5)
    assert gini([2.0, 2.0, 2.0], [1, 5, 9]) == pytest.approx(0.0)
    # weights 3 and 1, rates 1 and 3: shares of the total 3 / 6 and 3 / 6 → Lorenz (0.75, 0.5);
    # Gini = 1 − [0.75 × 0.5 + 0.25 × 1.5] = 0.25 (= Σ wᵢwⱼ|xᵢ−xⱼ| / (2W²μ) = 2·3·1·2 / (2·16·1.5))
    assert gini([1.0, 3.0], [3, 1]) == pytest.approx(0.25)
    assert gini([None, 0.0], [1, 1]) is None and gini([], []) is None
