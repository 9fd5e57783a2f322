"""OGC SensorThings API JSON → one flat record per Observation.

Two response shapes carry the same facts and both are accepted:
- `Observations?$expand=Datastream($expand=Thing($expand=Locations),ObservedProperty)`
- `Things?$expand=Locations,Datastreams($expand=ObservedProperty,Observations)`
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.errors import FileError

COLUMNS = (
    "observation_id", "phenomenonTime", "result", "datastream_id", "datastream_name", "observed_property",
    "unit", "thing_id", "thing_name", "domain", "district", "lon", "lat",
)


def _thing_context(thing: dict) -> dict:
    props = thing.get("properties") or {}
    lon = lat = None
    for loc in thing.get("Locations") or []:
        geo = (loc or {}).get("location") or {}
        coords = geo.get("coordinates")
        if geo.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]
            break
    return {
        "thing_id": thing.get("@iot.id"), "thing_name": thing.get("name"),
        "domain": props.get("domain"), "district": props.get("district_code") or props.get("district"),
        "lon": lon, "lat": lat,
    }


def _stream_context(stream: dict, thing: dict) -> dict:
    unit = stream.get("unitOfMeasurement") or {}
    prop = stream.get("ObservedProperty") or {}
    return {
        "datastream_id": stream.get("@iot.id"), "datastream_name": stream.get("name"),
        "observed_property": prop.get("name") or stream.get("name"),
        "unit": unit.get("symbol") or unit.get("name"),
        **_thing_context(thing),
    }


def _text_series(name: str, values: list) -> pl.Series:
    try:
        series = pl.Series(name, values, strict=False)
    except (TypeError, pl.exceptions.PolarsError):
        series = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
    return series.cast(pl.String)


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

    def add(obs_list: list, ctx: dict) -> None:
        nonlocal position
        key = (ctx.get("datastream_id"), ctx.get("datastream_name"), ctx.get("thing_id"))
        group = groups.setdefault(key, (ctx, [], [], [], []))
        for obs in obs_list:
            if not isinstance(obs, dict):
                raise FileError(path, "not a SensorThings response: an Observation is not an object", line=1)
            position += 1
            time = obs.get("phenomenonTime")
            group[1].append(obs.get("@iot.id"))
            group[2].append(time.split("/")[0] if isinstance(time, str) else time)
            group[3].append(obs.get("result"))
            group[4].append(position)

    for item in items:
        if not isinstance(item, dict):
            raise FileError(path, "not a SensorThings response: an item of 'value' is not an object", line=1)
        if "Datastreams" in item:  # a Thing with nested Datastreams and Observations
            for stream in item.get("Datastreams") or []:
                add(stream.get("Observations") or [], _stream_context(stream, item))
        elif "Observations" in item:  # a Datastream with its Thing and Observations
            add(item.get("Observations") or [], _stream_context(item, item.get("Thing") or {}))
        else:  # an Observation with its Datastream expanded
            stream = item.get("Datastream") or {}
            add([item], _stream_context(stream, stream.get("Thing") or {}))
    frames = []
    for ctx, ids, times, results, lines in groups.values():
        frame = pl.DataFrame([
            _text_series("observation_id", ids), _text_series("phenomenonTime", times), _text_series("result", results),
            pl.Series("_line", lines, dtype=pl.Int64),
        ])
        frames.append(frame.with_columns(
            [pl.lit(None if ctx.get(c) is None else str(ctx.get(c)), dtype=pl.String).alias(c) for c in COLUMNS[3:]]
        ))
    if not frames:
        return pl.DataFrame(schema={**{c: pl.String for c in COLUMNS}, "_line": pl.Int64})
    return pl.concat(frames).select(*COLUMNS, "_line").sort("_line")
