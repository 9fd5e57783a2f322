"""The metric catalogue (metrics.toml) and unit conversions onto its units."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from warehouse.profile import normalize_name

UNIT_ALIASES = {
    "㎍/㎥": "µg/m³", "ug/m3": "µg/m³", "μg/m³": "µg/m³", "µg/m3": "µg/m³", "μg/m3": "µg/m³",
    "db": "dB", "db(a)": "dB", "dba": "dB", "c": "°C", "degc": "°C", "℃": "°C",
    "kwh": "kWh", "wh": "Wh", "veh/h": "veh/h", "vehicles/h": "veh/h", "km/h": "km/h",
    "ppm": "ppm", "ppb": "ppb", "m": "m", "cm": "cm", "mm": "mm", "%": "%", "mg/m³": "mg/m³",
}
# (from, to) → factor: value_in_to = value_in_from × factor
CONVERSIONS = {("ppb", "ppm"): 0.001, ("mg/m³", "µg/m³"): 1000.0, ("Wh", "kWh"): 0.001, ("cm", "m"): 0.01}


@cache
def metrics() -> dict[str, dict]:
    path = Path(__file__).resolve().parent / "metrics.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    text = unit.strip()
    return UNIT_ALIASES.get(text, UNIT_ALIASES.get(text.lower(), text))


def factor(metric: str, unit: str | None) -> float | None:
    """Multiplier taking a value in `unit` onto the catalogue unit; None when no conversion is known."""
    target = metrics()[metric]["unit"]
    source = canonical_unit(unit) or target
    if source == target:
        return 1.0
    return CONVERSIONS.get((source, target))


@cache
def alias_map() -> dict[str, str]:
    """Normalized alias → metric name, for sources that name metrics in words."""
    out = {}
    for name, spec in metrics().items():
        out[normalize_name(name)] = name
        for alias in spec.get("aliases", []):
            out[normalize_name(alias)] = name
    return out
