-- batch_hours (append): the batch's readings rolled up per sensor × metric × local hour, from batch_buckets.
-- Every reading of an appended batch is new, so these are the hours' rows unless the hour had stored readings
-- before (agg_sensor_hourly_year.sql recomputes such days from the year file). The columns are agg_sensor_hourly's.
-- touched_sensor_days: the sensor × metric × local days the batch adds readings to. params: $bucket_us.
create or replace temp table batch_hours as
with hours as (
    select
        s.sensor_id,
        s.metric,
        date_trunc('hour', make_timestamptz(b.bucket * $bucket_us)) as hour,
        s.quality is null as good,
        b.n, b.value_sum, b.min, b.max,
    from batch_buckets as b
    join raw_sensor_series as s using (dim)
)
select
    sensor_id,
    metric,
    hour,
    cast(hour as date) as day,
    coalesce(sum(n) filter (where good), 0) as n,
    coalesce(sum(n) filter (where not good), 0) as n_flagged,
    cast(sum(value_sum) filter (where good) as double) as value_sum,
    cast(sum(value_sum) filter (where good) as double) / nullif(coalesce(sum(n) filter (where good), 0), 0) as mean,
    min(min) filter (where good) as min,
    max(max) filter (where good) as max,
from hours
group by sensor_id, metric, hour;

create or replace temp table touched_sensor_days as
select distinct sensor_id, metric, day,
from batch_hours;
