"""Sensor exports (wide, long or SensorThings) → one canonical reading per sensor × metric × time."""

from __future__ import annotations

import polars as pl

from warehouse import catalog
from warehouse import mapping as m
from warehouse.errors import FileError
from warehouse.profile import SENSOR_FIELDS, Profile, normalize_name
from warehouse.readers import LINE
from warehouse.timeparse import parse_series

# the fields that describe a series rather than one reading: few distinct values per file
DIMENSIONS = ("station", "station_name", "district", "lat", "lon", "status", "domain", "metric", "unit")
DIM = "_dim"  # index of the row's series description (same index, same sensor, metric, unit, quality, place)
# what a reading carries; everything else about it is its series description's
READING = (DIM, "measured_at", "value", LINE)
SERIES = ("source", "sensor_id", "station_name", "metric", "unit", "quality", "lat", "lon", "district_raw", "domain")


def parse(frame: pl.DataFrame, profile: Profile, source: str, file: str, stations: pl.DataFrame | None = None):
    """(readings, series descriptions, quarantine rows) for one file's records.

    A reading is `_dim` (its row in the descriptions), `measured_at`, `value` and `_line`; a description holds
    what the readings of one distinct combination of series cells share (SERIES), so it is stored once.

    Everything that depends only on a reading's series (names, metric, unit and its conversion, coordinates,
    domain, quality word, and the checks of those) is worked out once per distinct combination of the raw
    cells that describe it (`_dim`) and looked up per reading: a month of 200,000 readings has a few dozen.
    Reasons are formatted for flagged readings only.
    """
    cols = m.resolve_columns(frame, profile, sorted(SENSOR_FIELDS), file)
    frame = m.with_row(frame)
    keys = series_keys(cols, profile)
    base = [
        pl.col(LINE), pl.col(m.ROW),
        pl.col("_ragged") if "_ragged" in frame.columns else pl.lit(None, pl.String).alias("_ragged"),
        m.text(cols.get("measured_at"), profile).alias("measured_at_raw"),
        *[pl.col(col).alias(key) for key, col in keys.items()],
    ]
    if not keys:  # no column describes the series: one description for every row
        keys = {"_key_all": ""}
        base.append(pl.lit(True).alias("_key_all"))
    if profile.layout == "wide":
        rows = _unpivot(frame, profile, base, file)
        keys["metric_raw"] = "metric_raw"
    else:
        rows = frame.select(*base, m.text(cols.get("value"), profile).alias("value_raw"))
    distinct, dim = m.distinct_rows(rows.select(list(keys)))
    dims = describe(distinct, keys, profile, source, stations)
    rows = rows.drop(list(keys)).with_columns(dim.alias(DIM))
    rows = rows.with_columns(
        parse_series(rows["measured_at_raw"], profile.timestamp_formats, profile.timezone, stripped=True).alias("measured_at"),
        m.number(pl.col("value_raw"), profile).alias("value_in"),
    )
    per_row = [bad for _, bad, _ in _checks(profile).items if not _per_description(bad, dims)]
    rows = _attach(rows, dims, ["_factor", "_lo", "_hi", "_dim_bad"])
    rows = rows.with_columns((pl.col("value_in") * pl.col("_factor")).alias("value"))
    flagged = rows.select(pl.any_horizontal([*per_row, pl.col("_dim_bad")])).to_series()
    suspect = rows.filter(flagged) if flagged.any() else rows.clear()
    bad = _checks(profile).tag(_attach(suspect, dims, [c for c in dims.columns if c not in rows.columns]))
    if bad[m.REASON].null_count():  # a reason that came out null keeps its row, as a check-by-check split would
        kept = bad[m.REASON].is_null()
        flagged = flagged.scatter(flagged.arg_true().filter(kept), False)
        bad = bad.filter(~kept)
    good = rows.filter(~flagged) if bad.height else rows
    bad = bad.with_columns(m.raw_of(frame, bad[m.ROW]))
    return good.select(READING), dims.select(DIM, *SERIES), m.quarantine_frame(bad, file)


def series_keys(cols: dict[str, str], profile: Profile) -> dict[str, str]:
    """`_key_<field>` → column, for the file's columns that describe a series (a wide file's metric is its column)."""
    wide_only = ("metric", "unit") if profile.layout == "wide" else ()
    return {f"_key_{f}": cols[f] for f in DIMENSIONS if f in cols and f not in wide_only}


def describe(distinct: pl.DataFrame, keys: dict[str, str], profile: Profile, source: str, stations: pl.DataFrame | None):
    """The distinct series cells of a file, described (sensors.SERIES, `_factor`, `_lo`, `_hi`) and checked:
    `_dim_bad` = a check of the description fails, so each of its readings is quarantined."""
    dims = _dimensions(distinct, keys, profile, source, stations)
    per_dim = [bad for _, bad, _ in _checks(profile).items if _per_description(bad, dims)]
    return dims.with_columns(pl.any_horizontal([pl.lit(False), *per_dim]).alias("_dim_bad"))


