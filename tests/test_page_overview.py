"""Overview page (AppTest) on the KPI fixture: the numbers a user sees, a filter interaction, the URL state."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from helpers_charts import vega_charts
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
CURRENT = {"period": "custom", "from": "2025-03-16", "to": "2025-03-29"}  # = PERIOD [03-16, 03-30)


@pytest.fixture(autouse=True)
def fresh_caches(kpi_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(kpi_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


def open_app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_the_hand_computed_kpis_for_a_shared_link():
    at = open_app(**CURRENT)
    assert not at.exception
    shown = metrics(at)
    # EXPECTED.md, current period city-wide: 22 received, 15/22 closed, 12/17 on time, median 2.729 d,
    # first response 1.75 h, satisfaction 31/8; backlog at as_of 12
    assert shown["접수 건수"] == "22"
    assert shown["처리율"] == "68.2%"
    assert shown["기한 내 처리율"] == "70.6%"
    assert shown["처리 기간"] == "2.7일"
    assert shown["최초 응답 시간"] == "1.8시간"
    assert shown["만족도"] == "3.88"
    assert shown["미처리 잔량"] == "12"
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["접수 건수"] == "+8"  # 22 vs 14 in the previous 14 days
    assert deltas["기한 내 처리율"] == "+6.3%p"  # 0.705882 − 0.642857


def test_filter_interaction_changes_the_numbers_and_the_url():
    at = open_app(**CURRENT)
    at.selectbox(key="district").select("3611011300").run()  # 아름동
    shown = metrics(at)
    assert shown["접수 건수"] == "6" and shown["기한 내 처리율"] == "80.0%" and shown["미처리 잔량"] == "3"
    assert at.query_params["district"] == "3611011300"
    assert at.query_params["period"] == "custom"


def test_link_reopens_filters_and_language():
    at = open_app(**CURRENT, domain="transport", lang="en")
    assert at.selectbox(key="domain").value == "transport"
    assert at.selectbox(key="period").value == "custom"
    shown = metrics(at)
    assert shown["Received"] == "10" and shown["On-time rate"] == "62.5%"  # EXPECTED.md, transport
    assert at.title[0].value == "Sejong smart-city operations"


def test_invalid_url_values_are_ignored():
    at = open_app(period="forever", district="nowhere", lang="xx")
    assert not at.exception
    assert at.selectbox(key="period").value == "30d"
    assert at.selectbox(key="district").value is None
    assert at.title[0].value == "세종 스마트시티 운영 현황"


def test_overview_charts_and_alerts():
    at = open_app(**CURRENT)
    charts = vega_charts(at)
    assert set(charts) == {"trend", "worst_districts"}
    trend = charts["trend"]["data"]["values"]
    assert sum(r["received"] for r in trend) == 22 and sum(r["closed"] for r in trend) == 15
    tables = [df.value for df in at.dataframe]
    overdue = tables[0]
    expected = ["minwon:O01", "minwon:O02", "minwon:P05", "minwon:P11", "minwon:C05", "minwon:P08", "minwon:C06"]
    assert list(overdue["complaint_id"]) == expected  # overdue at as_of, by due date
    assert list(tables[1]["station"]) == ["아름동"]  # the one advisory episode
    sensors = tables[2]  # stale noise meter, flat-lined 조치원읍 PM10
    assert sorted(zip(sensors["metric"], sensors["stale"], sensors["flat_lined"], strict=True)) == [
        ("noise", True, False), ("pm10", False, True)]
