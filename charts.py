"""Pure chart builders: polars frame in, plotly Figure out (testable without Streamlit).

Labels come in as arguments so the same builder serves Korean and English.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

BLUE, ORANGE, GREY, RED, GREEN = "#0b5ca8", "#f28e2b", "#9aa5b1", "#d62728", "#2ca02c"
GRADE_COLORS = {1: "#1f77b4", 2: "#2ca02c", 3: "#ff9f1c", 4: "#d62728"}


def _layout(fig: go.Figure, height: int = 320) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.1))
    return fig


def received_vs_closed(daily: pl.DataFrame, received: str, closed: str) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=daily["day"].to_list(), y=daily["received"].to_list(), name=received, marker_color=BLUE)
    fig.add_scatter(x=daily["day"].to_list(), y=daily["closed"].to_list(), name=closed, mode="lines", line_color=ORANGE)
    return _layout(fig)


def horizontal_bars(frame: pl.DataFrame, label: str, value: str, title: str, percent: bool = False) -> go.Figure:
    """Ranked bars (first row on top)."""
    x = frame[value].to_list()
    fig = go.Figure(go.Bar(
        x=x, y=frame[label].to_list(), orientation="h", marker_color=BLUE,
        text=[None if v is None else (f"{v:.0%}" if percent else f"{v:,.1f}") for v in x], textposition="auto",
    ))
    fig.update_yaxes(autorange="reversed")
    if percent:
        fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(title=title)
    return _layout(fig, height=max(240, 28 * frame.height + 60))


def backlog_bars(buckets: pl.DataFrame, title: str) -> go.Figure:
    colors = [GREEN, BLUE, ORANGE, RED, RED]
    fig = go.Figure(go.Bar(x=buckets["bucket"].to_list(), y=buckets["open_items"].to_list(), marker_color=colors[: buckets.height]))
    fig.update_layout(title=title)
    return _layout(fig, height=260)


def score_parts(parts: list[tuple[str, float | None]], title: str) -> go.Figure:
    """Each KPI's ratio to target; the line at 1 is the target."""
    names = [p[0] for p in parts]
    ratios = [p[1] for p in parts]
    colors = [GREY if r is None else (GREEN if r >= 1 else (ORANGE if r >= 0.8 else RED)) for r in ratios]
    fig = go.Figure(go.Bar(x=ratios, y=names, orientation="h", marker_color=colors,
                           text=[None if r is None else f"{r:.2f}" for r in ratios], textposition="auto"))
    fig.add_vline(x=1.0, line_dash="dash", line_color=GREY)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 2])
    fig.update_layout(title=title)
    return _layout(fig, height=max(260, 26 * len(parts) + 60))


# --- Participation and Investors pages ---------------------------------------------------------------------

SUPPRESSED = "<5"


def _bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) over every coordinate of a FeatureCollection."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson.get("features", []):
        walk(feature["geometry"]["coordinates"])
    return (min(lons), min(lats), max(lons), max(lats)) if lons else (124.5, 33.0, 132.0, 38.7)


def district_choropleth(frame: pl.DataFrame, geojson: dict, value: str, name: str, title: str, colorbar: str,
                        digits: int = 1) -> go.Figure:
    """Districts filled by `value` over our own polygons (features keyed by properties.district_code) on a blank
    background: no basemap, no tiles, nothing fetched online. Districts whose value is null stay unfilled."""
    import math

    min_lon, min_lat, max_lon, max_lat = _bounds(geojson)
    span = max(max_lon - min_lon, (max_lat - min_lat) * 1.3, 1e-3)
    values = frame[value].to_list()
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="properties.district_code", locations=frame["district_code"].to_list(),
        z=values, text=frame[name].to_list(), colorscale="Blues", marker_line_color="#ffffff", marker_line_width=1,
        colorbar=dict(title=dict(text=colorbar)),
        hovertemplate="%{text}: %{z:,." + str(digits) + "f}<extra></extra>",
    ))
    fig.update_layout(
        map=dict(style="white-bg", center=dict(lon=(min_lon + max_lon) / 2, lat=(min_lat + max_lat) / 2),
                 zoom=max(min(math.log2(360 / span) - 0.3, 14), 1)),
        title=title,
    )
    return _layout(fig, height=460)


