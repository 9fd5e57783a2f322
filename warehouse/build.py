"""Ingest: export files → parsed rows and quarantine → one batch merged into the warehouse.

Parsing happens before the warehouse is opened, so a file-level error (wrong profile, binary,
empty) stops the batch with nothing written, and the write itself stays short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from warehouse import complaints, sensor_load, sensors, store
from warehouse.check import record_checks
from warehouse.errors import UsageError
from warehouse.mapping import distinct_rows, normalize_name
from warehouse.profile import Profile, load_profile
from warehouse.readers import LINE, read_records
from warehouse.reference import City, load_city, load_linkage, load_reference

MODELS_DIR = Path(__file__).resolve().parent / "models"
COMPLAINT_MODELS = [
    "staging/stg_complaints.sql", "marts/dim_district_from_complaints.sql",
    "marts/fct_complaints.sql", "marts/agg_complaints_daily.sql",
]
Progress = Callable[[str, int, int], None]


@dataclass
class Prepared:
    """One batch, parsed and checked, ready to merge."""

    dataset: str
    profile: Profile
    source: str
    files: list[str]
    sha256: list[str]
    rows: pl.DataFrame  # complaints: the canonical rows; sensors: the readings (sensors.READING + file_index)
    quarantine: pl.DataFrame
    rows_read: int
    series: pl.DataFrame | None = None  # sensors: the series descriptions the readings' `_dim` points at

    def canonical(self, head: int | None = None) -> pl.DataFrame:
        """The (first `head`) rows on our canonical fields (sensors: each reading with its series' fields), as an
        upload's preview shows them."""
        rows = self.rows if head is None else self.rows.head(head)
        if self.series is None:
            return rows
        described = self.series.select(sensors.DIM, *[c for c in self.series.columns if c not in rows.columns])
        return rows.join(described, on=sensors.DIM, how="left", maintain_order="left").drop(sensors.DIM)


@dataclass
class BatchReport:
    batch_id: int
    dataset: str
    source: str
    profile: str
    files: list[str]
    rows_read: int
    rows_loaded: int
    rows_updated: int
    rows_duplicate: int
    rows_quarantined: int
    reasons: list[tuple[str, str, int]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"batch {self.batch_id}: {self.dataset} from {self.source} (profile {self.profile}), {len(self.files)} file(s)",
            f"  read {self.rows_read:,} = loaded {self.rows_loaded:,} + updated {self.rows_updated:,}"
            f" + duplicates {self.rows_duplicate:,} + quarantined {self.rows_quarantined:,}",
        ]
        for fld, reason, n in self.reasons[:10]:
            lines.append(f"  quarantined {n:,} × [{fld}] {reason}")
        return "\n".join(lines)


def _has_columns(frame: pl.DataFrame, names: list[str]) -> bool:
    have = {normalize_name(c) for c in frame.columns}
    return bool(names) and all(normalize_name(n) in have for n in names)


def prepare(
    dataset: str, paths: list[Path], profile: Profile, city: City, *,
    source: str | None = None, country: str | None = None, progress: Progress | None = None,
) -> Prepared:
    """Read, map and check every file of a batch; raise FileError on a file that cannot be used.

    A file is parsed as soon as it is read, and only what it gave is kept, so memory holds one file's text at a
    time; only a profile with companion files (stations, lookups), which may come after the data, reads all first.
    """
    if profile.dataset != dataset:
        raise UsageError(f"profile '{profile.name}' is for {profile.dataset}, not {dataset}")
    source = source or profile.source
    waiting, lookups, digests = [], {}, []
    stations: pl.DataFrame | None = None
    parsed, described, bad = [], [], []

    def parse(i: int, path: Path, frame: pl.DataFrame) -> None:
        if dataset == "complaints":
            country_code = country or profile.country or city.country
            ctx = complaints.Context(source=source, bounds=_bounds(country_code, city), country=country_code)
            good, q = complaints.parse(frame, profile, ctx, str(path), lookups)
        else:
            good, series, q = sensors.parse(frame, profile, source, str(path), stations)
            # series descriptions numbered across the batch's files (one number, one description)
            offset = sum(d.height for d in described)
            good = good.with_columns(pl.col(sensors.DIM) + offset)
            described.append(series.with_columns(pl.col(sensors.DIM) + offset))
        parsed.append(good.with_columns(pl.lit(i, pl.Int32).alias("file_index")))
        bad.append(q)

    for i, (path, data, digest) in enumerate(_read_ahead(paths)):
        if progress:
            progress(f"reading {path.name}", i, len(paths))
        if data is None:
            raise UsageError(f"no such file: {path}")
        digests.append(digest)
        frame = read_records(path, profile, data)
        del data
        if profile.stations and not profile.header and _first_row_names(frame, profile.stations.match_columns):
            # a station list has its own header even when the readings have none
            frame = read_records(path, replace(profile, header=True, column_names=None))
        lookup = next((lk for lk in profile.lookups if _has_columns(frame, lk.match_columns)), None)
        required = [c for f in profile.required for c in profile.candidates(f)[:1]]
        if lookup and not _has_columns(frame, required):
            table = frame.select(pl.col(_col(frame, lookup.key)), pl.col(_col(frame, lookup.value))).drop_nulls()
            lookups[lookup.target_field] = (lookup.source_field, dict(table.iter_rows()))
            continue
        if profile.stations and _has_columns(frame, profile.stations.match_columns):
            stations = sensors.station_table(frame, profile, str(path))
            continue
        if profile.stations or profile.lookups:
            waiting.append((i, path, frame))
        else:
            parse(i, path, frame)
    for i, path, frame in waiting:
        parse(i, path, frame)
    if not parsed:
        raise UsageError("no data file among the paths (only companion files such as services or stations)")
    read = sum(g.height for g in parsed) + sum(q.height for q in bad)
    series = None
    if dataset == "sensors":
        rows = pl.concat(parsed, how="vertical_relaxed", rechunk=False)  # chunks are landed one by one
        series = _placed(pl.concat(described, how="vertical_relaxed"), city, profile)
    else:
        rows = _assign_districts(pl.concat(parsed, how="vertical_relaxed"), dataset, city)
    return Prepared(
        dataset=dataset, profile=profile, source=source,
        files=[str(p) for p in paths], sha256=digests,
        rows=rows, quarantine=pl.concat(bad, how="vertical_relaxed"), rows_read=read, series=series,
    )


def _read_file(path: Path) -> tuple[bytes | None, str | None]:
    """(content, its SHA-256) of a file, or (None, None) when there is no such file."""
    if not path.exists():
        return None, None
    data = path.read_bytes()  # read once: hashed here, parsed by read_records
    return data, hashlib.sha256(data).hexdigest()


def _read_ahead(paths: list[Path]) -> Iterator[tuple[Path, bytes | None, str | None]]:
    """(path, content, SHA-256) of each file in turn; the next file is read and hashed in a thread meanwhile.

    The disk read and the hash (both release the interpreter) overlap the parse of the file before, which leaves
    part of a core idle; memory holds at most two files' bytes.
    """
    if not paths:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
        pending = pool.submit(_read_file, paths[0])
        for i, path in enumerate(paths):
            data, digest = pending.result()
            if i + 1 < len(paths):
                pending = pool.submit(_read_file, paths[i + 1])
            yield path, data, digest
            del data


def _placed(series: pl.DataFrame, city: City, profile: Profile) -> pl.DataFrame:
    """Sensor series descriptions with their district (from the district cell or the point) and the profile's
    reading interval."""
    return _assign_districts(series, "sensors", city).with_columns(
        pl.lit(profile.expected_interval_s, pl.Int32).alias("expected_interval_s")
    )


COUNTRY_BOUNDS = {"KR": (33.0, 38.7, 124.5, 132.0), "US": (18.0, 72.0, -180.0, -66.0)}


def _bounds(country: str | None, city: City):
    if not country or country.lower() in ("any", "none"):
        return None
    if city.country == country and city.country_bounds:
        return city.country_bounds
    if country.upper() not in COUNTRY_BOUNDS:
        raise UsageError(f"unknown country '{country}' (known: {', '.join(COUNTRY_BOUNDS)}, or 'any')")
    return COUNTRY_BOUNDS[country.upper()]


def _first_row_names(frame: pl.DataFrame, names: list[str]) -> bool:
    """Whether a file read without a header has these column names as its first row."""
    if frame.height == 0:
        return False
    cells = {normalize_name(v) for k, v in frame.row(0, named=True).items() if not k.startswith("_") and v}
    return bool(names) and all(normalize_name(n) in cells for n in names)


def _col(frame: pl.DataFrame, name: str) -> str:
    return next(c for c in frame.columns if normalize_name(c) == normalize_name(name))


def _assign_districts(rows: pl.DataFrame, dataset: str, city: City) -> pl.DataFrame:
    """district_code from the district cell or the coordinates (sensors: per series description)."""
    keys, index = distinct_rows(rows.select("district_raw", "lat", "lon"))
    code, flag = city.resolve(keys["district_raw"], keys["lat"], keys["lon"])
    rows = rows.with_columns(code.gather(index).alias("district_code"), flag.gather(index).alias("_district_flag"))
    if dataset == "complaints":
        rows = rows.with_columns(
            pl.concat_str([pl.col("quality"), pl.col("_district_flag")], separator=",", ignore_nulls=True)
            .replace("", None).alias("quality")
        )
    return rows.drop("_district_flag")


def run_sql_file(
    con: duckdb.DuckDBPyConnection, relative: str, params: dict | None = None, years: list[int] | None = None,
    clauses: dict[str, str] | None = None,
) -> None:
    """Run each statement of a model file, passing only the $parameters that statement names.

    A model of the year files (`{part}` in its text) runs once per local year in `years` (the years the batch
    touched), on that year's file opened for writing (warehouse/partitions.py), with $year, $year_from, $year_to.
    `clauses`: `{name}` → SQL text, always one of the caller's constants (sensor_load.ORDER_BY), never input.
    """
    text = (MODELS_DIR / relative).read_text(encoding="utf-8")
    for name, clause in (clauses or {}).items():
        text = text.replace("{" + name + "}", clause)
    if "{part}" in text:
        if years is None:
            raise ValueError(f"{relative} writes year files: give the years")
        parts = store.partitions_of(con)
        for year in years:
            alias = parts.writable(year)
            bounds = sensor_load.year_bounds(con, year)
            _run_statements(con, text.replace("{part}", alias), {**(params or {}), "year": year, **bounds})
        return
    _run_statements(con, text, params)


def _run_statements(con: duckdb.DuckDBPyConnection, text: str, params: dict | None) -> None:
    for statement in re.split(r";\s*(?:\n|$)", text):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if not body:
            continue
        names = set(re.findall(r"\$(\w+)", body))
        con.execute(body, {k: v for k, v in (params or {}).items() if k in names} or None)


def initialize(con: duckdb.DuckDBPyConnection, city: City) -> None:
    """A new warehouse gets the city's reference dims; an existing one keeps its own."""
    if con.execute("select count(*) from meta where key = 'city'").fetchone()[0] == 0:
        load_reference(con, city)
    if con.execute("select count(*) from dim_linkage").fetchone()[0] == 0:
        load_linkage(con)  # data/linkage.toml; a warehouse older than the linkage gets it on its next write


def load(con: duckdb.DuckDBPyConnection, batch: Prepared, progress: Progress | None = None) -> BatchReport:
    """Merge a prepared batch within the caller's write (store.writing) and record it in load_batches."""
    batch_id = con.execute("select coalesce(max(batch_id), 0) + 1 from load_batches").fetchone()[0]
    started = dt.datetime.now(dt.UTC)
    if batch.dataset == "complaints":
        counts, in_batch, scope = _load_complaints(con, batch, batch_id, progress)
    else:
        if progress:
            progress("landing readings", 0, 1)
        landing = sensor_load.Landing(con)
        landing.add_readings(batch.rows, landing.add_series(batch.series))
        merged = sensor_load.merge(con, landing, run_sql_file, progress)
        counts, in_batch, scope = merged.counts, merged.landed, merged.scope
    rows_read, quarantined = batch.rows_read, batch.quarantine
    distinct = sum(counts.values())
    con.register("quarantine_in", quarantined.with_columns(pl.lit(batch_id, pl.Int32).alias("batch_id")))
    con.execute("insert into quarantine by name select * from quarantine_in")
    con.unregister("quarantine_in")
    report = BatchReport(
        batch_id=batch_id, dataset=batch.dataset, source=batch.source, profile=batch.profile.name,
        files=batch.files, rows_read=rows_read,
        rows_loaded=counts.get("new", 0), rows_updated=counts.get("changed", 0),
        rows_duplicate=(in_batch - distinct) + counts.get("same", 0) + counts.get("stale", 0),
        rows_quarantined=quarantined.height,
        reasons=_reasons(quarantined),
    )
    con.execute(
        """insert into load_batches values ($id, $dataset, $source, $profile, $files, $sha, $started, $finished,
           $read, $loaded, $updated, $duplicate, $quarantined, 'ok', null)""",
        {
            "id": batch_id, "dataset": batch.dataset, "source": batch.source, "profile": batch.profile.name,
            "files": [Path(f).name for f in batch.files], "sha": batch.sha256, "started": started,
            "finished": dt.datetime.now(dt.UTC),
            "read": report.rows_read, "loaded": report.rows_loaded, "updated": report.rows_updated,
            "duplicate": report.rows_duplicate, "quarantined": report.rows_quarantined,
        },
    )
    if progress:
        progress("data checks", 0, 1)  # seconds on a year's batch: a bar should not sit on the last model meanwhile
    record_checks(con, batch_id, scope)
    return report


def _load_complaints(con: duckdb.DuckDBPyConnection, batch: Prepared, batch_id: int, progress: Progress | None):
    """(plan counts, rows in the batch, first and last day touched) of a complaint batch merged into the marts."""
    con.execute((MODELS_DIR / "raw_complaint_table.sql").read_text(encoding="utf-8"))
    landing = batch.rows.with_columns(pl.lit(batch_id, pl.Int32).alias("batch_id")).rename({LINE: "line"})
    con.register("landing", landing)
    con.execute("insert into raw_complaints by name select * from landing")
    con.unregister("landing")
    for i, model in enumerate(COMPLAINT_MODELS):
        if progress:
            progress(f"model {Path(model).stem}", i, len(COMPLAINT_MODELS))
        run_sql_file(con, model, {"batch_id": batch_id})
    counts = dict(con.execute("select action, count(*) from complaint_plan group by action").fetchall())
    scope = con.execute("select min(day), max(day) from touched_complaint_days").fetchall()[0]
    return counts, batch.rows.height, scope


def _reasons(quarantine: pl.DataFrame) -> list[tuple[str, str, int]]:
    if quarantine.height == 0:
        return []
    shortened = quarantine.with_columns(pl.col("reason").str.replace(r"'[^']*'", "'…'"))
    top = shortened.group_by("field", "reason").len().sort(["len", "field"], descending=[True, False])
    return [(r["field"], r["reason"], r["len"]) for r in top.iter_rows(named=True)]


def city_of(db: Path) -> City:
    """The city a warehouse was built for (from its meta table), else the configured one."""
    from settings import city

    if db.exists():
        con = duckdb.connect(str(db), read_only=True)
        try:
            row = con.execute("select value from meta where key = 'city'").fetchone()
        except duckdb.CatalogException:
            row = None
        finally:
            con.close()
        if row is not None:
            return load_city(row[0])
    return load_city(city())


def ingest(
    dataset: str, paths: list[Path], profile_name: str | Path, db: Path, *,
    source: str | None = None, country: str | None = None, progress: Progress | None = None,
) -> BatchReport:
    """Parse the files, then merge them as one batch: all or nothing."""
    profile = load_profile(profile_name)
    city = city_of(db)
    batch = prepare(dataset, paths, profile, city, source=source, country=country, progress=progress)
    with store.writing(db, timezone=city.timezone) as con:
        initialize(con, city)
        return load(con, batch, progress)
