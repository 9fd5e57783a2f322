"""The 민원 (civil complaint) export: CP949, CRLF, one row per complaint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from . import _texts as tx
from ._common import (
    DAY_DATES,
    DAY_HOLIDAY,
    DAY_MONTH,
    DAY_OFF,
    HOLIDAYS_2025,
    N_DAYS,
    PERIOD_SECONDS,
    District,
    fixed,
    iso,
    sample_points,
    seconds_to_text,
    stream,
    write_atomic,
)
from ._plan import Plan

COMPLAINT_PATH = "complaints/sejong_minwon_2025.csv"
COLUMNS = ["접수번호", "접수일시", "민원구분", "민원분야", "민원제목", "민원내용", "처리상태", "최초답변일시", "처리일시",
           "처리기한", "처리부서", "읍면동", "신청경로", "민원인번호", "공감수", "채택여부", "만족도", "위도", "경도"]
BASE_ROWS = 29_400  # background complaints at scale 1 (responses and bursts come on top)
GARBAGE_TIME = "2025-13-45 99:00:00"

CAT_INDEX = {c: i for i, c in enumerate(tx.CATEGORY_NAMES)}
ORIGIN_BG, ORIGIN_RESPONSE, ORIGIN_BURST = 0, 1, 2

# hour-of-day profiles of submissions
_H_WEEKDAY = np.array([0.5, 0.3, 0.2, 0.15, 0.15, 0.3, 0.8, 2.0, 4.5, 7.5, 8.0, 7.0, 5.0, 6.5, 7.5, 7.0, 6.5,
                       5.5, 4.0, 3.5, 3.2, 2.8, 2.0, 1.2])
_H_WEEKEND = np.array([0.9, 0.6, 0.4, 0.3, 0.2, 0.3, 0.6, 1.2, 2.2, 3.5, 4.5, 5.0, 5.0, 5.0, 5.0, 4.8, 4.5,
                       4.2, 4.0, 3.8, 3.5, 3.0, 2.2, 1.5])

# what each reported sensor episode makes citizens complain about
RESPONSE_RULES = {  # kind -> (categories, count range at scale 1, lag range in hours, minimum count)
    "noise_spike": (["소음"], (4, 12), (0.5, 6.0), 2),
    "pm_episode": (["미세먼지"], (20, 60), (1.0, 10.0), 3),
    "flood": (["침수", "배수불량"], (10, 25), (1.0, 12.0), 2),
    "outage": (["정전"], (5, 15), (0.2, 3.0), 2),
    "traffic_incident": (["교통신호", "대중교통"], (3, 10), (0.3, 4.0), 2),
}


class _Rows:
    """Column store of the complaints before formatting."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {k: [] for k in ("t", "district", "cat", "kind", "origin", "ref")}

    def add(self, t, district, cat, kind, origin, ref) -> None:
        n = len(t)
        for k, v in (("t", t), ("district", district), ("cat", cat), ("kind", kind)):
            self.cols[k].append(np.asarray(v, dtype=np.int64).reshape(-1) if np.ndim(v) else np.full(n, v, dtype=np.int64))
        self.cols["origin"].append(np.full(n, origin, dtype=np.int64))
        self.cols["ref"].append(np.full(n, ref, dtype=np.int64))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


def _draw_times(rng, n: int) -> np.ndarray:
    """Receipt times (seconds since T0) for background complaints."""
    doy = np.arange(N_DAYS, dtype=float)
    wd_factor = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.5, 0.45])
    weekday = (DAY_DATES.astype("int64") + 3) % 7
    w = (1 + 0.22 * doy / (N_DAYS - 1)) * wd_factor[weekday] * np.where(DAY_HOLIDAY, 0.5, 1.0)
    w *= 1 + 0.08 * np.exp(-0.5 * ((doy - 200) / 30) ** 2)
    day = rng.choice(N_DAYS, size=n, p=w / w.sum())
    off = DAY_OFF[day]
    u = rng.random(n)
    hour = np.where(off, np.searchsorted(np.cumsum(_H_WEEKEND) / _H_WEEKEND.sum(), u, side="right"),
                    np.searchsorted(np.cumsum(_H_WEEKDAY) / _H_WEEKDAY.sum(), u, side="right"))
    hour = np.minimum(hour, 23)
    return day * 86400 + hour * 3600 + rng.integers(0, 3600, n)


