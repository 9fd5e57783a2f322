-- fct_sensor_readings: keys, value and unit are never null; every sensor is in dim_sensor.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): readings measured in
-- [scope_from, scope_to). One row per offending reading, with its local day.
select sensor_id, metric, measured_at, cast(measured_at as date) as day,
from fct_sensor_readings
where ($scope_from is null or measured_at >= $scope_from) and ($scope_to is null or measured_at < $scope_to)
  and (sensor_id is null or metric is null or measured_at is null or value is null or unit is null
       or sensor_id not in (select sensor_id from dim_sensor))
