"""The Participation page (AppTest) on the KPI fixture and on two thin sources.

Numbers are worked out by hand from tests/fixtures/kpi/minwon.csv (see test_queries_participation.py for the
row table). Current period = 2025-03-16 … 03-29 (C01 … C22), previous = 03-02 … 03-15 (P01 … P14).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers_charts import rows, vega_charts
from helpers_warehouse import ingest, write_minwon
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
BORAM = "3611010300"


def open_page(monkeypatch, db: Path, lang: str = "ko", period: tuple[dt.date, dt.date] | None = None) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = lang
    if period:
        at.session_state["period"] = "custom"
        at.session_state["from"], at.session_state["to"] = period
    at.run()
    at.switch_page("views/participation.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


FIXTURE_PERIOD = (dt.date(2025, 3, 16), dt.date(2025, 3, 29))


def metrics(at: AppTest) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta) for m in at.metric]


def bars(at: AppTest, key: str) -> dict[str, float | None]:
    """A horizontal bar chart (vega_charts.horizontal_bars) as label → value, top bar first."""
    return {r["label"]: r["value"] for r in rows(at, key)}


def test_kpis_charts_and_table(monkeypatch, kpi_db):
    at = open_page(monkeypatch, kpi_db, period=FIXTURE_PERIOD)
    assert metrics(at) == [
        ("접수 건수", "22", "+8"),                  # C01 … C22 vs P01 … P14
        # 17 reporters × 1000 ÷ 254,607 (Sejong total) = 0.067 vs 9 (R01 R03 R05 R18 … R23) → 0.035
        ("주민 1,000명당 참여자", "0.1", "+0.0"),
        ("재참여자 비율", "23.5%", "-9.8%p"),       # 4/17 (R01 R02 R03 R05) vs 3/9 (R01 R05 R21)
        ("채택률", "50.0%", "-50.0%p"),             # C10 of C10 C11 vs P07 of P07
        ("만족도", "3.88", "+0.45"),                # (5+2+4+3+5+3+5+4)/8 = 3.875 vs (5+4+1+5+4+2+3)/7 = 3.43
        ("만족도 응답률", "53.3%", "-10.3%p"),      # 8 rated / 15 closed vs 7 / 11
    ]
    table = at.dataframe[0].value
    assert table.iloc[:4, :4].values.tolist() == [  # district, population, received, participants
        ["보람동", 12687, 5, 5], ["아름동", 15034, 6, 4], ["나성동", 11955, 4, 3], ["조치원읍", 31032, 6, 5],
    ]
    assert len(table) == 24 and table["received"].sum() == 21  # C08 has no district
    ranked = bars(at, "part_rank")
    assert list(ranked)[:4] == ["보람동", "아름동", "나성동", "조치원읍"]
    assert list(ranked.values())[:4] == pytest.approx([5000 / 12687, 4000 / 15034, 3000 / 11955, 5000 / 31032])
    the_map = vega_charts(at)["part_map"]
    (shapes,) = the_map["layer"]
    assert shapes["mark"]["type"] == "geoshape" and len(shapes["data"]["values"]["features"]) == 24  # our polygons only
    filled = {r["name"]: r["value"] for r in shapes["transform"][0]["from"]["data"]["values"]}
    assert filled["보람동"] == pytest.approx(5000 / 12687) and filled["조치원읍"] == pytest.approx(5000 / 31032)
    channels = bars(at, "part_channels")
    assert list(channels) == ["앱", "전화", "국민신문고", "웹"]
    assert list(channels.values()) == pytest.approx([10 / 22, 6 / 22, 3 / 22, 3 / 22])
    assert [r["value"] for r in rows(at, "part_repeat")] == [13, 3, 1, 0, 0]
    assert [r["value"] for r in rows(at, "part_funnel")] == [3, 3, 2, 1]
    assert [r["value"] for r in rows(at, "part_ratings")] == [0, 1, 2, 2, 3]
    months = [(r["month"][:7], r["order"], r["value"]) for r in rows(at, "part_new_returning")]
    assert months == [("2025-03", 0, 17), ("2025-03", 1, 0)]  # every reporter of March 2025 is new that month
    assert at.caption[0].value.startswith("데이터 기준 2025년 3월 29일 오후 11:00")


def test_district_filter_changes_every_panel(monkeypatch, kpi_db):
    at = open_page(monkeypatch, kpi_db, period=FIXTURE_PERIOD)
    at.sidebar.selectbox(key="district").set_value(BORAM).run()
    assert not at.exception
    # 보람동, current: C03 C12 C18 C07 C20 (R01 R10 R14 R06 R15); previous: P07 P03 P14 (R21 R19 R21)
    shown = metrics(at)
    assert shown[0] == ("접수 건수", "5", "+2")
    assert shown[1] == ("주민 1,000명당 참여자", "0.4", "+0.2")  # 5000/12687 = 0.39 vs 2000/12687 = 0.16
    assert at.dataframe[0].value.values.tolist() == [
        ["보람동", 12687, 5, 5, pytest.approx(5000 / 12687), pytest.approx(5000 / 12687)],
    ]
    assert [r["value"] for r in rows(at, "part_funnel")] == [1, 1, 0, 0]  # C12: 12 votes, undecided


def test_measure_switch_ranks_by_items_received(monkeypatch, kpi_db):
    at = open_page(monkeypatch, kpi_db, period=FIXTURE_PERIOD)
    at.segmented_control(key="part_measure").set_value("received").run()
    ranked = bars(at, "part_rank")
    # received per 1,000: 아름동 6000/15034 = 0.399 > 보람동 5000/12687 = 0.394 > 나성동 4000/11955 > 조치원읍 6000/31032
    assert list(ranked)[:4] == ["아름동", "보람동", "나성동", "조치원읍"]
    assert list(ranked.values())[:4] == pytest.approx([6000 / 15034, 5000 / 12687, 4000 / 11955, 6000 / 31032])


def test_english(monkeypatch, kpi_db):
    at = open_page(monkeypatch, kpi_db, lang="en", period=FIXTURE_PERIOD)
    assert at.title[0].value == "Citizen participation"
    assert [m[0] for m in metrics(at)] == [
        "Received", "Participants per 1,000 residents", "Repeat participants", "Adoption rate", "Satisfaction",
        "Satisfaction response rate",
    ]
    assert list(bars(at, "part_channels")) == ["App", "Phone", "e-People", "Web"]
    assert at.caption[0].value.startswith("Data as of Mar 29, 2025 23:00")


# --- thin sources: no reporter keys; no reporter keys and no city reference ---------------------------------

ANONYMOUS_ROWS = [{"접수번호": f"N{i}", "접수일시": f"2025-03-{10 + i:02d} 10:00", "민원구분": "고충민원", "민원제목": "제목",
                   "민원내용": "내용", "처리상태": "접수", "읍면동": "아름동", "신청경로": "전화"} for i in range(6)]


def build_anonymous(tmp_path: Path, city: str) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_CITY", city)
        db = tmp_path / "anonymous.duckdb"
        ingest("complaints", write_minwon(tmp_path / "minwon.csv", ANONYMOUS_ROWS), "kr_minwon", db)
    return db


def test_no_reporter_keys_shows_received_per_1000(monkeypatch, tmp_path):
    at = open_page(monkeypatch, build_anonymous(tmp_path, "sejong"), lang="en")
    # 6 items (03-10 … 03-15) in the default 30 days; 6 × 1000 ÷ 254,607 = 0.02
    assert metrics(at)[1] == ("Received per 1,000 residents (no reporter keys)", "0.0", "+0.0")
    assert metrics(at)[2] == ("Repeat participants", "–", "")
    table = at.dataframe[0].value
    assert list(table.columns) == ["name_en", "population", "received", "received_per_1000"]
    assert table.iloc[0].tolist() == ["Areum-dong", 15034, 6, pytest.approx(6000 / 15034)]
    assert "No reporter keys in this source: shown as items received." in [c.value for c in at.caption]
    assert [i.value for i in at.info] == [
        "Repeat participation: not available for this source", "Proposals: not available for this source",
        "Satisfaction: not available for this source", "New and returning reporters: not available for this source",
    ]


def test_no_population_says_not_available(monkeypatch, tmp_path):
    at = open_page(monkeypatch, build_anonymous(tmp_path, ""), lang="en")
    assert metrics(at)[:2] == [("Received", "6", "+6"), ("Participants per 1,000 residents", "–", "")]
    assert "Participation per 1,000 residents: not available for this source" in [i.value for i in at.info]
    assert "part_map" not in vega_charts(at)
