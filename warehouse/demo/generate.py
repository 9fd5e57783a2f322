"""Deterministic demo exports of Sejong City for 2025 (complaints, air quality,
SensorThings observations) plus ``events.json``, the ground truth of every
injected episode, complaint response and data defect.

    from warehouse.demo import generate
    summary = generate(Path("out"), seed=20250101, scale=1.0)

or ``python -m warehouse.demo.generate OUT_DIR [--seed N] [--scale X]``.

Same seed and scale => byte-identical files. ``scale`` multiplies the number of
complaints and of SensorThings Things (the 10 air stations and the time span are
fixed). Inputs: ``data/cities/sejong/districts.csv`` and ``boundaries.geojson``
of this repository (or ``city_dir``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from ._air import write_air
from ._common import PERIOD_SECONDS, default_city_dir, iso, load_districts, write_atomic
from ._complaints import write_complaints
from ._plan import build_plan
from ._sensorthings import write_sensorthings

EVENTS_PATH = "events.json"
Progress = Callable[[str, int, int], None]


def _episode_json(e) -> dict:
    d = {
        "id": e.id,
        "kind": e.kind,
        "source": e.source,
        "thing_or_station": e.target,
        "metric": e.metric,
        "district_code": e.district.code,
        "start": iso(e.t_start()),
        "end": iso(e.t_end()),
        "hours": e.hours,
    }
    params = {k: v for k, v in sorted(e.params.items()) if v is not None}
    if params:
        d["detail"] = params
    return d


def generate(out_dir: Path, *, seed: int = 20250101, scale: float = 1.0, progress: Progress | None = None,
             city_dir: Path | None = None, inject_events: bool = True) -> dict:
    """Write the demo exports into ``out_dir`` and return a summary (paths, row counts, sizes).

    ``inject_events=False`` writes the same background data with no sensor episode, complaint response or
    burst (data defects stay): the null case on which event detection must find (almost) nothing.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ev_path = out_dir / EVENTS_PATH
    ev_path.unlink(missing_ok=True)  # events.json marks a complete set: it is written last

    def step(name: str, done: int) -> None:  # one (0, 1) / (1, 1) pair per step; SensorThings counts Things
        if progress is not None:
            progress(name, done, 1)

    step("plan", 0)
    districts = load_districts(Path(city_dir) if city_dir else default_city_dir())
    plan = build_plan(seed, scale, districts)
    if not inject_events:
        plan.episodes = []
    step("plan", 1)
    step("air", 0)
    air = write_air(out_dir, seed, plan)
    step("air", 1)
    st = write_sensorthings(out_dir, seed, plan, progress=progress)
    step("complaints", 0)
    comp = write_complaints(out_dir, seed, scale, plan, bursts=inject_events)
    step("complaints", 1)
    step("events", 0)
    reported_ids = {r["episode_id"] for r in comp["responses"]}
    events = {
        "seed": seed,
        "scale": scale,
        "injected_events": inject_events,
        "period": {"start": iso(0), "end": iso(PERIOD_SECONDS), "timezone": "Asia/Seoul",
                   "end_exclusive": True},
        "conventions": {
            "episode_span": "start/end are the timestamps of the first and last affected reading (inclusive); "
                            "air readings are stamped at the end of the hour (label HH=01..24), SensorThings "
                            "phenomenonTime at the start of the hour",
            "line": "1-based physical line number including the header line",
        },
        "sensor_episodes": [_episode_json(e) for e in plan.episodes],
        "complaint_responses": comp["responses"],
        "complaint_bursts": comp["bursts"],
        "unreported_episode_ids": [e.id for e in plan.episodes if e.reportable and e.id not in reported_ids],
        "data_defects": comp["defects"] + air["defects"] + st["defects"],
        "pii_injections": comp["pii"],
        "slow_districts": comp["slow_districts"],
    }
    write_atomic(ev_path, (json.dumps(events, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    step("events", 1)

    def info(p: Path, **kw) -> dict:
        return {"path": str(p), "bytes": p.stat().st_size, **kw}

    return {
        "out_dir": str(out_dir),
        "seed": seed,
        "scale": scale,
        "files": {
            "complaints": info(comp["path"], rows=comp["rows"]),
            "air": info(air["path"], rows=air["rows"]),
            "sensorthings": info(st["path"], things=st["things"], datastreams=st["datastreams"],
                                 observations=st["observations"]),
            "events": info(ev_path, sensor_episodes=len(events["sensor_episodes"]),
                           complaint_responses=len(events["complaint_responses"]),
                           data_defects=len(events["data_defects"])),
        },
        "complaint_stats": comp["stats"],
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--city-dir", type=Path, default=None)
    ap.add_argument("--no-events", action="store_true", help="inject no sensor episode, complaint response or burst")
    args = ap.parse_args(argv)
    summary = generate(args.out_dir, seed=args.seed, scale=args.scale, city_dir=args.city_dir,
                       inject_events=not args.no_events)
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
