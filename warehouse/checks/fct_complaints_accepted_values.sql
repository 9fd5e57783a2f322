-- fct_complaints: kind, status and domain only take their documented values; satisfaction is 1–5.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): complaints requested in
-- [scope_from, scope_to). One row per offending complaint, with its local day.
select complaint_id, kind, status, domain, satisfaction, cast(requested_at as date) as day,
from fct_complaints
where ($scope_from is null or requested_at >= $scope_from) and ($scope_to is null or requested_at < $scope_to)
  and (kind not in ('complaint', 'proposal', 'inquiry')
       or status not in ('open', 'in_progress', 'closed')
       or domain not in ('transport', 'safety', 'disaster', 'energy', 'environment', 'other')
       or satisfaction not between 1 and 5)
