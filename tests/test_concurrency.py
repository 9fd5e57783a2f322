"""Readers never wait for writers: the dashboard's queries keep answering while another process ingests.

20 reader threads here and a second reader process run real query files (`queries.run`) and a consistency
probe in a loop while an ingest runs in a third process. Every read must be the warehouse before the batch
or after it, never in between, never an error; a cursor keeps the file it started on; and the new data
must be seen within a minute of the commit (the rename). See README "Readers never wait for writers".

Run as a script (`python tests/test_concurrency.py read|write ...`) it is the second process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import queries
from warehouse import store

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PROCESS_THREADS = 4  # reader threads of the second process (its readers open the file on their own)
THREADS = 20
# one statement = one snapshot: readings, their daily rollup, the batch and the sensors must agree
PROBE = (
    "select (select count(*) from fct_sensor_readings) as readings,"
    " (select sum(n + n_flagged) from agg_sensor_daily) as rolled_up,"
    " (select max(batch_id) from load_batches) as batch,"
    " (select count(*) from dim_sensor) as sensors"
)
# the big batch: 1000 hours × 100 stations × 3 pollutants = 300,000 readings: ~3 s to ingest alone here,
# 10-20 s with the readers on two cores
BIG_HOURS, BIG_STATIONS = 1000, 100
BIG_READINGS = BIG_HOURS * BIG_STATIONS * 3
SETTLE_S = 60  # the promise: readers see a committed batch within a minute
THINK_S = 0.05  # a reader's pause between rounds, so 24 readers leave the writer some of the two cores


def _query_params() -> dict[str, dict]:
    from fixture_warehouse import AS_OF, PERIOD

    period = {"start": PERIOD[0], "end": PERIOD[1]}
    return {
        "kpi_headline": {**period, "as_of": AS_OF},
        "complaints_trend": period,
        "sensor_status": {**period, "as_of": AS_OF},
        "as_of": {},
    }


def digest(rows: list[tuple]) -> str:
    """A short fingerprint of a result; floats rounded so a parallel sum's last bit does not count."""
    norm = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
    return hashlib.sha256(repr(norm).encode()).hexdigest()[:16]


