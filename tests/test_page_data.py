"""AppTest of views/data.py: batches, freshness, the 19 checks and the quarantine browser (masked raw records).

KPI fixture: minwon.csv 39 rows read, 38 loaded, Q01 (line 34, 만족도 9) quarantined; air.csv 288 readings;
things.json 1,261 readings (arithmetic in tests/test_queries_data.py). The quarantine browser's filters are
tried on tests/quarantine_fixture.py: S-2 (line 3, satisfaction 7, a phone number), S-3 (line 4, votes -3,
an e-mail address), S-4 (line 5, satisfaction 0).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
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
    assert len(checks) == 19 and set(checks["status"]) == {"통과"}
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
