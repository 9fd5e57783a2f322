"""Data checks: each SQL file in checks/ returns the rows that break one rule; none means it holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse import store

CHECKS_DIR = Path(__file__).resolve().parent / "checks"


@dataclass
class CheckResult:
    name: str
    rule: str
    failures: int
    sample: pl.DataFrame


def check_files() -> list[Path]:
    return sorted(CHECKS_DIR.glob("*.sql"))


def run_checks(db: Path) -> list[CheckResult]:
    con = store.connect(db, read_only=True)
    try:
        return run_checks_on(con)
    finally:
        con.close()


def run_checks_on(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """The checks on a connection (or cursor) the caller already holds, e.g. the dashboard's read-only one."""
    results = []
    for path in check_files():
        sql = path.read_text(encoding="utf-8")
        rule = next((line[2:].strip() for line in sql.splitlines() if line.startswith("--")), path.stem)
        rows = con.sql(sql).pl()
        results.append(CheckResult(path.stem, rule, rows.height, rows.head(5)))
    return results


def report(db: Path, results: list[CheckResult]) -> str:
    """The quality report: checks, then per-batch row accounting and the main quarantine reasons."""
    con = store.connect(db, read_only=True)
    try:
        batches = con.sql(
            "select batch_id, dataset, source, profile, rows_read, rows_loaded, rows_updated, rows_duplicate,"
            " rows_quarantined, status from load_batches order by batch_id"
        ).pl()
        reasons = con.sql(
            "select batch_id, field, regexp_replace(reason, '''[^'']*''', '''…''', 'g') as reason, count(*) as n"
            " from quarantine group by all order by batch_id, n desc"
        ).pl()
        totals = con.execute(
            "select (select count(*) from fct_complaints) as complaints,"
            " (select count(*) from fct_sensor_readings) as readings,"
            " (select count(*) from dim_sensor) as sensors,"
            " (select count(*) from dim_district) as districts"
        ).fetchone()
    finally:
        con.close()
    counts = f"  complaints {totals[0]:,}  readings {totals[1]:,}  sensors {totals[2]:,}  districts {totals[3]:,}"
    lines = [f"warehouse {db}", counts, "", "checks:"]
    for r in results:
        mark = "ok  " if r.failures == 0 else "FAIL"
        lines.append(f"  {mark} {r.name}: {r.rule}" + (f" — {r.failures} offending rows" if r.failures else ""))
        if r.failures:
            lines.append("       " + str(r.sample).replace("\n", "\n       "))
    lines += ["", "batches (read = loaded + updated + duplicates + quarantined):"]
    for b in batches.iter_rows(named=True):
        lines.append(
            f"  #{b['batch_id']} {b['dataset']:<10} {b['source']:<14} read {b['rows_read']:>10,} loaded {b['rows_loaded']:>10,}"
            f" updated {b['rows_updated']:>8,} dup {b['rows_duplicate']:>8,} quarantined {b['rows_quarantined']:>7,} {b['status']}"
        )
        for q in reasons.filter(pl.col("batch_id") == b["batch_id"]).head(5).iter_rows(named=True):
            lines.append(f"      {q['n']:>7,} × [{q['field']}] {q['reason'][:110]}")
    failed = sum(1 for r in results if r.failures)
    lines += ["", f"{len(results) - failed} of {len(results)} checks passed"]
    return "\n".join(lines)
