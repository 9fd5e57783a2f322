-- agg_sensor_hourly: recompute the sensor × metric × days the batch touched.
-- grain: sensor_id × metric × hour (local). n/value_sum/mean/min/max over good readings (quality null);
-- n_flagged counts readings the source flagged. Sums are exact (decimal) so that the parallel build is
-- deterministic to the byte. params: none.
delete from agg_sensor_hourly as a
using touched_sensor_days as t
where a.sensor_id = t.sensor_id and a.metric = t.metric and a.day = t.day;

insert into agg_sensor_hourly
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
from fct_sensor_readings as f
semi join touched_sensor_days as t
    on t.sensor_id = f.sensor_id and t.metric = f.metric and t.day = cast(f.measured_at as date)
where f.measured_at >= (select cast(min(day) as timestamptz) from touched_sensor_days)
  and f.measured_at < (select cast(max(day) + 1 as timestamptz) from touched_sensor_days)
group by all
order by hour, f.sensor_id, f.metric;
