"""kill -9 of an ingest at random points: the warehouse always opens, equals its state before the batch,
passes `python -m warehouse check`, and the batch then re-runs cleanly.

Kill points are chosen from what the writer's files show (see warehouse/store.py `writing`): the private copy
`<db>.tmp-<pid>` appears when copying starts; its WAL appears when the copy is opened (the transaction runs,
then commit and checkpoint write into it); the WAL disappears when the copy is closed, just before fsync and
the rename. Delays are seeded, so every run kills at the same spread of moments.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers_warehouse import ROOT, assert_balanced, cli, cli_env, scalar, sha256, tmp_copies

from warehouse import build, store

pytestmark = pytest.mark.slow
SEED = 20250101
BATCHES = 20
HOURS, STATIONS = 500, 20  # per batch: 500 hours × 20 stations × 3 pollutants = 30,000 readings
READINGS = HOURS * STATIONS * 3
# (kill strategy, runs): spread over the whole write
PLAN = [("before_copy", 3), ("copy", 3), ("transaction", 7), ("checkpoint", 4), ("rename", 3)]


def write_airkorea(path: Path, prefix: str) -> Path:
    """An AirKorea hourly export of new stations `<prefix>00..`, ending 2025-03-29 23:00 KST."""
    end = dt.datetime(2025, 3, 29, 22)
    lines = ["측정일시,측정소명,미세먼지,초미세먼지,오존"]
    for h in range(HOURS):
        t = end - dt.timedelta(hours=HOURS - 1 - h)
        stamp = f"{t:%Y%m%d}{t.hour + 1:02d}"
        lines.extend(f"{stamp},{prefix}{s:02d},{(h * 7 + s) % 90},{(h + s) % 40},0.0{h % 9}" for s in range(STATIONS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def marts_digest(db: Path) -> dict[str, tuple]:
    """Every table of the warehouse: (rows, order-independent sum of row hashes), through a query."""
    con = store.open_reader(db)
    try:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {n: tuple(con.execute("select count(*), sum(hash(t)) from query_table($n) as t", {"n": n}).fetchall()[0])
                for n in names}
    finally:
        con.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _ingest_command(db: Path, path: Path) -> list[str]:
    return [sys.executable, "-m", "warehouse", "ingest", "sensors", str(path), "--profile", "airkorea", "--db", str(db)]


def _wait(condition, proc: subprocess.Popen, timeout: float = 120) -> float:
    """Poll until `condition()` holds; the moment it did (monotonic)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"ingest ended before the kill point (exit {proc.returncode})"
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.0005)
    return time.monotonic()


def calibrate(db: Path, path: Path) -> dict[str, float]:
    """One uninterrupted run: seconds from start to the copy, from the WAL's appearance to its removal."""
    proc = subprocess.Popen(_ingest_command(db, path), cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL)
    tmp = db.with_name(f"{db.name}.tmp-{proc.pid}")
    t0 = time.monotonic()
    t_copy = _wait(tmp.exists, proc)
    t_wal = _wait(_wal(tmp).exists, proc)
    t_closed = _wait(lambda: not _wal(tmp).exists(), proc)
    assert proc.wait(120) == 0
    return {"start": t_copy - t0, "transaction": t_closed - t_wal}


