"""Guards: a query file nobody uses or nobody tests fails the build, and so does an unrouted page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import queries

ROOT = Path(__file__).resolve().parents[1]
APP_CODE = "\n".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py")])
QUERY_TESTS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_queries_*.py"))


@pytest.mark.parametrize("name", queries.names())
def test_query_file_is_used_by_a_page(name):
    assert re.search(rf"[\"']{name}[\"']", APP_CODE), f"queries/{name}.sql is not used by any page or ui module"


@pytest.mark.parametrize("name", queries.names())
def test_query_file_has_a_test(name):
    assert re.search(rf"[\"']{name}[\"']", QUERY_TESTS), f"queries/{name}.sql has no test in tests/test_queries_*.py"


@pytest.mark.parametrize("name", queries.names())
def test_query_file_has_a_header_naming_grain_and_params(name):
    header = queries.sql_text(name).split("\n", 3)
    text = "\n".join(line for line in header if line.startswith("--"))
    assert "grain" in text and "params" in text, f"queries/{name}.sql needs a header comment with grain and params"


@pytest.mark.parametrize("part", sorted(p.stem for p in queries.PARTS_DIR.glob("*.sql")))
def test_query_part_is_used_by_a_query(part):
    files = [(queries.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8") for name in queries.names()]
    assert any(part in queries.PART.findall(text) for text in files), f"queries/parts/{part}.sql is unused"


def test_a_query_naming_no_part_there_is_fails():
    with pytest.raises(KeyError, match="no query part named 'nowhere'"):
        queries._with_parts("select\n    -- part: nowhere\n")


def test_every_page_is_routed():
    router = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    for page in ROOT.glob("views/*.py"):
        assert f'"views/{page.name}"' in router, f"{page} is not in dashboard.py"
