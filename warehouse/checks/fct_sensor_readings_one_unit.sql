-- fct_sensor_readings: each metric is stored in exactly one unit, the catalogue's (warehouse/metrics.toml).
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): readings measured in
-- [scope_from, scope_to). metric_catalogue (metric, unit) is the catalogue, registered by warehouse/check.py.
-- Tested against the catalogue rather than across all readings, so that each day's result stands on its own.
-- One row per metric × local day × unit other than the catalogue's (or a metric it does not know).
select f.metric, cast(f.measured_at as date) as day, f.unit, c.unit as catalogue_unit, count(*) as readings,
from fct_sensor_readings as f
left join metric_catalogue as c on c.metric = f.metric
where ($scope_from is null or f.measured_at >= $scope_from) and ($scope_to is null or f.measured_at < $scope_to)
  and f.unit is distinct from c.unit
group by all
