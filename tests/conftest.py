"""Shared pytest fixtures. Keep generic; bigger helpers live in tests/helpers_warehouse.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` run without `python -m` still finds settings and warehouse
    sys.path.insert(0, str(ROOT))

REPORTER_KEY = "test-reporter-key"


@pytest.fixture(autouse=True)
def streamlit_caches():
    """Streamlit's caches live in the process and leak between AppTests: every test starts and ends empty."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def reporter_key(monkeypatch) -> str:
    """A fixed HMAC key so reporter hashing is deterministic (and no key file is written)."""
    monkeypatch.setenv("WAREHOUSE_REPORTER_KEY", REPORTER_KEY)
    return REPORTER_KEY


@pytest.fixture(scope="session")
def kpi_db(tmp_path_factory) -> Path:
    """The KPI fixture warehouse (tests/fixtures/kpi/, expected values in its EXPECTED.md), built once per
    session with the real build. Shared by every test that asks for it: open it read-only."""
    import os

    from fixture_warehouse import REPORTER_KEY, build_kpi_warehouse

    old = os.environ.get("WAREHOUSE_REPORTER_KEY")
    os.environ["WAREHOUSE_REPORTER_KEY"] = REPORTER_KEY  # "test-key": reporter hashes fixed for the build
    try:
        return build_kpi_warehouse(tmp_path_factory.mktemp("kpi") / "kpi.duckdb")
    finally:
        if old is None:
            os.environ.pop("WAREHOUSE_REPORTER_KEY", None)
        else:
            os.environ["WAREHOUSE_REPORTER_KEY"] = old
