"""The warehouse's guarantees, one test (or a few) each, on small hand-made exports.

Dates used below (see data/cities/sejong/holidays.csv): 2025-03-03 is 대체공휴일(삼일절); 2025-10-03
개천절, 10-05..10-08 추석 and its substitute, 10-09 한글날. Asia/Seoul is UTC+9 all year (no DST).
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest
from helpers_warehouse import (
    AIRKOREA_COLUMNS,
    CHECKS_DIR,
    FIXTURES,
    ROOT,
    assert_all_batches_balanced,
    cli,
    cli_env,
    ingest,
    query,
    run_check,
    scalar,
    sha256,
    table,
    tmp_copies,
    write_airkorea,
    write_csv,
    write_minwon,
)
from polars.testing import assert_frame_equal

from warehouse import build, partitions, store
from warehouse.check import run_checks
from warehouse.profile import load_profile
from warehouse.reference import load_city

KST = ZoneInfo("Asia/Seoul")
UTC = dt.UTC
COMPLAINT_MARTS = ["fct_complaints", "agg_complaints_daily"]
SENSOR_MARTS = ["fct_sensor_readings", "agg_sensor_hourly", "agg_sensor_daily", "dim_sensor"]
SENSORS_LONG = "sensors_csv"  # the built-in canonical long sensor CSV


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


def row(source_id, requested, status="접수", **extra) -> dict:
    """A kr_minwon record: 고충민원 / 불법주정차 / 아름동 / 모바일앱 unless `extra` says otherwise."""
    base = {
        "접수번호": source_id, "접수일시": requested, "민원구분": "고충민원", "민원분야": "불법주정차",
        "민원제목": "불법주차 신고", "민원내용": "아파트 앞 불법주차", "처리상태": status,
        "읍면동": "아름동", "신청경로": "모바일앱", "민원인번호": f"R-{source_id}",
    }
    keys = {"closed": "처리일시", "due": "처리기한", "kind": "민원구분", "category": "민원분야", "title": "민원제목",
            "text": "민원내용", "district": "읍면동", "channel": "신청경로", "reporter": "민원인번호", "lat": "위도", "lon": "경도"}
    base.update({keys[k]: v for k, v in extra.items()})
    return base


# Five complaints over three days. M-001 and M-002 share a rollup group (2025-03-03, 아름동, transport,
# 불법주정차, complaint, app): received 2, closed 1 (M-002).
BASE = [
    row("M-001", "2025-03-03 10:00:00"),
    row("M-002", "2025-03-03 14:30:00", "처리완료", closed="2025-03-04 09:00:00", reporter="R-1001"),
    row("M-003", "2025-03-04 09:15:00", "처리중", kind="제안", category="대중교통", title="버스 노선 제안",
        district="보람동", channel="홈페이지", reporter="R-1001"),
    row("M-004", "2025-03-05 18:00:00", "처리완료", closed="2025-03-06 12:00:00", category="소음",
        title="공사 소음", district="도담동", channel="전화"),
    row("M-005", "2025-03-05 20:00:00", "답변완료", closed="2025-03-06 10:00:00", kind="질의", category="행정",
        title="서류 문의", district="조치원읍", channel="방문"),
]
# M-001 closed (접수 → 처리완료 with a 처리일시); everything else as in BASE.
UPDATED = [row("M-001", "2025-03-03 10:00:00", "처리완료", closed="2025-03-05 11:00:00")] + BASE[1:]

# AirKorea hourly: 6 lines × 3 pollutants = 18 readings; hour 24 is midnight of the next day.
AIR_BASE = [
    ["2025010122", "아름동", "35", "18", "0.021"],
    ["2025010123", "아름동", "40", "20", "0.030"],
    ["2025010124", "아름동", "42", "21", "0.031"],
    ["2025010201", "아름동", "44", "22", "0.032"],
    ["2025010123", "보람동", "30", "15", "0.025"],
    ["2025010124", "보람동", "31", "16", "0.026"],
]
# one value changed: 아름동 PM10 at 2025-01-02 01:00 KST, 44 → 48
AIR_UPDATED = [r if r[:2] != ["2025010201", "아름동"] else ["2025010201", "아름동", "48", "22", "0.032"] for r in AIR_BASE]


def copy_db(src: Path, dest: Path) -> Path:
    return store.copy(src, dest)


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A warehouse with BASE complaints and AIR_BASE readings (tests copy it, never change it)."""
    folder = tmp_path_factory.mktemp("base")
    db = folder / "base.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_REPORTER_KEY", "test-reporter-key")
        mp.setenv("WAREHOUSE_CITY", "sejong")
        ingest("complaints", write_minwon(folder / "minwon.csv", BASE), "kr_minwon", db)
        ingest("sensors", write_airkorea(folder / "air.csv", AIR_BASE), "airkorea", db)
    return db


def marts(db: Path, names: list[str]) -> dict[str, pl.DataFrame]:
    return {name: table(db, name) for name in names}


def assert_same_marts(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].height > 0, name
        assert a[name].equals(b[name]), f"{name} differs:\n{a[name]}\n{b[name]}"
        assert_frame_equal(a[name], b[name], check_exact=True)


