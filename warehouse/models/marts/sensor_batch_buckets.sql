-- batch_buckets: the landed readings per series description × UTC clock bucket of $bucket_us microseconds (an
-- hour, or a quarter hour where the zone's offset is not whole hours: sensor_load._straddles_local_hours), so that the
-- costly local-time arithmetic runs once per bucket instead of once per reading. Read by the hourly rollup of an
-- appended batch and by dim_sensor (spacing, first and last seen). Sums are exact (decimal), as in
-- agg_sensor_hourly. params: $bucket_us.
create or replace temp table batch_buckets as
select
    dim,
    epoch_us(measured_at) // $bucket_us as bucket,
    count(*) as n,
    sum(cast(value as decimal(18, 6))) as value_sum,
    min(value) as min,
    max(value) as max,
    min(measured_at) as first_at,
    max(measured_at) as last_at,
from raw_sensor_readings
group by all
