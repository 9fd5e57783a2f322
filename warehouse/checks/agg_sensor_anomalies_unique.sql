-- agg_sensor_anomalies: one row per sensor × metric × hour.
select sensor_id, metric, hour, count(*) as n
from agg_sensor_anomalies
group by all
having count(*) > 1
