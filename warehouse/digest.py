"""The mayor's digest: the Overview in one email — city score, headline KPIs with their change, alerts and emerging
issues — written as a self-contained HTML file and a Markdown file for a scheduler to send each morning.

    python -m warehouse digest --period day|week [--db PATH] [--out DIR] [--end YYYY-MM-DD] [--lang ko|en]

The period ends at midnight after the warehouse's as_of day (or at --end, exclusive) and is compared with the
period of equal length before it, exactly like the Overview's cards; the numbers come from the same queries.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

import queries
import scoring
from settings import DATA_DIR
from warehouse.errors import UsageError

PERIODS = {"day": 1, "week": 7}
# (key, Korean name, English name, format) of the headline KPIs, in the Overview's order
KPIS = [
    ("received", "접수 건수", "Received", "count"),
    ("resolution_rate", "처리율", "Resolution rate", "pct"),
    ("on_time_rate", "기한 내 처리율", "On-time rate", "pct"),
    ("median_days_to_close", "처리 기간 중앙값", "Median days to close", "days"),
    ("first_response_hours", "최초 응답 시간", "Time to first response", "hours"),
    ("satisfaction_mean", "만족도", "Satisfaction", "score"),
]
LOWER_IS_BETTER = {"median_days_to_close", "first_response_hours"}
TOP = 5  # rows listed under each alert


@dataclass
class Digest:
    """Everything the digest says, computed once and rendered twice (HTML and Markdown)."""

    period: str
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    score: float | None
    previous_score: float | None
    kpis_used: int
    current: dict
    previous: dict
    overdue: pl.DataFrame
    aq_episodes: pl.DataFrame
    sensors: pl.DataFrame
    silent: pl.DataFrame
    emerging: pl.DataFrame
    names: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


def kpi_values(db: Path, params: dict) -> dict:
    """The Overview's headline KPIs for one period (the same three queries and arithmetic as ui/kpi.values)."""
    row = queries.run("kpi_headline", db=db, **params).row(0, named=True)
    sensors = queries.run("sensor_status", db=db, **params)
    aq = queries.run("aq_daily_grades", db=db, **params)
    row["sensor_completeness"] = sensors["completeness"].mean() if sensors.height else None
    row["aq_good_share"] = (aq["grade"] == 1).mean() if aq.height else None
    return row


def collect(db: Path, period: str, end: dt.date | None = None, lang: str = "ko") -> Digest:
    if period not in PERIODS:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    as_of = queries.run("as_of", db=db)["as_of"][0]
    if as_of is None:
        raise UsageError(f"the warehouse {db} holds no data yet")
    tz = as_of.tzinfo or ZoneInfo("Asia/Seoul")
    last = end or as_of.date() + dt.timedelta(days=1)
    stop = dt.datetime.combine(last, dt.time(), tz)
    start = stop - dt.timedelta(days=PERIODS[period])
    before = start - dt.timedelta(days=PERIODS[period])
    params = {"start": start, "end": stop, "as_of": as_of}
    current, previous = kpi_values(db, params), kpi_values(db, {**params, "start": before, "end": start})
    from warehouse.build import city_of

    goals = scoring.targets(city_of(Path(db)).name or None)
    score, previous_score = scoring.city_score(current, goals), scoring.city_score(previous, goals)
    sensors = queries.run("sensor_status", db=db, **params)
    episodes = queries.run("linkage_episodes", db=db, link=None, window_hours=24, **params)
    districts = queries.run("districts", db=db)
    column = "name_ko" if lang == "ko" else "name_en"
    return Digest(
        period=period, start=start, end=stop, as_of=as_of, score=score.score, previous_score=previous_score.score,
        kpis_used=score.used, current=current, previous=previous,
        overdue=queries.run("alerts_overdue", db=db, **params),
        aq_episodes=queries.run("aq_episodes", db=db, **params),
        sensors=sensors.filter(pl.col("stale") | pl.col("flat_lined")),
        silent=episodes.filter(pl.col("status") == "silent"),
        emerging=queries.run("emerging_issues", db=db, **params),
        names={r["district_code"]: r[column] or r["name_ko"] for r in districts.iter_rows(named=True)},
        links={r["link"]: r["link_ko"] if lang == "ko" else r["link_en"]
               for r in queries.run("linkage_links", db=db).iter_rows(named=True)},
    )


# ------------------------------------------------------------------------------------------------- wording


def _t(lang: str, ko: str, en: str) -> str:
    return ko if lang == "ko" else en


