"""Chart builders as Vega-Lite specs (polars frame in, dict out), for `st.vega_lite_chart`.

Every page chart is drawn with Vega-Lite, Streamlit's own chart renderer: its JS chunk is about 0.8 MB against
plotly's 4.7 MB, whose evaluation alone takes about a second of the browser's main thread before any chart can
appear, and a single plotly chart anywhere on a page (hidden tabs included) holds up the first one (first chart on
a bare page here: 0.7 s with Vega-Lite, 1.5 s with plotly). Plotly stays for the investor brief's offline HTML and
the Explorer's free-form chart (charts.py); the map page draws with pydeck.

Data is inline (`data.values`, one dict per row, fixed field names), so a spec can be read back as data in tests.
Times are local wall-clock strings without an offset: Vega reads them as local time and shows them unchanged.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

BLUE, ORANGE, GREY, RED, GREEN = "#0b5ca8", "#f28e2b", "#9aa5b1", "#d62728", "#2ca02c"
GRADE_COLORS = {1: "#1f77b4", 2: "#2ca02c", 3: "#ff9f1c", 4: "#d62728"}  # AirKorea grades 1 good … 4 very bad
SUPPRESSED = "<5"  # what a group under 5 reads (ui/suppress.py)

LEGEND = {"orient": "top", "title": None}
DAYS = {"format": "%m-%d", "labelOverlap": True}  # Vega's default labels are English day names


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT00:00:00")


def _chart(values: list[dict], height: int | dict, title: str = "", **spec) -> dict:
    """A spec with its rows inline; an empty title is left out."""
    return {"height": height, "data": {"values": values}, **({"title": title} if title else {}), **spec}


def _named(label: str) -> list[dict]:
    """A layer's transform giving each of its rows the legend name `label` (field `series`): colour by that field.
    (A constant `datum` colour with its own scale and legend is not valid Vega-Lite.)"""
    return [{"calculate": json.dumps(label, ensure_ascii=False), "as": "series"}]


def _legend(names: list[str], colors: list[str]) -> dict:
    """A colour scale that names layers drawn from different fields (one legend entry per layer)."""
    return {"type": "nominal", "scale": {"domain": names, "range": colors}, "legend": LEGEND}


def received_vs_closed(daily: pl.DataFrame, received: str, closed: str) -> dict:
    """Items received per day (bars) and closed per day (line)."""
    values = [{"day": _when(r["day"]), "received": r["received"], "closed": r["closed"]} for r in daily.iter_rows(named=True)]
    color = _legend([received, closed], [BLUE, ORANGE])
    x = {"field": "day", "type": "temporal", "title": None, "axis": DAYS}
    tooltip = [{"field": "day", "type": "temporal", "format": "%Y-%m-%d", "title": None},
               {"field": "received", "type": "quantitative", "title": received},
               {"field": "closed", "type": "quantitative", "title": closed}]
    return _chart(values, 300, encoding={"x": x, "tooltip": tooltip}, layer=[
        {"transform": _named(received), "mark": {"type": "bar"}, "encoding": {
            "y": {"field": "received", "type": "quantitative", "title": None}, "color": {"field": "series", **color}}},
        {"transform": _named(closed), "mark": {"type": "line", "strokeWidth": 2}, "encoding": {
            "y": {"field": "closed", "type": "quantitative"}, "color": {"field": "series", **color}}},
    ])


def horizontal_bars(frame: pl.DataFrame, label: str, value: str, title: str, percent: bool = False) -> dict:
    """Ranked bars, first row on top, each with its value written at its end (a null value: no bar)."""
    values = [
        {"label": str(r[label]), "value": r[value],
         "text": None if r[value] is None else (f"{r[value]:.0%}" if percent else f"{r[value]:,.1f}")}
        for r in frame.iter_rows(named=True)
    ]
    x = {"field": "value", "type": "quantitative", "title": None}
    if percent:
        x.update(axis={"format": ".0%"}, scale={"domain": [0, 1]})
    y = {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 160}}
    return _chart(values, max(180, 26 * len(values)), title=title, encoding={"y": y, "x": x}, padding={"right": 40}, layer=[
        {"mark": {"type": "bar", "color": BLUE},
         "encoding": {"tooltip": [{"field": "label", "title": None}, {"field": "text", "title": title or None}]}},
        {"mark": {"type": "text", "align": "left", "dx": 3}, "encoding": {"text": {"field": "text"}}},
    ])


def monthly_panels(frame: pl.DataFrame, x: str, panels: list[tuple[str, str, str]], columns: int = 2,
                   width: int = 380) -> dict:
    """Small multiples by month, one panel per (column, panel title, kind) with kind "count" (bars), "pct" or "days"
    (lines with points). Null values are gaps; where `<column>_suppressed` is true the panel writes "<5" at zero."""
    names = [p[0] for p in panels]
    flags = [f"{c}_suppressed" for c in names if f"{c}_suppressed" in frame.columns]
    values = [{"month": _when(r[x]), **{c: r[c] for c in names}, **{f: bool(r[f]) for f in flags}}
              for r in frame.iter_rows(named=True)]
    month = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None,
             "axis": {"format": "%Y-%m", "labelAngle": -45}}
    charts = []
    for col, label, kind in panels:
        y = {"field": col, "type": "quantitative", "title": None}
        if kind == "pct":
            y.update(axis={"format": ".0%"}, scale={"domain": [0, 1.05]})
        tip = [{"field": "month", "type": "temporal", "timeUnit": "yearmonth", "format": "%Y-%m", "title": None},
               {"field": col, "type": "quantitative", "title": label, **({"format": ".1%"} if kind == "pct" else {})}]
        color = ORANGE if kind == "pct" else BLUE
        mark = {"type": "bar", "color": BLUE} if kind == "count" else {"type": "line", "point": {"color": color}, "color": color}
        layer = [{"mark": mark, "encoding": {"x": month, "y": y, "tooltip": tip}}]
        if f"{col}_suppressed" in flags:
            layer.append({"transform": [{"filter": f"datum['{col}_suppressed']"}],
                          "mark": {"type": "text", "dy": -8, "color": GREY},
                          "encoding": {"x": month, "y": {"datum": 0}, "text": {"value": SUPPRESSED}}})
        charts.append({"title": label, "width": width, "height": 200, "layer": layer})
    # rows of hconcat in a vconcat: Streamlit draws nothing for the general `concat` with `columns`
    return {"data": {"values": values}, "vconcat": [{"hconcat": charts[i:i + columns]} for i in range(0, len(charts), columns)]}


def sensor_series(series: pl.DataFrame, name: str, unit: str, thresholds: list[tuple[float, str]] = ()) -> dict:
    """One sensor × metric over time (columns t, mean, min, max): the mean as a line, the min–max range as a band,
    and a dashed red rule per threshold (value, label)."""
    values = [{"t": _when(r["t"]), "mean": r["mean"], "min": r["min"], "max": r["max"]} for r in series.iter_rows(named=True)]
    x = {"field": "t", "type": "temporal", "title": None, "axis": DAYS}
    y = {"type": "quantitative", "title": unit or None}
    layer = [
        {"mark": {"type": "area", "color": BLUE, "opacity": 0.15},
         "encoding": {"x": x, "y": {"field": "min", **y}, "y2": {"field": "max"}}},
        {"mark": {"type": "line", "color": BLUE, "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "mean", **y}, "tooltip": [
             {"field": "t", "type": "temporal", "format": "%Y-%m-%d %H:%M", "title": None},
             {"field": "mean", "type": "quantitative", "format": ".2f", "title": f"{name} ({unit})" if unit else name}]}},
    ]
    if thresholds:
        rules = {"values": [{"value": v, "label": label} for v, label in thresholds]}
        layer.append({"data": rules, "mark": {"type": "rule", "color": RED, "strokeDash": [6, 4]},
                      "encoding": {"y": {"field": "value", "type": "quantitative"}}})
        layer.append({"data": rules, "mark": {"type": "text", "color": RED, "align": "left", "baseline": "bottom", "x": 4, "dy": -2},
                      "encoding": {"y": {"field": "value", "type": "quantitative"}, "text": {"field": "label"}}})
    return _chart(values, 320, layer=layer)


def aq_grade_calendar(grades: pl.DataFrame, grade_names: dict[int, str]) -> dict:
    """Day × station cells of the daily air-quality grade (1 good … 4 very bad) in the grade colours.

    `grades` has station, day, grade, pm10, pm25 (queries/aq_daily_grades.sql); grade_names labels 1–4."""
    values = [{"station": r["station"], "day": _when(r["day"]), "grade": r["grade"],
               "grade_name": grade_names.get(r["grade"], str(r["grade"])), "pm10": r["pm10"], "pm25": r["pm25"]}
              for r in grades.sort("station", "day").iter_rows(named=True)]
    # a step per station: a fixed height is dropped for a discrete y (Streamlit fits the chart to its content)
    return _chart(values, {"step": 24}, mark={"type": "rect", "stroke": "white", "strokeWidth": 1}, encoding={
        "x": {"field": "day", "type": "ordinal", "timeUnit": "yearmonthdate", "title": None,
              "axis": {"format": "%m-%d", "labelAngle": -45, "labelOverlap": True}},
        "y": {"field": "station", "type": "nominal", "title": None},
        "color": {"field": "grade_name", "type": "nominal", "legend": LEGEND, "scale": {
            "domain": [grade_names.get(g, str(g)) for g in range(1, 5)], "range": [GRADE_COLORS[g] for g in range(1, 5)]}},
        "tooltip": [{"field": "station", "title": None},
                    {"field": "day", "type": "temporal", "format": "%Y-%m-%d", "title": None},
                    {"field": "grade_name", "title": None},
                    {"field": "pm10", "title": "PM10 µg/m³"}, {"field": "pm25", "title": "PM2.5 µg/m³"}],
    })


def district_daily_lines(daily: pl.DataFrame, name_col: str, unit: str) -> dict:
    """A metric's daily mean per district (columns day, <name_col>, mean): one line per district."""
    values = [{"day": _when(r["day"]), "district": r[name_col], "mean": r["mean"]}
              for r in daily.sort(name_col, "day").iter_rows(named=True)]
    return _chart(values, 340, mark={"type": "line", "point": True}, encoding={
        "x": {"field": "day", "type": "temporal", "title": None, "axis": DAYS},
        "y": {"field": "mean", "type": "quantitative", "title": unit or None},
        "color": {"field": "district", "type": "nominal", "title": None, "legend": {"orient": "right"}},
        "tooltip": [{"field": "district", "title": None},
                    {"field": "day", "type": "temporal", "format": "%Y-%m-%d", "title": None},
                    {"field": "mean", "type": "quantitative", "format": ".2f", "title": unit or None}],
    })


