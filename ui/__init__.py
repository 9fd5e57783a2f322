"""Shared pieces of the dashboard's pages: language, filters, formatting, KPI cards, cached loads."""