# 1. Idempotent ---------------------------------------------------------------------------------------


def test_idempotent_complaints(tmp_path):
    db, path = tmp_path / "w.duckdb", write_minwon(tmp_path / "minwon.csv", BASE)
    first = ingest("complaints", path, "kr_minwon", db)
    assert (first.rows_read, first.rows_loaded) == (5, 5)
    before = marts(db, COMPLAINT_MARTS)
    second = ingest("complaints", path, "kr_minwon", db)
    assert (second.rows_loaded, second.rows_updated, second.rows_quarantined) == (0, 0, 0)
    assert second.rows_duplicate == second.rows_read == 5
    assert_same_marts(before, marts(db, COMPLAINT_MARTS))


def test_idempotent_airkorea(tmp_path):
    db, path = tmp_path / "w.duckdb", write_airkorea(tmp_path / "air.csv", AIR_BASE)
    first = ingest("sensors", path, "airkorea", db)
    assert (first.rows_read, first.rows_loaded) == (18, 18)  # 6 lines × 3 pollutants
    before = marts(db, SENSOR_MARTS)
    second = ingest("sensors", path, "airkorea", db)
    assert (second.rows_loaded, second.rows_updated, second.rows_quarantined) == (0, 0, 0)
    assert second.rows_duplicate == second.rows_read == 18
    assert_same_marts(before, marts(db, SENSOR_MARTS))


# 2. Update in place ----------------------------------------------------------------------------------


def test_update_in_place_complaint(tmp_path, base_db):
    db = copy_db(base_db, tmp_path / "w.duckdb")
    before = table(db, "agg_complaints_daily")
    report = ingest("complaints", write_minwon(tmp_path / "updated.csv", UPDATED), "kr_minwon", db)
    assert (report.rows_loaded, report.rows_updated, report.rows_duplicate) == (0, 1, 4)
    assert scalar(db, "select count(*) from fct_complaints") == 5
    m1 = query(db, "select status, status_raw, closed_at from fct_complaints where complaint_id = 'minwon:M-001'")
    assert m1.row(0) == ("closed", "처리완료", dt.datetime(2025, 3, 5, 11, tzinfo=KST))

    after = table(db, "agg_complaints_daily")
    day = dt.date(2025, 3, 3)

    def closed_on(frame):
        return frame.filter(pl.col("day") == day)["closed"].sum()

    assert closed_on(before) == 1 and closed_on(after) == 2  # M-002, then M-002 + M-001
    assert after.filter(pl.col("day") == day)["received"].sum() == 2
    assert_frame_equal(before.filter(pl.col("day") != day), after.filter(pl.col("day") != day), check_exact=True)


def test_update_in_place_sensor_reading(tmp_path, base_db):
    db = copy_db(base_db, tmp_path / "w.duckdb")
    hourly_before, daily_before = table(db, "agg_sensor_hourly"), table(db, "agg_sensor_daily")
    report = ingest("sensors", write_airkorea(tmp_path / "air2.csv", AIR_UPDATED), "airkorea", db)
    assert (report.rows_loaded, report.rows_updated, report.rows_duplicate) == (0, 1, 17)
    assert scalar(db, "select count(*) from fct_sensor_readings") == 18
    at = dt.datetime(2025, 1, 2, 1, tzinfo=KST)
    value = query(db, "select value from fct_sensor_readings where sensor_id = 'airkorea:아름동' and metric = 'pm10'"
                      " and measured_at = $at", {"at": at}).item()
    assert value == 48.0

    hourly_after, daily_after = table(db, "agg_sensor_hourly"), table(db, "agg_sensor_daily")
    changed_hour = (pl.col("sensor_id") == "airkorea:아름동") & (pl.col("metric") == "pm10") & (pl.col("hour") == at)
    assert hourly_after.filter(changed_hour)["mean"].item() == 48.0
    assert_frame_equal(hourly_before.filter(~changed_hour), hourly_after.filter(~changed_hour), check_exact=True)
    changed_day = (pl.col("sensor_id") == "airkorea:아름동") & (pl.col("metric") == "pm10") & (pl.col("day") == at.date())
    # 2025-01-02 KST for 아름동 PM10: 00:00 (hour 24 of 01-01) = 42 and 01:00 = 44 → 48
    assert daily_before.filter(changed_day)["value_sum"].item() == 42 + 44
    assert daily_after.filter(changed_day)["value_sum"].item() == 42 + 48
    assert_frame_equal(daily_before.filter(~changed_day), daily_after.filter(~changed_day), check_exact=True)


# 3. Duplicates inside one file -----------------------------------------------------------------------


def test_duplicate_complaint_in_one_file_last_wins(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [row("U-1", "2025-03-10 09:00:00"), row("U-2", "2025-03-10 10:00:00"),
            row("U-1", "2025-03-10 09:00:00", "처리중", title="갱신된 제목")]
    report = ingest("complaints", write_minwon(tmp_path / "dup.csv", rows), "kr_minwon", db)
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate) == (3, 2, 1)
    u1 = query(db, "select status, status_raw, title from fct_complaints where complaint_id = 'minwon:U-1'")
    assert u1.row(0) == ("in_progress", "처리중", "갱신된 제목")
    assert scalar(db, "select sum(received) from agg_complaints_daily") == 2


