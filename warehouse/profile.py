"""Export profiles: TOML files that say how a foreign export maps onto our canonical fields.

A profile needs no code. Built-ins live in warehouse/profiles/; a user passes their own path.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.errors import ProfileError

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
FORMATS = {"csv", "tsv", "json", "jsonl", "sensorthings"}
COMPLAINT_FIELDS = {
    "source_id", "kind", "category", "service_code", "domain", "district", "channel", "status",
    "requested_at", "first_response_at", "closed_at", "due_at", "updated_at", "lat", "lon",
    "reporter", "votes", "adopted", "satisfaction", "agency", "title", "description",
}
SENSOR_FIELDS = {
    "measured_at", "station", "station_name", "district", "lat", "lon", "metric", "value",
    "unit", "status", "domain",
}
_SPACE = re.compile(r"[\s_\-.·/]+|\([^)]*\)$|\[[^\]]*\]$")


def normalize_name(name: str) -> str:
    """Column names compare loosely: `Created Date`, `CreatedDate` and `created_date` are one name."""
    text = str(name).strip().lstrip("\ufeff")
    text = re.sub(r"\([^)]*\)\s*$", "", text)
    return _SPACE.sub("", text).lower()


@dataclass(frozen=True)
class Lookup:
    """A companion file (e.g. Open311 services.json) that maps a code field onto a name."""

    match_columns: list[str]
    key: str
    value: str
    source_field: str
    target_field: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StationFile:
    """A companion station file for long sensor exports: code → name, lat, lon, district."""

    match_columns: list[str]
    columns: dict[str, list[str]]


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    dataset: str
    description: str
    source: str
    format: str
    encoding: str
    delimiter: str
    header: bool
    skip_rows: int
    column_names: list[str] | None
    records_path: str | None
    columns: dict[str, list[str]]
    required: list[str]
    timestamp_formats: list[str]
    timezone: str
    values: dict[str, dict[str, str]]
    strict_values: list[str]
    defaults: dict[str, str]
    missing: list[str]
    thousands: str | None
    country: str | None
    lookups: list[Lookup]
    layout: str = "long"
    metrics: dict[str, dict] = field(default_factory=dict)
    expected_interval_s: int | None = None
    stations: StationFile | None = None
    domain: str | None = None

    def candidates(self, canonical: str) -> list[str]:
        return self.columns.get(canonical, [])


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def list_profiles() -> list[Profile]:
    return [load_profile(p) for p in sorted(BUILTIN_DIR.glob("*.toml"))]


def saved_dir() -> Path:
    """Where profiles saved from the upload page live ($WAREHOUSE_PROFILES_DIR, else data/profiles)."""
    from settings import profiles_dir

    return profiles_dir()


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name, else a saved one (saved_dir()) by name, or a profile TOML file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = BUILTIN_DIR / f"{name_or_path}.toml"
        if not path.exists() and (saved_dir() / f"{name_or_path}.toml").exists():
            path = saved_dir() / f"{name_or_path}.toml"
        if not path.exists():
            builtins = [p.stem for p in sorted(BUILTIN_DIR.glob("*.toml"))]
            names = ", ".join(builtins)
            saved = ", ".join(p.stem for p in sorted(saved_dir().glob("*.toml")) if p.stem not in builtins) or "none"
            raise ProfileError(f"no profile '{name_or_path}' (built-ins: {names}; saved in {saved_dir()}: {saved})")
    if not path.exists():
        raise ProfileError(f"profile file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    return _from_dict(raw, path)


def _from_dict(raw: dict, path: Path) -> Profile:
    def fail(msg: str):
        raise ProfileError(f"{path}: {msg}")

    dataset = raw.get("dataset")
    if dataset not in ("complaints", "sensors"):
        fail("'dataset' must be \"complaints\" or \"sensors\"")
    file = raw.get("file", {})
    fmt = file.get("format", "csv")
    if fmt not in FORMATS:
        fail(f"[file] format must be one of {sorted(FORMATS)}, not {fmt!r}")
    allowed = COMPLAINT_FIELDS if dataset == "complaints" else SENSOR_FIELDS
    columns = {k: _as_list(v) for k, v in raw.get("columns", {}).items()}
    unknown = set(columns) - allowed
    if unknown:
        fail(f"[columns] has unknown canonical fields {sorted(unknown)}; allowed: {sorted(allowed)}")
    ts = raw.get("timestamps", {})
    sensor = raw.get("sensor", {})
    metrics = raw.get("metrics", {})
    for metric, spec in metrics.items():
        if not isinstance(spec, dict) or "columns" not in spec:
            fail(f"[metrics.{metric}] needs 'columns'")
    lookups = [
        Lookup(
            match_columns=_as_list(lk.get("match_columns")),
            key=lk["key"], value=lk["value"],
            source_field=lk["source_field"], target_field=lk["target_field"],
            extra={k: str(v) for k, v in lk.get("extra", {}).items()},
        )
        for lk in raw.get("lookup", [])
    ]
    st = raw.get("stations")
    stations = None
    if st:
        stations = StationFile(
            match_columns=_as_list(st.get("match_columns")),
            columns={k: _as_list(v) for k, v in st.get("columns", {}).items()},
        )
    interval = sensor.get("expected_interval_s")
    values = {
        f: {normalize_value(k): str(v) for k, v in m.items()} for f, m in raw.get("values", {}).items()
    }
    default_required = (
        ["source_id", "requested_at"] if dataset == "complaints" else ["measured_at", "station"]
    )
    return Profile(
        name=raw.get("name", path.stem),
        path=path,
        dataset=dataset,
        description=raw.get("description", ""),
        source=raw.get("source", path.stem),
        format=fmt,
        encoding=file.get("encoding", "auto"),
        delimiter="\t" if fmt == "tsv" else file.get("delimiter", ","),
        header=bool(file.get("header", True)),
        skip_rows=int(file.get("skip_rows", 0)),
        column_names=_as_list(file.get("column_names")) or None,
        records_path=file.get("records_path"),
        columns=columns,
        required=_as_list(raw.get("required", default_required)),
        timestamp_formats=_as_list(ts.get("formats", ["iso"])),
        timezone=ts.get("timezone", "UTC"),
        values=values,
        strict_values=_as_list(raw.get("strict_values", [])),
        defaults={k: str(v) for k, v in raw.get("defaults", {}).items()},
        missing=_as_list(raw.get("missing", {}).get("values", [""])),
        thousands=raw.get("numbers", {}).get("thousands"),
        country=raw.get("country"),
        lookups=lookups,
        layout=sensor.get("layout", "long"),
        metrics=metrics,
        expected_interval_s=int(interval) if isinstance(interval, int) else None,
        stations=stations,
        domain=raw.get("domain"),
    )


def normalize_value(value: str) -> str:
    """Value-map keys compare case- and space-insensitively."""
    return re.sub(r"\s+", " ", str(value).strip()).lower()
