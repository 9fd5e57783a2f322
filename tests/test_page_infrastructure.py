"""AppTest of views/infrastructure.py on the KPI fixture, period = PERIOD (2025-03-16 … 03-29, chosen as a custom
range in the sidebar). Expected numbers are the hand-computed ones of tests/test_queries_infrastructure.py and
tests/fixtures/kpi/EXPECTED.md:

* complaints per domain (current period): transport 10 (8 closed), safety 2 (2), disaster 1 (1), energy 2 (1),
  environment 5 (1 closed, 2 overdue: C05, C06);
* sensors: transport 1 (traffic, completeness 1.0), disaster 1 (water, 312/336 = 0.928571), environment 4
  ((6 × 48 + 277) / (7 × 336) = 565/2352 = 0.240221; stale: the noise meter; flat: 조치원읍 pm10, 74 × 7);
* air-quality grades: 보람동 좋음 / 보통, 아름동 나쁨 / 보통, 조치원읍 보통 / 나쁨 (03-28 / 03-29);
  one episode: 아름동 PM2.5, 03-28 10 … 12 h, peak 92.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from helpers_charts import layer_data, rows, vega_charts
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "infrastructure.py")


def _app(monkeypatch, db: Path, lang: str | None = None, tab: str | None = None) -> AppTest:
    """The page as a link opens it: `tab` is the open tab (`infra_tab` in the URL; none = the first)."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    if tab:
        at.query_params["infra_tab"] = tab
    at.session_state["period"] = "custom"  # PERIOD: 03-16 … 03-29 inclusive = [03-16, 03-30)
    at.session_state["from"] = dt.date(2025, 3, 16)
    at.session_state["to"] = dt.date(2025, 3, 29)
    return at.run()


def _frame(at: AppTest, column: str, width: int | None = None):
    """The (first) dataframe shown with this column (and this many columns)."""
    return next(d.value for d in at.dataframe if column in d.value.columns and width in (None, len(d.value.columns)))


def _series(at: AppTest, key: str, field: str, by: str) -> dict[str, list]:
    """A chart's `field` per value of `by`, in row order."""
    out: dict[str, list] = {}
    for row in rows(at, key):
        out.setdefault(row[by], []).append(row[field])
    return out


def _domain_rows(at: AppTest) -> list[list]:
    table = _frame(at, "overdue")
    return [[None if isinstance(v, float) and math.isnan(v) else (round(v, 6) if isinstance(v, float) else v) for v in row]
            for row in table.values.tolist()]


