-- Hotspots: small grid cells (about 250 m × 250 m) with repeated complaints in the period, each with the nearest
-- sensor that had anomalous hours in the period. grain: grid cell. params: $start, $end (timestamptz);
-- $district, $domain, $category, $kind (text or null).
-- cell = (floor(lat ÷ 0.00225°), floor(lon ÷ 0.0028°)); its centre is shown, never a complaint's own point.
-- Cells with 3 or more items, the 20 busiest. distance_km = 111.2 × √(Δlat² + (Δlon × cos lat)²) from the centre.
with points as (
    select category, lat, lon,
        cast(floor(lat / 0.00225) as bigint) as cell_y,
        cast(floor(lon / 0.0028) as bigint) as cell_x,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and lat is not null and lon is not null
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
cells as (
    select
        cell_y, cell_x,
        cast((cell_y + 0.5) * 0.00225 as double) as lat,
        cast((cell_x + 0.5) * 0.0028 as double) as lon,
        cast(sum(n) as bigint) as items,
        first(category order by n desc, category) as top_category,
        max(n) as top_category_items,
    from (select cell_y, cell_x, category, count(*) as n, from points group by all)
    group by cell_y, cell_x
    having sum(n) >= 3
),
busiest as (
    select * from cells order by items desc, cell_y, cell_x limit 20
),
anomalous_sensors as (
    select a.sensor_id, a.metric, s.name, s.lat, s.lon, count(*) as anomalous_hours,
    from agg_sensor_anomalies as a
    join dim_sensor as s on s.sensor_id = a.sensor_id
    where a.hour >= $start and a.hour < $end and s.lat is not null and s.lon is not null
    group by all
),
nearest as (
    select
        b.cell_y, b.cell_x,
        arg_min(
            {'sensor_id': s.sensor_id, 'name': s.name, 'metric': s.metric, 'anomalous_hours': s.anomalous_hours,
             'distance_km': 111.2 * sqrt(pow(s.lat - b.lat, 2) + pow((s.lon - b.lon) * cos(radians(b.lat)), 2))},
            pow(s.lat - b.lat, 2) + pow((s.lon - b.lon) * cos(radians(b.lat)), 2)
        ) as sensor,
    from busiest as b
    cross join anomalous_sensors as s
    group by all
)
select
    b.lat,
    b.lon,
    b.items,
    b.top_category,
    b.top_category_items,
    n.sensor.sensor_id as sensor_id,
    n.sensor.name as sensor_name,
    n.sensor.metric as sensor_metric,
    n.sensor.anomalous_hours as sensor_anomalous_hours,
    n.sensor.distance_km as sensor_distance_km,
from busiest as b
left join nearest as n on n.cell_y = b.cell_y and n.cell_x = b.cell_x
order by b.items desc, b.lat, b.lon