def complaints_vs_signal(series: pl.DataFrame, episodes: pl.DataFrame, labels: dict[str, str]) -> dict:
    """A link's complaints (bars, left axis) and its sensors' signal and context readings (lines, right axis) on one
    time axis (queries/linkage_series.sql), with the anomaly episodes shaded (queries/linkage_episodes.sql).

    labels: complaints, signal, context (legend names), episode (the shading's name)."""
    values = [{"t": _when(r["bucket"]), "complaints": r["complaints"], "signal": r["signal"], "context": r["context"]}
              for r in series.iter_rows(named=True)]
    with_context = series["context"].drop_nulls().len() > 0
    shown = [(labels["complaints"], BLUE), (labels["signal"], ORANGE), *([(labels["context"], GREY)] if with_context else []),
             *([(labels["episode"], RED)] if episodes.height else [])]
    color = _legend([name for name, _ in shown], [c for _, c in shown])
    x = {"field": "t", "type": "temporal", "title": None, "axis": DAYS}
    right = {"type": "quantitative", "title": labels["signal"], "axis": {"orient": "right", "grid": False}}
    series = {"field": "series", **color}
    lines = [{"transform": _named(labels["signal"]), "mark": {"type": "line", "strokeWidth": 2},
              "encoding": {"x": x, "y": {"field": "signal", **right}, "color": series}}]
    if with_context:
        lines.append({"transform": _named(labels["context"]), "mark": {"type": "line", "strokeDash": [2, 3]},
                      "encoding": {"x": x, "y": {"field": "context", **right}, "color": series}})
    layer = [{"transform": _named(labels["complaints"]), "mark": {"type": "bar", "opacity": 0.7}, "encoding": {
        "x": x, "y": {"field": "complaints", "type": "quantitative", "title": labels["complaints"]},
        "color": series,
        "tooltip": [{"field": "t", "type": "temporal", "format": "%Y-%m-%d %H:%M", "title": None},
                    {"field": "complaints", "title": labels["complaints"]}, {"field": "signal", "title": labels["signal"]}]}}]
    if episodes.height:
        shades = [{"start": _when(r["started_at"]), "end": _when(r["ended_at"])} for r in episodes.iter_rows(named=True)]
        layer.insert(0, {"data": {"values": shades}, "transform": _named(labels["episode"]),
                         "mark": {"type": "rect", "opacity": 0.15}, "encoding": {
                             "x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"}, "color": series}})
    # the bars keep the left axis; the lines share the right one
    return _chart(values, 340, layer=[*layer, {"layer": lines}], resolve={"scale": {"y": "independent"}})


