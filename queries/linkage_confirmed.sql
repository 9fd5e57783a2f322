-- How many complaints of each link's categories a sensor confirms: an episode of the link's signal metric in the
-- complaint's district overlapping the $window_hours before it (started_at ≤ received and ended_at > received − window).
-- grain: link. params: $start, $end (timestamptz); $window_hours (integer); $district, $kind (text or null).
-- covered = complaints in a district with a sensor of the link's signal metric (the only ones a sensor could confirm).
with links as (
    select link, any_value(link_ko) as link_ko, any_value(link_en) as link_en,
        any_value(metric) filter (where role = 'signal') as metric,
    from dim_linkage
    group by link
),
covered_districts as (
    select distinct d.metric, s.district_code,
    from (select distinct sensor_id, metric from agg_sensor_daily) as d
    join dim_sensor as s on s.sensor_id = d.sensor_id
    where s.district_code is not null
),
complaints as (
    select f.complaint_id, f.district_code, f.requested_at, l.link, l.metric,
    from fct_complaints as f
    join dim_linkage as l on l.category = f.category and l.role = 'signal'
    where f.requested_at >= $start and f.requested_at < $end
      and ($district is null or f.district_code = $district)
      and ($kind is null or f.kind = $kind)
),
judged as (
    select c.*,
        exists (select 1 from covered_districts as v where v.metric = c.metric and v.district_code = c.district_code)
            as covered,
        exists (
            select 1 from agg_anomaly_episodes as e
            where e.link = c.link and e.district_code = c.district_code
              and e.started_at <= c.requested_at
              and e.ended_at > c.requested_at - to_hours(cast($window_hours as bigint))
        ) as confirmed,
    from complaints as c
)
select
    l.link,
    l.link_ko,
    l.link_en,
    l.metric,
    count(j.complaint_id) as complaints,
    count(*) filter (where j.covered) as covered,
    count(*) filter (where j.confirmed) as confirmed,
    count(*) filter (where j.confirmed) / nullif(count(j.complaint_id), 0) as confirmed_share,
    count(*) filter (where j.confirmed) / nullif(count(*) filter (where j.covered), 0) as confirmed_share_covered,
from links as l
left join judged as j on j.link = l.link
group by all
order by l.link
