"""Uploads and pulls keep what arrived under a folder named by the UTC time; arrivals in one second never share one."""

from __future__ import annotations

import datetime as dt

from warehouse.pull.fetched import RunDir
from warehouse.stamped_dir import stamped_dir
from warehouse.upload import stage

NOW = dt.datetime(2026, 12, 7, 1, 2, 3, tzinfo=dt.UTC)


def test_arrivals_in_the_same_second_get_their_own_folders(tmp_path):
    made = [stamped_dir(tmp_path / "uploads", NOW) for _ in range(3)]
    assert [p.name for p in made] == ["20261207T010203Z", "20261207T010203Z-2", "20261207T010203Z-3"]
    assert all(p.is_dir() for p in made)


def test_an_upload_and_a_pull_use_them(tmp_path):
    first = stage(b"a,b\n1,2\n", "x.csv", tmp_path / "uploads", NOW)
    second = stage(b"a,b\n3,4\n", "x.csv", tmp_path / "uploads", NOW)
    assert first.original.read_bytes() == b"a,b\n1,2\n" and second.original.read_bytes() == b"a,b\n3,4\n"
    assert second.original.parent.name == "20261207T010203Z-2"
    run = RunDir(tmp_path / "raw", "open311", NOW)
    assert run.path == tmp_path / "raw" / "open311" / "20261207T010203Z"
