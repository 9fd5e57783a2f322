"""Sensor layout and the plan of every injected sensor episode.

The plan is fixed before any file is written, so the air file, the SensorThings
file and the complaints all agree on the same ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._common import DAY_MONTH, N_HOURS, District, sample_points, stream

AIR_STATIONS = ["조치원읍", "아름동", "보람동", "한솔동", "부강면", "연서면", "금남면", "종촌동", "소담동", "새롬동"]
AIR_METRICS = ["so2", "co", "o3", "no2", "pm10", "pm25"]

# Districts along the Geum river (금강) and the Miho stream (미호강 / 조천).
RIVERSIDE = {
    "금남면": "금강", "대평동": "금강", "보람동": "금강", "한솔동": "금강", "가람동": "금강",
    "나성동": "금강", "세종동": "금강", "부강면": "금강", "반곡동": "금강", "합강동": "미호강",
    "연기면": "미호강", "연동면": "미호강", "조치원읍": "조천", "연서면": "미호강",
}

KIND_ORDER = ["noise", "traffic", "water", "energy"]
KIND_PREFIX = {"noise": "NOISE", "traffic": "TRAFFIC", "water": "WATER", "energy": "ENERGY"}
KIND_DOMAIN = {"noise": "environment", "traffic": "transport", "water": "disaster", "energy": "energy"}
BASE_COUNTS = {"noise": 50, "traffic": 14, "water": 16, "energy": 60}  # 140 Things at scale 1
MIN_COUNTS = {"noise": 5, "traffic": 3, "water": 4, "energy": 4}
BUILDINGS = ["행정복지센터", "복합커뮤니티센터", "시립도서관", "국민체육센터", "보건지소", "주민센터", "공공청사", "청소년센터"]


@dataclass
class Thing:
    idx: int                 # 0-based position in the JSON document
    iot_id: int
    kind: str
    name: str
    district: District
    lon: float
    lat: float
    site: str
    has_rain: bool = False
    props: list[str] = field(default_factory=list)      # observed properties, in datastream order
    ds_ids: list[int] = field(default_factory=list)
    nulls: list[tuple[int, int]] = field(default_factory=list)  # (datastream position, hour) with result null


@dataclass
class Episode:
    kind: str
    source: str              # "air" | "sensorthings"
    target: str              # station name or Thing name
    metric: str
    district: District
    start: int               # index of the first affected reading
    hours: int               # number of affected hourly readings (inclusive span)
    params: dict = field(default_factory=dict)
    reportable: bool = False
    reported: bool = False
    id: str = ""
    station_idx: int = -1
    thing_idx: int = -1

    @property
    def end(self) -> int:
        return self.start + self.hours - 1

    def t_start(self) -> int:
        """Seconds since T0 of the first affected reading's timestamp."""
        off = 1 if self.source == "air" else 0  # AirKorea stamps the end of the hour
        return (self.start + off) * 3600

    def t_end(self) -> int:
        off = 1 if self.source == "air" else 0
        return (self.end + off) * 3600


@dataclass
class Plan:
    districts: list[District]
    stations: list[District]
    things: list[Thing]
    episodes: list[Episode]
    n_datastreams: int


class _Reservations:
    """Per-target list of reserved hour windows, so injections never overlap."""

    def __init__(self) -> None:
        self._by: dict[str, list[tuple[int, int]]] = {}

    def free(self, key: str, a: int, b: int, margin: int = 6) -> bool:
        return all(b + margin < s or a - margin > e for s, e in self._by.get(key, []))

    def add(self, key: str, a: int, b: int) -> None:
        self._by.setdefault(key, []).append((a, b))


def _day_range(months: list[int]) -> np.ndarray:
    return np.flatnonzero(np.isin(DAY_MONTH, months))


def _pick_window(rng, res: _Reservations, key: str, days: np.ndarray, hours_of_day, dur: int, margin: int = 6) -> int:
    for _ in range(500):
        day = int(rng.choice(days))
        hod = int(rng.choice(hours_of_day))
        a = day * 24 + hod
        b = a + dur - 1
        if a >= 30 and b < N_HOURS - 30 and res.free(key, a, b, margin):
            res.add(key, a, b)
            return a
    raise RuntimeError(f"could not place a window for {key}")


