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
ROW = "_row"  # position of the record in the file's frame: the raw record is built for quarantined rows only
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
    sentinels = sorted({s.strip() for s in profile.missing} | {""})
    # one pass over the stripped text (eager polars would strip again for every use of the expression)
    return pl.col(col).cast(pl.String).str.strip_chars().replace(sentinels, None)


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


def with_row(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its row positions in `_row`, to find a quarantined row's record again."""
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW))


def raw_of(frame: pl.DataFrame, rows: pl.Series) -> pl.Series:
    """raw_record of the given rows of the file's frame (JSON-encoding every row would cost more than parsing)."""
    cols = [c for c in frame.columns if not c.startswith("_")]
    return frame.select(cols).gather(rows).select(raw_record(cols)).to_series()


def distinct_rows(keys: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """(the distinct rows of `keys` in order of first appearance, each row's position among them).

    Grouped by a 64-bit hash of the row, which is cheaper than hashing the text twice (unique, then join);
    every row is then compared with the first row of its hash, and on a collision the rows are grouped exactly.
    """
    names = keys.columns
    hashes = keys.select(pl.struct(names).hash().alias("_hash")).with_row_index("_first")
    firsts = hashes.unique(subset="_hash", keep="first", maintain_order=True).with_row_index("_index")
    index = hashes.join(firsts.select("_hash", "_index"), on="_hash", how="left", maintain_order="left")["_index"]
    distinct = keys.gather(firsts["_first"])
    if all(keys[c].eq_missing(distinct[c].gather(index)).all() for c in names):
        return distinct, index
    distinct = keys.unique(maintain_order=True)
    found = keys.join(distinct.with_row_index("_index"), on=names, how="left", nulls_equal=True, maintain_order="left")
    return distinct, found["_index"]


def by_distinct(frame: pl.DataFrame, exprs: list[pl.Expr]) -> pl.DataFrame:
    """Row-wise expressions computed once per distinct combination of the columns they read, spread back.

    Exports repeat few values (status, kind, channel, category), so the regular expressions of mapping run on
    a few hundred combinations instead of every row. Only for expressions whose value depends on their own
    row alone (no aggregations, windows, shifts).
    """
    keys = list(dict.fromkeys(name for expr in exprs for name in expr.meta.root_names()))
    if keys:
        distinct, index = distinct_rows(frame.select(keys))
        if distinct.height * 2 <= frame.height:
            return distinct.select(exprs).select(pl.all().gather(index))
    return frame.select(exprs)


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
        flagged = frame.select(pl.any_horizontal([bad for _, bad, _ in self.items])).to_series()
        if not flagged.any():
            return frame, self.tag(frame.clear())
        # reasons are built for the flagged rows only: formatting a reason for every row costs more than the checks
        bad_rows = self.tag(frame.filter(flagged))
        if bad_rows[REASON].null_count():  # a reason that came out null keeps its row (as the full pass would)
            tagged = self.tag(frame)
            return tagged.filter(pl.col(REASON).is_null()).drop(FIELD, REASON), tagged.filter(pl.col(REASON).is_not_null())
        return frame.filter(~flagged), bad_rows

    def tag(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with the first failing check's field and reason (null where none fails)."""
        field_expr = pl.when(self.items[0][1]).then(pl.lit(self.items[0][0]))
        reason_expr = pl.when(self.items[0][1]).then(self.items[0][2])
        for name, bad, reason in self.items[1:]:
            field_expr = field_expr.when(bad).then(pl.lit(name))
            reason_expr = reason_expr.when(bad).then(reason)
        return frame.with_columns(
            field_expr.otherwise(None).alias(FIELD), reason_expr.otherwise(None).cast(pl.String).alias(REASON)
        )


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
