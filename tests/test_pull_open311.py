"""`pull open311` against a real HTTP server on 127.0.0.1 serving the real Bloomington services.json and
requests.json (tests/fixtures/real/: 21 requests of 2012-05-22/23, EDT) plus generated requests.

Every expected number below is worked out by hand from the server's rule (start_date ≤ requested_datetime ≤
end_date, at most page_size answers) and the fixture times; the comments show the working.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import socket
import time
from pathlib import Path

import pytest
from helpers_pull import Pulls, utc
from servers.base import TestServer
from servers.open311_server import BLOOMINGTON_SERVICES, ROOT_PATH, Open311App

from warehouse.__main__ import parser
from warehouse.pull.http import retry_after

EDT = dt.timezone(dt.timedelta(hours=-4))
SERVICES = json.loads(BLOOMINGTON_SERVICES.read_text(encoding="utf-8"))
REAL_NEWEST_UPDATE = "2012-05-23T19:55:30Z"  # 4fbd40b2…: updated 2012-05-23T15:55:30-04:00, the newest of the 21


def _edt(value: dt.datetime) -> str:
    return value.astimezone(EDT).isoformat()


def generated(n: int, first: dt.datetime, step: dt.timedelta) -> list[dict]:
    """n requests gen-001 … in Bloomington's shape: requested every `step` from `first`, updated 30 min later."""
    out = []
    for k in range(1, n + 1):
        requested = first + (k - 1) * step
        service = SERVICES[k % len(SERVICES)]
        out.append({
            "service_request_id": f"gen-{k:03d}", "status": "open", "service_name": service["service_name"],
            "service_code": service["service_code"], "description": f"generated request {k}",
            "agency_responsible": "Street Department", "requested_datetime": _edt(requested),
            "updated_datetime": _edt(requested + dt.timedelta(minutes=30)), "address": None, "address_id": None,
            "zipcode": None, "lat": 39.16, "long": -86.53, "media_url": "",
        })
    return out


@pytest.fixture
def serve():
    servers: list[TestServer] = []

    def _serve(app: Open311App) -> TestServer:
        server = TestServer(app).__enter__()
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.__exit__(None, None, None)


def windows(server: TestServer) -> list[tuple[str, str]]:
    return [(h.query["start_date"], h.query["end_date"]) for h in server.calls("/requests.json")]


def manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_windows_split_when_full_then_a_second_pull_fetches_only_what_changed(serve, tmp_path, capsys):
    # 21 real requests (requested 2012-05-22T20:24:07Z … 2012-05-23T19:55:28Z) + 30 generated on 2012-05-25,
    # every 20 min from 00:10Z (last 09:50Z, updated 10:20Z); the server answers at most page_size = 25.
    app = Open311App.bloomington(generated(30, utc(2012, 5, 25, 0, 10), dt.timedelta(minutes=20)))
    server = serve(app)
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, out, _ = pulls("--since", "2012-05-22T00:00:00Z", "--until", "2012-05-28T00:00:00Z", "--window", "2d",
                         "--page-size", "25", "--country", "US")
    assert code == 0, out
    assert len(server.calls("/services.json")) == 1
    assert windows(server) == [
        ("2012-05-22T00:00:00Z", "2012-05-24T00:00:00Z"),  # 21 real: fewer than 25, kept
        ("2012-05-24T00:00:00Z", "2012-05-26T00:00:00Z"),  # 30 generated: 25 back = full, split
        ("2012-05-24T00:00:00Z", "2012-05-25T00:00:00Z"),  # 0
        ("2012-05-25T00:00:00Z", "2012-05-26T00:00:00Z"),  # 30: full, split
        ("2012-05-25T00:00:00Z", "2012-05-25T12:00:00Z"),  # 30: full, split
        ("2012-05-25T00:00:00Z", "2012-05-25T06:00:00Z"),  # 00:10 … 05:50 = 18
        ("2012-05-25T06:00:00Z", "2012-05-25T12:00:00Z"),  # 06:10 … 09:50 = 12
        ("2012-05-25T12:00:00Z", "2012-05-26T00:00:00Z"),  # 0
        ("2012-05-26T00:00:00Z", "2012-05-28T00:00:00Z"),  # 0
    ]
    assert all(h.query["page_size"] == "25" for h in server.calls("/requests.json"))
    [run] = pulls.runs("open311")
    assert [e["records"] for e in manifest(run)["requests"]] == [46, 21, 25, 0, 25, 25, 18, 12, 0, 0]  # 46 services
    assert [e.get("split", False) for e in manifest(run)["requests"]] == [False, False, True, False, True, True] + [False] * 4
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json", "page-0001.json", "page-0002.json",
                                                     "page-0003.json", "services.json"]
    assert len(json.loads((run / "page-0002.json").read_text(encoding="utf-8"))) == 18
    assert {k: manifest(run)[k] for k in ("status", "batch_id", "watermark")} == {
        "status": "ingested", "batch_id": 1, "watermark": "2012-05-25T10:20:00Z"}
    assert pulls.batches() == [(51, 51, 0, 0, 0)]
    assert pulls.one("select count(*), count(distinct complaint_id), count(*) filter (where source_id like 'gen-%') "
                     "from fct_complaints") == (51, 51, 30)
    assert pulls.watermark() == "2012-05-25T10:20:00Z"  # gen-030's updated_datetime
    assert "page(s) with 51 record(s)" in out and "watermark none → 2012-05-25T10:20:00Z" in out

    # second pull, no --since: from the watermark to --until, 2-day windows: both empty
    code, out, _ = pulls("--until", "2012-05-28T00:00:00Z", "--window", "2d", "--page-size", "25", "--country", "US")
    assert code == 0
    assert windows(server)[9:] == [("2012-05-25T10:20:00Z", "2012-05-27T10:20:00Z"),
                                   ("2012-05-27T10:20:00Z", "2012-05-28T00:00:00Z")]
    assert len(server.calls("/services.json")) == 2
    assert "nothing new" in out
    assert pulls.batches() == [(51, 51, 0, 0, 0)]
    assert pulls.watermark() == "2012-05-25T10:20:00Z"

    # the city closes gen-030 and receives gen-031; a pull with a 1-day lookback starts at 2012-05-24T10:20Z
    gen30 = next(r for r in app.requests if r["service_request_id"] == "gen-030")
    gen30.update(status="closed", updated_datetime=_edt(utc(2012, 5, 26, 9)))
    app.requests.append({**generated(1, utc(2012, 5, 26, 8), dt.timedelta(0))[0], "service_request_id": "gen-031"})
    code, out, _ = pulls("--until", "2012-05-28T00:00:00Z", "--window", "2d", "--page-size", "25", "--country", "US",
                         "--lookback", "1d")
    assert code == 0, out
    assert windows(server)[11:] == [
        ("2012-05-24T10:20:00Z", "2012-05-26T10:20:00Z"),  # 30 + gen-031 = 31: full, split
        ("2012-05-24T10:20:00Z", "2012-05-25T10:20:00Z"),  # 30: full, split
        ("2012-05-24T10:20:00Z", "2012-05-24T22:20:00Z"),  # 0
        ("2012-05-24T22:20:00Z", "2012-05-25T10:20:00Z"),  # 30: full, split
        ("2012-05-24T22:20:00Z", "2012-05-25T04:20:00Z"),  # 00:10 … 04:10 = 13
        ("2012-05-25T04:20:00Z", "2012-05-25T10:20:00Z"),  # 04:30 … 09:50 = 17
        ("2012-05-25T10:20:00Z", "2012-05-26T10:20:00Z"),  # gen-031
        ("2012-05-26T10:20:00Z", "2012-05-28T00:00:00Z"),  # 0
    ]
    # 31 read: gen-031 new, gen-030 newer, the other 29 already stored unchanged
    assert pulls.batches()[1] == (31, 1, 1, 29, 0)
    assert pulls.one("select count(*), count(distinct complaint_id) from fct_complaints") == (52, 52)
    assert pulls.one("select status, updated_at from fct_complaints where source_id = 'gen-030'") == (
        "closed", utc(2012, 5, 26, 9))
    assert pulls.watermark() == "2012-05-26T09:00:00Z"


