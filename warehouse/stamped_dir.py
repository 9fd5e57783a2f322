"""A new folder named by the UTC time, for what arrived at that moment (an upload, a pull's responses)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def stamped_dir(parent: Path, now: dt.datetime | None = None) -> Path:
    """Create and return <parent>/<UTC time>; two arrivals within one second get -2, -3 …, never the same folder."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{parent}: 999 folders for {stamp} already")
