"""The baseline: the Overview and Infrastructure KPIs computed the way most Streamlit tutorials do it —
pandas reading the export files and aggregating on every rerun (no warehouse, no rollups).

The KPIs mirror ours for the default period (the last 30 days up to the newest record): received, closed,
resolution rate, median days to close, first response hours, on-time rate, satisfaction, the daily trend,
the districts' on-time ranking, and per sensor × metric its last reading, completeness, staleness and daily
means. When the tier's sensor files cannot all be held in memory by pandas (the city tier), the sensor part
is timed on `sample_files` monthly files and scaled to all of them (marked `extrapolated`).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

CLOSED = ["답변완료", "처리완료"]
MAX_SENSOR_ROWS_IN_MEMORY = 30_000_000


def _complaints(files: list[Path]) -> dict:
    df = pd.concat([pd.read_csv(f, encoding="cp949") for f in files], ignore_index=True)
    for col in ("접수일시", "최초답변일시", "처리일시"):
        df[col] = pd.to_datetime(df[col])
    end = df["접수일시"].max().normalize() + pd.Timedelta(days=1)
    out = {}
    month = pd.Timedelta(days=30)
    for label, lo, hi in (("current", end - month, end), ("previous", end - 2 * month, end - month)):
        cur = df[(df["접수일시"] >= lo) & (df["접수일시"] < hi)]
        closed = cur["처리상태"].isin(CLOSED)
        days = (cur["처리일시"] - cur["접수일시"]).dt.total_seconds() / 86400
        due = cur["접수일시"] + pd.Timedelta(days=7)
        out[label] = {
            "received": len(cur), "closed": int(closed.sum()), "resolution_rate": float(closed.mean()),
            "median_days_to_close": float(days[closed].median()),
            "first_response_hours": float(((cur["최초답변일시"] - cur["접수일시"]).dt.total_seconds() / 3600).mean()),
            "on_time_rate": float((cur["처리일시"][closed] <= due[closed]).mean()),
            "satisfaction_mean": float(cur["만족도"].mean()),
        }
        if label == "current":
            trend = cur.groupby(cur["접수일시"].dt.date).agg(
                received=("접수번호", "count"), closed=("처리상태", lambda s: s.isin(CLOSED).sum()))
            on_time = (cur["처리일시"] <= due).where(closed)
            ranking = on_time.groupby(cur["읍면동"]).mean().sort_values().head(8)
            out["trend_days"], out["districts"] = len(trend), len(ranking)
    return out


def _sensors(files: list[Path]) -> dict:
    s = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    s["measured_at"] = pd.to_datetime(s["measured_at"])
    end = s["measured_at"].max()
    period = s[s["measured_at"] > end - pd.Timedelta(days=30)]
    last = s.groupby(["station", "metric"])["measured_at"].max()
    stale = (end - last) > pd.Timedelta(minutes=15)
    completeness = period.groupby(["station", "metric"]).size() / (30 * 288)
    daily = period.groupby(["station", "metric", period["measured_at"].dt.date])["value"].mean()
    latest = s.sort_values("measured_at").groupby(["station", "metric"]).tail(1)
    return {"series": len(last), "stale": int(stale.sum()), "completeness": float(completeness.mean()),
            "daily_rows": len(daily), "latest": len(latest)}


def run_once(complaint_files: list[Path], sensor_files: list[Path], readings: int, sample_files: int = 3) -> dict:
    """Seconds for one rerun of the tutorial-style page (complaints part + sensors part)."""
    t0 = time.perf_counter()
    _complaints(complaint_files)
    t1 = time.perf_counter()
    extrapolated = readings > MAX_SENSOR_ROWS_IN_MEMORY
    if extrapolated:
        sample = sensor_files[-sample_files:]
        _sensors(sample)
        sensors_s = (time.perf_counter() - t1) * len(sensor_files) / len(sample)
    else:
        _sensors(sensor_files)
        sensors_s = time.perf_counter() - t1
    return {"complaints_s": t1 - t0, "sensors_s": sensors_s, "total_s": (t1 - t0) + sensors_s, "extrapolated": extrapolated}
