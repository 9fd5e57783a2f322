"""Personal data out before it is stored: masking of free text and keyed hashing of reporter ids.

Text is NFKC-normalised first so that full-width digits (０１０) and symbols (＠, －) cannot slip past the
patterns, and zero-width characters are dropped so that they cannot split a number. The regex engine has no
look-around, so "a number not glued to other digits" is emulated by capturing the neighbours, and each
replacement runs twice: two numbers separated by one character share that character as neighbour, and the
first pass can only use it once.

What is masked, and what is deliberately not (tests/test_pii_masking.py holds the examples):
- resident and foreigner registration numbers (YYMMDD-Gxxxxxx, G = 1–8; with or without the hyphen, spaces,
  dots; also the half-masked 900101-1****** which still gives birth date and sex), in every layer;
- phone numbers: mobile (010, 011, 016–019), landlines with an area code (02, 031–064), 070 / 050x / 080, in
  international form (+82 10…, +82 (0)10…, 0082…), with spaces, dots, dashes, brackets; a local number
  without area code only after a word that says it is a phone number (연락처, 전화, 휴대폰, HP, Tel, ☎);
- e-mail addresses, also with spaces around @ and dots, (at), [at], 골뱅이;
- address detail: unit numbers (101동 1203호, 1203호, 3층) anywhere, and the detail after a road-address
  building number (한누리대로 2130 101-1203 → 한누리대로 2130 ***) or after 아파트/빌라/오피스텔;
- vehicle plates (12가 3456, 123가4567, 서울12가3456): an illegal-parking report names the car, and the plate
  leads to its keeper; bank account numbers after a word that says they are one (계좌, 입금 계좌 농협 …);
- personal names, found by their cue, since a name alone is indistinguishable from a word: after a label
  (성명: 홍길동, 신청인 홍길동 (…), 민원인 홍길동입니다, 저는 홍길동입니다), before 씨/님/氏 or a title
  (홍길동 씨, 홍길동님, 김철 씨, 홍길동 주무관), and in English after Mr/Ms/Dr… or "my name is" / "name:".
  A surname from the common-surname list must start a Korean name, and words that take 님 or a title
  themselves (주무관님, 공무원님, 저는 주민입니다) stay. A bare name with no cue is not found.
Not masked: 15xx/16xx/18xx numbers (전국대표번호 belong to businesses and agencies, not to people, and a
citizen's complaint often names one), dates, amounts, receipt numbers, and the road address up to the
building number (it locates the problem; the unit identifies the household).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import tomllib
from pathlib import Path

import polars as pl

from warehouse import names
from warehouse.errors import UsageError

ZERO_WIDTH = "[\u00ad\u200b-\u200d\u2060\ufeff]"
DASH = "\\-\u2010-\u2015\u2212~\u3161\u1173"  # - ‐ ‑ ‒ – — ― − ~ and ㅡ (Korean users type it as a dash; NFKC: ᅳ)
SEP = rf"[\s.·{DASH}()]*"
RRN = rf"\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[\s.{DASH}]*[1-8](?:\d{{6}}|[*xX●○]{{6}})"
PHONE = (
    rf"(?:(?:\+|00\d{{0,2}})\s*82{SEP}\(?\s*0?\s*\)?{SEP}|\(?0)"  # +82 10 / +82 (0)10 / 0082 10 / 010 / (02)
    rf"(?:1[016789]|2|[3-6][1-5]|70|50[2-8]?|80){SEP}\d{{3,4}}{SEP}\d{{4}}"
)
PHONE_WORDS = r"(?i:연락처|전화번호|전화|휴대폰|핸드폰|휴대전화|폰번호|H\.?P|tel|☎|📞)"
LOCAL_PHONE = rf"({PHONE_WORDS}[\s:：.]*)[2-9]\d{{2,3}}{SEP}\d{{4}}([^0-9]|$)"  # exchange numbers start 2–9
EMAIL = (
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\((?i:at)\)|\[(?i:at)\]|골뱅이)\s*"
    r"[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)*\s*\.\s*[A-Za-z]{2,}"
)
UNIT = r"(?:(?:\d+|[A-Za-z])\s*동\s*)?(?:\d+\s*-\s*)?[A-Za-z]?\d+\s*호(?:실)?|(?:지하\s*)?\d+\s*층"
ROAD_DETAIL = r"((?:대로|로|길)\s*\d+(?:-\d+)?(?:\s*,\s*|\s+))\d+\s*-\s*\d+([^0-9]|$)"  # the building number stays
BUILDING_DETAIL = r"((?:아파트|빌라|맨션|오피스텔|APT|apt)\s*)\d+\s*-\s*\d+([^0-9]|$)"
MASK_RRN = "******-*******"
MASK_PHONE = "***-****-****"
MASK_LOCAL_PHONE = "***-****"
MASK_EMAIL = "***@***"
MASK_DETAIL = "***"
MASK_NAME = "○○○"
PLATE_LETTERS = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자배하허호"
PLATE_REGION = "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
PLATE = rf"(?:(?:{PLATE_REGION})\s?)?\d{{2,3}}\s?[{PLATE_LETTERS}]\s?\d{{4}}"
ACCOUNT = (
    r"((?:계좌번호|계좌|입금\s*계좌|환불\s*계좌)[\s:：]*(?:[가-힣A-Za-z]{1,6}(?:은행|뱅크|금고|우체국)?[\s:：]+)?)"
    rf"\d[\d\s{DASH}]{{7,}}\d([^0-9]|$)"
)


def _digits_alone(pattern: str, mask: str):
    """(pattern, replacement) that only matches a number not glued to other digits.

    The regex engine has no look-around, so the neighbouring characters are captured and put back.
    """
    return rf"(^|[^0-9])(?:{pattern})([^0-9]|$)", rf"${{1}}{mask}${{2}}"


def _twice(text: pl.Expr, pattern: str, replacement: str) -> pl.Expr:
    """replace_all run twice: neighbours captured by one match are free for the adjacent one next time."""
    return text.str.replace_all(pattern, replacement).str.replace_all(pattern, replacement)


def normalized(text: pl.Expr) -> pl.Expr:
    """NFKC (full-width digits and symbols to ASCII) without zero-width characters."""
    return text.str.normalize("NFKC").str.replace_all(ZERO_WIDTH, "")


def mask_rrn(text: pl.Expr) -> pl.Expr:
    """Resident registration numbers are never stored in clear, in any layer."""
    return _twice(normalized(text), *_digits_alone(RRN, MASK_RRN))


def mask_text(text: pl.Expr) -> pl.Expr:
    """Phone numbers, emails, resident numbers and address unit detail masked for the marts."""
    out = mask_rrn(text)
    out = out.str.replace_all(EMAIL, MASK_EMAIL)
    out = _twice(out, *_digits_alone(PHONE, MASK_PHONE))
    out = _twice(out, LOCAL_PHONE, f"${{1}}{MASK_LOCAL_PHONE}${{2}}")
    out = _twice(out, ROAD_DETAIL, f"${{1}}{MASK_DETAIL}${{2}}")
    out = _twice(out, BUILDING_DETAIL, f"${{1}}{MASK_DETAIL}${{2}}")
    out = _twice(out, ACCOUNT, f"${{1}}{MASK_DETAIL}${{2}}")
    out = _twice(out, *_digits_alone(PLATE, MASK_DETAIL))
    out = out.str.replace_all(UNIT, MASK_DETAIL)
    return out.map_batches(mask_names, return_dtype=pl.String, is_elementwise=True)


def mask_names(values: pl.Series) -> pl.Series:
    """Personal names (warehouse/names.py) masked in the values that hold a name cue; the rest untouched."""
    todo = values.str.contains(names.CUE).fill_null(False)
    if not todo.any():
        return values
    found = values.filter(todo).map_elements(lambda t: names.mask(t, MASK_NAME), return_dtype=pl.String)
    return values.scatter(todo.arg_true(), found)


def _only_where_found(text: pl.Expr, masked: pl.Expr) -> pl.Expr:
    return pl.when(masked == normalized(text)).then(text).otherwise(masked)


def mask_where_found(text: pl.Expr) -> pl.Expr:
    """mask_text for short fields (agency, category): a value without personal data is kept exactly as it was."""
    return _only_where_found(text, mask_text(text))


# Every pattern of mask_text needs a digit, an e-mail marker or a name cue in the normalised text, so a value
# with none comes out of mask_text as normalized(value): the patterns need not run on it (most complaint texts).
MAY_MASK = rf"\d|@|\((?i:at)\)|\[(?i:at)\]|골뱅이|{names.CUE}"


def mask_values(values: pl.Series, *, where_found: bool = False) -> pl.Series:
    """mask_text (mask_where_found with `where_found`) of every value, running the patterns only where they may match."""
    frame = values.to_frame("text").with_columns(normalized(pl.col("text")).alias("norm"))
    todo = frame["norm"].str.contains(MAY_MASK).fill_null(False)
    masked = frame["norm"].scatter(todo.arg_true(), frame.filter(todo).select(mask_text(pl.col("text"))).to_series())
    if where_found:
        frame = frame.with_columns(masked.alias("masked"))
        masked = frame.select(_only_where_found(pl.col("text"), pl.col("masked"))).to_series()
    return masked.alias(values.name)


def mask_rrn_where_found(text: pl.Expr) -> pl.Expr:
    """mask_rrn for any field: a value without a resident number is kept exactly as it was (no NFKC)."""
    return _only_where_found(text, mask_rrn(text))


# six digits, then another digit within five characters: every resident number (full-width ones too: the
# engine's \d is Unicode) passes this cheap test, which spares the full masking of columns that hold none
MAYBE_RRN = r"\d{6}\D{0,5}\d"


def mask_rrn_in_frame(frame: pl.DataFrame, exempt: set[str] | frozenset[str] = frozenset()) -> pl.DataFrame:
    """Every text column but `exempt` (and internal `_` columns) with its resident numbers masked."""
    columns = [c for c, dtype in frame.schema.items() if dtype == pl.String and c not in exempt and not c.startswith("_")]
    if not columns or frame.is_empty():
        return frame
    found = frame.select(pl.col(c).str.contains(MAYBE_RRN).any() for c in columns).row(0)
    return frame.with_columns(mask_rrn_where_found(pl.col(c)) for c, hit in zip(columns, found, strict=True) if hit)


def secrets_files() -> list[Path]:
    """Streamlit's secrets.toml files, in the order Streamlit reads them (a later file wins)."""
    from settings import ROOT

    return [Path.home() / ".streamlit" / "secrets.toml", ROOT / ".streamlit" / "secrets.toml"]


