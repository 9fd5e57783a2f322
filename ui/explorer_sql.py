"""The explorer's SQL: the one place in the dashboard where SQL text is put together at run time.

Why here and nowhere else: every other result is a static file in queries/*.sql. The explorer lets an
analyst pick the mart, columns, column filters, group-by columns and measures, so one file per choice
would be thousands of files. The assembly is kept safe by three rules, each tested in
tests/test_explorer_sql.py:

- identifiers (mart, column, aggregate) come only from the allow-lists below: a caller names a key, the
  quoted identifier is taken from these dicts, and a key that is not there raises `NotAllowed`;
  `reporter_key`, `boundary` and every raw_*/quarantine/load_batches table are simply not listed;
- every value (filter values, the sidebar period/district/domain/category/kind, limit, offset) travels as
  a parameter `$p0, $p1, …` (`$limit`, `$offset`), never as text in the statement;
- the glue between them (`=`, `contains(lower(…), lower(…))`, `>=`, `group by`, `order by`,
  `limit $limit offset $offset`) is fixed text written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

import queries

TEXT, NUMBER, DATE, TIME, BOOL = "text", "number", "date", "time", "bool"
CAST = {TEXT: "varchar", NUMBER: "double", DATE: "date", TIME: "timestamptz", BOOL: "boolean"}
OPS = ("eq", "contains", "range")
AGGS = {"count": "count", "sum": "sum", "mean": "avg", "min": "min", "max": "max"}
MAX_LIMIT = 10_000_000

# The sidebar filters, as fixed fragments per mart; {p} becomes a generated parameter name.
_COMPLAINT_TIME = {"start": '"requested_at" >= {p}', "end": '"requested_at" < {p}'}
_DAY = {"start": '"day" >= cast({p} as date)', "end": '"day" < cast({p} as date)'}
_COMPLAINT_DIMS = {
    "district": '"district_code" = {p}', "domain": '"domain" = {p}',
    "category": '"category" = {p}', "kind": '"kind" = {p}',
}
_BY_SENSOR = {
    "district": '"sensor_id" in (select sensor_id from dim_sensor where district_code = {p})',
    "domain": '"sensor_id" in (select sensor_id from dim_sensor where domain = {p})',
}
_SENSOR_AGG = {"sensor_id": TEXT, "metric": TEXT}
_STATS = {"n": NUMBER, "n_flagged": NUMBER, "value_sum": NUMBER, "mean": NUMBER, "min": NUMBER, "max": NUMBER}


@dataclass(frozen=True)
class Mart:
    columns: dict[str, str]            # allowed column → kind (TEXT, NUMBER, DATE, TIME, BOOL)
    order: tuple[str, ...]             # stable row order for paging
    shared: dict[str, str] = field(default_factory=dict)  # sidebar filter key → fragment


MARTS: dict[str, Mart] = {
    "fct_complaints": Mart(
        columns={
            "complaint_id": TEXT, "source": TEXT, "source_id": TEXT, "kind": TEXT, "category": TEXT,
            "domain": TEXT, "district_code": TEXT, "channel": TEXT, "status": TEXT, "status_raw": TEXT,
            "requested_at": TIME, "first_response_at": TIME, "closed_at": TIME, "due_at": TIME, "updated_at": TIME,
            "lat": NUMBER, "lon": NUMBER, "votes": NUMBER, "adopted": BOOL, "satisfaction": NUMBER,
            "agency": TEXT, "title": TEXT, "description_masked": TEXT, "quality": TEXT, "batch_id": NUMBER,
        },  # reporter_key is personal (pseudonymous) data: never shown or downloaded here
        order=("requested_at", "complaint_id"),
        shared=_COMPLAINT_TIME | _COMPLAINT_DIMS,
    ),
    "fct_sensor_readings": Mart(
        columns={"sensor_id": TEXT, "metric": TEXT, "measured_at": TIME, "value": NUMBER, "unit": TEXT, "quality": TEXT},
        order=("measured_at", "sensor_id", "metric"),
        shared={"start": '"measured_at" >= {p}', "end": '"measured_at" < {p}'} | _BY_SENSOR,
    ),
    "agg_complaints_daily": Mart(
        columns={
            "day": DATE, "district_code": TEXT, "domain": TEXT, "category": TEXT, "kind": TEXT, "channel": TEXT,
            "received": NUMBER, "closed": NUMBER, "duration_n": NUMBER, "duration_days_sum": NUMBER,
            "first_response_n": NUMBER, "first_response_hours_sum": NUMBER, "on_time": NUMBER, "late": NUMBER,
            "satisfaction_n": NUMBER, "satisfaction_sum": NUMBER, "votes_sum": NUMBER,
            "proposals_decided": NUMBER, "proposals_adopted": NUMBER,
        },
        order=("day", "district_code", "domain", "category", "kind", "channel"),
        shared=_DAY | _COMPLAINT_DIMS,
    ),
    "agg_sensor_hourly": Mart(
        columns=_SENSOR_AGG | {"hour": TIME, "day": DATE} | _STATS,
        order=("hour", "sensor_id", "metric"),
        shared={"start": '"hour" >= {p}', "end": '"hour" < {p}'} | _BY_SENSOR,
    ),
    "agg_sensor_daily": Mart(
        columns=_SENSOR_AGG | {"day": DATE} | _STATS,
        order=("day", "sensor_id", "metric"),
        shared=_DAY | _BY_SENSOR,
    ),
    "dim_district": Mart(
        columns={
            "district_code": TEXT, "name_ko": TEXT, "name_en": TEXT, "kind": TEXT, "population": NUMBER,
            "population_year": NUMBER, "centroid_lat": NUMBER, "centroid_lon": NUMBER,
        },  # boundary (GeoJSON) left out: large and of no use in a table
        order=("district_code",),
        shared={"district": '"district_code" = {p}'},
    ),
    "dim_sensor": Mart(
        columns={
            "sensor_id": TEXT, "source": TEXT, "name": TEXT, "domain": TEXT, "district_code": TEXT,
            "lat": NUMBER, "lon": NUMBER, "expected_interval_s": NUMBER, "first_seen": TIME, "last_seen": TIME,
        },
        order=("sensor_id",),
        shared={"district": '"district_code" = {p}', "domain": '"domain" = {p}'},
    ),
}


class NotAllowed(ValueError):
    """A mart, column, operator or aggregate that is not in the allow-list."""


@dataclass(frozen=True)
class ColumnFilter:
    column: str
    op: str                 # eq | contains | range
    value: object = None    # eq, contains
    low: object = None      # range (inclusive)
    high: object = None     # range (inclusive)


@dataclass(frozen=True)
class Measure:
    agg: str                # count | sum | mean | min | max
    column: str | None = None  # None for count(*)

    @property
    def alias(self) -> str:
        return "count" if self.agg == "count" and self.column is None else f"{self.agg}_{self.column}"


@dataclass(frozen=True)
class Query:
    sql: str
    params: dict

    def key(self) -> tuple:
        """Hashable identity (for caches)."""
        return self.sql, tuple(sorted(self.params.items()))


def mart(name: str) -> Mart:
    if name not in MARTS:
        raise NotAllowed(f"mart {name!r} is not in the explorer's allow-list")
    return MARTS[name]


def table(mart_name: str) -> str:
    """The quoted name of an allow-listed mart."""
    mart(mart_name)
    return f'"{mart_name}"'


def ident(mart_name: str, column: str) -> str:
    """The quoted identifier of an allow-listed column of an allow-listed mart."""
    m = mart(mart_name)
    if column not in m.columns:
        raise NotAllowed(f"column {column!r} of {mart_name} is not in the explorer's allow-list")
    return f'"{column}"'


def numeric_columns(mart_name: str) -> list[str]:
    return [c for c, k in mart(mart_name).columns.items() if k == NUMBER]


def applicable_shared(mart_name: str) -> list[str]:
    """Which sidebar filters this mart can take."""
    return list(mart(mart_name).shared)


class _Params:
    def __init__(self) -> None:
        self.values: dict = {}

    def add(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _filter_fragment(mart_name: str, f: ColumnFilter, p: _Params) -> list[str]:
    col = ident(mart_name, f.column)
    kind = mart(mart_name).columns[f.column]
    if f.op not in OPS:
        raise NotAllowed(f"filter operator {f.op!r} is not allowed")
    if f.op == "eq":
        if f.value is None:
            return []
        if kind == TIME:  # a timestamp equals a day: on that day, in the warehouse's time zone
            return [f"cast({col} as date) = cast({p.add(f.value)} as date)"]
        return [f"{col} = cast({p.add(f.value)} as {CAST[kind]})"]
    if f.op == "contains":
        if kind != TEXT:
            raise NotAllowed(f"'contains' needs a text column, {f.column!r} is {kind}")
        if f.value in (None, ""):
            return []
        return [f"contains(lower({col}), lower(cast({p.add(f.value)} as varchar)))"]
    if kind not in (NUMBER, DATE, TIME):
        raise NotAllowed(f"'range' needs a number, date or time column, {f.column!r} is {kind}")
    target = f"cast({col} as date)" if kind == TIME else col
    cast = "date" if kind in (DATE, TIME) else "double"
    out = []
    if f.low is not None:
        out.append(f"{target} >= cast({p.add(f.low)} as {cast})")
    if f.high is not None:
        out.append(f"{target} <= cast({p.add(f.high)} as {cast})")
    return out


def _where(mart_name: str, shared: dict | None, filters: list[ColumnFilter] | tuple, p: _Params) -> str:
    m = mart(mart_name)
    parts = []
    for key, fragment in m.shared.items():
        value = (shared or {}).get(key)
        if value is not None:
            parts.append(fragment.format(p=p.add(value)))
    for f in filters:
        parts.extend(_filter_fragment(mart_name, f, p))
    return "where " + " and ".join(parts) if parts else ""


def _page(p: _Params, limit: int, offset: int) -> str:
    if not 0 < int(limit) <= MAX_LIMIT or int(offset) < 0:
        raise ValueError("limit must be 1…10,000,000 and offset ≥ 0")
    p.values.update(limit=int(limit), offset=int(offset))
    return "limit $limit offset $offset"


def _measure(mart_name: str, m: Measure) -> str:
    if m.agg not in AGGS:
        raise NotAllowed(f"aggregate {m.agg!r} is not allowed")
    if m.column is None:
        if m.agg != "count":
            raise NotAllowed(f"{m.agg} needs a column")
        return 'count(*) as "count"'
    col = ident(mart_name, m.column)
    if mart(mart_name).columns[m.column] != NUMBER:
        raise NotAllowed(f"{m.agg} needs a numeric column, {m.column!r} is not")
    return f'{AGGS[m.agg]}({col}) as "{m.alias}"'


def select_rows(
    mart_name: str, columns: list[str], shared: dict | None = None, filters=(), *, limit: int, offset: int = 0,
) -> Query:
    """Rows of the mart (only the chosen allow-listed columns), filtered, in a stable order, one page."""
    if not columns:
        raise NotAllowed("choose at least one column")
    p = _Params()
    cols = ", ".join(ident(mart_name, c) for c in columns)
    where = _where(mart_name, shared, filters, p)
    order = ", ".join(ident(mart_name, c) for c in mart(mart_name).order)
    sql = f"select {cols} from {table(mart_name)} {where} order by {order} {_page(p, limit, offset)}"  # noqa: S608 (allow-listed)
    return Query(sql, p.values)


def count_rows(mart_name: str, shared: dict | None = None, filters=()) -> Query:
    p = _Params()
    where = _where(mart_name, shared, filters, p)
    return Query(f"select count(*) as n from {table(mart_name)} {where}", p.values)  # noqa: S608 (allow-listed)


def grouped(
    mart_name: str, group_by: list[str], measures: list[Measure], shared: dict | None = None, filters=(),
    *, limit: int, offset: int = 0,
) -> Query:
    """One row per combination of the group-by columns with the measures, ordered by the groups."""
    if not measures:
        raise NotAllowed("choose at least one measure")
    p = _Params()
    groups = [ident(mart_name, c) for c in group_by]
    aliases = [m.alias for m in measures]
    if len(set(aliases)) != len(aliases) or set(aliases) & set(group_by):
        raise NotAllowed("each measure once, and not named like a group column")
    select = ", ".join(groups + [_measure(mart_name, m) for m in measures])
    where = _where(mart_name, shared, filters, p)
    group = "group by " + ", ".join(groups) if groups else ""
    order = "order by " + ", ".join(f"{g} nulls last" for g in groups) if groups else ""
    sql = f"select {select} from {table(mart_name)} {where} {group} {order} {_page(p, limit, offset)}"  # noqa: S608 (allow-listed)
    return Query(sql, p.values)


def count_groups(mart_name: str, group_by: list[str], shared: dict | None = None, filters=()) -> Query:
    if not group_by:
        return Query("select 1 as n", {})
    p = _Params()
    groups = ", ".join(ident(mart_name, c) for c in group_by)
    where = _where(mart_name, shared, filters, p)
    sql = f"select count(*) as n from (select {groups} from {table(mart_name)} {where} group by {groups})"  # noqa: S608 (allow-listed)
    return Query(sql, p.values)


def run(query: Query, db=None) -> pl.DataFrame:
    """Run an assembled query on the dashboard's shared read-only connection (its own cursor)."""
    cur = queries.cursor(db)
    try:
        frame = cur.sql(query.sql, params=query.params or None).pl()
    finally:
        cur.close()
    # sum() over bigint comes back as a 38-digit decimal: plain integers/floats chart and export cleanly
    return frame.with_columns(
        pl.col(c).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        for c, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)
    )


def pivot(frame: pl.DataFrame, rows: str, columns: str, value: str, max_columns: int = 50) -> pl.DataFrame:
    """A grouped result (one row per rows × columns) turned into a rows × columns table of `value`."""
    keys = frame.get_column(columns).cast(pl.String).fill_null("–")
    frame = frame.with_columns(keys.alias(columns))
    keep = frame.get_column(columns).unique(maintain_order=True).head(max_columns).to_list()
    frame = frame.filter(pl.col(columns).is_in(keep))
    out = frame.pivot(on=columns, index=rows, values=value, aggregate_function="first", sort_columns=True)
    return out.sort(rows, nulls_last=True)


def coerce(kind: str, value):
    """A widget's value as the parameter type of a column kind (dates stay dates)."""
    if value is None or value == "":
        return None
    if kind == NUMBER:
        return float(value)
    if kind == BOOL:
        return bool(value)
    if kind in (DATE, TIME) and isinstance(value, dt.datetime):
        return value.date()
    return value
