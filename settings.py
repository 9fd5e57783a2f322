"""One place for configuration: paths and the city, each overridable by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
CITIES_DIR = DATA_DIR / "cities"


def db_path() -> Path:
    """The warehouse file: $WAREHOUSE_PATH, else data/warehouse.duckdb."""
    return Path(os.environ.get("WAREHOUSE_PATH") or DATA_DIR / "warehouse.duckdb")


def city() -> str:
    """The city whose reference data (districts, population, SLA, targets) the warehouse uses.

    An empty $WAREHOUSE_CITY means none: districts are then taken as the sources name them.
    """
    return os.environ.get("WAREHOUSE_CITY", "sejong")


def city_dir(name: str | None = None) -> Path | None:
    name = city() if name is None else name
    return CITIES_DIR / name if name else None
