-- dim_district: districts the batch's sensors name that the city reference does not know (only possible in a
-- warehouse without reference data); they have no population and no boundary. params: none.
insert into dim_district (district_code, name_ko, name_en)
select distinct s.district_code, s.district_code, s.district_code,
from raw_sensor_series as s
semi join batch_buckets as b on b.dim = s.dim
where s.district_code is not null
  and s.district_code not in (select district_code from dim_district)
