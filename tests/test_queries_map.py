"""Map queries on the KPI fixture (exact rows worked out by hand from tests/fixtures/kpi/minwon.csv and the city
reference), and the pure pydeck builders of maps.py (no Streamlit).

Current period rows per district (EXPECTED.md "Scenario rows"; class at AS_OF; duration in days):

    보람동 3611010300  C03 on-time 3 · C07 open, not due · C12 in_progress, not due · C18 late 4.375 · C20 on-time 0.083333
    나성동 3611010700  C06 in_progress, overdue · C14 open, not due · C16 on-time 0.5 (by its coordinates) · C21 not due
    아름동 3611011300  C01 on-time 2 · C02 late 10.25 · C09 on-time 1 · C10 on-time 11 · C15 on-time 2.458333 · C17 not due
    조치원읍 3611025000 C04 on-time 0.25 · C05 overdue · C11 on-time 7 · C13 on-time (duration excluded) · C19 on-time 1 ·
                       C22 late 10.416667
    (none)             C08

Only C16 has coordinates: 36.486317, 127.264069 (safety).
Open at AS_OF, any period (backlog): 보람동 C07 C12 = 2; 나성동 C06 C14 C21 P11 = 4; 아름동 C17 P08 O01 = 3;
조치원읍 C05 P05 O02 = 3.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pydeck as pdk
import pytest
from fixture_warehouse import AS_OF, PERIOD, PREVIOUS_PERIOD
from helpers_warehouse import ingest, write_csv

import maps
import queries

ROOT = Path(__file__).resolve().parents[1]
AREUM, BORAM, NASEONG, JOCHIWON = "3611011300", "3611010300", "3611010700", "3611025000"
SEOUL = ZoneInfo("Asia/Seoul")
NO_FILTERS = {"district": None, "domain": None, "category": None, "kind": None}


def run(db: Path, name: str, period=PERIOD, **params) -> list[dict]:
    return queries.run(name, db=db, **{"start": period[0], "end": period[1], "as_of": AS_OF, **NO_FILTERS, **params}).to_dicts()


def reference() -> dict[str, dict]:
    """The city reference (not query output): code → name_ko, name_en, population, centroid_lat, centroid_lon."""
    frame = pl.read_csv(ROOT / "data" / "cities" / "sejong" / "districts.csv", schema_overrides={"district_code": pl.String})
    return {r["district_code"]: r for r in frame.iter_rows(named=True)}


def boundaries() -> dict[str, dict]:
    doc = json.loads((ROOT / "data" / "cities" / "sejong" / "boundaries.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["district_code"]: f["geometry"] for f in doc["features"]}


def test_complaint_points(kpi_db):
    # C16 only, rounded to 3 decimals; nothing but lat, lon and domain leaves the warehouse.
    assert run(kpi_db, "complaint_points") == [{"lat": 36.486, "lon": 127.264, "n": 1}]
    assert run(kpi_db, "complaint_points", domain="safety", district=NASEONG) == [{"lat": 36.486, "lon": 127.264, "n": 1}]
    assert run(kpi_db, "complaint_points", domain="transport") == []
    assert run(kpi_db, "complaint_points", period=PREVIOUS_PERIOD) == []  # no previous-period row has coordinates


def test_district_kpis(kpi_db):
    # received ÷ population × 1000: 보람동 5/12687, 나성동 4/11955, 아름동 6/15034, 조치원읍 6/31032.
    # on-time ÷ (on-time + late + overdue): 보람동 2/(2+1) (C03 C20 / C18); 나성동 1/(1+1) (C16 / C06 overdue);
    # 아름동 4/5 (C02 late); 조치원읍 4/6 (C22 late, C05 overdue).
    # median days: 보람동 0.083333, 3, 4.375 → 3; 나성동 0.5; 아름동 1, 2, 2.458333, 10.25, 11 → 2.458333;
    # 조치원읍 0.25, 1, 7, 10.416667 → (1 + 7) / 2 = 4 (C13 excluded).
    ref, geo = reference(), boundaries()
    rows = run(kpi_db, "district_kpis")
    assert [r["district_code"] for r in rows] == sorted(ref)  # all 24 districts, code order
    busy = {
        BORAM: (5, 5 / 12687 * 1000, 2 / 3, 3.0, 2),
        NASEONG: (4, 4 / 11955 * 1000, 0.5, 0.5, 4),
        AREUM: (6, 6 / 15034 * 1000, 0.8, 2.458333, 3),
        JOCHIWON: (6, 6 / 31032 * 1000, 4 / 6, 4.0, 3),
    }
    for r in rows:
        code = r["district_code"]
        want = busy.get(code, (0, 0.0, None, None, 0))
        got = (r["received"], r["received_per_1000"], r["on_time_rate"], r["median_days_to_close"], r["backlog"])
        assert got == pytest.approx(want, abs=1e-6), code
        assert (r["name_ko"], r["name_en"], r["population"]) == (ref[code]["name_ko"], ref[code]["name_en"], ref[code]["population"])
        assert (r["centroid_lat"], r["centroid_lon"]) == (ref[code]["centroid_lat"], ref[code]["centroid_lon"])
        assert json.loads(r["boundary"]) == geo[code]


def test_district_kpis_filtered(kpi_db):
    # transport only: 아름동 C01 C02 C09 C10 C15 (C02 late) → 4/5, durations 1 2 2.458333 10.25 11; backlog O01.
    # 보람동 C07 C18 → C18 late, C07 not due → 0/1; median 4.375; backlog C07. 조치원읍 C13 C22 → 1/2; median 10.416667
    # (C13 excluded); backlog none. 나성동 C21 (not due) → no on-time denominator: null; backlog C21.
    rows = {r["district_code"]: r for r in run(kpi_db, "district_kpis", domain="transport")}
    got = {c: (r["received"], r["on_time_rate"], r["median_days_to_close"], r["backlog"])
           for c, r in rows.items() if r["received"] or r["backlog"]}
    assert got == {
        AREUM: (5, 0.8, pytest.approx(2.458333, abs=1e-6), 1),
        BORAM: (2, 0.0, 4.375, 1),
        JOCHIWON: (2, 0.5, pytest.approx(10.416667, abs=1e-6), 0),
        NASEONG: (1, None, None, 1),
    }


def test_sensor_points(kpi_db):
    # SensorThings Things carry their own Point; AirKorea stations have none and sit at their district's centroid.
    ref = reference()
    rows = run(kpi_db, "sensor_points")
    assert [(r["sensor_id"], r["district_code"], r["lat"], r["lon"], r["at_centroid"]) for r in rows] == [
        ("airkorea:보람동", BORAM, ref[BORAM]["centroid_lat"], ref[BORAM]["centroid_lon"], True),
        ("airkorea:아름동", AREUM, ref[AREUM]["centroid_lat"], ref[AREUM]["centroid_lon"], True),
        ("airkorea:조치원읍", JOCHIWON, ref[JOCHIWON]["centroid_lat"], ref[JOCHIWON]["centroid_lon"], True),
        ("sensorthings:noise-areum-01", AREUM, 36.517812, 127.249723, False),
        ("sensorthings:traffic-boram-01", BORAM, 36.477793, 127.289797, False),
        ("sensorthings:wl-jochiwon-01", JOCHIWON, 36.607991, 127.286317, False),
    ]
    assert [r["district_en"] for r in rows][:3] == ["Boram-dong", "Areum-dong", "Jochiwon-eup"]
    assert [r["sensor_id"] for r in run(kpi_db, "sensor_points", domain="transport")] == ["sensorthings:traffic-boram-01"]


# --- maps.py: pure builders ----------------------------------------------------------------------------------


SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[127.0, 36.0], [127.1, 36.0], [127.1, 36.1], [127.0, 36.1], [127.0, 36.0]]]})


def districts_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "district_code": ["A", "B", "C"], "name": ["가동", "나동", "다동"], "value": [1.0, 3.0, None],
        "tip": ["가동: 1", "나동: 3", "다동: –"], "boundary": [SQUARE, SQUARE, None],
        "centroid_lat": [36.0, 36.2, None], "centroid_lon": [127.0, 127.4, None],
    })


def test_district_features_and_colours():
    fc = maps.district_features(districts_frame(), "value", "name", "tip")
    # 다동 has no boundary: not drawn. Colours: lowest value = the light end, highest = the dark end of the ramp.
    assert [f["properties"]["district_code"] for f in fc["features"]] == ["A", "B"]
    assert fc["features"][0]["properties"]["fill"] == [*maps.RAMP[0], 180]
    assert fc["features"][1]["properties"]["fill"] == [*maps.RAMP[1], 180]
    assert fc["features"][0]["geometry"] == json.loads(SQUARE)
    assert maps.ramp_color(None, 0, 1) == maps.NO_VALUE
    assert maps.ramp_color(5, 5, 5) == [round((a + b) / 2) for a, b in zip(*maps.RAMP, strict=True)] + [180]


def test_view_state_centres_on_the_districts():
    view = maps.view_state(districts_frame())
    assert (view.latitude, view.longitude) == pytest.approx((36.1, 127.2))


def test_layers_carry_only_what_they_draw():
    points = pl.DataFrame({"lat": [36.5, 36.6], "lon": [127.2, 127.3], "n": [2, 1], "domain": ["safety", "transport"]})
    hexes = maps.hexagon_layer(points)
    assert hexes.type == "HexagonLayer" and hexes.data == [{"lon": 127.2, "lat": 36.5, "n": 2}, {"lon": 127.3, "lat": 36.6, "n": 1}]
    heat = maps.heatmap_layer(points)
    assert heat.type == "HeatmapLayer" and heat.data == hexes.data
    # each location weighs its count, so a hexagon's height and colour are its complaints, not its locations
    spec = json.loads(maps.deck([hexes, heat], maps.view_state(districts_frame())).to_json())["layers"]
    assert (spec[0]["getElevationWeight"], spec[0]["getColorWeight"], spec[1]["getWeight"]) == ("@@=n", "@@=n", "@@=n")
    assert "elevationAggregation" not in spec[0] and "colorAggregation" not in spec[0]  # deck.gl's default: SUM


def test_complaint_points_are_counted_per_rounded_location(tmp_path, monkeypatch):
    # P1 and P2 round to the same point (36.486, 127.264), P3 to another; P4 has no coordinates.
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    header = ["접수번호", "접수일시", "처리상태", "민원분야", "위도", "경도"]
    rows = [
        ["P1", "2025-03-10 09:00:00", "접수", "교통", "36.48612", "127.26401"],
        ["P2", "2025-03-11 09:00:00", "접수", "교통", "36.48571", "127.26449"],
        ["P3", "2025-03-12 09:00:00", "접수", "교통", "36.50003", "127.28001"],
        ["P4", "2025-03-13 09:00:00", "접수", "교통", "", ""],
    ]
    db = tmp_path / "w.duckdb"
    ingest("complaints", write_csv(tmp_path / "m.csv", header, rows), "kr_minwon", db)
    out = run(db, "complaint_points", period=(dt.datetime(2025, 3, 1, tzinfo=SEOUL), dt.datetime(2025, 4, 1, tzinfo=SEOUL)))
    assert out == [{"lat": 36.486, "lon": 127.264, "n": 2}, {"lat": 36.5, "lon": 127.28, "n": 1}]
    sensors = pl.DataFrame({"lon": [127.2, 127.3], "lat": [36.5, 36.6], "status": ["ok", "stale"], "tip": ["a", "b"], "name": ["x", "y"]})
    layer = maps.sensor_layer(sensors)
    assert [d["color"] for d in layer.data] == [maps.STATUS_COLORS["ok"], maps.STATUS_COLORS["stale"]]
    assert set(layer.data[0]) == {"lon", "lat", "status", "tip", "color"}


def test_deck_is_offline_unless_the_basemap_is_on():
    fc = maps.district_features(districts_frame(), "value", "name", "tip")
    layers = [maps.district_layer(fc)]
    offline = json.loads(maps.deck(layers, maps.view_state(districts_frame())).to_json())
    assert "mapProvider" not in offline
    assert offline.get("mapStyle") in (None, "__MAP_STYLE__")  # pydeck's sentinel: Streamlit then draws no basemap
    assert "http" not in json.dumps(offline)
    assert [layer["id"] for layer in offline["layers"]] == ["districts"]
    online = json.loads(maps.deck(layers, maps.view_state(districts_frame()), basemap=True).to_json())
    assert online["mapProvider"] == "carto" and online["mapStyle"].startswith("https://")


def test_the_deck_is_sent_without_indentation():
    # pydeck indents its JSON (one line per value); the map sends the same content without the whitespace
    fc = maps.district_features(districts_frame(), "value", "name", "tip")
    points = pl.DataFrame({"lat": [36.486, 36.5], "lon": [127.264, 127.28], "n": [2, 1]})
    deck = maps.deck([maps.district_layer(fc), maps.hexagon_layer(points)],
                     maps.view_state(districts_frame()))
    sent, indented = deck.to_json(), pdk.Deck.to_json(deck)
    assert json.loads(sent) == json.loads(indented)
    assert "\n" not in sent and len(sent) < len(indented) / 2
