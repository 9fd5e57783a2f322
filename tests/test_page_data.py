"""AppTest of views/data.py: batches, freshness, the 19 checks as the writes stored them (the page runs none) and
the quarantine browser (masked raw records).

KPI fixture: minwon.csv 39 rows read, 38 loaded, Q01 (line 34, 만족도 9) quarantined; air.csv 288 readings;
things.json 1,261 readings (arithmetic in tests/test_queries_data.py). The quarantine browser's filters are
tried on tests/quarantine_fixture.py: S-2 (line 3, satisfaction 7, a phone number), S-3 (line 4, votes -3,
an e-mail address), S-4 (line 5, satisfaction 0).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixture_warehouse import build_kpi_warehouse
from helpers_warehouse import cli
from quarantine_fixture import EMAIL, PHONE, build_quarantine_warehouse
from streamlit.testing.v1 import AppTest

from ui.data_status import masked
from warehouse.pii import MASK_EMAIL, MASK_PHONE

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "data.py")


@pytest.fixture(scope="module")
def q_db(tmp_path_factory):
    return build_quarantine_warehouse(tmp_path_factory.mktemp("quarantine_page"))


def _app(monkeypatch, db: Path, lang: str | None = None) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def test_kpi_fixture(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    assert not at.exception
    assert at.title[0].value == "데이터 현황"
    markdown = [m.value for m in at.markdown]
    assert "검사 19개 중 **19개 통과**" in markdown
    assert "격리된 행 **1**개 · 사유별" in markdown
    batches, fresh, checks, reasons, rows = _frames(at)
    assert batches[["batch_id", "source", "rows_read", "rows_loaded", "rows_quarantined", "status"]].values.tolist() == [
        [3, "sensorthings", 1261, 1261, 0, "ok"], [2, "airkorea", 288, 288, 0, "ok"], [1, "minwon", 39, 38, 1, "ok"],
    ]
    assert fresh[["source", "records"]].values.tolist() == [["minwon", 38], ["airkorea", 288], ["sensorthings", 1261]]
    assert fresh["latest_record"].astype(str).tolist() == [
        "2025-03-28 22:00:00+09:00", "2025-03-29 23:00:00+09:00", "2025-03-29 23:00:00+09:00",
    ]
    assert len(checks) == 19 and set(checks["status"]) == {"통과"} and set(checks["failures"]) == {0}
    # stored by the fixture's writes (tests/test_queries_check_results.py): complaint checks by batch 1 over the
    # whole history, time-series checks by batch 3 on its days 03-16 … 03-29
    by_check = {r["check"]: r for r in checks.to_dict("records")}
    assert (by_check["fct_complaints_unique_id"]["checked_by"], by_check["fct_complaints_unique_id"]["range"]) == (
        "배치 #1", "전체 기간")
    assert (by_check["fct_sensor_readings_unique_key"]["checked_by"], by_check["fct_sensor_readings_unique_key"]["range"]) == (
        "배치 #3", "2025-03-16 – 2025-03-29")
    assert by_check["agg_sensor_anomalies_unique"]["range"] == "2025-03-16 – 2025-05-03"
    assert any(c.value.startswith("검사는 적재할 때마다 그 배치가 바꾼 날짜에 대해 실행되어 저장됩니다. 마지막 검사: ")
               for c in at.caption)
    assert reasons.values.tolist() == [["satisfaction", "satisfaction must be #–#, not '…'", 1]]
    assert rows[["batch_id", "file", "line", "field", "reason"]].values.tolist() == [
        [1, "minwon.csv", 34, "satisfaction", "satisfaction must be 1–5, not '9'"],
    ]
    assert '"접수번호":"Q01"' in rows["raw_record"][0]


def test_quarantine_browser_filters_and_masks(monkeypatch, q_db):
    at = _app(monkeypatch, q_db)
    assert not at.exception
    assert "격리된 행 **3**개 · 사유별" in [m.value for m in at.markdown]
    reasons, rows = _frames(at)[-2:]
    assert reasons.values.tolist() == [
        ["satisfaction", "satisfaction must be #–#, not '…'", 2], ["votes", "votes must be a whole number ≥ #, not '…'", 1],
    ]
    assert rows["line"].tolist() == [3, 4, 5]
    shown = " ".join(rows["raw_record"])
    assert PHONE not in shown and EMAIL not in shown and MASK_PHONE in shown and MASK_EMAIL in shown

    at.selectbox(key="q_batch").set_value(1).run()
    at.selectbox(key="q_field_1").set_value("satisfaction").run()
    assert not at.exception
    assert "격리된 행 **2**개 · 사유별" in [m.value for m in at.markdown]
    reasons, rows = _frames(at)[-2:]
    assert reasons.values.tolist() == [["satisfaction", "satisfaction must be #–#, not '…'", 2]]
    assert rows[["line", "field", "reason"]].values.tolist() == [
        [3, "satisfaction", "satisfaction must be 1–5, not '7'"], [5, "satisfaction", "satisfaction must be 1–5, not '0'"],
    ]
    assert PHONE not in rows["raw_record"][0] and MASK_PHONE in rows["raw_record"][0]

    at.selectbox(key="q_field_1").set_value(None).run()
    at.selectbox(key="q_reason_1_None").set_value("votes must be a whole number ≥ #, not '…'").run()
    reasons, rows = _frames(at)[-2:]
    assert rows[["line", "field"]].values.tolist() == [[4, "votes"]]
    assert EMAIL not in rows["raw_record"][0] and MASK_EMAIL in rows["raw_record"][0]


def test_masked_masks_raw_record_and_reason():
    frame = pl.DataFrame({"reason": [f"not a number: '{PHONE}'"], "raw_record": [f'{{"memo":"{PHONE} / {EMAIL}"}}']})
    out = masked(frame)
    assert out["reason"][0] == f"not a number: '{MASK_PHONE}'"
    assert out["raw_record"][0] == f'{{"memo":"{MASK_PHONE} / {MASK_EMAIL}"}}'


def test_english(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db, "en")
    assert not at.exception
    assert at.title[0].value == "Data status"
    assert "**19 of 19 checks passed**" in [m.value for m in at.markdown]


def _broken_complaint_rollup(tmp_path: Path) -> Path:
    """A KPI warehouse whose agg_complaints_daily row of C17 (2025-03-28, 3611011300, environment, 소음, complaint,
    app: received 1, closed 0) is doubled in place, after the writes stored their (clean) check results."""
    db = build_kpi_warehouse(tmp_path / "kpi.duckdb")
    con = duckdb.connect(str(db))
    try:
        con.execute("insert into agg_complaints_daily select * from agg_complaints_daily"
                    " where day = date '2025-03-28' and category = '소음'")
    finally:
        con.close()
    return db


def test_shows_stored_results_and_runs_no_check(monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    db = _broken_complaint_rollup(tmp_path)
    at = _app(monkeypatch, db)
    assert not at.exception
    # running the checks would find the doubled row; the page shows what the writes stored: all clean
    assert "검사 19개 중 **19개 통과**" in [m.value for m in at.markdown]
    assert not at.expander

    # the check command checks the whole history and stores it: 03-28 received 2 in fct_complaints, 3 in the
    # rollup (1 offending day); the doubled group has 2 rows (1 offending group)
    result = cli("check", "--db", db)
    assert result.returncode == 1, result.stdout + result.stderr
    at = _app(monkeypatch, db, "en")
    assert not at.exception
    assert "**17 of 19 checks passed**" in [m.value for m in at.markdown]
    checks = _frames(at)[2]
    failed = checks[checks["status"] == "FAIL"]
    assert failed[["check", "failures", "checked_by", "range"]].values.tolist() == [
        ["agg_complaints_daily_matches_fct", 1, "check command", "whole history"],
        ["agg_complaints_daily_unique", 1, "check command", "whole history"],
    ]
    assert [e.label for e in at.expander] == [
        "agg_complaints_daily_matches_fct: 1 offending rows (sample)", "agg_complaints_daily_unique: 1 offending rows (sample)",
    ]
    matches, unique = _frames(at)[3:5]
    assert matches.to_dict("records") == [{"day": "2025-03-28", "received": 2, "agg_received": 3, "closed": 0, "agg_closed": 0}]
    assert unique.to_dict("records") == [{"day": "2025-03-28", "district_code": "3611011300", "domain": "environment",
                                          "category": "소음", "kind": "complaint", "channel": "app", "n": 2}]


@pytest.mark.parametrize(("lang", "message"), [
    (None, "저장된 검사 결과가 없습니다 (검사 결과를 저장하기 전에 만든 웨어하우스입니다). "
           "`python -m warehouse check`를 실행하거나 배치를 하나 적재하면 전체 기간을 검사해 결과를 저장합니다."),
    ("en", "No stored check results (this warehouse was written before check results were stored). "
           "Run `python -m warehouse check` or load a batch: either checks the whole history and stores the results."),
])
def test_warehouse_without_stored_results(monkeypatch, tmp_path, lang, message):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    db = build_kpi_warehouse(tmp_path / "kpi.duckdb")
    con = duckdb.connect(str(db))
    try:
        con.execute("drop table check_results")  # as a warehouse written before results were stored
    finally:
        con.close()
    at = _app(monkeypatch, db, lang)
    assert not at.exception
    assert [i.value for i in at.info] == [message]
    assert len(_frames(at)) == 4  # batches, freshness, quarantine reasons and rows: the page goes on
