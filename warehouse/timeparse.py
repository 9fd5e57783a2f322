"""Timestamps in any export's format → UTC instants, including AirKorea's hour 24.

Polars' strptime cannot read `%Y%m%d%H` or hour 24, so each format becomes a regular expression
with named parts, and the instant is assembled and range-checked from those parts.
"""

from __future__ import annotations

import re

import polars as pl

_PARTS = {
    "%Y": r"(?P<Y>\d{4})",
    "%m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{1,2})",
    "%H": r"(?P<H>\d{1,2})",
    "%I": r"(?P<I>\d{1,2})",
    "%M": r"(?P<M>\d{1,2})",
    "%S": r"(?P<S>\d{1,2})",
    "%f": r"(?P<f>\d{1,9})",
    "%p": r"(?P<p>AM|PM|am|pm|오전|오후)",
    "%z": r"(?P<z>Z|z|[+-]\d{2}:?\d{2})",
}
ISO = (
    r"(?P<Y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<z>Z|z|[+-]\d{2}:?\d{2})?"
)
MIN_YEAR, MAX_YEAR = 1990, 2100


def to_regex(fmt: str) -> str:
    if fmt.lower() == "iso":
        return f"^{ISO}$"
    out, i = [], 0
    numeric = {"%Y", "%m", "%d", "%H", "%I", "%M", "%S"}
    while i < len(fmt):
        token = fmt[i : i + 2]
        if token in _PARTS:
            part = _PARTS[token]
            # digits run together (20250101 24): each part then has its fixed width
            if fmt[i - 2 : i] in numeric or fmt[i + 2 : i + 4] in numeric:
                part = part.replace(r"\d{1,2}", r"\d{2}")
            out.append(part)
            i += 2
        elif fmt[i] == " ":
            out.append(r"\s+")
            i += 1
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "^" + "".join(out) + "$"


def _int(parts: pl.Expr, name: str, names: set[str], default: int = 0) -> pl.Expr:
    if name not in names:
        return pl.lit(default, dtype=pl.Int32)
    return parts.struct.field(name).cast(pl.Int32, strict=False).fill_null(default)


def _one_format(text: pl.Expr, fmt: str, tz: str) -> pl.Expr:
    pattern = to_regex(fmt)
    names = set(re.findall(r"\?P<(\w+)>", pattern))
    parts = text.str.strip_chars().str.extract_groups(pattern)
    year = parts.struct.field("Y").cast(pl.Int32, strict=False)
    month, day = _int(parts, "m", names, 1), _int(parts, "d", names, 1)
    hour = _int(parts, "H", names) if "H" in names else _int(parts, "I", names)
    if "p" in names:
        pm = parts.struct.field("p").str.to_uppercase().is_in(["PM", "오후"])
        hour = (hour % 12) + pl.when(pm).then(12).otherwise(0)
    minute, second = _int(parts, "M", names), _int(parts, "S", names)
    frac = (
        parts.struct.field("f").str.pad_end(9, "0").str.slice(0, 6).cast(pl.Int64, strict=False).fill_null(0)
        if "f" in names
        else pl.lit(0, dtype=pl.Int64)
    )
    valid = (
        year.is_between(MIN_YEAR, MAX_YEAR)
        & month.is_between(1, 12)
        & day.is_between(1, 31)
        & (hour.is_between(0, 23) | ((hour == 24) & (minute == 0) & (second == 0)))
        & minute.is_between(0, 59)
        & second.is_between(0, 59)
    )
    date = pl.concat_str(
        [year.cast(pl.String), month.cast(pl.String).str.zfill(2), day.cast(pl.String).str.zfill(2)],
        separator="-",
    ).str.to_date("%Y-%m-%d", strict=False)
    local = (
        date.cast(pl.Datetime("us"))
        + pl.duration(hours=hour, minutes=minute, seconds=second, microseconds=frac)
    )
    local = pl.when(valid).then(local)
    if "z" in names:
        z = parts.struct.field("z")
        sign = pl.when(z.str.starts_with("-")).then(-1).otherwise(1)
        digits = z.str.replace_all(r"[^0-9]", "")
        offset_min = sign * (
            digits.str.slice(0, 2).cast(pl.Int32, strict=False) * 60
            + digits.str.slice(2, 2).cast(pl.Int32, strict=False)
        )
        offset_min = pl.when(z.str.to_uppercase() == "Z").then(0).otherwise(offset_min)
        with_offset = (local - pl.duration(minutes=offset_min)).dt.replace_time_zone("UTC")
        naive = _localize(local, tz)
        return pl.when(z.is_not_null()).then(with_offset).otherwise(naive)
    return _localize(local, tz)


