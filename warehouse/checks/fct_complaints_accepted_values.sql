-- fct_complaints: kind, status and domain only take their documented values; satisfaction is 1–5.
select complaint_id, kind, status, domain, satisfaction from fct_complaints
where kind not in ('complaint', 'proposal', 'inquiry')
   or status not in ('open', 'in_progress', 'closed')
   or domain not in ('transport', 'safety', 'disaster', 'energy', 'environment', 'other')
   or satisfaction not between 1 and 5
