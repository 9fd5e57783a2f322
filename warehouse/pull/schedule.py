"""`--every 10m`: pull again on a fixed schedule, for hosts without cron or a systemd timer.

A failed run (remote or data problem) is reported and the loop goes on: the watermark did not move, so
the next run resumes. A usage error stops the loop. Runs start every `interval`; a run that takes longer
than the interval is followed by the next at once (missed slots are not caught up in a burst).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable

from warehouse.errors import UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, what: str = "duration") -> dt.timedelta:
    """'90s', '10m', '1.5h', '2d' (a bare number is seconds) → timedelta."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not match:
        raise UsageError(f"{what} must look like 30s, 10m, 2h or 1d, not {text!r}")
    return dt.timedelta(seconds=float(match.group(1)) * UNITS[match.group(2) or "s"])


def every(
    interval: dt.timedelta, run: Callable[[], int], *, max_runs: int | None = None,
    log: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call run() every interval (max_runs times, or until interrupted); the exit code of the last run."""
    seconds = interval.total_seconds()
    if seconds <= 0:
        raise UsageError("--every must be longer than 0s")
    if max_runs is not None and max_runs < 1:
        raise UsageError("--max-runs must be at least 1")
    next_at, runs, code = clock(), 0, 0
    try:
        while True:
            next_at += seconds
            code = run()
            runs += 1
            if max_runs is not None and runs >= max_runs:
                return code
            now = clock()
            next_at = max(next_at, now)  # a run that overran: the next starts at once, missed slots are not caught up
            log(f"run {runs} {'ok' if code == 0 else 'failed'}; next pull in {next_at - now:.0f} s")
            sleep(next_at - now)
    except KeyboardInterrupt:
        log(f"stopped after {runs} run(s)")
        return code
