-- Per infrastructure domain: sensors registered and complaints received in the period (the page adds
-- completeness, stale and flat-lined counts from sensor_status.sql).
-- grain: domain (all five infrastructure domains: transport, safety, disaster, energy, environment; zero
-- where empty). params: $start, $end, $as_of (timestamptz); $district, $domain, $category, $kind (text or null).
-- sensors = dim_sensor rows of the domain first seen before the period's end (as in sensor_status.sql);
-- received = complaints with requested_at in [start, end); overdue = of those, open and past due_at at as_of.
with domains as (
    select * from (values (1, 'transport'), (2, 'safety'), (3, 'disaster'), (4, 'energy'), (5, 'environment'))
        as d(domain_order, domain)
    where $domain is null or domain = $domain
),
sensors as (
    select domain, count(*) as sensors,
    from dim_sensor
    where first_seen < $end and expected_interval_s > 0
      and ($district is null or district_code = $district)
    group by domain
),
complaints as (
    select
        domain,
        count(*) as received,
        count(*) filter (where status = 'closed') as closed,
        count(*) filter (where status != 'closed' and due_at < $as_of) as overdue,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by domain
)
select
    d.domain,
    coalesce(s.sensors, 0) as sensors,
    coalesce(c.received, 0) as received,
    coalesce(c.closed, 0) as closed,
    coalesce(c.overdue, 0) as overdue,
from domains as d
left join sensors as s using (domain)
left join complaints as c using (domain)
order by d.domain_order
