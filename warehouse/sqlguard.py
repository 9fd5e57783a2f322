"""What the analysts' SQL console may run: one SELECT over the marts and rollups, checked on DuckDB's own parse tree.

`check(sql)` never runs the query. It parses it with DuckDB's parser (`extract_statements` for the
statement types, `json_serialize_sql` for the tree) and walks every node, so comments, letter case,
quoting and nesting (CTEs, subqueries, joins, set operations, lambdas) cannot hide anything:

- exactly one statement, of type SELECT, and inside it only SELECT query nodes (DuckDB parses
  `with d as (delete … returning *) select …` as a SELECT whose CTE is a DELETE: refused);
- every table reference names a mart or rollup in `ALLOWED_TABLES` (optionally `main.`-qualified), or a
  CTE that DuckDB would really bind there. DuckDB binds `with raw_x as (select * from raw_x)`, a
  forward reference to a later CTE and a self-reference in a recursive CTE's anchor to the real table,
  so CTE scope is followed exactly (earlier CTEs, enclosing queries, the recursive part only);
  a CTE may also not be named like a table the console cannot read;
- table functions are allow-listed (`range`, `generate_series`, `unnest`): every file reader, catalog
  function and `query_table`/`histogram` (which take a table *name* as a string) stays out;
- scalar, aggregate and window functions are deny-listed (see `DENIED_FUNCTIONS` for why a deny-list);
- DESCRIBE / SHOW / SUMMARIZE and any construct this walker does not know are refused;
- `reporter_key` (and anything that would carry it: `*` without `exclude (reporter_key)` over
  fct_complaints, a whole-row reference, `#n`, renaming its columns by position) is refused unless
  the caller allows it.

This is the first of two locks: the console's connection is also read-only with external access off
(warehouse/sqlconsole.py), so a gap here still cannot read a file or change the warehouse.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import duckdb

ALLOWED_TABLES = frozenset({
    "fct_complaints", "fct_sensor_readings", "dim_district", "dim_sensor", "dim_calendar",
    "agg_complaints_daily", "agg_sensor_hourly", "agg_sensor_daily",
})
# Allow-list: a table function reads a source the parse tree cannot see (files, the catalog, a table named in a string).
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})

# Deny-list, and why not an allow-list: DuckDB has ~1,000 scalar, aggregate and window functions and
# macros, and an analyst needs most of them (dates, strings, lists, quantiles, regexes). All but a few
# compute on their arguments only; every file and network reader is a table function (allow-listed above)
# or a statement (refused). What is left is this small set that reads or changes the process, the
# session, the catalog or the log. tests/test_sqlguard.py lists every function of the installed DuckDB
# whose name or macro body looks risky and fails until each one is either here or reviewed as pure.
DENIED_FUNCTIONS = frozenset({
    "current_setting", "getenv", "getvariable",                          # settings, environment, variables
    "nextval", "currval", "setval",                                      # sequences (state)
    "write_log", "parse_duckdb_log_message",                             # the log
    "sleep_ms", "pg_sleep",                                              # stalls a worker for nothing
    "json_serialize_sql", "json_deserialize_sql", "json_serialize_plan", # SQL inside a string: unchecked
    "json_execute_serialized_sql", "query", "query_table",
    "get_block_size", "format_type", "format_pg_type", "map_to_pg_oid",  # macros over the catalog
    "col_description", "obj_description", "shobj_description",
    "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port",
})
# pg_typeof / pg_size_pretty are harmless but share the prefix of the catalog macros: typeof / format_bytes do the same.
DENIED_PREFIXES = ("pg_", "has_", "duckdb_", "pragma_", "__internal", "read_", "parquet_", "iceberg_", "delta_",
                   "sqlite_", "postgres_", "mysql_", "st_read")

# Names a CTE may not take: tables and catalog views the console cannot read (see the module docstring).
_FORBIDDEN_NAMES = frozenset({"quarantine", "load_batches", "meta", "sla_days", "information_schema", "sqlite_master",
                              "sqlite_schema", "sqlite_temp_master"})
_FORBIDDEN_NAME_PREFIXES = ("raw_", "stg_", "duckdb_", "pg_", "pragma_", "sqlite_")

REPORTER_KEY = "reporter_key"
_REPORTER_TABLE = "fct_complaints"
MAX_SQL_CHARS = 20_000

_QUERY_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"})
_TABLE_REFS = frozenset({"BASE_TABLE", "TABLE_FUNCTION", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY", "PIVOT", "SHOW_REF"})
_OTHER_NODES = frozenset({"ORDER_MODIFIER", "LIMIT_MODIFIER", "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER",
                          "ORDER_DEFAULT", "ASCENDING", "DESCENDING"})
_KIND = {"LOAD": "INSTALL/LOAD", "SET": "SET/RESET/USE", "MULTI": "PIVOT"}

_parser_lock = threading.Lock()
_parser: dict = {}


@dataclass(frozen=True)
class Checked:
    """The verdict on one piece of SQL: `ok`, or the reason in Korean and English (the page picks one)."""

    sql: str
    ok: bool
    ko: str = ""
    en: str = ""
    tables: frozenset[str] = field(default_factory=frozenset)


class _Refusal(Exception):
    def __init__(self, ko: str, en: str) -> None:
        super().__init__(en)
        self.ko, self.en = ko, en


def _norm(name: str) -> str:
    """Identifier as DuckDB compares it: ASCII letters case-insensitive; anything else exactly as written."""
    return name.lower() if name.isascii() else name


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory connection used only to parse (opened on first use, never at import)."""
    if "con" not in _parser:
        config = {"enable_external_access": False, "autoload_known_extensions": False,
                  "autoinstall_known_extensions": False, "lock_configuration": True}
        _parser["con"] = duckdb.connect(":memory:", config=config)
    return _parser["con"]


