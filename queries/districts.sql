-- The districts for pickers and labels, with population where the city reference has it.
-- grain: district_code. params: none.
select district_code, name_ko, name_en, population, centroid_lat, centroid_lon,
from dim_district
order by name_ko