def _bloomington_pull(pulls: Pulls, *extra: str) -> tuple[int, str, str]:
    return pulls("--since", "2012-05-22T00:00:00Z", "--until", "2012-05-24T00:00:00Z", "--window", "2d",
                 "--country", "US", *extra)


def test_a_500_is_retried_then_the_pull_succeeds(serve, tmp_path, capsys):
    server = serve(Open311App.bloomington())
    server.fail("/requests.json", status=500, body="database is restarting")
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, _, err = _bloomington_pull(pulls)
    assert code == 0
    calls = server.calls("/requests.json")
    assert [h.status for h in calls] == [500, 200]
    assert calls[0].query == calls[1].query
    assert "HTTP 500" in err and "retry 1/5" in err
    assert pulls.batches() == [(21, 21, 0, 0, 0)]
    assert pulls.watermark() == REAL_NEWEST_UPDATE


def test_a_429_waits_for_retry_after(serve, tmp_path, capsys):
    server = serve(Open311App.bloomington())
    server.fail("/requests.json", status=429, body="slow down", headers={"Retry-After": "1"})
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, _, err = _bloomington_pull(pulls)  # backoff 0.01 s: the wait can only come from Retry-After
    assert code == 0
    calls = server.calls("/requests.json")
    assert [h.status for h in calls] == [429, 200]
    assert 1.0 <= calls[1].at - calls[0].at < 10.0  # not the 300 s --max-wait default or more
    assert "HTTP 429" in err and "in 1 s" in err
    assert pulls.batches() == [(21, 21, 0, 0, 0)]


def test_a_response_hanging_past_the_timeout_is_retried(serve, tmp_path, capsys):
    server = serve(Open311App.bloomington())
    server.fail("/requests.json", status=None, hang_s=3)  # answers only after 3 s; the client waits 0.5 s
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, _, err = _bloomington_pull(pulls, "--timeout", "0.5")
    assert code == 0, err
    calls = server.calls("/requests.json")
    assert len(calls) == 2 and calls[0].query == calls[1].query
    assert calls[1].at - calls[0].at >= 0.5  # retried after the timeout …
    assert calls[0].answered is None or calls[1].at < calls[0].answered  # … without waiting for the hung answer
    assert "timed out" in err
    assert pulls.batches() == [(21, 21, 0, 0, 0)]


