"""Helpers of the Participation page: source coverage, the district GeoJSON, labels and KPI cards."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from ui import fmt
from ui import suppress as sup
from ui.data import load
from ui.glossary import BY_KEY
from ui.i18n import t

CHANNEL_NAMES = {
    "app": ("앱", "App"), "web": ("웹", "Web"), "epeople": ("국민신문고", "e-People"), "phone": ("전화", "Phone"),
    "visit": ("방문", "Visit"), "mail": ("우편", "Mail"), "sns": ("SNS", "Social media"),
}
STAGE_NAMES = {
    "proposals": ("제안", "Proposals"), "with_votes": ("공감 1건 이상", "With votes"),
    "decided": ("결정됨 (채택·불채택)", "Decided (adopted or rejected)"), "adopted": ("채택", "Adopted"),
}


def not_available() -> str:
    return t("이 출처에서는 제공되지 않음", "not available for this source")


def coverage() -> dict:
    """What the loaded sources provide (reporter keys, population, proposals, ratings, boundaries)."""
    return load("participation_coverage").row(0, named=True)


def has_reporters(cov: dict) -> bool:
    return cov["items_with_reporter"] > 0


def has_population(cov: dict) -> bool:
    return cov["districts_with_population"] > 0


def channel_name(code: str | None) -> str:
    if code is None:
        return t("기록 없음", "Not recorded")
    ko, en = CHANNEL_NAMES.get(code, (code, code))
    return t(ko, en)


def with_labels(frame: pl.DataFrame, column: str, namer) -> pl.DataFrame:
    """The frame with a `label` column naming each value of `column` in the chosen language."""
    return frame.with_columns(pl.Series("label", [namer(v) for v in frame[column].to_list()], dtype=pl.String))


def stage_label(code: str) -> str:
    ko, en = STAGE_NAMES.get(code, (code, code))
    return t(ko, en)


def geojson() -> dict:
    """The district polygons (dim_district.boundary) as one FeatureCollection keyed by district_code."""
    frame = load("district_boundaries")
    features = [
        {"type": "Feature", "geometry": json.loads(r["boundary"]),
         "properties": {"district_code": r["district_code"], "name_ko": r["name_ko"], "name_en": r["name_en"]}}
        for r in frame.iter_rows(named=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _rate_card(column, label: str, key: str, cur: dict, prev: dict, help_text: str) -> None:
    if sup.hidden(cur, key):
        column.metric(label, sup.SUPPRESSED, help=BY_KEY["small_group_suppression"].definition, border=True)
        return
    value, previous = cur[key], None if sup.hidden(prev, key) else prev[key]
    delta = None if value is None or previous is None else f"{(value - previous) * 100:+.1f}%p"
    column.metric(label, fmt.pct(value), delta, help=help_text, border=True)


def _na(column, label: str, help_text: str | None) -> None:
    column.metric(label, fmt.DASH, help=help_text, border=True)
    column.caption(not_available())


def kpi_cards(cur: dict, prev: dict, cov: dict) -> None:
    """Received, participation per 1,000, repeat share, adoption rate, satisfaction and response rate with deltas
    ("<5" for investors where the group is under 5)."""
    # two rows of three: six to a row cut three of these names to "Participants …" at 1,400 px
    cols = [*st.columns(3), *st.columns(3)]
    sup.kpi_card(cols[0], "received", cur, prev)
    per_1000 = BY_KEY["participation_per_1000"]
    if not has_population(cov):
        _na(cols[1], per_1000.name, per_1000.definition)
    elif has_reporters(cov):
        sup.kpi_card(cols[1], "participation_per_1000", cur, prev)
    else:
        sup.kpi_card(cols[1], "participation_per_1000", cur, prev, value_key="received_per_1000",
                     label=t("주민 1,000명당 접수 (신청인 키 없음)", "Received per 1,000 residents (no reporter keys)"))
    if has_reporters(cov):
        sup.kpi_card(cols[2], "repeat_participant_share", cur, prev)
    else:
        _na(cols[2], BY_KEY["repeat_participant_share"].name, BY_KEY["repeat_participant_share"].definition)
    adoption = t("채택률", "Adoption rate")
    if cov["proposals"]:
        _rate_card(cols[3], adoption, "adoption_rate", cur, prev, BY_KEY["proposals"].definition)
    else:
        _na(cols[3], adoption, BY_KEY["proposals"].definition)
    response = t("만족도 응답률", "Satisfaction response rate")
    if cov["rated"]:
        sup.kpi_card(cols[4], "satisfaction_mean", cur, prev)
        _rate_card(cols[5], response, "satisfaction_response_rate", cur, prev, BY_KEY["satisfaction_mean"].definition)
    else:
        _na(cols[4], BY_KEY["satisfaction_mean"].name, BY_KEY["satisfaction_mean"].definition)
        _na(cols[5], response, BY_KEY["satisfaction_mean"].definition)


def measure_column(measure: str) -> tuple[str, str]:
    """(column, label) of the per-1,000 measure shown on the map and the ranked bars."""
    if measure == "participants":
        return "participants_per_1000", t("주민 1,000명당 참여자", "Participants per 1,000 residents")
    return "received_per_1000", t("주민 1,000명당 접수", "Received per 1,000 residents")


def bar_texts(frame: pl.DataFrame, column: str) -> list[str]:
    """Count labels of bars and funnel stages: "<5" where the group is suppressed (investors)."""
    flag = f"{column}_suppressed"
    flags = frame[flag].to_list() if flag in frame.columns else None
    return sup.texts(frame[column].to_list(), flags, lambda n: f"{n:,}")


def suppressed_caption(frame: pl.DataFrame, column: str) -> None:
    """Name the groups left out of a chart because they are under 5 (investors)."""
    flag = f"{column}_suppressed"
    if flag in frame.columns and frame[flag].any():
        st.caption(sup.SUPPRESSED + ": " + ", ".join(frame.filter(pl.col(flag))["label"].to_list()))
