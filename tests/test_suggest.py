"""warehouse/suggest.py: the profile a file's header fits, on real and fixture files, and saved profiles.

Expected matches are read off the files' headers and the profiles' [columns] by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.errors import ProfileError
from warehouse.profile import BUILTIN_DIR, load_profile
from warehouse.sniff import header, sniff
from warehouse.suggest import candidates, suggest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = FIXTURES / "real"


@pytest.fixture(autouse=True)
def _no_saved_profiles(monkeypatch, tmp_path):
    """Only what a test saves itself: never the installation's data/profiles."""
    monkeypatch.setenv("WAREHOUSE_PROFILES_DIR", str(tmp_path / "profiles"))


def _ranked(path: Path, dataset: str | None = None):
    found = sniff(path.read_bytes(), path.name)
    return suggest(header(found), dataset=dataset, family=found.family)


@pytest.mark.parametrize(("path", "best"), [
    (REAL / "seoul_daily_air_2018_cp949.csv", "airkorea"),
    (REAL / "la311_2018_sample.csv", "socrata311"),
    (FIXTURES / "open311_bloomington_requests.csv", "open311_csv"),
    (REAL / "open311_bloomington_requests.json", "open311"),
    (FIXTURES / "kr_minwon_sample_cp949.csv", "kr_minwon"),
    (FIXTURES / "kr_minwon_sample_utf8bom.csv", "kr_minwon"),
    (FIXTURES / "airkorea_hourly_sample.csv", "airkorea"),
    (FIXTURES / "sensorthings_observations.json", "sensorthings"),
    (FIXTURES / "complaints_canonical.csv", "complaints_csv"),
    (FIXTURES / "sensors_canonical.csv", "sensors_csv"),
    (REAL / "seoul_measurement_long_2017_sample_noheader.csv", "seoul_long"),
])
def test_best_profile(path, best):
    ranked = _ranked(path)
    assert ranked[0].name == best and ranked[0].fits
    assert len(ranked) == 9  # every built-in is scored


def test_air_file_matches_and_misses():
    top = _ranked(REAL / "seoul_daily_air_2018_cp949.csv")[0]
    assert top.matched == {
        "measured_at": "측정일시", "station": "측정소명", "district": "측정소명",
        "metric:pm10": "미세먼지농도(㎍/㎥)", "metric:pm25": "초미세먼지농도(㎍/㎥)", "metric:o3": "오존농도(ppm)",
        "metric:no2": "이산화질소농도(ppm)", "metric:co": "일산화탄소농도(ppm)", "metric:so2": "아황산가스농도(ppm)",
    }
    assert top.missing == [] and top.unmatched == ["lat", "lon"]
    assert top.share == pytest.approx(9 / 11)
    # it is no complaint export: no complaint profile fits
    assert not any(s.fits for s in _ranked(REAL / "seoul_daily_air_2018_cp949.csv", dataset="complaints"))


def test_bloomington_csv_fits_two_profiles_and_open311_csv_matches_more():
    ranked = _ranked(FIXTURES / "open311_bloomington_requests.csv")
    # open311_csv: 10 of its 11 fields (no expected_datetime); socrata311 knows the same names for 8 of 13
    assert [(s.name, s.fits, len(s.matched)) for s in ranked[:2]] == [("open311_csv", True, 10), ("socrata311", True, 8)]
    assert ranked[0].unmatched == ["due_at"]
    # the JSON twin of the profile reads JSON, not this CSV
    json_twin = next(s for s in ranked if s.name == "open311")
    assert len(json_twin.matched) == 10 and not json_twin.format_ok and not json_twin.fits


def test_la311_missing_required_field_is_named():
    found = sniff((REAL / "la311_2018_sample.csv").read_bytes(), "la.csv")
    cols = [c for c in header(found) if c != "Status"]
    top = next(s for s in suggest(cols, family="delimited") if s.name == "socrata311")
    assert top.missing == ["status"] and not top.fits


def test_saved_profile_is_suggested_and_loaded_by_name(monkeypatch, tmp_path):
    saved = tmp_path / "profiles"
    saved.mkdir()
    (saved / "district_office.toml").write_text(
        'dataset = "complaints"\nrequired = ["source_id", "requested_at"]\n'
        '[columns]\nsource_id = "No."\nrequested_at = "Reg. Date"\ntitle = "Subject"\n', encoding="utf-8")
    (saved / "broken.toml").write_text("dataset = ", encoding="utf-8")
    (saved / "airkorea.toml").write_text('dataset = "sensors"\n', encoding="utf-8")
    profiles, problems = candidates()
    assert [p.name for p, is_saved in profiles if is_saved] == ["district_office"]
    assert len(problems) == 2
    assert "airkorea.toml: named like a built-in profile, ignored" in problems[0]
    assert "broken.toml: not valid TOML" in problems[1]

    ranked = suggest(["No.", "Reg. Date", "Subject", "Tel"], profiles=profiles)
    assert (ranked[0].name, ranked[0].saved, ranked[0].fits) == ("district_office", True, True)
    assert ranked[0].matched == {"source_id": "No.", "requested_at": "Reg. Date", "title": "Subject"}

    # the CLI's --profile NAME finds it; a built-in name still means the built-in
    assert load_profile("district_office").path == saved / "district_office.toml"
    assert load_profile("airkorea").path == BUILTIN_DIR / "airkorea.toml"
    with pytest.raises(ProfileError, match="no profile 'nope'.*saved in .*: broken, district_office"):
        load_profile("nope")


def test_dataset_filter():
    names = {s.name for s in _ranked(FIXTURES / "kr_minwon_sample_cp949.csv", dataset="sensors")}
    assert names == {"airkorea", "seoul_long", "sensorthings", "sensors_csv"}
