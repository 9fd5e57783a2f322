"""Sign-in: who may look, and as which role, before any page is registered.

Three modes, decided per run by `mode()`:
- "oidc": `.streamlit/secrets.toml` has an `[auth]` section, so Streamlit's own OpenID Connect login
  (`st.login`, `st.user`) is used; the role comes from a claim or an e-mail → role table (`[roles]`);
- "accounts": a local accounts file exists (`$DASHBOARD_ACCOUNTS`, else `.streamlit/accounts.yaml`) with
  bcrypt password hashes, checked by streamlit-authenticator; users are added with `python -m ui.accounts`;
- "demo": neither — no sign-in, a banner on every page and a role switcher in the sidebar.
`$DASHBOARD_AUTH` pins the mode, so a production server whose accounts file went missing refuses to
open instead of falling back to demo mode. Any configuration error stops the run: it never opens up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import streamlit as st
import yaml
from streamlit.errors import StreamlitAuthError, StreamlitMissingAuthlibError, StreamlitSecretNotFoundError

import settings
from ui.i18n import t
from ui.roles import DEFAULT_ROLE, LEAST, ROLES, role_name

MODES = ("oidc", "accounts", "demo")
COOKIE_NAME = "sejong_dashboard_auth"
log = logging.getLogger(__name__)


class AccountsError(ValueError):
    """An accounts file that cannot be used (the message names the file and the field)."""


def accounts_path() -> Path:
    """The local accounts file: $DASHBOARD_ACCOUNTS, else .streamlit/accounts.yaml (kept out of git)."""
    return Path(os.environ.get("DASHBOARD_ACCOUNTS") or settings.ROOT / ".streamlit" / "accounts.yaml")


def _secrets() -> Mapping:
    """The app's secrets; nothing when there is no secrets file, an error when one is there but unreadable
    (so a typo in secrets.toml cannot silently turn a production sign-in into demo mode)."""
    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as e:
        if any(Path(p).exists() for p in st.get_option("secrets.files")):
            raise ValueError(t("secrets.toml 파일을 읽을 수 없습니다.", "secrets.toml cannot be read.")) from e
        return {}


def mode() -> str:
    """"oidc", "accounts" or "demo" (see the module docstring); $DASHBOARD_AUTH pins it."""
    pinned = os.environ.get("DASHBOARD_AUTH", "").strip().lower()
    if pinned:
        if pinned not in MODES:
            raise ValueError(f"$DASHBOARD_AUTH must be one of {', '.join(MODES)}, not {pinned!r}")
        return pinned
    if "auth" in _secrets():
        return "oidc"
    if accounts_path().exists():
        return "accounts"
    return "demo"


def best_role(candidates: Iterable[str]) -> str | None:
    """The most-privileged valid role among the candidates (a user entitled to two roles gets the larger)."""
    names = {str(c).strip() for c in candidates}
    return next((r for r in ROLES if r in names), None)


def role_from_claims(user: Mapping, config: Mapping) -> str | None:
    """An OIDC user's role: the configured claim, else the e-mail → role table, else the default; None = no access.

    `config` is the `[roles]` secrets section: `claim` (a claim holding a role, or values mapped through
    `[roles.claim_values]`, e.g. group names), `[roles.emails]` (e-mail → role, case-insensitive; only
    used when the provider does not say the address is unverified) and `default` (role for everyone else;
    absent or "" = refused).
    """
    claim = config.get("claim")
    if claim and user.get(claim) is not None:
        raw = user[claim]
        values = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
        mapping = {str(k): str(v) for k, v in (config.get("claim_values") or {}).items()}
        role = best_role(mapping.get(str(v), str(v)) for v in values)
        if role:
            return role
    email = str(user.get("email") or "").strip().lower()
    if email and user.get("email_verified") is not False:
        emails = {str(k).strip().lower(): str(v) for k, v in (config.get("emails") or {}).items()}
        role = best_role([emails.get(email, "")])
        if role:
            return role
    return best_role([config.get("default") or ""])


def load_accounts(path: Path) -> dict:
    """The accounts file as streamlit-authenticator's config (credentials + cookie), checked."""
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise AccountsError(f"{path}: cannot read the accounts file: {e}") from e
    users = (config.get("credentials") or {}).get("usernames")
    if not isinstance(users, dict):
        raise AccountsError(f"{path}: field credentials.usernames is missing (add a user with `python -m ui.accounts add`)")
    for name, user in users.items():
        hashed = str((user or {}).get("password", ""))
        if not hashed.startswith(("$2a$", "$2b$", "$2y$")):
            raise AccountsError(f"{path}: credentials.usernames.{name}.password is not a bcrypt hash")
    cookie = config.get("cookie") or {}
    if len(str(cookie.get("key", ""))) < 32:
        raise AccountsError(f"{path}: field cookie.key must be a random secret of at least 32 characters")
    cookie.setdefault("name", COOKIE_NAME)
    cookie.setdefault("expiry_days", 0)
    config["cookie"] = cookie
    return config


def account_role(config: Mapping, username: str | None) -> str | None:
    user = ((config.get("credentials") or {}).get("usernames") or {}).get((username or "").lower()) or {}
    roles = user.get("roles") or []
    return best_role([roles] if isinstance(roles, str) else roles)


