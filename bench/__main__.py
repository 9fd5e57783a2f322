"""`python -m bench run --tier smoke|ci|city`: generate the tier's data once, measure, write bench/results/.

Options: --runs N (override the tier's repetitions), --skip-build (reuse the tier's built warehouse),
--no-browser / --browser, --no-baseline,
--results-dir DIR. `python -m bench generate --tier T` only generates the data. Progress goes to stderr
(with the load average: the machine is shared), the results paths to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench import baseline_pandas, browser_bench, build_bench, generate, report
from bench.report import stats
from bench.tiers import RESULTS_DIR, ROOT_DIR, TIERS, tier
from warehouse import partitions, store

BASELINE_PAGES = ["overview", "infrastructure"]
YEAR_PERIOD = "365d"  # the sidebar's longest preset (ui/filters.PERIODS), measured beside the default


LOAD: dict[str, list[float]] = {}


def log(msg: str) -> None:
    """Progress to stderr, and the machine's load average at each step (a shared machine: figures are noisy)."""
    LOAD[msg] = [round(x, 1) for x in os.getloadavg()]
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg} (load {LOAD[msg][0]})", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    t = tier(args.tier)
    if args.runs:
        t = replace(t, runs=args.runs, build_runs=min(t.build_runs, args.runs), baseline_runs=min(t.baseline_runs, args.runs))
    log(f"tier {t.name}: {t.complaints:,} complaints, {t.readings:,} readings")
    manifest = generate.ensure(t, log=log)
    db = t.data_dir / "warehouse.duckdb"
    res: dict = {"tier": {"name": t.name, "runs": t.runs, "build_runs": t.build_runs}, "notes": [],
                 "data": {k: v for k, v in manifest.items() if k not in ("files", "increment")}}
    res["machine"] = report.machine()

    if args.skip_build and db.exists():
        res["notes"].append("build not measured in this run (--skip-build): the warehouse of an earlier build was reused")
    else:
        builds, bares = [], []
        for i in range(t.build_runs):
            log(f"full build {i + 1}/{t.build_runs}")
            builds.append(build_bench.full_build(t, manifest, db))
            log(f"  {builds[-1]['total_s']:.1f} s, {builds[-1]['readings_per_s'] / 1e6:.2f}M readings/s; bare load")
            bares.append(build_bench.bare_load(t, manifest, t.data_dir / "bare.duckdb"))
            log(f"  bare {bares[-1]['sensors_s'] + bares[-1]['complaints_s']:.1f} s, {bares[-1]['readings_per_s'] / 1e6:.2f}M readings/s")
        b = {k: stats([x[k] for x in builds]) for k in builds[0] if k not in ("db_bytes", "merge_steps_s")}
        b["bare_readings_per_s"] = stats([x["readings_per_s"] for x in bares])
        b["bare_complaints_per_s"] = stats([x["complaints_per_s"] for x in bares])
        b["bare_total_s"] = stats([x["sensors_s"] + x["complaints_s"] for x in bares])
        # a parser in DuckDB at its least (cells cast; then also the timestamps' form tested) against our parse, each
        # as a multiple of the bare load of the sensor files in the same run
        b["bare_sensors_s"] = stats([x["sensors_s"] for x in bares])
        for key in ("cast_s", "iso_s"):
            b[f"bare_{key}"] = stats([x[key] for x in bares])
        b["parse_ratios"] = {
            key: stats([x[src] / y["sensors_s"] for x, y in zip(runs, bares, strict=True)])
            for key, src, runs in (("cast", "cast_s", bares), ("iso", "iso_s", bares), ("ours", "sensor_prepare_s", builds))
        }
        b["ratio_readings"] = b["readings_per_s"]["median"] / b["bare_readings_per_s"]["median"]
        b["ratio_complaints"] = b["complaints_per_s"]["median"] / b["bare_complaints_per_s"]["median"]
        # the best this merge allows: parse, landing and storing as fast as the bare load, then the steps after
        # storing as measured in the same build
        after = [sum(x[f"merge_{g}_s"] for g in build_bench.AFTER_STORING) for x in builds]
        b["after_storing_s"] = stats(after)
        b["ceiling_readings_per_s"] = stats([manifest["readings"] / (y["sensors_s"] + a) for y, a in zip(bares, after, strict=True)])
        b["ceiling_ratio"] = b["ceiling_readings_per_s"]["median"] / b["bare_readings_per_s"]["median"]
        b["raw"] = {"builds": builds, "bare": bares}
        res["build"] = b
    res["warehouse_bytes"] = store.size(db)

    incs = []
    work = t.data_dir / "work.duckdb"
    for i in range(t.runs):
        log(f"incremental day {i + 1}/{t.runs}")
        incs.append(build_bench.incremental_day(t, manifest, db, work))
    for suffix in ("", ".wal"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.rmtree(partitions.parts_dir(work), ignore_errors=True)
    parts = ("total_s", "prepare_s", "copy_s", "merge_s", "finalize_s", "year_file_copy_s")
    res["incremental"] = {k: stats([x[k] for x in incs]) for k in parts}
    res["incremental"].update(complaints=incs[0]["complaints"], readings=incs[0]["readings"],
                              copied_bytes=incs[0]["copied_bytes"], db_bytes=incs[0]["db_bytes"],
                              year_file_bytes=incs[0]["year_file_bytes"], raw=incs)

    # the default period (the last 30 days), then the longest preset: a page that is fast on a month and fails on a
    # year (as the flat-line check did, out of memory) is not fast at city scale
    for key, period, label in (("pages", None, ""), ("pages_year", YEAR_PERIOD, f", period {YEAR_PERIOD}")):
        log(f"pages (AppTest{label})")
        res[key] = _pages(t, db, period)
        for name, p in res[key].items():
            if p["errors"]:
                res["notes"].append(f"page {name}{label} raised: {p['errors'][0]}")

    want_browser = t.browser if args.browser is None else args.browser
    if want_browser and browser_bench.available():
        log("browser: first chart per page, then memory with 5 sessions")
        try:
            res["browser"] = browser_bench.measure(db.resolve(), t.runs, t.data_dir / "streamlit.log")
        except Exception as exc:  # noqa: BLE001 — the other figures are still worth writing
            res["notes"].append(f"browser measurement failed: {exc!r}")
        for name, p in (res.get("browser") or {}).get("pages", {}).items():
            p["s"] = stats(p["s"])
            if p["until"] == "timeout":
                res["notes"].append(f"browser: page {name} showed neither a chart nor the end of its script within 180 s")
    elif want_browser:
        res["notes"].append("browser figures not measured: Debian chromium is not installed")

    if not args.no_baseline:
        log("baseline: pandas on the exports")
        c_files = [t.data_dir / f["path"] for f in manifest["files"]["complaints"]]
        s_files = [t.data_dir / f["path"] for f in manifest["files"]["sensors"]]
        runs = [baseline_pandas.run_once(c_files, s_files, manifest["readings"]) for _ in range(t.baseline_runs)]
        total = stats([r["total_s"] for r in runs])
        res["baseline"] = {"total_s": total, "extrapolated": runs[0]["extrapolated"], "raw": runs, "pages": {
            name: {"ratio_warm": total["median"] / res["pages"][name]["warm_s"]["median"],
                   "ratio_cold": total["median"] / res["pages"][name]["cold_s"]["median"]}
            for name in BASELINE_PAGES if name in res["pages"]
        }}
    log("done")
    res["load_average"] = dict(LOAD)
    res["finished_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    res["seconds"] = time.perf_counter() - started
    return res


def _pages(t, db: Path, period: str | None) -> dict:
    """bench/pages_bench.py in its own process: per page, medians of cold, warm and SQL-alone times."""
    suffix = f"-{period}" if period else ""
    out = t.data_dir / f"pages{suffix}.json"
    subprocess.run([sys.executable, "-m", "bench.pages_bench", str(db), str(t.runs), str(out), *([period] if period else [])],
                   cwd=ROOT_DIR, check=True, stdout=subprocess.DEVNULL, stderr=open(t.data_dir / f"pages{suffix}.log", "w"))
    return {
        name: {**{k: stats(p[k]) for k in ("cold_s", "warm_s", "sql_cold_s", "sql_warm_s")},
               "queries": p["queries"], "query_names": p["query_names"], "errors": p["errors"], "period": p["period"]}
        for name, p in json.loads(out.read_text(encoding="utf-8")).items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description="Benchmarks of the warehouse build and the dashboard")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="generate (once), measure and write bench/results/")
    r.add_argument("--tier", choices=sorted(TIERS), required=True)
    r.add_argument("--runs", type=int, default=None, help="repetitions of each measurement (default: the tier's)")
    r.add_argument("--skip-build", action="store_true", help="reuse the tier's built warehouse, do not time the build")
    r.add_argument("--browser", dest="browser", action="store_true", default=None, help="measure in Chromium")
    r.add_argument("--no-browser", dest="browser", action="store_false")
    r.add_argument("--no-baseline", action="store_true")
    r.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where to write (default: bench/results/)")
    g = sub.add_parser("generate", help="only generate the tier's data")
    g.add_argument("--tier", choices=sorted(TIERS), required=True)
    args = ap.parse_args(argv)
    if args.command == "generate":
        meta = generate.ensure(tier(args.tier), log=log)
        print(json.dumps({k: v for k, v in meta.items() if k != "files"}, ensure_ascii=False, indent=1))
        return 0
    res = run(args)
    for path in report.write(res, args.results_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
