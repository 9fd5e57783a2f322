"""Local accounts for a deployment without an identity provider: `python -m ui.accounts`.

    python -m ui.accounts add USER --role analyst [--name NAME] [--email EMAIL] [--password-stdin]
    python -m ui.accounts role USER investor
    python -m ui.accounts remove USER
    python -m ui.accounts list

The file ($DASHBOARD_ACCOUNTS, else .streamlit/accounts.yaml; `--file` overrides) is streamlit-authenticator's
config: bcrypt hashes made by its Hasher (never a password in clear), one role per user, and the random key
that would sign a sign-in cookie (`cookie.expiry_days`, 0 = none: a reload asks for the password again).
It is written atomically with mode 0600. Exit codes: 0 ok, 1 file problem, 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import os
import secrets
import sys
from pathlib import Path

import yaml

from ui.auth import COOKIE_NAME, AccountsError, accounts_path, load_accounts
from ui.roles import ROLES

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """A bcrypt hash by streamlit-authenticator's Hasher (the same library checks it at sign-in)."""
    # importing the library runs Streamlit code that warns "no runtime" outside an app: keep that out of the CLI
    if "streamlit_authenticator" not in sys.modules:
        from streamlit import logger

        logger.set_log_level("error")
    with contextlib.redirect_stderr(io.StringIO()):
        from streamlit_authenticator import Hasher
    return Hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a password is too weak (KISA guidance: 10+ characters of two kinds, or 8+ of three), else None."""
    kinds = sum(any(test(c) for c in password) for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum()))
    if len(password) >= MIN_LENGTH and kinds >= 2 or len(password) >= 8 and kinds >= 3:
        return None
    return f"use at least {MIN_LENGTH} characters of two kinds (letters, digits, symbols), or 8 of three kinds"


def read(path: Path) -> dict:
    """The accounts file, or a new one with a fresh cookie key when it does not exist yet."""
    if not path.exists():
        return {"cookie": {"name": COOKIE_NAME, "key": secrets.token_hex(32), "expiry_days": 0},
                "credentials": {"usernames": {}}}
    return load_accounts(path)


def write(path: Path, config: dict) -> None:
    """Replace the file atomically, readable by its owner only (it holds hashes and the cookie key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True, sort_keys=False)
    os.replace(tmp, path)
    path.chmod(0o600)


def add_user(config: dict, username: str, password: str, role: str, name: str | None = None, email: str | None = None) -> None:
    users = config["credentials"]["usernames"]
    if username in users:
        raise ValueError(f"user {username!r} already exists (use `role` to change the role)")
    users[username] = {"name": name or username, "email": email or "", "password": hash_password(password), "roles": [role]}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ui.accounts", description="Dashboard accounts (local sign-in).")
    parser.add_argument("--file", type=Path, help="accounts file (default: $DASHBOARD_ACCOUNTS, else .streamlit/accounts.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user (asks for the password twice)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name")
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    role = sub.add_parser("role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    remove = sub.add_parser("remove", help="remove a user")
    remove.add_argument("username")
    sub.add_parser("list", help="list users and roles (no hashes)")
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    path = args.file or accounts_path()
    try:
        config = read(path)
        users = config["credentials"]["usernames"]
        username = getattr(args, "username", "").strip().lower()  # the sign-in lower-cases names too
        if args.command == "list":
            for name, user in sorted(users.items()):
                print(f"{name}\t{','.join(user.get('roles') or [])}\t{user.get('name', '')}")
            return 0
        if args.command != "add" and username not in users:
            raise ValueError(f"no user {username!r} in {path}")
        if args.command == "add":
            password = _password(args.password_stdin)
            if problem := password_problem(password):
                raise ValueError(f"password too weak: {problem}")
            add_user(config, username, password, args.role, args.name, args.email)
        elif args.command == "role":
            users[username]["roles"] = [args.role]
        elif args.command == "remove":
            del users[username]
        write(path, config)
    except AccountsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{args.command} {username}: ok ({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
