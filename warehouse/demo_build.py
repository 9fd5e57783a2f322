"""`build --demo`: generate the Sejong demo exports if missing and build a warehouse from scratch."""

from __future__ import annotations

import json
from pathlib import Path

from settings import DEMO_DIR
from warehouse import store
from warehouse.build import BatchReport, Progress, initialize, load, prepare
from warehouse.profile import load_profile
from warehouse.reference import load_city

DEMO_FILES = [
    ("complaints", "complaints/sejong_minwon_2025.csv", "kr_minwon", "minwon"),
    ("sensors", "sensors/sejong_air_2025.csv", "airkorea", "airkorea"),
    ("sensors", "sensors/sejong_sensorthings_2025.json", "sensorthings", "sensorthings"),
]


def ensure_demo_exports(out_dir: Path, *, scale: float, seed: int, progress: Progress | None = None) -> None:
    """Generate the exports unless the same seed and scale are already there."""
    marker = out_dir / "events.json"
    if marker.exists() and all((out_dir / f).exists() for _, f, _, _ in DEMO_FILES):
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if meta.get("seed") == seed and float(meta.get("scale", -1)) == float(scale):
            return
    from warehouse.demo import generate

    generate(out_dir, seed=seed, scale=scale, progress=progress)


def build_demo(
    db: Path, *, scale: float = 1.0, seed: int = 20250101, out_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[BatchReport]:
    out_dir = out_dir or (DEMO_DIR if scale == 1.0 else DEMO_DIR.with_name(f"demo-x{scale:g}"))
    ensure_demo_exports(out_dir, scale=scale, seed=seed, progress=progress)
    city = load_city("sejong")
    batches = [
        prepare(dataset, [out_dir / rel], load_profile(profile), city, source=source, progress=progress)
        for dataset, rel, profile, source in DEMO_FILES
    ]
    with store.writing(db, fresh=True, timezone=city.timezone) as con:
        initialize(con, city)
        return [load(con, batch, progress) for batch in batches]
