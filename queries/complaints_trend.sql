-- Received and closed per day (by day of receipt) for the trend chart.
-- grain: day. params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null).
select
    day,
    sum(received) as received,
    sum(closed) as closed,
from agg_complaints_daily
where day >= cast($start as date) and day < cast($end as date)
  and ($district is null or district_code = $district)
  and ($domain is null or domain = $domain)
  and ($category is null or category = $category)
  and ($kind is null or kind = $kind)
group by day
order by day
