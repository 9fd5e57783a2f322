"""AppTest of views/explorer.py on the KPI fixture: rows, a column filter, grouping with chart and pivot.

Counts by hand from tests/fixtures/kpi/make_fixture.py (MINWON_ROWS; Q01 is quarantined, so never counted):
- default period "last 30 days" up to as_of 2025-03-29 → [2025-02-28, 2025-03-30): every row from P12
  (2025-03-02) on: 39 rows − O01 (2024-12-10) − O02 (2025-02-20) − Q01 = 36.
- of those, category containing 주정차 (불법주정차): P01, P09, P14, C01, C02, C15, C18, C07, C21 = 9.
- custom period 2025-03-16 … 2025-03-29: 22 rows; kind × status: complaint closed 10 (C22 C01 C02 C03 C15
  C16 C08 C18 C19 C13), in_progress 3 (C05 C06 C21), open 3 (C07 C14 C17); inquiry closed 3 (C04 C09 C20);
  proposal closed 2 (C10 C11), in_progress 1 (C12).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "explorer.py")
MART = "fct_complaints"


@pytest.fixture(autouse=True)
def _clean(kpi_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(kpi_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _app(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_rows_then_a_contains_filter():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "데이터 탐색"
    assert "**36**행" in _markdown(at)
    table = at.dataframe[0].value
    assert table.shape == (36, 25)
    assert "reporter_key" not in table.columns
    assert table["source_id"].iloc[0] == "P12"  # oldest first
    assert len(at.get("download_button")) == 3

    at.selectbox(key=f"ex_f0_col_{MART}").set_value("category").run()
    at.selectbox(key=f"ex_f0_op_{MART}_category").set_value("contains").run()
    at.text_input(key=f"ex_f0_v_{MART}_category_contains").set_value("주정차").run()
    assert not at.exception
    assert "**9**행" in _markdown(at)
    shown = at.dataframe[0].value
    assert shown["source_id"].tolist() == ["P01", "P09", "P14", "C01", "C02", "C15", "C18", "C07", "C21"]
    assert set(shown["category"]) == {"불법주정차"}


def test_grouping_chart_and_pivot():
    at = _app()
    at.selectbox(key="period").set_value("custom").run()
    at.date_input(key="from").set_value(dt.date(2025, 3, 16)).run()
    at.date_input(key="to").set_value(dt.date(2025, 3, 29)).run()
    assert "**22**행" in _markdown(at)
    at.multiselect(key=f"ex_group_{MART}").set_value(["kind", "status"]).run()
    assert not at.exception
    assert "**6**개 그룹" in _markdown(at)
    grouped, pivot = (d.value for d in at.dataframe)
    assert grouped.values.tolist() == [
        ["complaint", "closed", 10], ["complaint", "in_progress", 3], ["complaint", "open", 3],
        ["inquiry", "closed", 3], ["proposal", "closed", 2], ["proposal", "in_progress", 1],
    ]
    assert list(pivot.columns) == ["kind", "closed", "in_progress", "open"]
    assert pivot.fillna(-1).values.tolist() == [["complaint", 10, 3, 3], ["inquiry", 3, -1, -1], ["proposal", 2, 1, -1]]

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    traces = {tr["name"]: (tr["type"], tr["x"], tr["y"]) for tr in spec["data"]}
    assert traces == {
        "closed": ("bar", ["complaint", "inquiry", "proposal"], [10, 3, 2]),
        "in_progress": ("bar", ["complaint", "proposal"], [3, 1]),
        "open": ("bar", ["complaint"], [3]),
    }
    at.segmented_control(key="ex_chart_kind").set_value("line").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {tr["type"] for tr in spec["data"]} == {"scatter"}


def test_cp949_download_option_tells_the_user():
    at = _app()
    at.radio(key="ex_csv_encoding").set_value("cp949").run()
    assert not at.exception
    # the fixture's text is Hangul, ASCII and masked digits only: everything fits in CP949
    assert "모든 문자를 CP949로 표현할 수 있습니다." in [c.value for c in at.caption]
    assert len(at.get("download_button")) == 3


def test_sensor_rollup_says_which_sidebar_filters_apply():
    at = _app()
    at.selectbox(key="ex_mart").set_value("agg_sensor_daily").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "적용된 사이드바 필터: 기간 · 이 표에 없는 항목: 세부 유형, 구분" in captions
    assert "reporter_key" not in at.dataframe[0].value.columns


def test_english():
    at = _app("en")
    assert not at.exception
    assert at.title[0].value == "Explorer"
    assert "**36** rows" in _markdown(at)