# --- Participation and Investors ------------------------------------------------------------------------------


def vertical_bars(frame: pl.DataFrame, label: str, value: str, title: str, percent: bool = False,
                  text: list[str] | None = None) -> dict:
    """Bars in the frame's order, each with its text on top; a null value (suppressed) shows only its text at zero."""
    shown = frame[value].to_list()
    texts = text or [None if v is None else (f"{v:.0%}" if percent else f"{v:,.0f}") for v in shown]
    values = [{"label": str(lab), "value": v, "text": txt, "text_at": v or 0}
              for lab, v, txt in zip(frame[label].to_list(), shown, texts, strict=True)]
    y = {"field": "value", "type": "quantitative", "title": None, **({"axis": {"format": ".0%"}} if percent else {})}
    return _chart(values, 280, title=title, encoding={"x": {"field": "label", "type": "nominal", "sort": None, "title": None,
                                                "axis": {"labelAngle": 0}}}, layer=[
        {"mark": {"type": "bar", "color": BLUE}, "encoding": {"y": y, "tooltip": [
            {"field": "label", "title": None}, {"field": "text", "title": title or None}]}},
        {"mark": {"type": "text", "baseline": "bottom", "dy": -3},
         "encoding": {"y": {"field": "text_at", "type": "quantitative"}, "text": {"field": "text"}}},
    ])


