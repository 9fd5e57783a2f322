"""Every view on a warehouse built only from the real public exports (no city reference, so no population;
no reporter keys, no proposals, no ratings): no exception, and "not available for this source" instead of
meaningless zeros."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import roles
from warehouse.build import ingest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "real"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("real") / "w.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("WAREHOUSE_CITY", "")  # no reference data: districts as the sources name them
    try:
        ingest("complaints", [REAL / "la311_2018_sample.csv"], "socrata311", db)
        ingest("complaints", [REAL / "open311_bloomington_requests.json", REAL / "open311_bloomington_services.json"],
               "open311", db, country="US")
        ingest("sensors", [REAL / "seoul_daily_air_2018_cp949.csv"], "airkorea", db)
        ingest("sensors", [REAL / "seoul_measurement_long_2017_sample_noheader.csv", REAL / "seoul_measurement_stations.csv"],
               "seoul_long", db)
    finally:
        mp.undo()
    return db


@pytest.fixture(autouse=True)
def setting(real_db, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_PATH", str(real_db))
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(tmp_path / "none.yaml"))
    monkeypatch.delenv("DASHBOARD_AUTH", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


def _open(page: str, lang: str) -> AppTest:
    """A fresh session per page: AppTest formats the previous page's options outside the session when switching."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["demo_role"] = "mayor_office"
    at.session_state["lang"] = lang
    at.query_params["lang"] = lang
    at.query_params["period"] = "365d"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_view_opens_on_real_sources_only(lang):
    seen = {page: _texts(_open(page, lang)) for page in roles.allowed_pages("mayor_office")}
    # the LA and Bloomington requests have no reporter keys and there is no population: participation says so
    notice = "이 출처에서는 제공되지 않음" if lang == "ko" else "not available for this source"
    assert notice in seen["participation"]
    assert seen["overview"].strip()
