-- SLA breaches: open items past their due date at as_of, the longest overdue first (at most 50).
-- grain: complaint. params: $as_of; $district, $domain, $category, $kind (text or null).
select
    complaint_id,
    kind,
    category,
    domain,
    district_code,
    agency,
    requested_at,
    due_at,
    date_diff('second', due_at, $as_of) / 86400.0 as days_overdue,
from fct_complaints
where status != 'closed' and due_at < $as_of
  and ($district is null or district_code = $district)
  and ($domain is null or domain = $domain)
  and ($category is null or category = $category)
  and ($kind is null or kind = $kind)
order by due_at, complaint_id
limit 50
