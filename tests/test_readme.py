"""The README's worked profile example really works, and the README documents what the code offers."""

from __future__ import annotations

import re
from pathlib import Path

from warehouse import store
from warehouse.__main__ import main
from warehouse.profile import list_profiles

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(lang: str, after: str) -> str:
    section = README[README.index(after):]
    return re.search(rf"```{lang}\n(.*?)```", section, re.S).group(1)


def test_worked_profile_example_loads_and_quarantines_as_described(tmp_path, capsys):
    csv = tmp_path / "district_office.csv"
    csv.write_bytes(_block("csv", "## Writing a profile").encode("cp949"))  # "EUC-KR CSV", as the README says
    toml = tmp_path / "district_office.toml"
    toml.write_text(_block("toml", "## Writing a profile"), encoding="utf-8")
    db = tmp_path / "w.duckdb"

    assert main(["ingest", "complaints", str(csv), "--profile", str(toml), "--db", str(db)]) == 0
    con = store.connect(db, read_only=True)
    ids = [r[0] for r in con.execute("select complaint_id from fct_complaints order by 1").fetchall()]
    assert ids == ["district_office:D-1", "district_office:D-2"]
    q = con.execute("select line, field, reason from quarantine").fetchall()
    assert q == [(4, "status", "unknown status '보류' (known: 완료, 접수, 진행중)")]
    assert con.execute("select district_code from fct_complaints where source_id = 'D-1'").fetchone() == ("3611010300",)
    # the phone column is not mapped, so no table holds the number
    dump = str(con.execute("select * from fct_complaints").fetchall()) + str(con.execute("select * from quarantine").fetchall())
    assert "1234-5678" not in dump
    con.close()

    # the README's fix: map 보류 and ingest again — D-3 loads, nothing is duplicated
    fixed = toml.read_text(encoding="utf-8").replace('"완료" = "closed"', '"완료" = "closed"\n"보류" = "in_progress"')
    toml.write_text(fixed, encoding="utf-8")
    assert main(["ingest", "complaints", str(csv), "--profile", str(toml), "--db", str(db)]) == 0
    con = store.connect(db, read_only=True)
    assert con.execute("select count(*), count(distinct complaint_id) from fct_complaints").fetchone() == (3, 3)
    batch = con.execute(
        "select rows_read, rows_loaded, rows_updated, rows_duplicate, rows_quarantined from load_batches where batch_id = 2"
    ).fetchone()
    assert batch == (3, 1, 0, 2, 0)


def test_every_builtin_profile_is_in_the_readme_table():
    for profile in list_profiles():
        assert f"`{profile.name}`" in README, f"profile {profile.name} is not documented in README.md"


def test_every_cli_command_is_in_the_readme():
    for command in ("build --demo", "ingest complaints", "ingest sensors", "profiles", "check"):
        assert f"python -m warehouse {command}" in README


def test_every_mart_table_is_in_the_readme():
    schema = (ROOT / "warehouse" / "models" / "schema.sql").read_text(encoding="utf-8")
    for table in re.findall(r"create table if not exists (\w+)", schema):
        if not table.startswith(("raw_", "meta")):
            assert f"`{table}`" in README, f"table {table} is not documented in README.md"
