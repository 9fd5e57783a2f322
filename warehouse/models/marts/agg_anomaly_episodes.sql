-- agg_anomaly_episodes: sensor anomaly episodes per district × link, rebuilt from agg_sensor_anomalies on every
-- sensor batch (a small table: rebuilding it whole costs less than tracking which episodes a batch cut).
-- grain: district_code × link × episode. params: none.
-- A sensor's episode = 2+ consecutive anomalous hours of its signal metric; in a district, episodes of its
-- sensors that overlap or touch are merged into one. ended_at = the last anomalous hour + 1 hour; peak_value =
-- the value farthest in the problem direction; peak_z = the largest |z| (null for a level-only metric without baseline).
delete from agg_anomaly_episodes;

insert into agg_anomaly_episodes
with signals as (
    select distinct link, metric, direction, from dim_linkage where role = 'signal'
),
hours as (
    select a.sensor_id, a.metric, a.hour, a.value, a.z, s.district_code, g.link, g.direction,
        a.hour - to_hours(row_number() over (partition by a.sensor_id, a.metric order by a.hour)) as run_key,
    from agg_sensor_anomalies as a
    join signals as g on g.metric = a.metric
    left join dim_sensor as s on s.sensor_id = a.sensor_id
),
sensor_runs as (
    select
        district_code, link, metric, direction, sensor_id,
        min(hour) as started_at,
        max(hour) + interval 1 hour as ended_at,
        count(*) as hours,
        case when direction = 'high' then max(value) else min(value) end as peak_value,
        max(abs(z)) as peak_z,
    from hours
    group by district_code, link, metric, direction, sensor_id, run_key
    having count(*) >= 2
),
ordered as (
    select *,
        max(ended_at) over (
            partition by district_code, link order by started_at, sensor_id
            rows between unbounded preceding and 1 preceding
        ) as reach,
    from sensor_runs
),
numbered as (
    select *,
        sum(case when reach >= started_at then 0 else 1 end)
            over (partition by district_code, link order by started_at, sensor_id) as episode_no,
    from ordered
)
select
    district_code,
    link,
    any_value(metric) as metric,
    min(started_at) as started_at,
    max(ended_at) as ended_at,
    cast(date_diff('hour', min(started_at), max(ended_at)) as integer) as hours,
    cast(count(distinct sensor_id) as integer) as sensors,
    case when any_value(direction) = 'high' then max(peak_value) else min(peak_value) end as peak_value,
    max(peak_z) as peak_z,
from numbered
group by district_code, link, episode_no
order by started_at, district_code, link;
