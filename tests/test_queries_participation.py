"""Participation queries on the KPI fixture: exact rows, worked out by hand from tests/fixtures/kpi/minwon.csv.

Current period (PERIOD, 2025-03-16 … 03-29 KST) holds C01 … C22 (22 rows). By hand from the CSV
(channel through the kr_minwon profile: 모바일앱 → app, 전화/120 → phone, 홈페이지 → web, 국민신문고 → epeople):

    id   kind       channel  읍면동    reporter votes adopted sat
    C22  complaint  phone    조치원읍  R17
    C01  complaint  app      아름동    R01                    5
    C02  complaint  phone    아름동    R02                    2
    C10  proposal   epeople  아름동    R08      25    채택
    C03  complaint  app      보람동    R01                    4
    C11  proposal   epeople  조치원읍  R09       8    불채택
    C04  inquiry    web      조치원읍  R03
    C15  complaint  app      아름동    R02                    3
    C05  complaint  app      조치원읍  R04
    C06  complaint  phone    나성동    R05
    C12  proposal   epeople  보람동    R10      12    (검토중)
    C16  complaint  app      나성동*   R12                    5   (*by coordinates)
    C08  complaint  phone    (none)    R07                    3
    C18  complaint  phone    보람동    R14
    C07  complaint  app      보람동    R06
    C19  complaint  app      조치원읍  R03                    5
    C09  inquiry    web      아름동    R01                    4
    C13  complaint  phone    조치원읍  R11
    C20  inquiry    web      보람동    R15
    C14  complaint  app      나성동    R05
    C21  complaint  app      나성동    R16
    C17  complaint  app      아름동    R13
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from fixture_warehouse import AS_OF, KST, PERIOD, PREVIOUS_PERIOD
from helpers_warehouse import returning_warehouse

import queries

ROOT = Path(__file__).resolve().parents[1]
AREUM, BORAM, NASEONG, JOCHIWON = "3611011300", "3611010300", "3611010700", "3611025000"
NO_FILTERS = {"district": None, "domain": None, "category": None, "kind": None}


def run(db: Path, name: str, period=PERIOD, **filters) -> list[dict]:
    params = {"start": period[0], "end": period[1], "as_of": AS_OF, **NO_FILTERS, **filters}
    return queries.run(name, db=db, **params).to_dicts()


def sejong_districts() -> dict[str, dict]:
    """The city reference (not query output): code → name_ko, name_en, population."""
    frame = pl.read_csv(ROOT / "data" / "cities" / "sejong" / "districts.csv", schema_overrides={"district_code": pl.String})
    return {r["district_code"]: r for r in frame.iter_rows(named=True)}


def test_coverage(kpi_db):
    # 39 rows read, Q01 quarantined → 38 items; P09 is the only one without 민원인번호 → 37 keyed;
    # proposals P07, P08, C10, C11, C12 = 5; every row has a 신청경로; 만족도 on 15 closed rows;
    # the Sejong reference has 24 districts, all with population and a polygon.
    assert run(kpi_db, "participation_coverage") == [{
        "items": 38, "items_with_reporter": 37, "proposals": 5, "items_with_channel": 38, "rated": 15,
        "districts_with_population": 24, "districts_with_boundary": 24,
    }]


def test_district_boundaries(kpi_db):
    rows = run(kpi_db, "district_boundaries")
    ref = sejong_districts()
    assert [r["district_code"] for r in rows] == sorted(ref)
    for r in rows:
        geometry = json.loads(r["boundary"])
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        assert (r["name_ko"], r["name_en"]) == (ref[r["district_code"]]["name_ko"], ref[r["district_code"]]["name_en"])


def test_participation_by_district(kpi_db):
    ref = sejong_districts()
    # received / distinct reporters per district (C08 has no district and is in no row):
    #   보람동  C03 C12 C18 C07 C20 → 5 items, R01 R10 R14 R06 R15 → 5 reporters, population 12,687
    #   아름동  C01 C02 C10 C15 C09 C17 → 6 items, R01 R02 R08 R13 → 4 reporters, population 15,034
    #   나성동  C06 C16 C14 C21 → 4 items, R05 R12 R16 → 3 reporters, population 11,955
    #   조치원읍 C22 C11 C04 C05 C19 C13 → 6 items, R17 R09 R03 R04 R11 → 5 reporters, population 31,032
    # per 1,000 = count × 1000 ÷ population; order: participants per 1,000 desc (0.394 > 0.266 > 0.251 > 0.161),
    # then the 20 districts with nothing, by code.
    active = {BORAM: (5, 5), AREUM: (6, 4), NASEONG: (4, 3), JOCHIWON: (6, 5)}
    expected = []
    for code in [BORAM, AREUM, NASEONG, JOCHIWON] + sorted(set(ref) - set(active)):
        received, participants = active.get(code, (0, 0))
        pop = ref[code]["population"]
        expected.append({
            "district_code": code, "name_ko": ref[code]["name_ko"], "name_en": ref[code]["name_en"], "population": pop,
            "received": received, "participants": participants,
            "participants_per_1000": pytest.approx(participants * 1000 / pop),
            "received_per_1000": pytest.approx(received * 1000 / pop),
        })
    assert run(kpi_db, "participation_by_district") == expected
    assert expected[0]["participants_per_1000"] == pytest.approx(0.394104, abs=1e-6)  # 5000 / 12687
    assert expected[1]["received_per_1000"] == pytest.approx(0.399095, abs=1e-6)  # 6000 / 15034


def test_participation_by_district_filtered(kpi_db):
    # district 보람동 only: one row. kind = proposal: C10 (아름동, R08), C11 (조치원읍, R09), C12 (보람동, R10).
    assert run(kpi_db, "participation_by_district", district=BORAM) == [{
        "district_code": BORAM, "name_ko": "보람동", "name_en": "Boram-dong", "population": 12687, "received": 5,
        "participants": 5, "participants_per_1000": pytest.approx(5000 / 12687), "received_per_1000": pytest.approx(5000 / 12687),
    }]
    rows = run(kpi_db, "participation_by_district", kind="proposal")
    assert [(r["district_code"], r["received"], r["participants"]) for r in rows[:3]] == [
        (BORAM, 1, 1), (AREUM, 1, 1), (JOCHIWON, 1, 1),  # 1000/12687 > 1000/15034 > 1000/31032
    ]
    assert sum(r["received"] for r in rows) == 3


def test_channels(kpi_db):
    # app: C01 C03 C15 C05 C16 C07 C19 C14 C21 C17 = 10; phone: C22 C02 C06 C08 C18 C13 = 6;
    # epeople: C10 C11 C12 = 3; web: C04 C09 C20 = 3; total 22. Ties by channel name.
    assert run(kpi_db, "participation_channels") == [
        {"channel": "app", "received": 10, "share": pytest.approx(10 / 22)},
        {"channel": "phone", "received": 6, "share": pytest.approx(6 / 22)},
        {"channel": "epeople", "received": 3, "share": pytest.approx(3 / 22)},
        {"channel": "web", "received": 3, "share": pytest.approx(3 / 22)},
    ]
    # previous period P01 … P14: app P01 P14 P10 P13 P11 = 5; web P12 P02 P04 = 3; phone P03 P06 P09 = 3;
    # epeople P07 P08 = 2; visit P05 = 1; total 14
    assert [(r["channel"], r["received"]) for r in run(kpi_db, "participation_channels", PREVIOUS_PERIOD)] == [
        ("app", 5), ("phone", 3), ("web", 3), ("epeople", 2), ("visit", 1),
    ]


def test_kinds(kpi_db):
    # complaint 16, inquiry C04 C09 C20 = 3, proposal C10 C11 C12 = 3 (ties by kind)
    assert run(kpi_db, "participation_kinds") == [
        {"kind": "complaint", "received": 16, "share": pytest.approx(16 / 22)},
        {"kind": "inquiry", "received": 3, "share": pytest.approx(3 / 22)},
        {"kind": "proposal", "received": 3, "share": pytest.approx(3 / 22)},
    ]
    assert run(kpi_db, "participation_kinds", district=AREUM) == [  # C01 C02 C15 C17 | C09 | C10
        {"kind": "complaint", "received": 4, "share": pytest.approx(4 / 6)},
        {"kind": "inquiry", "received": 1, "share": pytest.approx(1 / 6)},
        {"kind": "proposal", "received": 1, "share": pytest.approx(1 / 6)},
    ]


def test_repeat_participants(kpi_db):
    # items per reporter in the period: R01 C01 C03 C09 = 3; R02 C02 C15, R03 C04 C19, R05 C06 C14 = 2 each;
    # 13 reporters with one item (R04 R06 R07 R08 R09 R10 R11 R12 R13 R14 R15 R16 R17); 17 reporters in all.
    assert run(kpi_db, "repeat_participants") == [
        {"bucket_order": 1, "bucket": "1", "reporters": 13, "share": pytest.approx(13 / 17)},
        {"bucket_order": 2, "bucket": "2", "reporters": 3, "share": pytest.approx(3 / 17)},
        {"bucket_order": 3, "bucket": "3–4", "reporters": 1, "share": pytest.approx(1 / 17)},
        {"bucket_order": 4, "bucket": "5–9", "reporters": 0, "share": 0.0},
        {"bucket_order": 5, "bucket": "10+", "reporters": 0, "share": 0.0},
    ]


def test_repeat_participants_none(kpi_db):
    # no item at all in January 2025: every bucket zero, shares null (not 0 %)
    january = (PERIOD[0].replace(month=1, day=1), PERIOD[0].replace(month=2, day=1))
    assert [(r["reporters"], r["share"]) for r in run(kpi_db, "repeat_participants", january)] == [(0, None)] * 5


def test_proposal_funnel(kpi_db):
    # period: C10 (25 votes, 채택), C11 (8, 불채택), C12 (12, undecided) → 3 proposals, 3 with votes,
    # 2 decided, 1 adopted (adoption rate 1 ÷ 2)
    assert run(kpi_db, "proposal_funnel") == [
        {"stage_order": 1, "stage": "proposals", "items": 3},
        {"stage_order": 2, "stage": "with_votes", "items": 3},
        {"stage_order": 3, "stage": "decided", "items": 2},
        {"stage_order": 4, "stage": "adopted", "items": 1},
    ]
    # previous: P07 (40, 채택), P08 (3, undecided) → 2, 2, 1, 1
    assert [r["items"] for r in run(kpi_db, "proposal_funnel", PREVIOUS_PERIOD)] == [2, 2, 1, 1]
    # the kind filter does not apply: the funnel is about proposals
    assert [r["items"] for r in run(kpi_db, "proposal_funnel", kind="complaint")] == [3, 3, 2, 1]
    assert [r["items"] for r in run(kpi_db, "proposal_funnel", district=BORAM)] == [1, 1, 0, 0]  # C12


def test_satisfaction_distribution(kpi_db):
    # ratings in the period: C01 5, C02 2, C03 4, C15 3, C16 5, C08 3, C19 5, C09 4 → 8 ratings
    assert run(kpi_db, "satisfaction_distribution") == [
        {"rating": 1, "rated": 0, "share": 0.0},
        {"rating": 2, "rated": 1, "share": pytest.approx(1 / 8)},
        {"rating": 3, "rated": 2, "share": pytest.approx(2 / 8)},
        {"rating": 4, "rated": 2, "share": pytest.approx(2 / 8)},
        {"rating": 5, "rated": 3, "share": pytest.approx(3 / 8)},
    ]


def test_reporters_new_returning(kpi_db):
    # Dec 2024 … Mar 2025: O01 (R24, Dec), O02 (R25, Feb); March holds P01 … P14 and C01 … C22, whose
    # 23 reporters R01 … R23 (P09 anonymous) all have their first item in March → all new. January: nobody.
    window = (dt.datetime(2024, 12, 1, tzinfo=KST), dt.datetime(2025, 4, 1, tzinfo=KST))
    assert run(kpi_db, "reporters_new_returning", window) == [
        {"month": dt.date(2024, 12, 1), "new_reporters": 1, "returning_reporters": 0, "active_reporters": 1},
        {"month": dt.date(2025, 2, 1), "new_reporters": 1, "returning_reporters": 0, "active_reporters": 1},
        {"month": dt.date(2025, 3, 1), "new_reporters": 23, "returning_reporters": 0, "active_reporters": 23},
    ]
    # the period (16–29 March): the 17 reporters of C01 … C22, new in March even when their first item was
    # before the period (R01 P12 on 03-02, R03 P04, R05 P06)
    assert run(kpi_db, "reporters_new_returning") == [
        {"month": dt.date(2025, 3, 1), "new_reporters": 17, "returning_reporters": 0, "active_reporters": 17},
    ]


# The fixture has no returning reporter (R24 and R25 never come back), so returning is also checked on three
# hand-made months: R1 … R6 in January; R1 … R5 and the new R7 in February; R1 … R4 and R7 in March
# (helpers_warehouse.RETURNING_ROWS).
@pytest.fixture(scope="module")
def returning_db(tmp_path_factory) -> Path:
    return returning_warehouse(tmp_path_factory.mktemp("returning"))


def test_reporters_new_returning_hand_made(returning_db):
    window = (dt.datetime(2025, 1, 1, tzinfo=KST), dt.datetime(2025, 4, 1, tzinfo=KST))
    # January: R1 … R6 new; February: R7 new, R1 … R5 returning; March: R1 … R4 and R7 returning
    assert run(returning_db, "reporters_new_returning", window) == [
        {"month": dt.date(2025, 1, 1), "new_reporters": 6, "returning_reporters": 0, "active_reporters": 6},
        {"month": dt.date(2025, 2, 1), "new_reporters": 1, "returning_reporters": 5, "active_reporters": 6},
        {"month": dt.date(2025, 3, 1), "new_reporters": 0, "returning_reporters": 5, "active_reporters": 5},
    ]
    # "first ever" ignores the period: with February alone, R1 … R5 are still returning
    feb = (dt.datetime(2025, 2, 1, tzinfo=KST), dt.datetime(2025, 3, 1, tzinfo=KST))
    assert run(returning_db, "reporters_new_returning", feb) == [
        {"month": dt.date(2025, 2, 1), "new_reporters": 1, "returning_reporters": 5, "active_reporters": 6},
    ]
