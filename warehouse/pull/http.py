"""One HTTP session for a pull: a timeout on every call, retries with exponential backoff, Retry-After on 429.

Connection errors, timeouts and 5xx answers are retried (the remote end is usually busy or restarting);
other 4xx answers are not (asking again will not help). When it gives up, the error names the URL (with
secrets masked), the HTTP status and the start of the body, so an operator can see what the server said.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from warehouse.errors import DataError, UsageError

USER_AGENT = "sejong-smartcity-warehouse-pull/1.0"
SECRET_PARAMS = {"api_key", "apikey", "key", "token", "access_token"}
MAX_BACKOFF_S = 60.0


class RemoteError(DataError):
    """The remote end failed or answered something unusable, after the retries (exit code 1)."""

    def __init__(self, url: str, message: str, *, status: int | None = None, body: str = ""):
        self.url, self.status, self.body = redact(url), status, body
        parts = [f"GET {self.url}"]
        if status is not None:
            parts.append(f"HTTP {status}")
        parts.append(message)
        if body:
            parts.append(f"body: {body}")
        super().__init__(": ".join(parts))


@dataclass
class Page:
    """One answer: the URL it came from, the bytes as received (written to data/raw) and the parsed JSON."""

    url: str
    content: bytes
    data: Any


def redact(url: str) -> str:
    """The URL with the values of secret query parameters (api_key, token …) replaced by ***."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="$(),=:'* ")))


def excerpt(text: str, limit: int = 300) -> str:
    """The start of a response body on one line, for error messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class Fetcher:
    """GET JSON documents through one requests.Session with timeouts, bounded retries and backoff."""

    def __init__(
        self, session: requests.Session | None = None, *, timeout: float = 30.0, retries: int = 5,
        backoff: float = 1.0, max_wait: float = 300.0, log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if timeout <= 0 or retries < 0 or backoff < 0 or max_wait < 0:
            raise UsageError("--timeout must be positive; --retries, --backoff and --max-wait must not be negative")
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["Accept"] = "application/json"
        self.timeout, self.retries, self.backoff, self.max_wait = timeout, retries, backoff, max_wait
        self.log = log or (lambda message: None)
        self.sleep = sleep
        self.requests_made = 0

    def _delay(self, attempt: int) -> float:
        return min(MAX_BACKOFF_S, self.backoff * 2 ** (attempt - 1))

    def get_json(self, url: str, params: dict | None = None) -> Page:
        """The parsed JSON at url (with params); retries what may pass, raises RemoteError when it gives up."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                self.requests_made += 1
                response = self.session.get(url, params=params, timeout=self.timeout)
                content = response.content
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema) as exc:
                raise UsageError(f"not a usable URL: {redact(url)} ({exc})") from exc
            except requests.exceptions.RequestException as exc:
                full = requests.Request("GET", url, params=params).prepare().url or url
                timed_out = isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc)
                problem = "timed out" if timed_out else "connection failed"
                if last:
                    detail = f"{type(exc).__name__}: {excerpt(str(exc), 200)}"
                    raise RemoteError(full, f"{problem} after {attempts} attempt(s) ({detail})") from exc
                wait = self._delay(attempt)
                self.log(f"{problem}: GET {redact(full)}; retry {attempt}/{self.retries} in {wait:g} s")
                self.sleep(wait)
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                body = excerpt(response.text)
                if last:
                    raise RemoteError(response.url, f"gave up after {attempts} attempt(s)", status=status, body=body)
                wait = self._delay(attempt)
                if status == 429:
                    asked = retry_after(response.headers.get("Retry-After"))
                    wait = min(self.max_wait, asked) if asked is not None else wait
                self.log(f"HTTP {status}: GET {redact(response.url)}; retry {attempt}/{self.retries} in {wait:g} s")
                self.sleep(wait)
                continue
            if status >= 400:
                raise RemoteError(response.url, "the server refused the request", status=status, body=excerpt(response.text))
            try:
                data = json.loads(content)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise RemoteError(response.url, f"not JSON ({exc})", status=status, body=excerpt(response.text)) from exc
            return Page(url=response.url, content=content, data=data)
        raise AssertionError("unreachable")  # the last attempt either returns or raises
