"""Roles and sign-in (ui/roles.py, ui/auth.py, ui/accounts.py, dashboard.py) on the KPI fixture.

What each role may see is enforced on the server: the router registers only the role's pages (so no URL can
run another), ui/data.load refuses queries outside the role's allow-list, and columns with complaint text or
reporter keys are dropped. Demo mode, local accounts (bcrypt hashes made by the library) and the OIDC role
mapping are driven through the real app; the identity provider itself cannot be, so `st.user` is seeded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import streamlit as st
import yaml
from helpers_charts import vega_charts
from streamlit.testing.v1 import AppTest

from ui import accounts, roles
from ui.auth import role_from_claims

ROOT = Path(__file__).resolve().parents[1]
PERIOD = (dt.date(2025, 3, 16), dt.date(2025, 3, 29))  # EXPECTED.md's current period
STAFF_PAGES = {"", "participation", "investors", "infrastructure", "map", "explorer", "data", "glossary"}  # "" = overview
INVESTOR_PAGES = {"", "participation", "investors", "glossary"}
STAFF_ONLY_VIEWS = ["views/infrastructure.py", "views/map.py", "views/explorer.py", "views/data.py"]
BANNER = "데모 모드 — 로그인 없이 역할을 바꿔 볼 수 있습니다 (사이드바)."
PASSWORDS = {"kim": "Sejong-analyst-2025", "park": "Sejong-investor-2025", "lee": "Sejong-mayor-2025"}


@pytest.fixture(autouse=True)
def setting(kpi_db, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_PATH", str(kpi_db))
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(tmp_path / "no-accounts.yaml"))  # demo unless a test writes one
    monkeypatch.delenv("DASHBOARD_AUTH", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def app(role: str | None = None, *, period: bool = True, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = secrets or {"test": "no [auth] section"}  # never the developer's own secrets.toml
    if role:
        at.session_state["demo_role"] = role
    if period:
        at.session_state["period"] = "custom"
        at.session_state["from"], at.session_state["to"] = PERIOD
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pages(at: AppTest) -> set[str]:
    return {info["url_pathname"] for info in at._registered_pages.values() if "url_pathname" in info}


def open_page(role: str, view: str, **kw) -> AppTest:
    at = run(app(role, **kw))
    at.switch_page(view)
    return run(at)


def charts(at: AppTest) -> dict[str, dict]:
    """Every chart by its key: plotly specs, and Vega-Lite specs with their rows in data.values."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")} | vega_charts(at)


# --- which pages each role gets ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mayor_office", "analyst"])
def test_staff_get_every_page(role):
    at = run(app(role))
    assert STAFF_PAGES <= pages(at)
    assert at.title[0].value == "세종 스마트시티 운영 현황"


def test_investor_gets_four_pages_only():
    at = run(app("investor"))
    assert pages(at) == INVESTOR_PAGES
    assert set(roles.allowed_pages("investor")) == {"overview", "participation", "investors", "glossary"}