def funnel(labels: list[str], values: list[float | None], texts: list[str], title: str) -> dict:
    """Funnel stages top to bottom as bars centred on zero; a suppressed stage (None) shows only its text."""
    rows = [{"stage": lab, "value": v, "text": txt, "lo": None if v is None else -v / 2, "hi": None if v is None else v / 2}
            for lab, v, txt in zip(labels, values, texts, strict=True)]
    y = {"field": "stage", "type": "nominal", "sort": None, "title": None}
    return _chart(rows, {"step": 44}, title=title, encoding={"y": y}, layer=[
        {"mark": {"type": "bar", "color": BLUE}, "encoding": {
            "x": {"field": "lo", "type": "quantitative", "axis": None}, "x2": {"field": "hi"},
            "tooltip": [{"field": "stage", "title": None}, {"field": "text", "title": title or None}]}},
        {"mark": {"type": "text"}, "encoding": {"x": {"datum": 0}, "text": {"field": "text"},  # white on a bar
                                                "color": {"condition": {"test": "datum.value != null", "value": "white"},
                                                          "value": "#31333f"}}},
    ])


def stacked_monthly(frame: pl.DataFrame, x: str, series: list[tuple[str, str]], title: str) -> dict:
    """Stacked monthly bars, one colour per (column, legend label), stacked in the given order."""
    values = [{"month": _when(r[x]), "series": label, "order": i, "value": r[col]}
              for r in frame.iter_rows(named=True) for i, (col, label) in enumerate(series)]
    colors = [BLUE, ORANGE, GREEN, GREY][: len(series)]
    return _chart(values, 300, title=title, mark={"type": "bar"}, encoding={
        "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth", "title": None,
              "axis": {"format": "%Y-%m", "labelAngle": -45}},
        "y": {"field": "value", "type": "quantitative", "title": None, "stack": "zero"},
        "color": {"field": "series", "type": "nominal", **_legend([s[1] for s in series], colors)},
        "order": {"field": "order"},
        "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth", "format": "%Y-%m", "title": None},
                    {"field": "series", "title": None}, {"field": "value", "title": title or None}],
    })


