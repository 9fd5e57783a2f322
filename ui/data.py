"""Cached query results for pages, keyed on the warehouse file's identity so new data shows at once."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import queries
from ui import fmt, roles
from ui.i18n import t


@st.cache_data(ttl=900, show_spinner=False, max_entries=512)
def _cached(name: str, version: tuple, params: tuple) -> pl.DataFrame:
    return queries.run(name, **dict(params))


def load(name: str, **params) -> pl.DataFrame:
    """Rows of queries/<name>.sql for these parameters (aggregates only: small, so caching copies are cheap).

    The role is checked here too, not only by the router: a query the role may not run raises
    roles.Forbidden, and columns it may not see (complaint text, reporter keys) are dropped.
    """
    roles.check_query(name)
    return roles.visible(_cached(name, queries.version(), tuple(sorted(params.items()))))


def as_of() -> dt.datetime | None:
    return load("as_of")["as_of"][0]


def freshness_caption() -> None:
    """'Data as of …' under a panel: the warehouse's latest record and when each dataset was loaded."""
    fresh = load("freshness")
    parts = [t("데이터 기준 ", "Data as of ") + fmt.datetime(as_of())]
    names = {"complaints": t("민원", "complaints"), "sensors": t("센서", "sensors")}
    for row in fresh.iter_rows(named=True):
        parts.append(f"{names.get(row['dataset'], row['dataset'])} {t('적재', 'loaded')} {fmt.datetime(row['loaded_at'])}")
    st.caption(" · ".join(parts))
