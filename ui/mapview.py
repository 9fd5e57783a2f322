"""Helpers of the map page: the district-KPI allow-list, small-group suppression, sensor status per sensor,
tooltip texts in the chosen language, and the Deck (drawn by maps.py)."""

from __future__ import annotations

import polars as pl
import pydeck as pdk

import maps
import scoring
from ui import fmt
from ui.glossary import BY_KEY
from ui.i18n import lang, t

# The choropleth's KPIs (allow-list): column of queries/district_kpis.sql → (name ko, name en, format).
KPIS = {
    "received": ("접수 건수", "Received", fmt.num),
    "received_per_1000": ("주민 1,000명당 접수", "Received per 1,000 residents", lambda v: fmt.num(v, 2)),
    "on_time_rate": ("기한 내 처리율", "On-time rate", fmt.pct),
    "median_days_to_close": ("처리 기간 중앙값", "Median days to close", fmt.days),
    "backlog": ("미처리 잔량", "Backlog", fmt.num),
}
# Rates and medians of fewer than MIN_GROUP complaints are not shown: they say more about one person's case
# than about the district (the same threshold as the investors' small-group rule).
MIN_GROUP = 5
SMALL_GROUP_KPIS = ("on_time_rate", "median_days_to_close")
STATUS_NAMES = {
    "ok": ("정상", "OK"), "stale": ("지연", "Stale"), "flat_lined": ("고정값", "Flat-lined"),
    "low_completeness": ("수집률 낮음", "Low completeness"),
}


def kpi_label(key: str) -> str:
    ko, en, _ = KPIS[key]
    return t(ko, en)


def kpi_help(key: str) -> str | None:
    kpi = BY_KEY.get(key if key != "received_per_1000" else "received")
    return kpi.definition if kpi else None


def status_name(status: str) -> str:
    return t(*STATUS_NAMES[status])


def completeness_target() -> float:
    """Below the city's sensor-completeness target (targets.toml) a sensor counts as low completeness."""
    return float(scoring.targets().get("sensor_completeness", {}).get("target", 0.95))


def district_frame(kpis: pl.DataFrame, key: str) -> pl.DataFrame:
    """queries/district_kpis.sql with `value` (the chosen KPI, small groups suppressed), `name` in the
    chosen language and `tip` (the tooltip text)."""
    if key not in KPIS:
        raise KeyError(f"not an allowed district KPI: {key!r}")
    show = KPIS[key][2]
    small = (pl.col("received") < MIN_GROUP) if key in SMALL_GROUP_KPIS else pl.lit(False)
    out = kpis.with_columns(
        pl.when(small).then(None).otherwise(pl.col(key)).cast(pl.Float64).alias("value"),
        small.alias("suppressed"),
        (pl.col("name_ko") if lang() == "ko" else pl.coalesce("name_en", "name_ko")).alias("name"),
    )
    label = kpi_label(key)
    hidden = t(f"{MIN_GROUP}건 미만이라 표시하지 않음", f"fewer than {MIN_GROUP} complaints: not shown")
    tips = [
        f"<b>{r['name']}</b><br>{label}: {hidden if r['suppressed'] else show(r['value'])}"
        for r in out.iter_rows(named=True)
    ]
    return out.with_columns(pl.Series("tip", tips, dtype=pl.String))


def sensor_frame(points: pl.DataFrame, status: pl.DataFrame, target: float) -> pl.DataFrame:
    """One row per sensor of queries/sensor_points.sql that has rows in queries/sensor_status.sql, with its
    status: stale if any metric is stale, else flat-lined if any metric was flat in the period (flat_in_period),
    else low completeness if any metric's completeness is below `target`, else ok; and its tooltip."""
    if points.is_empty() or status.is_empty():
        return pl.DataFrame(schema={"lon": pl.Float64, "lat": pl.Float64, "status": pl.String, "tip": pl.String})
    per_sensor = status.group_by("sensor_id").agg(
        pl.col("stale").any().alias("stale"), pl.col("flat_in_period").any().alias("flat_lined"),
        pl.col("completeness").min().alias("completeness"),
    )
    out = points.join(per_sensor, on="sensor_id", how="inner").with_columns(
        pl.when(pl.col("stale")).then(pl.lit("stale"))
        .when(pl.col("flat_lined")).then(pl.lit("flat_lined"))
        .when(pl.col("completeness") < target).then(pl.lit("low_completeness"))
        .otherwise(pl.lit("ok")).alias("status"),
    )
    district = "district_ko" if lang() == "ko" else "district_en"
    where = t(" · 위치: 읍면동 중심점", " · location: district centroid")
    tips = [
        f"<b>{r['name']}</b><br>{r[district] or r['district_ko'] or '–'}<br>{status_name(r['status'])}"
        f" · {t('수집률', 'completeness')} {fmt.pct(r['completeness'])}{where if r['at_centroid'] else ''}"
        for r in out.iter_rows(named=True)
    ]
    return out.with_columns(pl.Series("tip", tips, dtype=pl.String)).sort("sensor_id")


def build(districts: pl.DataFrame, points: pl.DataFrame, sensors: pl.DataFrame, heatmap: bool, basemap: bool) -> pdk.Deck:
    """Districts (KPI fill and outline), complaints (hexagons or heatmap) and sensors, bottom to top."""
    layers = [maps.district_layer(maps.district_features(districts, "value", "name", "tip"))]
    if points.height:
        layers.append(maps.heatmap_layer(points) if heatmap else maps.hexagon_layer(points))
    if sensors.height:
        layers.append(maps.sensor_layer(sensors))
    return maps.deck(layers, maps.view_state(districts, pitch=0 if heatmap else 35), basemap=basemap)
