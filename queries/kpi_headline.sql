-- Headline complaint KPIs for one period: volume, resolution, durations, on-time, participation, satisfaction.
-- grain: one row. params: $start, $end, $as_of (timestamptz); $district, $domain, $category, $kind (text or null).
-- Durations skip closed_before_requested rows (closed_at < requested_at); counts keep them.
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
with received as (
    select *
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
per_reporter as (
    select reporter_key, count(*) as n from received where reporter_key is not null group by reporter_key
),
population as (
    select sum(population) as population from dim_district where $district is null or district_code = $district
),
counts as (
    select
        count(*) as received,
        count(*) filter (where status = 'closed') as closed,
        median((epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0)
            filter (where status = 'closed' and closed_at >= requested_at) as median_days_to_close,
        quantile_cont((epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0, 0.9)
            filter (where status = 'closed' and closed_at >= requested_at) as p90_days_to_close,
        median((epoch_us(first_response_at) // 1000000 - epoch_us(requested_at) // 1000000) / 3600.0)
            filter (where first_response_at >= requested_at) as first_response_hours,
        count(*) filter (where status = 'closed' and closed_at <= due_at) as on_time,
        count(*) filter (where status = 'closed' and closed_at > due_at) as late,
        count(*) filter (where status != 'closed' and due_at < $as_of) as overdue,
        count(*) filter (where kind = 'proposal') as proposals,
        coalesce(sum(votes) filter (where kind = 'proposal'), 0) as votes,
        count(*) filter (where kind = 'proposal' and adopted is not null) as proposals_decided,
        count(*) filter (where kind = 'proposal' and adopted) as proposals_adopted,
        avg(satisfaction) as satisfaction_mean,
        count(satisfaction) as rated,
    from received
)
select
    c.*,
    c.closed / nullif(c.received, 0) as resolution_rate,
    c.on_time / nullif(c.on_time + c.late + c.overdue, 0) as on_time_rate,
    c.proposals_adopted / nullif(c.proposals_decided, 0) as adoption_rate,
    c.rated / nullif(c.closed, 0) as satisfaction_response_rate,
    (select count(*) from per_reporter) as participants,
    (select count(*) filter (where n >= 2) from per_reporter) / nullif((select count(*) from per_reporter), 0)
        as repeat_participant_share,
    p.population,
    case
        when (select count(*) from per_reporter) > 0
            then (select count(*) from per_reporter) * 1000.0 / nullif(p.population, 0)
    end as participation_per_1000,
    c.received * 1000.0 / nullif(p.population, 0) as received_per_1000,
from counts as c, population as p