@pytest.mark.parametrize("view", STAFF_ONLY_VIEWS)
def test_investor_cannot_open_a_staff_page(view):
    at = run(app("investor"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered: nothing to run
        at.switch_page(view)


def test_a_forbidden_page_requested_again_runs_the_default_page_instead():
    # an analyst on the explorer becomes an investor: the session still asks for the explorer's page,
    # and gets the overview's headline numbers; none of the explorer's widgets or queries ran
    at = open_page("analyst", "views/explorer.py")
    assert at.title[0].value == "데이터 탐색"
    at.selectbox(key="demo_role").set_value("investor")
    run(at)
    assert at.title[0].value == "세종 스마트시티 운영 현황"
    assert not [w for w in at.selectbox if w.key == "ex_mart"]
    assert not at.dataframe and not charts(at)


def test_the_data_layer_refuses_what_the_role_may_not_run():
    def script():
        import streamlit as st

        from ui import explorer_sql as xs
        from ui.data import load
        from ui.explorer import fetch
        from ui.roles import Forbidden

        st.session_state["role"] = st.session_state["as"]
        for name in ("complaint_points", "quarantine_rows", "kpi_headline"):
            try:
                load(name)
                st.text(f"{name}: ran")
            except Forbidden:
                st.text(f"{name}: refused")
            except Exception:  # noqa: BLE001 (no parameters given: DuckDB refused, so the guard let it through)
                st.text(f"{name}: ran")
        try:
            fetch(xs.select_rows("fct_complaints", ["complaint_id", "title"], limit=1))
            st.text("title: ran")
        except Forbidden:
            st.text("title: refused")

    outcome = {}
    for role in roles.ROLES:
        at = AppTest.from_function(script, default_timeout=60)
        at.session_state["as"] = role
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        outcome[role] = [x.value.split(": ")[1] for x in at.text]
    assert outcome == {
        "mayor_office": ["ran", "ran", "ran", "ran"],
        "analyst": ["ran", "ran", "ran", "refused"],
        "investor": ["refused", "refused", "ran", "refused"],
    }


def test_investor_allow_list_names_real_queries():
    import queries

    assert roles.INVESTOR_QUERIES <= set(queries.names())
    assert not {"complaint_points", "alerts_overdue", "quarantine_rows", "batches"} & roles.INVESTOR_QUERIES


# --- what each role sees on shared pages ------------------------------------------------------------------


def test_investor_overview_is_headline_numbers_only():
    mayor, investor = run(app("mayor_office")), run(app("investor"))
    assert len(mayor.dataframe) >= 3 and len(charts(mayor)) >= 2  # alert tables, trend and worst districts
    assert not investor.dataframe and not charts(investor)
    shown = {m.label: m.value for m in investor.metric}
    # EXPECTED.md, current period: 22 received, backlog 12; the day window has fewer than 5 items
    assert shown["접수 건수"] == "22" and shown["미처리 잔량"] == "12" and shown["도시 점수 · 일"] == "<5"
    assert {m.label: m.value for m in mayor.metric}["도시 점수 · 일"] != "<5"


def test_investor_participation_suppresses_every_group_under_5():
    mayor = open_page("mayor_office", "views/participation.py")
    investor = open_page("investor", "views/participation.py")
    cards = {m.label: m.value for m in investor.metric}
    assert cards["채택률"] == "<5"  # EXPECTED.md: 1 adopted of 2 decided
    assert {m.label: m.value for m in mayor.metric}["채택률"] == "50.0%"
    assert cards["접수 건수"] == "22"

    full = mayor.dataframe[0].value  # the mayor's office sees the numbers (column names; headers are config)
    shown = investor.dataframe[0].value  # the investor's is text, headed
    assert list(shown.columns) == ["읍면동", "인구(18세 이상)", "접수", "참여자", "1,000명당 참여자", "1,000명당 접수"]
    assert shown["읍면동"].tolist() == full["name_ko"].tolist()
    for (_, a), (_, b) in zip(full.iterrows(), shown.iterrows(), strict=True):
        for count, header, per_1000 in (("received", "접수", "1,000명당 접수"), ("participants", "참여자", "1,000명당 참여자")):
            if a[count] < 5:
                assert (b[header], b[per_1000]) == ("<5", "<5"), a
            else:
                assert b[header] == f"{a[count]:,}"
    assert (shown["접수"] != "<5").sum() == 3  # 보람동 5, 아름동 6, 조치원읍 6 (the rest under 5)

    full_charts, shown_charts = charts(mayor), charts(investor)
    for key in ("part_channels", "part_kinds"):
        counts = {r["label"]: r["value"] for r in full_charts[key]["data"]["values"]}
        bars = {r["label"]: r["value"] for r in shown_charts[key]["data"]["values"]}
        assert any(v is None for v in bars.values())
        assert all(bars[k] is None or bars[k] == v for k, v in counts.items())
    for key in ("part_repeat", "part_ratings", "part_funnel"):
        values = [r["value"] for r in shown_charts[key]["data"]["values"]]
        texts = [r["text"] for r in shown_charts[key]["data"]["values"]]
        assert all((v is None) == (txt == "<5") for v, txt in zip(values, texts, strict=True))
        assert all(v is None or v >= 5 for v in values)
    assert "<5: 국민신문고, 웹" in [c.value for c in investor.caption]


@pytest.mark.parametrize("role", roles.ROLES)
def test_demo_banner_and_role_switch_on_every_page(role):
    at = run(app(role))
    for view in sorted(roles.allowed_pages(role)):
        at.switch_page(f"views/{view}.py")
        run(at)
        assert BANNER in [w.value for w in at.warning], view
        assert at.selectbox(key="demo_role").value == role


def test_analyst_explorer_has_no_complaint_text_but_has_the_sql_console():
    analyst = open_page("analyst", "views/explorer.py")
    mayor = open_page("mayor_office", "views/explorer.py")
    text = {"title", "description_masked"}
    assert text <= set(mayor.multiselect(key="ex_cols_fct_complaints").options)
    assert not text & set(analyst.multiselect(key="ex_cols_fct_complaints").options)
    assert not text & set(analyst.multiselect(key="ex_group_fct_complaints").options)
    assert not text & set(analyst.selectbox(key="ex_f0_col_fct_complaints").options)
    assert not text & set(analyst.dataframe[0].value.columns) and text <= set(mayor.dataframe[0].value.columns)
    for at in (analyst, mayor):
        assert at.text_area(key="sqlc_sql") is not None  # the SQL console (ui/sql_console.py)


def test_analyst_sees_quarantine_field_and_reason_but_no_raw_record():
    analyst = open_page("analyst", "views/data.py")
    mayor = open_page("mayor_office", "views/data.py")
    rows_analyst, rows_mayor = analyst.dataframe[-1].value, mayor.dataframe[-1].value
    assert list(rows_analyst.columns) == ["batch_id", "file", "line", "field", "reason"]
    assert "raw_record" in rows_mayor.columns
    assert rows_analyst[["line", "field"]].values.tolist() == [[34, "satisfaction"]]  # EXPECTED.md: Q01


# --- local accounts ----------------------------------------------------------------------------------------


@pytest.fixture
def accounts_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "accounts.yaml"
    for user, role in (("Kim", "analyst"), ("park", "investor"), ("lee", "mayor_office")):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS[user.lower()] + "\n"))
        assert accounts.main(["--file", str(path), "add", user, "--role", role, "--password-stdin"]) == 0
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(path))
    return path


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return run(at)