def _key_from_secrets() -> str | None:
    """[warehouse] reporter_key: from st.secrets inside a running app, else read from the secrets.toml files.

    Streamlit is only asked when the app already imported it, so the CLI build never imports Streamlit.
    """
    if "streamlit" in sys.modules:
        from streamlit import runtime

        if runtime.exists():
            import streamlit as st

            try:
                value = (st.secrets.get("warehouse") or {}).get("reporter_key")
            except FileNotFoundError:  # no secrets file at all
                value = None
            return str(value) if value else None
    value = None
    for path in secrets_files():
        if path.exists():
            try:
                found = (tomllib.loads(path.read_text(encoding="utf-8")).get("warehouse") or {}).get("reporter_key")
            except (OSError, tomllib.TOMLDecodeError) as e:
                # a guessed key would silently change every pseudonym: stop instead
                raise UsageError(f"{path}: cannot read the secrets file for [warehouse] reporter_key: {e}") from e
            value = found or value
    return str(value) if value else None


def reporter_key_secret() -> bytes:
    """The HMAC key: $WAREHOUSE_REPORTER_KEY, else [warehouse] reporter_key in secrets.toml, else a
    per-installation key file outside git ($WAREHOUSE_KEY_FILE, else data/.reporter_key, created once)."""
    env = os.environ.get("WAREHOUSE_REPORTER_KEY")
    if env:
        return env.encode()
    secret = _key_from_secrets()
    if secret:
        return secret.encode()
    from settings import DATA_DIR

    path = Path(os.environ.get("WAREHOUSE_KEY_FILE") or DATA_DIR / ".reporter_key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))


def _keyed_sha256(key: bytes):
    """(inner, outer) SHA-256 states after the padded key: HMAC per RFC 2104, as hmac.new computes it.

    Copying the two prepared states costs a third of calling hmac per id (32,000 reporters in a yearly export).
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner, outer = hashlib.sha256(padded.translate(_IPAD)), hashlib.sha256(padded.translate(_OPAD))
    probe = inner.copy()
    probe.update(b"probe")
    check = outer.copy()
    check.update(probe.digest())
    if check.hexdigest() != hmac.new(key, b"probe", hashlib.sha256).hexdigest():  # never expected
        raise RuntimeError("prepared HMAC states disagree with hmac.new")
    return inner, outer


def hash_reporters(values: pl.Series, source: str, memo: dict | None = None) -> pl.Series:
    """Pseudonymous reporter_key: keyed hash of source + id, so keys cannot be reversed or joined across cities.

    `memo` (a dict the caller keeps for one file) remembers digests between calls, so an id is hashed once.
    """
    key = reporter_key_secret()
    known = {} if memo is None else memo.setdefault((key, source), {})
    distinct = values.drop_nulls().unique().to_list()
    todo = [v for v in distinct if v not in known]
    if todo:
        inner, outer = _keyed_sha256(key)
        prefix = f"{source}\x1f"
        for v in todo:
            stripped = v.strip()
            if not stripped:
                known[v] = None
                continue
            h = inner.copy()
            h.update((prefix + stripped).encode())
            o = outer.copy()
            o.update(h.digest())
            known[v] = o.hexdigest()[:20]
    hashed = [v for v in distinct if known[v] is not None]
    return values.replace_strict(
        pl.Series(hashed, dtype=pl.String), pl.Series([known[v] for v in hashed], dtype=pl.String),
        default=None, return_dtype=pl.String,
    )
