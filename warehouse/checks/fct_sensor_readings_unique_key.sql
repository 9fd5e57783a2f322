-- fct_sensor_readings: one reading per sensor × metric × measured_at.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): readings measured in
-- [scope_from, scope_to). One row per repeated key, with its local day.
-- Keys are grouped by a 64-bit hash first (half the cost of grouping the text), and only keys whose hash
-- repeats are grouped exactly, so a collision never counts as a repeat.
with repeated_hashes as (
    select hash(sensor_id, metric, epoch_us(measured_at)) as h,
    from fct_sensor_readings
    where ($scope_from is null or measured_at >= $scope_from) and ($scope_to is null or measured_at < $scope_to)
    group by h
    having count(*) > 1
)
select sensor_id, metric, measured_at, cast(measured_at as date) as day, count(*) as n,
from fct_sensor_readings
where ($scope_from is null or measured_at >= $scope_from) and ($scope_to is null or measured_at < $scope_to)
  and hash(sensor_id, metric, epoch_us(measured_at)) in (select h from repeated_hashes)
group by sensor_id, metric, measured_at
having count(*) > 1
