"""Small-group suppression on the shared pages (Overview, Participation) for the investor role.

The rule of the Investors page (ui/investors.py, glossary "small_group_suppression"): a number that rests
on fewer than 5 items or reporters reads "<5" — counts, and rates, means and medians over such a group.
For every other role these helpers change nothing, so a page calls them unconditionally.
"""

from __future__ import annotations

import polars as pl

from ui import fmt, kpi, roles
from ui.glossary import BY_KEY
from ui.investors import MIN_GROUP, SUPPRESSED

# headline KPI (kpi_headline.sql) → the count it rests on. first_response_hours has no count of its own in
# the query: its base is at most `received`, so small slices are caught, larger ones with few responses not.
BASES = {
    "received": "received", "resolution_rate": "received", "first_response_hours": "received",
    "median_days_to_close": "closed", "p90_days_to_close": "closed", "closed": "closed",
    "on_time_rate": "due_counted", "overdue": "overdue",
    "satisfaction_mean": "rated", "satisfaction_response_rate": "closed",
    "adoption_rate": "proposals_decided", "proposals": "proposals",
    "participants": "participants", "participation_per_1000": "participants", "repeat_participant_share": "participants",
    "received_per_1000": "received", "city_score": "received", "backlog": "backlog",
}


def active() -> bool:
    return roles.suppresses_small_groups()


def small(n) -> bool:
    """A group under 5 (zero included: "none" is as telling as "one")."""
    return n is None or n < MIN_GROUP


def hidden(row: dict, key: str) -> bool:
    """Whether the headline value `key` of a kpi_headline row must read "<5" for this role."""
    if not active():
        return False
    base = BASES.get(key, key)
    n = (row.get("on_time", 0) or 0) + (row.get("late", 0) or 0) + (row.get("overdue", 0) or 0) \
        if base == "due_counted" else row.get(base)
    return small(n)


def count_text(n, show=None) -> str:
    """A count as shown: "<5" when suppressed for this role."""
    return SUPPRESSED if active() and small(n) else (show or fmt.num)(n)


def kpi_card(column, key: str, current: dict, previous: dict, label: str | None = None, value_key: str | None = None) -> None:
    """kpi.card for a headline KPI, or "<5" without a delta when its group is under 5 (investors only)."""
    value_key = value_key or key
    if hidden(current, value_key):
        definition = BY_KEY.get(key)
        column.metric(label or (definition.card_name if definition else key), SUPPRESSED, border=True,
                      help=BY_KEY["small_group_suppression"].definition)
        return
    before = None if hidden(previous, value_key) else previous.get(value_key)
    kpi.card(column, key, current.get(value_key), before, label=label)


def scored(f) -> dict:
    """kpi.values(f) with the city score: the row a city-score card is suppressed on (its `received`)."""
    return {**kpi.values(f), "city_score": kpi.score(f).score}


def frame(data: pl.DataFrame, bases: dict[str, str]) -> pl.DataFrame:
    """{column: its count column}: each column null where its count is under 5, with a `<column>_suppressed`
    flag (the shape ui/investors.display reads). Unchanged for roles that see small groups."""
    if not active():
        return data
    flags = {column: small_expr(base) for column, base in bases.items()}
    return data.with_columns(
        *[pl.when(flag).then(None).otherwise(pl.col(column)).alias(column) for column, flag in flags.items()],
        *[flag.alias(f"{column}_suppressed") for column, flag in flags.items()],
    )


def small_expr(base: str) -> pl.Expr:
    return pl.col(base).is_null() | (pl.col(base) < MIN_GROUP)


def texts(values: list, flags: list[bool] | None, show) -> list[str]:
    """Bar or funnel labels: "<5" where suppressed."""
    flags = flags or [False] * len(values)
    return [SUPPRESSED if f else show(v) for v, f in zip(values, flags, strict=True)]
