"""Every built-in profile against real public files (tests/fixtures/real/) or small hand-made ones.

The expected numbers were counted independently of the warehouse code (awk / the csv and json
modules / by reading the file), never copied from what an ingest printed. Where a number is not
obvious from the fixture, the comment next to it says how it was counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import tomllib
from pathlib import Path

import polars as pl
import pytest

from warehouse import store
from warehouse.build import ingest
from warehouse.profile import BUILTIN_DIR, load_profile

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = FIXTURES / "real"
KEY = "test-reporter-key"
UTC = dt.UTC

COVERED: set[str] = set()


def covers(*profiles: str):
    """Mark a test as exercising these built-in profiles (see test_every_builtin_profile_is_covered)."""
    COVERED.update(profiles)
    return lambda fn: fn


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_REPORTER_KEY", KEY)
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class Warehouse:
    """A warehouse file in tmp_path, loaded with one ingest, queried read-only in UTC."""

    def __init__(self, tmp_path: Path, name: str, dataset: str, files: list[Path], profile: str, **kw):
        self.path = tmp_path / f"{name}.duckdb"
        self.report = ingest(dataset, files, profile, self.path, **kw)
        self.con = store.connect(self.path, read_only=True, timezone="UTC")

    def one(self, query: str, params: dict | None = None):
        return self.con.execute(query, params or {}).fetchone()

    def rows(self, query: str, params: dict | None = None) -> list[tuple]:
        return self.con.execute(query, params or {}).fetchall()

    def frame(self, query: str) -> pl.DataFrame:
        return self.con.sql(query).pl()

    def counts(self, query: str) -> dict:
        return dict(self.rows(query))

    def quarantine(self) -> list[tuple]:
        return self.rows("select line, field, reason from quarantine order by line, field")

    def close(self) -> None:
        self.con.close()


@pytest.fixture
def load(tmp_path):
    opened: list[Warehouse] = []

    def _load(name: str, dataset: str, files: list[Path], profile: str, **kw) -> Warehouse:
        wh = Warehouse(tmp_path, name, dataset, files, profile, **kw)
        opened.append(wh)
        return wh

    yield _load
    for wh in opened:
        wh.close()


def balance(report) -> tuple[int, int, int, int, int]:
    return (report.rows_read, report.rows_loaded, report.rows_updated, report.rows_duplicate, report.rows_quarantined)


# ---------------------------------------------------------------------------------------------- guard


def test_every_builtin_profile_is_covered():
    """Adding a profile to warehouse/profiles/ without a test here fails."""
    on_disk = {p.stem for p in BUILTIN_DIR.glob("*.toml")}
    assert on_disk - COVERED == set(), f"profiles without a test in {Path(__file__).name}"
    assert COVERED - on_disk == set(), "tests name profiles that do not exist"


def test_every_builtin_profile_loads():
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        profile = load_profile(path.stem)
        assert profile.name == path.stem


def test_open311_json_and_csv_profiles_stay_in_step():
    """open311_csv is open311 with a CSV [file] section; everything else must stay identical."""
    a = tomllib.loads((BUILTIN_DIR / "open311.toml").read_text(encoding="utf-8"))
    b = tomllib.loads((BUILTIN_DIR / "open311_csv.toml").read_text(encoding="utf-8"))
    for key in ("name", "description", "file"):
        a.pop(key), b.pop(key)
    assert a == b


# ------------------------------------------------------------------------------------------ kr_minwon


def _minwon_reporter_key(reporter: str) -> str:
    return hmac.new(KEY.encode(), f"minwon\x1f{reporter}".encode(), hashlib.sha256).hexdigest()[:20]


@covers("kr_minwon")
def test_kr_minwon_cp949(load):
    # tests/fixtures/kr_minwon_sample_cp949.csv: 10 complaints, CRLF, CP949 (hand-made).
    wh = load("minwon", "complaints", [FIXTURES / "kr_minwon_sample_cp949.csv"], "kr_minwon")
    assert balance(wh.report) == (10, 6, 0, 0, 4)
    # line = physical line (header is line 1): rows 0006, 0007, 0008 and 0010
    q = wh.quarantine()
    assert [(line, fld) for line, fld, _ in q] == [(7, "requested_at"), (8, "status"), (9, "satisfaction"), (11, "lat")]
    assert "'2025-13-45 99:00:00'" in q[0][2]
    assert q[1][2].startswith("unknown status '보류'")
    assert q[2][2] == "satisfaction must be 1–5, not '7'"
    assert q[3][2] == "coordinates outside KR: 35.0, 140.0"

    got = {r[0]: r[1:] for r in wh.rows(
        "select source_id, kind, domain, channel, status, district_code from fct_complaints order by source_id")}
    assert got == {
        "2025-0001": ("complaint", "transport", "app", "closed", "3611011300"),    # 아름동 by name
        "2025-0002": ("inquiry", "safety", "web", "in_progress", "3611010600"),    # 한솔동
        "2025-0003": ("proposal", "environment", "epeople", "closed", "3611011400"),  # 도담동
        "2025-0004": ("complaint", "disaster", "phone", "open", "3611025000"),     # 조치원읍
        "2025-0005": ("proposal", "energy", "visit", "in_progress", None),          # no name, no point
        "2025-0009": ("complaint", "environment", "app", "closed", "3611011400"),  # 도담동's centroid
    }
    # times are Korean local time; 20250305083000 is %Y%m%d%H%M%S
    assert wh.one("select requested_at, first_response_at, closed_at from fct_complaints where source_id = '2025-0001'") == (
        utc(2025, 3, 4, 0, 15), utc(2025, 3, 4, 2, 0), utc(2025, 3, 5, 5, 30))
    assert wh.one("select requested_at from fct_complaints where source_id = '2025-0003'") == (utc(2025, 3, 4, 23, 30),)
    assert wh.one("select min(requested_at), max(requested_at) from fct_complaints") == (
        utc(2025, 3, 4, 0, 15), utc(2025, 3, 8, 4, 45))
    # a date-only 처리기한 is due at the end of that day; without one, the statutory working days
    # (inquiry 7 from Tue 03-04 → end of Wed 03-12; proposal 14 from Thu 03-06 → end of Tue 03-25;
    # complaint 7 from Sat 03-08 → counted from Mon 03-10 → end of Tue 03-18)
    due = dict(wh.rows("select source_id, due_at from fct_complaints"))
    assert due["2025-0001"] == utc(2025, 3, 11, 15)
    assert due["2025-0002"] == utc(2025, 3, 12, 15)
    assert due["2025-0005"] == utc(2025, 3, 25, 15)
    assert due["2025-0009"] == utc(2025, 3, 18, 15)
    # "1,234" with a thousands separator; 채택/불채택
    assert wh.rows("select source_id, votes, adopted from fct_complaints where kind = 'proposal' order by 1") == [
        ("2025-0003", 1234, True), ("2025-0005", 12, False)]
    # personal data masked, reporters hashed with the key
    masked = dict(wh.rows("select source_id, description_masked from fct_complaints"))
    assert masked["2025-0001"] == "아파트 정문 앞 불법주정차, 연락처 ***-****-****"
    assert masked["2025-0004"] == "주민번호 ******-******* 로 신고합니다"
    keys = dict(wh.rows("select source_id, reporter_key from fct_complaints"))
    assert keys["2025-0001"] == keys["2025-0004"] == _minwon_reporter_key("U001")
    assert wh.one("select count(distinct reporter_key) from fct_complaints") == (5,)
    assert wh.one("select quality from fct_complaints where source_id = '2025-0005'") == ("no_district",)


@covers("kr_minwon")
def test_kr_minwon_cp949_and_utf8_bom_give_identical_marts(load):
    a = load("cp949", "complaints", [FIXTURES / "kr_minwon_sample_cp949.csv"], "kr_minwon")
    b = load("bom", "complaints", [FIXTURES / "kr_minwon_sample_utf8bom.csv"], "kr_minwon")
    assert balance(a.report) == balance(b.report) == (10, 6, 0, 0, 4)
    for table in ("fct_complaints", "agg_complaints_daily", "dim_district"):
        query = f"select * from {table} order by all"
        assert a.frame(query).equals(b.frame(query)), table
    assert a.frame("select line, field, reason, raw_record from quarantine order by line").equals(
        b.frame("select line, field, reason, raw_record from quarantine order by line"))


# ------------------------------------------------------------------------------------------- airkorea


@covers("airkorea")
def test_airkorea_seoul_daily_cp949(load):
    # real: 14,637 rows × 6 pollutant columns; awk counted 85,840 non-empty cells, all numbers in the
    # catalogue's ranges, 46 station names, dates 20180101–20181231.
    wh = load("daily", "sensors", [REAL / "seoul_daily_air_2018_cp949.csv"], "airkorea")
    assert balance(wh.report) == (85_840, 85_840, 0, 0, 0)
    assert wh.one("select count(*) from dim_sensor") == (46,)
    assert wh.counts("select metric, count(*) from fct_sensor_readings group by metric") == {
        "no2": 14_386, "o3": 14_370, "co": 14_296, "so2": 14_366, "pm10": 14_207, "pm25": 14_215}
    assert wh.counts("select metric, any_value(unit) from fct_sensor_readings group by metric") == {
        "no2": "ppm", "o3": "ppm", "co": "ppm", "so2": "ppm", "pm10": "µg/m³", "pm25": "µg/m³"}
    # a day is midnight Korean time
    assert wh.one("select min(measured_at), max(measured_at) from fct_sensor_readings") == (
        utc(2017, 12, 31, 15), utc(2018, 12, 30, 15))
    # first data line: 20180101,강남구,0.034,0.009,0.6,0.006,34,22
    got = dict(wh.rows("select metric, value from fct_sensor_readings where sensor_id = 'airkorea:강남구' "
                       "and measured_at = $t", {"t": utc(2017, 12, 31, 15)}))
    assert got == {"no2": 0.034, "o3": 0.009, "co": 0.6, "so2": 0.006, "pm10": 34.0, "pm25": 22.0}
    # 365 days × 6 pollutants, no empty cell (awk)
    assert wh.one("select count(*) from fct_sensor_readings where sensor_id = 'airkorea:강남구'") == (2_190,)
    assert wh.one("select count(*) from fct_sensor_readings where quality is not null") == (0,)


@covers("airkorea")
def test_airkorea_hourly_hour_24(load):
    # tests/fixtures/airkorea_hourly_sample.csv (hand-made, UTF-8): 9 rows, 34 non-empty values;
    # 2025030124 is 2025-03-02 00:00 KST, so 신흥동's 2025030124 and 2025030200 are one reading
    # (4 duplicates); 2025030125 does not exist (4 values quarantined).
    wh = load("hourly", "sensors", [FIXTURES / "airkorea_hourly_sample.csv"], "airkorea")
    assert balance(wh.report) == (34, 26, 0, 4, 4)
    q = wh.quarantine()
    assert {(line, fld) for line, fld, _ in q} == {(10, "measured_at")} and len(q) == 4
    assert all("'2025030125'" in reason for _, _, reason in q)
    times = [r[0] for r in wh.rows(
        "select distinct measured_at from fct_sensor_readings where sensor_id = 'airkorea:아름동' order by 1")]
    assert times == [utc(2025, 3, 1, 13), utc(2025, 3, 1, 14), utc(2025, 3, 1, 15), utc(2025, 3, 1, 16)]
    assert wh.one("select value from fct_sensor_readings where sensor_id = 'airkorea:아름동' and metric = 'pm10' "
                  "and measured_at = $t", {"t": utc(2025, 3, 1, 15)}) == (48.0,)
    # 점검중 and an empty cell are no reading at all
    assert wh.one("select count(*) from fct_sensor_readings where sensor_id = 'airkorea:신흥동' and metric = 'pm10'") == (2,)
    assert wh.one("select count(*) from fct_sensor_readings where sensor_id = 'airkorea:아름동' and metric = 'pm25'") == (3,)
    # the station name is the district when the city knows it
    assert dict(wh.rows("select sensor_id, district_code from dim_sensor")) == {
        "airkorea:아름동": "3611011300", "airkorea:신흥동": None}


# --------------------------------------------------------------------------------------- sensorthings


@covers("sensorthings")
def test_sensorthings_observations_expanded(load):
    # tests/fixtures/sensorthings_observations.json (hand-made): one page of
    # Observations?$expand=Datastream($expand=Thing($expand=Locations),ObservedProperty) with an
    # @iot.nextLink; 7 observations of 3 things; #6 has result null, #7 observes "Wind direction".
    wh = load("sta", "sensors", [FIXTURES / "sensorthings_observations.json"], "sensorthings")
    assert balance(wh.report) == (7, 5, 0, 0, 2)
    assert wh.quarantine() == [(6, "value", "missing value"), (7, "metric", "unknown metric 'Wind direction'")]
    got = wh.rows("select sensor_id, metric, measured_at, value, unit from fct_sensor_readings order by all")
    assert got[:2] == [
        ("sensorthings:aq-areum", "no2", utc(2025, 3, 1, 0), pytest.approx(0.018), "ppm"),  # 18 ppb, +09:00
        ("sensorthings:aq-areum", "pm10", utc(2025, 3, 1, 0), 35.0, "µg/m³"),
    ]
    assert got[2:] == [
        ("sensorthings:aq-areum", "pm10", utc(2025, 3, 1, 1), 38.5, "µg/m³"),   # start of the interval
        ("sensorthings:noise-dodam", "noise", utc(2025, 3, 1, 0), 61.2, "dB"),  # "Sound level" in dB(A)
        ("sensorthings:traffic-7", "traffic_volume", utc(2025, 3, 1, 0, 5), 812.0, "veh/h"),
    ]
    sensors = {r[0]: r[1:] for r in wh.rows("select sensor_id, name, domain, district_code, lat, lon from dim_sensor")}
    assert sensors == {
        "sensorthings:aq-areum": ("아름동 대기측정소", "environment", "3611011300", 36.517812, 127.249723),
        "sensorthings:noise-dodam": ("도담동 소음측정기", "environment", "3611011400", 36.514417, 127.26028),
        "sensorthings:traffic-7": ("한누리대로 검지기", "transport", None, None, None),
    }


# ---------------------------------------------------------------------------------------- seoul_long

LONG = REAL / "seoul_measurement_long_2017_sample_noheader.csv"
STATIONS = REAL / "seoul_measurement_stations.csv"


def _stations() -> dict[str, dict]:
    with open(STATIONS, encoding="utf-8", newline="") as fh:
        return {r["Station code"]: r for r in csv.DictReader(fh)}


@covers("seoul_long")
def test_seoul_long_with_station_file(load, monkeypatch):
    # real: 2,100 lines = 14 hours (2017-01-01 0:00–13:00 KST) × 25 stations × 6 item codes; all
    # values numeric and in range; 10 lines have instrument status 9, the rest 0 (awk).
    monkeypatch.setenv("WAREHOUSE_CITY", "")  # no reference: district_code is the source's name
    wh = load("long", "sensors", [LONG, STATIONS], "seoul_long")
    assert balance(wh.report) == (2_100, 2_100, 0, 0, 0)
    assert wh.one("select count(*), count(distinct sensor_id) from fct_sensor_readings") == (2_100, 25)
    assert wh.counts("select metric, count(*) from fct_sensor_readings group by metric") == {
        m: 350 for m in ("so2", "no2", "co", "o3", "pm10", "pm25")}
    assert wh.counts("select metric, any_value(unit) from fct_sensor_readings group by metric") == {
        "so2": "ppm", "no2": "ppm", "co": "ppm", "o3": "ppm", "pm10": "µg/m³", "pm25": "µg/m³"}
    assert wh.one("select min(measured_at), max(measured_at) from fct_sensor_readings") == (
        utc(2016, 12, 31, 15), utc(2017, 1, 1, 4))
    # instrument status 9 → abnormal_data; 0 → no flag
    assert wh.counts("select coalesce(quality, '-'), count(*) from fct_sensor_readings group by 1") == {
        "abnormal_data": 10, "-": 2_090}
    # 2017-01-01 4:00,112,5,1.5,9
    assert wh.one("select metric, value, quality from fct_sensor_readings where sensor_id = 'seoul_air:112' "
                  "and measured_at = $t and quality is not null", {"t": utc(2016, 12, 31, 19)}) == ("co", 1.5, "abnormal_data")
    # the station file names each station and gives its district and coordinates
    stations = _stations()
    dim = {r[0]: r[1:] for r in wh.rows("select sensor_id, name, district_code, lat, lon, expected_interval_s from dim_sensor")}
    assert len(dim) == 25
    for code, row in stations.items():
        name, district, lat, lon, interval = dim[f"seoul_air:{code}"]
        assert (name, district, interval) == (row["Station name(district)"], row["Station name(district)"], 3600)
        assert (lat, lon) == (float(row["Latitude"]), float(row["Longitude"]))
    assert dim["seoul_air:101"][:2] == ("Jongno-gu", "Jongno-gu")


@covers("seoul_long")
def test_seoul_long_station_file_in_any_position_and_sejong_reference(load):
    a = load("first", "sensors", [STATIONS, LONG], "seoul_long")
    assert balance(a.report) == (2_100, 2_100, 0, 0, 0)
    # with Sejong's reference, Seoul's gu names are unknown districts: no code, coordinates kept
    assert a.one("select count(*), count(district_code), count(lat) from dim_sensor") == (25, 0, 25)
    assert a.one("select name, lat from dim_sensor where sensor_id = 'seoul_air:125'") == ("Gangdong-gu", 37.5449625)
    # without the station file a reading has only its code
    b = load("alone", "sensors", [LONG], "seoul_long")
    assert balance(b.report) == (2_100, 2_100, 0, 0, 0)
    assert b.one("select count(*), count(lat) from dim_sensor where name = replace(sensor_id, 'seoul_air:', '')") == (25, 0)


@covers("seoul_long")
def test_seoul_long_instrument_status_words(load, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        "2017-01-01 0:00,101,8,40,0\n2017-01-01 1:00,101,8,41,1\n2017-01-01 2:00,101,8,42,2\n"
        "2017-01-01 3:00,101,8,43,4\n2017-01-01 4:00,101,8,44,8\n2017-01-01 5:00,101,8,45,9\n"
        "2017-01-01 6:00,101,8,46,3\n2017-01-01 7:00,101,7,1,0\n",
        encoding="utf-8",
    )
    wh = load("status", "sensors", [path, STATIONS], "seoul_long")
    assert balance(wh.report) == (8, 7, 0, 0, 1)
    assert wh.quarantine() == [(8, "metric", "unknown metric '7'")]
    assert [r[0] for r in wh.rows("select quality from fct_sensor_readings order by measured_at")] == [
        None, "calibration", "abnormal", "power_cut", "repair", "abnormal_data", "status:3"]


# ------------------------------------------------------------------------------------------- open311

REQUESTS = REAL / "open311_bloomington_requests.json"
SERVICES = REAL / "open311_bloomington_services.json"


def _requests() -> list[dict]:
    return json.loads(REQUESTS.read_text(encoding="utf-8"))


@covers("open311")
def test_open311_bloomington_in_the_us(load):
    # real: 21 requests of 2012-05-22/23 (EDT, -04:00); 18 open, 3 closed (Yard Waste); 13 with
    # coordinates, 6 with lat/long 0 ("not geocoded"), 2 with null (json module).
    wh = load("o311us", "complaints", [REQUESTS, SERVICES], "open311", country="US")
    assert balance(wh.report) == (21, 21, 0, 0, 0)
    assert wh.one("select count(distinct complaint_id), count(lat), count(lon) from fct_complaints") == (21, 13, 13)
    assert wh.counts("select status, count(*) from fct_complaints group by 1") == {"open": 18, "closed": 3}
    assert wh.counts("select kind, count(*) from fct_complaints group by 1") == {"complaint": 21}
    # Weeds 6 + Yard Waste 3 + Graffiti; Traffic Signals 2 + 5 other street/traffic services;
    # Street Lights; iPhone App Feedback + Brain Monitor
    assert wh.counts("select domain, count(*) from fct_complaints group by 1") == {
        "environment": 10, "transport": 8, "safety": 1, "other": 2}
    assert wh.one("select min(requested_at), max(requested_at) from fct_complaints") == (
        utc(2012, 5, 22, 20, 24, 7), utc(2012, 5, 23, 19, 55, 28))
    row = wh.one("select category, agency, status, closed_at, updated_at, quality, lat, lon from fct_complaints "
                 "where source_id = '4fbd14bbb1fe2c5214000000'")
    assert row == ("Yard Waste", "Sanitation Department", "closed", utc(2012, 5, 23, 16, 47, 59),
                   utc(2012, 5, 23, 16, 47, 59), "closed_at_from_update,outside_districts", 39.139614, -86.49149)
    assert wh.counts("select quality, count(*) from fct_complaints group by 1") == {
        "outside_districts": 10, "closed_at_from_update,outside_districts": 3, "no_district": 8}


@covers("open311")
def test_open311_bloomington_without_country_is_checked_against_korea(load):
    # Open311 has no country: the Sejong warehouse's KR bounds apply, so the 13 requests with real
    # coordinates are quarantined (record numbers counted in the JSON: 2, 4–11, 13, 17, 19, 21).
    wh = load("o311kr", "complaints", [REQUESTS, SERVICES], "open311")
    assert balance(wh.report) == (21, 8, 0, 0, 13)
    q = wh.quarantine()
    assert [line for line, _, _ in q] == [2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 17, 19, 21]
    assert {fld for _, fld, _ in q} == {"lat"}
    assert all(reason.startswith("coordinates outside KR: 39.") for _, _, reason in q)
    assert q[0][2] == "coordinates outside KR: 39.146551871103, -86.485448337464"
    expected = {r["service_request_id"] for r in _requests() if not r["lat"]}  # null or 0
    assert {r[0] for r in wh.rows("select source_id from fct_complaints")} == expected


@covers("open311")
def test_open311_services_json_fills_category(load, tmp_path):
    # every request's service_code maps to its own service_name in services.json (13 codes),
    # so a feed without service_name gets the same categories back from the lookup
    reqs = _requests()
    stripped = tmp_path / "requests_without_names.json"
    stripped.write_text(json.dumps([{k: v for k, v in r.items() if k != "service_name"} for r in reqs]), encoding="utf-8")
    with_lookup = load("lk", "complaints", [SERVICES, stripped], "open311", country="US")
    assert balance(with_lookup.report) == (21, 21, 0, 0, 0)
    assert dict(with_lookup.rows("select source_id, category from fct_complaints")) == {
        r["service_request_id"]: r["service_name"] for r in reqs}
    assert with_lookup.counts("select domain, count(*) from fct_complaints group by 1") == {
        "environment": 10, "transport": 8, "safety": 1, "other": 2}
    without = load("nolk", "complaints", [stripped], "open311", country="US")
    assert without.one("select count(category), count(*) from fct_complaints") == (0, 21)
    assert without.counts("select domain, count(*) from fct_complaints group by 1") == {"other": 21}


@covers("open311_csv")
def test_open311_csv_matches_json(load):
    # tests/fixtures/open311_bloomington_requests.csv: the 21 real requests converted to CSV (same
    # keys as columns, null → empty cell; descriptions keep their CRLF inside quotes).
    csv_wh = load("o311csv", "complaints", [FIXTURES / "open311_bloomington_requests.csv"], "open311_csv", country="US")
    json_wh = load("o311json", "complaints", [REQUESTS, SERVICES], "open311", country="US")
    assert balance(csv_wh.report) == (21, 21, 0, 0, 0)
    query = "select * exclude (batch_id) from fct_complaints order by complaint_id"
    assert csv_wh.frame(query).equals(json_wh.frame(query))
    kr = load("o311csvkr", "complaints", [FIXTURES / "open311_bloomington_requests.csv"], "open311_csv")
    assert balance(kr.report) == (21, 8, 0, 0, 13)


@covers("open311_csv")
def test_open311_csv_services_lookup(load, tmp_path):
    with open(FIXTURES / "open311_bloomington_requests.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["service_request_id"]: r["service_name"] for r in rows}
    stripped = tmp_path / "requests.csv"
    with open(stripped, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "service_name": ""} for r in rows)
    wh = load("csvlk", "complaints", [stripped, FIXTURES / "open311_bloomington_services.csv"], "open311_csv", country="US")
    assert balance(wh.report) == (21, 21, 0, 0, 0)
    assert dict(wh.rows("select source_id, category from fct_complaints")) == names


# ----------------------------------------------------------------------------------------- socrata311


@covers("socrata311")
def test_socrata311_la_2018(load):
    # real: 10,000 MyLA311 requests (csv module): SRNumber unique; CreatedDate 12/27/2018 12:52:42 PM
    # – 12/31/2018 11:55:30 PM (PST, -08:00); ClosedDate empty only for Open (16) and Pending (3);
    # 23 closed before created; 5 without coordinates, all 5 among the 137 without NCName.
    wh = load("la", "complaints", [REAL / "la311_2018_sample.csv"], "socrata311")
    assert balance(wh.report) == (10_000, 10_000, 0, 0, 0)
    assert wh.one("select count(distinct complaint_id), count(closed_at), count(lat) from fct_complaints") == (10_000, 9_981, 9_995)
    assert wh.one("select min(requested_at), max(requested_at) from fct_complaints") == (
        utc(2018, 12, 27, 20, 52, 42), utc(2019, 1, 1, 7, 55, 30))
    assert wh.counts("select status_raw || '→' || status, count(*) from fct_complaints group by 1") == {
        "Closed→closed": 9_568, "Cancelled→closed": 403, "Referred Out→closed": 10, "Open→open": 16, "Pending→open": 3}
    # Call 5,062 + Voicemail 3; Self Service 1,358 + Email 24; Council's Office 13 + Fax 3
    assert wh.counts("select channel, count(*) from fct_complaints group by 1") == {
        "phone": 5_065, "app": 2_707, "web": 1_382, "staff": 830, "other": 16}
    # Bulky 4,688 + Graffiti 2,061 + Illegal Dumping 1,006 + Metal 796 + E-Waste 387 + Dead Animal 225
    # + Water Waste 12; Single 101 + Multiple 62 Streetlight; Homeless 509 + Other 148 + Feedback 5
    assert wh.counts("select domain, count(*) from fct_complaints group by 1") == {
        "environment": 9_175, "safety": 163, "other": 662}
    assert wh.counts("select agency, count(*) from fct_complaints group by 1") == {
        "BOS": 7_629, "OCB": 2_061, "BSL": 163, "ITA": 130, "LADWP": 12, "BSS": 5}
    # first data line: 1-1262691971, created 12/31/2018 11:55:30 PM, closed 01/02/2019 10:20:05 PM
    assert wh.one("select category, status, requested_at, closed_at, updated_at, channel, lat from fct_complaints "
                  "where source_id = '1-1262691971'") == (
        "Graffiti Removal", "closed", utc(2019, 1, 1, 7, 55, 30), utc(2019, 1, 3, 6, 20, 5), utc(2019, 1, 3, 6, 20, 6),
        "web", 34.2473989385)
    assert wh.counts("select quality, count(*) from fct_complaints group by 1") == {
        "district_unmatched": 9_840, "closed_before_requested,district_unmatched": 23,
        "outside_districts": 132, "no_district": 5}


# ------------------------------------------------------------------------------- canonical CSV layouts


@covers("complaints_csv")
def test_complaints_csv_canonical(load):
    # tests/fixtures/complaints_canonical.csv (hand-made): 10 rows; C-6..C-9 are bad; C-2 comes
    # twice (the later row wins).
    wh = load("cc", "complaints", [FIXTURES / "complaints_canonical.csv"], "complaints_csv")
    assert balance(wh.report) == (10, 5, 0, 1, 4)
    q = wh.quarantine()
    assert [(line, fld) for line, fld, _ in q] == [(7, "status"), (8, "kind"), (9, "adopted"), (10, "requested_at")]
    assert q[0][2] == "unknown status 'done' (known: closed, in_progress, open)"
    assert q[1][2] == "unknown kind 'request'"
    assert q[2][2] == "unknown adoption value 'maybe'"
    assert "'2025-02-30T10:00:00+09:00'" in q[3][2]
    got = {r[0]: r[1:] for r in wh.rows(
        "select source_id, kind, domain, district_code, channel, status from fct_complaints order by 1")}
    assert got == {
        "C-1": ("complaint", "transport", "3611011300", "app", "closed"),
        "C-2": ("proposal", "environment", "3611011300", "web", "in_progress"),
        "C-3": ("inquiry", "transport", "3611011400", "phone", "in_progress"),  # Dodam-dong
        "C-4": ("complaint", "other", "3611011300", "kiosk", "closed"),         # 아름동's centroid
        "C-5": ("complaint", "safety", None, "staff", "closed"),
    }
    times = {r[0]: r[1:] for r in wh.rows("select source_id, requested_at, closed_at, due_at, quality from fct_complaints")}
    assert times["C-1"] == (utc(2025, 3, 4, 0, 15), utc(2025, 3, 5, 9), utc(2025, 3, 11, 15), None)
    assert times["C-2"] == (utc(2025, 3, 4, 0, 30), None, utc(2025, 3, 21, 15), None)  # naive = KST
    assert times["C-3"][0] == utc(2025, 3, 5)
    assert times["C-4"] == (utc(2025, 3, 5, 23), utc(2025, 3, 6, 3), utc(2025, 3, 14, 15), "closed_at_from_update")
    assert times["C-5"][3] == "closed_before_requested,no_district"
    assert wh.one("select votes, first_response_at from fct_complaints where source_id = 'C-2'") == (17, utc(2025, 3, 6))
    assert wh.one("select satisfaction, agency from fct_complaints where source_id = 'C-1'") == (4, "교통과")
    assert wh.one("select description_masked from fct_complaints where source_id = 'C-3'") == ("답변은 ***@*** 으로 주세요",)


@covers("sensors_csv")
def test_sensors_csv_canonical(load):
    # tests/fixtures/sensors_canonical.csv (hand-made, UTF-8 with BOM): 9 readings; the last 4 are bad.
    wh = load("sc", "sensors", [FIXTURES / "sensors_canonical.csv"], "sensors_csv")
    assert balance(wh.report) == (9, 5, 0, 0, 4)
    assert wh.quarantine() == [
        (7, "value", "not a number: 'abc'"),
        (8, "unit", "unit 'ppm' cannot be converted for pm25"),
        (9, "value", "humidity 140 outside the plausible range 0.0–100.0 %"),
        (10, "metric", "unknown metric 'wind_speed'"),
    ]
    got = wh.rows("select sensor_id, metric, measured_at, value, unit, quality from fct_sensor_readings order by all")
    assert got == [
        ("canonical:S1", "no2", utc(2025, 3, 1, 1), pytest.approx(0.022), "ppm", "calibration"),  # 22 ppb
        ("canonical:S1", "pm10", utc(2025, 3, 1, 0), 35.0, "µg/m³", None),
        ("canonical:S1", "pm10", utc(2025, 3, 1, 1), pytest.approx(40.0), "µg/m³", None),  # 0.04 mg/m³, naive KST
        ("canonical:T1", "traffic_volume", utc(2025, 3, 1, 0), 1200.0, "veh/h", None),
        ("canonical:W1", "water_level", utc(2025, 3, 1, 0), pytest.approx(0.85), "m", None),  # 85 cm
    ]
    assert {r[0]: r[1:] for r in wh.rows("select sensor_id, name, domain, district_code from dim_sensor")} == {
        "canonical:S1": ("아름동 측정소", "environment", "3611011300"),
        "canonical:T1": ("T1", "transport", "3611011400"),       # 도담동 by name
        "canonical:W1": ("방축천 수위계", "disaster", "3611011400"),  # by point (도담동's centroid)
    }