def _draw_categories(rng, t: np.ndarray) -> np.ndarray:
    month = DAY_MONTH[t // 86400]
    base = np.array([v[2] for v in tx.CATEGORIES.values()])
    mult = np.array([v[3] for v in tx.CATEGORIES.values()]).T  # (12, n_cat)
    p = base[None, :] * mult
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(t))
    return np.minimum((u[:, None] > cum[month - 1]).sum(axis=1), len(base) - 1)


def _draw_channels(rng, t: np.ndarray) -> np.ndarray:
    day = t // 86400
    hour = (t % 86400) // 3600
    office = ~DAY_OFF[day] & (hour >= 9) & (hour < 18)
    trend = day / (N_DAYS - 1)
    p_app_o, p_web_o = 0.33 + 0.08 * trend, 0.21 - 0.08 * trend
    p_app_n, p_web_n = 0.55 + 0.10 * trend, 0.30 - 0.10 * trend
    u = rng.random(len(t))
    # office hours: app, web, phone .20, visit .08, 신문고 .18 ; otherwise app, web, 신문고 .15
    c_o = np.stack([p_app_o, p_app_o + p_web_o, p_app_o + p_web_o + 0.20, p_app_o + p_web_o + 0.28], axis=1)
    c_n = np.stack([p_app_n, p_app_n + p_web_n, p_app_n + p_web_n, p_app_n + p_web_n], axis=1)
    cum = np.where(office[:, None], c_o, c_n)
    return (u[:, None] > cum).sum(axis=1)


def _plan_responses(rng, plan: Plan, scale: float, districts: list[District], rows: _Rows) -> list[dict]:
    pops = np.array([d.population for d in districts], dtype=float)
    out: list[dict] = []
    for ei, e in enumerate(plan.episodes):
        if not (e.reportable and e.reported):
            continue
        cats, (lo, hi), (lag_lo, lag_hi), minimum = RESPONSE_RULES[e.kind]
        n = max(minimum, int(round(rng.uniform(lo, hi) * scale)))
        start = e.t_start()
        groups: list[tuple[str, int, int]] = []  # (category, district idx, count)
        if e.kind == "pm_episode":  # city-wide, more where the station is
            n_epi = max(1, int(round(0.4 * n)))
            groups.append((cats[0], e.district.idx, n_epi))
            w = pops.copy()
            w[e.district.idx] = 0
            counts = rng.multinomial(n - n_epi, w / w.sum())
            groups += [(cats[0], int(j), int(c)) for j, c in enumerate(counts) if c > 0]
        elif len(cats) == 2:
            n1 = max(1, min(n - 1, int(round(n * rng.uniform(0.45, 0.65)))))
            groups += [(cats[0], e.district.idx, n1), (cats[1], e.district.idx, n - n1)]
        else:
            groups.append((cats[0], e.district.idx, n))
        for cat, di, c in groups:
            lags = np.sort(rng.uniform(lag_lo, lag_hi, c))
            t = start + np.round(lags * 3600).astype(np.int64)
            t = np.minimum(t, PERIOD_SECONDS - 60)
            kind = np.where(rng.random(c) < 0.95, 0, 1)
            rows.add(t, di, CAT_INDEX[cat], kind, ORIGIN_RESPONSE, ei)
            out.append({"episode_id": e.id, "category": cat, "district_code": districts[di].code, "count": int(c),
                        "first_report_at": iso(int(t.min())), "lag_hours": round((int(t.min()) - start) / 3600, 2)})
    return out


