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


def raw_dir() -> Path:
    """Where `pull` writes what it fetched (data/raw/<source>/<UTC time>/): $WAREHOUSE_RAW_DIR, else data/raw."""
    return Path(os.environ.get("WAREHOUSE_RAW_DIR") or DATA_DIR / "raw")


def profiles_dir() -> Path:
    """Profiles saved from the upload page's mapping editor: $WAREHOUSE_PROFILES_DIR, else data/profiles."""
    return Path(os.environ.get("WAREHOUSE_PROFILES_DIR") or DATA_DIR / "profiles")


def uploads_dir() -> Path:
    """Where uploaded files are kept, original bytes, one folder per upload: <raw dir>/uploads."""
    return raw_dir() / "uploads"


def upload_limit_mb() -> float:
    """Largest file the upload page accepts, in MB: $WAREHOUSE_UPLOAD_LIMIT_MB, else 200.

    Keep it at or below `server.maxUploadSize` in .streamlit/config.toml, which the uploader enforces first.
    """
    value = os.environ.get("WAREHOUSE_UPLOAD_LIMIT_MB")
    try:
        return float(value) if value else 200.0
    except ValueError:
        return 200.0


def writer_memory_limit() -> str:
    """DuckDB memory of a write (ingest, pull, upload, build): $WAREHOUSE_WRITER_MEMORY, else 4 GB (half the RAM
    on a smaller machine).

    DuckDB's own default (80% of RAM) would leave too little beside the parser and the dashboard. Beyond the
    limit a write spills to the temporary folder next to the warehouse instead of failing. A year of a city's
    readings (53 million, one batch) loaded faster at 2–4 GB than at 12 GB here (README, Performance): its aggregations
    then work in cache-sized partitions.
    """
    if os.environ.get("WAREHOUSE_WRITER_MEMORY"):
        return os.environ["WAREHOUSE_WRITER_MEMORY"]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{min(4 << 30, max(ram // 2, 1 << 30)) // (1 << 20)}MB"


def reader_memory_limit() -> str:
    """DuckDB memory of the dashboard's reader: $WAREHOUSE_READER_MEMORY, else 512MB.

    DuckDB keeps what it has read cached up to its limit (80% of RAM by default), which would grow the
    dashboard process towards the size of the data it has shown; pages read rollups, which fit easily,
    and larger work (an analyst's query) spills to the temporary directory instead of failing.
    """
    return os.environ.get("WAREHOUSE_READER_MEMORY") or "512MB"
