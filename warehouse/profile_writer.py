"""Write a mapping made in the upload page as a profile TOML in the saved-profiles folder.

The file is the same kind a person writes by hand (see README "Writing a profile"), so the CLI
accepts it by name: `python -m warehouse ingest ... --profile <name>`. Built-in names are never taken.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from warehouse.errors import ProfileError
from warehouse.profile import BUILTIN_DIR, COMPLAINT_FIELDS, SENSOR_FIELDS, load_profile, saved_dir

NAME = re.compile(r"[a-z0-9_]+")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
REQUIRED = {
    ("complaints", "long"): ["source_id", "requested_at", "status"],
    ("sensors", "wide"): ["measured_at", "station"],
    ("sensors", "long"): ["measured_at", "station", "metric", "value"],
}
STATUSES = ("open", "in_progress", "closed")


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a saved profile's name, or None when it can."""
    if not NAME.fullmatch(name or ""):
        return "a profile name uses only a-z, 0-9 and _ (e.g. district_office)"
    if (BUILTIN_DIR / f"{name}.toml").exists():
        return f"'{name}' is a built-in profile: choose another name"
    return None


def profile_doc(
    *, name: str, dataset: str, columns: dict[str, str], timestamp_formats: list[str], timezone: str,
    file_format: str = "csv", delimiter: str = ",", encoding: str = "auto", source: str | None = None,
    description: str = "", status_map: dict[str, str] | None = None, metrics: dict[str, dict] | None = None,
    missing: list[str] | None = None, country: str | None = None,
) -> dict:
    """The profile as a dict in the TOML layout; ProfileError when the mapping is incomplete."""
    problem = name_problem(name)
    if problem:
        raise ProfileError(problem)
    allowed = COMPLAINT_FIELDS if dataset == "complaints" else SENSOR_FIELDS
    columns = {f: c for f, c in columns.items() if c}
    unknown = sorted(set(columns) - allowed)
    if dataset not in ("complaints", "sensors") or unknown:
        raise ProfileError(f"unknown dataset '{dataset}' or fields {unknown}")
    layout = "wide" if dataset == "sensors" and metrics else "long"
    required = REQUIRED[(dataset, layout if dataset == "sensors" else "long")]
    if dataset == "complaints" and "status" not in columns:
        required = ["source_id", "requested_at"]
    lacking = [f for f in required if f not in columns]
    if lacking:
        raise ProfileError(f"map a column to each required field: {', '.join(lacking)} missing")
    bad_status = sorted({v for v in (status_map or {}).values() if v not in STATUSES})
    if bad_status:
        raise ProfileError(f"status values map onto {', '.join(STATUSES)}, not {', '.join(bad_status)}")
    doc: dict = {"name": name, "dataset": dataset, "description": description, "source": source or name}
    if country:
        doc["country"] = country
    doc["required"] = required
    doc["file"] = {"format": file_format, "encoding": encoding, "delimiter": delimiter, "header": True}
    if file_format not in ("csv", "tsv"):
        doc["file"] = {"format": file_format, "encoding": encoding}
    doc["columns"] = dict(sorted(columns.items()))
    doc["timestamps"] = {"formats": list(timestamp_formats) or ["iso"], "timezone": timezone}
    doc["missing"] = {"values": list(missing if missing is not None else ["", "-"])}
    if dataset == "sensors":
        doc["sensor"] = {"layout": layout}
    if status_map and dataset == "complaints":
        doc["values"] = {"status": dict(status_map)}
    if metrics:
        doc["metrics"] = {m: {"columns": [spec["column"]], "unit": spec["unit"]} for m, spec in metrics.items()}
    return doc


def save_profile(doc: dict, directory: Path | None = None, *, overwrite: bool = False) -> Path:
    """Write `doc` as <directory>/<name>.toml (atomically) and check it loads; return the path."""
    name = doc.get("name", "")
    problem = name_problem(name)
    if problem:
        raise ProfileError(problem)
    folder = Path(directory or saved_dir())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    if path.exists() and not overwrite:
        raise ProfileError(f"a saved profile '{name}' exists already ({path}): choose another name or overwrite it")
    staging = folder / f".saving-{os.getpid()}"  # not matched by *.toml: never half-listed as a profile
    staging.mkdir(exist_ok=True)
    tmp = staging / f"{name}.toml"
    tmp.write_text(to_toml(doc), encoding="utf-8")
    try:
        load_profile(tmp)  # what the CLI will read: refuse to save a file it would reject
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        staging.rmdir()
    return path


# ------------------------------------------------------------------------------------------------ TOML


def to_toml(doc: dict) -> str:
    """A small TOML writer: scalars and lists of scalars as key = value, dicts as [tables]."""
    lines: list[str] = []
    _table(doc, [], lines)
    return "\n".join(lines).strip() + "\n"


def _table(table: dict, path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if path and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(key(p) for p in path) + "]")
    for k, v in scalars.items():
        lines.append(f"{key(k)} = {value(v)}")
    for k, v in tables.items():
        _table(v, [*path, k], lines)


def key(name: str) -> str:
    """A bare key when it can be one, else a quoted one."""
    return name if BARE_KEY.fullmatch(name) else string(name)


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ProfileError(f"cannot write {v!r} in a profile")
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, str):
        return string(v)
    raise ProfileError(f"cannot write a {type(v).__name__} in a profile")


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
