"""Personal data out before it is stored: masking of free text and keyed hashing of reporter ids.

Text is NFKC-normalised first so that full-width digits (０１０) cannot slip past the patterns.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

SEP = r"[\s.\-–—·)]*"
RRN = r"(?:\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s*[-–—]?\s*[1-8]\d{6}"
PHONE = (
    r"(?:\+\s*82" + SEP + r"\(?0?\)?" + SEP + r"|\(?0)"  # +82 10 / +82-(0)10 / 010 / (02)
    r"(?:1[016789]|2|[3-6][1-5]|70|50\d?|80)" + SEP + r"\d{3,4}" + SEP + r"\d{4}"
)
EMAIL = r"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
ADDRESS_DETAIL = r"(?:\d+\s*동\s*)?\d+\s*호(?:실)?|\d+\s*층"
MASK_RRN = "******-*******"
MASK_PHONE = "***-****-****"
MASK_EMAIL = "***@***"
MASK_DETAIL = "***"


def _digits_alone(pattern: str, mask: str):
    """(pattern, replacement) that only matches a number not glued to other digits.

    The regex engine has no look-around, so the neighbouring characters are captured and put back.
    """
    return rf"(^|[^0-9])(?:{pattern})([^0-9]|$)", rf"${{1}}{mask}${{2}}"


def mask_rrn(text: pl.Expr) -> pl.Expr:
    """Resident registration numbers are never stored in clear, in any layer."""
    return text.str.normalize("NFKC").str.replace_all(*_digits_alone(RRN, MASK_RRN))


def mask_text(text: pl.Expr) -> pl.Expr:
    """Phone numbers, emails, resident numbers and address unit detail masked for the marts."""
    out = mask_rrn(text)
    out = out.str.replace_all(EMAIL, MASK_EMAIL)
    out = out.str.replace_all(*_digits_alone(PHONE, MASK_PHONE))
    return out.str.replace_all(ADDRESS_DETAIL, MASK_DETAIL)


def reporter_key_secret() -> bytes:
    """The HMAC key: $WAREHOUSE_REPORTER_KEY, else a per-installation key file outside git."""
    env = os.environ.get("WAREHOUSE_REPORTER_KEY")
    if env:
        return env.encode()
    from settings import DATA_DIR

    path = Path(os.environ.get("WAREHOUSE_KEY_FILE") or DATA_DIR / ".reporter_key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def hash_reporters(values: pl.Series, source: str) -> pl.Series:
    """Pseudonymous reporter_key: keyed hash of source + id, so keys cannot be reversed or joined across cities."""
    key = reporter_key_secret()
    uniques = values.drop_nulls().unique()
    digests = {
        v: hmac.new(key, f"{source}\x1f{v.strip()}".encode(), hashlib.sha256).hexdigest()[:20]
        for v in uniques.to_list()
        if v.strip()
    }
    return values.replace_strict(digests, default=None, return_dtype=pl.String)
