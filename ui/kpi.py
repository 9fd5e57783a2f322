"""KPI values for a filter set (with the previous period for deltas) and their cards."""

from __future__ import annotations

import polars as pl

import scoring
from ui import fmt
from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY

FORMATS = {
    "received": fmt.num, "resolution_rate": fmt.pct, "median_days_to_close": fmt.days,
    "p90_days_to_close": fmt.days, "first_response_hours": fmt.hours, "on_time_rate": fmt.pct,
    "participation_per_1000": lambda v: fmt.num(v, 1), "repeat_participant_share": fmt.pct,
    "satisfaction_mean": lambda v: fmt.num(v, 2), "sensor_completeness": fmt.pct, "aq_good_share": fmt.pct,
    "backlog": fmt.num, "city_score": lambda v: fmt.num(v, 2),
}
LOWER_IS_BETTER = {"median_days_to_close", "p90_days_to_close", "first_response_hours", "backlog"}


def values(f: Filters) -> dict[str, float | None]:
    """Every headline KPI for the filters' period, from the complaint, sensor and air-quality queries."""
    row = load("kpi_headline", **f.params()).row(0, named=True)
    sensors = load("sensor_completeness", **f.params())  # rollups only: the score needs no raw readings
    aq = load("aq_daily_grades", **f.params())
    row["sensor_completeness"] = sensors["completeness"].mean() if sensors.height else None
    row["aq_good_share"] = (aq["grade"] == 1).mean() if aq.height else None
    return row


def score(f: Filters) -> scoring.Score:
    return scoring.city_score(values(f), scoring.targets())


def card(column, key: str, value, previous=None, label: str | None = None) -> None:
    """A metric with its glossary definition as tooltip and the change against the previous period."""
    show = FORMATS.get(key, fmt.num)
    delta = None
    if value is not None and previous is not None:
        diff = value - previous
        delta = show(diff) if key not in ("resolution_rate", "on_time_rate", "repeat_participant_share",
                                          "sensor_completeness", "aq_good_share") else f"{diff * 100:+.1f}%p"
        if not delta.startswith(("+", "-", "−")):
            delta = "+" + delta if diff >= 0 else delta
    kpi = BY_KEY.get(key)
    column.metric(
        label or (kpi.card_name if kpi else key), show(value), delta,
        delta_color="inverse" if key in LOWER_IS_BETTER else "normal",
        help=kpi.definition if kpi else None, border=True,
    )


def backlog_total(f: Filters) -> int:
    return int(load("backlog_aging", **f.params())["open_items"].sum())


def as_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows)
