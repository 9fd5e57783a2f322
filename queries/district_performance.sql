-- Per-district response performance for the period, worst on-time rate first.
-- grain: district_code. params: $start, $end, $as_of; $domain, $category, $kind (text or null).
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
select
    d.district_code,
    d.name_ko,
    d.name_en,
    count(f.complaint_id) as received,
    count(*) filter (where f.status = 'closed') as closed,
    count(*) filter (where f.status = 'closed' and f.closed_at <= f.due_at) as on_time,
    count(*) filter (where f.status = 'closed' and f.closed_at > f.due_at) as late,
    count(*) filter (where f.status != 'closed' and f.due_at < $as_of) as overdue,
    count(*) filter (where f.status = 'closed' and f.closed_at <= f.due_at)
        / nullif(count(*) filter (where (f.status = 'closed' and f.due_at is not null) or (f.status != 'closed' and f.due_at < $as_of)), 0)
        as on_time_rate,
    median((epoch_us(f.closed_at) // 1000000 - epoch_us(f.requested_at) // 1000000) / 86400.0)
        filter (where f.status = 'closed' and f.closed_at >= f.requested_at) as median_days_to_close,
from dim_district as d
join fct_complaints as f
    on f.district_code = d.district_code
    and f.requested_at >= $start and f.requested_at < $end
    and ($domain is null or f.domain = $domain)
    and ($category is null or f.category = $category)
    and ($kind is null or f.kind = $kind)
group by all
order by on_time_rate asc nulls last, received desc
