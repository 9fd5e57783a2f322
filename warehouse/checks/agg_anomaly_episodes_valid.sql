-- agg_anomaly_episodes: every episode spans 2+ whole hours, has a sensor, and its link's signal metric.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select e.*,
from agg_anomaly_episodes as e
where e.hours < 2 or e.sensors < 1
   or e.hours != date_diff('hour', e.started_at, e.ended_at)
   or not exists (select 1 from dim_linkage as l where l.link = e.link and l.metric = e.metric and l.role = 'signal')
