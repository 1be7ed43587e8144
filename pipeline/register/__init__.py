"""The register of published figures: an SQLite file of every figure, target, floor and rating as it
went into a published pack (docs/register.md)."""
