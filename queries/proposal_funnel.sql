-- Proposals received in the period, step by step: all proposals, those with at least one vote, those decided
-- (adopted or rejected, i.e. adopted is not null) and those adopted. adoption rate = adopted ÷ decided.
-- grain: stage (all four). params: $start, $end (timestamptz); $district, $domain, $category (text or null).
-- The kind filter does not apply: the funnel is about proposals only.
with proposals as (
    select votes, adopted,
    from fct_complaints
    where kind = 'proposal'
      and requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
),
counts as (
    select
        count(*) as proposals,
        count(*) filter (where votes > 0) as with_votes,
        count(adopted) as decided,
        count(*) filter (where adopted) as adopted,
    from proposals
)
select s.stage_order, s.stage, s.items,
from counts as c,
    lateral (values (1, 'proposals', c.proposals), (2, 'with_votes', c.with_votes),
                    (3, 'decided', c.decided), (4, 'adopted', c.adopted)) as s(stage_order, stage, items)
order by s.stage_order