@dataclass
class ReaderLog:
    """What one reader saw: (wall time, what, value) per read, and every exception with its traceback."""

    name: str
    reads: list[tuple[float, str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_loop(db: Path, stop: threading.Event, log: ReaderLog, mode: str, think: float = THINK_S) -> None:
    """Query until stopped. mode: `shared` = queries.cursor(), `connection` = queries.connection().cursor(),
    `fresh` = a new store.open_reader() per round (opens the file as often as possible, rename or not)."""
    params = _query_params()
    while not stop.is_set():
        try:
            for name, values in params.items():
                frame = queries.run(name, db=db, **values)
                log.reads.append((time.time(), name, digest(frame.rows())))
            own = store.open_reader(db) if mode == "fresh" else None
            cur = own.cursor() if own else queries.connection(db).cursor() if mode == "connection" else queries.cursor(db)
            try:
                first = cur.execute(PROBE).fetchall()[0]
                time.sleep(0.01)  # hold the cursor: a swap may land in between
                again = cur.execute(PROBE).fetchall()[0]
            finally:
                cur.close()
                if own:
                    own.close()
            log.reads.append((time.time(), "probe", tuple(first)))
            if again != first:
                log.errors.append(f"one cursor saw two states: {first} then {again}")
        except Exception:  # every exception is a failure of the design: record it, keep reading
            log.errors.append(traceback.format_exc())
        stop.wait(think)


def state_of(db: Path) -> dict[str, object]:
    """The probe and every query's fingerprint on the file as it is, through a private connection."""
    con = store.open_reader(db)
    try:
        out: dict[str, object] = {"probe": tuple(con.execute(PROBE).fetchall()[0])}
        for name, values in _query_params().items():
            sql = queries.sql_text(name)
            wanted = {k: values.get(k) for k in queries.param_names(sql)}
            out[name] = digest(con.sql(sql, params=wanted or None).pl().rows())  # as queries.run reads it
        return out
    finally:
        con.close()


def write_big_airkorea(path: Path, hours: int = BIG_HOURS, stations: int = BIG_STATIONS, prefix: str = "BIG") -> Path:
    """An AirKorea hourly export ending 2025-03-29 23:00 KST (inside the KPI period), new stations only."""
    end = dt.datetime(2025, 3, 29, 22)
    lines = ["측정일시,측정소명,미세먼지,초미세먼지,오존"]
    for h in range(hours):
        t = end - dt.timedelta(hours=hours - 1 - h)
        stamp = f"{t:%Y%m%d}{t.hour + 1:02d}"  # AirKorea hours run 01..24
        lines.extend(f"{stamp},{prefix}{s:03d},{(h + s) % 90},{(h + s) % 40},0.0{h % 9}" for s in range(stations))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    from helpers_warehouse import cli_env

    env = cli_env()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    return env


def _reader_process(db: Path, out: Path, stop: Path, think: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "read", str(db), str(out), str(stop), str(think)],
        cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _process_logs(out: Path) -> list[ReaderLog]:
    logs: dict[str, ReaderLog] = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            log = logs.setdefault(rec["reader"], ReaderLog(rec["reader"]))
            if "error" in rec:
                log.errors.append(rec["error"])
            else:
                value = tuple(rec["value"]) if rec["what"] == "probe" else rec["value"]
                log.reads.append((rec["t"], rec["what"], value))
    return list(logs.values())


def _first_seen(log: ReaderLog, after: dict) -> float | None:
    return next((t for t, what, value in log.reads if what == "probe" and value == after["probe"]), None)


def _check_reads(log: ReaderLog, before: dict, after: dict) -> list[str]:
    """Each read is the before- or the after-state, and once a reader has seen the new file it never goes back."""
    problems, seen_new = [], {}
    for t, what, value in log.reads:
        if value == after[what] and value != before[what]:
            seen_new[what] = True
        elif value == before[what]:
            if seen_new.get(what):
                problems.append(f"{log.name}: {what} went back to the old state at {t}")
        else:
            problems.append(f"{log.name}: {what} is neither state: {value}")
    return problems


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """The KPI fixture warehouse (3 batches: 민원, AirKorea, SensorThings); tests copy it."""
    from fixture_warehouse import build_kpi_warehouse

    return build_kpi_warehouse(tmp_path_factory.mktemp("concurrency") / "base.duckdb")


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


def _start_readers(db: Path, tmp_path: Path, think: float = THINK_S):
    stop, stop_file, out = threading.Event(), tmp_path / "stop", tmp_path / "process_reads.jsonl"
    modes = ["shared", "connection", "fresh"]
    logs = [ReaderLog(f"thread-{i}") for i in range(THREADS)]
    threads = [threading.Thread(target=read_loop, args=(db, stop, logs[i], modes[i % 3], think), daemon=True) for i in range(THREADS)]
    for th in threads:
        th.start()
    proc = _reader_process(db, out, stop_file, think)
    deadline = time.monotonic() + 60
    # every reader has read the old state at least once before the writer starts
    while not (all(log.reads for log in logs) and len(_process_logs(out)) == PROCESS_THREADS):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "readers did not start"
        time.sleep(0.05)

    def finish() -> list[ReaderLog]:
        stop.set()
        stop_file.touch()
        for th in threads:
            th.join(120)
        assert proc.wait(120) == 0, proc.stderr.read().decode()
        proc.stderr.close()
        return logs + _process_logs(out)

    return logs, out, finish


def _wait_until_all_see(logs: list[ReaderLog], out: Path, after: dict, commit: float) -> None:
    while time.time() < commit + SETTLE_S:
        everyone = logs + _process_logs(out)
        if len(everyone) == THREADS + PROCESS_THREADS and all(_first_seen(log, after) for log in everyone):
            return
        time.sleep(0.1)


def test_readers_during_large_ingest(tmp_path, base_db):
    db = tmp_path / "w.duckdb"
    store.copy(base_db, db)
    big = write_big_airkorea(tmp_path / "big.csv")
    before = state_of(db)
    logs, out, finish = _start_readers(db, tmp_path)
    try:
        writer = subprocess.Popen(
            [sys.executable, "-m", "warehouse", "ingest", "sensors", str(big), "--profile", "airkorea", "--db", str(db)],
            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        copy, started = db.with_name(f"{db.name}.tmp-{writer.pid}"), None
        while writer.poll() is None:  # note when the private copy appears: the write has begun
            if started is None and copy.exists():
                started = time.time()
            time.sleep(0.002)
        stdout, stderr = writer.communicate()
        assert writer.returncode == 0, stderr
        assert f"read {BIG_READINGS:,} = loaded {BIG_READINGS:,}" in stdout
        # the new file's mtime is its last write, just before the rename: an upper bound on the latency
        commit = db.stat().st_mtime_ns / 1e9
        after = state_of(db)
        _wait_until_all_see(logs, out, after, commit)
    finally:
        everyone = finish()

    assert after["probe"] == (before["probe"][0] + BIG_READINGS, before["probe"][1] + BIG_READINGS,
                              before["probe"][2] + 1, before["probe"][3] + BIG_STATIONS)
    assert before["probe"][0] == before["probe"][1]  # readings = their daily rollup, in each state
    for name in ("kpi_headline", "complaints_trend"):  # complaints are untouched by a sensor batch
        assert after[name] == before[name]
    assert after["sensor_status"] != before["sensor_status"] and after["as_of"] == before["as_of"]
    errors = [f"{log.name}: {e}" for log in everyone for e in log.errors]
    assert errors == [], "\n".join(errors[:5])
    problems = [p for log in everyone for p in _check_reads(log, before, after)]
    assert problems == [], "\n".join(problems[:10])
    assert len(everyone) == THREADS + PROCESS_THREADS
    latencies = {log.name: _first_seen(log, after) for log in everyone}
    assert all(latencies.values()), [n for n, t in latencies.items() if t is None]
    worst = max(latencies.values()) - commit
    first = min(latencies.values()) - commit
    during = sum(1 for log in everyone for t, _, _ in log.reads if started and started <= t <= commit)
    reads = sum(len(log.reads) for log in everyone)
    print(f"\n{reads} reads, {during} during the write ({commit - started:.1f} s from copy to rename);"
          f" new data first seen {first:.3f} s after the commit, by every reader within {worst:.2f} s")
    assert worst <= SETTLE_S
    assert during > 0, "no read happened while the warehouse was being written"


# Many swaps in a row: every reopen races readers that still hold cursors of the file being replaced. -------

SWAPS, SWAP_HOURS = 8, 24  # 8 batches of one new station × 24 hours × 3 pollutants


def test_readers_across_many_swaps(tmp_path, base_db):
    db = tmp_path / "w.duckdb"
    store.copy(base_db, db)
    files = [write_big_airkorea(tmp_path / f"swap{k}.csv", SWAP_HOURS, 1, prefix=f"SWAP{k:02d}-") for k in range(SWAPS)]
    base = state_of(db)["probe"]
    logs, out, finish = _start_readers(db, tmp_path, think=0.2)  # many swaps matter here, not heavy load
    try:
        writer = subprocess.run(
            [sys.executable, __file__, "write", str(db), *map(str, files)],
            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
        )
        assert writer.returncode == 0, writer.stderr
        time.sleep(1.0)  # a last round of reads on the final file
    finally:
        everyone = finish()
    errors = [f"{log.name}: {e}" for log in everyone for e in log.errors]
    assert errors == [], "\n".join(errors[:5])
    per = SWAP_HOURS * 3
    states = {(base[0] + k * per, base[1] + k * per, base[2] + k, base[3] + k) for k in range(SWAPS + 1)}
    assert state_of(db)["probe"] == max(states)
    seen = set()
    for log in everyone:
        probes = [value for _, what, value in log.reads if what == "probe"]
        assert set(probes) <= states, f"{log.name} read a state between batches: {set(probes) - states}"
        assert probes == sorted(probes), f"{log.name} went back to an older file"
        seen |= set(probes)
    print(f"\n{len(seen)} of {SWAPS + 1} states seen by {len(everyone)} readers, {sum(len(x.reads) for x in everyone)} reads")
    assert len(seen) > 2  # the readers really ran across the swaps


# The second process ------------------------------------------------------------------------------------


def _process_reader(db: Path, out: Path, stop_file: Path, think: float) -> None:
    """PROCESS_THREADS readers (one opening a fresh connection every round), streaming reads to `out`."""
    stop = threading.Event()
    logs = [ReaderLog(f"process-{i}") for i in range(PROCESS_THREADS)]
    modes = ["shared", "fresh", "connection", "shared"]
    threads = [threading.Thread(target=read_loop, args=(db, stop, logs[i], modes[i % 4], think)) for i in range(PROCESS_THREADS)]
    for th in threads:
        th.start()
    written = [0] * PROCESS_THREADS
    errors_written = [0] * PROCESS_THREADS
    with open(out, "a", encoding="utf-8") as fh:
        while True:
            done = stop_file.exists()
            for i, log in enumerate(logs):
                for t, what, value in log.reads[written[i]:]:
                    fh.write(json.dumps({"reader": log.name, "t": t, "what": what, "value": value}) + "\n")
                written[i] = len(log.reads)
                for e in log.errors[errors_written[i]:]:
                    fh.write(json.dumps({"reader": log.name, "error": e}) + "\n")
                errors_written[i] = len(log.errors)
            fh.flush()
            if done and stop.is_set():
                break
            if done:
                stop.set()
                for th in threads:
                    th.join(120)
                continue
            time.sleep(0.05)


def _process_writer(db: Path, files: list[Path]) -> None:
    from warehouse.build import ingest

    for path in files:
        ingest("sensors", [path], "airkorea", db)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        _process_reader(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), float(sys.argv[5]))
    else:
        _process_writer(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
