"""Numbers and dates formatted for the chosen language; None shows as a dash, never as 0."""

from __future__ import annotations

import datetime as dt

from ui.i18n import lang

DASH = "–"


def num(value, digits: int = 0) -> str:
    if value is None:
        return DASH
    return f"{value:,.{digits}f}"


def pct(value, digits: int = 1) -> str:
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def _duration(value: float) -> str:
    """One decimal under 10, none from 10 on: a card is 1/6 of the page wide, and "33.3시간" did not fit in it."""
    return f"{value:,.1f}" if abs(value) < 9.95 else f"{value:,.0f}"


def days(value) -> str:
    if value is None:
        return DASH
    return f"{_duration(value)}일" if lang() == "ko" else f"{_duration(value)} d"


def hours(value) -> str:
    if value is None:
        return DASH
    return f"{_duration(value)}시간" if lang() == "ko" else f"{_duration(value)} h"


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return DASH
    if lang() == "ko":
        return f"{value.year}년 {value.month}월 {value.day}일"
    return value.strftime("%b %-d, %Y")


def datetime(value: dt.datetime | None) -> str:
    if value is None:
        return DASH
    if lang() == "ko":
        ampm = "오전" if value.hour < 12 else "오후"
        hour = value.hour % 12 or 12
        return f"{date(value)} {ampm} {hour}:{value.minute:02d}"
    return value.strftime("%b %-d, %Y %H:%M")
