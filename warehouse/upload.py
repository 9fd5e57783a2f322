"""An uploaded file, from its bytes to a batch: keep the original, make it readable, preview, then load.

Nothing here knows Streamlit: the Data view (ui/upload.py) calls these steps, and so can a test. The
preview is the real `prepare` (the rows and quarantine the batch would have); nothing is written to the
warehouse until `commit`, which merges that same prepared batch with the copy-and-swap writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from warehouse import store
from warehouse.build import BatchReport, Prepared, Progress, city_of, initialize, load, prepare
from warehouse.profile import Profile, load_profile
from warehouse.readers import LINE, read_records
from warehouse.sniff import Sniffed, header, sniff
from warehouse.stamped_dir import stamped_dir

MB = 1024 * 1024
PREVIEW_COLUMNS = {
    "complaints": [
        "source_id", "kind", "category", "domain", "district_code", "channel", "status", "status_raw", "requested_at",
        "first_response_at", "closed_at", "due_at", "updated_at", "lat", "lon", "votes", "adopted", "satisfaction",
        "agency", "title", "description_masked", "quality",
    ],
    "sensors": ["sensor_id", "station_name", "metric", "measured_at", "value", "unit", "quality", "district_code", "lat", "lon"],
}
TEXT_COLUMNS = ("title", "description_masked")  # complaint text: shown to the mayor's office only
KEYS = {"complaints": ["source_id"], "sensors": ["sensor_id", "metric", "measured_at"]}


@dataclass(frozen=True)
class Upload:
    """One uploaded file kept under the uploads folder, as uploaded and as the readers read it."""

    name: str
    original: Path  # the bytes exactly as uploaded
    readable: Path  # the original, or <name>.csv converted from a workbook / HTML table (<name>.tsv from UTF-16 text)
    sniffed: Sniffed
    header: list[str]
    sha256: str
    size: int


def too_large(size: int, limit_mb: float) -> bool:
    return size > limit_mb * MB


def safe_name(name: str) -> str:
    """The file's own name without any folder part (a browser may send one), never empty or hidden."""
    base = re.split(r"[\\/]", name or "")[-1].strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f]", "", base)
    return base or "upload"


def stage(data: bytes, name: str, folder: Path, now: dt.datetime | None = None) -> Upload:
    """Keep the bytes under <folder>/<UTC time>/<name>, then detect and convert; FileError names the file."""
    name = safe_name(name)
    target = stamped_dir(folder, now)
    original = target / name
    original.write_bytes(data)
    sniffed = sniff(data, name)
    readable = original
    if sniffed.converted:
        readable = target / f"{name}.{sniffed.text_format}"
        readable.write_bytes(sniffed.data)
    return Upload(name, original, readable, sniffed, header(sniffed), hashlib.sha256(data).hexdigest(), len(data))


def adapt(profile: Profile, upload: Upload) -> Profile:
    """The profile reading this upload's readable file: its real delimiter, and UTF-8 where it was converted."""
    sniffed = upload.sniffed
    if sniffed.family == "delimited" and profile.format in ("csv", "tsv"):
        profile = replace(profile, format=sniffed.text_format, delimiter=sniffed.delimiter)
    elif sniffed.family == "jsonl" and profile.format == "json":
        profile = replace(profile, format="jsonl")
    if sniffed.converted:
        profile = replace(profile, encoding="utf-8")
    return profile


def table(upload: Upload) -> pl.DataFrame:
    """The file's records as text columns (for the mapping editor's value lists)."""
    generic = replace(
        load_profile("complaints_csv"), encoding="auto", header=True, skip_rows=0, column_names=None, records_path=None,
        format="sensorthings" if upload.sniffed.family == "sensorthings" else "csv",
    )
    return read_records(upload.readable, adapt(generic, upload))


def preview(upload: Upload, profile: Profile, db: Path, progress: Progress | None = None) -> Prepared:
    """The batch this upload would be, parsed and checked against the warehouse's city, nothing written.

    The batch is recorded under the uploaded file's name and hash, also when the readers read a converted copy.
    """
    city = city_of(db)
    batch = prepare(profile.dataset, [upload.readable], adapt(profile, upload), city, progress=progress)
    batch = replace(batch, profile=profile, files=[str(upload.original)], sha256=[upload.sha256])
    if upload.readable != upload.original:
        batch = replace(batch, quarantine=batch.quarantine.with_columns(pl.lit(str(upload.original)).alias("file")))
    return batch


def commit(batch: Prepared, db: Path, progress: Progress | None = None) -> BatchReport:
    """Merge the previewed batch: one transaction on a copy of the warehouse, swapped in at the end."""
    city = city_of(db)
    with store.writing(db, timezone=city.timezone) as con:
        initialize(con, city)
        return load(con, batch, progress)


def accounting(batch: Prepared) -> dict[str, int]:
    """Where the rows would go: read = valid + quarantined; duplicates inside the file count once each."""
    keys = KEYS[batch.dataset]
    rows = batch.canonical()
    distinct = rows.select(keys).n_unique() if rows.height else 0
    return {
        "read": batch.rows_read, "valid": batch.rows.height, "quarantined": batch.quarantine.height,
        "duplicate_in_file": batch.rows.height - distinct,
    }


def mapped_rows(batch: Prepared, n: int = 20, timezone: str = "Asia/Seoul", with_text: bool = True) -> pl.DataFrame:
    """The first n rows on our canonical fields (times in the city's zone), with the file line they came from."""
    columns = [c for c in PREVIEW_COLUMNS[batch.dataset] if with_text or c not in TEXT_COLUMNS]
    rows = batch.canonical(head=n).select(*columns, pl.col(LINE).alias("line"))
    return rows.with_columns(pl.col(pl.Datetime(time_zone="*")).dt.convert_time_zone(timezone))


def quarantine_preview(batch: Prepared, examples: int = 5) -> pl.DataFrame:
    """Rows that would be quarantined, one line per field × reason (quoted values generalised to '…'):
    how many, the first lines and the first exact reason."""
    q = batch.quarantine
    schema = {"field": pl.String, "reason": pl.String, "rows": pl.UInt32, "lines": pl.String, "example": pl.String}
    if q.height == 0:
        return pl.DataFrame(schema=schema)
    return (
        q.sort("line")
        .with_columns(pl.col("reason").alias("example"), pl.col("reason").str.replace_all(r"'[^']*'", "'…'"))
        .group_by("field", "reason", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col("line").head(examples).cast(pl.String).str.join(", ").alias("lines"),
            pl.col("example").first(),
        )
        .sort(["rows", "field"], descending=[True, False], maintain_order=True)
        .cast(schema)
    )
