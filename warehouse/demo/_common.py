"""Shared helpers for the demo-export generator: time axis, RNG streams,
district/boundary loading, polygon sampling and fixed-width number formatting.

All times inside the generator are naive Asia/Seoul wall-clock times (Korea has
no DST), expressed either as an hour index ``0..8759`` from 2025-01-01 00:00 or
as integer seconds since that instant.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

# --------------------------------------------------------------------------- time

YEAR = 2025
T0 = np.datetime64("2025-01-01T00:00:00", "s")
T_END = np.datetime64("2026-01-01T00:00:00", "s")
N_HOURS = 8760
N_DAYS = 365
PERIOD_SECONDS = N_HOURS * 3600
TZ_SUFFIX = "+09:00"
_T0_EPOCH = int(T0.astype("int64"))  # seconds since 1970 for the naive wall clock

# Public holidays observed in Korea in 2025 (incl. substitute and designated days).
HOLIDAYS_2025 = np.array(
    [
        "2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30",
        "2025-03-03", "2025-05-05", "2025-05-06", "2025-06-03", "2025-06-06",
        "2025-08-15", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08",
        "2025-10-09", "2025-12-25",
    ],
    dtype="datetime64[D]",
)

HOURS = np.arange(N_HOURS, dtype=np.int64)
HOD = HOURS % 24                      # hour of day of the ST reading (hour start)
DOY = HOURS // 24                     # 0-based day of year
DAY_DATES = np.datetime64("2025-01-01", "D") + np.arange(N_DAYS)
DAY_WEEKDAY = (DAY_DATES.astype("int64") - 4) % 7  # Monday=0 (1970-01-01 was a Thursday)
DAY_HOLIDAY = np.isin(DAY_DATES, HOLIDAYS_2025)
DAY_OFF = (DAY_WEEKDAY >= 5) | DAY_HOLIDAY
DAY_MONTH = (DAY_DATES.astype("datetime64[M]").astype("int64") % 12) + 1  # 1..12


def iso(seconds: int | np.integer) -> str:
    """Seconds since T0 -> 'YYYY-MM-DDTHH:MM:SS+09:00'."""
    return str(T0 + np.timedelta64(int(seconds), "s")) + TZ_SUFFIX


def iso_hour(h: int) -> str:
    return iso(int(h) * 3600)


def seconds_to_text(sec: np.ndarray, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Series:
    """Vectorised formatting of seconds-since-T0 (int64) to wall-clock strings."""
    s = pl.Series(np.asarray(sec, dtype=np.int64) + _T0_EPOCH)
    return pl.select(pl.from_epoch(s, time_unit="s").dt.strftime(fmt)).to_series()


# --------------------------------------------------------------------------- rng


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent PCG64 stream for one component, keyed by integers.

    Components draw from their own streams so that e.g. the number of sensors
    (which depends on ``scale``) never shifts the random numbers of another file.
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), *[int(k) for k in key]])))


def smooth_noise(rng: np.random.Generator, n: int, tau: float, length: int | None = None) -> np.ndarray:
    """Unit-variance AR(1)-like noise (exponential kernel, time constant ``tau`` hours)."""
    length = length or int(min(6 * tau + 1, 400))
    k = np.exp(-np.arange(length) / tau)
    k /= np.sqrt((k * k).sum())
    w = rng.standard_normal(n + length)
    return np.convolve(w, k, mode="valid")[:n]


# --------------------------------------------------------------------------- formatting


def fixed(values: np.ndarray, decimals: int, null: np.ndarray | None = None) -> pl.Series:
    """Format floats with exactly ``decimals`` decimals, using integer arithmetic only
    (no locale / float-repr dependence). ``null`` marks cells written as nulls."""
    v = np.asarray(values, dtype=np.float64)
    nanmask = ~np.isfinite(v)
    if null is not None:
        nanmask = nanmask | null
    scaled = np.round(np.where(nanmask, 0.0, v) * (10**decimals)).astype(np.int64)
    s = pl.Series("v", scaled)
    if decimals == 0:
        out = pl.select(s.cast(pl.String)).to_series()
    else:
        p = 10**decimals
        a = s.abs()
        out = pl.select(
            pl.when(s < 0).then(pl.lit("-")).otherwise(pl.lit(""))
            + (a // p).cast(pl.String)
            + pl.lit(".")
            + (a % p).cast(pl.String).str.zfill(decimals)
        ).to_series()
    if nanmask.any():
        out = pl.select(pl.when(pl.Series(nanmask)).then(None).otherwise(out)).to_series()
    return out


# --------------------------------------------------------------------------- districts


@dataclass
class District:
    idx: int
    code: str
    name_ko: str
    name_en: str
    kind: str
    population: int
    lat: float
    lon: float
    rings: list[np.ndarray] = field(default_factory=list)  # lon/lat rings (outer+holes, all parts)


def default_city_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "cities" / "sejong"


def load_districts(city_dir: Path) -> list[District]:
    city_dir = Path(city_dir)
    path = city_dir / "districts.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path} has no rows")
    rows.sort(key=lambda r: r["district_code"])
    out: list[District] = []
    for i, r in enumerate(rows):
        pop_txt = (r.get("population") or "").strip()
        out.append(
            District(
                idx=i,
                code=r["district_code"].strip(),
                name_ko=r["name_ko"].strip(),
                name_en=(r.get("name_en") or "").strip(),
                kind=(r.get("kind") or "").strip(),
                population=int(float(pop_txt)) if pop_txt else 0,
                lat=float(r["centroid_lat"]),
                lon=float(r["centroid_lon"]),
            )
        )
    pops = np.array([d.population for d in out], dtype=float)
    if (pops <= 0).any():  # a district without a population figure still gets a small weight
        fill = max(1.0, float(np.median(pops[pops > 0])) * 0.25) if (pops > 0).any() else 1.0
        for d in out:
            if d.population <= 0:
                d.population = int(fill)
    geo = city_dir / "boundaries.geojson"
    if geo.exists():
        by_code = {d.code: d for d in out}
        with geo.open(encoding="utf-8") as fh:
            gj = json.load(fh)
        for feat in gj.get("features", []):
            props = feat.get("properties") or {}
            d = by_code.get(str(props.get("district_code", "")).strip())
            geom = feat.get("geometry") or {}
            if d is None or not geom:
                continue
            polys = geom["coordinates"] if geom.get("type") == "MultiPolygon" else [geom.get("coordinates", [])]
            for poly in polys:
                for ring in poly:
                    arr = np.asarray(ring, dtype=np.float64)
                    if arr.ndim == 2 and len(arr) >= 4:
                        d.rings.append(arr[:, :2])
    return out


def points_in_rings(px: np.ndarray, py: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Even-odd ray casting over all rings (handles holes and multipolygons)."""
    inside = np.zeros(len(px), dtype=bool)
    for ring in rings:
        x1, y1 = ring[:-1, 0], ring[:-1, 1]
        x2, y2 = ring[1:, 0], ring[1:, 1]
        dy = np.where(y2 == y1, 1e-300, y2 - y1)
        for a in range(0, len(px), 2048):
            qx = px[a : a + 2048, None]
            qy = py[a : a + 2048, None]
            crosses = ((y1 > qy) != (y2 > qy)) & (qx < (x2 - x1) * (qy - y1) / dy + x1)
            inside[a : a + 2048] ^= (crosses.sum(axis=1) % 2).astype(bool)
    return inside


