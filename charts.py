"""Plotly chart builders (polars frame in, Figure out) for the investor brief, an offline HTML page with plotly.js
inline, and the Explorer's free-form chart. The pages' charts are Vega-Lite specs (vega_charts.py): a far lighter
renderer in the browser.

Labels come in as arguments so the same builder serves Korean and English.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from vega_charts import BLUE, ORANGE, SUPPRESSED


def _layout(fig: go.Figure, height: int = 320) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.1))
    return fig


# --- Investor brief -----------------------------------------------------------------------------------------


def funnel(labels: list[str], values: list[float | None], texts: list[str], title: str) -> go.Figure:
    """Funnel stages top to bottom; a stage whose value is None (suppressed) shows only its text at zero."""
    fig = go.Figure(go.Funnel(y=labels, x=values, text=texts, textinfo="text", marker_color=BLUE))
    hidden = [(lab, txt) for lab, v, txt in zip(labels, values, texts, strict=True) if v is None]
    if hidden:
        fig.add_scatter(y=[h[0] for h in hidden], x=[0] * len(hidden), text=[h[1] for h in hidden], mode="text",
                        textposition="middle right", showlegend=False, hoverinfo="skip")
    fig.update_layout(title=title)
    return _layout(fig, height=300)


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


# --- Explorer ----------------------------------------------------------------------------------------------


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
