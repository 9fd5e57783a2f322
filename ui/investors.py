"""Helpers of the Investors page: the window of complete months, and small-group suppression for display.

The queries already return null (with a `*_suppressed` flag) for any group under 5 reporters or items;
`display` turns such a frame into text where every suppressed value reads "<5" and nothing else is exposed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from ui import fmt
from ui.filters import Filters
from ui.i18n import lang

SUPPRESSED = "<5"
MIN_GROUP = 5
MONTH_CHOICES = (6, 12, 24)


def _add_months(day: dt.datetime, months: int) -> dt.datetime:
    total = day.year * 12 + day.month - 1 + months
    return day.replace(year=total // 12, month=total % 12 + 1)


def window(filters: Filters, months: int, include_current: bool = False) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `months` calendar months (local time) ending at the cut-off = the earlier of the period's
    end and as_of: complete months only, or with the month in progress at the cut-off when `include_current`."""
    cutoff = min(filters.end, filters.as_of)
    floor = cutoff.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = _add_months(floor, 1) if include_current and cutoff != floor else floor
    return _add_months(end, -months), end


def month_label(value: dt.date) -> str:
    return f"{value.year}년 {value.month}월" if lang() == "ko" else value.strftime("%b %Y")


def suppressed_flag(frame: pl.DataFrame, column: str) -> str:
    """The flag column that marks `column` suppressed: `<column>_suppressed`, else the row-wide `suppressed`."""
    return f"{column}_suppressed" if f"{column}_suppressed" in frame.columns else "suppressed"


def display(frame: pl.DataFrame, columns: dict[str, tuple[str, Callable]]) -> pl.DataFrame:
    """A text frame for st.dataframe: each {column: (header, formatter)} formatted, "<5" where suppressed.

    A value that is not null although its group is flagged, or a count under 5 that is not flagged, is a bug in
    the query: it raises rather than showing a small group.
    """
    out = {}
    for column, (header, show) in columns.items():
        flag = suppressed_flag(frame, column)
        flags = frame[flag].to_list() if flag in frame.columns else [False] * frame.height
        texts = []
        for value, hidden in zip(frame[column].to_list(), flags, strict=True):
            if hidden:
                if value is not None:
                    raise ValueError(f"{column}: a suppressed group carries a value")
                texts.append(SUPPRESSED)
            else:
                texts.append(show(value))
        out[header] = texts
    return pl.DataFrame(out, schema={h: pl.String for h in out})


def shown(frame: pl.DataFrame, column: str, row: int) -> str:
    """One value as the page shows it: "<5" when suppressed."""
    flag = suppressed_flag(frame, column)
    if flag in frame.columns and frame[flag][row]:
        return SUPPRESSED
    return fmt.num(frame[column][row])


def month_delta(frame: pl.DataFrame, column: str) -> tuple[str, str | None]:
    """The last month's value as shown, and its change against the month before (None when either is suppressed)."""
    if frame.height == 0:
        return fmt.DASH, None
    last = frame[column][-1]
    before = frame[column][-2] if frame.height > 1 else None
    delta = None if last is None or before is None else f"{last - before:+,}"
    return shown(frame, column, frame.height - 1), delta