def kill_at(strategy: str, rng: random.Random, timing: dict[str, float], db: Path, path: Path) -> str:
    """Start the ingest, kill -9 it at a point of `strategy`; where it was: the files seen at the kill."""
    proc = subprocess.Popen(_ingest_command(db, path), cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tmp, inode = db.with_name(f"{db.name}.tmp-{proc.pid}"), db.stat().st_ino
    if strategy == "before_copy":
        time.sleep(rng.uniform(0.05, 0.6) * timing["start"])  # start-up time varies: keep clear of the copy
    elif strategy == "copy":
        _wait(tmp.exists, proc)
        time.sleep(rng.uniform(0, 0.003))
    elif strategy in ("transaction", "checkpoint"):  # checkpoint: the last fifth, where commit and checkpoint run
        _wait(_wal(tmp).exists, proc)
        share = rng.uniform(0, 1) if strategy == "transaction" else rng.uniform(0.8, 1.05)
        # a machine less busy than at calibration closes the copy sooner: then kill at once, before the rename
        end = time.monotonic() + share * timing["transaction"]
        while time.monotonic() < end and _wal(tmp).exists():
            time.sleep(0.0005)
    elif strategy == "rename":  # the copy is closed: fsync, drop a stale WAL, rename
        _wait(_wal(tmp).exists, proc)
        _wait(lambda: not _wal(tmp).exists(), proc)
        time.sleep(rng.uniform(0, 0.002))
    where = (
        "renamed" if db.stat().st_ino != inode
        else "transaction" if _wal(tmp).exists()  # the copy is open: merge, commit or checkpoint
        else "copying or closed" if tmp.exists()  # before the copy is opened, or after it is closed
        else "no copy"
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"{strategy}: the ingest finished before the kill"
    return where


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    from fixture_warehouse import build_kpi_warehouse

    return build_kpi_warehouse(tmp_path_factory.mktemp("crash") / "base.duckdb")


def test_kill_nine_at_random_points(tmp_path, base_db):
    db = tmp_path / "w.duckdb"
    store.copy(base_db, db)
    scratch = tmp_path / "calibrate.duckdb"
    store.copy(base_db, scratch)
    timing = calibrate(scratch, write_airkorea(tmp_path / "calibrate.csv", "CAL"))
    rng = random.Random(SEED)
    strategies = [s for s, n in PLAN for _ in range(n)]
    rng.shuffle(strategies)
    assert len(strategies) == BATCHES
    base_readings = scalar(db, "select count(*) from fct_sensor_readings")
    last_batch = scalar(db, "select max(batch_id) from load_batches")
    landed = Counter()
    for k, strategy in enumerate(strategies):
        path = write_airkorea(tmp_path / f"batch{k:02d}.csv", f"K{k:02d}-")
        before_sha, before = sha256(db), marts_digest(db)
        where = kill_at(strategy, rng, timing, db, path)
        landed[where] += 1
        if where == "renamed":  # killed after the commit point: the batch is in, whole
            last_batch += 1
            assert scalar(db, "select rows_loaded from load_batches where batch_id = $b", {"b": last_batch}) == READINGS
        else:
            assert sha256(db) == before_sha, f"run {k} ({strategy}, {where}): the warehouse file changed"
            assert marts_digest(db) == before, f"run {k} ({strategy}, {where}): the marts changed"
        checked = cli("check", "--db", db)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        report = build.ingest("sensors", [path], "airkorea", db)  # the batch again: clean, nothing lost
        assert_balanced(report)
        last_batch += 1
        assert report.batch_id == last_batch
        assert report.rows_read == READINGS and report.rows_quarantined == 0
        assert report.rows_loaded == (0 if where == "renamed" else READINGS)
        assert scalar(db, "select count(*) from fct_sensor_readings") == base_readings + (k + 1) * READINGS
        assert scalar(db, "select sum(n + n_flagged) from agg_sensor_daily") == base_readings + (k + 1) * READINGS
        assert tmp_copies(db) == [], "the killed writer's copy was not cleared by the next writer"
    print(f"\n20 kills (timing {timing}): {dict(landed)}")
    # the spread really covered the write: before the copy, inside the copy's transaction, and around the rename
    assert landed["no copy"] and landed["transaction"] and landed["copying or closed"]


def test_wal_left_by_an_in_place_writer(tmp_path, base_db):
    """Someone opened the warehouse read-write and was killed: their committed change sits in `<db>.wal`.
    The next ingest carries it into its copy and removes the stale WAL; the swapped-in file must not sit
    next to a WAL of the old one (DuckDB then refuses to open it: "checkpoint iteration does not match")."""
    db = tmp_path / "w.duckdb"
    store.copy(base_db, db)
    in_place = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"insert into meta values ('note', 'written in place')\")\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", in_place, str(db)], check=False)
    assert _wal(db).exists()
    result = cli("ingest", "sensors", write_airkorea(tmp_path / "air.csv", "W"), "--profile", "airkorea", "--db", db)
    assert result.returncode == 0, result.stderr
    assert not _wal(db).exists()
    assert scalar(db, "select value from meta where key = 'note'") == "written in place"
    assert scalar(db, "select count(*) from fct_sensor_readings where sensor_id like 'airkorea:W%'") == READINGS
    assert cli("check", "--db", db).returncode == 0
