"""Shared steps of mapping an export onto canonical fields: find columns, clean, convert, quarantine.

A check is (field, bad-row expression, reason expression); the first failing check of a row becomes
its quarantine reason, so every rejected row says exactly why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from warehouse.errors import FileError
from warehouse.profile import Profile, normalize_name, normalize_value
from warehouse.readers import LINE

FILE = "_file"
RAW = "_raw"
REASON, FIELD = "_reason", "_field"


def resolve_columns(frame: pl.DataFrame, profile: Profile, fields, file: str) -> dict[str, str]:
    """canonical field → column in this file, checking the profile's required fields are present."""
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        if not col.startswith("_"):
            by_norm.setdefault(normalize_name(col), col)
    found = {}
    for canonical in fields:
        for candidate in profile.candidates(canonical):
            col = by_norm.get(normalize_name(candidate))
            if col is not None:
                found[canonical] = col
                break
    missing = [f for f in profile.required if f not in found and f not in profile.defaults]
    if missing:
        header = ", ".join(c for c in frame.columns if not c.startswith("_")) or "(none)"
        want = " or ".join(repr(c) for c in profile.candidates(missing[0])) or "(no column in profile)"
        line = profile.skip_rows + 1 if profile.format in ("csv", "tsv") else 1
        raise FileError(
            file,
            f"required column missing for profile '{profile.name}': expected {want}; the file has: {header}",
            line=line,
            field=missing[0],
        )
    return found


def text(col: str | None, profile: Profile) -> pl.Expr:
    """A text field with the profile's missing-value sentinels turned into null."""
    if col is None:  # a column the file lacks: nulls of the frame's length, so per-column UDFs still line up
        return pl.repeat(None, pl.len(), dtype=pl.String)
    expr = pl.col(col).cast(pl.String).str.strip_chars()
    sentinels = [s.strip() for s in profile.missing]
    return pl.when(expr.is_in(sentinels) | (expr == "")).then(None).otherwise(expr)


def number(expr: pl.Expr, profile: Profile) -> pl.Expr:
    if profile.thousands:
        expr = expr.str.replace_all(profile.thousands, "", literal=True)
    return expr.cast(pl.Float64, strict=False)


def mapped(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """Value map (keys compared case- and space-insensitively); unmapped values become null."""
    key = expr.str.replace_all(r"\s+", " ").str.to_lowercase()
    return key.replace_strict(mapping, default=None, return_dtype=pl.String)


def raw_record(columns: list[str]) -> pl.Expr:
    """The original record as JSON text, kept with every quarantined row."""
    cols = [c for c in columns if not c.startswith("_")]
    return pl.struct([pl.col(c) for c in cols]).struct.json_encode().alias(RAW)


@dataclass
class Checks:
    items: list[tuple[str, pl.Expr, pl.Expr]] = field(default_factory=list)

    def add(self, field_name: str, bad: pl.Expr, reason: pl.Expr | str) -> None:
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        self.items.append((field_name, bad.fill_null(False), reason_expr))

    def split(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(good rows, quarantined rows with _field and _reason)."""
        if not self.items:
            return frame, frame.clear().with_columns(pl.lit(None, pl.String).alias(FIELD), pl.lit(None, pl.String).alias(REASON))
        field_expr = pl.when(self.items[0][1]).then(pl.lit(self.items[0][0]))
        reason_expr = pl.when(self.items[0][1]).then(self.items[0][2])
        for name, bad, reason in self.items[1:]:
            field_expr = field_expr.when(bad).then(pl.lit(name))
            reason_expr = reason_expr.when(bad).then(reason)
        tagged = frame.with_columns(
            field_expr.otherwise(None).alias(FIELD), reason_expr.otherwise(None).cast(pl.String).alias(REASON)
        )
        bad_rows = tagged.filter(pl.col(REASON).is_not_null())
        good = tagged.filter(pl.col(REASON).is_null()).drop(FIELD, REASON)
        return good, bad_rows


def quote(expr: pl.Expr) -> pl.Expr:
    """A value shown inside a reason: 'value'."""
    return pl.lit("'") + expr.fill_null("") + pl.lit("'")


def quarantine_frame(bad: pl.DataFrame, file: str) -> pl.DataFrame:
    return bad.select(
        pl.lit(file).alias("file"),
        pl.col(LINE).alias("line"),
        pl.col(FIELD).alias("field"),
        pl.col(REASON).alias("reason"),
        pl.col(RAW).alias("raw_record"),
    )


def value_map(profile: Profile, name: str) -> dict[str, str]:
    return profile.values.get(name, {})


__all__ = ["normalize_value"]
