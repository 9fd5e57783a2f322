"""Pure pydeck builders: polars frames in, Layers and a Deck out (testable without Streamlit).

Offline by default: every layer draws from data in the Deck's JSON (our own district GeoJSON from
dim_district.boundary, points from the warehouse), and `deck(..., basemap=False)` passes
`map_provider=None` so no tile or style URL is in the spec. (`map_style=None` is not enough: with the
default provider Streamlit then picks a CARTO style from the internet.) The basemap is opt-in.
Labels and tooltip texts come in as data so the same builders serve Korean and English.
"""

from __future__ import annotations

import json

import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

# Sensor status colours (RGBA): ok green, stale red, flat-lined orange, low completeness yellow.
STATUS_COLORS = {
    "ok": [44, 160, 44, 220], "stale": [214, 39, 40, 230], "flat_lined": [242, 142, 43, 230],
    "low_completeness": [230, 200, 0, 230],
}
NO_VALUE = [190, 190, 190, 50]          # a district with no (or a suppressed) value
OUTLINE = [60, 60, 60, 255]
RAMP = ([239, 243, 255], [8, 69, 148])  # light → dark blue: higher value = darker
BASEMAP_STYLE = "light"                 # CARTO Positron, only when the basemap is switched on
TOOLTIP_STYLE = {"backgroundColor": "rgba(30,30,30,0.9)", "color": "white", "fontSize": "12px"}


def view_state(districts: pl.DataFrame, zoom: float = 10.0, pitch: float = 0) -> pdk.ViewState:
    """Centred on the middle of the districts' centroids (columns centroid_lat, centroid_lon)."""
    lat = districts["centroid_lat"].drop_nulls()
    lon = districts["centroid_lon"].drop_nulls()
    if lat.is_empty() or lon.is_empty():
        return pdk.ViewState(latitude=0, longitude=0, zoom=1)
    return pdk.ViewState(latitude=(lat.min() + lat.max()) / 2, longitude=(lon.min() + lon.max()) / 2, zoom=zoom, pitch=pitch)


def ramp_color(value: float | None, low: float | None, high: float | None) -> list[int]:
    """The colour of value on the light → dark ramp between low and high; grey when there is no value."""
    if value is None or low is None or high is None:
        return NO_VALUE
    share = 0.5 if high == low else (value - low) / (high - low)
    share = min(max(share, 0.0), 1.0)
    return [round(a + (b - a) * share) for a, b in zip(*RAMP, strict=True)] + [180]


def district_features(districts: pl.DataFrame, value: str, name: str, tip: str) -> dict:
    """A GeoJSON FeatureCollection of the districts that have a boundary, each with properties
    district_code, name, value, tip (tooltip text) and fill (ramp colour of `value`)."""
    drawn = districts.filter(pl.col("boundary").is_not_null())
    values = drawn[value].drop_nulls()
    low, high = (values.min(), values.max()) if values.len() else (None, None)
    features = []
    for row in drawn.iter_rows(named=True):
        features.append({
            "type": "Feature",
            "geometry": json.loads(row["boundary"]),
            "properties": {
                "district_code": row["district_code"], "name": row[name], "value": row[value], "tip": row[tip],
                "fill": ramp_color(row[value], low, high),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def district_layer(features: dict) -> pdk.Layer:
    """The districts from our own GeoJSON: filled by the KPI, outlined on every map, basemap or not (one layer
    for both, so the boundaries are sent once)."""
    return pdk.Layer(
        "GeoJsonLayer", features, id="districts", filled=True, stroked=True, pickable=True,
        get_fill_color="properties.fill", get_line_color=OUTLINE, line_width_min_pixels=1,
    )


def _points(frame: pl.DataFrame, columns: list[str]) -> list[dict]:
    return frame.select(columns).to_dicts()


def hexagon_layer(points: pl.DataFrame, radius_m: int = 400) -> pdk.Layer:
    """Complaints binned into hexagons (deck.gl's own HexagonLayer, no H3): height and colour = count.

    `points` holds one row per location with its count `n` (queries/complaint_points.sql); a hexagon's height and
    colour are the sum of its locations' `n` (deck.gl's default aggregation), the count of its complaints.
    """
    return pdk.Layer(
        "HexagonLayer", _points(points, ["lon", "lat", "n"]), id="complaints-hexagon", get_position="[lon, lat]",
        get_elevation_weight="n", get_color_weight="n",  # summed: deck.gl's default aggregation
        radius=radius_m, elevation_scale=8, extruded=True, coverage=0.9, pickable=False, opacity=0.7,
    )


def heatmap_layer(points: pl.DataFrame) -> pdk.Layer:
    """Complaint density; each location weighs its count `n`."""
    return pdk.Layer(
        "HeatmapLayer", _points(points, ["lon", "lat", "n"]), id="complaints-heatmap", get_position="[lon, lat]",
        get_weight="n", radius_pixels=40, opacity=0.8, pickable=False,
    )


def sensor_layer(sensors: pl.DataFrame) -> pdk.Layer:
    """Sensor points (columns lon, lat, status, tip), coloured by status."""
    data = [
        {**row, "color": STATUS_COLORS.get(row["status"], NO_VALUE)}
        for row in _points(sensors, ["lon", "lat", "status", "tip"])
    ]
    return pdk.Layer(
        "ScatterplotLayer", data, id="sensors", get_position="[lon, lat]", get_fill_color="color",
        get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=1,
        get_radius=120, radius_min_pixels=5, radius_max_pixels=12, pickable=True,
    )


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation. pydeck indents it by two spaces, one line per value, and Streamlit
    sends it as it is: on the city tier's map that whitespace was 600 of the message's 950 KB."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def deck(layers: list[pdk.Layer], view: pdk.ViewState, basemap: bool = False) -> pdk.Deck:
    """The Deck; tooltips show each object's `tip` (a property of GeoJSON features, a field of points)."""
    tooltip = {"html": "{tip}", "style": TOOLTIP_STYLE}
    if basemap:
        return CompactDeck(layers=layers, initial_view_state=view, map_provider="carto", map_style=BASEMAP_STYLE,
                           tooltip=tooltip)
    # map_provider=None and the default map_style sentinel: Streamlit then draws no basemap at all
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip)
