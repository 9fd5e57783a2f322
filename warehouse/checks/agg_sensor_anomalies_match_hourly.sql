-- agg_sensor_anomalies: every anomalous hour is an hour of agg_sensor_hourly with the same mean, of a signal metric.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): anomalous hours in
-- [scope_from, scope_to). One row per offending hour, with its day.
select a.sensor_id, a.metric, a.hour, a.day, a.value, h.mean,
from agg_sensor_anomalies as a
left join (
    select sensor_id, metric, hour, mean,
    from agg_sensor_hourly
    where ($scope_from is null or hour >= $scope_from) and ($scope_to is null or hour < $scope_to)
) as h on h.sensor_id = a.sensor_id and h.metric = a.metric and h.hour = a.hour
where ($scope_from is null or a.hour >= $scope_from) and ($scope_to is null or a.hour < $scope_to)
  and (h.mean is distinct from a.value or a.metric not in (select metric from dim_linkage where role = 'signal'))
