"""Investor queries on the KPI fixture: exact rows worked out by hand from tests/fixtures/kpi/minwon.csv, and
small-group suppression (any group under 5 reporters or items is null with its flag set, shown as "<5").

By month (KST) in the fixture: December 2024 holds O01 (R24, open); January nothing; February O02 (R25, in
progress); March the 14 P rows and the 22 C rows = 36 items (Q01 is quarantined), reporters R01 … R23
(P09 is anonymous) = 23, proposals P07 (40 votes, 채택), P08 (3), C10 (25, 채택), C11 (8, 불채택), C12 (12) = 5.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from fixture_warehouse import AS_OF, KST, PERIOD
from helpers_warehouse import returning_warehouse

import queries
from ui import investors

AREUM, NASEONG = "3611011300", "3611010700"
NO_FILTERS = {"district": None, "domain": None, "category": None, "kind": None}
DEC, JAN, FEB, MAR = (dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1))
WINDOW = (dt.datetime(2024, 12, 1, tzinfo=KST), dt.datetime(2025, 4, 1, tzinfo=KST))  # Dec, Jan, Feb, Mar


def frame(db: Path, name: str, window=WINDOW, **filters) -> pl.DataFrame:
    return queries.run(name, db=db, start=window[0], end=window[1], as_of=AS_OF, **{**NO_FILTERS, **filters})


def run(db: Path, name: str, window=WINDOW, **filters) -> list[dict]:
    return frame(db, name, window, **filters).to_dicts()


def engagement(month, active, items, proposals, votes) -> dict:
    return {
        "month": month,
        "active_participants": active, "active_participants_suppressed": active is None,
        "submissions": items, "submissions_suppressed": items is None,
        "proposals": proposals, "proposals_suppressed": proposals is None,
        "votes": votes, "votes_suppressed": votes is None,
    }


def test_engagement_monthly(kpi_db):
    # Dec: 1 reporter, 1 item, 0 proposals; Jan: nothing; Feb: 1, 1, 0 → every value under 5, suppressed.
    # Mar: 23 reporters, 36 items, 5 proposals, votes 40 + 3 + 25 + 8 + 12 = 88.
    assert run(kpi_db, "engagement_monthly") == [
        engagement(DEC, None, None, None, None),
        engagement(JAN, None, None, None, None),
        engagement(FEB, None, None, None, None),
        engagement(MAR, 23, 36, 5, 88),
    ]


def test_engagement_monthly_filtered(kpi_db):
    # 아름동 in March: P12 P01 P02 P08 P13 C01 C02 C10 C15 C09 C17 = 11 items; reporters R01 R18 R22 R02 R08 R13 = 6;
    # proposals P08, C10 = 2 → suppressed, and so are their votes (3 + 25).
    assert run(kpi_db, "engagement_monthly", district=AREUM)[3] == engagement(MAR, 6, 11, None, None)
    # proposals only, March: P07 P08 C10 C11 C12 by R21 R22 R08 R09 R10 → 5 reporters, 5 items, 5 proposals, 88 votes
    assert run(kpi_db, "engagement_monthly", kind="proposal")[3] == engagement(MAR, 5, 5, 5, 88)


def cell(cohort, offset, size=None, retained=None, retention=None) -> dict:
    return {"cohort": cohort, "month_offset": offset, "cohort_size": size, "retained": retained,
            "retention": retention, "suppressed": retained is None}


def test_cohort_retention(kpi_db):
    # cohorts = first month ever: Dec {R24}, Jan {}, Feb {R25}, Mar {R01 … R23} (every March reporter is new).
    # Cohorts of 1, 0 and 1 are suppressed in every cell; March +0 = 23 of 23.
    assert run(kpi_db, "cohort_retention") == [
        cell(DEC, 0), cell(DEC, 1), cell(DEC, 2), cell(DEC, 3),
        cell(JAN, 0), cell(JAN, 1), cell(JAN, 2),
        cell(FEB, 0), cell(FEB, 1),
        cell(MAR, 0, 23, 23, 1.0),
    ]
    # 아름동: March cohort = R01 R18 R22 R02 R08 R13 = 6
    assert run(kpi_db, "cohort_retention", district=AREUM)[-1] == cell(MAR, 0, 6, 6, 1.0)


def funnel(reporters, repeat, proposers, adopted, total) -> list[dict]:
    stages = [("reporters", reporters), ("repeat", repeat), ("proposer", proposers), ("adopted_proposer", adopted)]
    return [{"stage_order": i, "stage": s, "reporters": n, "share": None if n is None else pytest.approx(n / total),
             "suppressed": n is None} for i, (s, n) in enumerate(stages, start=1)]


def test_investor_funnel(kpi_db):
    # March: 23 reporters; 2+ items: R01 (P12 P01 P13 C01 C03 C09), R02 (C02 C15), R03 (P04 C04 C19),
    # R05 (P06 P11 C06 C14), R21 (P07 P14) = 5; of those with a proposal: R21 (P07) = 1 → "<5";
    # with an adopted proposal: R21 (P07 채택) = 1 → "<5".
    march = (dt.datetime(2025, 3, 1, tzinfo=KST), dt.datetime(2025, 4, 1, tzinfo=KST))
    assert run(kpi_db, "investor_funnel", march) == funnel(23, 5, None, None, 23)
    # the current period: 17 reporters; repeat R01 R02 R03 R05 = 4 → "<5"; no repeat reporter proposed
    assert run(kpi_db, "investor_funnel", PERIOD) == funnel(17, None, None, None, 17)


def performance(month, received=None, resolution=None, median=None, on_time=None) -> dict:
    return {
        "month": month, "received": received, "received_suppressed": received is None,
        "resolution_rate": resolution, "resolution_rate_suppressed": resolution is None,
        "median_days_to_close": median, "median_days_to_close_suppressed": median is None,
        "on_time_rate": on_time, "on_time_rate_suppressed": on_time is None,
    }


def test_performance_monthly(kpi_db):
    # March: 36 received, 26 closed (11 P + 15 C) → 26/36. Durations (days) of the 25 closed rows with
    # closed_at ≥ requested_at (C13 is closed before it was requested), sorted:
    #   P14 .083, C20 .083, P04 .25, C04 .25, C16 .5, P09 1, C19 1, C09 1, P01 2, C01 2, P12 2.208, C15 2.458,
    #   P06 3 ← 13th = median, C03 3, C08 3, P03 4, C18 4.375, P13 5.667, C11 7, P07 10, C02 10.25, C22 10.417,
    #   P10 11, C10 11, P02 12.
    # On time 21 (12 C + 9 P, C13 included), late C02 C18 C22 P02 P10 = 5, overdue at as_of among March items
    # C05 C06 P05 P08 P11 = 5 → 21 / 31. Dec (O01 overdue) and Feb (O02 overdue): groups of 1; Jan: none.
    assert run(kpi_db, "performance_monthly") == [
        performance(DEC), performance(JAN), performance(FEB),
        performance(MAR, 36, pytest.approx(26 / 36), pytest.approx(3.0), pytest.approx(21 / 31)),
    ]


def test_performance_monthly_small_district(kpi_db):
    # 나성동 in March: P06 P11 C06 C16 C14 C21 = 6 received; closed P06 C16 → 2/6; 2 durations → suppressed;
    # on time P06 C16, overdue P11 (due 03-26) and C06 (due 03-29 00:00 < as_of) → 4 in the rate → suppressed.
    assert run(kpi_db, "performance_monthly", district=NASEONG)[3] == performance(MAR, 6, pytest.approx(2 / 6))


# Retention past month 0 needs reporters who come back, which the fixture has not: hand-made months.
# January R1 … R6; February R1 … R5 and the new R7; March R1 … R4 and R7
# (helpers_warehouse.RETURNING_ROWS).
@pytest.fixture(scope="module")
def returning_db(tmp_path_factory) -> Path:
    return returning_warehouse(tmp_path_factory.mktemp("returning"))


def test_cohort_retention_hand_made(returning_db):
    # January cohort R1 … R6 (6): +1 R1 … R5 = 5 → 5/6; +2 R1 … R4 = 4 → suppressed although the cohort is not.
    # February cohort {R7}: 1 → suppressed; March cohort: empty → suppressed.
    window = (dt.datetime(2025, 1, 1, tzinfo=KST), dt.datetime(2025, 4, 1, tzinfo=KST))
    assert run(returning_db, "cohort_retention", window) == [
        cell(JAN, 0, 6, 6, 1.0), cell(JAN, 1, 6, 5, pytest.approx(5 / 6)),
        {**cell(JAN, 2), "cohort_size": 6},
        cell(FEB, 0), cell(FEB, 1),
        cell(MAR, 0),
    ]
    # funnel over the three months: 7 reporters, 2+ items R1 … R5 and R7 = 6, no proposals
    assert run(returning_db, "investor_funnel", window) == funnel(7, 6, None, None, 7)


# --- the display helper (ui/investors.py) ---------------------------------------------------------------


def test_display_shows_suppressed_groups_as_under_5(kpi_db):
    table = investors.display(frame(kpi_db, "engagement_monthly"), {
        "month": ("month", lambda d: d.isoformat()), "active_participants": ("active", str), "submissions": ("items", str),
        "proposals": ("proposals", str), "votes": ("votes", str),
    })
    assert table.rows() == [
        ("2024-12-01", "<5", "<5", "<5", "<5"),
        ("2025-01-01", "<5", "<5", "<5", "<5"),
        ("2025-02-01", "<5", "<5", "<5", "<5"),
        ("2025-03-01", "23", "36", "5", "88"),
    ]
    retention = investors.display(frame(kpi_db, "cohort_retention"), {"cohort_size": ("size", str), "retention": ("r", str)})
    assert retention["size"].to_list() == ["<5"] * 9 + ["23"]
    assert retention["r"].to_list() == ["<5"] * 9 + ["1.0"]


def test_display_refuses_a_value_in_a_suppressed_group():
    leaky = pl.DataFrame({"n": [3], "n_suppressed": [True]})
    with pytest.raises(ValueError, match="suppressed"):
        investors.display(leaky, {"n": ("n", str)})


def test_window_of_complete_months():
    from ui.filters import Filters

    def window(end, as_of, months, current=False):
        f = Filters(start=end - dt.timedelta(days=30), end=end, as_of=as_of)
        return investors.window(f, months, current)

    # the fixture: period ends 2025-03-30, as_of 2025-03-29 23:00 → March is in progress
    end, as_of = dt.datetime(2025, 3, 30, tzinfo=KST), AS_OF
    assert window(end, as_of, 4) == (dt.datetime(2024, 11, 1, tzinfo=KST), dt.datetime(2025, 3, 1, tzinfo=KST))
    assert window(end, as_of, 4, True) == WINDOW
    # a period ending exactly on a month start has no month in progress
    first = dt.datetime(2025, 3, 1, tzinfo=KST)
    assert window(first, as_of, 12, True) == (dt.datetime(2024, 3, 1, tzinfo=KST), first)