def retention_heatmap(frame: pl.DataFrame, title: str, x_title: str, y_title: str) -> dict:
    """Cohort × months-since-first-item cells of `retention` (0–1); suppressed cells are blank and read "<5"."""
    values = [{"cohort": r["cohort"].strftime("%Y-%m"), "offset": f"+{r['month_offset']}", "order": r["month_offset"],
               "retention": None if r["suppressed"] else r["retention"],
               "text": SUPPRESSED if r["suppressed"] else f"{r['retention']:.0%}"}
              for r in frame.sort("cohort", "month_offset").iter_rows(named=True)]
    offsets = [f"+{o}" for o in sorted(set(frame["month_offset"].to_list()))]
    return _chart(values, {"step": 24}, title=title, encoding={
        "x": {"field": "offset", "type": "ordinal", "title": x_title, "sort": offsets, "axis": {"labelAngle": 0}},
        "y": {"field": "cohort", "type": "ordinal", "title": y_title},
    }, layer=[
        {"mark": {"type": "rect", "stroke": "white"}, "encoding": {
            "color": {"field": "retention", "type": "quantitative", "title": None,
                      "scale": {"scheme": "blues", "domain": [0, 1]}, "legend": {"format": ".0%"}},
            "tooltip": [{"field": "cohort", "title": y_title}, {"field": "offset", "title": x_title},
                        {"field": "text", "title": None}]}},
        {"mark": {"type": "text", "fontSize": 10}, "encoding": {
            "text": {"field": "text"},
            "color": {"condition": {"test": "datum.retention > 0.6", "value": "white"}, "value": "#31333f"}}},
    ])


def _clockwise(geojson: dict) -> dict:
    """The polygons with clockwise outer rings and counter-clockwise holes, as Vega's spherical geometry (d3-geo)
    reads them; GeoJSON files (RFC 7946) wind the other way, which Vega draws as the whole globe minus the district."""

    def ring(points: list, outer: bool) -> list:
        area = sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(points, points[1:], strict=False))
        return points[::-1] if (area > 0) == outer else points  # shoelace: > 0 is counter-clockwise

    def polygon(rings: list) -> list:
        return [ring(r, i == 0) for i, r in enumerate(rings)]

    features = []
    for feature in geojson.get("features", []):
        geometry = dict(feature["geometry"])
        if geometry["type"] == "Polygon":
            geometry["coordinates"] = polygon(geometry["coordinates"])
        elif geometry["type"] == "MultiPolygon":
            geometry["coordinates"] = [polygon(p) for p in geometry["coordinates"]]
        features.append({**feature, "geometry": geometry})
    return {**geojson, "features": features}


def district_choropleth(frame: pl.DataFrame, geojson: dict, value: str, name: str, title: str, colorbar: str,
                        digits: int = 1) -> dict:
    """Districts filled by `value` over our own polygons (features keyed by properties.district_code), nothing
    else: no basemap, no tiles, nothing fetched. Districts whose value is null are drawn grey."""
    rows = [{"district_code": r["district_code"], "name": r[name], "value": r[value]} for r in frame.iter_rows(named=True)]
    shapes = {"values": _clockwise(geojson), "format": {"type": "json", "property": "features"}}
    lookup = {"lookup": "properties.district_code", "from": {"data": {"values": rows}, "key": "district_code",
                                                             "fields": ["name", "value"]}}
    spec = {"height": 440, "projection": {"type": "mercator"}, "layer": [{
        # the polygons are the layer's own data: Streamlit moves only top-level rows out of a spec
        "data": shapes, "transform": [lookup],
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "color": {"condition": {"test": "datum.value == null", "value": "#e6e9ef"},
                      "field": "value", "type": "quantitative", "title": colorbar or None, "scale": {"scheme": "blues"}},
            "tooltip": [{"field": "name", "title": None},
                        {"field": "value", "type": "quantitative", "format": f",.{digits}f", "title": colorbar or None}],
        },
    }]}
    if title:
        spec["title"] = title
    return spec


