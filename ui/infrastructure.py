"""Helpers of the infrastructure-health page: the domain table, metric names, grade names and thresholds."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ui import fmt
from ui.data import load
from ui.filters import Filters, domain_name
from ui.i18n import t
from warehouse.catalog import metrics

# The five infrastructure domains of the platform ('other' has no sensors and is left out).
INFRA_DOMAINS = ("transport", "safety", "disaster", "energy", "environment")

# The Korean air-quality grade names (queries/aq_daily_grades.sql: 1 good … 4 very bad).
GRADE_NAMES = {1: ("좋음", "good"), 2: ("보통", "moderate"), 3: ("나쁨", "bad"), 4: ("매우나쁨", "very bad")}

# Threshold lines on the time series: metric → [(value, label ko, label en)].
THRESHOLDS = {
    # PM2.5 and PM10 (µg/m³): the Ministry of Environment's air-quality forecast grades (환경부 대기질 예보
    # 등급, in force since 2018-03-27), the upper edges of 좋음 / 보통 / 나쁨 — the same bands as
    # queries/aq_daily_grades.sql and the glossary's aq_good_share; 75 / 150 are also the advisory
    # (주의보) levels queries/aq_episodes.sql uses.
    "pm25": [(15, "좋음 상한 15", "good ≤ 15"), (35, "보통 상한 35", "moderate ≤ 35"), (75, "나쁨 상한 75", "bad ≤ 75")],
    "pm10": [(30, "좋음 상한 30", "good ≤ 30"), (80, "보통 상한 80", "moderate ≤ 80"), (150, "나쁨 상한 150", "bad ≤ 150")],
    # Noise (dB): 65 dB(A) Leq, the daytime (06–22 h) environmental standard for roadside areas of
    # residential zones, 환경정책기본법 시행령 별표 1 (환경기준), 소음 — 도로변지역. It is a daytime
    # guideline: night-time hours are drawn against it too, and the night standard (55 dB) is lower.
    "noise": [(65, "낮 시간 기준 65 dB", "daytime guideline 65 dB")],
}

# Periods longer than this are drawn day by day (agg_sensor_daily), shorter ones hour by hour.
HOURLY_MAX_DAYS = 31

NOT_AVAILABLE = ("이 출처에서는 제공되지 않음", "Not available for this source")


def not_available() -> str:
    return t(*NOT_AVAILABLE)


def metric_name(metric: str) -> str:
    spec = metrics().get(metric, {})
    return t(spec.get("name_ko", metric), spec.get("name_en", metric))


def grade_names() -> dict[int, str]:
    return {g: t(ko, en) for g, (ko, en) in GRADE_NAMES.items()}


def thresholds(metric: str) -> list[tuple[float, str]]:
    return [(value, t(ko, en)) for value, ko, en in THRESHOLDS.get(metric, [])]


def series_query(f: Filters) -> str:
    """sensor_series_hourly for periods of up to HOURLY_MAX_DAYS days, else sensor_series_daily."""
    return "sensor_series_hourly" if (f.end - f.start).days <= HOURLY_MAX_DAYS else "sensor_series_daily"


# The flat-line check (queries/sensor_runs.sql) looks at most at the period's last RUNS_MAX_DAYS days. Why: it has
# to read the raw readings in time order, and a year of a city's (500 series every 5 minutes: 52.6M readings) took
# 86 s and then exhausted the page's 488 MB of DuckDB memory; 31 days take about half a second. A month also answers
# the mayor's question, "which sensors are stuck now", where a year flags any half hour of one value.
RUNS_MAX_DAYS = 31


def runs_start(f: Filters) -> dt.datetime:
    """The first instant the flat-line check reads: the period's start, or local midnight RUNS_MAX_DAYS days before
    its end when the period is longer."""
    cap = dt.datetime.combine(f.end.date() - dt.timedelta(days=RUNS_MAX_DAYS), dt.time(), f.end.tzinfo)
    return max(f.start, cap)


def runs_params(f: Filters) -> dict:
    """The filters' parameters for queries/sensor_runs.sql: the period, cut to its last RUNS_MAX_DAYS days."""
    return {**f.params(), "start": runs_start(f)}


