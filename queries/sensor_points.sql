-- Where each sensor is, for the map: its own coordinates, else its district's centroid (at_centroid = true).
-- grain: sensor_id (sensors with neither are left out). params: $district, $domain (text or null).
select
    s.sensor_id,
    s.name,
    s.domain,
    s.district_code,
    d.name_ko as district_ko,
    d.name_en as district_en,
    case when own then s.lat else d.centroid_lat end as lat,
    case when own then s.lon else d.centroid_lon end as lon,
    not own as at_centroid,
from (select *, lat is not null and lon is not null as own from dim_sensor) as s
left join dim_district as d using (district_code)
where ($district is null or s.district_code = $district)
  and ($domain is null or s.domain = $domain)
  and (s.own or (d.centroid_lat is not null and d.centroid_lon is not null))
order by s.sensor_id
