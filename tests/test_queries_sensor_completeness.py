"""queries/sensor_completeness.sql on the KPI fixture: the completeness of tests/fixtures/kpi/EXPECTED.md
("Sensors" table: expected 336 readings per sensor × metric), from the rollups alone, and the same rows and
numbers as sensor_status for every period and filter (it replaces sensor_status where only completeness is needed).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fixture_warehouse import AS_OF, PERIOD, PREVIOUS_PERIOD

import queries

CURRENT = {"start": PERIOD[0], "end": PERIOD[1], "as_of": AS_OF}
PREVIOUS = {"start": PREVIOUS_PERIOD[0], "end": PREVIOUS_PERIOD[1], "as_of": AS_OF}


def test_completeness_as_worked_out_by_hand(kpi_db):
    frame = queries.run("sensor_completeness", db=kpi_db, **CURRENT)
    rows = {(r["sensor_id"], r["metric"]): r for r in frame.iter_rows(named=True)}
    assert len(rows) == 10
    assert rows[("sensorthings:noise-areum-01", "noise")]["readings"] == 277
    assert rows[("sensorthings:noise-areum-01", "noise")]["completeness"] == pytest.approx(277 / 336)
    assert rows[("sensorthings:wl-jochiwon-01", "water_level")]["completeness"] == pytest.approx(312 / 336)
    assert rows[("sensorthings:traffic-boram-01", "speed")]["completeness"] == 1.0
    assert rows[("airkorea:아름동", "pm10")]["completeness"] == pytest.approx(48 / 336)
    assert {r["expected"] for r in rows.values()} == {336}
    assert frame["completeness"].mean() == pytest.approx(1549 / 3360)


@pytest.mark.parametrize("params", [
    CURRENT, PREVIOUS,
    {**CURRENT, "domain": "environment"}, {**CURRENT, "domain": "transport"}, {**CURRENT, "district": "3611010300"},
    # as_of inside the last day: only the hours up to it count, as in sensor_status
    {**CURRENT, "as_of": AS_OF - dt.timedelta(hours=5)},
    {**CURRENT, "as_of": AS_OF - dt.timedelta(days=3)},
])
def test_same_rows_and_numbers_as_sensor_status(kpi_db, params):
    cols = ["sensor_id", "metric", "readings", "expected", "completeness"]
    ours = queries.run("sensor_completeness", db=kpi_db, **params).select(cols).sort("sensor_id", "metric")
    status = queries.run("sensor_status", db=kpi_db, **params).select(cols).sort("sensor_id", "metric")
    assert ours.to_dicts() == status.to_dicts()