def thing_counts(scale: float, n_districts: int) -> dict[str, int]:
    counts = {k: max(MIN_COUNTS[k], int(round(BASE_COUNTS[k] * scale))) for k in KIND_ORDER}
    deficit = n_districts - sum(counts.values())
    order = ["noise", "energy", "traffic", "noise", "energy"]  # fill the gap so every district gets a Thing
    i = 0
    while deficit > 0:
        counts[order[i % len(order)]] += 1
        deficit -= 1
        i += 1
    return counts


def build_plan(seed: int, scale: float, districts: list[District]) -> Plan:
    by_name = {d.name_ko: d for d in districts}
    missing = [s for s in AIR_STATIONS if s not in by_name]
    if missing:
        raise ValueError(f"air stations not found in districts.csv: {missing}")
    stations = [by_name[s] for s in AIR_STATIONS]
    things = _layout(seed, scale, districts)
    n_ds = 0
    for t in things:
        t.props = {"noise": ["noise"], "traffic": ["traffic_volume", "speed"], "energy": ["power"]}.get(t.kind) or (
            ["water_level", "rainfall"] if t.has_rain else ["water_level"]
        )
        t.ds_ids = list(range(n_ds + 1, n_ds + 1 + len(t.props)))
        n_ds += len(t.props)
    episodes = _air_episodes(seed, stations) + _st_episodes(seed, things)
    kind_rank = {k: i for i, k in enumerate(["pm_episode", "noise_spike", "traffic_incident", "flood", "outage",
                                             "flatline", "silence", "spike"])}
    episodes.sort(key=lambda e: (e.t_start(), kind_rank[e.kind], e.source, e.target, e.metric))
    for i, e in enumerate(episodes, start=1):
        e.id = f"EP{i:03d}"
    return Plan(districts, stations, things, episodes, n_ds)


# --------------------------------------------------------------------------- layout


def _layout(seed: int, scale: float, districts: list[District]) -> list[Thing]:
    rng = stream(seed, 10)
    counts = thing_counts(scale, len(districts))
    pops = np.array([d.population for d in districts], dtype=float)
    river = [d for d in districts if d.name_ko in RIVERSIDE] or list(districts)
    order = rng.permutation(len(river))
    river = [river[i] for i in order]
    placed: list[tuple[str, District]] = []
    for i in range(counts["water"]):
        placed.append(("water", river[i % len(river)]))
    nonwater = ["noise"] * counts["noise"] + ["traffic"] * counts["traffic"] + ["energy"] * counts["energy"]
    nonwater = [nonwater[i] for i in rng.permutation(len(nonwater))]
    covered = {d.code for _, d in placed}
    uncovered = [d for d in districts if d.code not in covered]
    k = min(len(uncovered), len(nonwater))
    for kind, d in zip(nonwater[:k], uncovered[:k], strict=True):
        placed.append((kind, d))
    rest = nonwater[k:]
    if rest:
        di = rng.choice(len(districts), size=len(rest), p=pops / pops.sum())
        placed.extend((kind, districts[int(j)]) for kind, j in zip(rest, di, strict=True))
    placed.sort(key=lambda p: (KIND_ORDER.index(p[0]), p[1].code))
    # locations: one sub-stream per district so the count of other Things does not move them
    per_district: dict[str, list[int]] = {}
    for i, (_, d) in enumerate(placed):
        per_district.setdefault(d.code, []).append(i)
    lonlat: dict[int, tuple[float, float]] = {}
    for d in districts:
        idxs = per_district.get(d.code, [])
        if not idxs:
            continue
        x, y = sample_points(stream(seed, 11, d.idx), d, len(idxs))
        for j, i in enumerate(idxs):
            lonlat[i] = (round(float(x[j]), 6), round(float(y[j]), 6))
    things: list[Thing] = []
    num = {k: 0 for k in KIND_ORDER}
    rain_flags = rng.random(len(placed))
    site_pick = rng.integers(0, len(BUILDINGS), len(placed))
    n_water_seen = 0
    for i, (kind, d) in enumerate(placed):
        num[kind] += 1
        name = f"SJ-{KIND_PREFIX[kind]}-{num[kind]:03d}"
        has_rain = False
        if kind == "water":
            # the first two gauges always carry a rain gauge, then ~40%
            has_rain = n_water_seen < 2 or bool(rain_flags[i] < 0.4)
            n_water_seen += 1
            site = f"{RIVERSIDE.get(d.name_ko, '금강')} {d.name_ko} 수위관측소"
        elif kind == "energy":
            site = f"{d.name_ko} {BUILDINGS[int(site_pick[i])]}"
        elif kind == "traffic":
            site = f"{d.name_ko} 교통량 검지기"
        else:
            site = f"{d.name_ko} 소음 측정지점"
        lon, lat = lonlat[i]
        things.append(Thing(idx=i, iot_id=i + 1, kind=kind, name=name, district=d, lon=lon, lat=lat,
                            site=site, has_rain=has_rain))
    return things


