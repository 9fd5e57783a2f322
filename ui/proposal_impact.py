"""Proposal impact (queries/proposal_impact.sql): complaints of an adopted proposal's category in its district before
vs after adoption, against the same change in the other districts."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui import roles
from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY
from ui.i18n import t


def render(f: Filters, names: dict[str, str]) -> None:
    impact = load("proposal_impact", **f.params())
    st.markdown(f"**{BY_KEY['proposal_impact'].name}** · {impact.height}")
    if impact.is_empty():
        st.info(t("기간(과 그 전 90일)에 채택된 제안이 없습니다.", "No proposal was adopted in the period (or the 90 days before)."))
        st.caption(BY_KEY["proposal_impact"].definition)
        return
    shown = impact.with_columns(
        pl.col("district_code").replace_strict(names, default=pl.col("district_code"), return_dtype=pl.String).alias("district"))
    columns = ["title"] if roles.sees_text() else []  # a proposal's title is citizen text: the mayor's office only
    pct = {c: st.column_config.NumberColumn(label, format="percent") for c, label in (
        ("change", t("변화", "Change")), ("others_change", t("다른 읍면동 변화", "Others' change")),
        ("difference", t("차이", "Difference")))}
    st.dataframe(shown.select(*columns, "district", "category", "adopted_at", "votes", "window_days", "before", "after",
                              "change", "others_before", "others_after", "others_change", "difference").to_pandas(),
                 hide_index=True, key="proposal_impact_table", column_config={
                     **pct, "title": t("제안", "Proposal"), "district": t("읍면동", "District"),
                     "category": t("세부 유형", "Category"),
                     "adopted_at": st.column_config.DatetimeColumn(t("채택", "Adopted"), format="YYYY-MM-DD"),
                     "votes": t("공감", "Votes"),
                     "window_days": st.column_config.NumberColumn(t("비교 기간(일)", "Window (days)"), format="%.0f"),
                     "before": t("전", "Before"), "after": t("후", "After"),
                     "others_before": t("다른 곳 전", "Others before"), "others_after": t("다른 곳 후", "Others after")})
    st.caption(BY_KEY["proposal_impact"].definition)
