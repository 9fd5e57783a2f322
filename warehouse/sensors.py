"""Sensor exports (wide, long or SensorThings) → one canonical reading per sensor × metric × time."""

from __future__ import annotations

import polars as pl

from warehouse import catalog
from warehouse import mapping as m
from warehouse.errors import FileError
from warehouse.profile import SENSOR_FIELDS, Profile, normalize_name
from warehouse.readers import LINE
from warehouse.timeparse import parse_timestamps

LANDING = (
    "source", "sensor_id", "station_name", "metric", "measured_at", "value", "unit", "quality",
    "lat", "lon", "district_raw", "domain", LINE,
)


def parse(frame: pl.DataFrame, profile: Profile, source: str, file: str, stations: pl.DataFrame | None = None):
    """(landing readings, quarantine rows) for one file's records."""
    cols = m.resolve_columns(frame, profile, sorted(SENSOR_FIELDS), file)
    frame = frame.with_columns(m.raw_record(frame.columns))
    t = {f: m.text(cols.get(f), profile) for f in SENSOR_FIELDS}
    base = [
        pl.col(LINE), pl.col(m.RAW),
        pl.col("_ragged") if "_ragged" in frame.columns else pl.lit(None, pl.String).alias("_ragged"),
        t["measured_at"].alias("measured_at_raw"),
        t["station"].alias("station"),
        pl.coalesce(t["station_name"], t["station"]).alias("station_name"),
        t["district"].alias("district_raw"),
        t["lat"].alias("lat_raw"), t["lon"].alias("lon_raw"),
        t["status"].alias("status_raw"),
        t["domain"].alias("domain_raw"),
    ]
    if profile.layout == "wide":
        long = _unpivot(frame, profile, base, file)
    else:
        long = frame.select(*base, t["metric"].alias("metric_raw"), t["value"].alias("value_raw"), t["unit"].alias("unit_raw"))
    if stations is not None:
        long = long.join(stations, on="station", how="left", suffix="_st").with_columns(
            pl.coalesce("station_name_st", "station_name").alias("station_name"),
            pl.coalesce("district_raw_st", "district_raw").alias("district_raw"),
            pl.coalesce("lat_raw_st", "lat_raw").alias("lat_raw"),
            pl.coalesce("lon_raw_st", "lon_raw").alias("lon_raw"),
        )
    metric_map = {**catalog.alias_map(), **m.value_map(profile, "metric")}
    names = long["metric_raw"].drop_nulls().unique().to_list()
    by_alias = {name: metric_map.get(normalize_name(name)) for name in names}
    units = {name: spec.get("unit") for name, spec in profile.metrics.items()}
    long = long.with_columns(
        pl.coalesce(
            m.mapped(pl.col("metric_raw"), m.value_map(profile, "metric")),
            pl.col("metric_raw").replace_strict(by_alias, default=None, return_dtype=pl.String),
        ).alias("metric"),
        parse_timestamps(pl.col("measured_at_raw"), profile.timestamp_formats, profile.timezone).alias("measured_at"),
        m.number(pl.col("value_raw"), profile).alias("value_in"),
        m.number(pl.col("lat_raw"), profile).alias("lat"),
        m.number(pl.col("lon_raw"), profile).alias("lon"),
    )
    long = long.with_columns(
        pl.coalesce(pl.col("unit_raw"), pl.col("metric").replace_strict(units, default=None, return_dtype=pl.String)).alias("unit_in"),
    )
    long = _convert(long)
    good, bad = _checks(long, profile).split(long)
    status_map = m.value_map(profile, "status")
    quality = m.mapped(pl.col("status_raw"), status_map) if status_map else pl.col("status_raw")
    catalog_domain = {k: v["domain"] for k, v in catalog.metrics().items()}
    good = good.with_columns(
        pl.lit(source).alias("source"),
        (pl.lit(source + ":") + pl.col("station")).alias("sensor_id"),
        pl.when(quality == "ok").then(None).otherwise(pl.coalesce(quality, pl.lit("status:") + pl.col("status_raw"))).alias("quality"),
        pl.coalesce(
            pl.col("domain_raw"), pl.lit(profile.domain),
            pl.col("metric").replace_strict(catalog_domain, default=None, return_dtype=pl.String),
        ).alias("domain"),
    ).select(*LANDING)
    return good, m.quarantine_frame(bad, file)


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
        pl.lit(None, pl.String).alias("unit_raw"),
    ).drop("metric_col").sort(LINE, maintain_order=True)


def _convert(long: pl.DataFrame) -> pl.DataFrame:
    """Values onto the catalogue unit; `_factor` null means the unit has no known conversion."""
    pairs = long.select("metric", "unit_in").unique().drop_nulls("metric")
    factors = {
        (r["metric"], r["unit_in"]): catalog.factor(r["metric"], r["unit_in"])
        for r in pairs.iter_rows(named=True)
        if r["metric"] in catalog.metrics()
    }
    table = pl.DataFrame(
        {"metric": [k[0] for k in factors], "unit_in": [k[1] for k in factors], "_factor": list(factors.values())},
        schema={"metric": pl.String, "unit_in": pl.String, "_factor": pl.Float64},
    )
    long = long.join(table, on=["metric", "unit_in"], how="left", nulls_equal=True)
    catalogue_units = {k: v["unit"] for k, v in catalog.metrics().items()}
    return long.with_columns(
        (pl.col("value_in") * pl.col("_factor")).alias("value"),
        pl.col("metric").replace_strict(catalogue_units, default=None, return_dtype=pl.String).alias("unit"),
    )


def _checks(long: pl.DataFrame, profile: Profile) -> m.Checks:
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
    lows = {k: float(v["min"]) for k, v in catalog.metrics().items()}
    highs = {k: float(v["max"]) for k, v in catalog.metrics().items()}
    lo = pl.col("metric").replace_strict(lows, default=None, return_dtype=pl.Float64)
    hi = pl.col("metric").replace_strict(highs, default=None, return_dtype=pl.Float64)
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