def _plan_bursts(rng, scale: float, districts: list[District], rows: _Rows) -> list[dict]:
    by_name = {d.name_ko: d for d in districts}
    rural = [by_name[n] for n in ("연서면", "장군면", "전의면", "연동면", "전동면") if n in by_name] or districts
    dongs = [d for d in districts if d.name_ko.endswith("동")] or districts
    specs = [("악취", rural, [6, 7, 8], "livestock odour, no odour sensor"),
             ("쓰레기", dongs, [10], "uncollected waste after the holidays, no sensor"),
             ("가로등", dongs, [11, 12], "street-light circuit failure, no sensor")]
    out = []
    used: set[str] = set()
    for i, (cat, pool, months, why) in enumerate(specs, start=1):
        cands = [d for d in pool if d.code not in used] or pool
        d = cands[int(rng.integers(len(cands)))]
        used.add(d.code)
        days = np.flatnonzero(np.isin(DAY_MONTH, months))
        day = int(rng.choice(days[:-3]))
        n = max(4, int(round(rng.uniform(20, 40) * scale)))
        t0 = day * 86400 + int(rng.integers(7, 12)) * 3600
        t = np.sort(t0 + rng.integers(0, 48 * 3600, n))
        rows.add(t, d.idx, CAT_INDEX[cat], 0, ORIGIN_BURST, i - 1)
        out.append({"id": f"BURST{i:02d}", "kind": "blind_spot", "category": cat, "district_code": d.code,
                    "count": int(n), "start": iso(int(t.min())), "end": iso(int(t.max())), "detail": why})
    return out


def _busday(days: np.ndarray) -> np.ndarray:
    return (np.datetime64("2025-01-01", "D") + days).astype("datetime64[D]")


