"""AppTest of views/map.py on the KPI fixture, period = PERIOD (a custom range in the sidebar). The deck is
asserted on its JSON spec (AppTest does not draw WebGL). Expected values, by hand (tests/test_queries_map.py):

* one geolocated complaint in the period: C16 (36.486317, 127.264069 → 36.486, 127.264), safety;
* received per district: 보람동 5, 나성동 4, 아름동 6, 조치원읍 6, the other 20 districts 0;
* on-time rate: 보람동 2/3, 아름동 4/5, 조치원읍 4/6; 나성동 1/2 is NOT shown (4 complaints < 5);
* sensors (EXPECTED.md): the noise meter stale; airkorea:조치원읍 flat-lined (pm10 74 × 7); the other two air
  stations (48/336) and the water gauge (312/336) below the 0.95 completeness target; the traffic counter ok.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views" / "map.py")
AREUM, BORAM, NASEONG, JOCHIWON = "3611011300", "3611010300", "3611010700", "3611025000"


def _app(monkeypatch, db: Path, lang: str | None = None) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.session_state["period"] = "custom"  # PERIOD: [03-16, 03-30)
    at.session_state["from"] = dt.date(2025, 3, 16)
    at.session_state["to"] = dt.date(2025, 3, 29)
    return at.run()


def _deck(at: AppTest) -> tuple[str, dict]:
    (chart,) = at.get("deck_gl_json_chart")
    return chart.proto.json, json.loads(chart.proto.json)


def _layers(spec: dict) -> dict[str, dict]:
    return {layer["id"]: layer for layer in spec["layers"]}


def _codes() -> list[str]:
    frame = pl.read_csv(ROOT / "data" / "cities" / "sejong" / "districts.csv", schema_overrides={"district_code": pl.String})
    return sorted(frame["district_code"])


def test_map_on_the_kpi_fixture(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    assert not at.exception
    assert at.title[0].value == "지도"
    text, spec = _deck(at)
    # offline: no basemap provider, pydeck's no-style sentinel, and no URL anywhere in the spec
    assert "mapProvider" not in spec
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    assert "http" not in text
    layers = _layers(spec)
    assert [layer["@@type"] for layer in spec["layers"]] == ["GeoJsonLayer", "HexagonLayer", "ScatterplotLayer"]
    # the district layers: our own GeoJSON, every one of the fixture's 24 districts
    districts = layers["districts"]
    assert [f["properties"]["district_code"] for f in districts["data"]["features"]] == _codes()
    assert (districts["filled"], districts["stroked"], districts["lineWidthMinPixels"]) == (True, True, 1)
    values = {f["properties"]["district_code"]: f["properties"]["value"] for f in layers["districts"]["data"]["features"]}
    assert {c: v for c, v in values.items() if v} == {BORAM: 5, NASEONG: 4, AREUM: 6, JOCHIWON: 6}
    assert sum(1 for v in values.values() if v == 0) == 20
    tips = {f["properties"]["district_code"]: f["properties"]["tip"] for f in layers["districts"]["data"]["features"]}
    assert tips[NASEONG] == "<b>나성동</b><br>접수 건수: 4"
    # complaint points: the period's one geolocated complaint, coordinates only
    assert layers["complaints-hexagon"]["data"] == [{"lon": 127.264, "lat": 36.486, "n": 1}]
    # sensors by status
    status = {s["tip"].split("</b>")[0].removeprefix("<b>"): s["status"] for s in layers["sensors"]["data"]}
    assert status == {
        "보람동": "low_completeness", "아름동": "low_completeness", "조치원읍": "flat_lined",
        "아름동 환경소음 측정기": "stale", "보람동 교통량 검지기": "ok", "조치원 조천 수위계": "low_completeness",
    }
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["html"] == "{tip}"
    captions = [c.value for c in at.caption]
    assert "좌표가 있는 민원 1건 (위치는 약 100 m 단위로 반올림)" in captions
    assert any(c.startswith("센서: 고정값 1 · 수집률 낮음 3 · 정상 1 · 지연 1") and c.endswith("고정값 = 기간 중 같은 값 6회 이상 연속.")
               for c in captions)


def test_kpi_choice_and_toggles(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db)
    at.selectbox(key="map_kpi").set_value("on_time_rate")
    at.toggle(key="map_heatmap").set_value(True)
    at.run()
    assert not at.exception
    text, spec = _deck(at)
    layers = _layers(spec)
    assert "complaints-hexagon" not in layers
    assert layers["complaints-heatmap"]["@@type"] == "HeatmapLayer"
    assert layers["complaints-heatmap"]["data"] == [{"lon": 127.264, "lat": 36.486, "n": 1}]
    features = {f["properties"]["district_code"]: f["properties"] for f in layers["districts"]["data"]["features"]}
    values = {c: p["value"] for c, p in features.items() if p["value"] is not None}
    assert values == pytest.approx({BORAM: 2 / 3, AREUM: 0.8, JOCHIWON: 4 / 6})
    assert features[NASEONG]["tip"] == "<b>나성동</b><br>기한 내 처리율: 5건 미만이라 표시하지 않음"
    assert features[NASEONG]["fill"] == [190, 190, 190, 50]
    assert features[AREUM]["tip"] == "<b>아름동</b><br>기한 내 처리율: 80.0%"
    assert "http" not in text
    # the basemap is opt-in: on, the spec names CARTO and its style URL
    at.toggle(key="map_basemap").set_value(True)
    at.run()
    _, spec = _deck(at)
    assert spec["mapProvider"] == "carto" and spec["mapStyle"].startswith("https://basemaps.cartocdn.com/")


def test_map_in_english(monkeypatch, kpi_db):
    at = _app(monkeypatch, kpi_db, lang="en")
    assert not at.exception
    assert at.title[0].value == "Map"
    text, spec = _deck(at)
    assert "http" not in text
    tips = {f["properties"]["district_code"]: f["properties"]["tip"] for f in _layers(spec)["districts"]["data"]["features"]}
    assert tips[NASEONG] == "<b>Naseong-dong</b><br>Received: 4"
    sensors = {s["tip"] for s in _layers(spec)["sensors"]["data"]}
    assert "<b>아름동 환경소음 측정기</b><br>Areum-dong<br>Stale · completeness 82.4%" in sensors
    assert "Complaints with coordinates: 1 (locations rounded to about 100 m)" in [c.value for c in at.caption]
