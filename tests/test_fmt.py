"""Durations on the cards: one decimal under 10, none from 10 on (a headline card is a sixth of the page wide, and
"33.3시간" was cut to "33.3…" on a 1,400-pixel screen); None is a dash, never 0."""

from __future__ import annotations

import pytest

from ui import fmt


@pytest.mark.parametrize(("lang", "value", "days", "hours"), [
    ("ko", 3.04, "3.0일", "3.0시간"),
    ("ko", 9.94, "9.9일", "9.9시간"),
    ("ko", 9.96, "10일", "10시간"),  # rounds to 10.0: shown as 10, not "10.0"
    ("ko", 33.3, "33일", "33시간"),
    ("ko", 1234.6, "1,235일", "1,235시간"),
    ("ko", -12.4, "-12일", "-12시간"),
    ("en", 0.25, "0.2 d", "0.2 h"),
    ("en", 33.3, "33 d", "33 h"),
    ("ko", None, fmt.DASH, fmt.DASH),
])
def test_durations(monkeypatch, lang, value, days, hours):
    monkeypatch.setattr(fmt, "lang", lambda: lang)
    assert (fmt.days(value), fmt.hours(value)) == (days, hours)