def sample_points(rng: np.random.Generator, d: District, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` lon/lat points inside the district polygon (centroid +-0.004 deg if no polygon)."""
    if n <= 0:
        return np.zeros(0), np.zeros(0)
    if not d.rings:
        return (d.lon + rng.uniform(-0.004, 0.004, n), d.lat + rng.uniform(-0.004, 0.004, n))
    allpts = np.concatenate(d.rings)
    xmin, ymin = allpts.min(axis=0)
    xmax, ymax = allpts.max(axis=0)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    for _ in range(60):
        k = max(64, 2 * (n - have))
        cx = rng.uniform(xmin, xmax, k)
        cy = rng.uniform(ymin, ymax, k)
        ok = points_in_rings(cx, cy, d.rings)
        xs.append(cx[ok])
        ys.append(cy[ok])
        have += int(ok.sum())
        if have >= n:
            break
    x = np.concatenate(xs)[:n]
    y = np.concatenate(ys)[:n]
    if len(x) < n:  # degenerate polygon: fall back to the centroid box
        m = n - len(x)
        x = np.concatenate([x, d.lon + rng.uniform(-0.004, 0.004, m)])
        y = np.concatenate([y, d.lat + rng.uniform(-0.004, 0.004, m)])
    return x, y


def tmp_path(path: Path) -> Path:
    """Sibling temp name; files are written there and renamed into place when complete."""
    return path.with_name(path.name + ".tmp-demo")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(path)
    tmp.write_bytes(data)
    tmp.replace(path)


def json_dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
