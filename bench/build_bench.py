"""Build throughput (export files → marts and rollups), the bare DuckDB load of the same files, and the
incremental ingest of one more day.

The full build is what a city does to build its warehouse from its archive of exports: one copy-and-swap write in
which the files are prepared (read, mapped, checked, quarantined) and merged in batches — a batch per yearly
complaint file and a batch per local year of monthly sensor files (`ingest` takes many files as one batch), so
memory stays bounded by a year of readings.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

from bench.tiers import Tier
from warehouse import partitions, store
from warehouse.build import initialize, load, prepare
from warehouse.profile import load_profile
from warehouse.reference import load_city
from warehouse.timeparse import to_regex

SENSOR_PROFILE, COMPLAINT_PROFILE = "sensors_csv", "kr_minwon"
# the steps a sensor batch's load reports (build.load, sensor_load.merge), grouped as the results show them; the
# steps after storing are what any parser, however fast, would still leave to do
MERGE_STEPS = {
    "landing": ["landing readings"],
    "storing": ["model fct_sensor_readings_append", "model fct_sensor_readings", "model fct_sensor_readings_year"],
    "rollups": ["model sensor_batch_buckets", "model sensor_batch_hours", "model agg_sensor_hourly_year",
                "model agg_sensor_daily"],
    "dims": ["model dim_district_from_sensors", "model dim_sensor"],
    "anomalies": ["model agg_sensor_anomalies", "model agg_anomaly_episodes"],
    "data_checks": ["data checks"],
}
AFTER_STORING = ("rollups", "dims", "anomalies", "data_checks")


class StepClock:
    """Seconds per step of the loads it is the progress callback of: a step lasts until the next one starts, the
    last one until `stop`. Summed over every batch it clocks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._step: str | None = None
        self._since = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self._close(now)
        self._step, self._since = step, now

    def stop(self) -> None:
        self._close(time.perf_counter())
        self._step = None

    def _close(self, now: float) -> None:
        if self._step is not None:
            self.seconds[self._step] = self.seconds.get(self._step, 0.0) + now - self._since

    def grouped(self) -> dict[str, float]:
        """Seconds per MERGE_STEPS group; a step of no group (a new model) is counted under `other`."""
        named = {step: group for group, steps in MERGE_STEPS.items() for step in steps}
        out = dict.fromkeys([*MERGE_STEPS, "other"], 0.0)
        for step, seconds in self.seconds.items():
            out[named.get(step, "other")] += seconds
        return out


def _files(tier: Tier, manifest: dict, kind: str) -> list[Path]:
    return [tier.data_dir / f["path"] for f in manifest["files"][kind]]


def full_build(tier: Tier, manifest: dict, db: Path) -> dict:
    """One build from scratch; seconds per phase (complaints, sensors, commit + checkpoint + swap)."""
    city = load_city("sejong")
    sensors, complaints = load_profile(SENSOR_PROFILE), load_profile(COMPLAINT_PROFILE)
    phase = {"complaints_s": 0.0, "sensors_s": 0.0, "sensor_prepare_s": 0.0, "sensor_merge_s": 0.0}
    clock = StepClock()
    started = time.perf_counter()
    with store.writing(db, fresh=True, timezone=city.timezone) as con:
        initialize(con, city)
        t = time.perf_counter()
        for path in _files(tier, manifest, "complaints"):
            load(con, prepare("complaints", [path], complaints, city, source="minwon"))
        phase["complaints_s"] = time.perf_counter() - t
        for paths in _by_year(_files(tier, manifest, "sensors")):
            t0 = time.perf_counter()
            batch = prepare("sensors", paths, sensors, city, source="bench")
            t1 = time.perf_counter()
            load(con, batch, clock)
            clock.stop()
            t2 = time.perf_counter()
            phase["sensor_prepare_s"] += t1 - t0
            phase["sensor_merge_s"] += t2 - t1
        phase["sensors_s"] = phase["sensor_prepare_s"] + phase["sensor_merge_s"]
        phase.update({f"merge_{group}_s": seconds for group, seconds in clock.grouped().items()})
        phase["merge_steps_s"] = clock.seconds
        body_end = time.perf_counter()
    done = time.perf_counter()
    phase["finalize_s"] = done - body_end  # commit, checkpoint, fsync, rename
    phase["total_s"] = done - started
    # the checkpoint writes both datasets: share it out by rows so that the two rates add up to the total
    n_r, n_c = manifest["readings"], manifest["complaints"]
    share = phase["finalize_s"] * n_r / (n_r + n_c)
    phase["readings_per_s"] = n_r / (phase["sensors_s"] + share)
    phase["complaints_per_s"] = n_c / (phase["complaints_s"] + phase["finalize_s"] - share)
    phase["db_bytes"] = store.size(db)
    return phase


def _by_year(files: list[Path]) -> list[list[Path]]:
    """The monthly sensor files (readings_YYYY-MM.csv, local months) grouped by year, in order."""
    years: dict[str, list[Path]] = {}
    for path in sorted(files):
        years.setdefault(path.stem.split("_")[-1][:4], []).append(path)
    return list(years.values())