def test_duplicate_reading_in_one_file_last_wins(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [["2025010301", "아름동", "50", "25", ""], ["2025010301", "아름동", "55", "26", ""]]
    report = ingest("sensors", write_airkorea(tmp_path / "dup.csv", rows), "airkorea", db)
    # 2 lines × (pm10, pm25); an empty ozone cell is no reading
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate) == (4, 2, 2)
    values = query(db, "select metric, value from fct_sensor_readings order by metric")
    assert values.rows() == [("pm10", 55.0), ("pm25", 26.0)]


# 4. Nothing lost (every ingest above and below also asserts it through helpers.ingest) --------------


def test_nothing_lost_in_any_batch(rich_db):
    batches = query(rich_db, "select batch_id, rows_read, rows_loaded, rows_updated, rows_duplicate,"
                             " rows_quarantined from load_batches order by batch_id")
    assert batches.height == 9  # the files of _write_rich
    assert batches["rows_quarantined"].sum() > 0 and batches["rows_updated"].sum() > 0
    for b in batches.iter_rows(named=True):
        assert b["rows_read"] == b["rows_loaded"] + b["rows_updated"] + b["rows_duplicate"] + b["rows_quarantined"], b
        stored = scalar(rich_db, "select count(*) from quarantine where batch_id = $b", {"b": b["batch_id"]})
        assert stored == b["rows_quarantined"], b
    assert_all_batches_balanced(rich_db)


# 5. Atomic -------------------------------------------------------------------------------------------

# 80,000 lines × 3 pollutants = 240,000 readings: the write (copy → merge → checkpoint → rename) takes
# ~1.5 s here, so each kill below lands inside it with margin
BIG_HOURS, BIG_STATIONS = 1000, 80
KILL_DELAYS = (0.0, 0.1, 0.3)  # seconds after the private copy appears: copying/opening, early and later merge


