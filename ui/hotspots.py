"""Hotspots (queries/hotspots.sql): ~250 m grid cells with repeated complaints, each with the nearest sensor that had
anomalous hours in the period. Only cell centres are shown, never a complaint's own point."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY
from ui.i18n import t
from ui.linkage import metric_name


def render(f: Filters) -> None:
    cells = load("hotspots", **f.params())
    st.markdown(f"**{BY_KEY['hotspot'].name}** · {cells.height}")
    metrics = {m: metric_name(m) for m in cells["sensor_metric"].unique().drop_nulls()}
    shown = cells.with_columns(
        pl.col("sensor_metric").replace_strict(metrics, default=pl.col("sensor_metric"), return_dtype=pl.String)
        .alias("metric_name"))
    st.dataframe(shown.select("lat", "lon", "items", "top_category", "top_category_items", "sensor_name", "metric_name",
                              "sensor_anomalous_hours", "sensor_distance_km").to_pandas(),
                 hide_index=True, key="hotspots_table", column_config={
                     "lat": st.column_config.NumberColumn(t("위도(칸 중심)", "Latitude (cell centre)"), format="%.5f"),
                     "lon": st.column_config.NumberColumn(t("경도(칸 중심)", "Longitude (cell centre)"), format="%.5f"),
                     "items": t("건수", "Items"), "top_category": t("가장 많은 유형", "Top category"),
                     "top_category_items": t("그 유형 건수", "Its items"), "sensor_name": t("가까운 이상 센서", "Nearest anomalous sensor"),
                     "metric_name": t("항목", "Metric"), "sensor_anomalous_hours": t("이상 시간", "Anomalous hours"),
                     "sensor_distance_km": st.column_config.NumberColumn(t("거리(km)", "Distance (km)"), format="%.2f")})
    st.caption(BY_KEY["hotspot"].definition)
