-- The landing of one sensor batch (warehouse/sensor_load.py): temp tables, made anew for every batch.
-- raw_sensor_series: one row per distinct series description; `series` numbers its sensor × metric in the batch.
-- raw_sensor_readings: one row per reading read (repeats still present); rid = file index << 32 | line.
create or replace temp table raw_sensor_series (
    dim integer, series integer,
    source text, sensor_id text, station_name text, metric text, unit text, quality text,
    lat double, lon double, district_code text, domain text, expected_interval_s integer,
);

create or replace temp table raw_sensor_readings (
    dim integer, series integer, measured_at timestamptz, value double, rid bigint,
);
