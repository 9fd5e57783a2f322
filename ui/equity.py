"""Equity across districts: participation per 1,000 residents and median days to close (queries/equity_districts.sql),
their population-weighted Lorenz curves and Gini coefficients, and the districts flagged under-heard or under-served."""

from __future__ import annotations

import polars as pl
import streamlit as st

import vega_charts
from ui import fmt, vega
from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY
from ui.i18n import lang, t


def lorenz(values: list[float], weights: list[float]) -> pl.DataFrame:
    """Lorenz curve points from (0, 0): groups sorted by value, cumulative share of weight (population) against
    cumulative share of weight × value. Groups with a null value or weight are left out."""
    pairs = sorted((v, w) for v, w in zip(values, weights, strict=True) if v is not None and w)
    total_w = sum(w for _, w in pairs)
    total_v = sum(v * w for v, w in pairs)
    xs, ys, cw, cv = [0.0], [0.0], 0.0, 0.0
    for v, w in pairs:
        cw += w
        cv += v * w
        xs.append(cw / total_w)
        ys.append(cv / total_v if total_v else 0.0)
    return pl.DataFrame({"population_share": xs, "value_share": ys})


def gini(values: list[float], weights: list[float]) -> float | None:
    """Weighted Gini coefficient = 1 − Σ (Xₖ − Xₖ₋₁)(Yₖ + Yₖ₋₁) over the Lorenz points (exact for grouped data);
    None when nothing is measured or every value is 0."""
    curve = lorenz(values, weights)
    if curve.height < 2 or curve["value_share"][-1] == 0:
        return None
    x, y = curve["population_share"].to_list(), curve["value_share"].to_list()
    return 1.0 - sum((x[k] - x[k - 1]) * (y[k] + y[k - 1]) for k in range(1, len(x)))


def render(f: Filters) -> None:
    rows = load("equity_districts", **f.params())
    if rows.is_empty():
        st.info(t("읍면동 참조 자료가 없습니다.", "No reference districts."))
        return
    weights = rows["population"].cast(pl.Float64).to_list()
    participation, days = rows["participation_per_1000"].to_list(), rows["median_days_to_close"].to_list()
    basis = rows["basis"][0]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("참여 지니 계수", "Participation Gini"), fmt.num(gini(participation, weights), 2), border=True,
              help=BY_KEY["equity"].definition)
    c2.metric(t("처리 기간 지니 계수", "Time-to-close Gini"), fmt.num(gini(days, weights), 2), border=True,
              help=BY_KEY["equity"].definition)
    c3.metric(t("소외 읍면동", "Under-heard districts"), fmt.num(rows["under_heard"].sum()), border=True,
              help=BY_KEY["equity"].definition)
    c4.metric(t("서비스 부족 읍면동", "Under-served districts"), fmt.num(rows["under_served"].sum()), border=True,
              help=BY_KEY["equity"].definition)
    curves = [(t("참여", "Participation"), lorenz(participation, weights)),
              (t("처리 기간", "Days to close"), lorenz(days, weights))]
    vega.chart(vega_charts.lorenz_curves(curves, t("완전 평등", "Equality"), t("인구 누적 비율", "Cumulative share of residents"),
                                         t("값 누적 비율", "Cumulative share of the value")), "lorenz_chart")
    label = "name_ko" if lang() == "ko" else "name_en"
    unit = t("참여자", "participants") if basis == "reporters" else t("접수 건수(신청인 키 없음)", "items (no reporter keys)")
    st.dataframe(rows.sort("under_heard", "under_served", "participation_per_1000", descending=[True, True, False])
                 .select(label, "population", "reporters", "received", "participation_per_1000", "median_days_to_close",
                         "under_heard", "under_served").to_pandas(),
                 hide_index=True, key="equity_table", column_config={
                     label: t("읍면동", "District"), "population": t("인구", "Population"),
                     "reporters": t("참여자", "Participants"), "received": t("접수", "Received"),
                     "participation_per_1000": st.column_config.NumberColumn(t("1,000명당 ", "Per 1,000: ") + unit, format="%.2f"),
                     "median_days_to_close": st.column_config.NumberColumn(t("처리 기간 중앙값(일)", "Median days to close"),
                                                                           format="%.1f"),
                     "under_heard": t("소외", "Under-heard"), "under_served": t("서비스 부족", "Under-served")})
    city = rows.row(0, named=True)
    st.caption(t(f"시 전체: 1,000명당 {fmt.num(city['city_participation_per_1000'], 2)}, 처리 기간 중앙값 "
                 f"{fmt.days(city['city_median_days_to_close'])}. ",
                 f"City: {fmt.num(city['city_participation_per_1000'], 2)} per 1,000, median "
                 f"{fmt.days(city['city_median_days_to_close'])} to close. ") + BY_KEY["equity"].definition)
