"""Tier data: a Korean 민원 export (kr_minwon, CP949, one file a year) and canonical long sensor CSVs
(sensors_csv, one file a month), plus one more day of both for the incremental ingest.

Vectorised numpy/polars, one month of readings in memory at a time, so the city tier (263M readings)
runs in bounded memory. Deterministic: the same tier gives the same bytes. Reuses the demo generator's
district shapes and Korean vocabulary (warehouse/demo). Written once under bench/data/<tier>/ and reused;
`manifest.json` is written last and marks a complete set.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.tiers import STATION_KINDS, Tier
from warehouse.demo import _texts as tx
from warehouse.demo._common import default_city_dir, load_districts, sample_points, stream

GENERATOR_VERSION = 1
SEED = 20250101
SOURCE = "bench"
SENSOR_HEADER = ["measured_at", "station", "metric", "value", "district", "lat", "lon"]
# metric → (level, daily amplitude, noise sd, decimals, min, max): a diurnal wave plus noise, clipped
SHAPES = {
    "pm10": (35, 12, 8, 1, 0, 2000), "pm25": (18, 6, 5, 1, 0, 1000),
    "no2": (0.02, 0.01, 0.004, 3, 0, 2), "o3": (0.03, 0.015, 0.006, 3, 0, 1),
    "temperature": (13, 5, 1.0, 1, -50, 60), "humidity": (60, 15, 5, 1, 0, 100),
    "noise": (55, 8, 3, 1, 0, 150), "traffic_volume": (800, 600, 80, 0, 0, 20000),
    "water_level": (1.5, 0.2, 0.05, 2, -10, 100), "rainfall": (0.3, 0.2, 0.8, 1, 0, 500),
    "power": (300, 150, 30, 1, 0, 1_000_000), "speed": (45, 10, 5, 1, 0, 250),
}
KST = dt.timezone(dt.timedelta(hours=9))


def is_complete(tier: Tier) -> bool:
    """Whether bench/data/<tier>/ already holds a full set made by this generator version."""
    path = tier.data_dir / "manifest.json"
    if not path.exists():
        return False
    meta = json.loads(path.read_text(encoding="utf-8"))
    return meta.get("generator_version") == GENERATOR_VERSION and meta.get("readings") == tier.readings


def manifest(tier: Tier) -> dict:
    return json.loads((tier.data_dir / "manifest.json").read_text(encoding="utf-8"))


def ensure(tier: Tier, log=print) -> dict:
    """Generate the tier's exports unless a complete set is already there; return its manifest."""
    if not is_complete(tier):
        generate(tier, log)
    return manifest(tier)


