"""Which profile fits a file: every built-in and saved profile scored by how much of it the header satisfies.

A profile fits when the header has a column for each of its required fields (a [defaults] value counts),
a wide sensor profile also needs one metric column, and the file's format is one the profile reads.
Fitting profiles rank first, then by how many of their fields the header has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.errors import ProfileError
from warehouse.profile import Profile, list_profiles, load_profile, normalize_name, saved_dir

FAMILY = {"csv": "delimited", "tsv": "delimited", "json": "json", "jsonl": "jsonl", "sensorthings": "sensorthings"}


@dataclass(frozen=True)
class Suggestion:
    """One profile scored against a header."""

    profile: Profile
    saved: bool  # a profile saved from the upload page, not a built-in
    format_ok: bool  # the profile reads files of this kind
    matched: dict[str, str]  # field (metrics as `metric:<name>`) → the header's column
    missing: list[str]  # required fields the header lacks (a wide sensor profile's `metrics` if no metric column)
    unmatched: list[str] = field(default_factory=list)  # optional fields the header lacks

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def fits(self) -> bool:
        return self.format_ok and not self.missing

    @property
    def share(self) -> float:
        """Share of the profile's fields the header has (0–1)."""
        total = len(self.matched) + len(self.missing) + len(self.unmatched)
        return len(self.matched) / total if total else 0.0


def score(header: list[str], profile: Profile, family: str = "delimited", saved: bool = False) -> Suggestion:
    """How well `header` (a file of this format family) satisfies `profile`."""
    if not profile.header and profile.column_names:
        header = _positional(header, profile.column_names)
    present: dict[str, str] = {}
    for column in header:
        present.setdefault(normalize_name(column), column)
    matched, missing, unmatched = {}, [], []
    for name in dict.fromkeys([*profile.required, *profile.columns]):
        column = next((present[n] for c in profile.candidates(name) if (n := normalize_name(c)) in present), None)
        if column is not None:
            matched[name] = column
        elif name in profile.required and name not in profile.defaults:
            missing.append(name)
        elif profile.candidates(name):
            unmatched.append(name)
    if profile.layout == "wide":
        metric_found = False
        for metric, spec in profile.metrics.items():
            columns = spec["columns"] if isinstance(spec["columns"], list) else [spec["columns"]]
            column = next((present[n] for c in columns if (n := normalize_name(c)) in present), None)
            if column is not None:
                matched[f"metric:{metric}"] = column
                metric_found = True
            else:
                unmatched.append(f"metric:{metric}")
        if not metric_found:
            missing.append("metrics")
    format_ok = FAMILY.get(profile.format) == family
    return Suggestion(profile, saved, format_ok, matched, missing, unmatched)


def _positional(first_row: list[str], names: list[str]) -> list[str]:
    """A headerless profile names columns by position: a first row of data (mostly cells with digits) as
    wide as its column_names gets those names; anything else (a header row, another width) gets none."""
    data_like = sum(any(ch.isdigit() for ch in cell) for cell in first_row) * 2 >= len(first_row)
    return list(names) if len(first_row) == len(names) and data_like else []


def candidates(directory: Path | None = None) -> tuple[list[tuple[Profile, bool]], list[str]]:
    """(built-in and saved profiles with a saved flag, problems with saved files). A broken saved file is
    reported, not fatal; a saved file named like a built-in is ignored (the built-in wins, as in the CLI)."""
    found = [(p, False) for p in list_profiles()]
    builtin = {p.name for p, _ in found} | {p.path.stem for p, _ in found}
    problems = []
    folder = directory or saved_dir()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        if path.stem in builtin:
            problems.append(f"{path}: named like a built-in profile, ignored")
            continue
        try:
            found.append((load_profile(path), True))
        except ProfileError as exc:
            problems.append(str(exc))
    return found, problems


def suggest(
    header: list[str], dataset: str | None = None, family: str = "delimited",
    profiles: list[tuple[Profile, bool]] | None = None,
) -> list[Suggestion]:
    """Every profile (of `dataset`, if given) ranked for this header: fitting first, then most fields matched."""
    pool = profiles if profiles is not None else candidates()[0]
    scored = [score(header, p, family, saved) for p, saved in pool if dataset in (None, p.dataset)]
    return sorted(
        scored,
        key=lambda s: (not s.fits, not s.format_ok, len(s.missing), -len(s.matched), -s.share, not s.saved, s.name),
    )