def _fmt_opt(sec: np.ndarray, valid: np.ndarray, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Series:
    s = seconds_to_text(np.where(valid, sec, 0), fmt)
    return pl.select(pl.when(pl.Series(valid)).then(s).otherwise(None)).to_series()


def _pii_value(rng, form: str) -> str:
    r = lambda a, b: int(rng.integers(a, b))  # noqa: E731
    if form == "mobile_dash":
        return f"010-{r(0, 10000):04d}-{r(0, 10000):04d}"
    if form == "mobile_space":
        return f"010 {r(0, 10000):04d} {r(0, 10000):04d}"
    if form == "mobile_plain":
        return f"010{r(0, 10000):04d}{r(0, 10000):04d}"
    if form == "landline":
        return f"044-{r(200, 900):03d}-{r(0, 10000):04d}"
    if form == "email":
        sep = [".", "_", ""][r(0, 3)]
        return f"{tx.ROMAN_FAMILY[r(0, len(tx.ROMAN_FAMILY))]}{sep}{tx.ROMAN_GIVEN[r(0, len(tx.ROMAN_GIVEN))]}" \
               f"{r(1, 99) if r(0, 2) else ''}@example.com"
    if form == "rrn":
        y, m = r(60, 100), r(1, 13)
        return f"{y:02d}{m:02d}{r(1, 29):02d}-{r(1, 3)}{r(0, 1000000):06d}"
    return f"{tx.ADDRESS_ROADS[r(0, len(tx.ADDRESS_ROADS))]} {r(1, 3000)}, {r(101, 120)}동 {r(1, 25)}{r(1, 5):02d}호"


def write_complaints(out_dir: Path, seed: int, scale: float, plan: Plan, *, bursts: bool = True) -> dict:
    districts = plan.districts
    nd = len(districts)
    rng = stream(seed, 60)
    rows = _Rows()

    # ---- background volume, weighted by population
    n_bg = max(60, int(round(BASE_ROWS * scale)))
    pops = np.array([d.population for d in districts], dtype=float)
    w = pops * np.exp(rng.normal(0, 0.10, nd))
    t_bg = _draw_times(rng, n_bg)
    d_bg = rng.choice(nd, size=n_bg, p=w / w.sum())
    c_bg = _draw_categories(rng, t_bg)
    k_bg = rng.choice(3, size=n_bg, p=tx.KIND_P)
    rows.add(t_bg, d_bg, c_bg, k_bg, ORIGIN_BG, -1)
    responses = _plan_responses(stream(seed, 61), plan, scale, districts, rows)
    bursts = _plan_bursts(stream(seed, 62), scale, districts, rows) if bursts else []
    A = rows.arrays()
    n = len(A["t"])

    # ---- stable order by receipt time (ties broken by a random key)
    tie = rng.random(n)
    order = np.lexsort((tie, A["t"]))
    A = {k: v[order] for k, v in A.items()}
    t, dist, cat, kind, origin = A["t"], A["district"], A["cat"], A["kind"], A["origin"]
    channel = _draw_channels(rng, t)

    # ---- reporters: per-district Zipf-like pools (~40% of citizens report twice or more)
    citizen_ix = np.zeros(n, dtype=np.int64)
    counts = np.bincount(dist, minlength=nd)
    pool_sizes = np.maximum(3, counts)
    offsets = np.concatenate([[0], np.cumsum(pool_sizes)[:-1]])
    for j in range(nd):
        m = dist == j
        if not m.any():
            continue
        r = np.arange(pool_sizes[j])
        wz = (r + 3.0) ** -0.6
        citizen_ix[m] = offsets[j] + rng.choice(pool_sizes[j], size=int(m.sum()), p=wz / wz.sum())
    space = max(9_000_000, 4 * int(pool_sizes.sum()))  # C + 7 digits unless the scale needs more
    ids = rng.choice(space, size=int(pool_sizes.sum()), replace=False) + 100_000
    citizen = pl.select(pl.lit("C") + pl.Series(ids[citizen_ix]).cast(pl.String).str.zfill(7)).to_series()

    # ---- handling durations and status
    slow = sorted(int(x) for x in rng.choice(np.flatnonzero(pops >= np.median(pops)), size=min(3, nd), replace=False))
    kind_f = np.array([1.0, 0.6, 2.5])[kind]
    cat_f = np.ones(len(tx.CATEGORY_NAMES))
    for c, f in (("도로파손", 1.3), ("가로등", 1.25), ("행정", 0.8), ("정전", 0.5), ("침수", 0.8), ("제설", 0.4)):
        cat_f[CAT_INDEX[c]] = f
    dist_f = np.where(np.isin(dist, slow), 2.1, 1.0)
    dur = np.exp(rng.normal(np.log(2.2), 0.6, n)) * kind_f * cat_f[cat] * dist_f
    dur *= np.where(rng.random(n) < 0.06, rng.uniform(3, 6, n), 1.0)  # the late tail
    close_raw = t + np.round(dur * 86400).astype(np.int64)
    cday = np.minimum(close_raw // 86400, 10_000)
    cdate = np.busday_offset(_busday(cday), 0, roll="forward", holidays=HOLIDAYS_2025)
    cday = (cdate - np.datetime64("2025-01-01", "D")).astype(np.int64)
    tod = rng.integers(9 * 3600, 18 * 3600 + 1800, n)
    rday, rtod = t // 86400, t % 86400
    same = (cday == rday) & (tod <= rtod + 1800)
    tod = np.where(same, rtod + rng.integers(1800, 3 * 3600, n), tod)
    close = cday * 86400 + tod
    remaining = PERIOD_SECONDS - t
    p_force = 0.045 + 0.9 * np.exp(-remaining / (30 * 86400.0))  # backlog grows towards the export date
    is_open = (close >= PERIOD_SECONDS) | (rng.random(n) < p_force)
    u = rng.random(n)
    status = np.where(kind == 1, np.where(u < 0.9, 2, 3), np.where(u < 0.25, 2, 3))  # 2 답변완료, 3 처리완료
    fresh = remaining < 2 * 86400
    status = np.where(is_open, np.where(fresh, np.where(u < 0.7, 0, 1), np.where(u < 0.25, 0, 1)), status)
    is_open = status <= 1
    frac = rng.uniform(0.1, 0.8, n)
    first = t + np.floor(frac * (close - t)).astype(np.int64)
    first_open = t + np.minimum(np.round(rng.uniform(0.2, 3.0, n) * 86400), remaining * 0.8).astype(np.int64)
    first = np.where(is_open, first_open, first)
    has_first = status != 0
    bdays = np.busday_count(_busday(rday), _busday(cday), holidays=HOLIDAYS_2025)
    sat_on = ~is_open & (rng.random(n) < 0.35)
    sat = np.clip(np.round(4.0 - 0.25 * np.maximum(0, bdays - 3) + rng.normal(0, 1.0, n)), 1, 5)
    due_on = rng.random(n) < 0.2
    due = np.busday_offset(_busday(rday), np.where(kind == 2, 14, 7), roll="forward", holidays=HOLIDAYS_2025)

    # ---- proposals: votes and adoption
    is_prop = kind == 2
    votes = rng.negative_binomial(0.8, 0.08, n) * np.where(rng.random(n) < 0.03, 10, 1)
    adopt = np.where(is_open, 2, np.where(rng.random(n) < 0.25, 0, 1))

    # ---- agency, district name, coordinates
    agencies = np.array([v[1] for v in tx.CATEGORIES.values()], dtype=object)
    agency = agencies[cat]
    noise_build = (cat == CAT_INDEX["소음"]) & (rng.random(n) < tx.NOISE_BUILDING_SHARE)
    agency = np.where(noise_build, tx.BUILDING_AGENCY, agency)
    dname = np.array([d.name_ko for d in districts], dtype=object)[dist]
    no_dong = (origin == ORIGIN_BG) & (rng.random(n) < 0.01)
    has_xy = rng.random(n) < 0.70
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    for j, d in enumerate(districts):
        m = np.flatnonzero(has_xy & (dist == j))
        if len(m) == 0:
            continue
        px, py = sample_points(stream(seed, 63, j), d, min(len(m), 8192))
        pick = np.arange(len(m)) if len(m) <= len(px) else rng.integers(0, len(px), len(m))
        lon[m], lat[m] = px[pick], py[pick]

    # ---- texts
    flat_t, flat_b, offs = [], [], {}
    for ci, c in enumerate(tx.CATEGORY_NAMES):
        for ki, key in enumerate(("c", "q", "p")):
            lst = tx.TEMPLATES[c][key]
            offs[(ci, ki)] = (len(flat_t), len(lst))
            flat_t += [a for a, _ in lst]
            flat_b += [b for _, b in lst]
    off_arr = np.zeros((len(tx.CATEGORY_NAMES), 3), dtype=np.int64)
    cnt_arr = np.zeros_like(off_arr)
    for (ci, ki), (o, c) in offs.items():
        off_arr[ci, ki], cnt_arr[ci, ki] = o, c
    tpl = off_arr[cat, kind] + np.floor(rng.random(n) * cnt_arr[cat, kind]).astype(np.int64)
    winter_only = np.array([x in tx.WINTER_ONLY for x in flat_t])
    summer_only = np.array([x in tx.SUMMER_ONLY for x in flat_t])
    rmonth = DAY_MONTH[np.minimum(t // 86400, N_DAYS - 1)]
    off_season = (winter_only[tpl] & ~np.isin(rmonth, list(tx.WINTER_MONTHS))) | \
                 (summer_only[tpl] & ~np.isin(rmonth, list(tx.SUMMER_MONTHS)))
    tpl = np.where(off_season, off_arr[cat, kind], tpl)
    road = pl.Series(tx.ROADS).gather(pl.Series(rng.integers(0, len(tx.ROADS), n)))
    spot = pl.Series(tx.SPOTS).gather(pl.Series(rng.integers(0, len(tx.SPOTS), n)))
    closing = pl.Series(tx.CLOSINGS).gather(pl.Series(rng.integers(0, len(tx.CLOSINGS), n)))
    stem = pl.Series(flat_t).gather(pl.Series(tpl))
    body = pl.Series(flat_b).gather(pl.Series(tpl))
    dn = pl.Series(dname.astype(str))
    style = pl.Series(rng.choice(3, size=n, p=[0.5, 0.3, 0.2]))
    frame = pl.DataFrame({"dn": dn, "road": road, "spot": spot, "closing": closing, "stem": stem, "body": body,
                          "style": style})
    district_only = pl.col("body").str.starts_with("@")
    texts = frame.select(
        title=pl.when(district_only & (pl.col("style") <= 1)).then(pl.concat_str(["dn", "stem"], separator=" "))
        .when(pl.col("style") == 0).then(pl.concat_str(["dn", "road", "stem"], separator=" "))
        .when(pl.col("style") == 1).then(pl.concat_str(["road", "spot", "stem"], separator=" "))
        .otherwise(pl.col("stem")),
        content=pl.concat_str([
            pl.when(district_only).then(pl.col("dn") + pl.col("body").str.slice(1))
            .otherwise(pl.concat_str(["dn", "road", "spot"], separator=" ") + pl.col("body")),
            pl.col("closing")], separator=" ").str.strip_chars(" "),
    )
    content = texts["content"]
    # personal data typed by citizens (~3%), never on rows used for other defects
    pii_rows = np.flatnonzero(rng.random(n) < 0.03)
    pii_forms = rng.integers(0, len(tx.PII_FORMS), len(pii_rows))
    pii_vals = [_pii_value(rng, tx.PII_FORMS[int(f)][0]) for f in pii_forms]
    pii_text = [tx.PII_FORMS[int(f)][1].format(x=v) for f, v in zip(pii_forms, pii_vals, strict=True)]
    if len(pii_rows):
        base = content.gather(pl.Series(pii_rows))
        content = content.clone()
        content.scatter(pii_rows, pl.select(base + pl.Series(pii_text)).to_series())

    # ---- receipt numbers: 2AA-YYMM-NNNNNN, sequential within the month
    month = DAY_MONTH[rday]
    seq = np.zeros(n, dtype=np.int64)
    for mth in range(1, 13):
        m = month == mth
        seq[m] = np.arange(1, int(m.sum()) + 1)
    rno = pl.select(pl.lit("2AA-25") + pl.Series(month).cast(pl.String).str.zfill(2) + pl.lit("-")
                    + pl.Series(seq).cast(pl.String).str.zfill(6)).to_series()

    kinds = pl.Series(tx.KINDS).gather(pl.Series(kind))
    status_words = tx.STATUS_OPEN + tx.STATUS_CLOSED
    df = pl.DataFrame({
        "접수번호": rno,
        "접수일시": seconds_to_text(t),
        "민원구분": kinds,
        "민원분야": pl.Series(tx.CATEGORY_NAMES).gather(pl.Series(cat)),
        "민원제목": texts["title"],
        "민원내용": content,
        "처리상태": pl.Series(status_words).gather(pl.Series(status)),
        "최초답변일시": _fmt_opt(first, has_first),
        "처리일시": _fmt_opt(close, ~is_open),
        "처리기한": pl.select(pl.when(pl.Series(due_on)).then(pl.Series(due.astype(str))).otherwise(None)).to_series(),
        "처리부서": pl.Series(agency.astype(str)),
        "읍면동": pl.select(pl.when(pl.Series(no_dong)).then(None).otherwise(dn)).to_series(),
        "신청경로": pl.Series(tx.CHANNELS).gather(pl.Series(channel)),
        "민원인번호": citizen,
        "공감수": pl.select(pl.when(pl.Series(is_prop)).then(pl.Series(votes).cast(pl.String)).otherwise(None)).to_series(),
        "채택여부": pl.select(pl.when(pl.Series(is_prop)).then(pl.Series(tx.ADOPTION).gather(pl.Series(adopt)))
                          .otherwise(None)).to_series(),
        "만족도": pl.select(pl.when(pl.Series(sat_on)).then(pl.Series(sat.astype(np.int64)).cast(pl.String))
                         .otherwise(None)).to_series(),
        "위도": fixed(lat, 6),
        "경도": fixed(lon, 6),
    })

    # ---- injected defects (background rows only, never rows carrying PII)
    drng = stream(seed, 64)
    eligible = (origin == ORIGIN_BG) & ~no_dong & (t < PERIOD_SECONDS - 20 * 86400) & (t > 86400)
    eligible[pii_rows] = False
    used: set[int] = set()

    def take(mask: np.ndarray, k: int) -> list[int]:
        cand = np.flatnonzero(mask & eligible)
        cand = cand[~np.isin(cand, list(used))]
        pick = sorted(int(x) for x in drng.choice(cand, size=k, replace=False))
        used.update(pick)
        return pick

    def put(frame: pl.DataFrame, col: str, idx: list[int], value) -> pl.DataFrame:
        ser = frame[col].clone()
        vals = value if isinstance(value, pl.Series) else pl.Series([value] * len(idx), dtype=pl.String)
        ser.scatter(idx, vals)
        return frame.with_columns(ser)

    closed_mask = ~is_open
    before = take(closed_mask, 3)
    bad_close = t[before] - drng.integers(3600, 48 * 3600, 3)
    df = put(df, "처리일시", before, seconds_to_text(bad_close))
    df = put(df, "최초답변일시", before, None)
    hold = take(np.ones(n, dtype=bool), 2)
    df = put(df, "처리상태", hold, tx.STATUS_UNKNOWN)
    df = put(df, "처리일시", hold, None)
    df = put(df, "만족도", hold, None)
    garbage = take(np.ones(n, dtype=bool), 1)
    df = put(df, "접수일시", garbage, GARBAGE_TIME)
    dups = take(np.ones(n, dtype=bool), 2)
    newer = take(closed_mask & (status == 3) & (kind == 0), 1)[0]
    newer_row = df[newer]
    # the body carries the older snapshot; the final state is appended at the end of the file
    df = put(df, "처리상태", [newer], "처리중")
    df = put(df, "처리일시", [newer], None)
    df = put(df, "만족도", [newer], None)
    # physical order: each duplicated row is followed by its copy; the newer version goes last
    insert_after = np.zeros(n, dtype=np.int64)
    insert_after[dups] = 1
    shift = np.cumsum(insert_after) - insert_after  # copies inserted before row i
    pos_of = np.arange(n) + shift
    final = np.arange(n)
    final = np.insert(final, np.array(dups) + 1, dups)
    df = pl.concat([df[final], newer_row])
    line = lambda i: int(pos_of[i]) + 2  # noqa: E731

    defects = []
    for i in before:
        defects.append({"file": COMPLAINT_PATH, "line": line(i), "kind": "closed_before_received",
                        "detail": f"처리일시 earlier than 접수일시 ({df['접수번호'][int(pos_of[i])]})"})
    for i in hold:
        defects.append({"file": COMPLAINT_PATH, "line": line(i), "kind": "unknown_status",
                        "detail": f"처리상태 \"{tx.STATUS_UNKNOWN}\" is not a known status word"})
    for i in garbage:
        defects.append({"file": COMPLAINT_PATH, "line": line(i), "kind": "invalid_datetime",
                        "detail": f"접수일시 \"{GARBAGE_TIME}\""})
    for i in dups:
        defects.append({"file": COMPLAINT_PATH, "line": line(i) + 1, "kind": "duplicate_row",
                        "detail": f"exact duplicate of line {line(i)}"})
    defects.append({"file": COMPLAINT_PATH, "line": df.height + 1, "kind": "superseded_version",
                    "detail": f"same 접수번호 {newer_row['접수번호'][0]} as line {line(newer)}; line {line(newer)} is "
                              f"an older snapshot (처리중), this line is the newer version (처리완료)"})
    defects.sort(key=lambda d: d["line"])
    pii = [{"file": COMPLAINT_PATH, "line": line(int(i)), "kind": tx.PII_FORMS[int(f)][0], "value": v}
           for i, f, v in zip(pii_rows, pii_forms, pii_vals, strict=True)]

    text = df.write_csv(null_value="", line_terminator="\r\n", quote_style="necessary")
    path = Path(out_dir) / COMPLAINT_PATH
    write_atomic(path, text.encode("cp949"))

    # statistics for the summary
    reporter_counts = np.bincount(citizen_ix)
    reporter_counts = reporter_counts[reporter_counts > 0]
    stats = {
        "rows": df.height,
        "open_share": round(float(is_open.mean()), 4),
        "citizens": int(len(reporter_counts)),
        "repeat_reporter_share": round(float((reporter_counts >= 2).mean()), 4),
        "late_share_over_7_working_days": round(float(((bdays > 7) & ~is_open).mean()), 4),
    }
    return {"path": path, "rows": df.height, "defects": defects, "pii": pii, "responses": responses,
            "bursts": bursts, "slow_districts": [districts[j].code for j in slow], "stats": stats}
