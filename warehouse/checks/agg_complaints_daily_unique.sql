-- agg_complaints_daily: one row per day × district × domain × category × kind × channel.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): the days in
-- [scope_from, scope_to). One row per repeated group, with its day.
select day, district_code, domain, category, kind, channel, count(*) as n,
from agg_complaints_daily
where ($scope_from is null or day >= cast($scope_from as date)) and ($scope_to is null or day < cast($scope_to as date))
group by all
having count(*) > 1
