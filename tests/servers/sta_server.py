"""A SensorThings API v1.1 service following the spec for what a pull asks of it (GET Observations).

Supported: `$filter` on phenomenonTime (gt, ge, lt, le, eq; clauses joined by `and`), `$orderby`
(phenomenonTime, resultTime, @iot.id; asc/desc; default @iot.id), `$top` (capped at `max_top`, the server's
page size, like FROST's maxTop), `$skip`, `$count`, nested `$expand` along Observation → Datastream →
Thing → Locations / ObservedProperty, and an absolute `@iot.nextLink` while more remain. Anything else is a
400 with an OData-style error, so a client that asks for something else finds out.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from servers.base import Response, json_response

ROOT_PATH = "/FROST-Server/v1.1"
OPTIONS = {"$filter", "$orderby", "$top", "$skip", "$count", "$expand"}
NAVIGATION = {  # entity type → navigation property → entity type
    "Observation": {"Datastream": "Datastream"},
    "Datastream": {"Thing": "Thing", "ObservedProperty": "ObservedProperty"},
    "Thing": {"Locations": "Location"},
    "ObservedProperty": {},
    "Location": {},
}
ORDER_FIELDS = {"phenomenonTime", "resultTime", "@iot.id"}


class BadRequest(ValueError):
    pass


def _time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.split("/")[0])
    except ValueError as exc:
        raise BadRequest(f"not a datetime: {text}") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _split(text: str, sep: str) -> list[str]:
    """Split at `sep` outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if depth != 0:
        raise BadRequest("unbalanced parentheses in $expand")
    return [*parts, current]


def parse_expand(text: str, entity: str) -> dict:
    """'Datastream($expand=Thing($expand=Locations),ObservedProperty)' → {'Datastream': {'Thing': {...}, ...}}."""
    tree: dict = {}
    for item in _split(text, ","):
        match = re.fullmatch(r"\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*", item, re.S)
        if not match or match.group(1) not in NAVIGATION[entity]:
            raise BadRequest(f"cannot expand {item.strip()!r} on {entity}")
        name, inner = match.groups()
        sub: dict = {}
        for option in _split(inner or "", ";"):
            if not option.strip():
                continue
            key, _, value = option.partition("=")
            if key.strip() != "$expand":
                raise BadRequest(f"unsupported option inside $expand: {key.strip()}")
            sub = parse_expand(value, NAVIGATION[entity][name])
        tree[name] = sub
    return tree


def parse_filter(text: str):
    """`phenomenonTime gt 2025-03-01T00:00:00Z and …` → a predicate on an observation."""
    clauses = []
    for clause in re.split(r"\s+and\s+", text.strip()):
        match = re.fullmatch(r"phenomenonTime\s+(gt|ge|lt|le|eq)\s+(\S+)", clause.strip())
        if not match:
            raise BadRequest(f"unsupported $filter: {clause!r}")
        clauses.append((match.group(1), _time(match.group(2))))
    ops = {"gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b,
           "le": lambda a, b: a <= b, "eq": lambda a, b: a == b}
    return lambda obs: all(ops[op](_time(obs["phenomenonTime"]), value) for op, value in clauses)


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    keys = []
    for item in text.split(","):
        words = item.split()
        if not words or words[0] not in ORDER_FIELDS or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise BadRequest(f"unsupported $orderby: {item.strip()!r}")
        keys.append((words[0], len(words) == 2 and words[1] == "desc"))
    return keys


class SensorThingsApp:
    """Things, Datastreams and Observations in memory (mutable between pulls) and the GET Observations answer."""

    def __init__(self, things: dict, datastreams: dict, observations: list[dict], *, max_top: int = 100):
        self.things, self.datastreams, self.observations, self.max_top = things, datastreams, observations, max_top
        self.base = ""  # set to the server URL once it listens, for selfLinks and nextLinks

    def _link(self, kind: str, ident) -> str:
        return f"{self.base}{ROOT_PATH}/{kind}({ident})"

    def _render(self, entity: str, row: dict, expand: dict) -> dict:
        kind = {"Observation": "Observations", "Datastream": "Datastreams", "Thing": "Things",
                "ObservedProperty": "ObservedProperties", "Location": "Locations"}[entity]
        out = {"@iot.id": row["@iot.id"], "@iot.selfLink": self._link(kind, row["@iot.id"])}
        out.update({k: v for k, v in row.items() if not k.startswith(("@", "_"))})
        for name, target in NAVIGATION[entity].items():
            if name not in expand:
                out[f"{name}@iot.navigationLink"] = f"{out['@iot.selfLink']}/{name}"
            elif name == "Datastream":
                out[name] = self._render(target, self.datastreams[row["_datastream"]], expand[name])
            elif name == "Thing":
                out[name] = self._render(target, self.things[row["_thing"]], expand[name])
            elif name == "ObservedProperty":
                out[name] = self._render(target, row["_observed_property"], expand[name])
            elif name == "Locations":
                out[name] = [self._render(target, loc, expand[name]) for loc in row["_locations"]]
        return out

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        if path.rstrip("/") != f"{ROOT_PATH}/Observations":
            return json_response({"code": 404, "type": "error", "message": f"Nothing found: {path}"}, 404)
        try:
            return self._observations(query)
        except BadRequest as exc:
            return json_response({"code": 400, "type": "error", "message": str(exc)}, 400)

    def _observations(self, query: dict[str, str]) -> Response:
        unknown = {k for k in query if k.startswith("$")} - OPTIONS
        if unknown:
            raise BadRequest(f"unsupported query option(s): {', '.join(sorted(unknown))}")
        rows = list(self.observations)
        if "$filter" in query:
            keep = parse_filter(query["$filter"])
            rows = [r for r in rows if keep(r)]
        for name, descending in reversed(parse_orderby(query.get("$orderby", "@iot.id asc"))):
            key = (lambda r, n=name: r[n]) if name == "@iot.id" else (lambda r, n=name: _time(r[n]))
            rows.sort(key=key, reverse=descending)  # stable: later keys first, earlier keys win
        try:
            top = min(int(query.get("$top", self.max_top)), self.max_top)
            skip = int(query.get("$skip", "0"))
        except ValueError as exc:
            raise BadRequest(f"$top and $skip must be integers: {exc}") from exc
        expand = parse_expand(query["$expand"], "Observation") if query.get("$expand") else {}
        body: dict = {}
        if query.get("$count") == "true":
            body["@iot.count"] = len(rows)
        if skip + top < len(rows):
            body["@iot.nextLink"] = f"{self.base}{ROOT_PATH}/Observations?" + urlencode({**query, "$top": top, "$skip": skip + top})
        body["value"] = [self._render("Observation", r, expand) for r in rows[skip: skip + top]]
        return json_response(body)


def thing(ident: str, name: str, properties: dict, lon: float | None = None, lat: float | None = None) -> dict:
    locations = [] if lon is None else [{
        "@iot.id": f"loc-{ident}", "name": name, "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [lon, lat]},
    }]
    return {"@iot.id": ident, "name": name, "description": name, "properties": properties, "_locations": locations}


def datastream(ident: int, name: str, thing_id: str, prop: str, unit: str) -> dict:
    return {
        "@iot.id": ident, "name": name, "description": name,
        "unitOfMeasurement": {"name": unit, "symbol": unit, "definition": ""},
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "_thing": thing_id, "_observed_property": {"@iot.id": prop, "name": prop, "definition": "", "description": prop},
    }


def observation(ident: int, datastream_id: int, time: str, result: float) -> dict:
    return {"@iot.id": ident, "phenomenonTime": time, "resultTime": time, "result": result, "_datastream": datastream_id}
