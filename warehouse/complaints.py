"""Complaint exports → canonical complaint rows (landing) and quarantined rows with reasons."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from warehouse import mapping as m
from warehouse.pii import hash_reporters, mask_rrn_in_frame, mask_text, mask_values
from warehouse.profile import COMPLAINT_FIELDS, Profile
from warehouse.readers import LINE
from warehouse.timeparse import parse_series

KINDS = {"complaint", "proposal", "inquiry"}
STATUSES = {"open", "in_progress", "closed"}
DOMAINS = {"transport", "safety", "disaster", "energy", "environment", "other"}
TIME_FIELDS = ("requested_at", "first_response_at", "closed_at", "due_at", "updated_at")
DATE_ONLY = r"^\d{4}[-./]?\d{1,2}[-./]?\d{1,2}\.?$"


@dataclass(frozen=True)
class Context:
    """What parsing needs beyond the profile: the source name and the valid coordinate box."""

    source: str
    bounds: tuple[float, float, float, float] | None = None  # lat_min, lat_max, lon_min, lon_max
    country: str | None = None


def parse(frame: pl.DataFrame, profile: Profile, ctx: Context, file: str, lookups: dict | None = None):
    """(landing rows, quarantine rows) for one file's records."""
    cols = m.resolve_columns(frame, profile, sorted(COMPLAINT_FIELDS), file)
    # resident numbers out of every field before anything is kept (raw layer, quarantine, reasons); the
    # record's own id stays as given (a receipt number shaped like one must not collapse ids), the reporter
    # id is hashed below
    frame = m.with_row(mask_rrn_in_frame(frame, {cols.get("source_id"), cols.get("reporter")}))
    # every field's text once, as a column named after the field (an absent field is a column of nulls)
    text = frame.select(
        pl.col(LINE), pl.col(m.ROW),
        pl.col("_ragged") if "_ragged" in frame.columns else pl.lit(None, pl.String).alias("_ragged"),
        *[m.text(cols.get(f), profile).alias(f) for f in COMPLAINT_FIELDS],
    )
    defaults = [pl.coalesce(pl.col(f), pl.lit(value)).alias(f) for f, value in profile.defaults.items() if f in COMPLAINT_FIELDS]
    text = text.with_columns(defaults) if defaults else text
    t = {f: pl.col(f) for f in COMPLAINT_FIELDS}
    for name, value in profile.defaults.items():
        if name not in t:
            t[name] = pl.lit(value)
    category = t["category"]
    for target, (source_field, table) in (lookups or {}).items():
        if target == "category":
            category = pl.coalesce(category, t[source_field].replace_strict(table, default=None, return_dtype=pl.String))
    status_map = m.value_map(profile, "status")
    kind_map = m.value_map(profile, "kind")
    # mapping and masking work per distinct value: exports repeat statuses, districts, agencies and titles
    derived = m.by_distinct(text, [
        (m.mapped(t["kind"], kind_map) if kind_map else t["kind"]).alias("kind"),
        category.alias("category"),
        _domain(t["domain"], category, profile).alias("domain"),
        _channel(t["channel"], profile).alias("channel"),
        (m.mapped(t["status"], status_map) if status_map else t["status"]).alias("status"),
        m.mapped(t["adopted"], m.value_map(profile, "adopted")).alias("adopted"),
    ]).with_columns(
        _per_distinct(text["agency"], lambda v: mask_values(v, where_found=True)).alias("agency"),
        _per_distinct(text["title"], mask_values).alias("title"),
        _per_distinct(text["description"], mask_values).alias("description_masked"),
    )
    times = {f: parse_series(text[f], profile.timestamp_formats, profile.timezone).alias(f) for f in TIME_FIELDS}
    out = text.select(
        pl.col(LINE),
        pl.col(m.ROW),
        pl.col("_ragged"),
        t["source_id"].alias("source_id"),
        derived["kind"],
        t["kind"].alias("kind_raw"),
        derived["category"],
        derived["domain"],
        t["district"].alias("district_raw"),
        derived["channel"],
        t["status"].alias("status_raw"),
        derived["status"],
        *[t[f].alias(f"{f}_raw") for f in TIME_FIELDS],
        *times.values(),
        t["lat"].alias("lat_raw"),
        t["lon"].alias("lon_raw"),
        m.number(t["lat"], profile).alias("lat"),
        m.number(t["lon"], profile).alias("lon"),
        t["reporter"].alias("reporter"),
        t["votes"].alias("votes_raw"),
        m.number(t["votes"], profile).alias("votes"),
        derived["adopted"],
        t["adopted"].alias("adopted_raw"),
        t["satisfaction"].alias("satisfaction_raw"),
        m.number(t["satisfaction"], profile).alias("satisfaction"),
        derived["agency"],
        derived["title"],
        derived["description_masked"],
    )
    checks = _checks(out, profile, ctx)
    good, bad = checks.split(out)
    memo: dict = {}  # reporter id → keyed hash, shared by the quarantine's raw records and the good rows
    good = _finish(good, profile, ctx, memo)
    # the raw record kept with a quarantined row holds the keyed hash of the reporter id, not the id
    raw = frame.gather(bad[m.ROW])
    if "reporter" in cols:
        raw = raw.with_columns(hash_reporters(raw[cols["reporter"]], ctx.source, memo).alias(cols["reporter"]))
    bad = bad.with_columns(raw.select(m.raw_record(raw.columns)).to_series())
    quarantine = m.quarantine_frame(bad.with_columns(mask_text(pl.col(m.RAW)).alias(m.RAW)), file)
    return good, quarantine


