"""Who is looking: the signed-in user's role, which pages and data it may see.

Roles: `mayor_office` (everything, including masked complaint text), `analyst` (everything except
complaint text; SQL console and downloads), `investor` (Overview headline numbers, Participation
aggregates and the Investors view only). The sign-in that sets the role lives in ui/auth.py.
"""

from __future__ import annotations

import streamlit as st

ROLES = ("mayor_office", "analyst", "investor")
ROLE_NAMES = {"mayor_office": ("시장실", "Mayor's office"), "analyst": ("분석가", "Analyst"), "investor": ("투자자", "Investor")}
DEFAULT_ROLE = "mayor_office"


def current_role() -> str:
    """The session's role (set by the sign-in; in demo mode chosen in the sidebar)."""
    role = st.session_state.get("role", DEFAULT_ROLE)
    return role if role in ROLES else "investor"  # an unknown role gets the least access


def can_upload() -> bool:
    return current_role() in ("mayor_office", "analyst")


def sees_text() -> bool:
    """Complaint titles and (masked) descriptions: the mayor's office only."""
    return current_role() == "mayor_office"
