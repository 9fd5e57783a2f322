"""Korean first, English second: every visible string is written in both, next to where it is used."""

from __future__ import annotations

import streamlit as st

LANGS = ("ko", "en")
DEFAULT = "ko"


def lang() -> str:
    from ui.url_state import initial, one_of

    value = st.session_state.get("lang") or initial("lang", one_of(LANGS), DEFAULT)
    return value if value in LANGS else DEFAULT


def t(ko: str, en: str) -> str:
    """The string in the chosen language."""
    return ko if lang() == "ko" else en


def language_switch() -> None:
    """The ko/en switch, kept in the URL (?lang=en) so a shared link opens in the same language."""
    from ui.url_state import initial, one_of, remember

    chosen = st.sidebar.segmented_control(
        "언어 · Language", LANGS, default=initial("lang", one_of(LANGS), DEFAULT), key="lang", required=True,
        format_func=lambda v: {"ko": "한국어", "en": "English"}[v],
    )
    remember("lang", chosen, DEFAULT)
