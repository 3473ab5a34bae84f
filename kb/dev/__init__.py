"""Tools for people who work on kb itself (demo data for the dashboard and the report)."""
