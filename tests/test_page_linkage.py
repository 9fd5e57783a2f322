"""The Complaints × sensors view (AppTest) on the linkage fixture (tests/fixtures/linkage/EXPECTED.md): the numbers a
user sees, one interaction (another link), English, and the Overview's emerging-issues list."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from helpers_charts import layer_data, vega_charts
from linkage_warehouse import build_linkage_warehouse
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
CURRENT = {"period": "custom", "from": "2025-07-01", "to": "2025-07-13"}  # = PERIOD [07-01, 07-14)


@pytest.fixture(scope="module")
def linkage_db(tmp_path_factory):
    return build_linkage_warehouse(tmp_path_factory.mktemp("linkage_page"))


@pytest.fixture(autouse=True)
def fresh_caches(linkage_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(linkage_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


def open_view(lang: str = "ko", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in {**CURRENT, **params}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("views/linkage.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def line_fields(spec: dict) -> list[str]:
    """The fields drawn as lines on the right axis (the last layer of complaints_vs_signal)."""
    return [layer["encoding"]["y"]["field"] for layer in spec["layer"][-1]["layer"]]


TABLES = {  # the tables of each tab, in page order (AppTest gives dataframes no key); only the open tab is sent
    "linkage": ("confirmed_table",), "lead_time": ("episodes_table", "blind_spots_table"), "emerging": ("emerging_table",),
    "district_score": ("district_score_table",), "equity": ("equity_table",),
    "proposal_impact": ("proposal_impact_table",), "hotspots": ("hotspots_table",),
}


def table(at: AppTest, tab: str, key: str):
    assert len(at.dataframe) == len(TABLES[tab])
    return at.dataframe[TABLES[tab].index(key)].value


def test_the_view_shows_the_hand_computed_linkage():
    at = open_view()
    shown = metrics(at)
    # noise, city-wide: 4 of 9 소음 complaints confirmed, 4 of the 8 where a noise meter is
    assert shown["센서 확인 민원 비율"] == "44.4%" and shown["센서 있는 읍면동 기준"] == "50.0%"
    assert shown["최적 시차"] == "3.0시간"  # city-wide noise: the same hours as 보람동 plus 조치원읍's silent ones
    spec = vega_charts(at)["linkage_chart"]
    assert line_fields(spec) == ["signal"]
    assert len(layer_data(spec, "rect")[0]) == 2  # the two noise episodes, shaded
    lead = open_view(tab="lead_time")
    shown = metrics(lead)
    # 6 episodes, 5 reported, 1 silent; lead times 5.5 2.0 0.75 0.5 4.0 → median 2.0 h
    assert (shown["이상 에피소드"], shown["신고된 에피소드"], shown["조용한 문제"]) == ("6", "5", "1")
    assert shown["선행 시간 중앙값"] == "2.0시간"
    episodes = table(lead, "lead_time", "episodes_table")
    assert episodes["district"].tolist() == ["보람동", "조치원읍", "아름동", "나성동", "조치원읍", "보람동"]
    assert episodes["lead_hours"].round(2).tolist()[:4] == [5.5, 2.0, 0.75, 0.5]
    assert episodes["status_name"].tolist().count("조용한 문제") == 1
    blind = table(lead, "lead_time", "blind_spots_table")
    assert blind[["district", "category", "items", "why"]].values.tolist() == [
        ["아름동", "쓰레기", 22, "센서 없음"], ["조치원읍", "소음", 4, "센서가 보지 못함"]]
    assert table(open_view(tab="emerging"), "emerging", "emerging_table")[["district", "category", "received"]].values.tolist() == [
        ["아름동", "쓰레기", 8], ["아름동", "쓰레기", 12]]
    impact = table(open_view(tab="proposal_impact"), "proposal_impact", "proposal_impact_table")
    assert impact[["before", "after", "others_before", "others_after"]].values.tolist() == [[6, 2, 4, 4]]
    assert table(open_view(tab="hotspots"), "hotspots", "hotspots_table")["items"].tolist() == [27, 4]


def test_only_the_open_tab_runs_and_a_switch_is_kept_in_the_url():
    at = open_view()
    assert [tab.label for tab in at.tabs][:2] == ["연계", "선행 시간·사각지대"]
    assert len(at.dataframe) == 1 and "linkage_chart" in vega_charts(at)  # the linkage tab alone
    for label, key in (("형평성", "equity"), ("핫스팟", "hotspots"), ("연계", None)):  # what clicks on tabs do
        at.session_state["lk_tab_ko"] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.query_params.get("tab") == key
        if key:
            assert len(at.dataframe) == 1 and "linkage_chart" not in vega_charts(at)
            assert not table(at, key, f"{key}_table").empty
    assert "linkage_chart" in vega_charts(at)
    again = open_view(tab="equity")  # the shared link opens on that tab
    assert [tab.label for tab in again.tabs][4] == "형평성" and len(again.dataframe) == 1


def test_choosing_another_link_redraws_and_keeps_it_in_the_url():
    at = open_view()
    at.selectbox(key="link").select("flood").run()
    assert not at.exception
    assert at.query_params["link"] == "flood"
    spec = vega_charts(at)["linkage_chart"]
    assert line_fields(spec) == ["signal", "context"]  # + rainfall, the context metric
    assert len(layer_data(spec, "rect")[0]) == 1
    assert sum(r["complaints"] for r in spec["data"]["values"]) == 2  # F1, F2
    shown = metrics(at)
    assert shown["센서 확인 민원 비율"] == "100.0%"
    # a shared link opens on the same link
    again = open_view(link="flood")
    assert again.selectbox(key="link").value == "flood"


def test_a_period_without_episodes_says_so_instead_of_a_bare_dash():
    at = open_view(**{"from": "2025-07-01", "to": "2025-07-05"}, district="3611010300")  # 보람동, before its episode
    shown = metrics(at)
    assert (shown["최적 시차"], shown["센서 확인 민원 비율"]) == ("–", "–")  # no episode hour, and no 소음 item yet
    assert [i.value for i in at.info] == [
        "이 기간 선택한 읍면동에는 소음 이상 에피소드가 없습니다: 잴 시차가 없고, 센서로 확인된 민원도 없습니다."]
    assert not open_view(district="3611010300").info  # 07-01…07-13 holds the 07-08 episode: no note
    english = open_view("en", **{"from": "2025-07-01", "to": "2025-07-05"})
    assert [i.value for i in english.info] == [
        "Noise had no anomaly episode in the whole city in this period: no lag to measure, and no complaint a sensor "
        "confirmed."]


def test_english():
    at = open_view("en", district="3611010300")  # 보람동
    shown = metrics(at)
    assert shown["Best lag"] == "3.0 h" and shown["Correlation r"] == "0.73"
    assert shown["Sensor-confirmed"] == "100.0%"  # N1–N4, all in 보람동's episode
    assert at.title[0].value == "Complaints × sensors"
    episodes = table(open_view("en", district="3611010300", tab="lead_time"), "lead_time", "episodes_table")
    assert episodes["link_name"].tolist() == ["Noise", "Dust and odour"] and episodes["district"].tolist() == ["Boram-dong"] * 2


def test_the_overview_lists_the_emerging_issues():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in CURRENT.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "급증 이슈" in [s.value for s in at.subheader]
    issues = at.dataframe[-1].value
    assert issues[["day", "district", "category", "received"]].astype(str).values.tolist() == [
        ["2025-07-09", "아름동", "쓰레기", "8"], ["2025-07-08", "아름동", "쓰레기", "12"]]
