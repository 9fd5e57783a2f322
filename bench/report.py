"""Results files: JSON (every raw timing, machine facts) and a markdown table of medians with min–max and the
targets, written under bench/results/ as `<tier>-<UTC time>.{json,md}` and `latest-<tier>.{json,md}`."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

from bench.tiers import RESULTS_DIR, ROOT_DIR

PACKAGES = ["duckdb", "polars", "streamlit", "plotly", "pydeck", "pandas", "pyarrow", "numpy", "playwright"]


def stats(values: list[float]) -> dict:
    """Median, min and max of repeated measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def machine() -> dict:
    """CPU, cores, memory, disk and versions of the machine the figures were measured on."""
    cpuinfo = _read("/proc/cpuinfo").splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), platform.processor())
    mem_kb = next((int(ln.split()[1]) for ln in _read("/proc/meminfo").splitlines() if ln.startswith("MemTotal")), 0)
    disk = shutil.disk_usage(ROOT_DIR)
    fs = next((ln.split()[2] for ln in _read("/proc/mounts").splitlines() if ln.split()[1] == "/"), "?")
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "disk_total_gb": round(disk.total / 1e9), "disk_free_gb": round(disk.free / 1e9), "root_fs": fs,
        "os": platform.platform(), "python": platform.python_version(), "packages": versions,
        "chromium": _out(["chromium", "--version"]), "git_commit": _out(["git", "-C", str(ROOT_DIR), "rev-parse", "--short", "HEAD"]),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _out(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _ms(s: dict | None) -> str:
    if not s:
        return "–"
    return f"{s['median'] * 1000:,.0f} ({s['min'] * 1000:,.0f}–{s['max'] * 1000:,.0f})"


def _warehouse_bytes(inc: dict) -> int:
    return inc.get("warehouse_bytes") or inc.get("db_bytes", 0)


def _sec(s: dict | None, digits: int = 2) -> str:
    if not s:
        return "–"
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}–{s['max']:,.{digits}f})"


def _rate(s: dict | None) -> str:
    if not s:
        return "–"
    unit, div = ("M", 1e6) if s["median"] >= 1e6 else ("k", 1e3)
    return f"{s['median'] / div:,.2f}{unit} ({s['min'] / div:,.2f}–{s['max'] / div:,.2f})"


def _ok(flag: bool | None) -> str:
    return "–" if flag is None else ("✅" if flag else "❌")


