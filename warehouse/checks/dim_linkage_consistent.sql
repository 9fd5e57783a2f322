-- dim_linkage: a category belongs to one link, a link has one signal metric, and one direction.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select link, category, metric, role, direction,
from dim_linkage
qualify count(distinct link) over (partition by category) > 1
     or count(distinct metric) filter (where role = 'signal') over (partition by link) != 1
     or count(distinct direction) over (partition by link) > 1
