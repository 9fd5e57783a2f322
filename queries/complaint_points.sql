-- Where complaints were made, for the hexagon/heat map: coordinates rounded to 3 decimals (about 100 m) and
-- how many complaints each point holds — no id, text, time or reporter, since every row is sent to the browser.
-- One row per point rather than per complaint: the map weighs each point by n, which bins exactly as n rows
-- would (on the bench's city tier, a month's 11,222 complaints with coordinates fall on 5,278 points).
-- grain: rounded point with complaints received in the period. params: $start, $end (timestamptz);
-- $district, $domain, $category, $kind (text or null).
select
    round(lat, 3) as lat,
    round(lon, 3) as lon,
    count(*) as n,
from fct_complaints
where lat is not null and lon is not null
  and requested_at >= $start and requested_at < $end
  and ($district is null or district_code = $district)
  and ($domain is null or domain = $domain)
  and ($category is null or category = $category)
  and ($kind is null or kind = $kind)
group by all
order by lat, lon
