-- The engagement funnel for investors over [start, end): reporters (distinct reporter keys with an item)
-- → repeat (2+ items) → proposer (repeat reporters with 1+ proposal) → adopted proposer (proposers with 1+
-- adopted proposal). Each stage is a subset of the one before; share = stage ÷ reporters.
-- Small groups suppressed: a stage under 5 has reporters and share null and suppressed true (shown as "<5").
-- grain: stage (all four). params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null).
with per_reporter as (
    select
        reporter_key,
        count(*) as items,
        count(*) filter (where kind = 'proposal') as proposals,
        count(*) filter (where kind = 'proposal' and adopted) as adopted,
    from fct_complaints
    where reporter_key is not null
      and requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by reporter_key
),
counts as (
    select
        count(*) as reporters,
        count(*) filter (where items >= 2) as repeat_reporters,
        count(*) filter (where items >= 2 and proposals >= 1) as proposers,
        count(*) filter (where items >= 2 and proposals >= 1 and adopted >= 1) as adopted_proposers,
    from per_reporter
),
stages as (
    select s.stage_order, s.stage, s.n, c.reporters as total,
    from counts as c,
        lateral (values (1, 'reporters', c.reporters), (2, 'repeat', c.repeat_reporters),
                        (3, 'proposer', c.proposers), (4, 'adopted_proposer', c.adopted_proposers)) as s(stage_order, stage, n)
)
select
    stage_order,
    stage,
    case when n >= 5 then n end as reporters,
    case when n >= 5 then n / total end as share,
    n < 5 as suppressed,
from stages
order by stage_order
