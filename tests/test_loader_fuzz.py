"""Bad input, generated: every ingest ends in a clear error or quarantined rows, never a traceback.

Hypothesis damages the real sample exports of five profiles (tests/fixtures/) — random bytes, truncation, wrong
encodings, mixed line ends, stray quotes, 1 MB cells, wrong types, impossible dates, odd JSON shapes — and runs
the real `warehouse.build.ingest` into a fresh warehouse each time. The outcome must be either
- a DataError/UsageError whose message names the file (a FileError also says the line), the warehouse unchanged, or
- a batch where read = loaded + updated + duplicates + quarantined, every quarantined row stored with its file,
  line, field and a reason.
Generation is derandomized (same examples on every run) and no example database is kept.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers_warehouse import query, sha256, tmp_copies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse import build, store
from warehouse.errors import DataError, FileError, UsageError
from warehouse.reference import load_city

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# profile: (dataset, sample file, its encoding)
SAMPLES = {
    "kr_minwon": ("complaints", "kr_minwon_sample_cp949.csv", "cp949"),
    "airkorea": ("sensors", "airkorea_hourly_sample.csv", "utf-8"),
    "complaints_csv": ("complaints", "complaints_canonical.csv", "utf-8"),
    "sensors_csv": ("sensors", "sensors_canonical.csv", "utf-8-sig"),
    "sensorthings": ("sensors", "sensorthings_observations.json", "utf-8"),
}
CSV_PROFILES = ["kr_minwon", "airkorea", "complaints_csv", "sensors_csv"]
TIME_COLUMNS = {
    "kr_minwon": ["접수일시", "최초답변일시", "처리일시", "처리기한"],
    "airkorea": ["측정일시"],
    "complaints_csv": ["requested_at", "first_response_at", "closed_at", "due_at", "updated_at"],
    "sensors_csv": ["measured_at"],
}
NUMBER_COLUMNS = {
    "kr_minwon": ["공감수", "만족도", "위도", "경도"],
    "airkorea": ["미세먼지(㎍/㎥)", "초미세먼지(㎍/㎥)", "오존(ppm)", "이산화질소(ppm)"],
    "complaints_csv": ["votes", "satisfaction", "lat", "lon"],
    "sensors_csv": ["value", "lat", "lon"],
}
# the way each profile writes a time, to build impossible ones in a shape the parser will look at
TIME_SHAPES = {
    "kr_minwon": "{Y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d}:00",
    "airkorea": "{Y:04d}{m:02d}{d:02d}{H:02d}",
    "complaints_csv": "{Y:04d}-{m:02d}-{d:02d}T{H:02d}:{M:02d}:00+09:00",
    "sensors_csv": "{Y:04d}-{m:02d}-{d:02d}T{H:02d}:{M:02d}:00",
    "sensorthings": "{Y:04d}-{m:02d}-{d:02d}T{H:02d}:{M:02d}:00Z",
}
BAD_TOKENS = [
    "", " ", "abc", "1e999", "-1e999", "NaN", "nan", "inf", "-inf", "１２", "١٢٣", "1,000", "1.2.3", "0x1F", "--", "-",
    "true", "null", "[]", "{}", "9" * 40, "-0", "1e-400", "3.5", "-1", "2147483648", "9223372036854775808", "없음",
    "0001-01-01", "2025-02-30", "2025-13-01", "2025-03-01 25:00:00", "2025-03-01T24:00:01", "2025-03-01T23:59:60",
    "20250230", "2025022925", "-2025-03-01", "2025-W09-6", "0000-00-00 00:00:00", "9999-12-31T23:59:59+14:00",
    "2025-03-01T00:00:00+99:99", "1989-12-31T23:59:59", "2101-01-01",
]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis", "euc_jp", "cp949", "utf-8",
             "utf-8-sig", "iso2022_kr", "big5", "koi8_r"]
CLEAN_ROWS = 5  # the first five data rows of every CSV sample load clean (the later ones are quarantined)
HUGE = [1_000, 65_536, 1 << 20]  # characters in one cell: the last is a 1 MB field
CHECK = settings(deadline=None, derandomize=True, database=None, max_examples=25,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


def sample(profile: str) -> bytes:
    return (FIXTURES / SAMPLES[profile][1]).read_bytes()


def sample_text(profile: str) -> str:
    return sample(profile).decode(SAMPLES[profile][2])


def sample_rows(profile: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(sample_text(profile), newline="")))


def encode(profile: str, text: str) -> bytes:
    return text.encode(SAMPLES[profile][2], errors="replace")


def write_rows(profile: str, rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return encode(profile, buf.getvalue())


# Strategies: each gives (profile, the file's bytes). ------------------------------------------------------------

profiles = st.sampled_from(list(SAMPLES))
csv_profiles = st.sampled_from(CSV_PROFILES)


@st.composite
def random_bytes(draw):
    """Pure noise, or a real header followed by noise (so the reader gets past the header)."""
    profile = draw(profiles)
    noise = draw(st.binary(max_size=2000))
    if draw(st.booleans()):
        head = sample(profile)
        noise = head[: draw(st.integers(0, min(len(head), 300)))] + noise
    return profile, noise


@st.composite
def truncated(draw):
    profile = draw(profiles)
    data = sample(profile)
    return profile, data[: draw(st.integers(0, len(data)))]


@st.composite
def wrong_encoding(draw):
    """The sample re-encoded, whole or from some line on, in an encoding the profile may not expect."""
    profile = draw(profiles)
    lines = sample_text(profile).split("\n")
    cut = draw(st.integers(0, len(lines)))
    first, rest = draw(st.sampled_from(ENCODINGS)), draw(st.sampled_from(ENCODINGS))
    data = "\n".join(lines[:cut]).encode(first, errors="replace")
    if cut < len(lines):
        data += b"\n" * bool(cut) + "\n".join(lines[cut:]).encode(rest, errors="replace")
    return profile, data


@st.composite
def mixed_line_ends(draw):
    profile = draw(profiles)
    lines = sample_text(profile).replace("\r\n", "\n").split("\n")
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    return profile, encode(profile, "".join(line + end for line, end in zip(lines, ends, strict=True)))


@st.composite
def stray_quotes(draw):
    profile = draw(profiles)
    text = sample_text(profile)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', '""', '"\n', "'", '\\"'])) + text[at:]
    return profile, encode(profile, text)


@st.composite
def huge_field(draw):
    """One cell (or a header name, or a JSON value) made 1 KB–1 MB long."""
    profile = draw(profiles)
    size = draw(st.sampled_from(HUGE))
    blob = draw(st.sampled_from(["x", "가", "9", "1.5", " ", ",", '"'])) * size
    if profile == "sensorthings":
        doc = json.loads(sample_text(profile))
        obs = doc["value"][draw(st.integers(0, len(doc["value"]) - 1))]
        obs[draw(st.sampled_from(["result", "phenomenonTime", "@iot.id"]))] = blob
        return profile, json.dumps(doc, ensure_ascii=False).encode()
    rows = sample_rows(profile)
    r = draw(st.integers(0, len(rows) - 1))
    rows[r][draw(st.integers(0, len(rows[r]) - 1))] = blob
    return profile, write_rows(profile, rows)


times = st.builds(
    dict, Y=st.sampled_from([0, 1, 999, 1989, 1990, 2025, 2100, 2101, 9999]) | st.integers(0, 99_999),
    m=st.integers(0, 13), d=st.integers(0, 32), H=st.integers(0, 25), M=st.integers(0, 61),
)


bad_values = st.one_of(
    st.sampled_from(BAD_TOKENS), st.sampled_from(BAD_TOKENS),  # twice: the known-nasty ones come up most
    st.text(max_size=12), st.floats().map(repr), st.integers().map(str),
)


@st.composite
def bad_cells(draw, columns: dict[str, list[str]], dates: bool):
    """1–6 cells of the given columns replaced by a wrong type or an impossible date, one cell per row mostly:
    a row whose only fault is the bad cell reaches the casts that follow the checks."""
    profile = draw(csv_profiles)
    rows = sample_rows(profile)
    header = rows[0]
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(1, CLEAN_ROWS))
        col = header.index(draw(st.sampled_from(columns[profile])))
        shaped = dates and draw(st.booleans())
        rows[r][col] = TIME_SHAPES[profile].format(**draw(times)) if shaped else draw(bad_values)
    return profile, write_rows(profile, rows)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node, prefix=()) -> list[tuple]:
    """Every place in a JSON document (as key/index paths)."""
    out = [prefix]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        out += _paths(child, (*prefix, key))
    return out


@st.composite
def json_shapes(draw):
    """The SensorThings sample with one place given another JSON value (a date, a type the standard does not
    allow there, a nested thing), or a whole document of random JSON."""
    if draw(st.integers(0, 4)) == 0:
        return "sensorthings", json.dumps(draw(json_values)).encode()
    doc = json.loads(sample_text("sensorthings"))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if path[-1] == "phenomenonTime" and draw(st.booleans()):
            parent[path[-1]] = TIME_SHAPES["sensorthings"].format(**draw(times))
        else:
            parent[path[-1]] = draw(json_values | st.sampled_from(BAD_TOKENS))
    return "sensorthings", json.dumps(doc, ensure_ascii=False).encode()


# The property ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    """A warehouse with the Sejong reference data and no batch; every example ingests into its own copy."""
    db = tmp_path_factory.mktemp("fuzz") / "empty.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_CITY", "sejong")
        city = load_city("sejong")
        with store.writing(db, timezone=city.timezone) as con:
            build.initialize(con, city)
    return db


def ingest_outcome(empty_db: Path, profile: str, data: bytes) -> str:
    """Ingest `data` with `profile` into a fresh copy of `empty_db`; assert the outcome is clean."""
    folder = Path(tempfile.mkdtemp(dir=empty_db.parent))
    try:
        path, db = folder / ("export.json" if profile == "sensorthings" else "export.csv"), folder / "w.duckdb"
        path.write_bytes(data)
        store.copy(empty_db, db)
        before = sha256(db)
        try:
            report = build.ingest(SAMPLES[profile][0], [path], profile, db)
        except (DataError, UsageError) as exc:
            assert str(path) in str(exc), f"the error does not name the file: {exc}"
            if isinstance(exc, FileError):
                assert exc.line is not None and exc.line >= 1 and f"line {exc.line}" in str(exc), str(exc)
            assert sha256(db) == before and tmp_copies(db) == []
            return type(exc).__name__
        parts = report.rows_loaded + report.rows_updated + report.rows_duplicate + report.rows_quarantined
        assert report.rows_read == parts, report.summary()
        stored = query(db, "select rows_read, rows_loaded, rows_updated, rows_duplicate, rows_quarantined"
                           " from load_batches where batch_id = $b", {"b": report.batch_id}).row(0)
        assert stored == (report.rows_read, report.rows_loaded, report.rows_updated, report.rows_duplicate,
                          report.rows_quarantined)
        bad = query(db, "select file, line, field, reason from quarantine where batch_id = $b", {"b": report.batch_id})
        assert bad.height == report.rows_quarantined
        for row in bad.iter_rows(named=True):
            assert row["file"] == str(path) and row["line"] is not None and row["line"] >= 1, row
            assert row["field"] and row["reason"] and row["reason"].strip(), row
        return "quarantined" if report.rows_quarantined else "loaded"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def sejong(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")


@CHECK
@given(random_bytes())
def test_random_bytes(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(truncated())
def test_truncated_files(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(wrong_encoding())
def test_wrong_encodings(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(mixed_line_ends())
def test_mixed_line_ends(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(stray_quotes())
def test_unbalanced_quotes(empty_db, case):
    ingest_outcome(empty_db, *case)


@settings(CHECK, max_examples=12)
@given(huge_field())
def test_huge_fields(empty_db, case):
    ingest_outcome(empty_db, *case)


@settings(CHECK, max_examples=40)
@given(bad_cells(NUMBER_COLUMNS, dates=False))
def test_wrong_types(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(bad_cells(TIME_COLUMNS, dates=True))
def test_dates_out_of_range(empty_db, case):
    ingest_outcome(empty_db, *case)


@CHECK
@given(json_shapes())
def test_sensorthings_json_shapes(empty_db, case):
    ingest_outcome(empty_db, *case)


# Each kind of damage once, by hand: the outcome the property accepts, pinned down. -------------------------------


def test_examples_the_fuzzing_found(empty_db):
    """Inputs that crashed the loaders before (tracebacks), now a clear error or quarantined rows."""
    things = '{"value": [{"phenomenonTime": "2025-03-01T00:00:00Z", "result": %s, "Datastream": %s}]}'
    stream = '{"@iot.id": 1, "ObservedProperty": {"name": "PM10"}, "Thing": {"@iot.id": "t1"}}'
    head = "source_id,requested_at,status,votes,satisfaction\n"
    cases = {
        # SensorThings parts of the wrong JSON type: AttributeError / TypeError before
        "datastream_is_a_number": ("sensorthings", (things % ("1", "1")).encode(), "FileError"),
        "locations_not_a_list": ("sensorthings", b'[{"Datastreams": 5}]', "FileError"),
        "time_is_a_list": ("sensorthings", (things % ("1", stream)).replace('"2025-03-01T00:00:00Z"', '["x"]').encode(), "quarantined"),
        # polars InvalidOperationError: a list among results
        "result_is_a_list": ("sensorthings", (things % ("[1, {\"a\": 2}]", stream)).encode(), "quarantined"),
        # a boolean among numbers was read as 1 and loaded
        "true_among_numbers": ("sensorthings", (
            '{"value": [' + ",".join(f'{{"phenomenonTime": "2025-03-01T0{h}:00:00Z", "result": {r}, "Datastream": {stream}}}'
                                     for h, r in ((0, "1"), (1, "true"))) + "]}").encode(), "quarantined"),
        # RecursionError
        "deeply_nested_json": ("sensorthings", b"[" * 100_000 + b"]" * 100_000, "FileError"),
        # polars strict cast to Int32 / Int8 raised on votes 1e20, NaN; 3.5 was truncated to 3
        "votes_too_big": ("complaints_csv", (head + "A,2025-03-01,open,1e20,\n").encode(), "quarantined"),
        "votes_nan": ("complaints_csv", (head + "A,2025-03-01,open,NaN,\n").encode(), "quarantined"),
        "satisfaction_fraction": ("complaints_csv", (head + "A,2025-03-01,open,,3.5\n").encode(), "quarantined"),
        # UTF-16 said "binary data"; CR-only line ends made the header one long line
        "utf16": ("kr_minwon", "접수번호,접수일시,처리상태\nA,2025-03-01 09:00:00,접수\n".encode("utf-16"), "FileError"),
        "cr_only": ("airkorea", "측정일시,측정소명,미세먼지\r2025030122,아름동,41\r2025030123,아름동,45\r".encode(), "loaded"),
    }
    outcomes = {name: ingest_outcome(empty_db, profile, data) for name, (profile, data, _) in cases.items()}
    assert outcomes == {name: expected for name, (_, _, expected) in cases.items()}
