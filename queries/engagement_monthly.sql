-- Engagement per month for investors: distinct active reporters, items submitted, proposals, votes on them.
-- Aggregates only, small groups suppressed: a count under 5 is returned as null with its *_suppressed flag
-- true (shown as "<5"); votes are suppressed when they or the month's proposals number under 5.
-- grain: month (every local calendar month in [start, end), as a date).
-- params: $start, $end (timestamptz, month starts); $district, $domain, $category, $kind (text or null).
with items as (
    select cast(date_trunc('month', requested_at) as date) as month, reporter_key, kind, votes,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
months as (
    select cast(range as date) as month, from range(cast($start as date), cast($end as date), interval 1 month)
),
counts as (
    select
        m.month,
        count(distinct i.reporter_key) as participants,
        count(i.month) as submissions,
        count(*) filter (where i.kind = 'proposal') as proposals,
        coalesce(cast(sum(i.votes) filter (where i.kind = 'proposal') as bigint), 0) as votes,
    from months as m
    left join items as i using (month)
    group by m.month
)
select
    month,
    case when participants >= 5 then participants end as active_participants,
    participants < 5 as active_participants_suppressed,
    case when submissions >= 5 then submissions end as submissions,
    submissions < 5 as submissions_suppressed,
    case when proposals >= 5 then proposals end as proposals,
    proposals < 5 as proposals_suppressed,
    case when proposals >= 5 and votes >= 5 then votes end as votes,
    not (proposals >= 5 and votes >= 5) as votes_suppressed,
from counts
order by month