def _per_distinct(values: pl.Series, fn) -> pl.Series:
    """fn (value by value) of each distinct value, spread back to the rows: texts repeat across complaints."""
    distinct = values.unique()
    return values.replace_strict(distinct, fn(distinct), return_dtype=pl.String)


def _domain(domain: pl.Expr, category: pl.Expr, profile: Profile) -> pl.Expr:
    table = m.value_map(profile, "domain")
    from_column = m.mapped(domain, table) if table else domain.str.to_lowercase()
    from_category = m.mapped(category, table) if table else pl.lit(None, pl.String)
    guess = pl.coalesce(from_column, from_category, pl.lit("other"))
    return pl.when(guess.is_in(sorted(DOMAINS))).then(guess).otherwise(pl.lit("other"))


def _channel(channel: pl.Expr, profile: Profile) -> pl.Expr:
    table = m.value_map(profile, "channel")
    return pl.coalesce(m.mapped(channel, table), channel) if table else channel


def _checks(out: pl.DataFrame, profile: Profile, ctx: Context) -> m.Checks:
    c = m.Checks()
    c.add("(row)", pl.col("_ragged").is_not_null(), "malformed row: " + pl.col("_ragged"))
    c.add("source_id", pl.col("source_id").is_null(), "missing required field source_id")
    c.add("requested_at", pl.col("requested_at_raw").is_null(), "missing required field requested_at")
    for f in TIME_FIELDS:
        c.add(
            f,
            pl.col(f"{f}_raw").is_not_null() & pl.col(f).is_null(),
            "unparseable or out-of-range timestamp " + m.quote(pl.col(f"{f}_raw"))
            + pl.lit(f" (formats: {', '.join(profile.timestamp_formats)}; years 1990–2100)"),
        )
    if "status" in profile.columns or "status" in profile.defaults:
        c.add("status", pl.col("status_raw").is_null(), "missing required field status")
        known = ", ".join(sorted(set(profile.values.get("status", {}))))
        c.add(
            "status",
            pl.col("status").is_null() | ~pl.col("status").is_in(sorted(STATUSES)),
            "unknown status " + m.quote(pl.col("status_raw")) + pl.lit(f" (known: {known})"),
        )
    if "kind" in profile.values:
        c.add("kind", pl.col("kind_raw").is_not_null() & pl.col("kind").is_null(), "unknown kind " + m.quote(pl.col("kind_raw")))
    c.add(
        "kind", pl.col("kind").is_not_null() & ~pl.col("kind").is_in(sorted(KINDS)),
        "kind must be complaint, proposal or inquiry, not " + m.quote(pl.col("kind")),
    )
    for f, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        c.add(f, pl.col(f"{f}_raw").is_not_null() & pl.col(f).is_null(), "not a number: " + m.quote(pl.col(f"{f}_raw")))
        c.add(f, ~pl.col(f).is_between(lo, hi), "coordinate out of range: " + m.quote(pl.col(f"{f}_raw")))
    if ctx.bounds:
        la0, la1, lo0, lo1 = ctx.bounds
        outside = pl.col("lat").is_not_null() & pl.col("lon").is_not_null() & ~(
            pl.col("lat").is_between(la0, la1) & pl.col("lon").is_between(lo0, lo1)
        )
        where = ctx.country or "the country"
        c.add("lat", outside, pl.lit(f"coordinates outside {where}: ") + pl.col("lat_raw") + ", " + pl.col("lon_raw"))
    c.add(
        "votes", pl.col("votes_raw").is_not_null() & ~_whole(pl.col("votes"), 0, 2**31 - 1),
        "votes must be a whole number ≥ 0, not " + m.quote(pl.col("votes_raw")),
    )
    c.add(
        "satisfaction",
        pl.col("satisfaction_raw").is_not_null() & ~_whole(pl.col("satisfaction"), 1, 5),
        "satisfaction must be 1–5, not " + m.quote(pl.col("satisfaction_raw")),
    )
    c.add(
        "adopted",
        pl.col("adopted_raw").is_not_null() & pl.col("adopted").is_null() & pl.lit("adopted" in profile.values),
        "unknown adoption value " + m.quote(pl.col("adopted_raw")),
    )
    return c


