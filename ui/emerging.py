"""Emerging issues (queries/emerging_issues.sql): category × district days far above their own recent normal.
Shown on the Overview and in the Complaints × sensors view."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.data import load
from ui.filters import Filters, domain_name
from ui.glossary import BY_KEY
from ui.i18n import t


def table(f: Filters, names: dict[str, str], key: str, limit: int | None = None) -> pl.DataFrame:
    """Render the period's emerging issues (newest first) and return them."""
    issues = load("emerging_issues", **f.params())
    domains = {d: domain_name(d) for d in issues["domain"].unique().drop_nulls()}
    shown = issues.with_columns(
        pl.col("district_code").replace_strict(names, default=pl.col("district_code"), return_dtype=pl.String).alias("district"),
        pl.col("domain").replace_strict(domains, default=pl.col("domain"), return_dtype=pl.String).alias("domain_name"),
    ).select("day", "district", "category", "domain_name", "received", "baseline", "z")
    st.dataframe((shown.head(limit) if limit else shown).to_pandas(), hide_index=True, key=key, column_config={
        "day": st.column_config.DateColumn(t("날짜", "Day"), format="YYYY-MM-DD"), "district": t("읍면동", "District"),
        "category": t("세부 유형", "Category"), "domain_name": t("분야", "Domain"), "received": t("접수", "Received"),
        "baseline": st.column_config.NumberColumn(t("평소(중앙값)", "Usual (median)"), format="%.1f"),
        "z": st.column_config.NumberColumn(t("강건 z", "Robust z"), format="%.1f"),
    })
    return issues


def render(f: Filters, names: dict[str, str]) -> None:
    issues = load("emerging_issues", **f.params())
    st.markdown(f"**{BY_KEY['emerging_issue'].name}** · {issues.height}")
    table(f, names, key="emerging_table")
    st.caption(BY_KEY["emerging_issue"].definition)