# --------------------------------------------------------------------------- air episodes


def _air_episodes(seed: int, stations: list[District]) -> list[Episode]:
    rng = stream(seed, 20)
    res = _Reservations()
    eps: list[Episode] = []
    # (month, first/second half, yellow dust?)
    specs = [(1, 0, False), (2, 1, False), (3, 0, True), (3, 1, False), (4, 0, True), (4, 1, True),
             (5, 0, False), (12, 1, False)]
    for month, half, dust in specs:
        days = _day_range([month])
        days = days[: len(days) // 2] if half == 0 else days[len(days) // 2 :]
        dur = int(rng.integers(2, 11))
        st = int(rng.integers(0, len(stations)))
        hods = range(10, 18) if dust else range(0, 24)
        a = _pick_window(rng, res, "city", days, hods, dur + 4, margin=48) + 2  # ramps either side
        peak25 = float(rng.uniform(85, 130) if dust else rng.uniform(80, 170))
        peak10 = float(rng.uniform(220, 480)) if dust else None
        eps.append(Episode("pm_episode", "air", stations[st].name_ko, "pm25", stations[st], a, dur,
                           params={"peak_pm25": round(peak25), "peak_pm10": round(peak10) if peak10 else None,
                                   "type": "yellow_dust" if dust else "haze"},
                           reportable=True, station_idx=st))
    # the shortest haze episode goes unreported (a silent problem)
    haze = [e for e in eps if e.params["type"] == "haze"]
    silent = min(haze, key=lambda e: (e.hours, e.start))
    for e in eps:
        e.reported = e is not silent
    # flat-lined station (September) and silent station (June/October), distinct stations
    fs, ss = (int(x) for x in rng.choice(len(stations), size=2, replace=False))
    dur = int(rng.integers(10, 15))
    a = _pick_window(rng, res, f"st{fs}", _day_range([9]), range(0, 24), dur)
    eps.append(Episode("flatline", "air", stations[fs].name_ko, "all", stations[fs], a, dur, station_idx=fs))
    a = _pick_window(rng, res, f"st{ss}", _day_range([6, 10]), [0], 72)
    eps.append(Episode("silence", "air", stations[ss].name_ko, "all", stations[ss], a, 72, station_idx=ss))
    return eps


# --------------------------------------------------------------------------- SensorThings episodes


def _st_episodes(seed: int, things: list[Thing]) -> list[Episode]:
    rng = stream(seed, 21)
    res = _Reservations()
    eps: list[Episode] = []
    by_kind = {k: [t for t in things if t.kind == k] for k in KIND_ORDER}

    def pick_distinct_districts(pool: list[Thing], n: int) -> list[Thing]:
        order = [pool[i] for i in rng.permutation(len(pool))]
        out: list[Thing] = []
        seen: set[str] = set()
        for t in order:  # first pass: one per district
            if len(out) < n and t.district.code not in seen:
                out.append(t)
                seen.add(t.district.code)
        i = 0
        while len(out) < n:  # not enough districts: reuse Things (windows never overlap)
            out.append(order[i % len(order)])
            i += 1
        return out

    def ep(kind, t: Thing, metric, a, hours, **kw) -> Episode:
        e = Episode(kind, "sensorthings", t.name, metric, t.district, a, hours, thing_idx=t.idx, **kw)
        eps.append(e)
        return e

    # two Things stop reporting for 5-9 days: one noise meter, one energy meter
    silenced = [by_kind["noise"][int(rng.integers(len(by_kind["noise"])))],
                by_kind["energy"][int(rng.integers(len(by_kind["energy"])))]]
    for t in silenced:
        dur = int(rng.integers(5 * 24, 9 * 24 + 1))
        a = _pick_window(rng, res, t.name, _day_range([3, 4, 5, 6, 9, 10, 11]), [int(rng.integers(24))], dur)
        ep("silence", t, "all", a, dur)
    noise_ok = [t for t in by_kind["noise"] if t.idx != silenced[0].idx]
    flat_t = noise_ok[int(rng.integers(len(noise_ok)))]
    dur = int(rng.integers(12, 21))
    a = _pick_window(rng, res, flat_t.name, _day_range(list(range(2, 12))), range(24), dur)
    ep("flatline", flat_t, "noise", a, dur)
    noise_ok = [t for t in noise_ok if t.idx != flat_t.idx]

    # night-time noise spikes
    spikes = []
    for t in pick_distinct_districts(noise_ok, 9):
        dur = int(rng.integers(2, 7))
        a = _pick_window(rng, res, t.name, np.arange(3, 362), [22, 23, 0, 1, 2], dur)
        spikes.append(ep("noise_spike", t, "noise", a, dur, params={"delta_db": round(float(rng.uniform(15, 25)), 1)},
                         reportable=True))
    for i, e in enumerate(spikes):
        e.reported = i % 3 != 2  # 6 of 9 reported

    # traffic incidents: speed collapse, daytime
    inc = []
    for t in pick_distinct_districts(by_kind["traffic"], 6):
        dur = int(rng.integers(1, 5))
        a = _pick_window(rng, res, t.name, np.arange(3, 362), range(7, 20), dur)
        inc.append(ep("traffic_incident", t, "speed", a, dur,
                      params={"speed_kmh": round(float(rng.uniform(4, 12)), 1)}, reportable=True))
    for i, e in enumerate(inc):
        e.reported = i not in (1, 4)  # 4 of 6 reported

    # four summer floods after heavy rain; gauges with a rain gauge first
    gauges = sorted(by_kind["water"], key=lambda t: (not t.has_rain, t.idx))
    fl = []
    first_rain = [g for g in gauges if g.has_rain]
    pool = first_rain[:2] + [g for g in gauges if g not in first_rain[:2]]
    chosen = pool[:2] + pick_distinct_districts(pool[2:] or pool, 2)
    for t in chosen:
        dur = int(rng.integers(6, 49))
        a = _pick_window(rng, res, t.name, _day_range([7, 8]), range(24), dur + 8, margin=72) + 6
        fl.append(ep("flood", t, "water_level", a, dur,
                     params={"rise_m": round(float(rng.uniform(1.8, 3.2)), 2),
                             "rain_mm_h": round(float(rng.uniform(28, 60)), 1)}, reportable=True))
    for i, e in enumerate(fl):
        e.reported = i != 3  # 3 of 4 reported

    # power outages at two public buildings
    energy_ok = [t for t in by_kind["energy"] if t.idx != silenced[1].idx]
    for t in pick_distinct_districts(energy_ok, 2):
        dur = int(rng.integers(2, 9))
        a = _pick_window(rng, res, t.name, np.arange(3, 362), range(24), dur)
        ep("outage", t, "power", a, dur, reportable=True, reported=True)

    # single absurd values (range-check quarantine)
    spike_specs = [("noise", "noise", 190.0), ("noise", "noise", 203.4), ("traffic", "speed", 388.0),
                   ("water", "water_level", 999.99)]
    for kind, metric, value in spike_specs:
        pool = [t for t in by_kind[kind] if t.idx not in {s.idx for s in silenced} and t.idx != flat_t.idx]
        t = pool[int(rng.integers(len(pool)))]
        a = _pick_window(rng, res, t.name, np.arange(3, 362), range(24), 1)
        ep("spike", t, metric, a, 1, params={"value": value})

    # a handful of null results, recorded as data defects by the writer
    silenced_idx = {t.idx for t in silenced}
    live = [t for t in things if t.idx not in silenced_idx]
    for _ in range(6):
        t = live[int(rng.integers(len(live)))]
        k = int(rng.integers(len(t.props)))
        a = _pick_window(rng, res, t.name, np.arange(3, 362), range(24), 1, margin=2)
        t.nulls.append((k, a))
    return eps
