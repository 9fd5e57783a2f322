"""OGC SensorThings API JSON → one flat record per Observation.

Two response shapes carry the same facts and both are accepted:
- `Observations?$expand=Datastream($expand=Thing($expand=Locations),ObservedProperty)`
- `Things?$expand=Locations,Datastreams($expand=ObservedProperty,Observations)`
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from warehouse.errors import FileError
from warehouse.readers import cell_text

COLUMNS = (
    "observation_id", "phenomenonTime", "result", "datastream_id", "datastream_name", "observed_property",
    "unit", "thing_id", "thing_name", "domain", "district", "lon", "lat",
)


class _Shape:
    """Checks a document's parts are the JSON types the standard says, naming the item that is not."""

    def __init__(self, path: Path):
        self.path, self.item = path, 0

    def obj(self, value, name: str) -> dict:
        """An object (null or absent counts as empty)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._error(value, name, "an object")
        return value

    def array(self, value, name: str) -> list:
        """An array (null or absent counts as empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._error(value, name, "an array")
        return value

    def _error(self, value, name: str, wanted: str) -> FileError:
        kind = {str: "text", bool: "true/false", int: "a number", float: "a number", list: "an array", dict: "an object"}
        return FileError(
            self.path, f"not a SensorThings response: '{name}' of item {self.item} is {kind.get(type(value), 'a value')},"
            f" not {wanted}", line=self.item, field=name,
        )


def _thing_context(thing: dict, shape: _Shape) -> dict:
    props = shape.obj(thing.get("properties"), "properties")
    lon = lat = None
    for loc in shape.array(thing.get("Locations"), "Locations"):
        geo = shape.obj(shape.obj(loc, "Locations").get("location"), "location")
        coords = geo.get("coordinates")
        if geo.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]
            break
    return {
        "thing_id": thing.get("@iot.id"), "thing_name": thing.get("name"),
        "domain": props.get("domain"), "district": props.get("district_code") or props.get("district"),
        "lon": lon, "lat": lat,
    }


def _stream_context(stream: dict, thing: dict, shape: _Shape) -> dict:
    unit = shape.obj(stream.get("unitOfMeasurement"), "unitOfMeasurement")
    prop = shape.obj(stream.get("ObservedProperty"), "ObservedProperty")
    return {
        "datastream_id": stream.get("@iot.id"), "datastream_name": stream.get("name"),
        "observed_property": prop.get("name") or stream.get("name"),
        "unit": unit.get("symbol") or unit.get("name"),
        **_thing_context(thing, shape),
    }


def _text_series(name: str, values: list) -> pl.Series:
    kinds = {type(v) for v in values} - {type(None)}
    if len(kinds) <= 1 and kinds <= {int, float, str}:  # one plain type: polars converts a million fast
        try:
            return pl.Series(name, values, strict=False).cast(pl.String)
        except (TypeError, OverflowError, pl.exceptions.PolarsError):
            pass
    # mixed types are converted one by one: polars would make `true` among numbers a 1
    return pl.Series(name, [cell_text(v) for v in values], dtype=pl.String)


def observations(doc, path: Path) -> pl.DataFrame:
    """A frame of text columns (COLUMNS) plus `_line` = the observation's position in the document.

    Observations are gathered per Datastream and each Datastream's context is added as constant columns,
    so a year of hourly data (over a million observations) is not built row by row.
    """
    items = doc.get("value") if isinstance(doc, dict) and "value" in doc else doc
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise FileError(path, "not a SensorThings response: no 'value' list", line=1)
    groups: dict = {}
    position = 0
    shape = _Shape(path)

    def add(obs_list: list, ctx: dict) -> None:
        nonlocal position
        # ids may be any JSON value, lists and objects included: compare them as JSON text
        key = json.dumps([ctx.get("datastream_id"), ctx.get("datastream_name"), ctx.get("thing_id")], default=str)
        group = groups.setdefault(key, (ctx, [], [], [], []))
        for obs in obs_list:
            if not isinstance(obs, dict):
                raise FileError(path, f"not a SensorThings response: an Observation of item {shape.item} is not an object", line=shape.item)
            position += 1
            time = obs.get("phenomenonTime")
            group[1].append(obs.get("@iot.id"))
            group[2].append(time.split("/")[0] if isinstance(time, str) else time)
            group[3].append(obs.get("result"))
            group[4].append(position)

    for number, item in enumerate(items, start=1):
        shape.item = number
        if not isinstance(item, dict):
            raise FileError(path, f"not a SensorThings response: item {number} of 'value' is not an object", line=number)
        if "Datastreams" in item:  # a Thing with nested Datastreams and Observations
            for stream in shape.array(item.get("Datastreams"), "Datastreams"):
                stream = shape.obj(stream, "Datastreams")
                add(shape.array(stream.get("Observations"), "Observations"), _stream_context(stream, item, shape))
        elif "Observations" in item:  # a Datastream with its Thing and Observations
            thing = shape.obj(item.get("Thing"), "Thing")
            add(shape.array(item.get("Observations"), "Observations"), _stream_context(item, thing, shape))
        else:  # an Observation with its Datastream expanded
            stream = shape.obj(item.get("Datastream"), "Datastream")
            add([item], _stream_context(stream, shape.obj(stream.get("Thing"), "Thing"), shape))
    frames = []
    for ctx, ids, times, results, lines in groups.values():
        frame = pl.DataFrame([
            _text_series("observation_id", ids), _text_series("phenomenonTime", times), _text_series("result", results),
            pl.Series("_line", lines, dtype=pl.Int64),
        ])
        frames.append(frame.with_columns(
            [pl.lit(cell_text(ctx.get(c)), dtype=pl.String).alias(c) for c in COLUMNS[3:]]
        ))
    if not frames:
        return pl.DataFrame(schema={**{c: pl.String for c in COLUMNS}, "_line": pl.Int64})
    return pl.concat(frames).select(*COLUMNS, "_line").sort("_line")
