"""Smoke of the benchmark harness: `python -m bench run --tier smoke` end to end on tiny data (a few seconds).

No timing is asserted (figures on a shared 2-core machine are for bench/results/, not for tests); this checks
that the tier's data is generated as specified and that the results files are written and well-formed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = re.findall(r'url_path="([a-z_]+)"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, str, Path]:
    out = tmp_path_factory.mktemp("results")
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--tier", "smoke", "--no-browser", "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    paths = [Path(p) for p in proc.stdout.split()]
    assert [p.suffix for p in paths] == [".json", ".md"]
    assert all(p.parent == out and p.name.startswith("smoke-") for p in paths)
    return json.loads(paths[0].read_text(encoding="utf-8")), paths[1].read_text(encoding="utf-8"), out


def _is_stats(s: dict, n: int) -> bool:
    return set(s) == {"median", "min", "max", "n"} and s["n"] == n and s["min"] <= s["median"] <= s["max"]


def test_tier_data_is_what_the_tier_says(results):  # the run generates the tier data
    from bench.generate import manifest
    from bench.tiers import tier

    t = tier("smoke")
    meta = manifest(t)
    # 2 stations × 2 metrics × 288 five-minute slots × 14 days
    assert meta["readings"] == t.readings == 2 * 2 * 288 * 14 == 16_128
    assert meta["complaints"] == 2_000
    assert meta["increment"]["day"] == "2025-01-15"
    assert meta["increment"]["sensors"][0]["rows"] == 2 * 2 * 288
    first = (t.data_dir / meta["files"]["sensors"][0]["path"]).read_text(encoding="utf-8").splitlines()[:2]
    assert first[0] == "measured_at,station,metric,value,district,lat,lon"
    assert first[1].startswith("2025-01-01T00:00:00+09:00,BS0000,pm10,")
    header = (t.data_dir / meta["files"]["complaints"][0]["path"]).read_bytes().decode("cp949").splitlines()[0]
    assert header.startswith("접수번호,접수일시,민원구분,민원분야")


def test_results_json_is_complete(results):
    res, _, _ = results
    assert res["tier"]["name"] == "smoke"
    assert res["data"]["readings"] == 16_128
    assert {"cpu", "cores", "ram_gb", "disk_free_gb", "python", "packages"} <= set(res["machine"])
    assert res["machine"]["packages"]["duckdb"]
    build = res["build"]
    for key in ("readings_per_s", "complaints_per_s", "total_s", "bare_readings_per_s", "bare_total_s"):
        assert _is_stats(build[key], 1), key
    assert build["ratio_readings"] > 0
    # the merge split: every step the load reported has its group, and the groups add up to the merge they split
    from bench.build_bench import MERGE_STEPS

    raw = build["raw"]["builds"][0]
    grouped = {step for steps in MERGE_STEPS.values() for step in steps}
    assert {"landing readings", "model fct_sensor_readings_append", "data checks"} <= set(raw["merge_steps_s"]) <= grouped
    assert raw["merge_other_s"] == 0
    groups = sum(raw[f"merge_{g}_s"] for g in MERGE_STEPS)
    assert 0 < groups <= raw["sensor_merge_s"] and groups == pytest.approx(sum(raw["merge_steps_s"].values()))
    assert build["ceiling_ratio"] > 0 and _is_stats(build["after_storing_s"], 1)
    # the sensor files read again in the same run, each cell cast, then with the timestamps' form tested too; every
    # ratio is to that run's bare load of the same files
    bare = build["raw"]["bare"][0]
    assert bare["cast_s"] > 0 and bare["iso_s"] > 0
    assert build["parse_ratios"]["cast"]["median"] == pytest.approx(bare["cast_s"] / bare["sensors_s"])
    assert build["parse_ratios"]["ours"]["median"] == pytest.approx(raw["sensor_prepare_s"] / bare["sensors_s"])
    inc = res["incremental"]
    assert inc["complaints"] > 0 and inc["readings"] == 2 * 2 * 288
    assert _is_stats(inc["total_s"], 1)
    assert list(res["pages"]) == PAGES
    for name, page in res["pages"].items():
        assert not page["errors"], (name, page["errors"])
        for key in ("cold_s", "warm_s", "sql_cold_s", "sql_warm_s"):
            assert _is_stats(page[key], 1), (name, key)
    assert res["pages"]["overview"]["queries"] > 0 and "kpi_headline" in res["pages"]["overview"]["query_names"]
    # the Explorer's own queries (assembled, not from queries/) are part of its SQL: its row count and its rows
    assert "explorer_sql" in res["pages"]["explorer"]["query_names"]
    # the same pages again over the sidebar's longest preset, which the pages really used
    assert list(res["pages_year"]) == PAGES
    for name, page in res["pages_year"].items():
        assert not page["errors"], (name, page["errors"])
        assert _is_stats(page["cold_s"], 1), name
    assert (res["pages"]["overview"]["period"], res["pages_year"]["overview"]["period"]) == ("30d", "365d")
    assert res["pages_year"]["glossary"]["period"] is None
    assert set(res["baseline"]["pages"]) == {"overview", "infrastructure"}
    assert "browser" not in res


def test_results_markdown_has_every_section(results):
    _, md, out = results
    for heading in ("# Benchmark — tier `smoke`", "## Build", "## Incremental day", "## Pages", "### Pages over the last year",
                    "## Baseline", "## Machine",
                    "| merge step | seconds |", "| data checks |", "| reading the sensor files | seconds |",
                    "| ours: read, hash, parse and check every cell (polars) |"):
        assert heading in md
    for page in PAGES:
        assert re.search(rf"^\| {page} \|", md, re.MULTILINE), page
    assert (out / "latest-smoke.md").read_text(encoding="utf-8") == md
    assert json.loads((out / "latest-smoke.json").read_text(encoding="utf-8"))["tier"]["name"] == "smoke"
