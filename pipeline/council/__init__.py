"""A council month: every committee report of a month in one run (docs/month.md)."""
