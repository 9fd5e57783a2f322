"""ui/explorer_sql.py: identifiers only from the allow-list, every value a parameter, exact results on kpi_db.

Expected numbers are counted by hand from tests/fixtures/kpi/make_fixture.py (MINWON_ROWS): the current
period [2025-03-16, 2025-03-30) KST holds 23 rows C01…C22 and Q01; Q01 (만족도 9) is quarantined, so 22.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from fixture_warehouse import PERIOD

from ui import explorer_sql as xs

INJECTION = "'); drop table fct_complaints; --"
SHARED = {"start": PERIOD[0], "end": PERIOD[1], "as_of": None, "district": None, "domain": None, "category": None, "kind": None}


def run(q: xs.Query, db) -> pl.DataFrame:
    return xs.run(q, db=db)


# --- the allow-list ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["raw_complaints", "raw_sensor_readings", "quarantine", "load_batches", "meta",
                                  'fct_complaints"; drop table fct_complaints; --', "FCT_COMPLAINTS"])
def test_mart_outside_the_allow_list_raises(name):
    with pytest.raises(xs.NotAllowed):
        xs.select_rows(name, ["complaint_id"], limit=10)
    with pytest.raises(xs.NotAllowed):
        xs.count_rows(name)


@pytest.mark.parametrize("column", ["reporter_key", "boundary", 'category" from fct_complaints; --', "*", "1"])
def test_column_outside_the_allow_list_raises(column):
    mart = "dim_district" if column == "boundary" else "fct_complaints"
    with pytest.raises(xs.NotAllowed):
        xs.ident(mart, column)
    with pytest.raises(xs.NotAllowed):
        xs.select_rows(mart, [column], limit=10)
    with pytest.raises(xs.NotAllowed):
        xs.grouped(mart, [column], [xs.Measure("count")], limit=10)
    with pytest.raises(xs.NotAllowed):
        xs.select_rows(mart, ["district_code"], filters=[xs.ColumnFilter(column, "eq", "x")], limit=10)


def test_reporter_key_is_in_no_mart():
    assert all("reporter_key" not in m.columns for m in xs.MARTS.values())
    assert set(xs.MARTS) == {"fct_complaints", "fct_sensor_readings", "agg_complaints_daily", "agg_sensor_hourly",
                             "agg_sensor_daily", "dim_district", "dim_sensor"}


@pytest.mark.parametrize(("flt", "measure"), [
    (xs.ColumnFilter("votes", "contains", "1"), None),         # contains needs text
    (xs.ColumnFilter("title", "range", low=1), None),          # range needs number/date/time
    (xs.ColumnFilter("title", "like", "%"), None),             # unknown operator
    (None, xs.Measure("sum", "title")),                        # sum of text
    (None, xs.Measure("median", "votes")),                     # aggregate outside the allow-list
    (None, xs.Measure("sum")),                                 # sum of nothing
])
def test_operators_and_aggregates_outside_the_allow_list_raise(flt, measure):
    with pytest.raises(xs.NotAllowed):
        if flt:
            xs.select_rows("fct_complaints", ["title"], filters=[flt], limit=10)
        else:
            xs.grouped("fct_complaints", ["kind"], [measure], limit=10)


# --- values are parameters ----------------------------------------------------------------------

def test_every_value_is_a_parameter():
    filters = [
        xs.ColumnFilter("category", "eq", INJECTION),
        xs.ColumnFilter("title", "contains", "주차' or 1=1 --"),
        xs.ColumnFilter("votes", "range", low=3, high=40),
        xs.ColumnFilter("requested_at", "range", low=dt.date(2025, 3, 17), high=dt.date(2025, 3, 20)),
    ]
    q = xs.select_rows("fct_complaints", ["complaint_id", "title"], SHARED | {"kind": "complaint"}, filters,
                       limit=100, offset=200)
    assert INJECTION not in q.sql and "주차" not in q.sql and "complaint'" not in q.sql and "2025" not in q.sql
    assert q.sql.endswith("limit $limit offset $offset")
    assert q.params == {
        "p0": PERIOD[0], "p1": PERIOD[1], "p2": "complaint", "p3": INJECTION, "p4": "주차' or 1=1 --",
        "p5": 3, "p6": 40, "p7": dt.date(2025, 3, 17), "p8": dt.date(2025, 3, 20), "limit": 100, "offset": 200,
    }
    assert q.sql == (
        'select "complaint_id", "title" from "fct_complaints" where "requested_at" >= $p0 and "requested_at" < $p1'
        ' and "kind" = $p2 and "category" = cast($p3 as varchar) and contains(lower("title"), lower(cast($p4 as varchar)))'
        ' and "votes" >= cast($p5 as double) and "votes" <= cast($p6 as double)'
        ' and cast("requested_at" as date) >= cast($p7 as date) and cast("requested_at" as date) <= cast($p8 as date)'
        ' order by "requested_at", "complaint_id" limit $limit offset $offset'
    )


def test_bad_limits_raise():
    for limit, offset in ((0, 0), (-1, 0), (10, -5), (10**9, 0)):
        with pytest.raises(ValueError):
            xs.select_rows("dim_district", ["district_code"], limit=limit, offset=offset)


def test_injection_value_is_a_parameter_and_matches_nothing(kpi_db):
    for op in ("eq", "contains"):
        q = xs.select_rows("fct_complaints", ["complaint_id"], None, [xs.ColumnFilter("title", op, INJECTION)], limit=100)
        assert run(q, kpi_db).height == 0
    q = xs.grouped("fct_complaints", ["kind"], [xs.Measure("count")], {"district": INJECTION}, limit=100)
    assert run(q, kpi_db).height == 0
    # and the table is still there, whole: 39 data rows in minwon.csv − Q01 (quarantined) = 38
    assert run(xs.count_rows("fct_complaints"), kpi_db)["n"].to_list() == [38]


# --- exact results on the KPI fixture --------------------------------------------------------------

def test_rows_with_a_contains_filter(kpi_db):
    # current period, category containing 주정차: 불법주정차 rows C01, C02, C15, C18, C07, C21 (by requested_at)
    flt = [xs.ColumnFilter("category", "contains", "주정차")]
    q = xs.select_rows("fct_complaints", ["source_id", "category", "status"], SHARED, flt, limit=10)
    assert run(q, kpi_db).rows() == [
        ("C01", "불법주정차", "closed"), ("C02", "불법주정차", "closed"), ("C15", "불법주정차", "closed"),
        ("C18", "불법주정차", "closed"), ("C07", "불법주정차", "open"), ("C21", "불법주정차", "in_progress"),
    ]
    assert run(xs.count_rows("fct_complaints", SHARED, flt), kpi_db)["n"].to_list() == [6]
    # paging: limit 2 offset 2 → the 3rd and 4th rows
    q = xs.select_rows("fct_complaints", ["source_id"], SHARED, flt, limit=2, offset=2)
    assert run(q, kpi_db)["source_id"].to_list() == ["C15", "C18"]


def test_eq_on_a_time_column_means_that_day(kpi_db):
    # requested on 2025-03-18 (KST): C03 08:30, C11 10:00, C04 11:00
    q = xs.select_rows("fct_complaints", ["source_id"], None, [xs.ColumnFilter("requested_at", "eq", dt.date(2025, 3, 18))], limit=10)
    assert run(q, kpi_db)["source_id"].to_list() == ["C03", "C11", "C04"]


def test_grouped_kind_by_status_and_its_pivot(kpi_db):
    # current period (22 rows): complaint closed C22 C01 C02 C03 C15 C16 C08 C18 C19 C13 = 10,
    # in_progress (처리중) C05 C06 C21 = 3, open (접수) C07 C14 C17 = 3; inquiry (질의민원, 답변완료) C04 C09 C20 = 3;
    # proposal closed C10 C11 = 2, in_progress (검토중) C12 = 1.
    q = xs.grouped("fct_complaints", ["kind", "status"], [xs.Measure("count")], SHARED, limit=100)
    grouped = run(q, kpi_db)
    assert grouped.rows() == [
        ("complaint", "closed", 10), ("complaint", "in_progress", 3), ("complaint", "open", 3),
        ("inquiry", "closed", 3), ("proposal", "closed", 2), ("proposal", "in_progress", 1),
    ]
    assert run(xs.count_groups("fct_complaints", ["kind", "status"], SHARED), kpi_db)["n"].to_list() == [6]
    table = xs.pivot(grouped, "kind", "status", "count")
    assert table.columns == ["kind", "closed", "in_progress", "open"]
    assert table.rows() == [("complaint", 10, 3, 3), ("inquiry", 3, None, None), ("proposal", 2, 1, None)]


def test_grouped_sum_from_the_daily_rollup(kpi_db):
    # agg_complaints_daily over the period, proposals only: C10 (대중교통 → transport, 국민신문고), C11 (에너지절약 →
    # energy), C12 (쓰레기 → environment); votes 25 + 8 + 12. Sum over bigint comes back as an integer.
    q = xs.grouped("agg_complaints_daily", ["domain"], [xs.Measure("sum", "received"), xs.Measure("sum", "votes_sum")],
                   SHARED | {"kind": "proposal"}, limit=100)
    frame = run(q, kpi_db)
    assert frame.rows() == [("energy", 1, 8), ("environment", 1, 12), ("transport", 1, 25)]
    assert frame.schema["sum_received"] == pl.Int64


def test_sensor_marts_take_district_through_dim_sensor(kpi_db):
    # air.csv: 3 stations × 48 hours × 2 metrics; 보람동's station has 48 pm10 and 48 pm25 readings.
    # SensorThings in 보람동: the traffic counter, 336 hours × 2 datastreams (traffic_volume, speed).
    boram = run(xs.select_rows("dim_district", ["district_code"], None,
                               [xs.ColumnFilter("name_ko", "eq", "보람동")], limit=1), kpi_db)["district_code"][0]
    q = xs.grouped("fct_sensor_readings", ["metric"], [xs.Measure("count")], {"district": boram}, limit=100)
    assert run(q, kpi_db).rows() == [("pm10", 48), ("pm25", 48), ("speed", 336), ("traffic_volume", 336)]
