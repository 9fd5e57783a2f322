"""City reference data (data/cities/<city>/) → dim_district, dim_calendar, sla_days; district lookup."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from warehouse import geo
from warehouse.profile import normalize_name

CALENDAR_START, CALENDAR_END = dt.date(2000, 1, 1), dt.date(2040, 12, 31)
DEFAULT_SLA = {"complaint": 7, "inquiry": 7, "proposal": 14}


@dataclass(frozen=True)
class City:
    """A city's reference folder; `path=None` is a warehouse without reference data."""

    name: str
    path: Path | None

    @cached_property
    def settings(self) -> dict:
        if self.path is None or not (self.path / "city.toml").exists():
            return {"timezone": "UTC"}
        return tomllib.loads((self.path / "city.toml").read_text(encoding="utf-8"))

    @property
    def timezone(self) -> str:
        return self.settings.get("timezone", "UTC")

    @property
    def country(self) -> str | None:
        return self.settings.get("country")

    @property
    def country_bounds(self) -> tuple[float, float, float, float] | None:
        b = self.settings.get("country_bounds")
        return (b["min_lat"], b["max_lat"], b["min_lon"], b["max_lon"]) if b else None

    @cached_property
    def districts(self) -> pl.DataFrame:
        if self.path is None or not (self.path / "districts.csv").exists():
            return pl.DataFrame(schema={"district_code": pl.String, "name_ko": pl.String, "name_en": pl.String})
        return pl.read_csv(self.path / "districts.csv", schema_overrides={"district_code": pl.String, "hdong_codes": pl.String})

    @cached_property
    def polygons(self):
        path = None if self.path is None else self.path / "boundaries.geojson"
        return geo.load_polygons(path) if path and path.exists() else []

    def boundaries(self) -> dict[str, str]:
        path = None if self.path is None else self.path / "boundaries.geojson"
        if not path or not path.exists():
            return {}
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {f["properties"]["district_code"]: json.dumps(f["geometry"]) for f in doc["features"]}

    def sla(self) -> tuple[str, dict[str, int]]:
        path = None if self.path is None else self.path / "sla.toml"
        if not path or not path.exists():
            return "calendar", DEFAULT_SLA
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return raw.get("calendar", "calendar"), {**DEFAULT_SLA, **raw.get("days", {})}

    def holidays(self) -> dict[dt.date, str]:
        path = None if self.path is None else self.path / "holidays.csv"
        if not path or not path.exists():
            return {}
        frame = pl.read_csv(path, try_parse_dates=True)
        return dict(zip(frame["date"].to_list(), frame["name_ko"].to_list(), strict=True))

    @cached_property
    def name_index(self) -> dict[str, str]:
        """Every way a source may write a district (code, Korean, English, without 동/읍/면) → code."""
        index: dict[str, str] = {}
        for row in self.districts.iter_rows(named=True):
            code = row["district_code"]
            names = [code, code[:8], row.get("name_ko"), row.get("name_en")]
            ko = row.get("name_ko") or ""
            if len(ko) > 2 and ko[-1] in "동읍면":
                names.append(ko[:-1])
            en = row.get("name_en") or ""
            names.append(en.split("-")[0])
            for hcode in (row.get("hdong_codes") or "").split("|"):
                names.append(hcode)
            for name in names:
                if name:
                    index.setdefault(normalize_name(name), code)
        return index

    def resolve(self, names: pl.Series, lat: pl.Series, lon: pl.Series) -> tuple[pl.Series, pl.Series]:
        """(district_code, quality flag) per row: by name first, else point in polygon.

        With reference districts, an unknown name is flagged `district_unmatched`; without them the
        source's own name is the code. A point in no polygon is flagged `outside_districts`.
        """
        has_reference = self.districts.height > 0
        if not has_reference:
            return names, pl.Series([None] * len(names), dtype=pl.String)
        # names repeat (a few dozen districts): normalise each distinct one once
        distinct = names.drop_nulls().unique().to_list()
        by_name = names.replace_strict(
            {n: self.name_index.get(normalize_name(n)) for n in distinct}, default=None, return_dtype=pl.String
        )
        code = by_name.to_numpy().astype(object)
        flag = np.full(len(names), None, dtype=object)
        name_given = names.is_not_null().to_numpy()
        flag[name_given & (by_name.is_null().to_numpy())] = "district_unmatched"
        need_point = by_name.is_null().to_numpy() & ~name_given
        lat_a, lon_a = lat.cast(pl.Float64).to_numpy(), lon.cast(pl.Float64).to_numpy()
        has_point = need_point & ~np.isnan(lat_a) & ~np.isnan(lon_a)
        if has_point.any() and self.polygons:
            points = pl.DataFrame({"lat": lat_a[has_point], "lon": lon_a[has_point]})
            pts = points.unique(maintain_order=True)
            codes = geo.assign(pts["lon"].to_numpy(), pts["lat"].to_numpy(), self.polygons)
            table = pts.with_columns(pl.Series("code", codes.tolist(), dtype=pl.String))
            found = points.join(table, on=["lat", "lon"], how="left", maintain_order="left")["code"]
            idx = np.nonzero(has_point)[0]
            code[idx] = found.to_numpy().astype(object)
            flag[idx[found.is_null().to_numpy()]] = "outside_districts"
        flag[need_point & ~has_point] = "no_district"
        # lists, not object arrays: polars cannot cast an object array whose first item is None
        return pl.Series(code.tolist(), dtype=pl.String), pl.Series(flag.tolist(), dtype=pl.String)


