"""Live feeds: fetch an Open311 or SensorThings service into data/raw, then ingest those files.

`http` (one session, timeouts, retries), `open311` and `sensorthings` (what to ask for), `fetched` (the raw
folder and the ingest that advances the watermark), `watermark` (per-source progress in `meta`),
`schedule` (`--every`), `cli` (`python -m warehouse pull …`).
"""
