"""Helpers for the pull tests: run `python -m warehouse pull …` in-process and read the warehouse afterwards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from warehouse import store
from warehouse.__main__ import main

FAST = ["--backoff", "0.01", "--timeout", "5"]  # retries in milliseconds; a test that needs a short timeout sets its own


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


class Pulls:
    """Runs pulls against one warehouse and one raw dir (both in tmp_path); capsys gives their output."""

    def __init__(self, tmp_path: Path, capsys, feed: str, base_url: str):
        self.db, self.raw = tmp_path / "w.duckdb", tmp_path / "raw"
        self.capsys, self.feed, self.base_url = capsys, feed, base_url

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main(["pull", self.feed, self.base_url, "--db", str(self.db), "--raw-dir", str(self.raw), *FAST, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def query(self, sql: str, params: dict | None = None) -> list[tuple]:
        con = store.connect(self.db, read_only=True, timezone="UTC")
        try:
            return con.execute(sql, params or {}).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params: dict | None = None):
        return self.query(sql, params)[0]

    def watermark(self) -> str | None:
        rows = self.query("select value from meta where key like 'watermark:%'")
        assert len(rows) <= 1, rows
        return rows[0][0] if rows else None

    def batches(self) -> list[tuple]:
        """(rows_read, rows_loaded, rows_updated, rows_duplicate, rows_quarantined) per batch."""
        return self.query("select rows_read, rows_loaded, rows_updated, rows_duplicate, rows_quarantined "
                          "from load_batches order by batch_id")

    def runs(self, source: str) -> list[Path]:
        """The raw folders of the pulls so far, oldest first."""
        return sorted((self.raw / source).iterdir()) if (self.raw / source).exists() else []