def _browser_phases(browser: dict) -> list[str]:
    """Where the browser's time to the first chart goes, per page and cache (bench/browser_bench.py)."""
    pages = {name: p for name, p in browser.get("pages", {}).items() if p.get("phases")}
    if not pages:
        return []
    lines = [
        "### Browser: where the time to the first chart goes", "",
        "Median ms per phase, in sequence (they add up to about the first-chart time): boot = HTML, JS bundle and "
        "websocket open; server = session start and script run until the first chart's element arrives; fetch = its "
        "lazily loaded JS chunk; parse = waiting for the chunk's off-thread compile; eval = the chunk's module "
        "evaluation on the main thread; draw = rendering what arrived meanwhile (the page's charts are drawn together). "
        f"Warm = {browser.get('warm', 'the page opened before in the same browser profile')}; "
        f"cold = {browser.get('cold', 'a fresh browser context')}.", "",
        "| page | cache | first chart ms | chunk | boot | server | fetch | parse | eval | draw | "
        "charts received before it was drawn |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, p in pages.items():
        for mode in ("warm", "cold"):
            phases, chunk = p["phases"][mode], p.get("chunk", {}).get(mode, {})
            total = _ms(p["s"] if mode == "warm" else p["cold"]["s"])  # bench/__main__ made p["s"] stats
            lines.append(
                f"| {name} | {mode} | {total} | {chunk.get('name') or '–'} | "
                + " | ".join(f"{phases[k]['median']:,.0f}" for k in ("boot", "server", "fetch", "parse", "eval", "draw"))
                + f" | {p.get('charts_before_draw', {}).get(mode, 0):g} |")
    caching = {p["chunk"]["warm"].get("cache_control") for p in pages.values() if p.get("chunk", {}).get("warm", {}).get("name")}
    hits = [(p["chunk"]["warm"]["from_cache"], len(p["raw"]["warm"])) for p in pages.values()
            if p.get("chunk", {}).get("warm", {}).get("name")]
    if caching:
        lines += ["", f"Streamlit served the JS chunks with `Cache-Control: {', '.join(sorted(c or 'none' for c in caching))}`; "
                  f"in the warm visits the chunk came from the browser's cache {sum(h for h, _ in hits)} of "
                  f"{sum(n for _, n in hits)} times."]
    return lines + [""]


def _merge_split(b: dict) -> list[str]:
    """The sensor merge per step (summed over the batches of a build), and the ceiling the steps after storing set."""
    if "after_storing_s" not in b:  # results written before the merge was split
        return []
    names = {"landing": "landing", "storing": "storing the readings", "rollups": "hour buckets and rollups",
             "dims": "dim_sensor and districts", "anomalies": "anomalies", "data_checks": "data checks", "other": "other"}
    ceiling = b["ceiling_readings_per_s"]["median"]
    return [
        "| merge step | seconds |", "|---|---|",
        *[f"| {label} | {_sec(b[f'merge_{key}_s'], 1)} |" for key, label in names.items()],
        "",
        f"The steps after storing take {_sec(b['after_storing_s'], 1)} s. If parsing, landing and storing cost no more "
        f"than the whole bare load, this merge would still make the build {_rate(b['ceiling_readings_per_s'])} readings/s, "
        f"{b['ceiling_ratio']:.2f} × bare: the ceiling of this design (targets ≥ 3M/s {_ok(ceiling >= 3e6)}, "
        f"≥ 0.5 × bare {_ok(b['ceiling_ratio'] >= 0.5)}).",
        "",
    ]


def _parsers(b: dict) -> list[str]:
    """Our parse against DuckDB reading the same sensor files with each cell cast: what a parser in DuckDB saves."""
    if "parse_ratios" not in b:  # results written before these reads were measured
        return []
    r = b["parse_ratios"]

    def times(key: str) -> str:
        s = r[key]
        return f"{s['median']:.2f} × ({s['min']:.2f}–{s['max']:.2f})"

    return [
        "| reading the sensor files | seconds | × the bare load of the same files, in the same run |", "|---|---|---|",
        f"| bare load (DuckDB, types detected, nothing checked) | {_sec(b['bare_sensors_s'], 1)} | 1 |",
        f"| DuckDB, every timestamp and value cast (`try_cast`; a cell that does not cast is null): the least a parser "
        f"in DuckDB costs | {_sec(b['bare_cast_s'], 1)} | {times('cast')} |",
        f"| the same, each timestamp also matched against our parser's ISO pattern | {_sec(b['bare_iso_s'], 1)} | "
        f"{times('iso')} |",
        f"| ours: read, hash, parse and check every cell (polars) | {_sec(b['sensor_prepare_s'], 1)} | {times('ours')} |",
        "",
    ]


def _page_row(name: str, p: dict, extra: str, checks: list[bool]) -> str:
    """A page's row: queries, warm, cold, SQL alone, cold ÷ SQL, `extra` cells, then the targets met."""
    sql = p["sql_cold_s"]["median"]
    ratio = p["cold_s"]["median"] / sql if sql >= 0.001 else None  # a page without SQL has no ratio
    met = [p["warm_s"]["median"] <= 0.25, p["cold_s"]["median"] <= 2.0,
           p["cold_s"]["median"] <= max(1.5 * sql, sql + 0.1), *checks]
    return (f"| {name} | {p['queries']} | {_ms(p['warm_s'])} | {_ms(p['cold_s'])} | {_ms(p['sql_cold_s'])} | "
            f"{'–' if ratio is None else f'{ratio:.2f}'} | {extra} | {' '.join(_ok(c) for c in met)} |")


def markdown(res: dict) -> str:
    """The results as a markdown report: data, build, incremental, pages, browser, memory, baseline, machine."""
    m, tier, data = res["machine"], res["tier"], res["data"]
    lines = [
        f"# Benchmark — tier `{tier['name']}` — {res['finished_at']}",
        "",
        f"Data: {data['complaints']:,} complaints, {data['readings']:,} sensor readings ({data['series']} series every "
        f"{data['interval_s'] // 60} min, {data['start']} … {data['end_exclusive']} excl.), exports {data['bytes'] / 1e9:,.2f} GB "
        f"(generated in {data['seconds']:,.0f} s), warehouse {res.get('warehouse_bytes', 0) / 1e9:,.2f} GB. "
        "Figures: median (min–max) of n runs. Targets are the city tier's.",
        "",
    ]
    b = res.get("build")
    if b:
        lines += [
            "## Build", "",
            "| measure | ours | bare DuckDB load | ratio ours ÷ bare | target (city) |", "|---|---|---|---|---|",
            f"| readings/s (n={b['readings_per_s']['n']}) | {_rate(b['readings_per_s'])} | {_rate(b['bare_readings_per_s'])} | "
            f"{b['ratio_readings']:.2f} | ≥ 3M/s {_ok(b['readings_per_s']['median'] >= 3e6)}, "
            f"≥ 0.5 × bare {_ok(b['ratio_readings'] >= 0.5)} |",
            f"| complaints/s | {_rate(b['complaints_per_s'])} | {_rate(b['bare_complaints_per_s'])} | {b['ratio_complaints']:.2f} | – |",
            f"| full build, s | {_sec(b['total_s'], 1)} | {_sec(b['bare_total_s'], 1)} | | |",
            "",
            f"Sensor phase split: parse and checks (polars) {_sec(b['sensor_prepare_s'], 1)} s, merge and rollups (DuckDB) "
            f"{_sec(b['sensor_merge_s'], 1)} s, commit + checkpoint + swap {_sec(b['finalize_s'], 1)} s.",
            "",
            *_parsers(b),
            *_merge_split(b),
        ]
    inc = res.get("incremental")
    if inc:
        lines += [
            "## Incremental day", "",
            f"One more day ({inc['complaints']:,} complaints, {inc['readings']:,} readings) into the built warehouse, one write.", "",
            "| part | seconds |", "|---|---|",
            f"| **total** (target ≤ 2 s {_ok(inc['total_s']['median'] <= 2)}) | {_sec(inc['total_s'])} |",
            f"| parse and checks | {_sec(inc['prepare_s'])} |",
            f"| copy of the files the write changes (main file + the day's year file: "
            f"{inc.get('copied_bytes', 0) / 1e9:.2f} of {_warehouse_bytes(inc) / 1e9:.2f} GB) | {_sec(inc['copy_s'])} |",
            f"| merge, marts and rollups | {_sec(inc['merge_s'])} |",
            f"| commit, checkpoint, fsync, rename | {_sec(inc['finalize_s'])} |",
            "",
            *([f"The extra day opens a new year, so the write created that year's file; a day inside a year also copies "
               f"its year file ({inc['year_file_bytes'] / 1e9:.2f} GB): {_sec(inc['year_file_copy_s'])} s more, timed "
               f"in the same run.", ""] if inc.get("year_file_copy_s") else []),
        ]
    pages = res.get("pages")
    if pages:
        browser = (res.get("browser") or {}).get("pages", {})
        baseline = res.get("baseline", {}).get("pages", {})
        lines += [
            "## Pages", "",
            "Server-side script time (AppTest, router + page, Korean). Cold = Streamlit caches cleared and the warehouse "
            "reopened; warm = the next run. SQL = the page's own queries alone (cold connection). Browser = navigation "
            "to the first chart drawn (headless Chromium; `table`/`script end` where the first screen has no chart), "
            "with a warm browser cache (the page opened before in the same browser profile, as the mayor does every "
            "morning: **the browser target applies to this case**) and a cold one (a first visit, no target).",
            "",
            "| page | queries | warm ms | cold ms | SQL ms | cold ÷ SQL | browser ms, warm cache | browser ms, cold cache | "
            "targets: warm ≤ 250, cold ≤ 2000, cold ≤ max(1.5×SQL, SQL+100), browser (warm cache) ≤ 1500 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, p in pages.items():
            br = browser.get(name)
            br_txt = f"{_ms(br['s'])} {br['until'] if br['until'] != 'chart' else ''}".strip() if br else "–"
            cold = (br or {}).get("cold")
            br_txt += " | " + (f"{_ms(cold['s'])} {cold['until'] if cold['until'] != 'chart' else ''}".strip() if cold else "–")
            lines.append(_page_row(name, p, br_txt, [br["s"]["median"] <= 1.5] if br else []))
        lines.append("")
        year = res.get("pages_year")
        if year:
            lines += [
                "### Pages over the last year (`?period=365d`)", "",
                "The same server-side measurement with the sidebar's longest preset, 최근 1년: the targets hold for "
                "every period a user can pick in one click, not only for the default month.",
                "",
                "| page | queries | warm ms | cold ms | SQL ms | cold ÷ SQL | errors | "
                "targets: warm ≤ 250, cold ≤ 2000, cold ≤ max(1.5×SQL, SQL+100) |",
                "|---|---|---|---|---|---|---|---|",
            ]
            lines += [_page_row(name, p, str(len(p["errors"])), [not p["errors"]]) for name, p in year.items()]
            lines.append("")
        lines += _browser_phases(res.get("browser") or {})
        if baseline:
            lines += [
                "## Baseline: pandas reading the exports on every rerun", "",
                "| page | pandas s | ours warm ms | ours cold ms | pandas ÷ ours warm | pandas ÷ ours cold | target ≥ 20× |",
                "|---|---|---|---|---|---|---|",
            ]
            bl = res["baseline"]
            for name, r in baseline.items():
                lines.append(
                    f"| {name} | {_sec(bl['total_s'])}{' (extrapolated)' if bl['extrapolated'] else ''} | {_ms(pages[name]['warm_s'])} | "
                    f"{_ms(pages[name]['cold_s'])} | {r['ratio_warm']:,.1f}× | {r['ratio_cold']:,.1f}× | {_ok(r['ratio_cold'] >= 20)} |"
                )
            lines.append("")
    mem = (res.get("browser") or {}).get("memory")
    if mem:
        lines += [
            "## Memory", "",
            f"Dashboard server RSS with {mem['sessions']} concurrent browser sessions visiting every page: peak "
            f"{mem['rss_peak_mb']:,.0f} MB (before {mem['rss_before_mb']:,.0f} MB, after {mem['rss_after_mb']:,.0f} MB); "
            f"target ≤ 1024 MB {_ok(mem['rss_peak_mb'] <= 1024)}.", "",
        ]
    if res.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in res["notes"]] + [""]
    lines += [
        "## Machine", "",
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, disk {m['disk_free_gb']} GB free of {m['disk_total_gb']} GB "
        f"({m['root_fs']}), {m['os']}, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v) + f", {m['chromium'] or 'no chromium'}, commit {m['git_commit']}.",
        "",
        f"Benchmark wall time: {res['seconds']:,.0f} s. Load average (1 min) during the run: "
        + ", ".join(f"{v[0]:g}" for v in res.get("load_average", {}).values())
        + f" (the machine is shared and has {m['cores']} cores: a load above {m['cores']} means the figures include waiting).",
        "",
    ]
    return "\n".join(lines)


def write(res: dict, results_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write the JSON and markdown results (timestamped and `latest-<tier>`); return the timestamped pair."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = res["tier"]["name"]
    text_json = json.dumps(res, ensure_ascii=False, indent=1, default=str) + "\n"
    text_md = markdown(res)
    paths = (results_dir / f"{name}-{stamp}.json", results_dir / f"{name}-{stamp}.md")
    for path, text in zip(paths, (text_json, text_md), strict=True):
        path.write_text(text, encoding="utf-8")
    (results_dir / f"latest-{name}.json").write_text(text_json, encoding="utf-8")
    (results_dir / f"latest-{name}.md").write_text(text_md, encoding="utf-8")
    return paths