def _front_page() -> None:
    st.title(t("세종 스마트시티 운영 대시보드", "Sejong smart-city operations dashboard"))
    st.caption(t("로그인한 사용자만 볼 수 있습니다.", "Sign in to continue."))


def _signed_in_as(who: str, role: str) -> None:
    st.sidebar.caption(t("로그인: ", "Signed in: ") + f"{who} · {role_name(role)}")


def _demo() -> str:
    names = {r: role_name(r) for r in ROLES}  # fixed for this run, like every other option label
    role = st.sidebar.selectbox(t("역할 (데모)", "Role (demo)"), ROLES, index=ROLES.index(DEFAULT_ROLE), key="demo_role",
                                format_func=names.get)
    st.warning(t("데모 모드 — 로그인 없이 역할을 바꿔 볼 수 있습니다 (사이드바).",
                 "Demo mode — switch role (sidebar) to see what each sees."), icon=":material/science:")
    return role


def _accounts() -> str:
    path = accounts_path()
    if not path.exists():
        st.error(t(f"계정 파일이 없습니다: {path}", f"No accounts file: {path}"))
        st.stop()
    try:
        config = load_accounts(path)
    except AccountsError as e:
        st.error(t("계정 파일을 쓸 수 없습니다. 관리자에게 문의하세요.", "The accounts file cannot be used; ask the administrator."))
        log.error("%s", e)  # the details go to the server log, not to the browser
        st.stop()
    import streamlit_authenticator as stauth

    cookie = config["cookie"]
    # the file is read on every run, so an added, removed or re-roled user counts at once; the library
    # only marks users as logged in inside this run's dict and never writes the file (no path is given).
    # cookie.expiry_days 0 (the default) = no sign-in cookie: a reload of the page asks again
    authenticator = stauth.Authenticate(config["credentials"], cookie["name"], cookie["key"], float(cookie["expiry_days"]),
                                        auto_hash=False)
    form_shown = not st.session_state.get("authentication_status")
    if form_shown:
        _front_page()
    try:  # keys other than login/logout: the library keeps its own state under those names
        authenticator.login(location="main", key="auth_login_form", fields={
            "Form name": t("로그인", "Sign in"), "Username": t("아이디", "Username"),
            "Password": t("비밀번호", "Password"), "Login": t("로그인", "Sign in"),
        })
    except stauth.LoginError as e:  # e.g. a sign-in cookie of a user removed since
        log.warning("sign-in refused: %s", e)
        st.session_state["authentication_status"] = False
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error(t("아이디 또는 비밀번호가 맞지 않습니다.", "Wrong username or password."))
    if not status:
        st.stop()
    if form_shown and not float(cookie["expiry_days"]):
        # draw the pages without the login form above them; with a sign-in cookie configured the run goes on
        # instead, so that the cookie the library just sent reaches the browser (the form goes on the next click)
        st.rerun()
    username = st.session_state.get("username")
    role = account_role(config, username)
    authenticator.logout(t("로그아웃", "Sign out"), "sidebar", key="auth_sign_out")
    if not st.session_state.get("authentication_status"):
        st.rerun()  # signed out just now: back to the login form, nothing more of this run
    if role is None:
        st.error(t("이 계정에는 역할이 없습니다. 관리자에게 문의하세요.", "This account has no role; ask the administrator."))
        st.stop()
    _signed_in_as(st.session_state.get("name") or username, role)
    return role


def _providers(auth: Mapping) -> list[str | None]:
    """Named providers ([auth.<name>] sections), or [None] for the single provider configured in [auth]."""
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return ([None] if "client_id" in auth else []) + named


def _oidc() -> str:
    secrets = _secrets()
    if not st.user.get("is_logged_in"):
        _front_page()
        for provider in _providers(secrets.get("auth") or {}):
            label = t("로그인", "Sign in") + (f" · {provider}" if provider else "")
            if st.button(label, key=f"auth_oidc_{provider or 'default'}", type="primary"):
                try:
                    if provider:
                        st.login(provider)
                    else:
                        st.login()
                except (StreamlitMissingAuthlibError, StreamlitAuthError) as e:  # no Authlib, or [auth] incomplete
                    log.error("OIDC sign-in cannot start: %s", e)
                    st.error(t("로그인을 시작할 수 없습니다. 관리자에게 문의하세요.", "Sign-in cannot start; ask the administrator."))
        st.stop()
    role = role_from_claims(st.user.to_dict(), secrets.get("roles") or {})
    if st.sidebar.button(t("로그아웃", "Sign out"), key="auth_oidc_sign_out"):
        st.logout()
    if role is None:
        st.error(t("이 계정에는 대시보드 역할이 없습니다. 관리자에게 문의하세요.",
                   "This account has no dashboard role; ask the administrator."))
        st.stop()
    _signed_in_as(str(st.user.get("name") or st.user.get("email") or ""), role)
    return role


def gate() -> str:
    """Sign the session in (or take the demo role) and return the role; stop the run while nobody is signed in.

    The role is written to the session on every run from the source of truth (the accounts file, the
    identity token, the demo switcher), so a changed or removed account takes effect on the next click.
    """
    st.session_state["role"] = LEAST  # least access until the sign-in below has said otherwise
    try:
        chosen = mode()
    except ValueError as e:
        st.error(str(e))
        st.stop()
    role = {"oidc": _oidc, "accounts": _accounts, "demo": _demo}[chosen]()
    st.session_state["role"] = role
    return role