def test_a_failed_pull_keeps_the_watermark_and_the_next_pull_resumes(serve, tmp_path, capsys):
    app = Open311App.bloomington(jurisdiction="bloomington.in.gov", api_key="s3cret-key")
    server = serve(app)
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    auth = ["--jurisdiction", "bloomington.in.gov", "--api-key", "s3cret-key", "--country", "US", "--window", "6h",
            "--until", "2012-05-26T00:00:00Z"]
    code, out, _ = pulls("--since", "2012-05-22T00:00:00Z", *auth)
    assert code == 0, out
    assert all(h.query["jurisdiction_id"] == "bloomington.in.gov" and h.query["api_key"] == "s3cret-key"
               for h in server.hits)
    assert pulls.batches() == [(21, 21, 0, 0, 0)]
    assert pulls.watermark() == REAL_NEWEST_UPDATE

    # 30 new requests on 2012-05-24 every 20 min from 00:10Z; 6-hour windows from the watermark 2012-05-23T19:55:30Z:
    # the first (→ 05-24T01:55:30Z) holds 00:10 … 01:50 = 6, the second (→ 07:55:30Z) 02:10 … 07:50 = 18, the third 6.
    app.requests += generated(30, utc(2012, 5, 24, 0, 10), dt.timedelta(minutes=20))
    fault = server.fail("/requests.json", status=500, body="upstream timeout: db01", skip=1, times=99)
    before = len(server.calls("/requests.json"))
    code, out, err = pulls(*auth, "--retries", "2")
    assert code == 1
    assert len(server.calls("/requests.json")) - before == 1 + 3  # the first window, then the second 3 times
    assert "requests.json?" in err and "start_date=2012-05-24T01:55:30Z" in err
    assert "HTTP 500" in err and "gave up after 3 attempt(s)" in err and "upstream timeout: db01" in err
    assert "api_key=***" in err and "s3cret-key" not in out + err
    # nothing ingested, the watermark where it was; what was fetched stays on disk
    assert pulls.batches() == [(21, 21, 0, 0, 0)]
    assert pulls.one("select count(*) from fct_complaints") == (21,)
    assert pulls.watermark() == REAL_NEWEST_UPDATE
    failed = pulls.runs("open311")[-1]
    assert sorted(p.name for p in failed.iterdir()) == ["manifest.json", "page-0001.json", "services.json"]
    assert manifest(failed)["status"] == "failed"
    assert "s3cret-key" not in (failed / "manifest.json").read_text(encoding="utf-8")

    fault.times = 0  # the server recovers: the next pull starts from the same watermark
    code, out, _ = pulls(*auth)
    assert code == 0, out
    assert pulls.batches() == [(21, 21, 0, 0, 0), (30, 30, 0, 0, 0)]
    assert pulls.one("select count(*), count(distinct complaint_id) from fct_complaints") == (51, 51)
    assert pulls.watermark() == "2012-05-24T10:20:00Z"  # gen-030: requested 09:50Z, updated 10:20Z


