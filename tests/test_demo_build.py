"""The demo build: deterministic (same seed → same bytes of every mart) and loads what the generator wrote."""

from __future__ import annotations

import hashlib
import json

import pytest

from warehouse import store
from warehouse.demo_build import build_demo

MARTS = ["fct_complaints", "fct_sensor_readings", "dim_district", "dim_sensor", "agg_complaints_daily",
         "agg_sensor_hourly", "agg_sensor_daily", "quarantine", "agg_sensor_anomalies", "agg_anomaly_episodes"]
# the same scale and seed twice, into two different folders


def _mart_digests(db) -> dict[str, str]:
    con = store.connect(db, read_only=True)
    try:
        out = {}
        for table in MARTS:
            columns = [r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = $t", {"t": table}).fetchall()]
            # quarantine.file is the path the files were read from, which differs between the two builds
            sql = ("select * replace (parse_filename(file) as file) from query_table($t) order by all" if "file" in columns
                   else "select * from query_table($t) order by all")
            rows = con.execute(sql, {"t": table}).fetchall()
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    first = build_demo(base / "a.duckdb", scale=0.03, out_dir=base / "exports-a")
    second = build_demo(base / "b.duckdb", scale=0.03, out_dir=base / "exports-b")
    return base, first, second


def test_same_seed_gives_the_same_marts(two_builds):
    base, _, _ = two_builds
    assert _mart_digests(base / "a.duckdb") == _mart_digests(base / "b.duckdb")


def test_demo_loads_everything_but_the_injected_defects(two_builds):
    base, reports, _ = two_builds
    events = json.loads((base / "exports-a" / "events.json").read_text(encoding="utf-8"))
    defects = {d["kind"] for d in events["data_defects"]}
    assert {"closed_before_received", "unknown_status", "invalid_datetime", "duplicate_row"} <= defects
    complaints, air, things = reports
    for r in reports:
        assert r.rows_read == r.rows_loaded + r.rows_updated + r.rows_duplicate + r.rows_quarantined
    # complaints: 2 unknown status words + 1 garbage timestamp are quarantined; 2 exact duplicates and
    # 1 superseded version are resolved as duplicates
    assert complaints.rows_quarantined == 3
    assert complaints.rows_duplicate == 3
    con = store.connect(base / "a.duckdb", read_only=True)
    flagged = con.execute("select count(*) from fct_complaints where quality like '%closed_before_requested%'").fetchone()[0]
    assert flagged == sum(d["kind"] == "closed_before_received" for d in events["data_defects"])
    # the 10 air stations of the generator, and every SensorThings Thing
    assert con.execute("select count(*) from dim_sensor where source = 'airkorea'").fetchone()[0] == 10
    con.close()
