-- agg_sensor_hourly (one year file): recompute the sensor × metric × days of local year $year the batch
-- touched, in the year file attached as {part} (warehouse/partitions.py).
-- grain: sensor_id × metric × hour (local). n/value_sum/mean/min/max over good readings (quality null);
-- n_flagged counts readings the source flagged. Sums are exact (decimal) so that the parallel build is
-- deterministic to the byte. params: $year.
-- Fast path: when no touched day had an hourly row before this batch, the day had no stored reading, so its
-- readings are exactly the plan's new ones and are rolled up from the plan (with its precomputed local
-- day and hour) instead of being read back from the year file; otherwise the touched days are re-read.
create or replace temp table hourly_scope as
select t.*,
from touched_sensor_days as t
where year(t.day) = $year
  and exists (
      select 1 from {part}.agg_sensor_hourly as a
      semi join touched_sensor_days as u on u.sensor_id = a.sensor_id and u.metric = a.metric and u.day = a.day
      where a.day >= (select min(day) from touched_sensor_days where year(day) = $year)
        and a.day <= (select max(day) from touched_sensor_days where year(day) = $year)
  );

delete from {part}.agg_sensor_hourly as a
using hourly_scope as t
where a.sensor_id = t.sensor_id and a.metric = t.metric and a.day = t.day;

insert into {part}.agg_sensor_hourly
with readings as (
    select p.sensor_id, p.metric, p.hour, p.day, p.value, p.quality,
    from reading_plan as p
    where p.action = 'new' and year(p.day) = $year
      and not exists (select 1 from hourly_scope)
    union all
    select f.sensor_id, f.metric, date_trunc('hour', f.measured_at) as hour, cast(f.measured_at as date) as day,
        f.value, f.quality,
    from {part}.fct_sensor_readings as f
    semi join hourly_scope as t
        on t.sensor_id = f.sensor_id and t.metric = f.metric and t.day = cast(f.measured_at as date)
    where f.measured_at >= (select cast(min(day) as timestamptz) from hourly_scope)
      and f.measured_at < (select cast(max(day) + 1 as timestamptz) from hourly_scope)
)
select
    sensor_id,
    metric,
    hour,
    day,
    count(*) filter (where quality is null) as n,
    count(*) filter (where quality is not null) as n_flagged,
    cast(sum(cast(value as decimal(18, 6))) filter (where quality is null) as double) as value_sum,
    cast(sum(cast(value as decimal(18, 6))) filter (where quality is null) as double)
        / nullif(count(*) filter (where quality is null), 0) as mean,
    min(value) filter (where quality is null) as min,
    max(value) filter (where quality is null) as max,
from readings
group by all
order by hour, sensor_id, metric;
