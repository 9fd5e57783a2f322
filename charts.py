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
