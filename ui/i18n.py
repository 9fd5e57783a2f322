"""Korean first, English second: every visible string is written in both, next to where it is used."""

from __future__ import annotations

import streamlit as st

LANGS = ("ko", "en")
DEFAULT = "ko"


def lang() -> str:
    value = st.session_state.get("lang") or st.query_params.get("lang") or DEFAULT
    return value if value in LANGS else DEFAULT


def t(ko: str, en: str) -> str:
    """The string in the chosen language."""
    return ko if lang() == "ko" else en


def language_switch() -> None:
    """The ko/en switch, kept in the URL (?lang=en) so a shared link opens in the same language."""
    st.sidebar.segmented_control(
        "언어 · Language", LANGS, default=DEFAULT, key="lang", bind="query-params", required=True,
        format_func=lambda v: {"ko": "한국어", "en": "English"}[v],
    )
