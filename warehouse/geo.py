"""Point-in-polygon against the city's district boundaries, in numpy (no GIS dependency)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def load_polygons(path: Path) -> list[tuple[str, list[list[np.ndarray]]]]:
    """(district_code, polygons) where each polygon is [outer ring, hole rings...] as (n, 2) lon/lat arrays."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in doc["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out.append((feature["properties"]["district_code"], [[np.asarray(r, float) for r in p] for p in polys]))
    return out


def _in_ring(lon: np.ndarray, lat: np.ndarray, ring: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """Even-odd ray casting, points × edges broadcast in chunks to bound memory."""
    x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    dy = np.where(y2 == y1, 1e-300, y2 - y1)
    out = np.empty(lon.shape, bool)
    for s in range(0, lon.size, chunk):
        px, py = lon[s : s + chunk, None], lat[s : s + chunk, None]
        crosses = (y1 > py) != (y2 > py)
        x_at = x1 + (py - y1) * (x2 - x1) / dy
        out[s : s + chunk] = ((crosses & (px < x_at)).sum(axis=1) % 2) == 1
    return out


def assign(lon: np.ndarray, lat: np.ndarray, polygons) -> np.ndarray:
    """District code per point, None outside every polygon. Bounding boxes skip most work."""
    result = np.full(lon.shape, None, dtype=object)
    valid = ~(np.isnan(lon) | np.isnan(lat))
    for code, polys in polygons:
        for rings in polys:
            outer = rings[0]
            box = valid & (lon >= outer[:, 0].min()) & (lon <= outer[:, 0].max())
            box &= (lat >= outer[:, 1].min()) & (lat <= outer[:, 1].max())
            box &= result == None  # noqa: E711 — elementwise on an object array
            idx = np.nonzero(box)[0]
            if idx.size == 0:
                continue
            hit = _in_ring(lon[idx], lat[idx], outer)
            for hole in rings[1:]:
                hit &= ~_in_ring(lon[idx], lat[idx], hole)
            result[idx[hit]] = code
    return result
