"""What a pull fetched, on disk, and its ingest: the network stays out of the build.

A pull writes every non-empty answer under `<raw dir>/<source>/<UTC time>/` (page-0001.json …, plus a
manifest.json of every request made) and then ingests those files with the matching profile, as one batch,
advancing the source's watermark in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import store
from warehouse.build import BatchReport, Progress, city_of, initialize, load, prepare
from warehouse.profile import load_profile
from warehouse.pull import watermark
from warehouse.pull.http import redact
from warehouse.stamped_dir import stamped_dir

PageProgress = Callable[[int, int], None]  # (pages fetched, records fetched)


class RunDir:
    """One pull's folder under the raw dir; its manifest lists every request, saved or not."""

    def __init__(self, raw_dir: Path, source: str, now: dt.datetime | None = None):
        self.path = stamped_dir(Path(raw_dir) / source, now)
        self.entries: list[dict] = []
        self.pages: list[Path] = []
        self.summary: dict = {}

    def save(self, name: str, content: bytes) -> Path:
        path = self.path / name
        path.write_bytes(content)
        return path

    def save_page(self, content: bytes) -> Path:
        """The next page-NNNN.json, exactly the bytes received."""
        path = self.save(f"page-{len(self.pages) + 1:04d}.json", content)
        self.pages.append(path)
        return path

    def note(self, url: str, records: int, **extra) -> None:
        self.entries.append({"url": redact(url), "records": records, **extra})

    def write_manifest(self, **summary) -> None:
        """(Re)write manifest.json: status fetched / failed / ingested, the range, every request."""
        self.summary.update(summary)
        doc = {**self.summary, "requests": self.entries}
        (self.path / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


@dataclass
class PullReport:
    kind: str
    source: str
    folder: Path
    pages: int
    records: int
    requests: int
    since: dt.datetime | None
    watermark_before: dt.datetime | None
    watermark_after: dt.datetime | None
    batch: BatchReport | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        since = watermark.format_time(self.since) if self.since else "the beginning"
        lines = [f"pull {self.kind} ({self.source}) since {since}: {self.requests} request(s), "
                 f"{self.pages} page(s) with {self.records:,} record(s) saved in {self.folder}"]
        lines += [f"  {note}" for note in self.notes]
        if self.batch is None:
            lines.append("  nothing new: no batch, watermark unchanged"
                         + (f" ({watermark.format_time(self.watermark_before)})" if self.watermark_before else ""))
        else:
            lines.append(self.batch.summary())
            before = watermark.format_time(self.watermark_before) if self.watermark_before else "none"
            lines.append(f"  watermark {before} → {watermark.format_time(self.watermark_after)}")
        return "\n".join(lines)


def commit(
    dataset: str, paths: list[Path], profile_name: str, db: Path, *, source: str, country: str | None,
    watermark_key: str, watermark_value: dt.datetime, progress: Progress | None = None,
) -> tuple[BatchReport, dt.datetime]:
    """Ingest the fetched files as one batch and advance the watermark in the same transaction."""
    profile = load_profile(profile_name)
    city = city_of(db)
    batch = prepare(dataset, paths, profile, city, source=source, country=country, progress=progress)
    with store.writing(db, timezone=city.timezone) as con:
        initialize(con, city)
        report = load(con, batch, progress)
        stored = watermark.advance(con, watermark_key, watermark_value)
    return report, stored