def _parse(sql: str) -> dict:
    with _parser_lock:
        con = _connection()
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as e:
            raise _Refusal(f"SQL 구문 오류: {e}", f"SQL syntax error: {e}") from None
        if not statements:
            raise _Refusal("SELECT 문 하나를 입력하세요.", "Enter one SELECT statement.")
        if len(statements) > 1:
            n = len(statements)
            raise _Refusal(f"한 번에 한 문장만 실행합니다 ({n}개 문장이 있습니다).", f"One statement at a time: found {n}.")
        kind = statements[0].type.name
        if kind != "SELECT":
            kind = _KIND.get(kind, kind)
            raise _Refusal(f"{kind} 문은 허용되지 않습니다. 콘솔은 읽기 전용이며 SELECT(또는 WITH … SELECT) 한 문장만 실행합니다.",
                           f"{kind} is not allowed: the console is read-only and runs one SELECT (or WITH … SELECT).")
        tree = json.loads(con.execute("select json_serialize_sql($q)", {"q": sql}).fetchone()[0])
    if tree.get("error") or len(tree.get("statements", ())) != 1:
        msg = tree.get("error_message", "")
        raise _Refusal(f"이 SQL은 검사할 수 없습니다: {msg}", f"This SQL cannot be checked: {msg}")
    return tree["statements"][0]


