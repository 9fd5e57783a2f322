-- Items received in the period by kind (complaint, proposal, inquiry), with each kind's share.
-- grain: kind. params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null).
select
    kind,
    cast(sum(received) as bigint) as received,
    sum(received) / sum(sum(received)) over () as share,
from agg_complaints_daily
where day >= cast($start as date) and day < cast($end as date)
  and ($district is null or district_code = $district)
  and ($domain is null or domain = $domain)
  and ($category is null or category = $category)
  and ($kind is null or kind = $kind)
group by kind
having sum(received) > 0
order by received desc, kind
