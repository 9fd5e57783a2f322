-- The longest run of one value per sensor × metric in the period (queries/sensor_status.sql has the rest of a
-- sensor's health). grain: sensor_id × metric (those with readings in the period).
-- params: $start, $end, $as_of (timestamptz); $district, $domain (text or null).
-- longest_run = the most consecutive readings with one value in [start, end) up to as_of;
-- flat_in_period = longest_run ≥ 6 (the glossary's "same value for 6 or more consecutive readings", anywhere
-- in the period, where sensor_status.flat_lined looks at the last 6 readings only).
-- It reads the period's raw readings, so its callers pass at most the period's last 31 days as $start
-- (ui/infrastructure.runs_params: a year of a city's readings exhausts a page's DuckDB memory).
with sensors as (
    select * from dim_sensor
    where ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and first_seen < $end and expected_interval_s > 0
),
period_series as (
    -- each sensor × metric's period readings in time order, as one list: one sort instead of two windows
    select f.sensor_id, f.metric, list(f.value order by f.measured_at) as v,
    from fct_sensor_readings as f
    semi join sensors as s on s.sensor_id = f.sensor_id
    where f.measured_at >= $start and f.measured_at < $end and f.measured_at <= $as_of
    group by all
),
runs as (
    -- '1' where a reading equals the one before, '0' where it changes; the longest block of '1's + 1
    select sensor_id, metric,
        1 + coalesce(list_max(list_transform(
            string_split(list_aggr(list_transform(range(2, len(v) + 1), lambda i: if(v[i] = v[i - 1], '1', '0')), 'string_agg', ''), '0'),
            lambda s: length(s))), 0) as longest_run,
    from period_series
)
select sensor_id, metric, longest_run, longest_run >= 6 as flat_in_period,
from runs
order by sensor_id, metric
