-- The warehouse's tables. Idempotent: run on every open for writing.
-- Layers: raw_* (the batch being loaded, as parsed: temp tables) → staging views (rename/cast) → marts (tables).

create table if not exists meta (key text primary key, value text);

create table if not exists load_batches (
    batch_id integer primary key,
    dataset text not null,            -- complaints | sensors
    source text not null,
    profile text not null,
    files text[] not null,
    sha256 text[] not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_read bigint,
    rows_loaded bigint,
    rows_updated bigint,
    rows_duplicate bigint,            -- repeated in the batch (last wins) or already stored unchanged
    rows_quarantined bigint,
    status text not null,             -- ok | failed
    message text,
);

create table if not exists quarantine (
    batch_id integer not null,
    file text not null,
    line bigint,
    field text,
    reason text not null,
    raw_record text,
);

-- A batch lands in temp tables (models/raw_complaint_table.sql, raw_sensor_tables.sql); earlier warehouses kept
-- the last one here.
drop table if exists raw_complaints;
drop table if exists raw_sensor_readings;

create table if not exists dim_district (
    district_code text primary key,
    name_ko text, name_en text, kind text,
    population integer, population_year integer,
    centroid_lat double, centroid_lon double,
    boundary text,                    -- GeoJSON geometry; null for districts known only by name
);

create table if not exists dim_calendar (
    day date primary key,
    is_business boolean not null,     -- not Saturday, Sunday or a public holiday
    business_index integer not null,  -- business days up to and including this day
    holiday_name text,
);

create table if not exists sla_days (kind text primary key, days integer not null, calendar text not null);

create table if not exists dim_sensor (
    sensor_id text primary key,
    source text, name text, domain text, district_code text, lat double, lon double,
    expected_interval_s integer, first_seen timestamptz, last_seen timestamptz,
);

create table if not exists fct_complaints (
    complaint_id text primary key,
    source text not null, source_id text not null,
    kind text not null, category text, domain text not null, district_code text, channel text,
    status text not null, status_raw text,
    requested_at timestamptz not null, first_response_at timestamptz, closed_at timestamptz,
    due_at timestamptz, updated_at timestamptz,
    lat double, lon double, reporter_key text, votes integer, adopted boolean, satisfaction tinyint,
    agency text, title text, description_masked text, quality text, batch_id integer not null,
);

-- fct_sensor_readings and agg_sensor_hourly are views over one file per year: warehouse/partitions.py

create table if not exists agg_complaints_daily (
    day date not null, district_code text, domain text, category text, kind text, channel text,
    received bigint, closed bigint,
    duration_n bigint, duration_days_sum double,
    first_response_n bigint, first_response_hours_sum double,
    on_time bigint, late bigint,
    satisfaction_n bigint, satisfaction_sum bigint,
    votes_sum bigint, proposals_decided bigint, proposals_adopted bigint,
);

create table if not exists agg_sensor_daily (
    sensor_id text not null, metric text not null, day date not null,
    n bigint, n_flagged bigint, value_sum double, mean double, min double, max double,
);

-- Complaints × sensors (data/linkage.toml): one row per complaint category × metric of a link.
-- role: signal (its anomalies are the link's episodes) or context (drawn alongside only).
create table if not exists dim_linkage (
    link text not null, link_ko text, link_en text,
    category text not null, metric text not null, role text not null,
    direction text not null,          -- high | low: which way a change is a problem
    min_scale double, min_share double, level double,
);

-- Anomalous hours of each signal metric: hourly mean against the median and MAD of the same hour of day on
-- days of the same type (business or not) over the previous 28 days (see agg_sensor_anomalies.sql).
create table if not exists agg_sensor_anomalies (
    sensor_id text not null, metric text not null, hour timestamptz not null, day date not null,
    value double not null, baseline double, scale double, z double, n_baseline integer,
);

-- Anomaly episodes per district × link: 2+ consecutive anomalous hours of one sensor, overlapping sensors merged.
create table if not exists agg_anomaly_episodes (
    district_code text, link text not null, metric text not null,
    started_at timestamptz not null, ended_at timestamptz not null,   -- first anomalous hour, last + 1 hour
    hours integer not null, sensors integer not null, peak_value double, peak_z double,
);
