-- Complaint KPIs per district for the choropleth, with each district's GeoJSON boundary (null if unknown).
-- grain: district_code (every row of dim_district; 0 or null where it has no complaints).
-- params: $start, $end, $as_of (timestamptz); $domain, $category, $kind (text or null).
-- received = requested_at in [start, end); received_per_1000 = received ÷ population × 1,000;
-- on_time_rate = on_time ÷ (on_time + late + overdue) and median_days_to_close as in kpi_headline.sql;
-- backlog = open at as_of whatever the period (as backlog_aging.sql).
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
with period as (
    select
        district_code,
        count(*) as received,
        count(*) filter (where status = 'closed' and closed_at <= due_at) as on_time,
        count(*) filter (where status = 'closed' and closed_at > due_at) as late,
        count(*) filter (where status != 'closed' and due_at < $as_of) as overdue,
        median((epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0)
            filter (where status = 'closed' and closed_at >= requested_at) as median_days_to_close,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by district_code
),
open_now as (
    select district_code, count(*) as backlog,
    from fct_complaints
    where status != 'closed' and requested_at <= $as_of
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by district_code
)
select
    d.district_code,
    d.name_ko,
    d.name_en,
    d.population,
    coalesce(p.received, 0) as received,
    coalesce(p.received, 0) * 1000.0 / nullif(d.population, 0) as received_per_1000,
    p.on_time / nullif(p.on_time + p.late + p.overdue, 0) as on_time_rate,
    p.median_days_to_close,
    coalesce(o.backlog, 0) as backlog,
    d.centroid_lat,
    d.centroid_lon,
    d.boundary,
from dim_district as d
left join period as p using (district_code)
left join open_now as o using (district_code)
order by d.district_code
