"""`python -m warehouse digest` on the KPI fixture: the files it writes and the numbers in them.

Week = [2025-03-23, 2025-03-30) (as_of 03-29 23:00), previous week [03-16, 03-23); numbers by hand from
tests/fixtures/kpi/EXPECTED.md's rows:
  received 9 (C18 C07 C19 C09 C13 C20 C14 C21 C17) vs 13 (C22 C01 C02 C10 C03 C11 C04 C15 C05 C06 C12 C16 C08);
  closed 5 (C18 C19 C09 C13 C20) → 55.6 % vs 10 / 13 → 76.9 %;
  on time 4 (C19 C09 C13 C20) of 5 (late C18) → 80.0 % vs 8 of 12 (late C02 C22, overdue C05 C06) → 66.7 %;
  median days 0.083 (C20) 1 (C09) 1 (C19) 4.375 (C18) → 1.0 vs ten durations → (3 + 3) / 2 = 3.0;
  first response C19 C09 C20 C21 1 h, C18 22 h → 1.0 h; satisfaction C19 5, C09 4 → 4.50.
Open SLA breaches at as_of: O01 O02 P05 P11 C05 P08 C06 = 7.
"""

from __future__ import annotations

import datetime as dt

from fixture_warehouse import AS_OF, KST
from helpers_warehouse import cli

import queries
import scoring


def write(kpi_db, out, *args):
    result = cli("digest", "--db", kpi_db, "--out", out, *args)
    assert result.returncode == 0, result.stderr
    return result


def test_weekly_digest_has_the_hand_computed_numbers(kpi_db, tmp_path):
    result = write(kpi_db, tmp_path, "--period", "week")
    html_path, md_path = tmp_path / "digest-week-2025-03-29.html", tmp_path / "digest-week-2025-03-29.md"
    assert result.stdout.split() == [str(html_path), str(md_path)]
    md = md_path.read_text(encoding="utf-8")
    assert md.startswith("# 세종 스마트시티 주간 브리핑 — 2025-03-23 ~ 2025-03-29\n")
    for row in ("| 접수 건수 | 9 | 13 | −4 |", "| 처리율 | 55.6% | 76.9% | −21.4%p |", "| 기한 내 처리율 | 80.0% | 66.7% | +13.3%p |",
                "| 처리 기간 중앙값 | 1.0일 | 3.0일 | −2.0일 |", "| 최초 응답 시간 | 1.0시간 | 4.0시간 | −3.0시간 |",
                "| 만족도 | 4.50 | 3.67 | +0.83 |", "- 처리기한 초과 미처리: 7건", "  - minwon:O01 · 불법주정차 · 101.0일 초과",
                "- 지연·고정값 센서: 2개"):
        assert row + "\n" in md, row
    # the city score is the Overview's: the same KPI queries and targets
    week = {"start": dt.datetime(2025, 3, 23, tzinfo=KST), "end": dt.datetime(2025, 3, 30, tzinfo=KST), "as_of": AS_OF}
    values = queries.run("kpi_headline", db=kpi_db, **week).row(0, named=True)
    status = queries.run("sensor_status", db=kpi_db, **week)
    grades = queries.run("aq_daily_grades", db=kpi_db, **week)
    values |= {"sensor_completeness": status["completeness"].mean(), "aq_good_share": (grades["grade"] == 1).mean()}
    score = scoring.city_score(values, scoring.targets("sejong"))
    assert f"**{score.score:.2f} (직전 " in md and f"목표 대비 지표 {score.used}개" in md
    html = html_path.read_text(encoding="utf-8")
    assert "<td style=\"padding:4px 10px;border-bottom:1px solid #e0e4e8;text-align:left\">55.6%</td>" in html
    assert "<script" not in html and "http" not in html and "src=" not in html  # nothing to fetch or run


def test_daily_digest_in_english_for_a_chosen_day(kpi_db, tmp_path):
    write(kpi_db, tmp_path, "--period", "day", "--end", "2025-03-29", "--lang", "en")
    md = (tmp_path / "digest-day-2025-03-28.md").read_text(encoding="utf-8")
    # 03-28: C21 and C17 received vs 03-27: C14
    assert md.startswith("# Sejong smart city daily digest — 2025-03-28\n")
    assert "| Received | 2 | 1 | +1 |\n" in md and "## Emerging issues\n\nNone\n" in md
    assert (tmp_path / "digest-day-2025-03-28.html").exists()


def test_usage_errors_exit_2(kpi_db, tmp_path):
    assert cli("digest", "--db", tmp_path / "missing.duckdb", "--out", tmp_path).returncode == 2
    bad = cli("digest", "--db", kpi_db, "--end", "2025-13-01", "--out", tmp_path)
    assert bad.returncode == 2 and "--end" in bad.stderr
    assert cli("digest", "--db", kpi_db, "--period", "month").returncode == 2