def test_accounts_nothing_before_sign_in(accounts_file):
    at = run(app())
    assert at.title[0].value == "세종 스마트시티 운영 대시보드"
    assert [w.label for w in at.text_input] == ["아이디", "비밀번호"]
    assert not pages(at) - {""} and not at.metric and not at.dataframe
    assert BANNER not in [w.value for w in at.warning] and not [s for s in at.selectbox if s.key == "demo_role"]


def test_accounts_wrong_password_refused(accounts_file):
    at = sign_in(run(app()), "kim", "Sejong-analyst-2024")
    assert "아이디 또는 비밀번호가 맞지 않습니다." in [e.value for e in at.error]
    assert at.session_state["authentication_status"] is False
    assert not pages(at) - {""} and not at.metric
    at = sign_in(at, "nobody", PASSWORDS["kim"])
    assert at.session_state["authentication_status"] is False and not at.metric


@pytest.mark.parametrize(("username", "role", "expected"), [
    ("kim", "analyst", STAFF_PAGES), ("KIM", "analyst", STAFF_PAGES),  # user names are case-insensitive
    ("park", "investor", INVESTOR_PAGES), ("lee", "mayor_office", STAFF_PAGES),
])
def test_accounts_right_password_signs_in_with_the_right_role(accounts_file, username, role, expected):
    at = sign_in(run(app()), username, PASSWORDS[username.lower()])
    assert at.session_state["role"] == role
    assert expected <= pages(at) and (role != "investor" or pages(at) == expected)
    assert at.title[0].value == "세종 스마트시티 운영 현황"
    assert not at.text_input  # the login form is gone
    assert f"로그인: {username.lower()} · {roles.ROLE_NAMES[role][0]}" in [c.value for c in at.sidebar.caption]


def test_accounts_role_change_and_removal_count_at_once_and_sign_out(accounts_file):
    at = sign_in(run(app()), "kim", PASSWORDS["kim"])
    assert "explorer" in pages(at)
    assert accounts.main(["--file", str(accounts_file), "role", "kim", "investor"]) == 0
    run(at)
    assert pages(at) == INVESTOR_PAGES
    assert accounts.main(["--file", str(accounts_file), "remove", "kim"]) == 0
    run(at)
    assert "이 계정에는 역할이 없습니다. 관리자에게 문의하세요." in [e.value for e in at.error]
    assert not pages(at) - {""} and not at.metric

    at = sign_in(run(app()), "lee", PASSWORDS["lee"])
    at.sidebar.button(key="auth_sign_out").click()
    run(at)
    assert [w.label for w in at.text_input] == ["아이디", "비밀번호"] and not at.metric


def test_accounts_file_problems_fail_closed(tmp_path, monkeypatch):
    broken = tmp_path / "accounts.yaml"
    broken.write_text(yaml.safe_dump({"cookie": {"key": "k" * 64}, "credentials": {"usernames": {
        "kim": {"password": "plain-text-password", "roles": ["analyst"]}}}}), encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(broken))
    at = run(app())
    assert "계정 파일을 쓸 수 없습니다. 관리자에게 문의하세요." in [e.value for e in at.error]
    assert not pages(at) - {""} and not at.metric and not at.text_input

    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(tmp_path / "gone.yaml"))
    monkeypatch.setenv("DASHBOARD_AUTH", "accounts")  # pinned: a missing file must not open demo mode
    at = run(app())
    assert [e.value for e in at.error] == [f"계정 파일이 없습니다: {tmp_path / 'gone.yaml'}"]
    assert not pages(at) - {""} and not at.metric


