"""The mapping editor of the upload section: a hand-made export with odd headers → a saved profile TOML →
the CLI ingests the same file with `--profile <name>`. Also the small TOML writer and its name rules.

The upload section runs alone (AppTest.from_function) on a warehouse path that does not exist yet; the
profiles folder and the uploads folder are in tmp_path. Expected counts are worked out below each file.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest
from helpers_warehouse import cli, query
from streamlit.testing.v1 import AppTest

from warehouse.errors import ProfileError
from warehouse.profile import load_profile
from warehouse.profile_writer import name_problem, profile_doc, save_profile, to_toml

# A district office's complaint list (CP949): dotted dates, its own column names, a phone column.
# Counted by hand: 6 rows; D-3's status 보류 is left unmapped and D-5's date 2025/03/07 is not in the chosen
# format, so read 6 = loaded 4 (D-1, D-2, D-4, D-6) + quarantined 2.
OFFICE = (
    "No.,Reg. Date,Subject,Progress,Done,Dong,Tel\n"
    "D-1,2025.03.04 09:10,가로등 고장,완료,2025.03.05 17:00,보람동,010-1234-5678\n"
    "D-2,2025.03.04 11:00,불법 주차,진행중,,아름동,\n"
    "D-3,2025.03.05 08:30,하수구 악취,보류,,도담동,\n"
    'D-4,2025.03.06 14:00,"소음, 공사장",접수,,한솔동,\n'
    "D-5,2025/03/07,쓰레기 무단투기,완료,2025.03.08 10:00,새롬동,\n"
    'D-6,2025.03.07 09:00,"따옴표 ""주의"" 표지판",진행중,,보람동,\n'
).encode("cp949")

# A wide sensor export with units in the headers. Readings counted by hand: line 2 → 3; line 3 → pm10 and
# noise (NO2 '-' is missing: no reading); line 4 → no2 (PM empty), noise 'abc' quarantined; line 5 → 3.
# read 10 = loaded 9 + quarantined 1. NO2 is in ppb: 21 ppb is stored as 0.021 ppm.
STATIONS = (
    "시각,지점,PM-10 (ug/m3),NO2 (ppb),소음(dB),비고\n"
    "2025-03-04 09:00,세종-01,35,21,55.5,\n"
    "2025-03-04 10:00,세종-01,40,-,57,점검\n"
    "2025-03-04 11:00,세종-01,,18,abc,\n"
    "2025-03-04 09:00,세종-02,12,9,48,\n"
).encode()


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "ui.duckdb"))
    monkeypatch.setenv("WAREHOUSE_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("WAREHOUSE_PROFILES_DIR", str(tmp_path / "profiles"))
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    return tmp_path


def _upload_section() -> None:
    from ui import upload

    upload.render()


def _open(name: str, data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_function(_upload_section, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at, f"pe_{hashlib.sha256(data).hexdigest()[:8]}_"


def _select(at: AppTest, label: str, value) -> None:
    next(s for s in at.selectbox if s.label == label).set_value(value)


def test_complaint_mapping_saved_and_accepted_by_the_cli(env):
    at, p = _open("office.csv", OFFICE)
    # no built-in profile fits: the editor opens by itself
    assert [i.value for i in at.info] == ["No profile fits this file. Map its columns onto our fields to make a new profile."]
    assert at.radio(key=p + "dataset").value == "complaints"
    for field, column in {"source_id": "No.", "requested_at": "Reg. Date", "status": "Progress", "closed_at": "Done",
                          "title": "Subject", "district": "Dong"}.items():
        at.selectbox(key=p + f"complaints_long_{field}").set_value(column)
    at.selectbox(key=p + "format").set_value("%Y.%m.%d %H:%M")
    at.run()
    assert ("4 of the first 5 values of 'Reg. Date' read with this format: "
            "2025.03.04 09:10, 2025.03.04 11:00, 2025.03.05 08:30, 2025.03.06 14:00, 2025/03/07") in [c.value for c in at.caption]
    # the status column's values, most frequent first; 완료 and 접수 are known words, the others start unmapped
    status = {s.label: s.value for s in at.selectbox if s.key.startswith(p + "status_")}
    assert status == {"완료": "closed", "진행중": None, "보류": None, "접수": "open"}
    _select(at, "진행중", "in_progress")
    at.text_input(key=p + "name").input("Office!")
    at.button(key=p + "save").click().run()
    assert [e.value for e in at.error] == ["a profile name uses only a-z, 0-9 and _ (e.g. district_office)"]
    at.text_input(key=p + "name").input("airkorea")
    at.button(key=p + "save").click().run()
    assert [e.value for e in at.error] == ["'airkorea' is a built-in profile: choose another name"]
    at.text_input(key=p + "name").input("district_office")
    at.button(key=p + "save").click().run()
    assert not at.exception and not at.error

    saved = env / "profiles" / "district_office.toml"
    assert tomllib.loads(saved.read_text(encoding="utf-8")) == {
        "name": "district_office", "dataset": "complaints", "description": "mapping made from office.csv",
        "source": "district_office", "required": ["source_id", "requested_at", "status"],
        "file": {"format": "csv", "encoding": "auto", "delimiter": ",", "header": True},
        "columns": {"closed_at": "Done", "district": "Dong", "requested_at": "Reg. Date", "source_id": "No.",
                    "status": "Progress", "title": "Subject"},
        "timestamps": {"formats": ["%Y.%m.%d %H:%M"], "timezone": "Asia/Seoul"},
        "missing": {"values": ["", "-"]},
        "values": {"status": {"완료": "closed", "진행중": "in_progress", "접수": "open"}},
    }
    # the page picks the new profile and previews the batch with it
    assert next(s.value for s in at.selectbox if s.key.startswith("upload_profile_")) == "district_office"
    assert at.success[0].value.startswith(f"Profile 'district_office' saved: {saved}. CLI: python -m warehouse ingest complaints ")
    assert "Preview: rows read **6** = valid **4** + to quarantine **2** · duplicates within the file 0" in [m.value for m in at.markdown]

    # the CLI accepts the same file with the saved profile, by name
    kept = next((env / "raw" / "uploads").glob("*/office.csv"))
    db = env / "cli.duckdb"
    done = cli("ingest", "complaints", kept, "--profile", "district_office", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "read 6 = loaded 4 + updated 0 + duplicates 0 + quarantined 2" in done.stdout
    assert query(db, "select source_id, status, district_code from fct_complaints order by 1").rows() == [
        ("D-1", "closed", "3611010300"), ("D-2", "in_progress", "3611011300"), ("D-4", "open", "3611010600"),
        ("D-6", "in_progress", "3611010300"),
    ]
    assert query(db, "select title from fct_complaints where source_id = 'D-6'").item() == '따옴표 "주의" 표지판'
    assert query(db, "select line, field, reason from quarantine order by line").rows() == [
        (4, "status", "unknown status '보류' (known: 완료, 접수, 진행중)"),
        (6, "requested_at", "unparseable or out-of-range timestamp '2025/03/07' (formats: %Y.%m.%d %H:%M; years 1990–2100)"),
    ]
    # the phone column was never mapped: no table holds the number
    assert "1234-5678" not in str(query(db, "select * from fct_complaints").rows())

    # and the upload page loads it too
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert at.success[0].value == "Batch 1 loaded: 6 rows read = 4 loaded + 0 updated + 0 duplicate + 2 quarantined"


def test_wide_sensor_mapping_with_units_in_the_headers(env):
    at, p = _open("stations.csv", STATIONS)
    at.radio(key=p + "dataset").set_value("sensors").run()
    assert at.radio(key=p + "layout").value == "wide"
    at.selectbox(key=p + "sensors_wide_measured_at").set_value("시각")
    at.selectbox(key=p + "sensors_wide_station").set_value("지점")
    at.selectbox(key=p + "format").set_value("%Y-%m-%d %H:%M")
    at.run()
    # metric columns, catalogue metric and unit are guessed from the header
    assert at.multiselect(key=p + "metric_columns").value == ["PM-10 (ug/m3)", "NO2 (ppb)", "소음(dB)"]
    assert {s.label: s.value for s in at.selectbox if s.key.startswith(p + "metric_")} == {
        "PM-10 (ug/m3) → metric": "pm10", "NO2 (ppb) → metric": "no2", "소음(dB) → metric": "noise"}
    assert [t.value for t in at.text_input if t.key.startswith(p + "unit_")] == ["µg/m³", "ppb", "dB"]
    at.text_input(key=p + "name").input("station_air")
    at.button(key=p + "save").click().run()
    assert not at.exception and not at.error

    doc = tomllib.loads((env / "profiles" / "station_air.toml").read_text(encoding="utf-8"))
    assert doc["sensor"] == {"layout": "wide"} and doc["required"] == ["measured_at", "station"]
    assert doc["metrics"] == {"pm10": {"columns": ["PM-10 (ug/m3)"], "unit": "µg/m³"},
                              "no2": {"columns": ["NO2 (ppb)"], "unit": "ppb"}, "noise": {"columns": ["소음(dB)"], "unit": "dB"}}
    assert "Preview: rows read **10** = valid **9** + to quarantine **1** · duplicates within the file 0" in [m.value for m in at.markdown]

    kept = next((env / "raw" / "uploads").glob("*/stations.csv"))
    db = env / "cli.duckdb"
    done = cli("ingest", "sensors", kept, "--profile", "station_air", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "read 10 = loaded 9 + updated 0 + duplicates 0 + quarantined 1" in done.stdout
    assert query(db, "select sensor_id, metric, round(value, 9), unit from fct_sensor_readings "
                     "where measured_at = '2025-03-04 09:00+09' order by 1, 2").rows() == [
        ("station_air:세종-01", "no2", 0.021, "ppm"), ("station_air:세종-01", "noise", 55.5, "dB"),
        ("station_air:세종-01", "pm10", 35.0, "µg/m³"), ("station_air:세종-02", "no2", 0.009, "ppm"),
        ("station_air:세종-02", "noise", 48.0, "dB"), ("station_air:세종-02", "pm10", 12.0, "µg/m³"),
    ]
    assert query(db, "select line, field, reason from quarantine").rows() == [(4, "value", "not a number: 'abc'")]


def test_toml_writer_escapes_keys_and_values():
    doc = {
        "name": "x", "description": 'quote " back\\slash\ttab\nnew line \x01 \x7f 한글',
        "list": ["a", 'b"', 1, 2.5, True],
        "values": {"status": {"진행 중": "in_progress", 'say "done"': "closed", "a.b": "open", "": "open"}},
        "metrics": {"pm10": {"columns": ["PM10 [µg/m³]"], "unit": "µg/m³"}},
    }
    text = to_toml(doc)
    assert tomllib.loads(text) == doc
    assert '\n[values.status]\n"진행 중" = "in_progress"\n"say \\"done\\"" = "closed"\n"a.b" = "open"\n"" = "open"\n' in text
    assert "\\u0001 \\u007F" in text


def test_names_and_incomplete_mappings(env):
    assert name_problem("district_office") is None
    assert name_problem("Office") and name_problem("") and name_problem("../x") and name_problem("a b")
    assert name_problem("socrata311") == "'socrata311' is a built-in profile: choose another name"
    base = dict(name="mine", dataset="complaints", timestamp_formats=["iso"], timezone="Asia/Seoul")
    with pytest.raises(ProfileError, match="requested_at missing"):
        profile_doc(columns={"source_id": "id", "status": "s"}, **base)
    with pytest.raises(ProfileError, match="not done"):
        profile_doc(columns={"source_id": "id", "requested_at": "t", "status": "s"}, status_map={"x": "done"}, **base)
    doc = profile_doc(columns={"source_id": "id", "requested_at": "t"}, **base)
    assert doc["required"] == ["source_id", "requested_at"]  # no status column: the status check is off
    path = save_profile(doc)
    assert path == env / "profiles" / "mine.toml" and load_profile("mine").columns == {"source_id": ["id"], "requested_at": ["t"]}
    with pytest.raises(ProfileError, match="exists already"):
        save_profile(doc)
    assert save_profile({**doc, "description": "again"}, overwrite=True) == path
    assert load_profile("mine").description == "again"
    assert sorted(p.name for p in (env / "profiles").iterdir()) == ["mine.toml"]  # no staging leftovers