def test_page_on_the_kpi_fixture(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    assert not at.exception
    assert at.title[0].value == "인프라 상태"
    assert _domain_rows(at) == [
        # domain, sensors, completeness, stale, flat-lined, received, closed, overdue ('–': no sensors, not 0)
        ["교통", 1, 1.0, "0", "0", 10, 8, 0],
        ["안전·방범", 0, None, "–", "–", 2, 2, 0],
        ["재난·방재", 1, 0.928571, "0", "0", 1, 1, 0],
        ["에너지", 0, None, "–", "–", 2, 1, 0],
        ["환경", 4, 0.240221, "1", "1", 5, 1, 2],
    ]
    # per sensor × metric: 10 series, the lowest completeness first (air 48/336), traffic last (336/336)
    per_sensor = _frame(at, "expected")
    assert len(per_sensor) == 10
    assert per_sensor["expected"].tolist() == [336] * 10
    assert per_sensor["completeness"].round(6).tolist() == [0.142857] * 6 + [0.824405, 0.928571, 1.0, 1.0]
    stale = _frame(at, "last_reading", width=4)
    assert stale[["name", "metric_name", "district"]].values.tolist() == [["아름동 환경소음 측정기", "소음", "아름동"]]
    assert str(stale["last_reading"][0]) == "2025-03-27 12:00:00+09:00"
    flat = _frame(at, "longest_run")
    assert flat.values.tolist() == [["조치원읍", "미세먼지(PM10)", "조치원읍", 7, True]]
    assert "**고정값 센서** · 1 (센서·항목 1)" in [m.value for m in at.markdown]
    assert any("고정값 = 기간 중 같은 값 6회 이상 연속." in c.value for c in at.caption)
    # latest readings: the water gauge's 1.25 m and the stale noise meter's 58.2 dB at 03-27 12:00
    latest = _frame(_app(monkeypatch, kpi_db, tab="latest"), "unit")
    water = latest[latest["name"] == "조치원 조천 수위계"].iloc[0]
    assert (water["metric_name"], water["value"], water["unit"]) == ("수위", 1.25, "m")
    assert latest[latest["metric_name"] == "소음"]["value"].tolist() == [58.2]
    # air-quality calendar: stations × days, coloured by grade, labelled in Korean
    at = _app(monkeypatch, kpi_db, tab="air_quality")
    assert _series(at, "aq_calendar", "day", "station") == {
        s: ["2025-03-28T00:00:00", "2025-03-29T00:00:00"] for s in ("보람동", "아름동", "조치원읍")}
    assert _series(at, "aq_calendar", "grade", "station") == {"보람동": [1, 2], "아름동": [3, 2], "조치원읍": [2, 3]}
    assert _series(at, "aq_calendar", "grade_name", "station") == {
        "보람동": ["좋음", "보통"], "아름동": ["나쁨", "보통"], "조치원읍": ["보통", "나쁨"]}
    calendar = vega_charts(at)["aq_calendar"]
    assert calendar["encoding"]["color"]["scale"]["domain"] == ["좋음", "보통", "나쁨", "매우나쁨"]
    episodes = _frame(at, "peak")
    assert episodes[["station", "metric_name", "hours", "peak"]].values.tolist() == [["아름동", "초미세먼지(PM2.5)", 3, 92.0]]
    # time series: the first PM2.5 series (보람동), 48 hourly means, with the PM2.5 grade edges as threshold lines
    at = _app(monkeypatch, kpi_db, tab="series")
    series = vega_charts(at)["series_chart"]
    assert at.selectbox(key="series_sensor").value == "airkorea:보람동|pm25"
    means = [r["mean"] for r in series["data"]["values"]]
    assert len(means) == 48 and means[-1] == 21.0
    assert [r["value"] for r in layer_data(series, "rule")[0]] == [15, 35, 75]
    # district comparison: PM2.5 daily means, 보람동 12/30, 아름동 50/22, 조치원읍 14/38
    at = _app(monkeypatch, kpi_db, tab="compare")
    compare = _series(at, "compare_chart", "mean", "district")
    assert compare == {"보람동": [12.0, 30.0], "아름동": [50.0, 22.0], "조치원읍": [14.0, 38.0]}


def test_choosing_another_series_and_metric(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db, tab="series")
    at.selectbox(key="series_sensor").set_value("sensorthings:noise-areum-01|noise")
    at.run()
    assert not at.exception
    series = vega_charts(at)["series_chart"]
    # the noise meter: 277 hourly readings up to 03-27 12:00 (58.2 dB); the daytime guideline line at 65 dB
    means = [r["mean"] for r in series["data"]["values"]]
    assert len(means) == 277 and means[-1] == 58.2
    assert series["layer"][1]["encoding"]["tooltip"][1]["title"] == "소음 (dB)"
    assert [r["value"] for r in layer_data(series, "rule")[0]] == [65]
    at = _app(monkeypatch, kpi_db, tab="compare")
    at.selectbox(key="compare_metric").set_value("noise")
    at.run()
    assert not at.exception
    assert vega_charts(at)["compare_chart"]["encoding"]["y"]["title"] == "dB"  # the noise meter's unit
    compare = _series(at, "compare_chart", "mean", "district")
    assert list(compare) == ["아름동"]
    assert len(compare["아름동"]) == 12 and compare["아름동"][-1] == pytest.approx(6472 / 130)  # 03-16 … 03-27


def test_only_the_open_tab_runs_and_a_switch_is_kept_in_the_url(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    assert [tab.label for tab in at.tabs] == ["센서 상태", "최신 측정값", "시계열", "대기질", "읍면동 비교"]
    # the first screen: the domain table and the health tab's three tables; no chart is sent for a closed tab
    assert len(at.dataframe) == 4 and vega_charts(at) == {}
    for label, key, table_column, chart in (("대기질", "air_quality", "peak", "aq_calendar"),
                                            ("최신 측정값", "latest", "unit", None), ("센서 상태", None, "expected", None)):
        at.session_state["infra_tab_ko"] = label  # what a click on the tab does
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.query_params.get("infra_tab") == key
        assert not _frame(at, table_column).empty
        assert list(vega_charts(at)) == ([chart] if chart else [])
    again = _app(monkeypatch, kpi_db, tab="series")  # a shared link opens on its tab
    assert list(vega_charts(again)) == ["series_chart"] and len(again.dataframe) == 1  # the domain table alone


def test_domain_filter(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    at.selectbox(key="domain").set_value("transport")
    at.run()
    assert not at.exception
    assert _domain_rows(at) == [["교통", 1, 1.0, "0", "0", 10, 8, 0]]
    # only the traffic counter's two series; air quality belongs to the environment domain
    assert _frame(at, "expected")["metric_name"].tolist() == ["통행속도", "교통량"]
    at.session_state["infra_tab_ko"] = "대기질"
    at.run()
    assert any("대기질은 환경 분야입니다" in i.value for i in at.info)


def test_page_in_english(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db, lang="en")
    assert not at.exception
    assert at.title[0].value == "Infrastructure health"
    assert [row[0] for row in _domain_rows(at)] == ["Transport", "Safety", "Disaster", "Energy", "Environment"]
    assert _frame(at, "longest_run")["metric_name"].tolist() == ["PM10"]
    at = _app(monkeypatch, kpi_db, lang="en", tab="air_quality")
    assert _series(at, "aq_calendar", "grade_name", "station") == {  # station names as the source gives them
        "보람동": ["good", "moderate"], "아름동": ["bad", "moderate"], "조치원읍": ["moderate", "bad"]}
    assert vega_charts(at)["aq_calendar"]["encoding"]["color"]["scale"]["domain"] == ["good", "moderate", "bad", "very bad"]
    at = _app(monkeypatch, kpi_db, lang="en", tab="compare")
    assert set(_series(at, "compare_chart", "mean", "district")) == {"Boram-dong", "Areum-dong", "Jochiwon-eup"}


def test_no_sensors(monkeypatch, tmp_path):
    """A complaints-only warehouse: the sensor sections say 'not available for this source' instead of failing."""
    from fixture_warehouse import KPI_DIR

    from warehouse.build import ingest

    db = tmp_path / "complaints_only.duckdb"
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    ingest("complaints", [KPI_DIR / "minwon.csv"], "kr_minwon", db)
    at = _app(monkeypatch, db)
    assert not at.exception
    assert any("이 출처에서는 제공되지 않음" in i.value for i in at.info)
    assert [row[1] for row in _domain_rows(at)] == [0, 0, 0, 0, 0]  # no sensors; complaints still counted
    assert [row[5] for row in _domain_rows(at)] == [10, 2, 1, 2, 5]


def test_a_year_checks_flat_lines_over_its_last_31_days(monkeypatch, kpi_db):
    # "최근 1년" ends at 03-30 00:00 (the day after as_of), so the flat-line check reads from 02-27 00:00: all of the
    # fixture's readings (03-16 … 03-29), hence the same flat list as the 14-day period; the caption says how far
    # back it looked. (tests/test_queries_infrastructure.py cuts a run off with the same window.)
    monkeypatch.setenv("WAREHOUSE_PATH", str(kpi_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["period"] = "365d"
    at.run()
    assert not at.exception
    assert _frame(at, "longest_run").values.tolist() == [["조치원읍", "미세먼지(PM10)", "조치원읍", 7, True]]
    assert any("고정값 = 기간의 마지막 31일 중 같은 값 6회 이상 연속(긴 기간은 최근 31일만 봄)." in c.value for c in at.caption)