def test_accounts_cli(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.yaml"

    def add(user, password, *extra):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return accounts.main(["--file", str(path), "add", user, *extra, "--password-stdin"])

    assert add("choi", "Sejong-2025-pw", "--role", "analyst", "--name", "최분석") == 0
    assert add("choi", "Sejong-2025-pw", "--role", "analyst") == 2  # exists
    assert add("weak", "short1", "--role", "analyst") == 2
    assert add("boss", "Sejong-2025-pw", "--role", "boss") == 2
    assert accounts.main(["--file", str(path), "role", "nobody", "analyst"]) == 2
    assert path.stat().st_mode & 0o777 == 0o600
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    user = config["credentials"]["usernames"]["choi"]
    from streamlit_authenticator import Hasher

    assert user["password"].startswith("$2b$") and Hasher.check_pw("Sejong-2025-pw", user["password"])
    assert "Sejong-2025-pw" not in path.read_text(encoding="utf-8")
    assert user["roles"] == ["analyst"] and user["name"] == "최분석" and len(config["cookie"]["key"]) == 64
    capsys.readouterr()
    assert accounts.main(["--file", str(path), "list"]) == 0
    assert capsys.readouterr().out == "choi\tanalyst\t최분석\n"


# --- OpenID Connect --------------------------------------------------------------------------------------

OIDC = {
    "auth": {"redirect_uri": "https://dashboard.example.go.kr/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "dashboard", "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"},
    "roles": {"claim": "dashboard_role", "claim_values": {"sejong-analysts": "analyst"},
              "emails": {"Mayor@Sejong.go.kr": "mayor_office", "partner@fund.example": "investor"}},
}


def test_role_mapping_from_claims_and_emails():
    config = OIDC["roles"]
    assert role_from_claims({"dashboard_role": "analyst"}, config) == "analyst"
    assert role_from_claims({"dashboard_role": ["investor", "sejong-analysts"]}, config) == "analyst"  # the larger
    assert role_from_claims({"dashboard_role": "investor analyst"}, config) == "analyst"
    assert role_from_claims({"dashboard_role": "admin", "email": "mayor@sejong.go.kr"}, config) == "mayor_office"
    assert role_from_claims({"email": " MAYOR@sejong.go.kr "}, config) == "mayor_office"
    assert role_from_claims({"email": "mayor@sejong.go.kr", "email_verified": False}, config) is None
    assert role_from_claims({"email": "partner@fund.example", "email_verified": True}, config) == "investor"
    assert role_from_claims({"email": "someone@gmail.com"}, config) is None
    assert role_from_claims({"email": "someone@gmail.com"}, config | {"default": "investor"}) == "investor"
    assert role_from_claims({"email": "someone@gmail.com"}, config | {"default": "root"}) is None
    assert role_from_claims({"dashboard_role": "analyst"}, {}) is None  # no claim configured: not trusted


def test_oidc_sign_in_button_then_the_mapped_role():
    at = app(secrets=OIDC)
    at.user = {"is_logged_in": False}
    run(at)
    assert [b.label for b in at.button] == ["로그인"] and not pages(at) - {""} and not at.metric
    at.button[0].click()
    run(at)  # no Authlib here (and no provider): the app says so instead of failing
    assert "로그인을 시작할 수 없습니다. 관리자에게 문의하세요." in [e.value for e in at.error] and not at.metric

    at = app(secrets=OIDC)
    at.user = {"is_logged_in": True, "email": "partner@fund.example", "name": "Partner"}
    run(at)
    assert at.session_state["role"] == "investor" and pages(at) == INVESTOR_PAGES
    assert "로그인: Partner · 투자자" in [c.value for c in at.sidebar.caption]

    at = app(secrets=OIDC)
    at.user = {"is_logged_in": True, "email": "stranger@gmail.com"}
    run(at)
    assert "이 계정에는 대시보드 역할이 없습니다. 관리자에게 문의하세요." in [e.value for e in at.error]
    assert not pages(at) - {""} and not at.metric


# --- production settings ----------------------------------------------------------------------------------


def test_production_settings_are_set_and_documented():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 200
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploying = readme[readme.index("## Deploying"):]
    not_production = {"server.headless", "runner.fastReruns", "theme.primaryColor"}  # no bearing on safety
    for section, values in config.items():
        for key in values:
            assert f"`{section}.{key}`" in deploying or f"{section}.{key}" in not_production, f"{section}.{key} undocumented"
    for needed in ("proxy_set_header Upgrade", "server.baseUrlPath", "[warehouse]", "reporter_key", "[roles.emails]",
                   "python -m ui.accounts add", "flock data/warehouse.duckdb.lock sh -c", "DASHBOARD_AUTH"):
        assert needed in deploying, needed
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert ".streamlit/secrets.toml" in ignored and ".streamlit/accounts.yaml" in ignored
