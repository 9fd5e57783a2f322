"""AirKorea-style hourly air-quality export (CP949)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from ._common import DAY_DATES, DOY, HOD, N_HOURS, fixed, smooth_noise, stream, write_atomic
from ._plan import Plan

AIR_COLUMNS = ["측정일시", "측정소명", "아황산가스", "일산화탄소", "오존", "이산화질소", "미세먼지", "초미세먼지"]
_METRIC_COL = {"so2": "아황산가스", "co": "일산화탄소", "o3": "오존", "no2": "이산화질소", "pm10": "미세먼지", "pm25": "초미세먼지"}
_DECIMALS = {"so2": 3, "co": 1, "o3": 3, "no2": 3, "pm10": 0, "pm25": 0}
_ORDER = ["so2", "co", "o3", "no2", "pm10", "pm25"]
AIR_PATH = "sensors/sejong_air_2025.csv"

# monthly PM2.5 means (ug/m3), anchored mid-month and interpolated by day
_PM25_MONTH = np.array([30, 32, 33, 27, 23, 19, 16, 15, 16, 19, 25, 29], dtype=float)
_BG_PM25_MAX = 68   # background never reaches the 75 ug/m3 episode threshold
_BG_PM10_MAX = 140  # nor PM10 150


def _seasonal(values_by_month: np.ndarray) -> np.ndarray:
    mid = np.array([15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], dtype=float)
    xs = np.concatenate([mid - 365, mid, mid + 365])
    ys = np.tile(values_by_month, 3)
    return np.interp(DOY.astype(float), xs, ys)


def _labels() -> pl.Series:
    """측정일시 YYYYMMDDHH with hours 01..24 (hour 24 = midnight closing the day)."""
    days = pl.Series(DAY_DATES.astype(str)).str.replace_all("-", "")
    day_of = pl.Series(DOY.astype(np.int64))
    hh = pl.Series(HOD + 1).cast(pl.String).str.zfill(2)
    return pl.select(days.gather(day_of) + hh).to_series()


def write_air(out_dir: Path, seed: int, plan: Plan) -> dict:
    rng = stream(seed, 30)
    stations = plan.stations
    ns = len(stations)
    urban = np.array([0.7 if d.name_ko.endswith("면") else (1.2 if d.name_ko.endswith("읍") else 1.0) for d in stations])
    f_pm = rng.uniform(0.9, 1.12, ns) * np.where(urban > 1.1, 1.1, 1.0)
    hod = HOD.astype(float)
    doyf = DOY.astype(float)
    winter = 0.5 + 0.5 * np.cos(2 * np.pi * (doyf - 15) / 365)
    summer = 0.5 - 0.5 * np.cos(2 * np.pi * (doyf - 20) / 365)
    spring = np.exp(-0.5 * ((doyf - 100) / 28) ** 2)
    rush = np.exp(-((hod - 8) ** 2) / 4) + np.exp(-((hod - 19) ** 2) / 5)
    afternoon = np.clip(np.cos(2 * np.pi * (hod - 15) / 24), 0, None) ** 1.5
    d_pm = 1 + 0.12 * np.cos(2 * np.pi * (hod - 9) / 24) + 0.06 * np.cos(4 * np.pi * (hod - 21) / 24)
    synoptic = smooth_noise(rng, N_HOURS, 30.0)
    pm_mean = _seasonal(_PM25_MONTH)

    vals = {m: np.empty((ns, N_HOURS)) for m in _ORDER}
    for s in range(ns):
        loc = smooth_noise(rng, N_HOURS, 6.0)
        pm25 = pm_mean * f_pm[s] * np.exp(0.5 * synoptic + 0.22 * loc + 0.12 * rng.standard_normal(N_HOURS) - 0.15) * d_pm
        pm25 = _BG_PM25_MAX - 4 * np.logaddexp(0, (_BG_PM25_MAX - pm25) / 4)  # soft cap, no plateau at the cap
        pm25 = pm25 + 1.8 * rng.standard_normal(N_HOURS)  # instrument noise: no long runs of equal integers
        vals["pm25"][s] = 2 + np.logaddexp(0, pm25 - 2)
        ratio = 1.55 + 0.35 * spring + 0.12 * smooth_noise(rng, N_HOURS, 12.0)
        pm10 = vals["pm25"][s] * ratio + 4 + 3 * rng.standard_normal(N_HOURS)
        pm10 = _BG_PM10_MAX - 6 * np.logaddexp(0, (_BG_PM10_MAX - pm10) / 6)
        vals["pm10"][s] = np.maximum(pm10, vals["pm25"][s] + 1)
        vals["no2"][s] = np.clip((0.010 + 0.010 * winter + 0.012 * rush) * urban[s]
                                 + 0.004 * smooth_noise(rng, N_HOURS, 4.0), 0.002, 0.08)
        vals["o3"][s] = np.clip(0.008 + 0.012 * summer + 0.045 * summer * afternoon * (1 + 0.15 * synoptic)
                                - 0.25 * (vals["no2"][s] - 0.015) + 0.004 * smooth_noise(rng, N_HOURS, 5.0),
                                0.002, 0.115)
        vals["co"][s] = np.clip(0.3 + 0.15 * winter + 0.12 * rush * urban[s]
                                + 0.05 * smooth_noise(rng, N_HOURS, 6.0), 0.1, 1.5)
        vals["so2"][s] = np.clip(0.0022 + 0.0008 * winter + 0.0005 * smooth_noise(rng, N_HOURS, 8.0), 0.001, 0.01)

    protected = np.zeros((ns, N_HOURS), dtype=bool)  # cells that must stay filled
    present = np.ones((ns, N_HOURS), dtype=bool)     # rows that exist in the file
    for e in plan.episodes:
        if e.source != "air":
            continue
        s, a, b = e.station_idx, e.start, e.end
        if e.kind == "pm_episode":
            n = e.hours
            u = np.sin(np.pi * (np.arange(n) + 0.5) / n)
            epi25 = 76 + (e.params["peak_pm25"] - 76) * u
            ramp_before = np.array([58.0, 68.0]) + rng.uniform(0, 4, 2)
            ramp_after = np.array([69.0, 61.0]) + rng.uniform(0, 3, 2)
            vals["pm25"][s, a:b + 1] = epi25
            vals["pm25"][s, a - 2:a] = ramp_before
            vals["pm25"][s, b + 1:b + 3] = ramp_after
            if e.params["type"] == "yellow_dust":
                epi10 = 160 + (e.params["peak_pm10"] - 160) * u
            else:
                epi10 = epi25 * rng.uniform(1.3, 1.6, n)
            vals["pm10"][s, a:b + 1] = epi10
            vals["pm10"][s, a - 2:a] = np.minimum(ramp_before * 1.8, 140)
            vals["pm10"][s, b + 1:b + 3] = np.minimum(ramp_after * 1.8, 140)
            protected[s, a - 2:b + 3] = True
            lo, hi = a - 2, b + 3
            level = vals["pm25"][s, lo:hi]
            level10 = vals["pm10"][s, lo:hi]
            for o in range(ns):  # city-wide elevation below the threshold elsewhere
                if o == s:
                    continue
                f = rng.uniform(0.5, 0.9)
                cap25 = 72 - rng.uniform(0, 5, hi - lo)
                cap10 = 145 - rng.uniform(0, 12, hi - lo)
                vals["pm25"][o, lo:hi] = np.maximum(vals["pm25"][o, lo:hi], np.minimum(cap25, level * f))
                vals["pm10"][o, lo:hi] = np.maximum(vals["pm25"][o, lo:hi] + 2,
                                                    np.maximum(vals["pm10"][o, lo:hi], np.minimum(cap10, level10 * f)))
        elif e.kind == "flatline":
            for m in _ORDER:
                vals[m][s, a:b + 1] = vals[m][s, a]
                step = 10.0 ** -_DECIMALS[m]
                for nb in (a - 1, b + 1):  # the neighbours differ, so the run is exactly the span
                    if abs(vals[m][s, nb] - vals[m][s, a]) < step:
                        vals[m][s, nb] = vals[m][s, a] + (step if vals[m][s, a] < 0.5 * (vals[m][s].max()) else -step)
            protected[s, a:b + 1] = True
        elif e.kind == "silence":
            present[s, a:b + 1] = False

    # round now so that flat-lined / episode values are exactly what is written
    for m in _ORDER:
        vals[m] = np.round(vals[m] * 10 ** _DECIMALS[m]) / 10 ** _DECIMALS[m]

    # row order: by time, then station order; line = 1-based physical line incl. header
    pres_flat = present.T.reshape(-1)
    line_of = np.zeros(ns * N_HOURS, dtype=np.int64)
    line_of[pres_flat] = np.arange(int(pres_flat.sum())) + 2

    def line(s: int, i: int) -> int:
        return int(line_of[i * ns + s])

    defects: list[dict] = []
    free = present & ~protected
    # 2 negative PM10 readings (instrument fault)
    neg_cells = []
    while len(neg_cells) < 2:
        s, i = int(rng.integers(ns)), int(rng.integers(48, N_HOURS - 48))
        if free[s, i]:
            v = -float(rng.integers(5, 40))
            vals["pm10"][s, i] = v
            free[s, i] = False
            protected[s, i] = True
            neg_cells.append((s, i))
            defects.append({"file": AIR_PATH, "line": line(s, i), "kind": "negative_value",
                            "detail": f"미세먼지 (PM10) = {int(v)} at {stations[s].name_ko}"})
    # multi-hour outages: whole rows empty
    blank = np.zeros((ns, N_HOURS), dtype=bool)
    n_blocks = 0
    while n_blocks < 4:
        s, a = int(rng.integers(ns)), int(rng.integers(48, N_HOURS - 60))
        n = int(rng.integers(3, 9))
        if free[s, a - 3:a + n + 3].all():
            blank[s, a:a + n] = True
            free[s, a - 3:a + n + 3] = False
            n_blocks += 1
            defects.append({"file": AIR_PATH, "line": line(s, a), "kind": "missing_block",
                            "detail": f"{stations[s].name_ko}: all values empty for {n} consecutive hours "
                                      f"(lines {line(s, a)}-{line(s, a + n - 1)})"})
    # random ~1% empty cells per metric, never in protected cells
    miss = {m: (rng.random((ns, N_HOURS)) < 0.01) & ~protected for m in _ORDER}
    # the AirKorea sentinel "-" in a few cells
    dash = {m: np.zeros((ns, N_HOURS), dtype=bool) for m in _ORDER}
    n_dash = 0
    while n_dash < 6:
        s, i = int(rng.integers(ns)), int(rng.integers(48, N_HOURS - 48))
        m = _ORDER[int(rng.integers(len(_ORDER)))]
        if free[s, i] and not miss[m][s, i] and not blank[s, i]:
            dash[m][s, i] = True
            free[s, i] = False
            n_dash += 1
            defects.append({"file": AIR_PATH, "line": line(s, i), "kind": "sentinel_dash",
                            "detail": f"{_METRIC_COL[m]} = \"-\" at {stations[s].name_ko}"})

    cols = {
        "측정일시": pl.select(pl.Series(_labels()).gather(pl.Series(np.repeat(np.arange(N_HOURS), ns)))).to_series(),
        "측정소명": pl.select(pl.Series([d.name_ko for d in stations]).gather(pl.Series(np.tile(np.arange(ns), N_HOURS)))).to_series(),
    }
    for m in _ORDER:
        v = vals[m].T.reshape(-1)
        nullmask = (miss[m] | blank | dash[m]).T.reshape(-1)
        ser = fixed(v, _DECIMALS[m], null=nullmask)
        dm = dash[m].T.reshape(-1)
        if dm.any():
            ser = pl.select(pl.when(pl.Series(dm)).then(pl.lit("-")).otherwise(ser)).to_series()
        cols[_METRIC_COL[m]] = ser
    df = pl.DataFrame(cols).filter(pl.Series(pres_flat))
    df = df.select(AIR_COLUMNS)
    text = df.write_csv(null_value="", line_terminator="\n")
    path = Path(out_dir) / AIR_PATH
    write_atomic(path, text.encode("cp949"))
    defects.sort(key=lambda d: d["line"])
    return {"path": path, "rows": df.height, "defects": defects, "stations": [d.name_ko for d in stations]}
