-- What the loaded sources provide for participation views, over the whole warehouse (no filters):
-- items, items with a reporter key, proposals, items with a channel, ratings, districts with population/boundary.
-- grain: one row. params: none. Pages use it to say "not available for this source" instead of showing zeros.
select
    (select count(*) from fct_complaints) as items,
    (select count(reporter_key) from fct_complaints) as items_with_reporter,
    (select count(*) filter (where kind = 'proposal') from fct_complaints) as proposals,
    (select count(channel) from fct_complaints) as items_with_channel,
    (select count(satisfaction) from fct_complaints) as rated,
    (select count(*) filter (where population > 0) from dim_district) as districts_with_population,
    (select count(boundary) from dim_district) as districts_with_boundary
