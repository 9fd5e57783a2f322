-- agg_complaints_daily: received and closed per day equal the fact table's counts.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): the days in
-- [scope_from, scope_to). One row per local day that differs.
with fct as (
    select cast(requested_at as date) as day, count(*) as received, count(*) filter (where status = 'closed') as closed,
    from fct_complaints
    where ($scope_from is null or requested_at >= $scope_from) and ($scope_to is null or requested_at < $scope_to)
    group by all
),
agg as (
    select day, sum(received) as received, sum(closed) as closed,
    from agg_complaints_daily
    where ($scope_from is null or day >= cast($scope_from as date)) and ($scope_to is null or day < cast($scope_to as date))
    group by all
)
select coalesce(fct.day, agg.day) as day, fct.received, agg.received as agg_received, fct.closed, agg.closed as agg_closed,
from fct full join agg on fct.day = agg.day
where fct.received is distinct from agg.received or fct.closed is distinct from agg.closed
