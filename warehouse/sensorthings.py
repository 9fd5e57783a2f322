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


def observations(doc, path: Path) -> pl.DataFrame:
    """A frame of text columns (COLUMNS) plus `_line` = the observation's position in the document."""
    items = doc.get("value") if isinstance(doc, dict) and "value" in doc else doc
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise FileError(path, "not a SensorThings response: no 'value' list", line=1)
    cols: dict[str, list] = {c: [] for c in COLUMNS}

    def emit(obs: dict, ctx: dict) -> None:
        cols["observation_id"].append(obs.get("@iot.id"))
        time = obs.get("phenomenonTime")
        cols["phenomenonTime"].append(time.split("/")[0] if isinstance(time, str) else time)
        cols["result"].append(obs.get("result"))
        for key in COLUMNS[3:]:
            cols[key].append(ctx.get(key))

    for item in items:
        if not isinstance(item, dict):
            raise FileError(path, "not a SensorThings response: an item of 'value' is not an object", line=1)
        if "Datastreams" in item:  # a Thing with nested Datastreams and Observations
            for stream in item.get("Datastreams") or []:
                ctx = _stream_context(stream, item)
                for obs in stream.get("Observations") or []:
                    emit(obs, ctx)
        elif "Observations" in item:  # a Datastream with its Thing and Observations
            ctx = _stream_context(item, item.get("Thing") or {})
            for obs in item.get("Observations") or []:
                emit(obs, ctx)
        else:  # an Observation with its Datastream expanded
            stream = item.get("Datastream") or {}
            emit(item, _stream_context(stream, stream.get("Thing") or {}))
    n = len(cols["result"])
    frame = pl.DataFrame(
        {c: pl.Series(c, [None if v is None else str(v) for v in cols[c]], dtype=pl.String) for c in COLUMNS}
    )
    return frame.with_columns(pl.Series("_line", range(1, n + 1), dtype=pl.Int64))