def test_a_window_still_full_at_one_second_is_paged(serve, tmp_path, capsys):
    # three requests at the same second, page_size 2: the window narrows to one second, then page=2 brings
    # the third. The boundary second 12:00:00 belongs to both halves of the first split (inclusive ends), so
    # the three are fetched twice: 6 read, 3 loaded, 3 duplicates.
    same = [{**r, "service_request_id": f"same-{i}"} for i, r in enumerate(generated(3, utc(2012, 6, 1, 12), dt.timedelta(0)))]
    server = serve(Open311App(same, BLOOMINGTON_SERVICES.read_bytes()))
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, out, _ = pulls("--since", "2012-06-01T00:00:00Z", "--until", "2012-06-02T00:00:00Z", "--window", "1d",
                         "--page-size", "2", "--country", "US")
    assert code == 0, out
    noon = utc(2012, 6, 1, 12)
    asked = [(dt.datetime.fromisoformat(h.query["start_date"]), dt.datetime.fromisoformat(h.query["end_date"]),
              h.query.get("page")) for h in server.calls("/requests.json")]
    assert [(s, e, page) for s, e, page in asked if e - s == dt.timedelta(seconds=1) and s <= noon <= e] == [
        (noon - dt.timedelta(seconds=1), noon, None), (noon - dt.timedelta(seconds=1), noon, "2"),
        (noon, noon + dt.timedelta(seconds=1), None), (noon, noon + dt.timedelta(seconds=1), "2"),
    ]
    assert all(e - s >= dt.timedelta(seconds=1) for s, e, _ in asked)
    [run] = pulls.runs("open311")
    assert [len(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(run.glob("page-*.json"))] == [2, 1, 2, 1]
    assert pulls.batches() == [(6, 3, 0, 3, 0)]
    assert pulls.one("select count(*) from fct_complaints") == (3,)


def test_every_pulls_on_a_schedule(serve, tmp_path, capsys):
    # no watermark and no --since: the first run starts 90 days before --until (2012-02-24), 30-day windows
    server = serve(Open311App.bloomington())
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, out, err = pulls("--until", "2012-05-24T00:00:00Z", "--country", "US", "--every", "1s", "--max-runs", "2")
    assert code == 0, err
    assert windows(server) == [
        ("2012-02-24T00:00:00Z", "2012-03-25T00:00:00Z"), ("2012-03-25T00:00:00Z", "2012-04-24T00:00:00Z"),
        ("2012-04-24T00:00:00Z", "2012-05-24T00:00:00Z"),     # the 21
        (REAL_NEWEST_UPDATE, "2012-05-24T00:00:00Z"),         # second run: from the watermark, nothing new
    ]
    services = server.calls("/services.json")
    assert len(services) == 2 and services[1].at - services[0].at >= 1.0
    assert "no watermark yet: started 90 days back" in out and "nothing new" in out
    assert "run 1 ok; next pull in" in err
    assert pulls.batches() == [(21, 21, 0, 0, 0)]


def test_the_watermark_never_passes_the_end_of_the_range(serve, tmp_path, capsys):
    # requested 2012-05-24T00:00Z, updated 12:00Z; the pull asks up to 06:00Z. A watermark of 12:00Z would make
    # the next pull skip requests made between 06:00Z and 12:00Z.
    late = {**generated(1, utc(2012, 5, 24), dt.timedelta(0))[0], "updated_datetime": _edt(utc(2012, 5, 24, 12))}
    server = serve(Open311App([late], BLOOMINGTON_SERVICES.read_bytes()))
    pulls = Pulls(tmp_path, capsys, "open311", server.url + ROOT_PATH)
    code, out, _ = pulls("--since", "2012-05-23T00:00:00Z", "--until", "2012-05-24T06:00:00Z", "--window", "1d",
                         "--country", "US")
    assert code == 0, out
    assert pulls.batches() == [(2, 1, 0, 1, 0)]  # 00:00Z is the boundary of both 1-day windows: one duplicate
    assert pulls.watermark() == "2012-05-24T06:00:00Z"


def test_retry_after_reads_seconds_and_http_dates():
    now = utc(2015, 10, 21, 7, 27, 30)
    assert retry_after("120", now) == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 30.0
    assert retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0  # in the past: at once
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "--since is not an ISO 8601 time"),
    (["--every", "soon"], "--every must look like 30s, 10m, 2h or 1d"),
    (["--max-runs", "2"], "--max-runs needs --every"),
    (["--page-size", "0"], "--page-size must be at least 1"),
])
def test_usage_errors_exit_2(tmp_path, capsys, args, message):
    pulls = Pulls(tmp_path, capsys, "open311", "http://127.0.0.1:9/open311/v2")
    code, _, err = pulls(*args)
    assert code == 2 and message in err
    assert not pulls.db.exists()


def test_not_an_http_url_exits_2(tmp_path, capsys):
    code, _, err = Pulls(tmp_path, capsys, "open311", "ftp://example.org/open311")()
    assert code == 2 and "must be an http(s) URL" in err


def test_an_unreachable_server_exits_1_after_the_retries(tmp_path, capsys):
    pulls = Pulls(tmp_path, capsys, "open311", f"http://127.0.0.1:{_free_port()}/open311/v2")
    started = time.monotonic()
    code, _, err = pulls("--retries", "2")
    assert code == 1
    assert "services.json" in err and "connection failed after 3 attempt(s)" in err
    assert time.monotonic() - started < 20  # milliseconds of backoff, not seconds
    assert not pulls.db.exists()


def test_the_readme_documents_every_pull_option():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Live feeds"):]
    assert "python -m warehouse pull open311 BASE_URL" in section and "python -m warehouse pull sensorthings BASE_URL" in section
    for name in ("WAREHOUSE_RAW_DIR", "WAREHOUSE_OPEN311_API_KEY", "watermark:open311:", "watermark:sensorthings:"):
        assert name in section
    pull = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["pull"]
    feeds = next(a for a in pull._actions if isinstance(a, argparse._SubParsersAction)).choices
    for feed, sub in feeds.items():
        for option in {o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"}:
            assert re.search(rf"`[^`]*{re.escape(option)}\b", section), f"{feed} {option} not in README"
