"""Exact expected rows of the Overview's queries on the KPI fixture (numbers from tests/fixtures/kpi/EXPECTED.md,
worked out by hand from the fixture's rows)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from fixture_warehouse import AS_OF, KST, PERIOD, PREVIOUS_PERIOD

import queries

CURRENT = {"start": PERIOD[0], "end": PERIOD[1], "as_of": AS_OF}
PREVIOUS = {"start": PREVIOUS_PERIOD[0], "end": PREVIOUS_PERIOD[1], "as_of": AS_OF}
AREUM, BORAM, JOCHIWON, NASEONG = "3611011300", "3611010300", "3611025000", "3611010700"


def run(name, db, **params):
    return queries.run(name, db=db, **params)


def test_as_of_is_the_latest_timestamp(kpi_db):
    assert run("as_of", kpi_db)["as_of"][0] == AS_OF


def test_freshness_per_dataset(kpi_db):
    rows = run("freshness", kpi_db).select("dataset", "batches", "latest_record").rows()
    # latest complaint = C17 requested 03-28 22:00; latest reading = 03-29 23:00
    assert rows == [("complaints", 1, dt.datetime(2025, 3, 28, 22, tzinfo=KST)), ("sensors", 2, AS_OF)]


def test_districts_lists_the_24_reference_districts(kpi_db):
    frame = run("districts", kpi_db)
    assert frame.height == 24
    areum = frame.filter(frame["district_code"] == AREUM).select("name_ko", "name_en", "population").row(0)
    assert areum == ("아름동", "Areum-dong", 15034)
    assert frame["population"].sum() == 254607


def test_categories_for_a_domain(kpi_db):
    rows = run("categories", kpi_db, domain="energy").rows()
    # every energy row of the fixture, whatever its period: P08, P11, C11, C14
    assert sum(r[2] for r in rows) == 4
    assert {r[0] for r in rows} == {"energy"}


KPI_CASES = {
    # (params, expected): city-wide current and previous, 아름동 current, transport current
    "city-current": (CURRENT, dict(received=22, closed=15, resolution_rate=15 / 22, median_days_to_close=2.729167,
                                   p90_days_to_close=10.366667, first_response_hours=1.75, on_time=12, late=3, overdue=2,
                                   on_time_rate=12 / 17, satisfaction_mean=3.875, satisfaction_response_rate=8 / 15,
                                   proposals=3, votes=45, adoption_rate=0.5, participants=17,
                                   participation_per_1000=17 / 254607 * 1000, repeat_participant_share=4 / 17)),
    "city-previous": (PREVIOUS, dict(received=14, closed=11, resolution_rate=11 / 14, median_days_to_close=3.0, p90_days_to_close=11.0,
                                     first_response_hours=12.0, on_time=9, late=2, overdue=3, on_time_rate=9 / 14,
                                     satisfaction_mean=24 / 7, satisfaction_response_rate=7 / 11, proposals=2, votes=43,
                                     adoption_rate=1.0, participants=9, participation_per_1000=9 / 254607 * 1000,
                                     repeat_participant_share=3 / 9)),
    "areum-current": ({**CURRENT, "district": AREUM}, dict(received=6, closed=5, median_days_to_close=2.458333, p90_days_to_close=10.7,
                                                           first_response_hours=4.0, on_time=4, late=1, overdue=0, on_time_rate=0.8,
                                                           satisfaction_mean=3.5, proposals=1, votes=25, adoption_rate=1.0,
                                                           participation_per_1000=4 / 15034 * 1000, repeat_participant_share=0.5)),
    "areum-previous": ({**PREVIOUS, "district": AREUM}, dict(received=5, median_days_to_close=3.9375, p90_days_to_close=10.1,
                                                             first_response_hours=26.5, on_time_rate=0.6, adoption_rate=None,
                                                             participation_per_1000=3 / 15034 * 1000)),
    "transport-current": ({**CURRENT, "domain": "transport"}, dict(received=10, closed=8, median_days_to_close=4.375,
                                                                   p90_days_to_close=10.65, first_response_hours=13.0, on_time=5,
                                                                   late=3, overdue=0, on_time_rate=0.625, repeat_participant_share=0.25,
                                                                   participation_per_1000=8 / 254607 * 1000)),
}


@pytest.mark.parametrize("case", KPI_CASES)
def test_kpi_headline(kpi_db, case):
    params, expected = KPI_CASES[case]
    row = run("kpi_headline", kpi_db, **params).row(0, named=True)
    for key, value in expected.items():
        if value is None:
            assert row[key] is None, key
        else:
            assert row[key] == pytest.approx(value, abs=1e-6), key


def test_whole_seconds_by_epoch_are_date_diffs_seconds():
    """The complaint queries count a duration's whole seconds as epoch_us(b) // 1000000 - epoch_us(a) // 1000000
    instead of date_diff('second', a, b), which goes through ICU's calendar (2-4 x slower over a year of complaints):
    the same number for any two instants after 1970, fractions of a second and clock changes included."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")  # a zone whose clocks change: ICU's calendar has work to do
    pairs = [
        ("2025-03-04 09:00:00.9+09", "2025-03-04 09:00:01.1+09"),  # 0.2 s apart, one second boundary between
        ("2025-03-04 09:00:00.1+09", "2025-03-04 09:00:00.8+09"),  # within one second
        ("2025-03-05 09:00:00.1+09", "2025-03-04 09:00:00.9+09"),  # closed before requested: negative
        ("2025-03-09 01:59:59.5-05", "2025-03-09 03:00:00.5-04"),  # across New York's spring forward
        ("2025-11-02 01:30:00-04", "2025-11-02 01:30:00-05"),  # the repeated hour of its fall back
        ("1990-01-01 00:00:00+09", "2100-12-31 23:59:59.999999+09"),  # the parsers' range of years
    ]
    rows = con.execute(
        """select date_diff('second', a, b), epoch_us(b) // 1000000 - epoch_us(a) // 1000000
           from (select cast(unnest($a) as timestamptz) as a, cast(unnest($b) as timestamptz) as b)""",
        {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]},
    ).fetchall()
    assert [old for old, _ in rows] == [new for _, new in rows]
    assert [old for old, _ in rows][:3] == [1, 0, -86400]


