-- agg_sensor_anomalies: one row per sensor × metric × hour.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): anomalous hours in
-- [scope_from, scope_to). One row per repeated hour, with its day.
select sensor_id, metric, hour, min(day) as day, count(*) as n,
from agg_sensor_anomalies
where ($scope_from is null or hour >= $scope_from) and ($scope_to is null or hour < $scope_to)
group by sensor_id, metric, hour
having count(*) > 1