def generate(tier: Tier, log=print) -> dict:
    """Write every export of the tier and its manifest (file list, rows, bytes, seconds)."""
    started = time.perf_counter()
    out = tier.data_dir
    if out.exists():
        shutil.rmtree(out)
    (out / "sensors").mkdir(parents=True)
    (out / "complaints").mkdir()
    (out / "increment").mkdir()
    districts = load_districts(default_city_dir())
    stations = _stations(tier, districts)
    sensor_files = []
    month = dt.date(tier.start.year, tier.start.month, 1)
    while month < tier.end:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        lo, hi = max(month, tier.start), min(nxt, tier.end)
        path = out / "sensors" / f"readings_{month:%Y-%m}.csv"
        rows = write_readings(path, tier, stations, lo, hi)
        sensor_files.append({"path": str(path.relative_to(out)), "rows": rows, "bytes": path.stat().st_size})
        log(f"  {path.name}: {rows:,} readings")
        month = nxt
    complaint_files = write_complaints(out / "complaints", tier, districts, tier.start, tier.end, tier.complaints)
    day_end = tier.end + dt.timedelta(days=1)
    per_day = max(1, round(tier.complaints / tier.days))
    inc_c = write_complaints(out / "increment", tier, districts, tier.end, day_end, per_day, first_id=tier.complaints + 1)
    inc_path = out / "increment" / f"readings_{tier.end:%Y-%m-%d}.csv"
    inc_rows = write_readings(inc_path, tier, stations, tier.end, day_end)
    meta = {
        "tier": tier.name, "generator_version": GENERATOR_VERSION, "seed": SEED, "source": SOURCE,
        "start": tier.start.isoformat(), "end_exclusive": tier.end.isoformat(),
        "complaints": sum(f["rows"] for f in complaint_files), "readings": sum(f["rows"] for f in sensor_files),
        "series": tier.series, "interval_s": tier.interval_s,
        "files": {"complaints": complaint_files, "sensors": sensor_files},
        "increment": {"day": tier.end.isoformat(), "complaints": inc_c,
                      "sensors": [{"path": str(inc_path.relative_to(out)), "rows": inc_rows, "bytes": inc_path.stat().st_size}]},
        "bytes": sum(p.stat().st_size for p in out.rglob("*.csv")),
        "seconds": round(time.perf_counter() - started, 1),
    }
    assert meta["readings"] == tier.readings, (meta["readings"], tier.readings)
    (out / "manifest.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def _stations(tier: Tier, districts) -> pl.DataFrame:
    """Station code, district name and a point inside that district, spread over the districts by population."""
    rng = stream(SEED, 1)
    pops = np.array([d.population for d in districts], dtype=float)
    pick = rng.choice(len(districts), size=tier.stations, p=pops / pops.sum())
    lat, lon = np.zeros(tier.stations), np.zeros(tier.stations)
    for j in np.unique(pick):
        idx = np.flatnonzero(pick == j)
        px, py = sample_points(stream(SEED, 2, int(j)), districts[j], len(idx))
        lon[idx], lat[idx] = px[: len(idx)], py[: len(idx)]
    return pl.DataFrame({
        "station": [f"BS{i:04d}" for i in range(tier.stations)],
        "district": [districts[j].name_ko for j in pick],
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
    })


def _series(tier: Tier, stations: pl.DataFrame) -> tuple[np.ndarray, list[str]]:
    """(station index, metric name) per series: each station carries the metrics of its kind."""
    st_idx, metrics = [], []
    for s in range(tier.stations):
        kind = STATION_KINDS[s % len(STATION_KINDS)]
        for m in kind[: tier.metrics_per_station]:
            st_idx.append(s)
            metrics.append(m)
    return np.array(st_idx), metrics


def write_readings(path: Path, tier: Tier, stations: pl.DataFrame, lo: dt.date, hi: dt.date) -> int:
    """Readings every interval for every series in [lo, hi), time-ordered, as canonical sensor CSV.

    District and coordinates are written on each station's first rows of the file only (an empty cell is
    null, and dim_sensor keeps the last known place): the rest of the file stays compact.
    """
    st_idx, metrics = _series(tier, stations)
    n_series = len(metrics)
    t0 = int(dt.datetime.combine(lo, dt.time(), KST).timestamp())
    slots = (hi - lo).days * 86400 // tier.interval_s
    epoch = t0 + np.arange(slots, dtype=np.int64) * tier.interval_s
    stamps = pl.select(pl.from_epoch(pl.Series(epoch), time_unit="s").dt.replace_time_zone("UTC")
                       .dt.convert_time_zone("Asia/Seoul").dt.strftime("%Y-%m-%dT%H:%M:%S+09:00")).to_series()
    hod = ((epoch + 9 * 3600) % 86400) / 3600.0
    rng = stream(SEED, 3, lo.toordinal())
    values = []
    for k, metric in enumerate(metrics):
        level, amp, sd, dec, vmin, vmax = SHAPES[metric]
        wave = level + amp * np.sin((hod - 9 + k % 3) / 24 * 2 * np.pi)
        v = np.clip(wave + rng.normal(0, sd, slots), vmin, vmax)
        values.append(np.round(v, dec))
    value = np.stack(values, axis=1).reshape(-1)  # slot-major: every series at one time, then the next time
    slot_of = np.repeat(np.arange(slots), n_series)
    series_of = np.tile(np.arange(n_series), slots)
    station_of = st_idx[series_of]
    first = slot_of == 0
    st = stations
    frame = pl.DataFrame({
        "measured_at": stamps.gather(pl.Series(slot_of)),
        "station": st["station"].gather(pl.Series(station_of)),
        "metric": pl.Series(metrics).gather(pl.Series(series_of)),
        "value": value,
        "district": st["district"].gather(pl.Series(station_of)),
        "lat": st["lat"].gather(pl.Series(station_of)),
        "lon": st["lon"].gather(pl.Series(station_of)),
    })
    frame = frame.with_columns(
        pl.when(pl.Series(first)).then(pl.col(c)).otherwise(None).alias(c) for c in ("district", "lat", "lon")
    )
    tmp = path.with_name(path.name + ".tmp")
    frame.write_csv(tmp, null_value="")
    tmp.replace(path)
    return frame.height


def write_complaints(out: Path, tier: Tier, districts, lo: dt.date, hi: dt.date, n: int, first_id: int = 1) -> list[dict]:
    """`n` complaints received in [lo, hi) as kr_minwon CP949 files, one per calendar year."""
    rng = stream(SEED, 4, lo.toordinal())
    t_lo = int(dt.datetime.combine(lo, dt.time(), KST).timestamp())
    t_hi = int(dt.datetime.combine(hi, dt.time(), KST).timestamp())
    # receipt times: uniform days, office hours more likely
    day = rng.integers(0, (hi - lo).days, n)
    hour = rng.choice(24, size=n, p=_hour_weights())
    t = np.sort(t_lo + day * 86400 + hour * 3600 + rng.integers(0, 3600, n))
    nd = len(districts)
    pops = np.array([d.population for d in districts], dtype=float)
    dist = rng.choice(nd, size=n, p=pops / pops.sum())
    cat_w = np.array([v[2] for v in tx.CATEGORIES.values()])
    cat = rng.choice(len(cat_w), size=n, p=cat_w / cat_w.sum())
    kind = rng.choice(3, size=n, p=tx.KIND_P)
    channel = rng.choice(len(tx.CHANNELS), size=n, p=[0.45, 0.25, 0.15, 0.05, 0.10])
    dur = np.exp(rng.normal(np.log(2.2), 0.7, n)) * np.array([1.0, 0.6, 2.5])[kind]
    close = t + np.round(dur * 86400).astype(np.int64)
    is_open = (close >= t_hi) | (rng.random(n) < 0.04)
    u = rng.random(n)
    status = np.where(is_open, np.where(u < 0.4, 0, 1), np.where(u < 0.5, 2, 3))
    first = t + np.floor(rng.uniform(0.1, 0.8, n) * (close - t)).astype(np.int64)
    has_first = (status != 0) & (first < t_hi)
    sat_on = ~is_open & (rng.random(n) < 0.35)
    sat = np.clip(np.round(4.0 - 0.3 * dur + rng.normal(0, 1.0, n)), 1, 5).astype(np.int64)
    is_prop = kind == 2
    votes = rng.negative_binomial(0.8, 0.08, n)
    adopt = np.where(is_open, 2, np.where(rng.random(n) < 0.25, 0, 1))
    pool = max(10, n * 2 // 5)
    ranks = np.arange(pool)
    w = (ranks + 3.0) ** -0.6
    citizen = rng.choice(pool, size=n, p=w / w.sum())
    has_xy = rng.random(n) < 0.7
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    for j, d in enumerate(districts):
        m = np.flatnonzero(has_xy & (dist == j))
        if len(m):
            px, py = sample_points(stream(SEED, 5, j), d, min(len(m), 4096))
            pick = rng.integers(0, len(px), len(m))
            lon[m], lat[m] = np.round(px[pick], 6), np.round(py[pick], 6)
    stems = {c: tx.TEMPLATES[c]["c"][0] for c in tx.CATEGORY_NAMES}
    cat_s = pl.Series(tx.CATEGORY_NAMES).gather(pl.Series(cat))
    dn = pl.Series([d.name_ko for d in districts]).gather(pl.Series(dist))
    road = pl.Series(tx.ROADS).gather(pl.Series(rng.integers(0, len(tx.ROADS), n)))
    title = pl.Series([stems[c][0] for c in tx.CATEGORY_NAMES]).gather(pl.Series(cat))
    body = pl.Series([stems[c][1] for c in tx.CATEGORY_NAMES]).gather(pl.Series(cat))
    ids = np.arange(first_id, first_id + n)

    def when(mask, values) -> pl.Series:
        return pl.select(pl.when(pl.Series(mask)).then(values).otherwise(None)).to_series()

    def stamp(sec) -> pl.Series:
        return pl.select(pl.from_epoch(pl.Series(sec), time_unit="s").dt.replace_time_zone("UTC")
                         .dt.convert_time_zone("Asia/Seoul").dt.strftime("%Y-%m-%d %H:%M:%S")).to_series()

    frame = pl.DataFrame({
        "접수번호": pl.select(pl.lit("2AA-B") + pl.Series(ids).cast(pl.String).str.zfill(8)).to_series(),
        "접수일시": stamp(t),
        "민원구분": pl.Series(tx.KINDS).gather(pl.Series(kind)),
        "민원분야": cat_s,
        "민원제목": pl.select(dn + " " + title).to_series(),
        "민원내용": pl.select(dn + " " + road + body).to_series(),
        "처리상태": pl.Series(tx.STATUS_OPEN + tx.STATUS_CLOSED).gather(pl.Series(status)),
        "최초답변일시": when(has_first, stamp(first)),
        "처리일시": when(~is_open, stamp(close)),
        "처리부서": pl.Series([v[1] for v in tx.CATEGORIES.values()]).gather(pl.Series(cat)),
        "읍면동": dn,
        "신청경로": pl.Series(tx.CHANNELS).gather(pl.Series(channel)),
        "민원인번호": pl.select(pl.lit("C") + pl.Series(citizen + 100_000).cast(pl.String).str.zfill(7)).to_series(),
        "공감수": when(is_prop, pl.Series(votes).cast(pl.String)),
        "채택여부": when(is_prop, pl.Series(tx.ADOPTION).gather(pl.Series(adopt))),
        "만족도": when(sat_on, pl.Series(sat).cast(pl.String)),
        "위도": when(has_xy, pl.Series(lat).cast(pl.String)),
        "경도": when(has_xy, pl.Series(lon).cast(pl.String)),
    })
    year = pl.select(pl.from_epoch(pl.Series(t), time_unit="s").dt.replace_time_zone("UTC")
                     .dt.convert_time_zone("Asia/Seoul").dt.year()).to_series()
    files = []
    for y in sorted(set(year.to_list())):
        part = frame.filter(year == y)
        name = f"minwon_{y}.csv" if hi - lo > dt.timedelta(days=1) else f"minwon_{lo:%Y-%m-%d}.csv"
        path = out / name
        text = part.write_csv(null_value="", line_terminator="\r\n", quote_style="necessary")
        path.write_bytes(text.encode("cp949"))
        files.append({"path": str(path.relative_to(out.parent)), "rows": part.height, "bytes": path.stat().st_size})
    return files


def _hour_weights() -> np.ndarray:
    w = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 10, 12, 13, 12, 10, 8, 6, 5, 4, 3, 2, 1], dtype=float)
    return w / w.sum()
