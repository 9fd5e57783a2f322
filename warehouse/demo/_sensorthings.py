"""OGC SensorThings API v1.1 ``Things?$expand=...`` response, streamed Thing by Thing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from ._common import DAY_MONTH, DAY_OFF, DOY, HOD, HOURS, N_HOURS, T0, TZ_SUFFIX, fixed, json_dumps, smooth_noise, stream, tmp_path
from ._plan import KIND_DOMAIN, Plan, Thing

ST_PATH = "sensors/sejong_sensorthings_2025.json"
OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"

UNITS = {
    "noise": {"name": "decibel", "symbol": "dB", "definition": "http://qudt.org/vocab/unit/DeciB"},
    "traffic_volume": {"name": "vehicles per hour", "symbol": "veh/h", "definition": "http://qudt.org/vocab/unit/NUM-PER-HR"},
    "speed": {"name": "kilometre per hour", "symbol": "km/h", "definition": "http://qudt.org/vocab/unit/KiloM-PER-HR"},
    "water_level": {"name": "metre", "symbol": "m", "definition": "http://qudt.org/vocab/unit/M"},
    "rainfall": {"name": "millimetre", "symbol": "mm", "definition": "http://qudt.org/vocab/unit/MilliM"},
    "power": {"name": "kilowatt hour", "symbol": "kWh", "definition": "http://qudt.org/vocab/unit/KiloW-HR"},
}
OBSERVED = {  # name -> (@iot.id, definition, description)
    "noise": (1, "http://qudt.org/vocab/quantitykind/SoundPressureLevel",
              "Equivalent continuous sound level over the hour (Leq, A-weighted)"),
    "traffic_volume": (2, "https://sejong.example.org/def/observedProperty/traffic_volume", "Vehicles counted during the hour"),
    "speed": (3, "http://qudt.org/vocab/quantitykind/Speed", "Mean spot speed during the hour"),
    "water_level": (4, "https://sejong.example.org/def/observedProperty/water_level", "River stage above the gauge datum"),
    "rainfall": (5, "https://sejong.example.org/def/observedProperty/rainfall", "Precipitation accumulated during the hour"),
    "power": (6, "http://qudt.org/vocab/quantitykind/Energy", "Electric energy consumed during the hour"),
}
DECIMALS = {"noise": 1, "traffic_volume": 0, "speed": 1, "water_level": 3, "rainfall": 1, "power": 1}
DESCRIPTIONS = {
    "noise": "Environmental noise meter (Class 1), hourly Leq",
    "traffic": "Loop-detector traffic counter, hourly volume and mean speed",
    "water": "River water-level gauge",
    "energy": "Smart electricity meter on a public building",
}


def _time_parts() -> pl.Series:
    ts = np.datetime_as_string(T0 + HOURS.astype("timedelta64[h]"), unit="s")
    t = pl.Series(ts) + TZ_SUFFIX
    return pl.select(pl.lit(',"phenomenonTime":"') + t + pl.lit('","resultTime":"') + t + pl.lit('","result":')).to_series()


def shared_fields(seed: int, plan: Plan) -> dict[str, np.ndarray]:
    rng = stream(seed, 40)
    doyf = DOY.astype(float)
    hod = HOD.astype(float)
    temp = (12.5 - 14.5 * np.cos(2 * np.pi * (doyf - 18) / 365) + 4.5 * np.sin(2 * np.pi * (hod - 9) / 24)
            + 2.5 * smooth_noise(rng, N_HOURS, 48.0))
    wet_p = np.array([.15, .18, .25, .30, .30, .40, .60, .50, .35, .20, .25, .20])[DAY_MONTH - 1]
    inten = np.array([1, 1, 1.5, 2, 2.5, 3.5, 5, 4.5, 3, 2, 1.5, 1.0])[DAY_MONTH - 1]
    wet = rng.random(len(DAY_MONTH)) < wet_p
    start = rng.integers(0, 24, len(DAY_MONTH))
    dur = rng.integers(2, 13, len(DAY_MONTH))
    day_int = rng.gamma(0.9, 1.0, len(DAY_MONTH)) * inten
    in_storm = wet[DOY] & (HOD >= start[DOY]) & (HOD < start[DOY] + dur[DOY])
    rain = np.where(in_storm, day_int[DOY] * rng.gamma(1.5, 0.67, N_HOURS), 0.0)
    return {"temp": temp, "rain": rain}


def _flood_shape(n_rain: int = 6) -> np.ndarray:
    return np.array([0.35, 0.7, 1.0, 0.9, 0.6, 0.3])[:n_rain]


def _series_for(thing: Thing, seed: int, shared: dict, eps: list) -> list[np.ndarray]:
    """Hourly values (NaN = null) for each datastream of ``thing``."""
    rng = stream(seed, 41, thing.idx)
    hod = HOD.astype(float)
    off = DAY_OFF[DOY]
    if thing.kind == "noise":
        l0 = rng.uniform(50, 60)
        prof = 6.5 * np.cos(2 * np.pi * (hod - 14) / 24) + 2.0 * np.exp(-((hod - 8) ** 2) / 3) - np.where(off, 1.5, 0)
        v = l0 + prof + 1.8 * smooth_noise(rng, N_HOURS, 3.0) + 0.8 * rng.standard_normal(N_HOURS)
        v = 39 + np.logaddexp(0, v - 39)  # soft floor: no run of identical values at a clip
        v = np.minimum(v, 85)
        for e in eps:
            if e.kind == "noise_spike":
                v[e.start:e.end + 1] += e.params["delta_db"] + rng.uniform(-1.5, 1.5, e.hours)
        out = [v]
    elif thing.kind == "traffic":
        v0 = rng.uniform(300, 1600)
        wk = 0.08 + 0.95 * np.exp(-((hod - 8) ** 2) / 1.8) + 0.85 * np.exp(-((hod - 18.5) ** 2) / 2.5) \
            + 0.55 * np.exp(-((hod - 13) ** 2) / 12)
        we = 0.08 + 0.7 * np.exp(-((hod - 14) ** 2) / 14)
        p = np.where(off, we, wk)
        vol = v0 * p * np.exp(0.08 * smooth_noise(rng, N_HOURS, 24.0) + 0.06 * rng.standard_normal(N_HOURS))
        s0 = rng.uniform(45, 70)
        sat = np.clip(vol / (v0 * 1.05), 0, 1.0)
        spd = s0 * (1 - 0.45 * sat ** 2) + 2.0 * rng.standard_normal(N_HOURS)
        spd = np.clip(spd, 15, s0 + 10)
        for e in eps:
            if e.kind == "traffic_incident":
                spd[e.start:e.end + 1] = e.params["speed_kmh"] + rng.uniform(-1.5, 1.5, e.hours)
                vol[e.start:e.end + 1] *= rng.uniform(0.35, 0.55, e.hours)
        out = [np.round(vol), spd]
    elif thing.kind == "water":
        base = rng.uniform(0.6, 1.8)
        rain = shared["rain"] * rng.uniform(0.7, 1.3) + np.where(rng.random(N_HOURS) < 0.01, rng.gamma(1.2, 2.0, N_HOURS), 0)
        k = rng.uniform(0.008, 0.016)
        kern = np.exp(-np.arange(120) / 15.0)
        # ordinary rain raises the stage by at most ~0.9 m (saturating); floods are explicit hydrographs
        resp = 0.9 * np.tanh(k * np.convolve(np.round(rain, 1), kern)[:N_HOURS] / 0.9)
        summer = np.exp(-0.5 * ((DOY - 200) / 35.0) ** 2)
        lvl = base + 0.25 * summer + resp + 0.015 * smooth_noise(rng, N_HOURS, 6.0) + 0.012 * rng.standard_normal(N_HOURS)
        lvl = np.maximum(lvl, 0.05)
        for e in eps:
            if e.kind == "flood":
                rain[e.start - 6:e.start] += e.params["rain_mm_h"] * _flood_shape()
                normal = float(np.median(lvl[e.start - 24 * 7:e.start - 24]))
                n = e.hours
                hydro = np.zeros(N_HOURS)
                hydro[e.start - 4:e.start] = [0.2, 0.45, 0.7, 0.95]
                hydro[e.start:e.end + 1] = e.params["rise_m"] * (0.85 + 0.15 * np.sin(np.pi * (np.arange(n) + 0.5) / n))
                hydro[e.end + 1:e.end + 9] = [0.95, 0.7, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05]
                # the stage above normal is the larger of the ordinary response and the flood wave
                lvl = np.where(hydro > 0, np.maximum(lvl, normal + hydro), lvl)
                e.params["normal_m"] = round(normal, 2)
                e.params["threshold_m"] = round(normal + 1.5, 2)
                e.params["peak_m"] = round(float(lvl[e.start:e.end + 1].max()), 2)
        rain = np.round(rain, 1)
        out = [lvl, rain] if thing.has_rain else [lvl]
    else:  # energy
        b = rng.uniform(40, 350)
        occ_wk = 1 / (1 + np.exp(-(hod - 7.5) * 2)) * 1 / (1 + np.exp((hod - 19.0) * 2))
        occ = np.where(off, 0.25 * occ_wk, occ_wk)
        temp = shared["temp"]
        heat = b * rng.uniform(0.012, 0.022) * np.clip(15 - temp, 0, None) * (0.5 + 0.5 * occ)
        cool = b * rng.uniform(0.03, 0.05) * np.clip(temp - 22, 0, None) * (0.3 + 0.7 * occ)
        pw = (b * (0.3 + 0.7 * occ) + heat + cool) * (1 + 0.04 * smooth_noise(rng, N_HOURS, 4.0))
        pw = np.maximum(pw, 1.0)
        for e in eps:
            if e.kind == "outage":
                pw[e.start:e.end + 1] = 0.0
        out = [pw]
    # data-quality injections common to every kind
    for e in eps:
        if e.kind == "flatline":
            j = thing.props.index(e.metric)
            out[j] = out[j].copy()
            frozen = np.round(out[j][e.start], DECIMALS[e.metric])
            out[j][e.start:e.end + 1] = frozen
            step = 10.0 ** -DECIMALS[e.metric]
            for nb in (e.start - 1, e.end + 1):  # neighbours differ, so the run is exactly the span
                if abs(out[j][nb] - frozen) < step:
                    out[j][nb] = frozen + 3 * step
            e.params["value"] = float(frozen)
        elif e.kind == "spike":
            j = thing.props.index(e.metric)
            out[j][e.start] = e.params["value"]
    for j, a in thing.nulls:
        out[j][a] = np.nan
    return out


def write_sensorthings(out_dir: Path, seed: int, plan: Plan, progress=None) -> dict:
    path = Path(out_dir) / ST_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    shared = shared_fields(seed, plan)
    # floods also bring (lighter) city-wide rain
    for e in plan.episodes:
        if e.kind == "flood":
            shared["rain"][e.start - 6:e.start] += 0.15 * e.params["rain_mm_h"] * _flood_shape()
    tparts = _time_parts()
    by_thing: dict[int, list] = {}
    for e in plan.episodes:
        if e.source == "sensorthings":
            by_thing.setdefault(e.thing_idx, []).append(e)
    next_obs = 1
    n_obs = 0
    defects: list[dict] = []
    total = len(plan.things)
    if progress is not None:
        progress("sensorthings", 0, total)
    tmp = tmp_path(path)
    with tmp.open("wb") as fh:
        fh.write(b'{"value":[')
        for ti, thing in enumerate(plan.things):
            eps = by_thing.get(thing.idx, [])
            series = _series_for(thing, seed, shared, eps)
            present = np.ones(N_HOURS, dtype=bool)
            for e in eps:
                if e.kind == "silence":
                    present[e.start:e.end + 1] = False
            hidx = np.flatnonzero(present)
            doc = {
                "@iot.id": thing.iot_id,
                "name": thing.name,
                "description": f"{DESCRIPTIONS[thing.kind]} - {thing.site}",
                "properties": {"domain": KIND_DOMAIN[thing.kind], "district_code": thing.district.code,
                               "district_name": thing.district.name_ko, "site": thing.site},
                "Locations": [{
                    "@iot.id": thing.iot_id,
                    "name": thing.site,
                    "description": f"{thing.name} installation point",
                    "encodingType": "application/geo+json",
                    "location": {"type": "Point", "coordinates": [thing.lon, thing.lat]},
                }],
                "Datastreams": [],
            }
            for j, prop in enumerate(thing.props):
                oid, odef, odesc = OBSERVED[prop]
                doc["Datastreams"].append({
                    "@iot.id": thing.ds_ids[j],
                    "name": f"{thing.name} {prop}",
                    "description": f"Hourly {prop.replace('_', ' ')} at {thing.site}",
                    "observationType": OM_MEASUREMENT,
                    "unitOfMeasurement": UNITS[prop],
                    "ObservedProperty": {"@iot.id": oid, "name": prop, "definition": odef, "description": odesc},
                    "Observations": f"@@OBS{j}@@",
                })
            text = json_dumps(doc)
            pieces = []
            for j, prop in enumerate(thing.props):
                vals = series[j][hidx]
                ids = np.arange(next_obs, next_obs + len(hidx), dtype=np.int64)
                isnull = ~np.isfinite(vals)
                for k in np.flatnonzero(isnull):
                    defects.append({"file": ST_PATH, "line": 1, "kind": "null_result",
                                    "detail": f"Observation @iot.id {int(ids[k])} of Datastream {thing.ds_ids[j]} "
                                              f"({thing.name} {prop}) has result null"})
                vstr = fixed(vals, DECIMALS[prop]).fill_null("null")
                obs = pl.select(
                    pl.lit('{"@iot.id":') + pl.Series(ids).cast(pl.String) + tparts.gather(pl.Series(hidx))
                    + vstr + pl.lit("}")
                ).to_series()
                joined = obs.str.join(",").item() if len(obs) else ""
                pre, post = text.split(f'"@@OBS{j}@@"', 1)
                pieces.append(pre + "[")
                pieces.append(joined)
                text = "]" + post
                next_obs += len(hidx)
                n_obs += len(hidx)
            pieces.append(text)
            if ti:
                fh.write(b",")
            for p in pieces:
                fh.write(p.encode("utf-8"))
            if progress is not None:
                progress("sensorthings", ti + 1, total)
        fh.write(b"]}")
    tmp.replace(path)
    return {"path": path, "things": len(plan.things), "datastreams": plan.n_datastreams,
            "observations": n_obs, "defects": defects}
