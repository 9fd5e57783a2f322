-- dim_sensor: add new sensors and widen first/last seen of known ones from the landed batch.
-- Per sensor, the description of its latest reading gives the name, district and place (those the batch names),
-- and the domain is the one most of its readings have. params: none.
-- expected_interval_s: the profile's, else the batch's typical spacing of one sensor × metric's readings (kept if
-- unknown): the median over its clock buckets with 2+ readings of (last − first) ÷ (readings − 1), which for a
-- steady series is its interval; a series with at most one reading per bucket takes the median gap between them.
-- Both are read off batch_buckets, so no reading is sorted.
create or replace temp table batch_sensors as
with descriptions as (
    select s.*, d.n, d.first_at, d.last_at,
    from raw_sensor_series as s
    join (
        select dim, sum(n) as n, min(first_at) as first_at, max(last_at) as last_at, from batch_buckets group by dim
    ) as d using (dim)
),
series_buckets as (
    select s.sensor_id, s.series, b.bucket, sum(b.n) as n, min(b.first_at) as first_at, max(b.last_at) as last_at,
    from batch_buckets as b
    join raw_sensor_series as s using (dim)
    where s.sensor_id not in (select sensor_id from raw_sensor_series where expected_interval_s is not null)
    group by all
),
within as (
    select sensor_id, median((epoch_us(last_at) - epoch_us(first_at)) / 1e6 / (n - 1)) as gap_s,
    from series_buckets
    where n >= 2
    group by sensor_id
),
between_buckets as (
    select sensor_id, median(gap_s) as gap_s,
    from (
        select sensor_id,
            (epoch_us(first_at) - epoch_us(lag(last_at) over (partition by series order by bucket))) / 1e6 as gap_s,
        from series_buckets
        where sensor_id not in (select sensor_id from within)
    )
    where gap_s > 0
    group by sensor_id
),
spacing as (
    select sensor_id, cast(gap_s as integer) as gap_s, from within where gap_s > 0
    union all
    select sensor_id, cast(gap_s as integer) as gap_s, from between_buckets
),
domains as (
    select sensor_id, arg_max(domain, n) as domain,
    from (select sensor_id, domain, sum(n) as n, from descriptions group by all)
    group by sensor_id
)
select
    d.sensor_id,
    any_value(d.source) as source,
    arg_max(d.station_name, d.last_at) as name,
    any_value(o.domain) as domain,
    arg_max(d.district_code, d.last_at) filter (where d.district_code is not null) as district_code,
    arg_max(d.lat, d.last_at) filter (where d.lat is not null) as lat,
    arg_max(d.lon, d.last_at) filter (where d.lon is not null) as lon,
    coalesce(max(d.expected_interval_s), any_value(p.gap_s)) as expected_interval_s,
    min(d.first_at) as first_seen,
    max(d.last_at) as last_seen,
from descriptions as d
left join spacing as p on p.sensor_id = d.sensor_id
left join domains as o on o.sensor_id = d.sensor_id
group by d.sensor_id;

insert or replace into dim_sensor
select
    b.sensor_id,
    b.source,
    coalesce(b.name, d.name) as name,
    coalesce(b.domain, d.domain) as domain,
    coalesce(b.district_code, d.district_code) as district_code,
    coalesce(b.lat, d.lat) as lat,
    coalesce(b.lon, d.lon) as lon,
    coalesce(b.expected_interval_s, d.expected_interval_s) as expected_interval_s,
    least(b.first_seen, d.first_seen) as first_seen,
    greatest(b.last_seen, d.last_seen) as last_seen,
from batch_sensors as b
left join dim_sensor as d on d.sensor_id = b.sensor_id;