# --- Complaints × sensors -------------------------------------------------------------------------------------


def lag_correlation(lags: pl.DataFrame, best_lag: int | None, x_title: str, y_title: str) -> dict:
    """Pearson r by lag in hours (queries/linkage_lag_correlation.sql); the best lag's bar stands out."""
    values = [{"lag": r["lag"], "r": r["r"], "best": r["lag"] == best_lag} for r in lags.iter_rows(named=True)]
    return _chart(values, 260, mark={"type": "bar"}, encoding={
        "x": {"field": "lag", "type": "ordinal", "title": x_title, "axis": {"labelAngle": 0, "labelOverlap": True}},
        "y": {"field": "r", "type": "quantitative", "title": y_title, "scale": {"domain": [-1, 1]}},
        "color": {"condition": {"test": "datum.best", "value": RED}, "value": BLUE},
        "tooltip": [{"field": "lag", "title": x_title}, {"field": "r", "format": ".2f", "title": y_title}],
    })


def score_contributions(frame: pl.DataFrame, label: str, parts: list[tuple[str, str]], title: str) -> dict:
    """Each district's city score as stacked bars: one segment per KPI (column, legend name) = ratio ÷ KPIs used,
    so the segments add up to the score; the dashed rule at 1 is on target."""
    values = [{"district": r[label], "kpi": name, "order": i, "value": r[column]}
              for r in frame.iter_rows(named=True) for i, (column, name) in enumerate(parts)]
    palette = [BLUE, ORANGE, GREEN, GREY, "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", RED]
    y = {"field": "district", "type": "nominal", "sort": None, "title": None}
    return _chart(values, {"step": 22}, title=title, layer=[
        {"mark": {"type": "bar"}, "encoding": {
            "y": y, "x": {"field": "value", "type": "quantitative", "stack": "zero", "title": None},
            "color": {"field": "kpi", "type": "nominal", "legend": {"orient": "bottom", "title": None, "columns": 3},
                      "scale": {"domain": [p[1] for p in parts], "range": (palette * 2)[: len(parts)]}},
            "order": {"field": "order"},
            "tooltip": [{"field": "district", "title": None}, {"field": "kpi", "title": None},
                        {"field": "value", "format": ".2f", "title": None}]}},
        {"mark": {"type": "rule", "color": GREY, "strokeDash": [6, 4]}, "encoding": {"x": {"datum": 1.0}}},
    ])


def lorenz_curves(curves: list[tuple[str, pl.DataFrame]], equality: str, x_title: str, y_title: str) -> dict:
    """Lorenz curves (name, frame with population_share and value_share from 0 to 1) against the line of equality."""
    values = [{"curve": name, "population_share": p, "value_share": v}
              for name, frame in curves for p, v in zip(frame["population_share"], frame["value_share"], strict=True)]
    share = {"type": "quantitative", "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}}
    names = [equality, *[name for name, _ in curves]]
    color = _legend(names, [GREY, BLUE, ORANGE, GREEN][: len(names)])
    return _chart(values, 340, layer=[
        {"data": {"values": [{"population_share": 0, "value_share": 0}, {"population_share": 1, "value_share": 1}]},
         "transform": [{"calculate": json.dumps(equality, ensure_ascii=False), "as": "curve"}],
         "mark": {"type": "line", "strokeDash": [6, 4]}, "encoding": {
             "x": {"field": "population_share", **share, "title": x_title},
             "y": {"field": "value_share", **share, "title": y_title}, "color": {"field": "curve", **color}}},
        {"mark": {"type": "line", "point": True}, "encoding": {
            "x": {"field": "population_share", **share}, "y": {"field": "value_share", **share},
            "color": {"field": "curve", **color},
            "tooltip": [{"field": "curve", "title": None},
                        {"field": "population_share", "format": ".0%", "title": x_title},
                        {"field": "value_share", "format": ".0%", "title": y_title}]}},
    ])
