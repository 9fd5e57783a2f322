-- agg_sensor_hourly: readings per sensor × metric × day equal the fact table's.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): the days in
-- [scope_from, scope_to). One row per sensor × metric × local day that differs.
-- $fixed_from, $fixed_to, $offset_us (warehouse/check.py _fixed_offset): within [fixed_from, fixed_to) the zone's
-- offset is $offset_us, and a reading's local day is its instant plus that (ICU's calendar cost 70 % of this check).
with fct as (
    select sensor_id, metric, count(*) as n,
        case when measured_at >= $fixed_from and measured_at < $fixed_to
             then cast(make_timestamp(epoch_us(measured_at) + $offset_us) as date)
             else cast(measured_at as date) end as day,
    from fct_sensor_readings
    where ($scope_from is null or measured_at >= $scope_from) and ($scope_to is null or measured_at < $scope_to)
    group by all
),
agg as (
    select sensor_id, metric, day, sum(n + n_flagged) as n,
    from agg_sensor_hourly
    where ($scope_from is null or hour >= $scope_from) and ($scope_to is null or hour < $scope_to)
    group by all
)
select coalesce(fct.sensor_id, agg.sensor_id) as sensor_id, coalesce(fct.metric, agg.metric) as metric,
    coalesce(fct.day, agg.day) as day, fct.n, agg.n as agg_n,
from fct full join agg on fct.sensor_id = agg.sensor_id and fct.metric = agg.metric and fct.day = agg.day
where fct.n is distinct from agg.n
