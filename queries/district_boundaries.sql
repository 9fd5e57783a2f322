-- District polygons for maps: the GeoJSON geometry of every district that has one.
-- grain: district_code. params: none.
select district_code, name_ko, name_en, boundary,
from dim_district
where boundary is not null
order by district_code
