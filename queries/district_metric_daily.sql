-- One metric's daily mean per district, over the district's sensors (weighted by good readings), to compare
-- districts. grain: day (local) × district_code. params: $metric (text); $start, $end (timestamptz);
-- $domain (text or null). The district filter does not apply (this compares districts); sensors with no
-- district are left out.
select
    d.day,
    s.district_code,
    dd.name_ko,
    dd.name_en,
    sum(d.value_sum) / sum(d.n) as mean,
    cast(sum(d.n) as bigint) as n,
    count(distinct d.sensor_id) as sensors,
from agg_sensor_daily as d
join dim_sensor as s using (sensor_id)
join dim_district as dd on dd.district_code = s.district_code
where d.metric = $metric and d.n > 0
  and d.day >= cast($start as date) and d.day < cast($end as date)
  and ($domain is null or s.domain = $domain)
group by all
order by d.day, s.district_code
