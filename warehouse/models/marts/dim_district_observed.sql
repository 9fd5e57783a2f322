-- dim_district: districts a source names that the city reference does not know (only possible in a
-- warehouse without reference data); they have no population and no boundary. params: none.
insert into dim_district (district_code, name_ko, name_en)
select distinct district_code, district_code, district_code,
from (
    select district_code from raw_complaints
    union all
    select district_code from raw_sensor_readings
)
where district_code is not null
  and district_code not in (select district_code from dim_district);