def _localize(local: pl.Expr, tz: str) -> pl.Expr:
    return local.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


UTC = pl.Datetime("us", "UTC")
ISO_FAST = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]


def _fast(result: pl.Series, text: pl.Series, fmt: str, tz: str) -> pl.Series:
    """`result` with the values still unparsed filled by polars' own parser, where it can take the format.

    Each pattern sees only what the earlier ones left: most files need one pass, not one per pattern.
    """
    for f in ISO_FAST if fmt.lower() == "iso" else [fmt]:
        todo = result.is_null() & text.is_not_null()
        left = todo.sum()
        if not left:
            break
        idx = None if left == len(text) else todo.arg_true()
        try:
            # values come deduplicated or mostly distinct (parse_series): polars' cache of repeats would not help
            out = (text if idx is None else text.gather(idx)).str.to_datetime(f, strict=False, time_unit="us", cache=False)
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            continue
        out = out.dt.convert_time_zone("UTC") if out.dtype.time_zone else _localize_series(out, tz)
        result = out.cast(UTC).alias(result.name) if idx is None else result.scatter(idx, out)
    return result


def _localize_series(naive: pl.Series, tz: str) -> pl.Series:
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


def parse_series(text: pl.Series, formats: list[str], tz: str, *, stripped: bool = False) -> pl.Series:
    """Datetime(us, UTC) per value, null where no format fits or the year is outside 1990–2100.

    Polars' parser takes what it can; only the rest (hour 24, compact or odd formats) goes through the
    slower regular-expression path. A column that repeats its times (readings of many sensors at the
    same instants) is parsed once per distinct value. `stripped`: the text has no surrounding white space.
    """
    text = text.cast(pl.String) if stripped else text.cast(pl.String).str.strip_chars()
    if not len(text):
        return _parse_stripped(text, formats, tz)
    # exports write readings of one instant next to each other: parse the first of each run of equal values
    runs = text.rle_id()
    if (runs[-1] + 1) * 4 <= len(text):
        starts = (runs != runs.shift(1)).fill_null(True).arg_true()
        return _parse_stripped(text.gather(starts), formats, tz).gather(runs).alias(text.name)
    sample = text.gather_every(max(1, len(text) // 1000))  # mostly distinct (complaint times): skip the dedup
    if sample.n_unique() * 2 <= len(sample):
        distinct = text.unique()
        if distinct.len() * 2 <= len(text):
            return text.replace_strict(distinct, _parse_stripped(distinct, formats, tz), return_dtype=UTC)
    return _parse_stripped(text, formats, tz)


def _parse_stripped(text: pl.Series, formats: list[str], tz: str) -> pl.Series:
    result = pl.Series(text.name, [], dtype=UTC).extend_constant(None, len(text))
    for fmt in formats:
        result = _fast(result, text, fmt, tz)
    todo = result.is_null() & text.is_not_null()
    if todo.any():
        rest = pl.DataFrame({"t": text.filter(todo)}).select(
            pl.coalesce([_one_format(pl.col("t"), f, tz) for f in formats]).cast(UTC)
        ).to_series()
        result = result.scatter(todo.arg_true(), rest)
    out_of_range = ~result.dt.year().is_between(MIN_YEAR, MAX_YEAR).fill_null(True)
    return result.set(out_of_range, None)


def parse_timestamps(text: pl.Expr, formats: list[str], tz: str) -> pl.Expr:
    """An expression giving Datetime(us, UTC), null where no format fits or the value is out of range."""
    return text.map_batches(lambda s: parse_series(s, formats, tz), return_dtype=UTC)
