"""queries/check_results.sql: the checks' stored results, one row per check, on the KPI fixture.

What the three writes of the fixture stored (tests/fixtures/kpi/, built batch by batch):
- batch 1 (민원) is the first write: every check has no stored result yet, so all 19 run over the whole history.
- batch 2 (air.csv, 03-28 00:00 … 03-29 23:00) and batch 3 (things.json, 03-16 00:00 … 03-29 23:00 KST) are sensor
  batches: they re-run the sensor checks and the checks of shared tables, not the six complaint checks. The last
  (batch 3) is what is stored: the 5 time-series checks on its days [03-16 00:00, 03-30 00:00), the 2 anomaly checks
  35 days further, [03-16, 03-29 + 1 + 35 = 05-04); the other 6 whole (scope null).
Nothing fails, so failures 0, no failing day, no sample.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from fixture_warehouse import add_daily_rows_without_hours, build_kpi_warehouse
from helpers_warehouse import cli

import queries
from ui import roles

KST = ZoneInfo("Asia/Seoul")
SERIES = (dt.datetime(2025, 3, 16, tzinfo=KST), dt.datetime(2025, 3, 30, tzinfo=KST))
ANOMALIES = (dt.datetime(2025, 3, 16, tzinfo=KST), dt.datetime(2025, 5, 4, tzinfo=KST))
WHOLE = (None, None)
EXPECTED = [  # check_name, batch_id, (scope_from, scope_to)
    ("agg_anomaly_episodes_valid", 3, WHOLE),
    ("agg_complaints_daily_matches_fct", 1, WHOLE),
    ("agg_complaints_daily_unique", 1, WHOLE),
    ("agg_sensor_anomalies_match_hourly", 3, ANOMALIES),
    ("agg_sensor_anomalies_unique", 3, ANOMALIES),
    ("agg_sensor_daily_matches_hourly", 3, SERIES),
    ("agg_sensor_hourly_matches_fct", 3, SERIES),
    ("dim_district_unique", 3, WHOLE),
    ("dim_linkage_consistent", 3, WHOLE),
    ("dim_sensor_unique", 3, WHOLE),
    ("fct_complaints_accepted_values", 1, WHOLE),
    ("fct_complaints_district_known", 1, WHOLE),
    ("fct_complaints_not_null", 1, WHOLE),
    ("fct_complaints_unique_id", 1, WHOLE),
    ("fct_sensor_readings_not_null", 3, SERIES),
    ("fct_sensor_readings_one_unit", 3, SERIES),
    ("fct_sensor_readings_unique_key", 3, SERIES),
    ("load_batches_balance", 3, WHOLE),
    ("quarantine_has_reason", 3, WHOLE),
]


def test_check_results_on_the_kpi_fixture(kpi_db):
    rows = queries.run("check_results", db=kpi_db)
    assert rows.columns == ["check_name", "rule", "failures", "failing_days", "sample", "checked_at", "batch_id",
                            "scope_from", "scope_to"]
    assert rows.select("check_name", "batch_id", "scope_from", "scope_to").rows() == [
        (name, batch, *scope) for name, batch, scope in EXPECTED
    ]
    assert rows.select("failures", "failing_days", "sample").unique().rows() == [(0, 0, None)]
    rules = dict(rows.select("check_name", "rule").iter_rows())
    assert rules["fct_complaints_unique_id"] == "fct_complaints: complaint_id is unique."
    assert rules["load_batches_balance"] == (  # the first comment line only
        "load_batches: nothing lost — rows read = loaded + updated + duplicates + quarantined, and the")
    # each check ran inside its batch's write: batch 1's before batch 2 started, batch 3's after it
    started = dict(queries.run("batches", db=kpi_db).select("batch_id", "started_at").iter_rows())
    for r in rows.iter_rows(named=True):
        if r["batch_id"] == 1:
            assert r["checked_at"] < started[2]
        else:
            assert r["checked_at"] >= started[3].replace(microsecond=0)  # the query shows whole seconds


def test_check_results_sums_days_and_samples_the_first_rows(tmp_path, monkeypatch):
    # two broken agg_sensor_daily rows (airkorea:보람동 × o3, no hours behind them) on 03-20 (n 2) and 03-30 (n 3),
    # then the check command stores the whole history: 2 failures on 2 days, the sample's rows in day order
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    db = add_daily_rows_without_hours(build_kpi_warehouse(tmp_path / "kpi.duckdb"))
    assert cli("check", "--db", db).returncode == 1
    rows = queries.run("check_results", db=db)
    failed = rows.filter(rows["failures"] > 0)
    assert failed.select("check_name", "failures", "failing_days", "batch_id", "scope_from", "scope_to").rows() == [
        ("agg_sensor_daily_matches_hourly", 2, 2, None, None, None),
    ]
    assert json.loads(failed["sample"][0]) == [
        {"sensor_id": "airkorea:보람동", "metric": "o3", "day": "2025-03-20", "n": None, "daily_n": 2, "rows": 1},
        {"sensor_id": "airkorea:보람동", "metric": "o3", "day": "2025-03-30", "n": None, "daily_n": 3, "rows": 1},
    ]
    assert rows.height == 19 and rows["batch_id"].null_count() == 19  # the command re-ran and stored every check


@pytest.mark.parametrize(("role", "allowed"), [("mayor_office", True), ("analyst", True), ("investor", False)])
def test_check_results_is_for_staff(role, allowed):
    assert roles.may_run("check_results", role) is allowed
