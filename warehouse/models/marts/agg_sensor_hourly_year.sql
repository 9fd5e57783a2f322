-- agg_sensor_hourly (one year file): the rows of the sensor × metric × days of local year $year the batch
-- touched, in the year file attached as {part} (warehouse/partitions.py).
-- grain: sensor_id × metric × hour (local). n/value_sum/mean/min/max over good readings (quality null);
-- n_flagged counts readings the source flagged. Sums are exact (decimal) so that the parallel build is
-- deterministic to the byte. params: $year, $recompute_all.
-- An appended batch brings its days' hours along (batch_hours); a touched day that already had hours, and every
-- touched day of a merged batch ($recompute_all), is recomputed from the year file's readings instead.
create or replace temp table hourly_scope as
with stored as (
    select distinct a.sensor_id, a.metric, a.day,
    from {part}.agg_sensor_hourly as a
    where a.day >= (select min(day) from touched_sensor_days) and a.day <= (select max(day) from touched_sensor_days)
)
select t.*,
from touched_sensor_days as t
where year(t.day) = $year
  and ($recompute_all or (t.sensor_id, t.metric, t.day) in (select (sensor_id, metric, day) from stored));

delete from {part}.agg_sensor_hourly as a
using hourly_scope as t
where a.sensor_id = t.sensor_id and a.metric = t.metric and a.day = t.day;

insert into {part}.agg_sensor_hourly
select h.*,
from batch_hours as h
anti join hourly_scope as t on t.sensor_id = h.sensor_id and t.metric = h.metric and t.day = h.day
where year(h.day) = $year
union all
select
    f.sensor_id,
    f.metric,
    date_trunc('hour', f.measured_at) as hour,
    cast(f.measured_at as date) as day,
    count(*) filter (where f.quality is null) as n,
    count(*) filter (where f.quality is not null) as n_flagged,
    cast(sum(cast(f.value as decimal(18, 6))) filter (where f.quality is null) as double) as value_sum,
    cast(sum(cast(f.value as decimal(18, 6))) filter (where f.quality is null) as double)
        / nullif(count(*) filter (where f.quality is null), 0) as mean,
    min(f.value) filter (where f.quality is null) as min,
    max(f.value) filter (where f.quality is null) as max,
from {part}.fct_sensor_readings as f
semi join hourly_scope as t
    on t.sensor_id = f.sensor_id and t.metric = f.metric and t.day = cast(f.measured_at as date)
where f.measured_at >= (select cast(min(day) as timestamptz) from hourly_scope)
  and f.measured_at < (select cast(max(day) + 1 as timestamptz) from hourly_scope)
group by f.sensor_id, f.metric, hour, day
order by hour, sensor_id, metric;