# What a parser in DuckDB would cost at least, read in the same run as the bare load: every cell of the sensor files as
# text, the timestamp and the value cast to their types (a cell that does not cast is null: a row to quarantine), the
# rest kept as text; {iso} adds our parser's own test of the timestamp's form (warehouse/timeparse.py's ISO pattern).
CAST_READ = """
create table cast_read as
select try_cast(measured_at as timestamptz) as measured_at, station, metric, try_cast(value as double) as value,
    district, lat, lon, {iso}
from read_csv($f, header = true, all_varchar = true)
"""
ISO_TEST = "regexp_full_match(measured_at, $iso) as iso_form"


def bare_load(tier: Tier, manifest: dict, db: Path) -> dict:
    """The limit: DuckDB reading the same files into plain tables, nothing else (no checks, no merge, no rollups).
    Then, in the same run, the sensor files read with each cell cast (`cast_s`) and also with the timestamps' form
    tested (`iso_s`): the least a parser in DuckDB would cost, against our parse and checks (polars).

    Complaints are read as latin-1 text (byte-transparent; DuckDB has no CP949 without an extension download).
    """
    db.unlink(missing_ok=True)
    sensor_files = [str(p) for p in _files(tier, manifest, "sensors")]
    complaint_files = [str(p) for p in _files(tier, manifest, "complaints")]
    con = duckdb.connect(str(db))
    try:
        t0 = time.perf_counter()
        con.execute("create table readings as select * from read_csv($f, header = true)", {"f": sensor_files})
        con.execute("checkpoint")
        t1 = time.perf_counter()
        con.execute(
            "create table complaints as select * from read_csv($f, header = true, encoding = 'latin-1', all_varchar = true)",
            {"f": complaint_files},
        )
        con.execute("checkpoint")
        t2 = time.perf_counter()
        rows = con.execute("select count(*) from readings").fetchone()[0]
        con.execute("drop table readings; drop table complaints; checkpoint")
        con.execute("set TimeZone = $tz", {"tz": load_profile(SENSOR_PROFILE).timezone})  # for timestamps without offset
        reads = {}
        for name, iso, params in (("cast_s", "", {}), ("iso_s", ISO_TEST + ",", {"iso": to_regex("iso")})):
            t3 = time.perf_counter()
            con.execute(CAST_READ.replace("{iso}", iso), {"f": sensor_files, **params})
            con.execute("checkpoint")
            reads[name] = time.perf_counter() - t3
            cast = con.execute("select count(*), count(measured_at), count(value) from cast_read").fetchone()
            con.execute("drop table cast_read; checkpoint")
            assert cast == (manifest["readings"],) * 3, cast  # the tiers' files have no bad cell: every one was read
    finally:
        con.close()
        db.unlink(missing_ok=True)
    assert rows == manifest["readings"], (rows, manifest["readings"])
    return {
        "sensors_s": t1 - t0, "complaints_s": t2 - t1,
        "readings_per_s": manifest["readings"] / (t1 - t0), "complaints_per_s": manifest["complaints"] / (t2 - t1),
        **reads,
    }


def _year_bytes(db: Path) -> int:
    """Size of the year file the increment wrote (the newest one): what the write copied besides the main file."""
    files = sorted(partitions.parts_dir(db).glob("sensors-*.duckdb"), key=lambda p: p.stat().st_mtime_ns)
    return files[-1].stat().st_size if files else 0


def incremental_day(tier: Tier, manifest: dict, base: Path, work: Path) -> dict:
    """One more day of both exports into a copy of the built warehouse, as one write (one copy-and-swap).

    The copy of `base` made before timing stands for the warehouse as it is; the write's own copies (the main
    file, and the year file the day falls in) are timed (they are part of every real ingest) and reported apart.
    """
    city = load_city("sejong")
    for suffix in ("", ".wal"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    store.copy(base, work)
    inc = manifest["increment"]
    t0 = time.perf_counter()
    c_batch = prepare("complaints", [tier.data_dir / f["path"] for f in inc["complaints"]],
                      load_profile(COMPLAINT_PROFILE), city, source="minwon")
    s_batch = prepare("sensors", [tier.data_dir / f["path"] for f in inc["sensors"]],
                      load_profile(SENSOR_PROFILE), city, source="bench")
    t1 = time.perf_counter()
    with store.writing(work, timezone=city.timezone) as con:
        t2 = time.perf_counter()
        c = load(con, c_batch)
        s = load(con, s_batch)
        t3 = time.perf_counter()
        year_copy_s = store.partitions_of(con).copy_s
    t4 = time.perf_counter()
    assert c.rows_loaded == c_batch.rows.height and s.rows_loaded == s_batch.rows.height, "the day was not new"
    # the tier's extra day opens a new year (its history ends on 31 December), so the write created that year's
    # file instead of copying one; a day inside a year copies its year file too: timed here, in the same run
    years = sorted(partitions.parts_dir(work).glob("sensors-*.duckdb"), key=lambda p: p.stat().st_size)
    t5 = time.perf_counter()
    if years:
        shutil.copyfile(years[-1], work.with_name("year-copy.tmp"))
        work.with_name("year-copy.tmp").unlink()
    year_file_copy_s = time.perf_counter() - t5
    return {
        "total_s": t4 - t0, "prepare_s": t1 - t0, "copy_s": t2 - t1 + year_copy_s, "merge_s": t3 - t2 - year_copy_s,
        "finalize_s": t4 - t3, "complaints": c.rows_loaded, "readings": s.rows_loaded,
        "year_file_copy_s": year_file_copy_s, "year_file_bytes": years[-1].stat().st_size if years else 0,
        "db_bytes": store.size(base), "copied_bytes": work.stat().st_size + _year_bytes(work),
    }
