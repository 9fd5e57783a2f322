-- agg_sensor_daily: one row per sensor × metric × day, equal to its hours summed.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): the days in
-- [scope_from, scope_to). One row per sensor × metric × local day that differs.
with hourly as (
    select sensor_id, metric, day, sum(n) as n, sum(n_flagged) as n_flagged,
    from agg_sensor_hourly
    where ($scope_from is null or hour >= $scope_from) and ($scope_to is null or hour < $scope_to)
    group by all
),
daily as (
    select sensor_id, metric, day, sum(n) as n, sum(n_flagged) as n_flagged, count(*) as rows,
    from agg_sensor_daily
    where ($scope_from is null or day >= cast($scope_from as date)) and ($scope_to is null or day < cast($scope_to as date))
    group by all
)
select coalesce(h.sensor_id, d.sensor_id) as sensor_id, coalesce(h.metric, d.metric) as metric, coalesce(h.day, d.day) as day,
    h.n, d.n as daily_n, d.rows,
from hourly as h full join daily as d on h.sensor_id = d.sensor_id and h.metric = d.metric and h.day = d.day
where h.n is distinct from d.n or h.n_flagged is distinct from d.n_flagged or d.rows > 1
