"""The small KPI fixture warehouse every query test uses, built with the real build from tests/fixtures/kpi/.

The expected KPI values, worked out by hand from the fixture rows, are in tests/fixtures/kpi/EXPECTED.md.
Periods are half-open [start, end) on requested_at, in Korean time (the warehouse's city timezone).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `warehouse` and `settings` live at the repository root
    sys.path.insert(0, str(ROOT))

KPI_DIR = Path(__file__).resolve().parent / "fixtures" / "kpi"
KST = ZoneInfo("Asia/Seoul")

# as_of = the latest timestamp in the warehouse: the last air-quality and SensorThings readings.
AS_OF = dt.datetime(2025, 3, 29, 23, 0, tzinfo=KST)
PERIOD = (dt.datetime(2025, 3, 16, tzinfo=KST), dt.datetime(2025, 3, 30, tzinfo=KST))
PREVIOUS_PERIOD = (dt.datetime(2025, 3, 2, tzinfo=KST), dt.datetime(2025, 3, 16, tzinfo=KST))
CITY = "sejong"
REPORTER_KEY = "test-key"

# (dataset, files, profile) in build order
BATCHES = (
    ("complaints", ("minwon.csv",), "kr_minwon"),
    ("sensors", ("air.csv",), "airkorea"),
    ("sensors", ("things.json",), "sensorthings"),
)


@contextmanager
def _env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block, then put the old values back."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build_kpi_warehouse(path: Path) -> Path:
    """Build the KPI fixture warehouse at `path` (a .duckdb file, or a directory to put kpi.duckdb in).

    Three real ingests: the 민원 export (kr_minwon), the AirKorea export (airkorea) and the
    SensorThings document (sensorthings). The city is forced to Sejong; without
    $WAREHOUSE_REPORTER_KEY the deterministic test key is used (never the installation's key file).
    """
    from warehouse.build import ingest

    path = Path(path)
    db = path / "kpi.duckdb" if path.is_dir() or not path.suffix else path
    if db.exists():
        raise FileExistsError(f"{db} exists: the KPI fixture is built into a fresh file")
    key = os.environ.get("WAREHOUSE_REPORTER_KEY") or REPORTER_KEY
    with _env(WAREHOUSE_CITY=CITY, WAREHOUSE_REPORTER_KEY=key):
        for dataset, files, profile in BATCHES:
            ingest(dataset, [KPI_DIR / f for f in files], profile, db)
    return db


def add_daily_rows_without_hours(db: Path) -> Path:
    """Break the KPI warehouse in place for the data checks: two agg_sensor_daily rows (airkorea:보람동 × o3, on
    2025-03-30 with n 3 and 2025-03-20 with n 2) that no hourly row stands behind."""
    con = duckdb.connect(str(db))
    try:
        con.execute("""insert into agg_sensor_daily values
            ('airkorea:보람동', 'o3', date '2025-03-30', 3, 0, 0.09, 0.03, 0.02, 0.04),
            ('airkorea:보람동', 'o3', date '2025-03-20', 2, 0, 0.05, 0.025, 0.02, 0.03)""")
    finally:
        con.close()
    return db