def vertical_bars(frame: pl.DataFrame, label: str, value: str, title: str, percent: bool = False,
                  text: list[str] | None = None) -> go.Figure:
    y = frame[value].to_list()
    labels = text or [None if v is None else (f"{v:.0%}" if percent else f"{v:,.0f}") for v in y]
    fig = go.Figure(go.Bar(x=[str(v) for v in frame[label].to_list()], y=y, marker_color=BLUE, text=labels,
                           textposition="auto"))
    if percent:
        fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(type="category")
    fig.update_layout(title=title)
    return _layout(fig, height=300)


def funnel(labels: list[str], values: list[float | None], texts: list[str], title: str) -> go.Figure:
    """Funnel stages top to bottom; a stage whose value is None (suppressed) shows only its text at zero."""
    fig = go.Figure(go.Funnel(y=labels, x=values, text=texts, textinfo="text", marker_color=BLUE))
    hidden = [(lab, txt) for lab, v, txt in zip(labels, values, texts, strict=True) if v is None]
    if hidden:
        fig.add_scatter(y=[h[0] for h in hidden], x=[0] * len(hidden), text=[h[1] for h in hidden], mode="text",
                        textposition="middle right", showlegend=False, hoverinfo="skip")
    fig.update_layout(title=title)
    return _layout(fig, height=300)


def stacked_monthly(frame: pl.DataFrame, x: str, series: list[tuple[str, str]], title: str) -> go.Figure:
    """Stacked monthly bars, one trace per (column, legend label)."""
    fig = go.Figure()
    colors = [BLUE, ORANGE, GREEN, GREY]
    months = frame[x].to_list()
    for (col, label), color in zip(series, colors, strict=False):
        fig.add_bar(x=months, y=frame[col].to_list(), name=label, marker_color=color)
    fig.update_layout(barmode="stack", title=title)
    fig.update_xaxes(dtick="M1", tickformat="%Y-%m")
    return _layout(fig)


def monthly_panels(frame: pl.DataFrame, x: str, panels: list[tuple[str, str, str]], title: str = "",
                   columns: int = 2) -> go.Figure:
    """Small multiples by month, one panel per (column, panel title, kind) with kind "count" (bars), "pct" or
    "days" (lines). Null values are gaps; where the frame has `<column>_suppressed` true, the panel shows "<5"."""
    from plotly.subplots import make_subplots

    rows = -(-len(panels) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[p[1] for p in panels], vertical_spacing=0.18)
    months = frame[x].to_list()
    for i, (col, label, kind) in enumerate(panels):
        r, c = i // columns + 1, i % columns + 1
        y = frame[col].to_list()
        if kind == "count":
            fig.add_bar(x=months, y=y, name=label, marker_color=BLUE, showlegend=False, row=r, col=c)
        else:
            fig.add_scatter(x=months, y=y, name=label, mode="lines+markers", line_color=ORANGE if kind == "pct" else BLUE,
                            showlegend=False, row=r, col=c)
        if kind == "pct":
            fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=r, col=c)
        flag = f"{col}_suppressed"
        if flag in frame.columns:
            hidden = [m for m, s in zip(months, frame[flag].to_list(), strict=True) if s]
            if hidden:
                fig.add_scatter(x=hidden, y=[0] * len(hidden), text=[SUPPRESSED] * len(hidden), mode="text",
                                textposition="top center", showlegend=False, hoverinfo="skip", row=r, col=c)
        fig.update_xaxes(tickformat="%Y-%m", row=r, col=c)
    fig.update_layout(title=title)
    return _layout(fig, height=280 * rows + 40)


