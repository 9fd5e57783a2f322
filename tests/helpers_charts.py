"""The Vega-Lite charts of an AppTest run (vega_charts.py, shown by ui/vega.py), read back as data."""

from __future__ import annotations

import json
from functools import cache

import jsonschema
import pyarrow as pa
from altair.vegalite.v6.schema import load_schema
from jsonschema.exceptions import best_match


@cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(load_schema())  # Vega-Lite's JSON schema, shipped with altair (a Streamlit dependency)


def vega_charts(at) -> dict[str, dict]:
    """Every Vega-Lite chart on the page by its name (= its widget key), with its rows back in `data.values`:
    Streamlit moves a spec's inline rows into an Arrow table beside the spec. Each spec must be valid Vega-Lite."""
    out = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        table = element.proto.data.data
        spec["data"] = {"values": pa.ipc.open_stream(table).read_all().to_pylist() if table else []}
        error = best_match(_validator().iter_errors(spec))
        assert error is None, (spec.get("name"), list(error.absolute_path), [e.message[:200] for e in error.context or [error]][:3])
        out[spec["name"]] = spec
    return out


def rows(at, name: str) -> list[dict]:
    return vega_charts(at)[name]["data"]["values"]


def layer_data(spec: dict, mark: str) -> list[list[dict]]:
    """The rows of each layer of the given mark that carries its own data (thresholds, shaded episodes)."""
    return [layer["data"]["values"] for layer in spec.get("layer", []) if "data" in layer and layer["mark"]["type"] == mark]