def load_city(name: str | None) -> City:
    from settings import city_dir

    if not name:
        return City("", None)
    path = city_dir(name)
    if path is None or not path.exists():
        from warehouse.errors import UsageError

        raise UsageError(f"no reference data for city '{name}' (expected folder {path})")
    return City(name, path)


def calendar_frame(holidays: dict[dt.date, str]) -> pl.DataFrame:
    days = pl.date_range(CALENDAR_START, CALENDAR_END, "1d", eager=True).alias("day")
    frame = pl.DataFrame(days).with_columns(
        pl.col("day").replace_strict(holidays, default=None, return_dtype=pl.String).alias("holiday_name")
    )
    frame = frame.with_columns(
        ((pl.col("day").dt.weekday() <= 5) & pl.col("holiday_name").is_null()).alias("is_business")
    )
    return frame.with_columns(pl.col("is_business").cast(pl.Int32).cum_sum().alias("business_index"))


def load_reference(con, city: City) -> None:
    """Replace the reference dims with the city's files (called when a warehouse is created)."""
    districts = city.districts
    boundaries = city.boundaries()
    con.execute("delete from dim_district")
    if districts.height:
        frame = districts.with_columns(
            pl.col("district_code").replace_strict(boundaries, default=None, return_dtype=pl.String).alias("boundary")
        ).select("district_code", "name_ko", "name_en", "kind", "population", "population_year",
                 "centroid_lat", "centroid_lon", "boundary")
        con.register("districts_in", frame)
        con.execute("insert into dim_district by name select * from districts_in")
        con.unregister("districts_in")
    con.execute("delete from dim_calendar")
    con.register("calendar_in", calendar_frame(city.holidays()))
    con.execute("insert into dim_calendar by name select * from calendar_in")
    con.unregister("calendar_in")
    mode, days = city.sla()
    con.execute("delete from sla_days")
    for kind, n in sorted(days.items()):
        con.execute("insert into sla_days values ($kind, $days, $mode)", {"kind": kind, "days": int(n), "mode": mode})
    con.execute("insert or replace into meta values ('city', $city), ('timezone', $tz)", {"city": city.name, "tz": city.timezone})


LINKAGE_FILE = Path(__file__).resolve().parents[1] / "data" / "linkage.toml"
DIRECTIONS = ("high", "low")


def linkage_frame(path: Path = LINKAGE_FILE) -> pl.DataFrame:
    """data/linkage.toml as dim_linkage rows (category × metric), checked against the metric catalogue."""
    from warehouse.catalog import metrics
    from warehouse.errors import UsageError

    spec = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    rows, seen = [], {}
    for link, item in spec.items():
        where = f"{path}: [{link}]"
        signal = item.get("metric")
        metrics_of = [(signal, "signal"), *((m, "context") for m in item.get("context", []))]
        unknown = [m for m, _ in metrics_of if m not in metrics()]
        if not signal or unknown:
            raise UsageError(f"{where}: field 'metric'/'context': unknown metric {unknown or [signal]} (see warehouse/metrics.toml)")
        if item.get("direction") not in DIRECTIONS:
            raise UsageError(f"{where}: field 'direction' must be one of {DIRECTIONS}, not {item.get('direction')!r}")
        for category in item.get("categories", []):
            if category in seen:
                raise UsageError(f"{where}: field 'categories': {category!r} already belongs to [{seen[category]}]")
            seen[category] = link
            for metric, role in metrics_of:
                rows.append({
                    "link": link, "link_ko": item.get("name_ko", link), "link_en": item.get("name_en", link),
                    "category": category, "metric": metric, "role": role, "direction": item["direction"],
                    "min_scale": float(item.get("min_scale", 0.0)), "min_share": float(item.get("min_share", 0.0)),
                    "level": float(item["level"]) if "level" in item else None,
                })
    schema = {"link": pl.String, "link_ko": pl.String, "link_en": pl.String, "category": pl.String, "metric": pl.String,
              "role": pl.String, "direction": pl.String, "min_scale": pl.Float64, "min_share": pl.Float64, "level": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def load_linkage(con, path: Path = LINKAGE_FILE) -> None:
    """Replace dim_linkage with the linkage file (platform-wide, not city data)."""
    frame = linkage_frame(path)
    con.execute("delete from dim_linkage")
    con.register("linkage_in", frame)
    con.execute("insert into dim_linkage by name select * from linkage_in")
    con.unregister("linkage_in")
