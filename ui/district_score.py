"""The city score per district, with each KPI's contribution shown (explainable, not a black box).

A district's score is scoring.city_score over its own KPIs: the complaint KPIs of queries/district_score_kpis.sql
(kpi_headline's definitions per district) and the sensor KPIs of its own sensors (sensor_status, aq_daily_grades).
A KPI's contribution = its ratio to target ÷ the KPIs used, so the contributions add up to the score.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import scoring
import vega_charts
from ui import fmt, vega
from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY
from ui.i18n import lang, t


def sensor_kpis(status: pl.DataFrame, grades: pl.DataFrame) -> dict[str, dict[str, float]]:
    """district_code → sensor_completeness (mean over its sensor × metric rows) and aq_good_share (share of its
    station-days graded good): the same definitions as the city-wide KPIs, over the district's own sensors."""
    out: dict[str, dict[str, float]] = {}
    for (code,), part in status.filter(pl.col("district_code").is_not_null()).group_by(["district_code"]):
        out.setdefault(code, {})["sensor_completeness"] = part["completeness"].mean()
    for (code,), part in grades.filter(pl.col("district_code").is_not_null()).group_by(["district_code"]):
        out.setdefault(code, {})["aq_good_share"] = (part["grade"] == 1).mean()
    return out


def district_scores(kpis: pl.DataFrame, sensors: dict[str, dict[str, float]], goals: dict[str, dict]) -> pl.DataFrame:
    """One row per district: score, KPIs used, and per KPI its value, ratio and contribution (ratio ÷ used)."""
    rows = []
    for row in kpis.iter_rows(named=True):
        values = {**row, **sensors.get(row["district_code"], {})}
        score = scoring.city_score(values, goals)
        out = {"district_code": row["district_code"], "name_ko": row["name_ko"], "name_en": row["name_en"],
               "received": row["received"], "score": score.score, "used": score.used}
        for part in score.parts:
            out[f"{part.key}_value"] = part.value
            out[f"{part.key}_ratio"] = part.ratio
            out[f"{part.key}_contribution"] = None if part.ratio is None else part.ratio / score.used
        rows.append(out)
    return pl.DataFrame(rows, infer_schema_length=None)


def render(f: Filters) -> None:
    params = f.params()
    goals = scoring.targets()
    if not goals:
        st.info(t("이 도시에는 KPI 목표(targets.toml)가 없습니다.", "This city has no KPI targets (targets.toml)."))
        return
    scores = district_scores(load("district_score_kpis", **params),
                             sensor_kpis(load("sensor_status", **{**params, "district": None}),
                                         load("aq_daily_grades", **{**params, "district": None})), goals)
    scored = scores.filter(pl.col("score").is_not_null()).sort("score", "district_code")
    if scored.is_empty():
        st.info(t("기간에 점수를 낼 읍면동 자료가 없습니다.", "No district has data for a score in this period."))
        return
    label = "name_ko" if lang() == "ko" else "name_en"
    parts = [(f"{key}_contribution", BY_KEY[key].name if key in BY_KEY else key) for key in goals]
    title = t("읍면동 점수 (낮은 순) = 지표별 기여의 합", "District score (lowest first) = sum of KPI contributions")
    bars = scored.with_columns(pl.col(c).fill_null(0.0) for c, _ in parts)  # a KPI without a value adds nothing
    vega.chart(vega_charts.score_contributions(bars, label, parts, title), "district_score_chart")
    st.caption(BY_KEY["district_score"].definition + " " + BY_KEY["city_score"].definition)
    columns = {"score": st.column_config.NumberColumn(BY_KEY["city_score"].name, format="%.2f"),
               "used": t("쓰인 지표", "KPIs used"), label: t("읍면동", "District"), "received": t("접수", "Received")}
    for key in goals:
        columns[f"{key}_ratio"] = st.column_config.NumberColumn(BY_KEY[key].name if key in BY_KEY else key, format="%.2f")
    st.dataframe(scored.select(label, "score", "used", "received", *[f"{k}_ratio" for k in goals]).to_pandas(),
                 hide_index=True, key="district_score_table", column_config=columns)
    st.caption(t("표의 지표 칸 = 목표 대비 비율 (1 이상이면 목표 달성, 최대 2). ",
                 "KPI columns = ratio to target (1 or more is on target, capped at 2). ") + fmt.DASH
               + t(" = 값 없음.", " = no value."))