def _value(value, kind: str, lang: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "days":
        return _t(lang, f"{value:.1f}일", f"{value:.1f} d")
    if kind == "hours":
        return _t(lang, f"{value:.1f}시간", f"{value:.1f} h")
    if kind == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def _delta(now, before, kind: str, lang: str) -> str:
    if now is None or before is None:
        return "–"
    diff = now - before
    sign = "+" if diff >= 0 else "−"
    if kind == "pct":
        return f"{sign}{abs(diff) * 100:.1f}%p"
    return sign + _value(abs(diff), kind, lang)


def _when(value: dt.datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M")


def title(d: Digest, lang: str) -> str:
    last = (d.end - dt.timedelta(days=1)).date()
    span = f"{last}" if d.period == "day" else f"{d.start.date()} ~ {last}"
    kind = _t(lang, "일일 브리핑", "daily digest") if d.period == "day" else _t(lang, "주간 브리핑", "weekly digest")
    return _t(lang, f"세종 스마트시티 {kind} — {span}", f"Sejong smart city {kind} — {span}")


def subtitle(d: Digest, lang: str) -> str:
    return _t(lang, f"기준 시점 {_when(d.as_of)} · 직전 같은 기간과 비교", f"As of {_when(d.as_of)} · against the period before")


def sections(d: Digest, lang: str) -> list[tuple[str, str, list[str], list[list[str]] | None, str | None]]:
    """(kind, heading, lines, table rows with header first, note) per section, kind = score | table | alerts: the
    content both renderings share. An alert line's own rows follow it, each after "\n  - "."""
    out = []
    score_line = (f"{_value(d.score, 'score', lang)} ({_t(lang, '직전', 'before')} {_value(d.previous_score, 'score', lang)}, "
                  f"{_delta(d.score, d.previous_score, 'score', lang)})")
    out.append(("score", _t(lang, "도시 점수", "City score"), [score_line], None,
                _t(lang, f"목표 대비 지표 {d.kpis_used}개의 평균; 1 이상이면 목표 달성.",
                   f"Mean of {d.kpis_used} KPIs against their targets; 1 or more is on target.")))
    rows = [[_t(lang, "지표", "KPI"), _t(lang, "값", "Value"), _t(lang, "직전", "Before"), _t(lang, "변화", "Change")]]
    for key, ko, en, kind in KPIS:
        rows.append([_t(lang, ko, en), _value(d.current.get(key), kind, lang), _value(d.previous.get(key), kind, lang),
                     _delta(d.current.get(key), d.previous.get(key), kind, lang)])
    out.append(("table", _t(lang, "핵심 지표", "Headline KPIs"), [], rows,
                _t(lang, "처리 기간·응답 시간은 낮을수록 좋습니다.", "Days to close and response time: lower is better.")))
    lines = [
        _t(lang, f"처리기한 초과 미처리: {d.overdue.height}건", f"Open SLA breaches: {d.overdue.height}")
        + "".join(f"\n  - {r['complaint_id']} · {r['category'] or '–'} · {r['days_overdue']:.1f}"
                  + _t(lang, "일 초과", " days overdue") for r in d.overdue.head(TOP).iter_rows(named=True)),
        _t(lang, f"대기질 주의보 수준 에피소드: {d.aq_episodes.height}건", f"Air-quality advisory episodes: {d.aq_episodes.height}")
        + "".join(f"\n  - {r['station']} · {r['metric']} · {_when(r['started_at'])} · {r['hours']}h · {r['peak']:.0f}"
                  for r in d.aq_episodes.head(TOP).iter_rows(named=True)),
        _t(lang, f"지연·고정값 센서: {d.sensors.height}개", f"Stale or flat-lined sensors: {d.sensors.height}")
        + "".join(f"\n  - {r['name']} · {r['metric']} · " + (_t(lang, "지연", "stale") if r["stale"] else _t(lang, "고정값", "flat"))
                  for r in d.sensors.head(TOP).iter_rows(named=True)),
        _t(lang, f"신고 없는 센서 이상(조용한 문제): {d.silent.height}건", f"Sensor anomalies nobody reported: {d.silent.height}")
        + "".join(f"\n  - {d.names.get(r['district_code'], r['district_code'] or '–')} · {d.links.get(r['link'], r['link'])} · "
                  f"{_when(r['started_at'])} · {r['hours']}h" for r in d.silent.head(TOP).iter_rows(named=True)),
    ]
    out.append(("alerts", _t(lang, "경보", "Alerts"), lines, None, None))
    rows = [[_t(lang, "날짜", "Day"), _t(lang, "읍면동", "District"), _t(lang, "세부 유형", "Category"),
             _t(lang, "접수", "Received"), _t(lang, "평소", "Usual"), "z"]]
    for r in d.emerging.iter_rows(named=True):
        rows.append([str(r["day"]), d.names.get(r["district_code"], r["district_code"]), r["category"], str(r["received"]),
                     f"{r['baseline']:.1f}", f"{r['z']:.1f}"])
    out.append(("table", _t(lang, "급증 이슈", "Emerging issues"),
                [] if d.emerging.height else [_t(lang, "없음", "None")], rows if d.emerging.height else None,
                _t(lang, "하루 5건 이상이고 직전 28일 대비 강건 z ≥ 3인 읍면동 × 세부 유형.",
                   "Category × district days with 5+ items and robust z ≥ 3 against the previous 28 days.")))
    return out


def markdown(d: Digest, lang: str = "ko") -> str:
    parts = [f"# {title(d, lang)}", "", subtitle(d, lang), ""]
    for kind, heading, lines, rows, note in sections(d, lang):
        parts += [f"## {heading}", ""]
        parts += [{"alerts": f"- {line}", "score": f"**{line}**"}.get(kind, line) for line in lines]
        if rows:
            parts += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            parts += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        if note:
            parts += ["", f"_{note}_"]
        parts.append("")
    return "\n".join(parts)


def _html_table(rows: list[list[str]]) -> str:
    cell = "padding:4px 10px;border-bottom:1px solid #e0e4e8;text-align:left"
    head = "".join(f'<th style="{cell};background:#f3f6f9">{html.escape(c)}</th>' for c in rows[0])
    body = "".join("<tr>" + "".join(f'<td style="{cell}">{html.escape(c)}</td>' for c in r) + "</tr>" for r in rows[1:])
    return f'<table style="border-collapse:collapse;font-size:14px"><tr>{head}</tr>{body}</table>'


def to_html(d: Digest, lang: str = "ko") -> str:
    """A self-contained HTML email: inline styles only, no script, no image, no external link."""
    name = html.escape(title(d, lang))
    out = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{name}</title></head>',
           '<body style="font-family:sans-serif;color:#1f2933;max-width:760px;margin:auto">',
           f'<h1 style="font-size:22px;color:#0b5ca8">{name}</h1>',
           f'<p style="color:#52606d">{html.escape(subtitle(d, lang))}</p>']
    for kind, heading, lines, rows, note in sections(d, lang):
        out.append(f'<h2 style="font-size:18px;margin-top:24px">{html.escape(heading)}</h2>')
        if kind == "alerts":
            items = []
            for line in lines:
                first, *rest = line.split("\n  - ")
                sub = "".join(f"<li>{html.escape(x)}</li>" for x in rest)
                items.append(f"<li><b>{html.escape(first)}</b>" + (f"<ul>{sub}</ul>" if sub else "") + "</li>")
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            size = "26px;font-weight:bold" if kind == "score" else "14px"
            out += [f'<p style="font-size:{size}">{html.escape(line)}</p>' for line in lines]
        if rows:
            out.append(_html_table(rows))
        if note:
            out.append(f'<p style="color:#52606d;font-size:12px">{html.escape(note)}</p>')
    out.append("</body></html>")
    return "\n".join(out)


def write(d: Digest, out_dir: Path, lang: str = "ko") -> tuple[Path, Path]:
    """digest-<period>-<last day>.html and .md in out_dir (written whole, then renamed into place)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"digest-{d.period}-{(d.end - dt.timedelta(days=1)).date()}"
    paths = []
    for suffix, text in ((".html", to_html(d, lang)), (".md", markdown(d, lang))):
        path = out_dir / f"{stem}{suffix}"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths[0], paths[1]


def cmd_digest(args) -> int:
    db = Path(args.db)
    if not db.exists():
        raise UsageError(f"no warehouse at {db} (build one with `python -m warehouse build --demo`)")
    end = None
    if args.end:
        try:
            end = dt.date.fromisoformat(args.end)
        except ValueError as e:
            raise UsageError(f"--end must be a date YYYY-MM-DD, not {args.end!r}") from e
    digest = collect(db, args.period, end, args.lang)
    for path in write(digest, Path(args.out), args.lang):
        print(path)
    return 0


def add_digest_parser(sub, with_db) -> None:
    """The `digest` subcommand of python -m warehouse."""
    d = with_db(sub.add_parser(
        "digest", help="write the mayor's digest (HTML + Markdown)",
        description="Write the Overview as an email-ready digest: city score, headline KPIs with their change, alerts "
                    "and emerging issues, as HTML and Markdown files for a scheduler to send each morning."))
    d.add_argument("--period", choices=list(PERIODS), default="day", help="the day or the week ending at as_of (default day)")
    d.add_argument("--end", help="end of the period, exclusive, YYYY-MM-DD (default: the day after as_of)")
    d.add_argument("--out", default=str(DATA_DIR / "digests"), help="folder for the files (default data/digests)")
    d.add_argument("--lang", choices=["ko", "en"], default="ko", help="language (default ko)")
    d.set_defaults(func=cmd_digest)