def _per_description(bad: pl.Expr, dims: pl.DataFrame) -> bool:
    """A check that reads only the description's columns runs once per description, not per reading."""
    return set(bad.meta.root_names()) <= set(dims.columns)


def _attach(rows: pl.DataFrame, dims: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Columns of the series descriptions onto the readings, by each reading's `_dim` (a row of dims)."""
    return rows.with_columns(dims[name].gather(rows[DIM]) for name in names)


def _dimensions(dims: pl.DataFrame, keys: dict[str, str], profile: Profile, source: str, stations: pl.DataFrame | None):
    """Per distinct series description: the canonical station, metric, unit, factor, coordinates, domain, quality."""

    def text(field: str) -> pl.Expr:
        key = f"_key_{field}"
        return m.text(key if key in keys else None, profile)

    dims = dims.with_columns(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(DIM),
        text("station").alias("station"),
        pl.coalesce(text("station_name"), text("station")).alias("station_name"),
        text("district").alias("district_raw"),
        text("lat").alias("lat_raw"), text("lon").alias("lon_raw"),
        text("status").alias("status_raw"),
        text("domain").alias("domain_raw"),
    )
    if profile.layout != "wide":
        dims = dims.with_columns(text("metric").alias("metric_raw"), text("unit").alias("unit_raw"))
    else:
        dims = dims.with_columns(pl.lit(None, pl.String).alias("unit_raw"))
    if stations is not None:
        dims = dims.join(stations, on="station", how="left", suffix="_st", maintain_order="left").with_columns(
            pl.coalesce("station_name_st", "station_name").alias("station_name"),
            pl.coalesce("district_raw_st", "district_raw").alias("district_raw"),
            pl.coalesce("lat_raw_st", "lat_raw").alias("lat_raw"),
            pl.coalesce("lon_raw_st", "lon_raw").alias("lon_raw"),
        ).drop("station_name_st", "district_raw_st", "lat_raw_st", "lon_raw_st")
    metric_map = {**catalog.alias_map(), **m.value_map(profile, "metric")}
    names = dims["metric_raw"].drop_nulls().unique().to_list()
    by_alias = {name: metric_map.get(normalize_name(name)) for name in names}
    units = {name: spec.get("unit") for name, spec in profile.metrics.items()}
    dims = dims.with_columns(
        pl.coalesce(
            m.mapped(pl.col("metric_raw"), m.value_map(profile, "metric")),
            pl.col("metric_raw").replace_strict(by_alias, default=None, return_dtype=pl.String),
        ).alias("metric"),
        m.number(pl.col("lat_raw"), profile).alias("lat"),
        m.number(pl.col("lon_raw"), profile).alias("lon"),
    )
    dims = dims.with_columns(
        pl.coalesce(pl.col("unit_raw"), pl.col("metric").replace_strict(units, default=None, return_dtype=pl.String)).alias("unit_in"),
    )
    dims = _convert(dims)
    status_map = m.value_map(profile, "status")
    quality = m.mapped(pl.col("status_raw"), status_map) if status_map else pl.col("status_raw")
    catalog_domain = {k: v["domain"] for k, v in catalog.metrics().items()}
    lows = {k: float(v["min"]) for k, v in catalog.metrics().items()}
    highs = {k: float(v["max"]) for k, v in catalog.metrics().items()}
    return dims.sort(DIM).with_columns(
        pl.col("metric").replace_strict(lows, default=None, return_dtype=pl.Float64).alias("_lo"),
        pl.col("metric").replace_strict(highs, default=None, return_dtype=pl.Float64).alias("_hi"),
        pl.lit(source).alias("source"),
        (pl.lit(source + ":") + pl.col("station")).alias("sensor_id"),
        pl.when(quality == "ok").then(None).otherwise(pl.coalesce(quality, pl.lit("status:") + pl.col("status_raw"))).alias("quality"),
        pl.coalesce(
            pl.col("domain_raw"), pl.lit(profile.domain),
            pl.col("metric").replace_strict(catalog_domain, default=None, return_dtype=pl.String),
        ).alias("domain"),
    )


def _unpivot(frame: pl.DataFrame, profile: Profile, base: list[pl.Expr], file: str) -> pl.DataFrame:
    by_norm = {normalize_name(c): c for c in frame.columns if not c.startswith("_")}
    found: dict[str, str] = {}
    for metric, spec in profile.metrics.items():
        candidates = spec["columns"] if isinstance(spec["columns"], list) else [spec["columns"]]
        for candidate in candidates:
            col = by_norm.get(normalize_name(candidate))
            if col is not None:
                found[col] = metric
                break
    if not found:
        wanted = ", ".join(f"{k} ({'/'.join(v['columns'])})" for k, v in profile.metrics.items())
        raise FileError(file, f"no metric column found for profile '{profile.name}'; expected any of: {wanted}", line=1, field="metrics")
    wide = frame.select(*base, *[m.text(col, profile).alias(col) for col in found])
    index = [c for c in wide.columns if c not in found]
    long = wide.unpivot(on=list(found), index=index, variable_name="metric_col", value_name="value_raw")
    # an empty cell is no reading at all (the station did not report that metric that hour)
    long = long.filter(pl.col("value_raw").is_not_null())
    return long.with_columns(
        pl.col("metric_col").replace_strict(found, return_dtype=pl.String).alias("metric_raw"),
    ).drop("metric_col").sort(LINE, maintain_order=True)


def _convert(dims: pl.DataFrame) -> pl.DataFrame:
    """`_factor` onto the catalogue unit (null: the unit has no known conversion) and the catalogue `unit`."""
    pairs = dims.select("metric", "unit_in").unique().drop_nulls("metric")
    factors = {
        (r["metric"], r["unit_in"]): catalog.factor(r["metric"], r["unit_in"])
        for r in pairs.iter_rows(named=True)
        if r["metric"] in catalog.metrics()
    }
    table = pl.DataFrame(
        {"metric": [k[0] for k in factors], "unit_in": [k[1] for k in factors], "_factor": list(factors.values())},
        schema={"metric": pl.String, "unit_in": pl.String, "_factor": pl.Float64},
    )
    dims = dims.join(table, on=["metric", "unit_in"], how="left", nulls_equal=True, maintain_order="left")
    catalogue_units = {k: v["unit"] for k, v in catalog.metrics().items()}
    return dims.with_columns(
        pl.col("metric").replace_strict(catalogue_units, default=None, return_dtype=pl.String).alias("unit"),
    )


def _checks(profile: Profile) -> m.Checks:
    """In the order they are tried: a row's first failing check is its quarantine reason."""
    c = m.Checks()
    c.add("(row)", pl.col("_ragged").is_not_null(), "malformed row: " + pl.col("_ragged"))
    c.add("measured_at", pl.col("measured_at_raw").is_null(), "missing required field measured_at")
    c.add(
        "measured_at", pl.col("measured_at").is_null(),
        "unparseable or out-of-range timestamp " + m.quote(pl.col("measured_at_raw"))
        + pl.lit(f" (formats: {', '.join(profile.timestamp_formats)})"),
    )
    c.add("station", pl.col("station").is_null(), "missing required field station")
    c.add("metric", pl.col("metric").is_null(), "unknown metric " + m.quote(pl.col("metric_raw")))
    c.add("value", pl.col("value_raw").is_null(), "missing value")
    c.add("value", pl.col("value_in").is_null(), "not a number: " + m.quote(pl.col("value_raw")))
    c.add("unit", pl.col("_factor").is_null(), "unit " + m.quote(pl.col("unit_in")) + " cannot be converted for " + pl.col("metric"))
    lo, hi = pl.col("_lo"), pl.col("_hi")  # the catalogue's plausible range of the metric (see _dimensions)
    c.add(
        "value", ~pl.col("value").is_between(lo, hi),
        pl.col("metric") + " " + pl.col("value_raw") + " outside the plausible range "
        + lo.cast(pl.String) + "–" + hi.cast(pl.String) + " " + pl.col("unit"),
    )
    for f, lo_, hi_ in (("lat", -90, 90), ("lon", -180, 180)):
        c.add(f, pl.col(f"{f}_raw").is_not_null() & ~pl.col(f).is_between(lo_, hi_), "coordinate invalid: " + m.quote(pl.col(f"{f}_raw")))
    return c


def station_table(frame: pl.DataFrame, profile: Profile, file: str) -> pl.DataFrame:
    """A companion station file: station code → name, district, lat, lon (as text, parsed later)."""
    spec = profile.stations
    by_norm = {normalize_name(c): c for c in frame.columns if not c.startswith("_")}

    def col(name: str) -> pl.Expr:
        for candidate in spec.columns.get(name, []):
            if normalize_name(candidate) in by_norm:
                return m.text(by_norm[normalize_name(candidate)], profile)
        return pl.lit(None, pl.String)

    if not spec.columns.get("station") or not any(normalize_name(c) in by_norm for c in spec.columns["station"]):
        raise FileError(file, "station file has no station code column", line=1, field="station")
    return frame.select(
        col("station").alias("station"), col("station_name").alias("station_name_st"),
        col("district").alias("district_raw_st"), col("lat").alias("lat_raw_st"), col("lon").alias("lon_raw_st"),
    ).unique("station", keep="last")
