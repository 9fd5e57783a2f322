"""Benchmark tiers: how much data each one generates and how many times each figure is measured."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"

# One station carries one of these metric sets (cycled over the stations): environment, urban, water/energy.
STATION_KINDS: list[tuple[str, ...]] = [
    ("pm10", "pm25", "no2", "o3"),
    ("temperature", "humidity", "noise", "traffic_volume"),
    ("water_level", "rainfall", "power", "speed"),
]


@dataclass(frozen=True)
class Tier:
    """A data size plus the number of repetitions of each measurement (figures are medians over `runs`)."""

    name: str
    complaints: int
    stations: int
    metrics_per_station: int
    start: dt.date
    days: int
    interval_s: int = 300
    runs: int = 5
    build_runs: int = 5
    browser: bool = True
    baseline_runs: int = 5

    @property
    def series(self) -> int:
        return self.stations * self.metrics_per_station

    @property
    def readings(self) -> int:
        return self.series * self.days * (86400 // self.interval_s)

    @property
    def end(self) -> dt.date:
        """First day after the generated history: the day the incremental ingest adds."""
        return self.start + dt.timedelta(days=self.days)

    @property
    def data_dir(self) -> Path:
        return DATA_DIR / self.name


TIERS = {
    # a few seconds end to end: proves the harness (CI runs it through tests/test_bench_smoke.py)
    "smoke": Tier("smoke", complaints=2_000, stations=2, metrics_per_station=2, start=dt.date(2025, 1, 1), days=14,
                  runs=1, build_runs=1, browser=False, baseline_runs=1),
    # 100k complaints, 2.52M readings (24 series × 5 min × 1 year): a few minutes
    "ci": Tier("ci", complaints=100_000, stations=6, metrics_per_station=4, start=dt.date(2025, 1, 1), days=365),
    # Sejong for five years: 1M complaints, 262.9M readings (500 series × 5 min × 1826 days)
    "city": Tier("city", complaints=1_000_000, stations=125, metrics_per_station=4, start=dt.date(2021, 1, 1), days=1826,
                 baseline_runs=1),
}


def tier(name: str) -> Tier:
    if name not in TIERS:
        raise SystemExit(f"unknown tier {name!r}; known: {', '.join(TIERS)}")
    return TIERS[name]
