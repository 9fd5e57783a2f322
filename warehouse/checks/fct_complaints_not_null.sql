-- fct_complaints: required columns are never null.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): complaints requested in
-- [scope_from, scope_to) (a null requested_at only by a whole run). One row per offending complaint, with its
-- local day.
select complaint_id, cast(requested_at as date) as day,
from fct_complaints
where ($scope_from is null or requested_at >= $scope_from) and ($scope_to is null or requested_at < $scope_to)
  and (complaint_id is null or source is null or source_id is null or kind is null or domain is null
       or status is null or requested_at is null or batch_id is null)
