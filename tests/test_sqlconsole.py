"""warehouse/sqlconsole.py and ui/sql_console.py on the real KPI fixture warehouse (kpi_db, opened read-only).

Every attack is refused with a clear message and the warehouse file's sha256 is the same after each one
and after the whole module. Expected rows are from tests/fixtures/kpi/EXPECTED.md ("Mart facts"):
38 complaints; per district 아름동 3611011300 12, 보람동 3611010300 8, 조치원읍 3611025000 10,
나성동 3611010700 6, none 2; 25 distinct reporter keys; the oldest complaint O01 at 2024-12-10 10:00 KST.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import queries
from warehouse import store
from warehouse.sqlconsole import Failed, Refused, TimedOut, console_connection, run_console

APP = str(Path(__file__).resolve().parent / "sql_console_app.py")
PER_DISTRICT = "select district_code, count(*) as n from fct_complaints group by all order by district_code nulls last"
PER_DISTRICT_ROWS = [("3611010300", 8), ("3611010700", 6), ("3611011300", 12), ("3611025000", 10), (None, 2)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def db(kpi_db):
    """The KPI warehouse, checked unchanged (same bytes, no new files beside it) once the module is done."""
    before, files = _sha256(kpi_db), sorted(p.name for p in kpi_db.parent.iterdir())
    yield kpi_db
    assert _sha256(kpi_db) == before
    assert sorted(p.name for p in kpi_db.parent.iterdir()) == files


@pytest.fixture(scope="module")
def sha(db) -> str:
    return _sha256(db)


ATTACKS = [
    ("drop table fct_complaints", "DROP is not allowed"),
    ("insert into fct_complaints (complaint_id) values ('x')", "INSERT is not allowed"),
    ("update fct_complaints set votes = 0", "UPDATE is not allowed"),
    ("delete from fct_complaints", "DELETE is not allowed"),
    ("create table x as select 1", "CREATE is not allowed"),
    ("select 1; drop table fct_complaints", "One statement at a time: found 2"),
    ("COPY fct_complaints TO '{tmp}/x.csv'", "COPY is not allowed"),
    ("select * from read_csv('/etc/passwd')", "Table function 'read_csv()'"),
    ("select * from '/etc/passwd'", "Table '/etc/passwd' is not available"),
    ("ATTACH '{tmp}/x.db' AS x", "ATTACH is not allowed"),
    ("PRAGMA database_list", "PRAGMA is not allowed"),
    ("SET threads = 1", "SET/RESET/USE is not allowed"),
    ("INSTALL httpfs", "INSTALL/LOAD is not allowed"),
    ("LOAD httpfs", "INSTALL/LOAD is not allowed"),
    ("select * from raw_complaints", "Table 'raw_complaints' is not available"),
    ("select * from quarantine", "Table 'quarantine' is not available"),
    ("/* a comment */ DROP TABLE fct_complaints", "DROP is not allowed"),
    ("DrOp TaBlE fct_complaints", "DROP is not allowed"),
    ("select * from raw_compl\u0430ints", "is not available"),                   # Cyrillic а
    ("\uff24\uff32\uff2f\uff30 TABLE fct_complaints", "SQL syntax error"),       # full-width ＤＲＯＰ
    ("with quarantine as (select 1 as x) select * from quarantine", "CTE name 'quarantine'"),
    ("with raw_complaints as (select * from raw_complaints) select * from raw_complaints", "CTE name 'raw_complaints'"),
    ("select getenv('HOME')", "Function 'getenv()' is not allowed"),
    ("select current_setting('home_directory')", "Function 'current_setting()' is not allowed"),
    ("with d as (delete from fct_complaints returning *) select * from d", "DELETE is not allowed"),
    ("select reporter_key from fct_complaints", "reporter_key"),  # hidden unless the caller allows it
]


@pytest.mark.parametrize(("sql", "en"), ATTACKS, ids=[a[0][:50] for a in ATTACKS])
def test_attack_is_refused_and_the_warehouse_unchanged(db, sha, tmp_path, sql, en):
    sql = sql.replace("{tmp}", str(tmp_path))
    with pytest.raises(Refused) as refused:
        run_console(sql, db)
    assert en in refused.value.en and refused.value.ko
    assert _sha256(db) == sha
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing attached


def test_the_connection_alone_blocks_files_settings_and_writes(db, sha, tmp_path):
    """The second lock, without the checker: what a parser gap would reach."""
    con = console_connection(db)
    try:
        for sql in ("select * from read_csv('/etc/passwd')", f"copy fct_complaints to '{tmp_path}/x.csv'",
                    f"attach '{tmp_path}/x.db' as x", "select * from read_text('/etc/hostname')"):
            with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
                con.execute(sql)
        for sql in ("set threads = 2", "set enable_external_access = true", "set lock_configuration = false",
                    "reset memory_limit"):
            with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
                con.execute(sql)
        with pytest.raises(duckdb.Error):
            con.execute("load httpfs")
        for sql in ("drop table fct_complaints", "delete from fct_complaints", "insert into meta values ('a', 'b')"):
            with pytest.raises(duckdb.Error, match="read-only"):
                con.execute(sql)
        with pytest.raises(duckdb.CatalogException):
            con.execute("select * from '/etc/passwd'")  # no replacement scan of files …
        local_frame = PER_DISTRICT_ROWS  # noqa: F841  … nor of Python variables
        with pytest.raises(duckdb.CatalogException):
            con.execute("select * from local_frame")
        assert con.execute("select count(*) from fct_complaints").fetchone() == (38,)
    finally:
        con.close()
    assert _sha256(db) == sha and list(tmp_path.iterdir()) == []


def test_allowed_query_returns_the_exact_rows(db):
    queries.run("districts", db=db)  # the dashboard's shared connection is open in this process too
    result = run_console(PER_DISTRICT, db)
    assert result.frame.rows() == PER_DISTRICT_ROWS
    assert not result.truncated and result.elapsed >= 0


def test_times_are_in_the_warehouse_time_zone(db):
    result = run_console("select strftime(min(requested_at), '%Y-%m-%d %H:%M') as t from fct_complaints", db)
    assert result.frame.rows() == [("2024-12-10 10:00",)]


def test_reporter_key_only_when_allowed(db):
    sql = "select count(distinct reporter_key) as reporters, count(*) as n from fct_complaints"
    with pytest.raises(Refused, match="reporter_key"):
        run_console(sql, db)
    assert run_console(sql, db, allow_reporter_key=True).frame.rows() == [(25, 38)]


def test_row_cap_keeps_the_first_rows_and_says_so(db):
    capped = run_console("select range as n from range(25)", db, row_cap=10)
    assert capped.frame["n"].to_list() == list(range(10)) and capped.truncated
    exact = run_console("select range as n from range(25)", db, row_cap=25)
    assert exact.frame.height == 25 and not exact.truncated
    assert run_console("select range as n from range(25)", db, row_cap=24).truncated
    ids = "select complaint_id from fct_complaints order by complaint_id"
    assert run_console(ids, db, row_cap=38).frame.height == 38 and not run_console(ids, db, row_cap=38).truncated
    cut = run_console(ids, db, row_cap=37)
    assert cut.truncated and cut.frame.height == 37
    assert cut.frame["complaint_id"][0] == "minwon:C01" and cut.frame["complaint_id"][-1] == "minwon:P13"


def test_query_errors_are_reported_not_raised_raw(db):
    with pytest.raises(Failed, match='"nope" not found'):
        run_console("select nope from fct_complaints", db)


def _console_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sql-console" and t.is_alive()]


def test_time_limit_interrupts_a_cross_join_of_marts(db, sha):
    start = time.monotonic()
    with pytest.raises(TimedOut) as stopped:
        run_console("select sum(a.value * b.value * c.value * d.value) "  # 1,549⁴ ≈ 5.8e12 rows: hours of work
                    "from fct_sensor_readings a, fct_sensor_readings b, fct_sensor_readings c, fct_sensor_readings d",
                    db, timeout_s=1.0)
    assert time.monotonic() - start < 1.0 + 2.0
    assert "time limit (1 s)" in stopped.value.en and "1초" in stopped.value.ko
    assert _console_threads() == []  # interrupted, not left running
    assert _sha256(db) == sha


def test_cross_join_bomb_is_stopped_within_the_limit(db):
    """1e9 × 1e9 rows: refused within 5 s + 2 s, by the interrupt or by the memory limit, whichever comes first."""
    start = time.monotonic()
    with pytest.raises((TimedOut, Failed)) as stopped:
        run_console("select count(*) from range(1000000000) a, range(1000000000) b", db, timeout_s=5.0)
    assert time.monotonic() - start < 5.0 + 2.0
    assert "time limit" in stopped.value.en or "memory" in stopped.value.en
    assert _console_threads() == []


# --- the Streamlit section (tests/sql_console_app.py renders only ui.sql_console.render()) ---------------

@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield lambda: AppTest.from_file(APP, default_timeout=60)
    st.cache_data.clear()
    st.cache_resource.clear()


def _rows(frame) -> list[tuple]:
    """A shown (pandas) frame as tuples, a missing value as None (pandas shows a null string as NaN)."""
    return [tuple(None if v is None or v != v else v for v in row) for row in frame.itertuples(index=False)]


def _run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="sqlc_sql").set_value(sql)
    return at.button(key="sqlc_run").click().run()


def test_page_shows_the_refusal_in_the_chosen_language(app):
    at = app().run()
    assert not at.exception
    at = _run_sql(at, "select * from quarantine")
    assert not at.exception and len(at.dataframe) == 0
    assert at.error[0].value.startswith("'quarantine' 표는 콘솔에서 읽을 수 없습니다.")
    at.session_state["lang"] = "en"
    at.run()
    assert at.error[0].value.startswith("Table 'quarantine' is not available in the console.")


def test_page_shows_the_exact_rows(app):
    at = app()
    at.session_state["lang"] = "en"
    at = _run_sql(at.run(), PER_DISTRICT)
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["district_code", "n"]
    assert _rows(frame) == PER_DISTRICT_ROWS
    assert any(c.value.startswith("5 rows · ") for c in at.caption)


def test_page_example_fills_the_box_and_runs(app):
    at = app().run()  # Korean: AppTest formats options outside the script, where the language is the default
    at.selectbox(key="sqlc_example").set_value("per_district").run()
    assert at.text_area(key="sqlc_sql").value.startswith("select d.name_ko, d.name_en, count(*) as complaints")
    at = at.button(key="sqlc_run").click().run()
    assert any(c.value.startswith("4행 · ") for c in at.caption)
    assert _rows(at.dataframe[0].value) == [
        ("아름동", "Areum-dong", 12), ("조치원읍", "Jochiwon-eup", 10), ("보람동", "Boram-dong", 8), ("나성동", "Naseong-dong", 6),
    ]


def test_page_says_when_rows_were_cut(app):
    at = app()
    at.session_state["lang"] = "en"
    at = _run_sql(at.run(), "select range as n from range(10001)")
    assert at.dataframe[0].value.shape == (10_000, 1)
    assert at.warning[0].value.startswith("Showing the first 10,000 rows")


def test_analyst_console_cannot_return_complaint_text(kpi_db):
    """With hide_text (analysts), fct_complaints has no title or description, whatever the query says."""
    from warehouse import sqlconsole as sc

    for sql in ("select title from fct_complaints", "select description_masked from fct_complaints",
                "select * exclude (reporter_key) from fct_complaints"):
        try:
            result = sc.run_console(sql, kpi_db, hide_text=True)
        except sc.ConsoleError:
            continue
        assert "title" not in result.frame.columns and "description_masked" not in result.frame.columns
    shown = sc.run_console("select count(*) as n from fct_complaints", kpi_db, hide_text=True).frame
    assert shown["n"][0] == 38  # the fixture's 38 complaints are all still countable
    reader = store.open_reader(kpi_db)
    try:
        assert "title" not in sc.columns(reader, hide_text=True)["fct_complaints"]
        assert "title" in sc.columns(reader)["fct_complaints"]
    finally:
        reader.close()
    mayor = sc.run_console("select title from fct_complaints where source_id = 'C01'", kpi_db).frame
    assert mayor.height == 1


def test_page_lists_the_tables_and_columns_the_console_reads(app):
    """The reference list under the box: every allowed table once, its columns in the table's order."""
    from warehouse.sqlguard import ALLOWED_TABLES

    at = app().run()
    lines = [m.value for m in at.expander[0].markdown]
    listed = {line.split("`")[1]: line.split(" — ")[1].replace("`", "").split(", ") for line in lines}
    assert list(listed) == sorted(ALLOWED_TABLES)
    assert listed["fct_sensor_readings"] == ["sensor_id", "metric", "measured_at", "value", "unit", "quality"]
    assert listed["dim_calendar"] == ["day", "is_business", "business_index", "holiday_name"]
    assert {"reporter_key", "title", "description_masked"} <= set(listed["fct_complaints"])  # the mayor's office
