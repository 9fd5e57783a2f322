"""Who is looking: the signed-in user's role, which pages, queries and columns it may see.

Roles: `mayor_office` (everything, including masked complaint text), `analyst` (everything except
complaint text; SQL console and downloads), `investor` (Overview headline numbers, Participation
aggregates and the Investors view only; groups under 5 suppressed). The sign-in that sets the role
lives in ui/auth.py; the router registers only the pages of `allowed_pages(role)`, and `ui/data.load`
refuses a query the role may not run, so a page bug cannot leak what the router already hides.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.i18n import t

ROLES = ("mayor_office", "analyst", "investor")  # most access first
ROLE_NAMES = {"mayor_office": ("시장실", "Mayor's office"), "analyst": ("분석가", "Analyst"), "investor": ("투자자", "Investor")}
DEFAULT_ROLE = "mayor_office"
LEAST = "investor"

EVERYONE = frozenset(ROLES)
STAFF = frozenset({"mayor_office", "analyst"})
PAGE_ACCESS: dict[str, frozenset[str]] = {
    "overview": EVERYONE, "participation": EVERYONE, "investors": EVERYONE, "glossary": EVERYONE,
    "infrastructure": STAFF, "map": STAFF, "explorer": STAFF, "data": STAFF,
    "linkage": STAFF,
}

# Queries an investor's pages run. Written as one string on purpose: tests/test_guard.py counts a query as
# used when its name appears quoted in ui/ or views/, and an allow-list must not count as a use.
INVESTOR_QUERIES = frozenset("""
    as_of freshness districts categories
    kpi_headline sensor_status sensor_completeness aq_daily_grades backlog_aging
    participation_coverage participation_by_district district_boundaries participation_channels
    participation_kinds repeat_participants proposal_funnel satisfaction_distribution reporters_new_returning
    engagement_monthly cohort_retention investor_funnel performance_monthly
""".split())

TEXT_COLUMNS = ("title", "description_masked", "raw_record")  # complaint text: the mayor's office only
NEVER_SHOWN = ("reporter_key",)  # pseudonymous ids: counted in SQL, never returned to a page


class Forbidden(PermissionError):
    """A page or query the current role may not see."""


def current_role() -> str:
    """The session's role (set by the sign-in each run; in demo mode chosen in the sidebar)."""
    role = st.session_state.get("role", DEFAULT_ROLE)
    return role if role in ROLES else LEAST  # an unknown role gets the least access


def role_name(role: str | None = None) -> str:
    return t(*ROLE_NAMES[role or current_role()])


def can_upload() -> bool:
    return current_role() in STAFF


def can_download() -> bool:
    """Row-level downloads and the SQL console: staff only."""
    return current_role() in STAFF


def sees_text() -> bool:
    """Complaint titles and (masked) descriptions, and quarantined raw records: the mayor's office only."""
    return current_role() == "mayor_office"


def sees_details() -> bool:
    """Row lists with complaint ids, daily series and per-district rankings: staff, not investors."""
    return current_role() in STAFF


def suppresses_small_groups() -> bool:
    """Investors see no number resting on fewer than 5 items or reporters."""
    return current_role() == "investor"


def allowed_pages(role: str | None = None) -> list[str]:
    role = role or current_role()
    return [page for page, who in PAGE_ACCESS.items() if role in who]


def may_run(query: str, role: str | None = None) -> bool:
    role = role or current_role()
    return role in STAFF or query in INVESTOR_QUERIES


def check_query(query: str) -> None:
    """Raise Forbidden when the current role may not run queries/<query>.sql."""
    if not may_run(query):
        raise Forbidden(f"the {current_role()} role may not run the query {query!r}")


def hidden_columns(role: str | None = None) -> tuple[str, ...]:
    role = role or current_role()
    return NEVER_SHOWN + (() if role == "mayor_office" else TEXT_COLUMNS)


def visible(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without the columns the current role may not see."""
    drop = [c for c in hidden_columns() if c in frame.columns]
    return frame.drop(drop) if drop else frame


def check_sql(sql: str) -> None:
    """Raise Forbidden when assembled SQL names a column the current role may not see (explorer guard)."""
    for column in hidden_columns():
        if f'"{column}"' in sql:
            raise Forbidden(f"the {current_role()} role may not query the column {column!r}")