def retention_heatmap(frame: pl.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Cohort × months-since-first-item heatmap of `retention` (0–1); suppressed cells are blank and read "<5"."""
    cohorts = sorted(set(frame["cohort"].to_list()))
    offsets = sorted(set(frame["month_offset"].to_list()))
    z = [[None] * len(offsets) for _ in cohorts]
    text = [[""] * len(offsets) for _ in cohorts]
    for row in frame.iter_rows(named=True):
        i, j = cohorts.index(row["cohort"]), offsets.index(row["month_offset"])
        if row["suppressed"]:
            text[i][j] = SUPPRESSED
        else:
            z[i][j] = row["retention"]
            text[i][j] = f"{row['retention']:.0%}"
    labels = [c.strftime("%Y-%m") for c in cohorts]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"+{o}" for o in offsets], y=labels, text=text, texttemplate="%{text}", colorscale="Blues",
        zmin=0, zmax=1, colorbar=dict(tickformat=".0%"), hovertemplate="%{y} %{x}: %{text}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category", title=y_title)
    fig.update_xaxes(type="category", title=x_title)
    fig.update_layout(title=title)
    return _layout(fig, height=max(300, 26 * len(cohorts) + 100))


# --- Infrastructure health ------------------------------------------------------------------------


def aq_grade_calendar(grades: pl.DataFrame, grade_names: dict[int, str]) -> go.Figure:
    """Day × station heatmap of the daily air-quality grade (1 good … 4 very bad) in the grade colours.

    `grades` has station, day, grade, pm10, pm25 (queries/aq_daily_grades.sql); grade_names labels 1–4.
    """
    stations = sorted(grades["station"].unique().to_list())
    days = sorted(grades["day"].unique().to_list())
    cells = {(r["station"], r["day"]): r for r in grades.iter_rows(named=True)}
    z, text, custom = [], [], []
    for station in stations:
        row = [cells.get((station, d)) for d in days]
        z.append([None if c is None else c["grade"] for c in row])
        text.append(["" if c is None else grade_names.get(c["grade"], "") for c in row])
        custom.append([[None, None] if c is None else [c["pm10"], c["pm25"]] for c in row])
    # four flat bands: each grade gets one colour, whatever the other cells hold
    scale = []
    for g in range(1, 5):
        scale += [[(g - 1) / 4, GRADE_COLORS[g]], [g / 4, GRADE_COLORS[g]]]
    fig = go.Figure(go.Heatmap(
        x=days, y=stations, z=z, text=text, customdata=custom, zmin=0.5, zmax=4.5, colorscale=scale, xgap=2, ygap=2,
        texttemplate="%{text}" if len(days) <= 14 else None,
        hovertemplate="%{y} · %{x}<br>%{text}<br>PM10 %{customdata[0]} · PM2.5 %{customdata[1]} µg/m³<extra></extra>",
        colorbar=dict(tickvals=[1, 2, 3, 4], ticktext=[grade_names.get(g, str(g)) for g in range(1, 5)], thickness=12),
    ))
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, height=max(220, 30 * len(stations) + 120))


def sensor_series(series: pl.DataFrame, name: str, unit: str, thresholds: list[tuple[float, str]] = ()) -> go.Figure:
    """One sensor × metric over time (columns t, mean, min, max): the mean as a line, the min–max range as a
    band, and a dashed line per threshold (value, label)."""
    x = series["t"].to_list()
    fig = go.Figure()
    fig.add_scatter(x=x, y=series["max"].to_list(), mode="lines", line_width=0, showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=x, y=series["min"].to_list(), mode="lines", line_width=0, fill="tonexty",
                    fillcolor="rgba(11,92,168,0.15)", showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=x, y=series["mean"].to_list(), mode="lines", name=name, line_color=BLUE,
                    hovertemplate="%{x}<br>%{y:.2f} " + unit + "<extra></extra>")
    for value, label in thresholds:
        fig.add_hline(y=value, line_dash="dash", line_color=RED, annotation_text=label, annotation_position="top left")
    fig.update_yaxes(title=unit)
    return _layout(fig, height=340)


def district_daily_lines(daily: pl.DataFrame, name_col: str, unit: str) -> go.Figure:
    """A metric's daily mean per district (columns day, <name_col>, mean): one line per district."""
    fig = go.Figure()
    for (name,), part in daily.sort(name_col, "day").group_by([name_col], maintain_order=True):
        fig.add_scatter(x=part["day"].to_list(), y=part["mean"].to_list(), mode="lines+markers", name=name,
                        hovertemplate=f"{name}<br>%{{x}}<br>%{{y:.2f}} {unit}<extra></extra>")
    fig.update_yaxes(title=unit)
    _layout(fig, height=360)
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1))  # many districts: the legend goes beside the plot
    return fig


def explorer_chart(frame: pl.DataFrame, x: str, y: str, color: str | None = None, kind: str = "bar", title: str = "") -> go.Figure:
    """The explorer's grouped result: `y` by `x` as bars or lines, one trace per value of `color` (if given)."""
    fig = go.Figure()
    groups = frame.partition_by(color, maintain_order=True, include_key=True) if color else [frame]
    for part in groups:
        name = str(part[color][0]) if color else y
        xs, ys = part[x].to_list(), part[y].to_list()
        if kind == "line":
            fig.add_scatter(x=xs, y=ys, name=name, mode="lines+markers")
        else:
            fig.add_bar(x=xs, y=ys, name=name)
    if kind != "line":
        fig.update_layout(barmode="group")
    if frame.schema.get(x) == pl.String:
        fig.update_xaxes(type="category")
    fig.update_layout(title=title, showlegend=bool(color))
    fig.update_yaxes(title=y)
    fig.update_xaxes(title=x)
    return _layout(fig, height=380)


