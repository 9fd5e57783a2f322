-- dim_district: districts a complaint source names that the city reference does not know (only possible in a
-- warehouse without reference data); they have no population and no boundary. params: none.
insert into dim_district (district_code, name_ko, name_en)
select distinct district_code, district_code, district_code,
from raw_complaints
where district_code is not null
  and district_code not in (select district_code from dim_district);