def write_big_airkorea(path: Path) -> Path:
    lines = [",".join(AIRKOREA_COLUMNS)]
    start = dt.datetime(2023, 1, 1)
    for h in range(BIG_HOURS):
        t = start + dt.timedelta(hours=h)
        stamp = f"{t:%Y%m%d}{t.hour + 1:02d}"  # AirKorea hours run 01..24
        lines.extend(f"{stamp},BIG{s:03d},{(h + s) % 90},{(h + s) % 40},0.0{h % 9}" for s in range(BIG_STATIONS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_killed_ingest_leaves_warehouse_intact(tmp_path, base_db):
    db = copy_db(base_db, tmp_path / "w.duckdb")
    big = write_big_airkorea(tmp_path / "big.csv")
    before_sha, before = sha256(db), marts(db, COMPLAINT_MARTS + SENSOR_MARTS)
    for delay in KILL_DELAYS:
        proc = subprocess.Popen(
            [sys.executable, "-m", "warehouse", "ingest", "sensors", str(big), "--profile", "airkorea", "--db", str(db)],
            cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        copy = db.with_name(f"{db.name}.tmp-{proc.pid}")
        deadline = time.monotonic() + 60
        while not copy.exists():
            assert proc.poll() is None, f"ingest ended before it wrote: {proc.stderr.read().decode()}"
            assert time.monotonic() < deadline, "ingest never started writing"
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL, f"ingest finished within {delay}s: the kill hit nothing"
        assert sha256(db) == before_sha, f"killed {delay}s into the write: warehouse file changed"
        assert all(r.failures == 0 for r in run_checks(db))  # opens fine, and is consistent
        assert_same_marts(before, marts(db, list(before)))
    report = ingest("sensors", big, "airkorea", db)
    assert report.rows_loaded == report.rows_read == BIG_HOURS * BIG_STATIONS * 3
    assert scalar(db, "select count(*) from fct_sensor_readings") == 18 + BIG_HOURS * BIG_STATIONS * 3
    assert tmp_copies(db) == []  # the killed writers' copies were cleared by the next writer


@pytest.mark.parametrize("fail_at", ["marts/fct_complaints.sql", "marts/agg_complaints_daily.sql", "swap"])
def test_failed_ingest_leaves_file_identical(tmp_path, base_db, monkeypatch, fail_at):
    db = copy_db(base_db, tmp_path / "w.duckdb")
    before = sha256(db)
    if fail_at == "swap":  # after commit and checkpoint, before the rename
        real_fsync = partitions.fsync

        def fail_fsync(path):
            if ".tmp-" in Path(path).name:  # the main file's copy, flushed just before the rename
                raise OSError("disk went away (test)")
            real_fsync(path)
        monkeypatch.setattr(partitions, "fsync", fail_fsync)
        expected = OSError
    else:
        real = build.run_sql_file

        def failing(con, relative, params=None):
            if relative == fail_at:
                raise RuntimeError(f"model {relative} failed (test)")
            return real(con, relative, params)

        monkeypatch.setattr(build, "run_sql_file", failing)
        expected = RuntimeError
    new = UPDATED + [row("M-900", "2025-03-07 09:00:00")]
    with pytest.raises(expected):
        build.ingest("complaints", [write_minwon(tmp_path / "new.csv", new)], "kr_minwon", db)
    assert sha256(db) == before
    assert tmp_copies(db) == []


# 6. Malformed input, through the CLI -----------------------------------------------------------------


def _random_bytes(path: Path) -> None:
    data = bytearray(random.Random(7).randbytes(4096))
    data[10] = 0  # NULs near the start, as in any binary file
    path.write_bytes(bytes(data))


def _undecodable(path: Path) -> None:
    # UTF-8 header and line 2; line 3 is CP949 bytes, which are not UTF-8
    path.write_bytes(
        "접수번호,접수일시,민원제목,처리상태\nE-1,2025-03-10 09:00:00,제목,접수\n".encode()
        + "E-2,2025-03-10 10:00:00,가로등 고장,접수\n".encode("cp949")
    )


BAD_FILES = {
    # name: (write the file, profile, text stderr must contain besides the file name)
    "empty": (lambda p: p.write_bytes(b""), "kr_minwon", ["line 1", "empty file"]),
    "png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)), "kr_minwon", ["line 1", "binary"]),
    "random_bytes": (_random_bytes, "kr_minwon", ["line 1", "binary"]),
    "wrong_profile": (lambda p: write_airkorea(p, AIR_BASE), "kr_minwon", ["line 1", "field 'source_id'", "접수번호"]),
    "missing_column": (
        lambda p: write_csv(p, ["접수번호", "접수일시", "민원제목"], [["E-1", "2025-03-10 09:00:00", "제목"]], "cp949"),
        "kr_minwon", ["line 1", "field 'status'", "처리상태"],
    ),
    "undecodable": (_undecodable, str(FIXTURES / "kr_minwon_utf8.toml"), ["line 3", "not valid utf-8"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_cli_rejects_unusable_file(tmp_path, base_db, case):
    write, profile, expected = BAD_FILES[case]
    db = copy_db(base_db, tmp_path / "w.duckdb")
    path = tmp_path / f"{case}.csv"
    write(path)
    before = sha256(db)
    result = cli("ingest", "complaints", path, "--profile", profile, "--db", db)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    for text in expected:
        assert text in result.stderr
    assert sha256(db) == before and tmp_copies(db) == []


USAGE_ERRORS = {
    # name: (dataset, profile, text stderr must contain)
    "unknown_canonical_field": ("complaints", str(FIXTURES / "unknown_field.toml"), ["unknown_field.toml", "complaint_text"]),
    "profile_of_other_dataset": ("sensors", "kr_minwon", ["kr_minwon", "complaints"]),
    "no_such_profile": ("complaints", "no_such_profile", ["no_such_profile"]),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_cli_usage_errors(tmp_path, base_db, case):
    dataset, profile, expected = USAGE_ERRORS[case]
    db = copy_db(base_db, tmp_path / "w.duckdb")
    path = write_minwon(tmp_path / "minwon.csv", BASE)
    before = sha256(db)
    result = cli("ingest", dataset, path, "--profile", profile, "--db", db)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr
    assert sha256(db) == before and tmp_copies(db) == []


def test_missing_file_of_a_batch_is_named_and_nothing_changes(tmp_path, base_db):
    # the next file is read ahead while one is parsed: a missing second file still stops the batch with its name
    db = copy_db(base_db, tmp_path / "w.duckdb")
    first = write_minwon(tmp_path / "minwon.csv", BASE)
    missing = tmp_path / "minwon_2.csv"
    before = sha256(db)
    result = cli("ingest", "complaints", first, missing, "--profile", "kr_minwon", "--db", db)
    assert result.returncode == 2, result.stderr
    assert f"no such file: {missing}" in result.stderr and "Traceback" not in result.stderr
    assert sha256(db) == before and tmp_copies(db) == []


def test_each_file_of_a_batch_is_hashed_in_order(tmp_path):
    a = write_minwon(tmp_path / "a.csv", BASE)
    b = write_minwon(tmp_path / "b.csv", BASE[:1])
    c = write_minwon(tmp_path / "c.csv", BASE[1:])
    batch = build.prepare("complaints", [a, b, c], load_profile("kr_minwon"), load_city("sejong"))
    assert batch.sha256 == [sha256(a), sha256(b), sha256(c)]
    assert batch.rows_read == 2 * len(BASE)


def test_cli_quarantines_malformed_rows(tmp_path, base_db):
    db = copy_db(base_db, tmp_path / "w.duckdb")
    head = "접수번호,접수일시,민원구분,민원분야,처리상태,읍면동"
    path = tmp_path / "malformed.csv"
    path.write_text(
        "\n".join([
            head,                                                         # line 1
            "R-1,2025-03-12 09:00:00,민원,소음,접수,아름동",              # 2 good
            "R-2,2025-03-12 10:00:00,민원,소음,접수,아름동,덤",           # 3 seven fields
            "R-3,2025-03-12 11:00:00,민원",                               # 4 three fields
            'R-4,"2025-03-12 12:00:00,민원,소음,접수,아름동',              # 5 quote never closed
            "R-5,2025-03-12 13:00:00,민원,소음,접수,아름동",              # 6 good
            "R-6,2025-03-12 14:00:00,민원,소음,처리중,아름동",            # 7 good
        ]) + "\n",
        encoding="utf-8",
    )
    result = cli("ingest", "complaints", path, "--profile", "kr_minwon", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "read 6 = loaded 3 + updated 0 + duplicates 0 + quarantined 3" in result.stdout
    bad = query(db, "select file, line, field, reason from quarantine where batch_id = 3 order by line")
    assert bad["file"].to_list() == [str(path)] * 3
    assert bad["line"].to_list() == [3, 4, 5]
    assert bad["field"].to_list() == ["(row)"] * 3
    assert all(r.startswith("malformed row") for r in bad["reason"])
    assert "7 fields" in bad["reason"][0] and "3 fields" in bad["reason"][1] and "quote" in bad["reason"][2]
    loaded = query(db, "select source_id from fct_complaints where batch_id = 3 order by source_id")["source_id"]
    assert loaded.to_list() == ["R-1", "R-5", "R-6"]
    assert_all_batches_balanced(db)


# 7. Encodings and times ------------------------------------------------------------------------------


def test_encodings_give_identical_marts(tmp_path):
    built = {}
    for encoding in ("cp949", "utf-8", "utf-8-sig"):
        folder = tmp_path / encoding
        db = folder / "w.duckdb"
        ingest("complaints", write_minwon(folder / "minwon.csv", BASE, encoding=encoding), "kr_minwon", db)
        built[encoding] = marts(db, COMPLAINT_MARTS)
    assert built["cp949"]["fct_complaints"]["title"].to_list().count("불법주차 신고") == 2
    assert_same_marts(built["cp949"], built["utf-8"])
    assert_same_marts(built["cp949"], built["utf-8-sig"])


def test_airkorea_hour_24_is_next_midnight(base_db):
    at = query(base_db, "select measured_at, strftime(measured_at, '%Y-%m-%d %H:%M') as local_text"
                        " from fct_sensor_readings where sensor_id = 'airkorea:아름동' and metric = 'pm10' and value = 42")
    assert at["measured_at"].item() == dt.datetime(2025, 1, 2, 0, 0, tzinfo=KST)
    assert at["local_text"].item() == "2025-01-02 00:00"  # the session time zone is the warehouse's
    day = query(base_db, "select day from agg_sensor_hourly where sensor_id = 'airkorea:아름동' and metric = 'pm10'"
                         " and hour = $h", {"h": dt.datetime(2025, 1, 2, tzinfo=KST)})
    assert day.item() == dt.date(2025, 1, 2)


def test_times_are_timestamptz_stored_as_instants(base_db):
    types = query(base_db, "select table_name, column_name, data_type from information_schema.columns"
                           " where data_type like '%TIMESTAMP%'")
    assert set(types["data_type"]) == {"TIMESTAMP WITH TIME ZONE"}
    cols = set(zip(types["table_name"], types["column_name"], strict=True))
    for expected in [("fct_complaints", "requested_at"), ("fct_complaints", "due_at"), ("fct_complaints", "closed_at"),
                     ("fct_sensor_readings", "measured_at"), ("agg_sensor_hourly", "hour"), ("load_batches", "started_at")]:
        assert expected in cols
    # M-001's 접수일시 2025-03-03 10:00:00 is Seoul time: 01:00 UTC
    got = query(base_db, "select requested_at, strftime(timezone('UTC', requested_at), '%Y-%m-%d %H:%M:%S') as utc_text,"
                         " epoch(requested_at) as epoch from fct_complaints where complaint_id = 'minwon:M-001'")
    assert got["requested_at"].item() == dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert got["utc_text"].item() == "2025-03-03 01:00:00"
    assert got["epoch"].item() == dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC).timestamp()


# 8. Quarantine reasons -------------------------------------------------------------------------------

AIR_BAD = [
    ["2025020101", "아름동", "-5", "20", "0.020"],    # line 2: PM10 negative
    ["2025020102", "아름동", "40", "1200", "0.030"],  # line 3: PM2.5 over 1000
    ["2025020103", "아름동", "41", "21", "0.031"],    # line 4: fine
]
SENSOR_LONG_HEADER = ["measured_at", "station", "metric", "value", "unit"]
SENSOR_LONG_ROWS = [
    ["2025-05-01 10:00", "IOT-1", "humidity", "55.5", "%"],      # line 2
    ["2025-05-01 10:00", "IOT-1", "temperature", "21.0", "°C"],  # line 3
    ["2025-05-01 11:00", "IOT-1", "humidity", "104.5", "%"],     # line 4: over 100 %
    ["2025-05-01 11:00", "IOT-1", "temperature", "22.5", "°C"],  # line 5
]
# physical lines: the header is line 1 and Q-1's 민원내용 spans lines 2–3
MINWON_BAD = [
    row("Q-1", "2025-04-01 09:00:00", text="첫째 줄\n둘째 줄"),                   # lines 2–3
    row("Q-2", "2025-04-01 10:00:00", lat="35.6812", lon="139.7671"),          # line 4: Tokyo
    row("Q-3", "2025-04-01 11:00:00", "보류"),                                 # line 5: unknown status
    row(None, "2025-04-01 12:00:00", reporter="R-Q4"),                         # line 6: no 접수번호
    row("Q-5", "2025-04-01 13:00:00", "처리중"),                               # line 7
]


def quarantined(db: Path) -> list[tuple]:
    return query(db, "select file, line, field, reason, raw_record from quarantine order by line").rows()


def test_quarantine_airkorea_out_of_range(tmp_path):
    db, path = tmp_path / "w.duckdb", write_airkorea(tmp_path / "air_bad.csv", AIR_BAD)
    report = ingest("sensors", path, "airkorea", db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (9, 7, 2)  # 3 lines × 3 pollutants
    (f1, l1, fld1, r1, raw1), (f2, l2, fld2, r2, raw2) = quarantined(db)
    assert (f1, l1, fld1) == (str(path), 2, "value") and "pm10 -5 " in r1 and '"-5"' in raw1
    assert (f2, l2, fld2) == (str(path), 3, "value") and "pm25 1200 " in r2 and '"1200"' in raw2
    kept = query(db, "select metric, count(*) as n from fct_sensor_readings group by metric order by metric")
    assert kept.rows() == [("o3", 3), ("pm10", 2), ("pm25", 2)]


def test_quarantine_sensor_humidity_over_100(tmp_path):
    db = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "iot.csv", SENSOR_LONG_HEADER, SENSOR_LONG_ROWS)
    report = ingest("sensors", path, SENSORS_LONG, db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 3, 1)
    [(file, line, field, reason, raw)] = quarantined(db)
    assert (file, line, field) == (str(path), 4, "value")
    assert "humidity 104.5 " in reason and "104.5" in raw
    kept = query(db, "select metric, value from fct_sensor_readings order by metric, value").rows()
    assert kept == [("humidity", 55.5), ("temperature", 21.0), ("temperature", 22.5)]


def test_quarantine_kr_minwon_reasons(tmp_path):
    db, path = tmp_path / "w.duckdb", write_minwon(tmp_path / "minwon_bad.csv", MINWON_BAD)
    report = ingest("complaints", path, "kr_minwon", db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 2, 3)
    rows = quarantined(db)
    assert [(f, line, fld) for f, line, fld, _, _ in rows] == [
        (str(path), 4, "lat"), (str(path), 5, "status"), (str(path), 6, "source_id"),
    ]
    (_, _, _, outside, raw_outside), (_, _, _, status, raw_status), (_, _, _, missing, _) = rows
    assert "outside" in outside and "35.6812, 139.7671" in outside and "139.7671" in raw_outside
    assert "unknown status '보류'" in status and "보류" in raw_status
    assert "missing required field source_id" in missing
    assert query(db, "select source_id from fct_complaints order by 1")["source_id"].to_list() == ["Q-1", "Q-5"]


# 9. Statutory due dates ------------------------------------------------------------------------------
# Working days count the first day and skip Saturdays, Sundays and holidays. From Thu 2025-10-02:
#   10-02 (1), [10-03 개천절, 10-04 Sat, 10-05..08 추석, 10-09 한글날], 10-10 (2), [11, 12 weekend],
#   10-13..17 (3..7) → a complaint (7 days) is due at the end of Fri 10-17 = 2025-10-18 00:00 KST;
#   10-20..24 (8..12), 10-27 (13), 10-28 (14) → a proposal (14 days) is due 2025-10-29 00:00 KST.
# From Fri 2025-10-10: 10-10 (1), 10-13..17 (2..6), 10-20 (7) → due 2025-10-21 00:00 KST.
# A 처리기한 of 2025-10-20 given by the source wins: due at the end of that day, 2025-10-21 00:00 KST.


def test_statutory_due_dates(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [
        row("S-1", "2025-10-02 09:00:00"),
        row("S-2", "2025-10-02 09:00:00", kind="제안", category="대중교통"),
        row("S-3", "2025-10-02 09:00:00", due="2025-10-20"),
        row("S-4", "2025-10-10 16:00:00"),
    ]
    ingest("complaints", write_minwon(tmp_path / "due.csv", rows), "kr_minwon", db)
    due = dict(query(db, "select source_id, due_at from fct_complaints").rows())
    assert due == {
        "S-1": dt.datetime(2025, 10, 18, 0, 0, tzinfo=KST),
        "S-2": dt.datetime(2025, 10, 29, 0, 0, tzinfo=KST),
        "S-3": dt.datetime(2025, 10, 21, 0, 0, tzinfo=KST),
        "S-4": dt.datetime(2025, 10, 21, 0, 0, tzinfo=KST),
    }


# 10. Districts ---------------------------------------------------------------------------------------
BORAM = ("36.477793", "127.289797")  # 보람동's centroid in data/cities/sejong/districts.csv
SEOUL_CITY_HALL = ("37.5665", "126.9780")


def test_districts(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [
        row("D-1", "2025-05-01 09:00:00"),                                                  # 아름동
        row("D-2", "2025-05-01 09:00:00", district=None, lat=BORAM[0], lon=BORAM[1]),
        row("D-3", "2025-05-01 09:00:00", district=None, lat=SEOUL_CITY_HALL[0], lon=SEOUL_CITY_HALL[1]),
        row("D-4", "2025-05-01 09:00:00", district="없는동"),
    ]
    ingest("complaints", write_minwon(tmp_path / "districts.csv", rows), "kr_minwon", db)
    got = {sid: (code, quality) for sid, code, quality in
           query(db, "select source_id, district_code, quality from fct_complaints").rows()}
    assert got["D-1"] == ("3611011300", None)
    assert got["D-2"] == ("3611010300", None)
    assert got["D-3"][0] is None and "outside_districts" in got["D-3"][1]
    assert got["D-4"][0] is None and "district_unmatched" in got["D-4"][1]
    assert run_check(db, "fct_complaints_district_known").height == 0


# 11. closed_before_requested -------------------------------------------------------------------------


def test_closed_before_requested(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [  # one rollup group: 2025-04-10, 아름동, environment, 소음, complaint, phone
        row("X-1", "2025-04-10 10:00:00", "처리완료", closed="2025-04-09 10:00:00", category="소음", channel="전화"),
        row("X-2", "2025-04-10 12:00:00", "처리완료", closed="2025-04-11 12:00:00", category="소음", channel="전화"),
    ]
    ingest("complaints", write_minwon(tmp_path / "closed.csv", rows), "kr_minwon", db)
    quality = dict(query(db, "select source_id, quality from fct_complaints").rows())
    assert "closed_before_requested" in quality["X-1"] and quality["X-2"] is None
    agg = query(db, "select * from agg_complaints_daily")
    assert agg.height == 1
    day = agg.row(0, named=True)
    assert (day["received"], day["closed"]) == (2, 2)      # kept in the counts
    assert day["duration_n"] == 1                            # X-2 only
    assert day["duration_days_sum"] == pytest.approx(1.0)   # 04-10 12:00 → 04-11 12:00


# 12. Checks ------------------------------------------------------------------------------------------

PII_RRN = "900101-1234567"
PII_RRN_BARE = "8503152234568"
PII_RRN_WIDE = "９００１０１－２２３４５６７"  # full-width; NFKC makes it 900101-2234567
PII_ROWS = [
    row("P-1", "2025-06-02 09:00:00", reporter="SECRET-REPORTER-1", title="연락 010 9876 5432",
        text=f"주민번호 {PII_RRN} 연락처 010-1234-5678 메일 kim.minsu@example.com"),
    row("P-2", "2025-06-02 10:00:00", reporter="SECRET-REPORTER-2", text=f"본인 {PII_RRN_WIDE} 입니다"),
    row("P-3", "2025-06-02 11:00:00", "보류", reporter="SECRET-REPORTER-3", text=f"번호 {PII_RRN_BARE}"),  # quarantined
]


MIXED_ROWS = [  # flags, districts, due dates and an in-file duplicate (S-2) in one more batch
    row("X-1", "2025-04-10 10:00:00", "처리완료", closed="2025-04-09 10:00:00"),
    row("D-3", "2025-05-01 09:00:00", district=None, lat=SEOUL_CITY_HALL[0], lon=SEOUL_CITY_HALL[1]),
    row("D-4", "2025-05-01 09:00:00", district="없는동"),
    row("S-2", "2025-10-02 09:00:00", kind="제안", due="2025-10-20"),
    row("S-2", "2025-10-02 09:00:00", "처리완료", kind="제안", closed="2025-10-31 18:00:00"),
]
REPORTERS = {r["민원인번호"] for r in BASE + UPDATED + MINWON_BAD + PII_ROWS + MIXED_ROWS}


def _write_rich(folder: Path) -> list[tuple[str, Path, str | Path]]:
    return [
        ("complaints", write_minwon(folder / "base.csv", BASE), "kr_minwon"),
        ("complaints", write_minwon(folder / "updated.csv", UPDATED), "kr_minwon"),
        ("complaints", write_minwon(folder / "bad.csv", MINWON_BAD), "kr_minwon"),
        ("complaints", write_minwon(folder / "pii.csv", PII_ROWS, encoding="utf-8"), "kr_minwon"),
        ("complaints", write_minwon(folder / "mixed.csv", MIXED_ROWS), "kr_minwon"),
        ("sensors", write_airkorea(folder / "air.csv", AIR_BASE), "airkorea"),
        ("sensors", write_airkorea(folder / "air_updated.csv", AIR_UPDATED), "airkorea"),
        ("sensors", write_airkorea(folder / "air_bad.csv", AIR_BAD), "airkorea"),
        ("sensors", write_csv(folder / "iot.csv", SENSOR_LONG_HEADER, SENSOR_LONG_ROWS), SENSORS_LONG),
    ]


@pytest.fixture(scope="module")
def rich_db(tmp_path_factory) -> Path:
    """A warehouse built from every fixture above: updates, duplicates, quarantines, PII, both datasets."""
    folder = tmp_path_factory.mktemp("rich")
    db = folder / "rich.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_REPORTER_KEY", "test-reporter-key")
        mp.setenv("WAREHOUSE_CITY", "sejong")
        for dataset, path, profile in _write_rich(folder):
            ingest(dataset, path, profile, db)
    return db


@pytest.mark.parametrize("check", sorted(p.stem for p in CHECKS_DIR.glob("*.sql")))
def test_check_holds(rich_db, check):
    failures = run_check(rich_db, check)
    assert failures.height == 0, f"{check}:\n{failures}"


def test_broken_rule_fails_check(tmp_path, rich_db):
    db = copy_db(rich_db, tmp_path / "broken.duckdb")
    assert cli("check", "--db", db).returncode == 0
    con = duckdb.connect(str(db))
    try:  # the table has a primary key: rebuild it without one, then duplicate a complaint
        con.execute("create table fct_loose as select * from fct_complaints")
        con.execute("drop table fct_complaints")
        con.execute("alter table fct_loose rename to fct_complaints")
        con.execute("insert into fct_complaints select * from fct_complaints where complaint_id = 'minwon:M-001'")
    finally:
        con.close()
    result = cli("check", "--db", db)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL fct_complaints_unique_id" in result.stdout


# 13. Personal data -----------------------------------------------------------------------------------


def _text_cells(db: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text or text-list cell of every table and view."""
    con = store.connect(db, read_only=True)
    try:
        cols = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR' or data_type like 'VARCHAR[%' order by all"
        ).fetchall()
        cells = []
        for tbl, col in cols:
            values = con.execute(
                "select cast(struct_extract(t, $col) as varchar) from query_table($tbl) as t"
                " where struct_extract(t, $col) is not null", {"col": col, "tbl": tbl}).fetchall()
            cells.extend((tbl, col, v) for (v,) in values)
        return cells
    finally:
        con.close()


def test_personal_data_never_stored_in_clear(tmp_path, rich_db):
    # a batch lands in temp tables: the file keeps no raw layer, so also scan a warehouse whose last batch is PII_ROWS
    pii_last = tmp_path / "pii_last.duckdb"
    ingest("complaints", write_minwon(tmp_path / "bad.csv", MINWON_BAD), "kr_minwon", pii_last)
    ingest("complaints", write_minwon(tmp_path / "pii.csv", PII_ROWS), "kr_minwon", pii_last)
    stored = set(query(pii_last, "select table_name from information_schema.tables")["table_name"])
    assert "fct_complaints" in stored and not {t for t in stored if t.startswith("raw_")}
    rrn_digits = ["9001011234567", "9001012234567", PII_RRN_BARE]
    for db, must_scan in ((rich_db, {"fct_complaints", "quarantine", "load_batches", "dim_sensor"}),
                          (pii_last, {"fct_complaints", "quarantine", "load_batches"})):
        cells = _text_cells(db)
        assert must_scan <= {t for t, _, _ in cells}
        for tbl, col, value in cells:
            digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
            for rrn in rrn_digits:
                assert rrn not in digits, f"resident registration number in clear in {tbl}.{col}: {value!r}"
            for reporter in REPORTERS:
                assert reporter not in value, f"reporter id {reporter} in clear in {tbl}.{col}: {value!r}"
        # the quarantined P-3 was scanned too: its raw record is there, masked
        raw = query(db, "select raw_record from quarantine where raw_record like '%P-3%'")["raw_record"].item()
        assert "******-*******" in raw

    p1 = query(rich_db, "select title, description_masked, reporter_key from fct_complaints where source_id = 'P-1'")
    title, text, key = p1.row(0)
    assert title == "연락 ***-****-****"
    assert "***-****-****" in text and "***@***" in text and "******-*******" in text
    assert "010-1234-5678" not in text and "example.com" not in text
    assert key is not None and len(key) == 20
    p2 = query(rich_db, "select description_masked from fct_complaints where source_id = 'P-2'").item()
    assert p2 == "본인 ******-******* 입니다"


def test_reporter_keys_are_keyed_hashes(tmp_path, monkeypatch):
    rows = [row("K-1", "2025-06-03 09:00:00", reporter="SAME-PERSON"), row("K-2", "2025-06-03 10:00:00", reporter="SAME-PERSON")]
    keys = {}
    for secret in ("key-a", "key-b"):
        monkeypatch.setenv("WAREHOUSE_REPORTER_KEY", secret)
        db = tmp_path / f"{secret}.duckdb"
        ingest("complaints", write_minwon(tmp_path / f"{secret}.csv", rows), "kr_minwon", db)
        keys[secret] = query(db, "select distinct reporter_key from fct_complaints")["reporter_key"].to_list()
    assert len(keys["key-a"]) == 1 and len(keys["key-b"]) == 1  # one person, one key
    assert keys["key-a"] != keys["key-b"]  # the key is secret-dependent: not a plain hash of the id
