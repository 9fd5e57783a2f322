"""Helpers for warehouse tests: write small exports, ingest with the row balance asserted, query."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from warehouse import store
from warehouse.build import BatchReport
from warehouse.build import ingest as _ingest
from warehouse.check import offending_rows

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "warehouse" / "checks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "guarantees"

# every kr_minwon column the tests use, in file order; a file gets the ones its rows use
MINWON_COLUMNS = [
    "접수번호", "접수일시", "민원구분", "민원분야", "민원제목", "민원내용", "처리상태", "처리일시",
    "처리기한", "읍면동", "신청경로", "민원인번호", "위도", "경도",
]
AIRKOREA_COLUMNS = ["측정일시", "측정소명", "미세먼지", "초미세먼지", "오존"]


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    """A CSV file (\\n line ends, minimal quoting); None cells are written empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_minwon(path: Path, rows: list[dict], encoding: str = "cp949") -> Path:
    """A kr_minwon export (CP949 by default, like 새올) from dicts keyed by Korean column name."""
    header = [c for c in MINWON_COLUMNS if any(c in r for r in rows)]
    return write_csv(path, header, [[r.get(c) for c in header] for r in rows], encoding)


def write_airkorea(path: Path, rows: list[list], encoding: str = "cp949") -> Path:
    return write_csv(path, AIRKOREA_COLUMNS, rows, encoding)


def query(db: Path, sql: str, params: dict | None = None) -> pl.DataFrame:
    con = store.connect(db, read_only=True)
    try:
        return con.sql(sql, params=params).pl()
    finally:
        con.close()


def scalar(db: Path, sql: str, params: dict | None = None):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


def table(db: Path, name: str) -> pl.DataFrame:
    """A whole table, sorted on every column, so two builds compare frame to frame."""
    frame = query(db, f"select * from {name}")
    return frame.sort(frame.columns, nulls_last=True)


def run_check(db: Path, name: str) -> pl.DataFrame:
    """The rows breaking one rule of warehouse/checks/ over the whole history (none means it holds)."""
    con = store.connect(db, read_only=True)
    try:
        return offending_rows(con, name)
    finally:
        con.close()


def assert_balanced(report: BatchReport) -> None:
    parts = report.rows_loaded + report.rows_updated + report.rows_duplicate + report.rows_quarantined
    assert report.rows_read == parts, f"batch {report.batch_id} loses rows: {report.summary()}"


def assert_all_batches_balanced(db: Path) -> None:
    """Every batch stored: read = loaded + updated + duplicate + quarantined, and the check agrees."""
    batches = query(db, "select * from load_batches")
    assert batches.height > 0
    for b in batches.iter_rows(named=True):
        parts = b["rows_loaded"] + b["rows_updated"] + b["rows_duplicate"] + b["rows_quarantined"]
        assert b["rows_read"] == parts, b
    assert run_check(db, "load_batches_balance").height == 0


def ingest(dataset: str, path: Path, profile: str | Path, db: Path) -> BatchReport:
    """Ingest one file in-process; every batch must balance, by its report and by the stored check."""
    report = _ingest(dataset, [Path(path)], profile, db)
    assert_balanced(report)
    assert_all_batches_balanced(db)
    return report


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tmp_copies(db: Path) -> list[Path]:
    """Leftovers of a write: the private copy `<db>.tmp-<pid>` and its WAL."""
    return sorted(db.parent.glob(f"{db.name}.tmp-*"))


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(WAREHOUSE_REPORTER_KEY=os.environ.get("WAREHOUSE_REPORTER_KEY", "test-reporter-key"), WAREHOUSE_CITY="sejong")
    return env


def cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m warehouse ARGS` in a subprocess, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "warehouse", *map(str, args)],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout,
    )


# Reporters who come back, which the KPI fixture has not (R24 and R25 never return): one 민원 each in 아름동,
# R1 … R6 in January; R1 … R5 and the new R7 in February; R1 … R4 and R7 in March.
RETURNING_ROWS = (
    [("J", r, "2025-01-10 10:00") for r in ("R1", "R2", "R3", "R4", "R5", "R6")]
    + [("F", r, "2025-02-10 10:00") for r in ("R1", "R2", "R3", "R4", "R5", "R7")]
    + [("M", r, "2025-03-10 10:00") for r in ("R1", "R2", "R3", "R4", "R7")]
)


def returning_warehouse(tmp: Path) -> Path:
    """A warehouse of RETURNING_ROWS alone, built by the real ingest."""
    rows = [{"접수번호": f"{m}{i}", "접수일시": at, "민원구분": "고충민원", "민원제목": "제목", "민원내용": "내용",
             "처리상태": "접수", "읍면동": "아름동", "신청경로": "전화", "민원인번호": r}
            for i, (m, r, at) in enumerate(RETURNING_ROWS)]
    db = tmp / "returning.duckdb"
    ingest("complaints", write_minwon(tmp / "minwon.csv", rows), "kr_minwon", db)
    return db
