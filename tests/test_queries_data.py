"""The data page's queries (batches, source_freshness, quarantine_reasons, quarantine_rows) and the checks
run on the dashboard's own connection, with exact rows worked out from the fixture files.

KPI fixture (tests/fixtures/kpi/make_fixture.py):
- minwon.csv: 39 data rows; Q01 (line 34: header + 33rd row) has 만족도 9 → quarantined; 38 loaded.
  Latest requested_at: C17, 2025-03-28 22:00 KST.
- air.csv: 144 rows (3 stations × 48 hours, 2025-03-28 00:00 … 03-29 23:00) × 2 metrics = 288 readings.
- things.json: noise 2025-03-16 00:00 … 03-27 12:00 = 11 × 24 + 13 = 277; water level 336 − 24 = 312;
  traffic 336 × 2 datastreams = 672 → 1,261 readings; the latest at 2025-03-29 23:00 KST.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from fixture_warehouse import AS_OF
from quarantine_fixture import EMAIL, PHONE, build_quarantine_warehouse

import queries
from warehouse import check
from warehouse.pii import MASK_EMAIL, MASK_PHONE, mask_text

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def q_db(tmp_path_factory):
    return build_quarantine_warehouse(tmp_path_factory.mktemp("quarantine"))


def test_batches(kpi_db):
    rows = queries.run("batches", db=kpi_db).select(
        "batch_id", "dataset", "source", "profile", "files", "rows_read", "rows_loaded", "rows_updated",
        "rows_duplicate", "rows_quarantined", "status", "message",
    )
    assert rows.rows() == [
        (3, "sensors", "sensorthings", "sensorthings", "things.json", 1261, 1261, 0, 0, 0, "ok", None),
        (2, "sensors", "airkorea", "airkorea", "air.csv", 288, 288, 0, 0, 0, "ok", None),
        (1, "complaints", "minwon", "kr_minwon", "minwon.csv", 39, 38, 0, 0, 1, "ok", None),
    ]
    full = queries.run("batches", db=kpi_db)
    assert full["started_at"].null_count() == 0 and full["finished_at"].null_count() == 0


def test_source_freshness(kpi_db):
    rows = queries.run("source_freshness", db=kpi_db, now=AS_OF)
    # ages at as_of 2025-03-29 23:00: minwon 03-28 22:00 → 25 h; both sensor sources end at 23:00 → 0 h
    assert rows.select("dataset", "source", "latest_record", "age_hours", "records", "batches").rows() == [
        ("complaints", "minwon", dt.datetime(2025, 3, 28, 22, 0, tzinfo=KST), 25.0, 38, 1),
        ("sensors", "airkorea", dt.datetime(2025, 3, 29, 23, 0, tzinfo=KST), 0.0, 288, 1),
        ("sensors", "sensorthings", dt.datetime(2025, 3, 29, 23, 0, tzinfo=KST), 0.0, 1261, 1),
    ]
    assert rows["last_loaded_at"].null_count() == 0


def test_source_freshness_without_records(q_db):
    # the quarantine warehouse: one complaint source, S-1 the only loaded row (2025-03-04 09:15 KST)
    now = dt.datetime(2025, 3, 5, 9, 15, tzinfo=KST)
    rows = queries.run("source_freshness", db=q_db, now=now)
    assert rows.select("dataset", "source", "latest_record", "age_hours", "records").rows() == [
        ("complaints", "canonical", dt.datetime(2025, 3, 4, 9, 15, tzinfo=KST), 24.0, 1),
    ]


def test_quarantine_on_the_kpi_fixture(kpi_db):
    assert queries.run("quarantine_reasons", db=kpi_db).rows() == [
        (1, "complaints", "minwon", "satisfaction", "satisfaction must be #–#, not '…'", 1),
    ]
    rows = queries.run("quarantine_rows", db=kpi_db, batch_id=None, field=None, reason=None, limit=100, offset=0)
    assert rows.drop("raw_record").rows() == [(1, "minwon.csv", 34, "satisfaction", "satisfaction must be 1–5, not '9'")]
    raw = json.loads(rows["raw_record"][0])
    assert raw["접수번호"] == "Q01" and raw["만족도"] == "9" and raw["민원제목"] == "공사장 소음"


def test_quarantine_reasons_generalise(q_db):
    # S-2 (7) and S-4 (0) break the satisfaction rule, S-3 (-3) the votes rule
    assert queries.run("quarantine_reasons", db=q_db).rows() == [
        (1, "complaints", "canonical", "satisfaction", "satisfaction must be #–#, not '…'", 2),
        (1, "complaints", "canonical", "votes", "votes must be a whole number ≥ #, not '…'", 1),
    ]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, [(3, "satisfaction", "satisfaction must be 1–5, not '7'"), (4, "votes", "votes must be a whole number ≥ 0, not '-3'"),
          (5, "satisfaction", "satisfaction must be 1–5, not '0'")]),
    ({"field": "satisfaction"}, [(3, "satisfaction", "satisfaction must be 1–5, not '7'"),
                                 (5, "satisfaction", "satisfaction must be 1–5, not '0'")]),
    ({"reason": "votes must be a whole number ≥ #, not '…'"}, [(4, "votes", "votes must be a whole number ≥ 0, not '-3'")]),
    ({"batch_id": 2}, []),
    ({"limit": 1, "offset": 1}, [(4, "votes", "votes must be a whole number ≥ 0, not '-3'")]),
    ({"field": "'; drop table quarantine; --"}, []),
])
def test_quarantine_rows_filters_and_pages(q_db, params, expected):
    args = {"batch_id": None, "field": None, "reason": None, "limit": 100, "offset": 0} | params
    rows = queries.run("quarantine_rows", db=q_db, **args)
    assert rows.select("line", "field", "reason").rows() == expected
    assert set(rows["file"].to_list()) <= {"bad.csv"}


def test_raw_records_shown_masked(q_db):
    # whether or not the build already masked them, what the page shows (mask_text applied) holds no clear PII
    rows = queries.run("quarantine_rows", db=q_db, batch_id=1, field=None, reason=None, limit=100, offset=0)
    assert json.loads(rows["raw_record"][0])["source_id"] == "S-2"
    shown = rows.with_columns(mask_text(pl.col("raw_record")).alias("raw_record"))["raw_record"].to_list()
    assert json.loads(shown[0])["description"] == f"연락처 {MASK_PHONE} 로 연락 주세요"
    assert json.loads(shown[1])["description"] == f"답장은 {MASK_EMAIL} 으로"
    assert all(PHONE not in s and EMAIL not in s for s in shown)


def test_checks_run_on_the_shared_read_only_connection(kpi_db):
    cur = queries.cursor(kpi_db)
    try:
        results = check.run_checks_on(cur)
    finally:
        cur.close()
    assert [r.name for r in results] == [p.stem for p in check.check_files()]
    assert len(results) == 19 and all(r.failures == 0 for r in results)
    assert queries.run("batches", db=kpi_db).height == 3  # the shared connection still serves queries
    assert [(r.name, r.failures) for r in check.run_checks(kpi_db)] == [(r.name, r.failures) for r in results]