class _Walker:
    """Walks one parse tree, refusing at the first forbidden node; collects what the reporter_key rule needs."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.row_names: set[str] = set()   # fct_complaints and its aliases: a bare column ref to one = the whole row
        self.column_refs: list[list[str]] = []
        self.reads_key: list[bool] = [False]  # per query node: does its own FROM read fct_complaints directly?
        self.key_paths: set[str] = set()      # how reporter_key could reach the result besides by its name

    def node(self, node: dict, visible: frozenset[str], self_name: str | None = None) -> None:
        """A query node: its CTEs are visible to later CTEs and to its body; a recursive CTE sees itself."""
        kind = node.get("type")
        if kind not in _QUERY_NODES:
            name = str(kind).removesuffix("_NODE").removesuffix("_QUERY")
            raise _Refusal(f"{name} 구문은 허용되지 않습니다 (SELECT만 실행합니다).", f"{name} is not allowed (only SELECT runs).")
        for entry in (node.get("cte_map") or {}).get("map", []):
            name = _norm(entry["key"])
            if name in _FORBIDDEN_NAMES or name.startswith(_FORBIDDEN_NAME_PREFIXES):
                raise _Refusal(f"CTE 이름 '{entry['key']}'은(는) 콘솔에서 읽을 수 없는 표의 이름입니다. 다른 이름을 쓰세요.",
                               f"CTE name '{entry['key']}' is the name of a table the console cannot read; choose another name.")
            value = entry["value"]
            body = value.get("query_node") or (value.get("query") or {}).get("node")
            self.any({k: v for k, v in value.items() if k not in ("query_node", "query")}, visible)
            if body:
                self.node(body, visible, self_name=name)
            visible = visible | {name}  # only later CTEs and the body see it
        self.reads_key.append(kind == "SELECT_NODE" and _REPORTER_TABLE in self.direct_tables(node.get("from_table")))
        try:
            rest = {k: v for k, v in node.items() if k not in ("cte_map", "type", "left", "right", "modifiers")}
            if kind == "RECURSIVE_CTE_NODE":
                recursive = self_name if self_name and _norm(node.get("cte_name", "")) == self_name else None
                self.any(node.get("left"), visible)  # the anchor binds the CTE's own name to a real table
                self.any(node.get("right"), visible | ({recursive} if recursive else set()))
            else:
                rest |= {k: node[k] for k in ("left", "right") if k in node}
            self.any(rest, visible)
            self.modifiers(node.get("modifiers") or [], visible)
        finally:
            self.reads_key.pop()

    @staticmethod
    def direct_tables(ref: dict | None) -> set[str]:
        """Base tables a FROM clause reads itself (through joins and pivots, not inside subqueries)."""
        if not ref:
            return set()
        if ref.get("type") == "BASE_TABLE":
            return {_norm(ref.get("table_name", ""))}
        if ref.get("type") == "JOIN":
            return _Walker.direct_tables(ref.get("left")) | _Walker.direct_tables(ref.get("right"))
        if ref.get("type") == "PIVOT":
            return _Walker.direct_tables(ref.get("source"))
        return set()

    def modifiers(self, modifiers: list, visible: frozenset[str]) -> None:
        """ORDER BY ALL parses as COLUMNS(*): it names result columns, not table columns, so it is no star."""
        for modifier in modifiers:
            for order in modifier.get("orders", []) if modifier.get("type") == "ORDER_MODIFIER" else []:
                expr = order.get("expression") or {}
                if expr.get("class") == "STAR" and expr.get("columns") and not expr.get("expr") and not expr.get("relation_name"):
                    order = {k: v for k, v in order.items() if k != "expression"}
                self.any(order, visible)
            self.any({k: v for k, v in modifier.items() if k != "orders"}, visible)

    def any(self, obj: object, visible: frozenset[str]) -> None:
        if isinstance(obj, list):
            for item in obj:
                self.any(item, visible)
            return
        if not isinstance(obj, dict):
            return
        kind = obj.get("type") if isinstance(obj.get("type"), str) else None  # a value's "type" is a dict
        if "class" in obj:
            self.expression(obj)
        elif kind and kind.endswith("_NODE"):
            self.node(obj, visible)
            return
        elif kind in _TABLE_REFS:
            self.table_ref(obj, visible)
        elif kind and kind not in _OTHER_NODES:
            raise _Refusal(f"'{kind}' 구문은 콘솔에서 지원하지 않습니다.", f"'{kind}' is not supported in the console.")
        for value in obj.values():
            if isinstance(value, dict | list):
                self.any(value, visible)

    def table_ref(self, ref: dict, visible: frozenset[str]) -> None:
        kind = ref["type"]
        if kind == "SHOW_REF":
            raise _Refusal("DESCRIBE·SHOW·SUMMARIZE는 콘솔에서 쓸 수 없습니다. 표와 열은 아래 목록을 보세요.",
                           "DESCRIBE, SHOW and SUMMARIZE are not available in the console; the tables and columns are listed below.")
        if kind == "BASE_TABLE":
            self.base_table(ref, visible)
        elif kind == "TABLE_FUNCTION":
            function = ref.get("function") or {}
            name = function.get("function_name", "")
            if function.get("schema") or function.get("catalog"):
                self.expression(function)  # refused there: functions cannot be schema-qualified
            if _norm(name) not in ALLOWED_TABLE_FUNCTIONS:
                allowed = ", ".join(sorted(ALLOWED_TABLE_FUNCTIONS))
                raise _Refusal(f"'{name}()' 표 함수는 허용되지 않습니다 (파일·카탈로그에 닿습니다). 허용: {allowed}.",
                               f"Table function '{name}()' is not allowed (it reaches files or the catalog). Allowed: {allowed}.")
        elif kind == "JOIN":
            self.column_refs.extend([_norm(c)] for c in ref.get("using_columns") or [])

    def base_table(self, ref: dict, visible: frozenset[str]) -> None:
        name, schema, catalog = ref.get("table_name", ""), ref.get("schema_name", ""), ref.get("catalog_name", "")
        shown = ".".join(p for p in (catalog, schema, name) if p)
        if catalog or (schema and _norm(schema) != "main"):
            raise _Refusal(f"'{shown}': 다른 스키마·데이터베이스는 읽을 수 없습니다 (main만 쓸 수 있습니다).",
                           f"'{shown}': no other schema or database can be read (only main).")
        key = _norm(name)
        if not schema and key in visible:
            return  # a CTE in scope (DuckDB never binds a qualified name to a CTE)
        if key not in ALLOWED_TABLES:
            allowed = ", ".join(sorted(ALLOWED_TABLES))
            raise _Refusal(f"'{shown}' 표는 콘솔에서 읽을 수 없습니다. 읽을 수 있는 표: {allowed}.",
                           f"Table '{shown}' is not available in the console. Available: {allowed}.")
        self.tables.add(key)
        if key == _REPORTER_TABLE:
            self.row_names |= {key} | ({_norm(ref["alias"])} if ref.get("alias") else set())
            if ref.get("column_name_alias"):
                self.key_paths.add("alias")

    def expression(self, expr: dict) -> None:
        cls = expr["class"]
        if cls in ("FUNCTION", "WINDOW"):
            name = expr.get("function_name", "")
            if expr.get("schema") or expr.get("catalog"):
                shown = ".".join(p for p in (expr.get("catalog"), expr.get("schema"), name) if p)
                raise _Refusal(f"'{shown}()': 함수 이름에 스키마를 붙일 수 없습니다.",
                               f"'{shown}()': functions cannot be schema-qualified.")
            if _norm(name) in DENIED_FUNCTIONS or _norm(name).startswith(DENIED_PREFIXES):
                raise _Refusal(f"'{name}()' 함수는 허용되지 않습니다: 설정·환경·카탈로그·로그·파일을 읽거나 바꿉니다.",
                               f"Function '{name}()' is not allowed: it reads or changes settings, the environment, "
                               "the catalog, the log or files.")
        elif cls == "COLUMN_REF":
            self.column_refs.append([_norm(p) for p in expr.get("column_names", [])])
        elif cls == "STAR" and self.reads_key[-1]:
            if REPORTER_KEY not in {_norm(c) for c in expr.get("exclude_list") or []}:
                self.key_paths.add("star")
        elif cls == "POSITIONAL_REFERENCE" and self.reads_key[-1]:
            self.key_paths.add("positional")

    def reporter_key_used(self) -> str | None:
        """How the query could show reporter_key, or None."""
        if any(REPORTER_KEY in parts for parts in self.column_refs):
            return "column"
        if any(len(parts) == 1 and parts[0] in self.row_names for parts in self.column_refs):
            return "row"
        return min(self.key_paths) if self.key_paths else None


_REPORTER_MESSAGES = {
    "alias": ("fct_complaints의 열 이름을 바꿔 부를 수 없습니다 (fct_complaints f(a, b, …)): reporter_key가 다른 이름으로 나옵니다.",
              "fct_complaints columns cannot be renamed by position (fct_complaints f(a, b, …)): "
              "reporter_key would appear under another name."),
    "column": ("reporter_key(신고자 가명 키)는 이 콘솔에서 볼 수 없습니다.",
               "reporter_key (the reporters' pseudonymous key) is not available in this console."),
    "row": ("fct_complaints의 행 전체(예: select f from fct_complaints f)에는 reporter_key가 들어 있어 쓸 수 없습니다. 열을 골라 쓰세요.",
            "A whole fct_complaints row (e.g. select f from fct_complaints f) carries reporter_key: name the columns instead."),
    "positional": ("fct_complaints를 읽을 때는 #n 열 번호를 쓸 수 없습니다 (reporter_key에 닿을 수 있습니다). 열 이름을 쓰세요.",
                   "#n column positions cannot be used with fct_complaints (one of them is reporter_key): name the columns."),
    "star": ("fct_complaints에 *를 쓰면 reporter_key가 포함됩니다. 열을 골라 쓰거나 * exclude (reporter_key)를 쓰세요.",
             "* over fct_complaints would include reporter_key: name the columns or write * exclude (reporter_key)."),
}


def check(sql: str, *, allow_reporter_key: bool = False) -> Checked:
    """Whether the console may run `sql`: one SELECT over the marts and rollups (see the module docstring)."""
    try:
        if len(sql) > MAX_SQL_CHARS:
            raise _Refusal(f"SQL이 너무 깁니다 ({MAX_SQL_CHARS:,}자까지).", f"The SQL is too long (at most {MAX_SQL_CHARS:,} characters).")
        statement = _parse(sql)
        walker = _Walker()
        try:
            walker.any(statement, frozenset())
        except RecursionError:
            raise _Refusal("SQL이 너무 깊게 중첩되어 있습니다.", "The SQL is nested too deeply.") from None
        except (KeyError, TypeError, AttributeError) as e:  # a tree shape this walker does not know: refuse, never pass
            raise _Refusal(f"이 SQL은 검사할 수 없습니다 ({e!r}).", f"This SQL cannot be checked ({e!r}).") from None
        if not allow_reporter_key and (why := walker.reporter_key_used()):
            raise _Refusal(*_REPORTER_MESSAGES[why])
    except _Refusal as r:
        return Checked(sql, False, r.ko, r.en)
    return Checked(sql, True, tables=frozenset(walker.tables))
