"""vega_charts.py: the parts of a spec that the page tests do not reach — ring winding of the district polygons
and the panel grid — on hand-made inputs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from helpers_charts import _validator

import vega_charts

SQUARE_CCW = [[127.0, 36.0], [127.1, 36.0], [127.1, 36.1], [127.0, 36.1], [127.0, 36.0]]  # GeoJSON's winding
HOLE_CW = [[127.02, 36.02], [127.02, 36.08], [127.08, 36.08], [127.08, 36.02], [127.02, 36.02]]


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def test_polygons_are_rewound_for_vega():
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"district_code": "A"}, "geometry": {"type": "Polygon", "coordinates": [SQUARE_CCW, HOLE_CW]}},
        {"type": "Feature", "properties": {"district_code": "B"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE_CCW[::-1]]]}},  # already clockwise: kept
    ]}
    frame = pl.DataFrame({"district_code": ["A", "B"], "name": ["가", "나"], "v": [1.0, None]})
    spec = vega_charts.district_choropleth(frame, shapes, "v", "name", "", "값")
    outer, hole = spec["layer"][0]["data"]["values"]["features"][0]["geometry"]["coordinates"]
    assert _signed_area(outer) < 0 < _signed_area(hole)  # outer clockwise, hole counter-clockwise
    assert spec["layer"][0]["data"]["values"]["features"][1]["geometry"]["coordinates"] == [[SQUARE_CCW[::-1]]]
    assert shapes["features"][0]["geometry"]["coordinates"][0] == SQUARE_CCW  # the caller's GeoJSON is not changed
    assert abs(_signed_area(outer)) == pytest.approx(0.1 * 0.1) and abs(_signed_area(hole)) == pytest.approx(0.06 * 0.06)
    assert not list(_validator().iter_errors(spec))


def test_monthly_panels_two_per_row_with_suppressed_months():
    months = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    frame = pl.DataFrame({"month": months, "a": [None, 7, 9], "a_suppressed": [True, False, False], "b": [0.5, 0.6, 0.7],
                          "c": [1.0, 2.0, 3.0]})
    spec = vega_charts.monthly_panels(frame, "month", [("a", "A", "count"), ("b", "B", "pct"), ("c", "C", "days")])
    assert [[p["title"] for p in row["hconcat"]] for row in spec["vconcat"]] == [["A", "B"], ["C"]]
    assert [r["month"] for r in spec["data"]["values"]] == ["2025-01-01T00:00:00", "2025-02-01T00:00:00", "2025-03-01T00:00:00"]
    a_panel = spec["vconcat"][0]["hconcat"][0]
    assert [layer["mark"]["type"] for layer in a_panel["layer"]] == ["bar", "text"]  # "<5" only where suppressed
    assert a_panel["layer"][1]["transform"] == [{"filter": "datum['a_suppressed']"}]
    assert [r["a_suppressed"] for r in spec["data"]["values"]] == [True, False, False]
    assert not list(_validator().iter_errors(spec))
