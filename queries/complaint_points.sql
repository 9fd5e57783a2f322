-- Where complaints were made, for the hexagon/heat map: coordinates rounded to 3 decimals (about 100 m)
-- and the domain only — no id, text, time or reporter, since every row is sent to the browser.
-- grain: complaint with coordinates, received in the period. params: $start, $end (timestamptz);
-- $district, $domain, $category, $kind (text or null).
select
    round(lat, 3) as lat,
    round(lon, 3) as lon,
    domain,
from fct_complaints
where lat is not null and lon is not null
  and requested_at >= $start and requested_at < $end
  and ($district is null or district_code = $district)
  and ($domain is null or domain = $domain)
  and ($category is null or category = $category)
  and ($kind is null or kind = $kind)
order by lat, lon, domain