# --- Complaints × sensors ------------------------------------------------------------------------------------


def complaints_vs_signal(series: pl.DataFrame, episodes: pl.DataFrame, labels: dict[str, str]) -> go.Figure:
    """A link's complaints (bars, left axis) and its sensors' signal and context readings (lines, right axis) on one
    time axis (queries/linkage_series.sql), with the anomaly episodes shaded (queries/linkage_episodes.sql).

    labels: complaints, signal, context (legend names), episode (the shading's name)."""
    x = series["bucket"].to_list()
    fig = go.Figure()
    fig.add_bar(x=x, y=series["complaints"].to_list(), name=labels["complaints"], marker_color=BLUE, opacity=0.7)
    fig.add_scatter(x=x, y=series["signal"].to_list(), name=labels["signal"], mode="lines", line_color=ORANGE,
                    yaxis="y2", connectgaps=False)
    if series["context"].drop_nulls().len():
        fig.add_scatter(x=x, y=series["context"].to_list(), name=labels["context"], mode="lines", yaxis="y2",
                        line=dict(color=GREY, dash="dot"), connectgaps=False)
    for i, row in enumerate(episodes.iter_rows(named=True)):
        fig.add_vrect(x0=row["started_at"], x1=row["ended_at"], fillcolor=RED, opacity=0.15, line_width=0,
                      layer="below", name=labels["episode"], showlegend=i == 0)
    fig.update_layout(yaxis=dict(title=labels["complaints"], rangemode="tozero"),
                      yaxis2=dict(title=labels["signal"], overlaying="y", side="right", showgrid=False))
    return _layout(fig, height=360)


def lag_correlation(lags: pl.DataFrame, best_lag: int | None, x_title: str, y_title: str) -> go.Figure:
    """Pearson r by lag in hours (queries/linkage_lag_correlation.sql); the best lag's bar stands out."""
    colors = [RED if lag == best_lag else BLUE for lag in lags["lag"].to_list()]
    fig = go.Figure(go.Bar(x=lags["lag"].to_list(), y=lags["r"].to_list(), marker_color=colors,
                           hovertemplate="%{x} h: r = %{y:.2f}<extra></extra>"))
    fig.update_xaxes(title=x_title, dtick=6)
    fig.update_yaxes(title=y_title, range=[-1, 1])
    return _layout(fig, height=280)


def score_contributions(frame: pl.DataFrame, label: str, parts: list[tuple[str, str]], title: str) -> go.Figure:
    """Each district's city score as stacked bars: one segment per KPI (column, legend name) = ratio ÷ KPIs used,
    so the segments add up to the score; the line at 1 is on target."""
    fig = go.Figure()
    palette = [BLUE, ORANGE, GREEN, GREY, "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", RED]
    y = frame[label].to_list()
    for (column, name), color in zip(parts, palette * 2, strict=False):
        fig.add_bar(x=frame[column].to_list(), y=y, name=name, orientation="h", marker_color=color,
                    hovertemplate="%{y}: %{x:.2f}<extra>" + name + "</extra>")
    fig.add_vline(x=1.0, line_dash="dash", line_color=GREY)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(barmode="stack", title=title)
    _layout(fig, height=max(300, 24 * frame.height + 100))
    fig.update_layout(legend=dict(orientation="h", y=-0.08, yanchor="top"))
    return fig


def lorenz_curves(curves: list[tuple[str, pl.DataFrame]], equality: str, x_title: str, y_title: str) -> go.Figure:
    """Lorenz curves (name, frame with population_share and value_share from 0 to 1) against the line of equality."""
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name=equality, line=dict(color=GREY, dash="dash"))
    for (name, frame), color in zip(curves, [BLUE, ORANGE, GREEN], strict=False):
        fig.add_scatter(x=frame["population_share"].to_list(), y=frame["value_share"].to_list(), mode="lines+markers",
                        name=name, line_color=color)
    fig.update_xaxes(title=x_title, tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title=y_title, tickformat=".0%", range=[0, 1])
    return _layout(fig, height=360)