def _whole(number: pl.Expr, lo: int, hi: int) -> pl.Expr:
    """A whole number in [lo, hi]: 3.5, NaN, infinities and values past the stored integer type fail."""
    return number.is_finite().fill_null(False) & number.is_between(lo, hi) & (number == number.floor())


def _finish(good: pl.DataFrame, profile: Profile, ctx: Context, memo: dict | None = None) -> pl.DataFrame:
    """Derive what the checks left: end-of-day due dates, closed times from updates, flags, keys."""
    due_date_only = pl.col("due_at_raw").str.contains(DATE_ONLY)
    closed_from_update = (pl.col("status") == "closed") & pl.col("closed_at").is_null() & pl.col("updated_at").is_not_null()
    flags = pl.concat_str(
        [
            pl.when(pl.col("closed_at") < pl.col("requested_at")).then(pl.lit("closed_before_requested")),
            pl.when(closed_from_update).then(pl.lit("closed_at_from_update")),
            pl.when((pl.col("status") != "closed") & pl.col("closed_at").is_not_null()).then(pl.lit("closed_at_while_open")),
        ],
        separator=",",
        ignore_nulls=True,
    )
    good = good.with_columns(
        pl.when(due_date_only).then(pl.col("due_at") + pl.duration(days=1)).otherwise(pl.col("due_at")).alias("due_at"),
        pl.when(closed_from_update).then(pl.col("updated_at")).otherwise(pl.col("closed_at")).alias("closed_at"),
        pl.when(flags == "").then(None).otherwise(flags).alias("quality"),
        pl.col("votes").cast(pl.Int32),
        pl.col("satisfaction").cast(pl.Int8),
        pl.col("adopted").replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean),
        pl.coalesce(pl.col("kind"), pl.lit("complaint")).alias("kind"),
        pl.lit(ctx.source).alias("source"),
    )
    good = good.with_columns(hash_reporters(good["reporter"], ctx.source, memo).alias("reporter_key"))
    return good.select(
        "source", "source_id", "kind", "category", "domain", "district_raw", "channel", "status", "status_raw",
        "requested_at", "first_response_at", "closed_at", "due_at", "updated_at", "lat", "lon", "reporter_key",
        "votes", "adopted", "satisfaction", "agency", "title", "description_masked", "quality", LINE,
    )
