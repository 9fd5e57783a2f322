"""View state that lives in the URL query string, so any view can be shared as a link and reopens exactly.

Streamlit's own widget binding writes the *displayed* label into the URL (which changes with the language),
so the state is kept here instead: a per-session store seeded from the URL on the first run, read by
widgets as their initial value, updated from them after each run, and written back to the URL.
The store survives page switches (widget state does not when a page lacks the widget).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

STORE = "_url_state"
ORDER = ("lang", "period", "from", "to", "district", "domain", "category", "kind")


def _store() -> dict:
    if STORE not in st.session_state:
        st.session_state[STORE] = {k: v for k, v in st.query_params.items()}
    return st.session_state[STORE]


def initial(key: str, parse: Callable[[str], object | None], default=None):
    """The value a widget starts from: the session's, else the URL's (if valid), else the default."""
    raw = _store().get(key)
    if raw is None:
        return default
    try:
        value = parse(raw) if isinstance(raw, str) else raw
    except (ValueError, TypeError):
        value = None
    return default if value is None else value


def remember(key: str, value, default=None) -> None:
    """Keep the widget's value for the session and the URL (a default value leaves the URL clean)."""
    store = _store()
    if value is None or value == default:
        store.pop(key, None)
    else:
        store[key] = value.isoformat() if isinstance(value, dt.date) else str(value)


def write_url() -> None:
    """Put the session's view state into the address bar (known keys first, in a stable order)."""
    store = _store()
    wanted = {k: store[k] for k in ORDER if k in store}
    wanted.update({k: v for k, v in store.items() if k not in wanted})
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def one_of(options) -> Callable[[str], object | None]:
    allowed = list(options)
    return lambda raw: raw if raw in allowed else None


def iso_date(raw: str) -> dt.date:
    return dt.date.fromisoformat(raw)
