-- agg_sensor_anomalies: every anomalous hour is an hour of agg_sensor_hourly with the same mean, of a signal metric.
select a.sensor_id, a.metric, a.hour, a.value, h.mean,
from agg_sensor_anomalies as a
left join agg_sensor_hourly as h on h.sensor_id = a.sensor_id and h.metric = a.metric and h.hour = a.hour
where h.mean is distinct from a.value
   or a.metric not in (select metric from dim_linkage where role = 'signal')
