-- The complaint–sensor links of data/linkage.toml: categories, signal and context metrics, how many sensors carry
-- the signal and in which districts. grain: link. params: none.
with links as (
    select
        link,
        any_value(link_ko) as link_ko,
        any_value(link_en) as link_en,
        list(distinct category order by category) as categories,
        any_value(metric) filter (where role = 'signal') as metric,
        coalesce(list(distinct metric order by metric) filter (where role = 'context'), []) as context,
        any_value(direction) as direction,
    from dim_linkage
    group by link
),
coverage as (
    select
        d.metric,
        count(distinct d.sensor_id) as sensors,
        list(distinct s.district_code order by s.district_code) filter (where s.district_code is not null) as districts,
    from (select distinct sensor_id, metric from agg_sensor_daily) as d
    left join dim_sensor as s on s.sensor_id = d.sensor_id
    group by d.metric
)
select l.*, coalesce(c.sensors, 0) as sensors, coalesce(c.districts, []) as districts,
from links as l
left join coverage as c on c.metric = l.metric
order by l.link
