"""Readings and hourly rollups in one file per local year (warehouse/partitions.py).

A write copies only the year files it changes, readers see the union through the views of the same names, a
superseded file goes with the next write, and a warehouse written before partitions is migrated on its
first write with the same numbers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from helpers_warehouse import write_airkorea

from warehouse import partitions, store
from warehouse.build import ingest
from warehouse.check import run_checks


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


def air(tmp_path: Path, name: str, *stamps: str) -> list[Path]:
    """An AirKorea export of 아름동, one row (PM10, PM2.5, O3: three readings) per YYYYMMDDHH stamp (KST)."""
    return [write_airkorea(tmp_path / name, [[s, "아름동", "40", "20", "0.030"] for s in stamps])]


def listing(db: Path) -> dict[str, str]:
    con = store.connect(db, read_only=True)
    try:
        return partitions.listed(con)
    finally:
        con.close()


def counts(db: Path, sql: str) -> tuple:
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


PER_YEAR = """select
    (select count(*) from p2024.fct_sensor_readings), (select count(*) from p2025.fct_sensor_readings),
    (select count(*) from p2024.agg_sensor_hourly), (select count(*) from p2025.agg_sensor_hourly),
    (select count(*) from fct_sensor_readings), (select count(*) from agg_sensor_hourly)"""


def test_a_batch_over_new_year_lands_in_both_local_years(tmp_path):
    db = tmp_path / "w.duckdb"
    # 2024-12-31 23:00 KST is 14:00 UTC, still 2024 in Sejong; 2025-01-01 01:00 KST is 2025
    ingest("sensors", air(tmp_path, "a.csv", "2024123123", "2025010101"), "airkorea", db)
    assert set(listing(db)) == {"p2024", "p2025"}
    assert counts(db, PER_YEAR) == (3, 3, 3, 3, 6, 6)


def test_a_write_copies_only_the_year_it_touches_and_the_next_write_removes_the_old_file(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest("sensors", air(tmp_path, "a.csv", "2024123123", "2025010101"), "airkorea", db)
    first = listing(db)
    folder = partitions.parts_dir(db)
    stat_2024 = (folder / first["p2024"]).stat()

    ingest("sensors", air(tmp_path, "b.csv", "2025010102"), "airkorea", db)
    second = listing(db)
    assert second["p2024"] == first["p2024"] and second["p2025"] != first["p2025"]
    assert (folder / first["p2024"]).stat().st_mtime_ns == stat_2024.st_mtime_ns  # not rewritten
    assert (folder / first["p2025"]).exists()  # readers that opened the previous state may still attach it
    assert counts(db, PER_YEAR) == (3, 6, 3, 6, 9, 9)

    ingest("sensors", air(tmp_path, "c.csv", "2024123122"), "airkorea", db)
    third = listing(db)
    assert third["p2025"] == second["p2025"] and third["p2024"] != first["p2024"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*third.values(), first["p2024"]])
    assert counts(db, PER_YEAR) == (6, 6, 6, 6, 12, 12)


def test_a_failed_write_leaves_the_year_files_as_they_were(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest("sensors", air(tmp_path, "a.csv", "2024123123", "2025010101"), "airkorea", db)
    before = sorted(p.name for p in partitions.parts_dir(db).iterdir())
    with pytest.raises(RuntimeError), store.writing(db, timezone="Asia/Seoul") as con:
        store.partitions_of(con).writable(2025)
        con.execute("insert into p2025.fct_sensor_readings values ('x', 'pm10', now(), 1, 'µg/m³', null)")
        raise RuntimeError("the batch failed")
    assert sorted(p.name for p in partitions.parts_dir(db).iterdir()) == before
    assert counts(db, PER_YEAR) == (3, 3, 3, 3, 6, 6)


# the partitioned tables back into the main file as plain tables (the layout before partitions), written out
LEGACY_LAYOUT = [
    "create table fct_sensor_readings_old as select * from fct_sensor_readings",
    "drop view fct_sensor_readings",
    "alter table fct_sensor_readings_old rename to fct_sensor_readings",
    "drop table tpl_fct_sensor_readings",
    "create table agg_sensor_hourly_old as select * from agg_sensor_hourly",
    "drop view agg_sensor_hourly",
    "alter table agg_sensor_hourly_old rename to agg_sensor_hourly",
    "drop table tpl_agg_sensor_hourly",
]


def make_legacy(db: Path) -> None:
    """Turn a warehouse into the single-file layout of before partitions: readings and hourly rows as tables."""
    con = duckdb.connect(str(db))
    try:
        partitions.attach_listed(con, db)
        assert {s.split()[-1].removeprefix("tpl_") for s in LEGACY_LAYOUT if s.startswith("drop table")} == set(partitions.COLUMNS)
        for statement in LEGACY_LAYOUT:
            con.execute(statement)
        con.execute("drop table partitions")
        con.execute("checkpoint")
    finally:
        con.close()
    shutil.rmtree(partitions.parts_dir(db))


def test_a_warehouse_of_the_old_layout_is_read_as_it_is_and_migrated_on_its_next_write(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest("sensors", air(tmp_path, "a.csv", "2024123123", "2025010101"), "airkorea", db)
    make_legacy(db)
    assert listing(db) == {}
    assert counts(db, "select (select count(*) from fct_sensor_readings), (select count(*) from agg_sensor_hourly)") == (6, 6)

    report = ingest("sensors", air(tmp_path, "b.csv", "2025010101", "2025010102"), "airkorea", db)
    assert (report.rows_loaded, report.rows_duplicate) == (3, 3)  # 01:00 was stored already
    assert set(listing(db)) == {"p2024", "p2025"}
    assert counts(db, PER_YEAR) == (3, 6, 3, 6, 9, 9)
    types = counts(db, "select list(table_type order by table_name) from information_schema.tables"
                       " where table_catalog = current_database() and table_name in ('fct_sensor_readings', 'agg_sensor_hourly')")
    assert types == (["VIEW", "VIEW"],)
    assert counts(db, "select free_blocks from pragma_database_size() where database_name = current_database()") == (0,)
    assert [r.name for r in run_checks(db) if r.failures] == []


def test_the_readme_backup_copy_of_main_file_and_folder_is_a_whole_warehouse(tmp_path):
    """README "Backups": `cp -r data/warehouse.duckdb data/warehouse.duckdb.parts /backup/<day>/`."""
    db = tmp_path / "data" / "warehouse.duckdb"
    ingest("sensors", air(tmp_path, "a.csv", "2024123123", "2025010101"), "airkorea", db)
    ingest("sensors", air(tmp_path, "b.csv", "2025010102"), "airkorea", db)  # leaves a superseded 2025 file
    backup = tmp_path / "backup"
    backup.mkdir()
    shutil.copyfile(db, backup / db.name)
    shutil.copytree(partitions.parts_dir(db), backup / partitions.parts_dir(db).name)
    assert counts(backup / db.name, PER_YEAR) == (3, 6, 3, 6, 9, 9)
    assert [r.name for r in run_checks(backup / db.name) if r.failures] == []
