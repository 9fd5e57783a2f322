"""The deterministic demo-export generator (warehouse/demo): formats, determinism and ground truth."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from warehouse.demo import generate  # noqa: E402

SCALE = 0.05
SEED = 20250101
COMPLAINTS = "complaints/sejong_minwon_2025.csv"
AIR = "sensors/sejong_air_2025.csv"
ST = "sensors/sejong_sensorthings_2025.json"
COMPLAINT_COLUMNS = ["접수번호", "접수일시", "민원구분", "민원분야", "민원제목", "민원내용", "처리상태", "최초답변일시", "처리일시",
                     "처리기한", "처리부서", "읍면동", "신청경로", "민원인번호", "공감수", "채택여부", "만족도", "위도", "경도"]
AIR_COLUMNS = ["측정일시", "측정소명", "아황산가스", "일산화탄소", "오존", "이산화질소", "미세먼지", "초미세먼지"]
AIR_VALUES = AIR_COLUMNS[2:]
REPORTABLE = {"noise_spike", "pm_episode", "flood", "outage", "traffic_incident"}
TS = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    calls: list[tuple[str, int, int]] = []
    a = tmp_path_factory.mktemp("demo_a")
    b = tmp_path_factory.mktemp("demo_b")
    summary = generate(a, seed=SEED, scale=SCALE, progress=lambda s, d, t: calls.append((s, d, t)))
    generate(b, seed=SEED, scale=SCALE)
    return {"a": a, "b": b, "summary": summary, "calls": calls}


@pytest.fixture(scope="module")
def out(runs) -> Path:
    return runs["a"]


@pytest.fixture(scope="module")
def events(out) -> dict:
    return json.loads((out / "events.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def complaint_lines(out) -> list[str]:
    """Physical lines of the complaints file (index 0 = line 1 = header)."""
    return (out / COMPLAINTS).read_bytes().decode("cp949").split("\r\n")[:-1]


@pytest.fixture(scope="module")
def complaint_rows(complaint_lines) -> list[dict]:
    return [dict(zip(COMPLAINT_COLUMNS, next(csv.reader([ln])), strict=True)) for ln in complaint_lines[1:]]


@pytest.fixture(scope="module")
def air_lines(out) -> list[list[str]]:
    text = (out / AIR).read_bytes().decode("cp949")
    return [next(csv.reader([ln])) for ln in text.splitlines()]


@pytest.fixture(scope="module")
def sensorthings(out) -> dict:
    with (out / ST).open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def districts() -> dict[str, dict]:
    with (ROOT / "data/cities/sejong/districts.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["district_code"]: r for r in csv.DictReader(fh)}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _iso(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=None)


def _air_time(label: str) -> datetime:
    """AirKorea YYYYMMDDHH with HH=01..24 -> naive KST datetime (24 = next midnight)."""
    return datetime.strptime(label[:8], "%Y%m%d") + timedelta(hours=int(label[8:]))


# --------------------------------------------------------------------------- determinism and formats


def test_same_seed_and_scale_give_identical_files(runs):
    files_a = sorted(p.relative_to(runs["a"]) for p in runs["a"].rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(runs["b"]) for p in runs["b"].rglob("*") if p.is_file())
    assert files_a == files_b
    assert {str(p) for p in files_a} == {COMPLAINTS, AIR, ST, "events.json"}
    for rel in files_a:
        assert _sha(runs["a"] / rel) == _sha(runs["b"] / rel), rel


def test_another_seed_changes_the_data(runs, tmp_path):
    generate(tmp_path, seed=SEED + 1, scale=SCALE)
    assert _sha(tmp_path / COMPLAINTS) != _sha(runs["a"] / COMPLAINTS)
    assert _sha(tmp_path / AIR) != _sha(runs["a"] / AIR)


def test_summary_and_progress(runs, complaint_lines, air_lines, sensorthings):
    files = runs["summary"]["files"]
    assert files["complaints"]["rows"] == len(complaint_lines) - 1
    assert files["air"]["rows"] == len(air_lines) - 1
    n_obs = sum(len(ds["Observations"]) for th in sensorthings["value"] for ds in th["Datastreams"])
    assert files["sensorthings"]["observations"] == n_obs
    assert files["sensorthings"]["things"] == len(sensorthings["value"])
    for f in files.values():
        assert Path(f["path"]).stat().st_size == f["bytes"]
    steps = {c[0] for c in runs["calls"]}
    assert {"air", "sensorthings", "complaints"} <= steps
    assert all(0 <= d <= t for _, d, t in runs["calls"])


@pytest.mark.parametrize("rel", [COMPLAINTS, AIR])
def test_cp949_not_utf8(out, rel):
    raw = (out / rel).read_bytes()
    raw.decode("cp949")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_complaints_header_crlf_and_quoting(out, complaint_lines):
    raw = (out / COMPLAINTS).read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 1000 * SCALE
    assert next(csv.reader([complaint_lines[0]])) == COMPLAINT_COLUMNS
    widths = {len(next(csv.reader([ln]))) for ln in complaint_lines}
    assert widths == {len(COMPLAINT_COLUMNS)}


def test_air_header_and_hour_24(air_lines):
    assert air_lines[0] == AIR_COLUMNS
    hours = {row[0][8:] for row in air_lines[1:]}
    assert "24" in hours and "00" not in hours
    assert hours == {f"{h:02d}" for h in range(1, 25)}
    stations = {row[1] for row in air_lines[1:]}
    assert len(stations) == 10


def test_complaint_value_sets(complaint_rows, districts):
    rows = complaint_rows
    assert {r["민원구분"] for r in rows} == {"고충민원", "질의민원", "제안"}
    assert {r["처리상태"] for r in rows} <= {"접수", "처리중", "답변완료", "처리완료", "보류"}
    assert {r["신청경로"] for r in rows} == {"모바일앱", "홈페이지", "전화", "방문", "국민신문고"}
    names = {d["name_ko"] for d in districts.values()}
    assert {r["읍면동"] for r in rows} - {""} <= names
    for r in rows:
        if r["민원구분"] != "제안":
            assert r["공감수"] == "" and r["채택여부"] == ""
        else:
            assert r["공감수"].isdigit() and r["채택여부"] in {"채택", "불채택", "검토중"}
        if r["처리상태"] in {"접수", "처리중", "보류"}:
            assert r["처리일시"] == ""
        assert r["만족도"] in {"", "1", "2", "3", "4", "5"}
        if r["위도"]:
            assert re.fullmatch(r"3[67]\.\d{6}", r["위도"]) and re.fullmatch(r"127\.\d{6}", r["경도"])
    ids = [r["접수번호"] for r in rows]
    assert all(re.fullmatch(r"2AA-25(0[1-9]|1[0-2])-\d{6}", i) for i in ids)
    opened = sum(r["처리상태"] in {"접수", "처리중"} for r in rows) / len(rows)
    assert 0.06 < opened < 0.2


def test_first_response_before_closing(complaint_rows, events):
    bad_lines = {d["line"] for d in events["data_defects"] if d["file"] == COMPLAINTS}
    for line, r in enumerate(complaint_rows, start=2):
        if line in bad_lines or not r["처리일시"]:
            continue
        assert r["접수일시"] < r["최초답변일시"] < r["처리일시"], line


# --------------------------------------------------------------------------- ground truth


def test_every_recorded_defect_is_really_there(out, events, complaint_lines, air_lines, sensorthings):
    defects = events["data_defects"]
    kinds = [d["kind"] for d in defects]
    for kind, n in [("closed_before_received", 3), ("unknown_status", 2), ("invalid_datetime", 1), ("duplicate_row", 2),
                    ("superseded_version", 1), ("negative_value", 2)]:
        assert kinds.count(kind) == n, kind
    obs_by_id = {o["@iot.id"]: o for th in sensorthings["value"] for ds in th["Datastreams"] for o in ds["Observations"]}
    for d in defects:
        if d["file"] == COMPLAINTS:
            text = complaint_lines[d["line"] - 1]
            row = dict(zip(COMPLAINT_COLUMNS, next(csv.reader([text])), strict=True))
            ref = re.search(r"line (\d+)", d["detail"])
            if d["kind"] == "closed_before_received":
                assert row["처리일시"] and datetime.strptime(row["처리일시"], TS) < datetime.strptime(row["접수일시"], TS)
            elif d["kind"] == "unknown_status":
                assert row["처리상태"] == "보류"
            elif d["kind"] == "invalid_datetime":
                assert row["접수일시"] == "2025-13-45 99:00:00"
                with pytest.raises(ValueError):
                    datetime.strptime(row["접수일시"], TS)
            elif d["kind"] == "duplicate_row":
                assert text == complaint_lines[int(ref.group(1)) - 1]
            elif d["kind"] == "superseded_version":
                older = dict(zip(COMPLAINT_COLUMNS, next(csv.reader([complaint_lines[int(ref.group(1)) - 1]])), strict=True))
                assert int(ref.group(1)) < d["line"]
                assert older["접수번호"] == row["접수번호"] and older["처리상태"] == "처리중" and row["처리상태"] == "처리완료"
            else:
                pytest.fail(f"unexpected complaint defect {d}")
        elif d["file"] == AIR:
            row = dict(zip(AIR_COLUMNS, air_lines[d["line"] - 1], strict=True))
            if d["kind"] == "negative_value":
                assert int(row["미세먼지"]) < 0
            elif d["kind"] == "sentinel_dash":
                assert "-" in [row[c] for c in AIR_VALUES]
            elif d["kind"] == "missing_block":
                a, b = (int(x) for x in re.search(r"lines (\d+)-(\d+)", d["detail"]).groups())
                block = air_lines[a - 1:b]
                assert len({r[1] for r in block} & {row["측정소명"]}) == 1
                mine = [r for r in block if r[1] == row["측정소명"]]
                assert len(mine) >= 3 and all(r[2:] == [""] * 6 for r in mine)
            else:
                pytest.fail(f"unexpected air defect {d}")
        else:
            assert d["file"] == ST and d["kind"] == "null_result"
            oid = int(re.search(r"@iot.id (\d+)", d["detail"]).group(1))
            assert obs_by_id[oid]["result"] is None
    # duplicates of complaint ids only where recorded
    ids = [ln.split(",", 1)[0] for ln in complaint_lines[1:]]
    dup_lines = {d["line"] for d in defects if d["kind"] in ("duplicate_row", "superseded_version")}
    seen: set[str] = set()
    for line, i in enumerate(ids, start=2):
        if i in seen:
            assert line in dup_lines
        seen.add(i)


def test_pii_injections_are_in_the_text(events, complaint_lines):
    pii = events["pii_injections"]
    assert {p["kind"] for p in pii} <= {"mobile_dash", "mobile_space", "mobile_plain", "landline", "email", "rrn", "address"}
    assert len(pii) >= 0.01 * (len(complaint_lines) - 1)
    for p in pii:
        assert p["value"] in complaint_lines[p["line"] - 1]
        if p["kind"] == "email":
            assert p["value"].endswith("@example.com")


def test_pm_episodes_hold_at_their_station(events, air_lines):
    eps = [e for e in events["sensor_episodes"] if e["kind"] == "pm_episode"]
    assert len(eps) == 8
    by_station: dict[str, dict[datetime, list[str]]] = {}
    for r in air_lines[1:]:
        by_station.setdefault(r[1], {})[_air_time(r[0])] = r
    for e in eps:
        a, b = _iso(e["start"]), _iso(e["end"])
        span = [r for t, r in by_station[e["thing_or_station"]].items() if a <= t <= b]
        assert len(span) == e["hours"] >= 2
        assert all(int(r[7]) >= 75 for r in span), e
        assert a.month in (1, 2, 3, 4, 5, 12)
    assert any(e["detail"].get("peak_pm10", 0) >= 150 for e in eps)


def test_air_flatline_and_silence(events, air_lines):
    by_station: dict[str, dict[datetime, list[str]]] = {}
    for r in air_lines[1:]:
        by_station.setdefault(r[1], {})[_air_time(r[0])] = r
    air_eps = {e["kind"]: e for e in events["sensor_episodes"] if e["source"] == "air" and e["kind"] != "pm_episode"}
    flat, silent = air_eps["flatline"], air_eps["silence"]
    a, b = _iso(flat["start"]), _iso(flat["end"])
    vals = [r[2:] for t, r in sorted(by_station[flat["thing_or_station"]].items()) if a <= t <= b]
    assert len(vals) == flat["hours"] >= 8 and all(v == vals[0] for v in vals)
    a, b = _iso(silent["start"]), _iso(silent["end"])
    rows = by_station[silent["thing_or_station"]]
    assert not [t for t in rows if a <= t <= b] and (b - a) >= timedelta(hours=71)
    assert a - timedelta(hours=1) in rows and b + timedelta(hours=1) in rows


def test_sensorthings_document(sensorthings, events, districts):
    things = sensorthings["value"]
    assert {th["properties"]["district_code"] for th in things} == set(districts)
    ids = set()
    for th in things:
        assert re.fullmatch(r"SJ-(NOISE|TRAFFIC|WATER|ENERGY)-\d{3,}", th["name"])
        assert th["properties"]["domain"] in {"environment", "transport", "disaster", "energy", "safety"}
        loc = th["Locations"][0]
        assert loc["encodingType"] == "application/geo+json" and loc["location"]["type"] == "Point"
        lon, lat = loc["location"]["coordinates"]
        assert 127.0 < lon < 127.5 and 36.3 < lat < 36.8
        for ds in th["Datastreams"]:
            assert ds["name"] == f"{th['name']} {ds['ObservedProperty']['name']}"
            assert ds["unitOfMeasurement"]["symbol"]
            times = [o["phenomenonTime"] for o in ds["Observations"]]
            assert times == sorted(times) and times[0].endswith("+09:00")
            for o in ds["Observations"][:3]:
                assert o["resultTime"] == o["phenomenonTime"]
            ids.update(o["@iot.id"] for o in ds["Observations"])
    assert len(ids) == sum(len(ds["Observations"]) for th in things for ds in th["Datastreams"])
    series = {(th["name"], ds["ObservedProperty"]["name"]): ds["Observations"] for th in things for ds in th["Datastreams"]}
    st_eps = [e for e in events["sensor_episodes"] if e["source"] == "sensorthings"]
    kinds = [e["kind"] for e in st_eps]
    assert kinds.count("flood") == 4 and kinds.count("outage") == 2 and kinds.count("silence") == 2
    assert kinds.count("flatline") == 1 and kinds.count("noise_spike") >= 5 and kinds.count("traffic_incident") >= 3
    for e in st_eps:
        a, b = e["start"], e["end"]
        if e["kind"] == "silence":
            for (name, _), obs in series.items():
                if name == e["thing_or_station"]:
                    assert not [o for o in obs if a <= o["phenomenonTime"] <= b]
                    assert _iso(b) - _iso(a) >= timedelta(days=5) - timedelta(hours=1)
            continue
        span = [o["result"] for o in series[(e["thing_or_station"], e["metric"])] if a <= o["phenomenonTime"] <= b]
        assert len(span) == e["hours"]
        if e["kind"] == "flood":
            assert _iso(a).month in (7, 8) and 6 <= e["hours"] <= 48
            assert min(span) >= e["detail"]["threshold_m"] > e["detail"]["normal_m"]
        elif e["kind"] == "outage":
            assert set(span) == {0.0} and 2 <= e["hours"] <= 8
        elif e["kind"] == "flatline":
            assert len(set(span)) == 1 and e["hours"] >= 12
        elif e["kind"] == "spike":
            assert span[0] == e["detail"]["value"]
            if e["metric"] == "noise":
                assert span[0] > 150
        elif e["kind"] == "traffic_incident":
            assert max(span) < 20
        elif e["kind"] == "noise_spike":
            assert _iso(a).hour in (22, 23, 0, 1, 2) and 2 <= e["hours"] <= 6


def test_complaints_follow_reported_episodes(events, complaint_rows, districts):
    responses = events["complaint_responses"]
    unreported = set(events["unreported_episode_ids"])
    episodes = {e["id"]: e for e in events["sensor_episodes"]}
    reportable = {i for i, e in episodes.items() if e["kind"] in REPORTABLE}
    reported = {r["episode_id"] for r in responses}
    assert reported | unreported == reportable and not (reported & unreported)
    assert unreported, "some episodes must stay unreported"
    parsed = []
    for r in complaint_rows:
        try:
            parsed.append((datetime.strptime(r["접수일시"], TS), r["민원분야"], r["읍면동"]))
        except ValueError:
            continue
    category_of = {"noise_spike": {"소음"}, "pm_episode": {"미세먼지"}, "flood": {"침수", "배수불량"}, "outage": {"정전"},
                   "traffic_incident": {"교통신호", "대중교통"}}
    for ep_id in reported:
        e = episodes[ep_id]
        start = _iso(e["start"])
        mine = [r for r in responses if r["episode_id"] == ep_id]
        assert any(r["district_code"] == e["district_code"] for r in mine)
        for r in mine:
            assert r["category"] in category_of[e["kind"]]
            first = _iso(r["first_report_at"])
            assert first > start and abs((first - start).total_seconds() / 3600 - r["lag_hours"]) < 0.01
        name = districts[e["district_code"]]["name_ko"]
        hits = [t for t, c, d in parsed if d == name and c in category_of[e["kind"]] and start < t <= start + timedelta(hours=13)]
        assert hits, f"no complaint after {ep_id}"
    for b in events["complaint_bursts"]:
        name = districts[b["district_code"]]["name_ko"]
        a, z = _iso(b["start"]), _iso(b["end"])
        n = sum(1 for t, c, d in parsed if d == name and c == b["category"] and a <= t <= z)
        assert n >= b["count"] and (z - a) <= timedelta(hours=48)


def test_complaint_volume_follows_population(complaint_rows, districts):
    counts = {d["name_ko"]: 0 for d in districts.values()}
    for r in complaint_rows:
        if r["읍면동"]:
            counts[r["읍면동"]] += 1
    names = sorted(counts)
    pop = [float(next(d["population"] for d in districts.values() if d["name_ko"] == n)) for n in names]
    vol = [float(counts[n]) for n in names]

    def ranks(xs):
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        r = [0.0] * len(xs)
        i = 0
        while i < len(xs):
            j = i
            while j + 1 < len(xs) and xs[order[j + 1]] == xs[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return r

    rp, rv = ranks(pop), ranks(vol)
    mp, mv = sum(rp) / len(rp), sum(rv) / len(rv)
    cov = sum((a - mp) * (b - mv) for a, b in zip(rp, rv, strict=True))
    rho = cov / (sum((a - mp) ** 2 for a in rp) * sum((b - mv) ** 2 for b in rv)) ** 0.5
    assert rho > 0.7, rho


def test_events_schema(events):
    assert events["seed"] == SEED and events["scale"] == SCALE
    assert events["period"]["start"] == "2025-01-01T00:00:00+09:00" and events["period"]["end"] == "2026-01-01T00:00:00+09:00"
    for e in events["sensor_episodes"]:
        assert {"id", "kind", "source", "thing_or_station", "metric", "district_code", "start", "end"} <= set(e)
        assert e["source"] in {"air", "sensorthings"}
        assert e["start"] <= e["end"] and e["start"].endswith("+09:00")
    for r in events["complaint_responses"]:
        assert set(r) == {"episode_id", "category", "district_code", "count", "first_report_at", "lag_hours"}
        assert r["count"] >= 1
    assert len(events["complaint_bursts"]) == 3
    for d in events["data_defects"]:
        assert set(d) == {"file", "line", "kind", "detail"} and d["line"] >= 1
