-- fct_complaints: every district_code is in dim_district.
-- params: $scope_from, $scope_to (timestamptz, local midnights; null = whole history): complaints requested in
-- [scope_from, scope_to). One row per offending complaint, with its local day.
select complaint_id, district_code, cast(requested_at as date) as day,
from fct_complaints
where ($scope_from is null or requested_at >= $scope_from) and ($scope_to is null or requested_at < $scope_to)
  and district_code is not null and district_code not in (select district_code from dim_district)
