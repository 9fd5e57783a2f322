-- Daily air quality per station graded by the Korean bands (daily mean rounded to a whole µg/m³):
-- PM10 좋음 ≤30, 보통 ≤80, 나쁨 ≤150, 매우나쁨 above; PM2.5 좋음 ≤15, 보통 ≤35, 나쁨 ≤75, 매우나쁨 above.
-- grade: 1 good … 4 very bad; overall = the worse of the two. grain: station × day.
-- params: $start, $end (timestamptz); $district (text or null).
with daily as (
    select d.sensor_id, d.day, d.metric, round(d.mean) as mean,
    from agg_sensor_daily as d
    join dim_sensor as s using (sensor_id)
    where d.metric in ('pm10', 'pm25') and d.n > 0
      and d.day >= cast($start as date) and d.day < cast($end as date)
      and ($district is null or s.district_code = $district)
),
graded as (
    select *,
        case
            when metric = 'pm10' then case when mean <= 30 then 1 when mean <= 80 then 2 when mean <= 150 then 3 else 4 end
            else case when mean <= 15 then 1 when mean <= 35 then 2 when mean <= 75 then 3 else 4 end
        end as grade,
    from daily
)
select
    g.sensor_id,
    s.name as station,
    s.district_code,
    g.day,
    max(g.mean) filter (where g.metric = 'pm10') as pm10,
    max(g.mean) filter (where g.metric = 'pm25') as pm25,
    max(g.grade) filter (where g.metric = 'pm10') as pm10_grade,
    max(g.grade) filter (where g.metric = 'pm25') as pm25_grade,
    max(g.grade) as grade,
from graded as g
join dim_sensor as s using (sensor_id)
group by all
order by g.day, g.sensor_id
