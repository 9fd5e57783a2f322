-- Did adopted proposals change what citizens complain about? For each adopted proposal, complaints of its category
-- in its district before vs after the adoption, against the same change in the other districts.
-- grain: proposal. params: $start, $end, $as_of (timestamptz); $district, $domain, $category (text or null).
-- Proposals adopted (closed_at, adopted = true) in [start − 90 days, end). window = min(90 days, as_of − adopted_at),
-- so before and after are equally long: before = [adopted_at − window, adopted_at), after = [adopted_at, + window).
-- change = (after − before) ÷ before; others_change the same over every other (known) district; difference = change −
-- others_change (null when a before count is 0).
with proposals as (
    select complaint_id, category, domain, district_code, closed_at as adopted_at, votes, title,
        least(interval 90 day, $as_of - closed_at) as window,
    from fct_complaints
    where kind = 'proposal' and adopted and closed_at is not null
      and closed_at >= $start - interval 90 day and closed_at < $end and closed_at < $as_of
      and category is not null and district_code is not null
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
),
counts as (
    select
        p.complaint_id,
        count(*) filter (where f.district_code = p.district_code and f.requested_at < p.adopted_at) as before,
        count(*) filter (where f.district_code = p.district_code and f.requested_at >= p.adopted_at) as after,
        count(*) filter (where f.district_code != p.district_code and f.requested_at < p.adopted_at)
            as others_before,
        count(*) filter (where f.district_code != p.district_code and f.requested_at >= p.adopted_at)
            as others_after,
    from proposals as p
    left join fct_complaints as f
        on f.kind = 'complaint' and f.category = p.category
        and f.requested_at >= p.adopted_at - p.window and f.requested_at < p.adopted_at + p.window
    group by p.complaint_id
)
select
    p.complaint_id,
    p.title,
    p.category,
    p.domain,
    p.district_code,
    d.name_ko,
    d.name_en,
    p.adopted_at,
    p.votes,
    epoch(p.window) / 86400.0 as window_days,
    c.before,
    c.after,
    (c.after - c.before) / nullif(c.before, 0) as change,
    c.others_before,
    c.others_after,
    (c.others_after - c.others_before) / nullif(c.others_before, 0) as others_change,
    (c.after - c.before) / nullif(c.before, 0) - (c.others_after - c.others_before) / nullif(c.others_before, 0)
        as difference,
from proposals as p
join counts as c on c.complaint_id = p.complaint_id
left join dim_district as d on d.district_code = p.district_code
order by p.adopted_at desc, p.complaint_id
