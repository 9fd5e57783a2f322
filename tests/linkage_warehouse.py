"""The complaints × sensors fixture warehouse, built with the real build from tests/fixtures/linkage/.

The fixture's rows are literals in tests/fixtures/linkage/make_fixture.py; what the linkage queries must
return, worked out by hand from them, is in tests/fixtures/linkage/EXPECTED.md.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `warehouse` and `settings` live at the repository root
    sys.path.insert(0, str(ROOT))

LINKAGE_DIR = Path(__file__).resolve().parent / "fixtures" / "linkage"
KST = ZoneInfo("Asia/Seoul")
AS_OF = dt.datetime(2025, 7, 13, 23, 0, tzinfo=KST)
PERIOD = (dt.datetime(2025, 7, 1, tzinfo=KST), dt.datetime(2025, 7, 14, tzinfo=KST))
BORAM, JOCHIWON, AREUM, NASEONG = "3611010300", "3611025000", "3611011300", "3611010700"


def fixture_module():
    """tests/fixtures/linkage/make_fixture.py (a script, not a package), loaded by path."""
    spec = importlib.util.spec_from_file_location("linkage_make_fixture", LINKAGE_DIR / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_linkage_warehouse(folder: Path, *, sensor_batches: int = 1) -> Path:
    """Write the fixture's exports into `folder` and ingest them into `folder`/linkage.duckdb (city Sejong).

    `sensor_batches` > 1 splits the sensor file by time into that many consecutive batches, the way a daily
    feed arrives; the anomaly marts must come out the same as from one batch.
    """
    from warehouse.build import ingest

    folder = Path(folder)
    complaints, sensors = fixture_module().write_all(folder)
    parts = [sensors]
    if sensor_batches > 1:
        header, *lines = sensors.read_text(encoding="utf-8").splitlines(keepends=True)
        size = -(-len(lines) // sensor_batches)
        parts = []
        for i in range(sensor_batches):
            part = folder / f"sensors-{i + 1}.csv"
            part.write_text(header + "".join(lines[i * size:(i + 1) * size]), encoding="utf-8")
            parts.append(part)
    db = folder / "linkage.duckdb"
    old = {k: os.environ.get(k) for k in ("WAREHOUSE_CITY", "WAREHOUSE_REPORTER_KEY")}
    os.environ.update(WAREHOUSE_CITY="sejong", WAREHOUSE_REPORTER_KEY=old["WAREHOUSE_REPORTER_KEY"] or "test-key")
    try:
        ingest("complaints", [complaints], "complaints_csv", db)
        for part in parts:
            ingest("sensors", [part], "sensors_csv", db)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return db