def runs_note(f: Filters) -> str:
    """What "flat-lined" covers in this period, for the captions next to it."""
    if runs_start(f) == f.start:
        return t("고정값 = 기간 중 같은 값 6회 이상 연속.", "Flat-lined = one value 6+ readings in a row in the period.")
    return t(f"고정값 = 기간의 마지막 {RUNS_MAX_DAYS}일 중 같은 값 6회 이상 연속(긴 기간은 최근 {RUNS_MAX_DAYS}일만 봄).",
             f"Flat-lined = one value 6+ readings in a row in the period's last {RUNS_MAX_DAYS} days (longer periods "
             f"are checked over their last {RUNS_MAX_DAYS} days only).")


def sensor_health(f: Filters) -> pl.DataFrame:
    """Each sensor × metric's health as Infrastructure and Map show it: sensor_status with the flat-line runs, read
    over runs_params (so no page reads a long period's raw readings)."""
    return with_runs(load("sensor_status", **f.params()), load("sensor_runs", **runs_params(f)))


def with_runs(status: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """queries/sensor_status.sql with the period's longest run of one value (queries/sensor_runs.sql) per sensor ×
    metric: longest_run 0 and flat_in_period false where the period has no reading."""
    return status.join(runs, on=["sensor_id", "metric"], how="left", maintain_order="left").with_columns(
        pl.col("longest_run").fill_null(0), pl.col("flat_in_period").fill_null(False))


def domain_summary(health: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """queries/domain_health.sql joined with per-domain sensor health (`with_runs`).

    completeness = mean of completeness over the domain's sensor × metric rows (readings ÷ period ÷
    interval, as the glossary defines it); stale / flat_lined = sensors with any stale / flat-in-period
    metric. A domain with no sensor rows gets nulls (not zeros): nothing was measured.
    """
    schema = {"domain": pl.String, "completeness": pl.Float64, "stale": pl.UInt32, "flat_lined": pl.UInt32}
    per_domain = pl.DataFrame(schema=schema) if status.is_empty() else (
        status.group_by("domain").agg(
            pl.col("completeness").mean().alias("completeness"),
            pl.col("sensor_id").filter(pl.col("stale")).n_unique().alias("stale"),
            pl.col("sensor_id").filter(pl.col("flat_in_period")).n_unique().alias("flat_lined"),
        ).cast(schema)
    )
    return (
        health.join(per_domain, on="domain", how="left", maintain_order="left")
        .select("domain", "sensors", "completeness", "stale", "flat_lined", "received", "closed", "overdue")
    )


def domain_display(domains: pl.DataFrame) -> pl.DataFrame:
    """The domain table for show: domain names in the chosen language, a dash (not 0) where nothing is measured."""
    out = with_names(domains).drop("domain").rename({"domain_name": "domain"})
    dash = {c: pl.col(c).cast(pl.String).fill_null(fmt.DASH) for c in ("stale", "flat_lined")}
    return out.with_columns(**dash).select(domains.columns)


def default_series(keys: list[str]) -> int:
    """The first PM2.5 series ("sensor_id|metric" keys) if there is one, else the first."""
    return next((i for i, k in enumerate(keys) if k.endswith("|pm25")), 0)


def sensor_label(row: dict, district_names: dict[str, str]) -> str:
    district = district_names.get(row["district_code"], row["district_code"] or "–")
    return f"{row['name']} · {metric_name(row['metric'])} ({district})"


def with_names(frame: pl.DataFrame, district_names: dict[str, str] | None = None) -> pl.DataFrame:
    """Adds district, metric_name and domain_name columns (for those of district_code, metric and domain the
    frame has) in the chosen language. The names are looked up here, in the script thread: t() must not run
    inside polars' worker threads, where the session (and so the language) is unknown."""
    lookups = {"district_code": ("district", district_names or {}), "metric": ("metric_name", None),
               "domain": ("domain_name", None)}
    out = frame
    for col, (alias, names) in lookups.items():
        if col not in frame.columns:
            continue
        if names is None:
            name = metric_name if col == "metric" else domain_name
            names = {v: name(v) for v in frame[col].unique().drop_nulls()}
        out = out.with_columns(pl.col(col).replace_strict(names, default=pl.col(col), return_dtype=pl.String).alias(alias))
    return out
