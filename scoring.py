"""The city score (CityScore-style): each headline KPI against its target, averaged.

ratio = value ÷ target where higher is better, target ÷ value where lower is better; each ratio is
capped at 2 so that one KPI far beyond target (e.g. a 0-hour response) cannot hide the others.
A KPI with no value (no data for this source or filter) is left out and the score says how many it used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import settings

CAP = 2.0


@dataclass(frozen=True)
class Part:
    key: str
    value: float | None
    target: float
    direction: str
    ratio: float | None


@dataclass(frozen=True)
class Score:
    score: float | None
    parts: list[Part]

    @property
    def used(self) -> int:
        return sum(p.ratio is not None for p in self.parts)


@cache
def targets(city: str | None = None) -> dict[str, dict]:
    folder = settings.city_dir(city)
    path = None if folder is None else Path(folder) / "targets.toml"
    if path is None or not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def ratio(value: float | None, target: float, direction: str) -> float | None:
    if value is None or target is None:
        return None
    if direction == "lower":
        return CAP if value <= 0 else min(target / value, CAP)
    return min(max(value / target, 0.0), CAP) if target > 0 else None


def city_score(values: dict[str, float | None], goals: dict[str, dict]) -> Score:
    parts = [
        Part(key, values.get(key), spec["target"], spec["direction"], ratio(values.get(key), spec["target"], spec["direction"]))
        for key, spec in goals.items()
    ]
    used = [p.ratio for p in parts if p.ratio is not None]
    return Score(sum(used) / len(used) if used else None, parts)
