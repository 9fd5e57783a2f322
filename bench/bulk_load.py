"""A city-size warehouse for the page, browser and incremental measurements when the product build would take
too long here (`python -m bench run --tier city --bulk`).

Same tables, same content: complaints and the first month of readings go through the product build (profiles,
checks, dim_sensor, load_batches); the other months are read by DuckDB straight into the year files of
fct_sensor_readings (the canonical files are well-formed and time-ordered, and every reading is new), and then
the product's own rollup models (warehouse/models/marts/agg_*.sql) run once over every sensor × metric × day. The build throughput is
not measured this way: the report says so.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.build_bench import COMPLAINT_PROFILE, SENSOR_PROFILE
from bench.tiers import Tier
from warehouse import catalog, store
from warehouse.build import MODELS, initialize, load, prepare, run_sql_file
from warehouse.profile import load_profile
from warehouse.reference import load_city

ROLLUPS = [m for m in MODELS["sensors"] if "/agg_" in m]


def bulk_warehouse(tier: Tier, manifest: dict, db: Path, log=print) -> dict:
    """Build `db` from the tier's exports; seconds per step."""
    city = load_city("sejong")
    files = [tier.data_dir / f["path"] for f in manifest["files"]["sensors"]]
    steps: dict[str, float] = {}
    t = time.perf_counter()
    with store.writing(db, fresh=True, timezone=city.timezone) as con:
        initialize(con, city)
        con.execute("set enable_progress_bar = false")
        for f in manifest["files"]["complaints"]:
            load(con, prepare("complaints", [tier.data_dir / f["path"]], load_profile(COMPLAINT_PROFILE), city, source="minwon"))
        steps["complaints_s"] = time.perf_counter() - t
        log(f"  complaints {steps['complaints_s']:.0f} s")
        t = time.perf_counter()
        load(con, prepare("sensors", files[:1], load_profile(SENSOR_PROFILE), city, source="bench"))
        steps["first_month_s"] = time.perf_counter() - t
        t = time.perf_counter()
        units = [(name, spec["unit"]) for name, spec in catalog.metrics().items()]
        con.execute("create temp table units (metric text, unit text)")
        con.executemany("insert into units values (?, ?)", units)
        parts = store.partitions_of(con)
        months = {p: p.stem.split("_")[1] for p in files[1:]}  # sensors_YYYY-MM.csv, local months
        for year in sorted({int(m[:4]) for m in months.values()}):
            # a local year's readings are in its months' files (plus the next file, should one spill over)
            chosen = [p for p, m in months.items() if int(m[:4]) in (year, year + 1) and m <= f"{year + 1}-01"]
            alias = parts.writable(year)
            con.execute(
                f"""insert into {alias}.fct_sensor_readings
                   select 'bench:' || r.station, r.metric, r.measured_at, r.value, u.unit, null
                   from read_csv($files, header = true,
                                 columns = {{'measured_at': 'timestamptz', 'station': 'varchar', 'metric': 'varchar',
                                            'value': 'double', 'district': 'varchar', 'lat': 'double', 'lon': 'double'}}) as r
                   join units as u using (metric)
                   where year(cast(r.measured_at as date)) = $year""",  # noqa: S608 (alias from partitions.alias_of)
                {"files": [str(p) for p in chosen], "year": year},
            )
            log(f"  readings {year} {time.perf_counter() - t:.0f} s")
        steps["readings_s"] = time.perf_counter() - t
        log(f"  readings {steps['readings_s']:.0f} s")
        t = time.perf_counter()
        con.execute("update dim_sensor set last_seen = (select max(measured_at) from fct_sensor_readings as f "
                    "where f.sensor_id = dim_sensor.sensor_id)")
        con.execute(
            """create or replace temp table touched_sensor_days as
               select s.sensor_id, s.metric, cast(d.day as date) as day
               from (select distinct sensor_id, metric from agg_sensor_daily) as s,
                    range(cast($lo as date), cast($hi as date), interval 1 day) as d(day)
               where cast(d.day as date) >= $first""",
            {"lo": manifest["start"], "hi": manifest["end_exclusive"], "first": files[1].stem.split("_")[1] + "-01"},
        )
        for model in ROLLUPS:
            t0 = time.perf_counter()
            run_sql_file(con, model)
            log(f"  {Path(model).stem} {time.perf_counter() - t0:.0f} s")
        steps["rollups_s"] = time.perf_counter() - t
        t = time.perf_counter()
    steps["finalize_s"] = time.perf_counter() - t
    return steps