def test_backlog_aging_at_as_of(kpi_db):
    rows = run("backlog_aging", kpi_db, as_of=AS_OF).select("bucket", "open_items").rows()
    assert rows == [("0–7", 4), ("8–14", 4), ("15–30", 2), ("31–90", 1), (">90", 1)]
    by_district = run("backlog_aging", kpi_db, as_of=AS_OF, district=NASEONG)["open_items"].to_list()
    assert by_district == [2, 2, 0, 0, 0]  # C14 C21 | C06 P11
    transport = run("backlog_aging", kpi_db, as_of=AS_OF, domain="transport")["open_items"].to_list()
    assert transport == [2, 0, 0, 0, 1]  # C07 C21 | O01


def test_complaints_trend_per_day(kpi_db):
    frame = run("complaints_trend", kpi_db, **CURRENT)
    assert frame["received"].sum() == 22 and frame["closed"].sum() == 15
    by_day = {r[0]: (r[1], r[2]) for r in frame.rows()}
    assert by_day[dt.date(2025, 3, 17)] == (3, 3)  # C01 C02 C10 all closed since
    assert by_day[dt.date(2025, 3, 18)] == (3, 3)  # C03 C11 C04
    assert by_day[dt.date(2025, 3, 16)] == (1, 1)  # C22, at 00:00 KST (still 03-15 in UTC)


def test_district_performance_orders_worst_on_time_first(kpi_db):
    rows = run("district_performance", kpi_db, **CURRENT).select("name_ko", "received", "on_time", "late", "overdue").rows()
    # 아름동 C01 C09 C10 C15 / C02 / –; 보람동 C03 C20 / C18 / –; 조치원읍 C04 C11 C13 C19 / C22 / C05;
    # 나성동 C16 / – / C06 → rates: 나성 0.5, 조치원 0.666667, 보람 0.666667, 아름 0.8
    assert rows[0] == ("나성동", 4, 1, 0, 1)
    assert {r[0] for r in rows[1:3]} == {"조치원읍", "보람동"}
    assert rows[3] == ("아름동", 6, 4, 1, 0)
    assert len(rows) == 4


def test_alerts_overdue_lists_open_items_past_due(kpi_db):
    rows = run("alerts_overdue", kpi_db, as_of=AS_OF).select("complaint_id").to_series().to_list()
    # due order: O01 12-19, O02 03-01, P05 03-19, P11 03-26, P08 03-28 = C05 03-28, C06 03-29
    assert rows == ["minwon:O01", "minwon:O02", "minwon:P05", "minwon:P11", "minwon:C05", "minwon:P08", "minwon:C06"]


def test_aq_episodes_finds_the_one_advisory(kpi_db):
    rows = run("aq_episodes", kpi_db, **CURRENT).select("station", "metric", "started_at", "ended_at", "hours", "peak").rows()
    assert rows == [("아름동", "pm25", dt.datetime(2025, 3, 28, 10, tzinfo=KST), dt.datetime(2025, 3, 28, 13, tzinfo=KST), 3, 92.0)]


def test_aq_daily_grades(kpi_db):
    frame = run("aq_daily_grades", kpi_db, **CURRENT).sort("day", "station")
    rows = frame.select("station", "day", "pm10", "pm25", "pm10_grade", "pm25_grade", "grade").rows()
    d28, d29 = dt.date(2025, 3, 28), dt.date(2025, 3, 29)
    assert sorted(rows) == sorted([
        ("아름동", d28, 95.0, 50.0, 3, 3, 3), ("보람동", d28, 25.0, 12.0, 1, 1, 1), ("조치원읍", d28, 40.0, 14.0, 2, 1, 2),
        ("아름동", d29, 45.0, 22.0, 2, 2, 2), ("보람동", d29, 60.0, 30.0, 2, 2, 2), ("조치원읍", d29, 70.0, 38.0, 2, 3, 3),
    ])


def test_sensor_status(kpi_db):
    frame = run("sensor_status", kpi_db, **CURRENT)
    rows = {(r["sensor_id"], r["metric"]): r for r in frame.iter_rows(named=True)}
    assert len(rows) == 10
    assert rows[("sensorthings:noise-areum-01", "noise")]["completeness"] == pytest.approx(277 / 336)
    assert rows[("sensorthings:noise-areum-01", "noise")]["stale"] is True
    assert rows[("sensorthings:wl-jochiwon-01", "water_level")]["completeness"] == pytest.approx(312 / 336)
    assert rows[("sensorthings:traffic-boram-01", "speed")]["completeness"] == 1.0
    assert rows[("airkorea:아름동", "pm10")]["completeness"] == pytest.approx(48 / 336)
    assert [k for k, r in rows.items() if r["stale"]] == [("sensorthings:noise-areum-01", "noise")]
    assert [k for k, r in rows.items() if r["flat_lined"]] == [("airkorea:조치원읍", "pm10")]
    assert frame["completeness"].mean() == pytest.approx(1549 / 3360)
