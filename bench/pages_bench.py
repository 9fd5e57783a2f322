"""Server-side time of every page (Streamlit AppTest), and the time of that page's SQL alone.

Runs in its own process (`python -m bench.pages_bench DB RUNS OUT.json [PERIOD]`) so that its DuckDB connection
and Streamlit caches belong to it alone. PERIOD is a sidebar period (`365d`, as the link `?period=365d` opens it);
none = the default, the last 30 days. Per page and run:

- cold: Streamlit caches cleared and the warehouse reopened (DuckDB's buffer pool empty; the OS page cache
  stays warm), then one script run of the router with that page;
- warm: the same page run again (cached query results, as for the next visitor);
- SQL alone: exactly the queries the cold run issued (recorded through `queries.run`, with their parameters, and
  through `ui.explorer_sql.run`, the Explorer's queries assembled from allow-listed parts) run again one after
  the other, first on a freshly opened warehouse (cold) and then again (warm).
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard.py"


def pages() -> list[tuple[str, str]]:
    """(url_path, script) of every page of the router, in menu order."""
    text = DASHBOARD.read_text(encoding="utf-8")
    found = re.findall(r'st\.Page\(\s*"([\w/]+\.py)".*?url_path="([a-z_]+)"', text, re.S)
    if not found:
        raise RuntimeError(f"no st.Page(...url_path=...) found in {DASHBOARD}")
    return [(url, script) for script, url in found]


def _reopen() -> None:
    """Drop the shared read-only connection so the next query opens the warehouse afresh."""
    import queries

    queries._state.update(key=None, con=None)
    gc.collect()


def measure(db: Path, runs: int, period: str | None = None) -> dict:
    import os

    os.environ["WAREHOUSE_PATH"] = str(db)
    os.environ["DASHBOARD_AUTH"] = "demo"  # no sign-in: the demo role (the mayor's office) sees every page
    sys.path.insert(0, str(ROOT))
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import queries
    from ui import explorer_sql

    recorded: list[tuple[str, Callable[[], object]]] = []  # (query name, a call that runs it again)
    real_run, real_assembled = queries.run, explorer_sql.run

    def recording_run(name, db=None, **params):
        recorded.append((name, lambda: real_run(name, **params)))
        return real_run(name, db=db, **params)

    def recording_assembled(query, db=None):
        recorded.append(("explorer_sql", lambda: real_assembled(query)))
        return real_assembled(query, db)

    queries.run, explorer_sql.run = recording_run, recording_assembled
    at = AppTest.from_file(str(DASHBOARD), default_timeout=600)
    at.session_state["lang"] = "ko"
    if period:
        at.query_params["period"] = period
    at.run()  # imports and the first page once: what a running server has already done
    results = {}
    for url, script in pages():
        cold, warm, sql_cold, sql_warm, n_queries, errors = [], [], [], [], 0, []
        for _ in range(runs):
            st.cache_data.clear()
            st.cache_resource.clear()
            _reopen()
            recorded.clear()
            at.switch_page(script)
            t0 = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t0)
            calls = list(recorded)
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
            errors = [str(e.value)[:300] for e in at.exception]
            _reopen()
            for timings in (sql_cold, sql_warm):
                t0 = time.perf_counter()
                for _, again in calls:
                    again()
                timings.append(time.perf_counter() - t0)
            n_queries = len(calls)
        results[url] = {
            "script": script, "queries": n_queries, "query_names": sorted({n for n, _ in calls}),
            "cold_s": cold, "warm_s": warm, "sql_cold_s": sql_cold, "sql_warm_s": sql_warm, "errors": errors,
            "period": at.session_state["period"] if "period" in at.session_state else None,  # the sidebar's, if any
        }
    queries.run, explorer_sql.run = real_run, real_assembled
    return results


def main() -> None:
    db, runs, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    period = sys.argv[4] if len(sys.argv) > 4 else None
    out.write_text(json.dumps(measure(db, runs, period), ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
