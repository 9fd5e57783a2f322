-- fct_sensor_readings: one reading per sensor × metric × measured_at.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): readings measured in
-- [scope_from, scope_to). One row per repeated key, with its local day.
select sensor_id, metric, measured_at, cast(measured_at as date) as day, count(*) as n,
from fct_sensor_readings
where ($scope_from is null or measured_at >= $scope_from) and ($scope_to is null or measured_at < $scope_to)
group by sensor_id, metric, measured_at
having count(*) > 1
