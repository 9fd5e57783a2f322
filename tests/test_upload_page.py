"""AppTest of the upload section of views/data.py with real files, on a COPY of the KPI fixture warehouse.

Expected counts, counted independently of the warehouse code (see tests/test_profiles_real.py): the Seoul daily
air file has 85,840 non-empty pollutant cells at 46 stations, none of them among the KPI fixture's 6 sensors; the
LA 311 sample has 10,000 requests, SRNumber unique. The KPI fixture holds 1,549 readings, 6 sensors, 38 complaints
and 3 batches (tests/fixtures/kpi/EXPECTED.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers_warehouse import query, scalar
from streamlit.testing.v1 import AppTest

from warehouse import store

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views" / "data.py")
REAL = Path(__file__).resolve().parent / "fixtures" / "real"
AIR = REAL / "seoul_daily_air_2018_cp949.csv"
LA = REAL / "la311_2018_sample.csv"


@pytest.fixture
def db(kpi_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the shared KPI warehouse (the shared one is never written), uploads kept in tmp_path."""
    copy = tmp_path / "kpi.duckdb"
    store.copy(kpi_db, copy)
    monkeypatch.setenv("WAREHOUSE_PATH", str(copy))
    monkeypatch.setenv("WAREHOUSE_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("WAREHOUSE_PROFILES_DIR", str(tmp_path / "profiles"))
    monkeypatch.delenv("WAREHOUSE_UPLOAD_LIMIT_MB", raising=False)
    return copy


def _app(role: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "en"
    if role:
        at.session_state["role"] = role
    return at.run()


def _upload(at: AppTest, path: Path, name: str | None = None, data: bytes | None = None) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name or path.name, data or path.read_bytes(), "text/csv"))
    return at.run()


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def _frame(at: AppTest, *columns: str):
    """The first table shown with these columns (st.dataframe keys are not visible to AppTest)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _frames_with(at: AppTest, *columns: str) -> list:
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


PREVIEW = ("line",)
BATCH_REPORT = ("batch_id", "rows_loaded")


def _profile_choice(at: AppTest) -> str:
    return next(s.value for s in at.selectbox if s.key and s.key.startswith("upload_profile_"))


def test_air_file_suggested_previewed_and_loaded(db, tmp_path):
    before = scalar(db, "select count(*) from fct_sensor_readings"), scalar(db, "select count(*) from dim_sensor")
    assert before == (1_549, 6)
    at = _upload(_app(), AIR)
    assert not at.exception
    assert _profile_choice(at) == "airkorea"
    assert "seoul_daily_air_2018_cp949.csv: CSV · 8 columns · 623.4 KB" in _texts(at.caption)
    assert "Preview: rows read **85,840** = valid **85,840** + to quarantine **0** · duplicates within the file 0" in _texts(at.markdown)
    assert "No row would be quarantined." in _texts(at.success)
    rows = _frame(at, *PREVIEW)
    assert len(rows) == 20
    # line 2: 20180101,강남구,0.034,0.009,0.6,0.006,34,22 (no2, o3, co, so2, pm10, pm25), in the profile's metric order
    first = rows[rows["line"] == 2]
    assert first[["sensor_id", "metric", "value", "unit"]].values.tolist() == [
        ["airkorea:강남구", "pm10", 34.0, "µg/m³"], ["airkorea:강남구", "pm25", 22.0, "µg/m³"],
        ["airkorea:강남구", "o3", 0.009, "ppm"], ["airkorea:강남구", "no2", 0.034, "ppm"],
        ["airkorea:강남구", "co", 0.6, "ppm"], ["airkorea:강남구", "so2", 0.006, "ppm"],
    ]
    assert str(first["measured_at"].iloc[0]) == "2018-01-01 00:00:00+09:00"
    # line 3: 20180101,강남대로,0.04,0.007,0.9,0.006,,17 — the empty PM10 cell is no reading
    assert rows[rows["line"] == 3]["metric"].tolist() == ["pm25", "o3", "no2", "co", "so2"]
    # nothing written before the confirmation
    assert scalar(db, "select count(*) from load_batches") == 3

    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert _texts(at.success)[0] == "Batch 4 loaded: 85,840 rows read = 85,840 loaded + 0 updated + 0 duplicate + 0 quarantined"
    report, batches = _frames_with(at, *BATCH_REPORT)[:2]  # the upload's report, then the page's batch list
    assert report[["batch_id", "source", "profile", "files", "rows_loaded"]].values.tolist() == [
        [4, "airkorea", "airkorea", "seoul_daily_air_2018_cp949.csv", 85_840],
    ]
    assert scalar(db, "select count(*) from fct_sensor_readings") == 1_549 + 85_840
    assert scalar(db, "select count(*) from dim_sensor") == 6 + 46
    assert scalar(db, "select count(*) from fct_sensor_readings where sensor_id = 'airkorea:강남구'") == 2_190
    # the rest of the page reads the new warehouse at once (cached query results were cleared)
    assert batches["batch_id"].tolist() == [4, 3, 2, 1]
    # the original bytes are kept under <raw>/uploads/<UTC time>/<name>
    kept = list((tmp_path / "raw" / "uploads").glob("*/seoul_daily_air_2018_cp949.csv"))
    assert len(kept) == 1 and kept[0].read_bytes() == AIR.read_bytes()
    stamp = dt.datetime.strptime(kept[0].parent.name, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 600

    at.run()  # a rerun shows the report again and does not offer to load the same file twice
    assert not at.exception
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert _texts(at.success)[0].startswith("Batch 4 loaded")
    assert scalar(db, "select count(*) from load_batches") == 4


def test_la311_file_loads_10000_complaints(db):
    at = _upload(_app(), LA)
    assert not at.exception
    assert _profile_choice(at) == "socrata311"
    assert "Preview: rows read **10,000** = valid **10,000** + to quarantine **0** · duplicates within the file 0" in _texts(at.markdown)
    rows = _frame(at, *PREVIEW)
    # first data line: 1-1262691971, Graffiti Removal, Closed, created 12/31/2018 11:55:30 PM (Los Angeles)
    assert rows[["source_id", "category", "status", "channel", "line"]].values.tolist()[0] == [
        "1-1262691971", "Graffiti Removal", "closed", "web", 2]
    assert str(rows["requested_at"].iloc[0]) == "2019-01-01 16:55:30+09:00"
    assert "title" in rows.columns  # the mayor's office sees (masked) complaint text
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert _texts(at.success)[0] == "Batch 4 loaded: 10,000 rows read = 10,000 loaded + 0 updated + 0 duplicate + 0 quarantined"
    assert scalar(db, "select count(*) from fct_complaints") == 38 + 10_000
    assert query(db, "select source, count(*) as n from fct_complaints group by 1 order by 1").rows() == [
        ("la311", 10_000), ("minwon", 38)]


def test_analyst_preview_has_no_complaint_text_and_investor_has_no_upload(db):
    at = _upload(_app("analyst"), LA)
    assert not at.exception
    columns = _frame(at, *PREVIEW).columns
    assert "title" not in columns and "description_masked" not in columns and "source_id" in columns

    # investors never reach the Data view (the router hides it); the section refuses them on its own as well
    at = AppTest.from_function(_upload_section, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["role"] = "investor"
    at.run()
    assert not at.exception
    assert len(at.file_uploader) == 0 and len(at.subheader) == 0


def _upload_section() -> None:
    from ui import upload

    upload.render()


def test_file_over_the_limit_gets_a_clear_message_and_is_not_kept(db, tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_UPLOAD_LIMIT_MB", "0.5")
    at = _upload(_app(), AIR)
    assert not at.exception
    # 638,366 bytes = 0.61 MB
    assert _texts(at.error) == [
        "'seoul_daily_air_2018_cp949.csv' is 0.6 MB, over the upload limit of 0.5 MB. Split the file or load it "
        "with the CLI (python -m warehouse ingest)."
    ]
    assert not (tmp_path / "raw").exists()
    assert "Rows read" not in " ".join(_texts(at.markdown))


def test_legacy_xls_is_refused_with_how_to_convert(db):
    data = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    at = _upload(_app(), AIR, name="2018.xls", data=data)
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("2018.xls, line 1: a legacy Excel 97–2003 workbook (binary .xls)")
    assert scalar(db, "select count(*) from load_batches") == 3


def test_html_disguised_as_xls_is_converted_and_suggested(db):
    rows = AIR.read_bytes().decode("cp949").splitlines()[:4]
    cells = [r.split(",") for r in rows]
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr"></head><body><table>'
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells)
            + "</table></body></html>").encode("cp949")
    at = _upload(_app(), AIR, name="대기.xls", data=page)
    assert not at.exception
    size = f"{len(page) / 1024:.1f} KB"
    assert [c for c in _texts(at.caption) if c.startswith("대기.xls")] == [f"대기.xls: HTML table → converted to CSV · 8 columns · {size}"]
    assert _profile_choice(at) == "airkorea"
    # 강남구 6 + 강남대로 5 + 강동구 6 readings
    assert "Preview: rows read **17** = valid **17** + to quarantine **0** · duplicates within the file 0" in _texts(at.markdown)
    at.button(key="upload_confirm").click().run()
    assert scalar(db, "select files from load_batches where batch_id = 4") == ["대기.xls"]


def test_stage_keeps_the_bytes_under_a_safe_name(tmp_path):
    from warehouse.upload import safe_name, stage

    assert [safe_name(n) for n in ("../../etc/passwd", "C:\\Users\\x\\대기.xls", ".hidden.csv", "", "a\x00b.csv")] == [
        "passwd", "대기.xls", "hidden.csv", "upload", "ab.csv"]
    now = dt.datetime(2025, 3, 4, 9, 10, 11, tzinfo=dt.UTC)
    data = "측정일시\t측정소명\t미세먼지\r\n20180101\t강남구\t34\r\n".encode("utf-16")  # Excel "Unicode text"
    first = stage(data, "../air.txt", tmp_path, now=now)
    second = stage(data, "air.txt", tmp_path, now=now)
    assert first.original == tmp_path / "20250304T091011Z" / "air.txt" and first.original.read_bytes() == data
    assert second.original == tmp_path / "20250304T091011Z-2" / "air.txt"
    assert first.readable == tmp_path / "20250304T091011Z" / "air.txt.tsv"
    assert first.readable.read_bytes() == "측정일시\t측정소명\t미세먼지\r\n20180101\t강남구\t34\r\n".encode()
    assert first.header == ["측정일시", "측정소명", "미세먼지"] and first.size == len(data)
