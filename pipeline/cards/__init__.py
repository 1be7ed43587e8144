"""Indicator cards: the reporting period's figures, RAG, direction of travel, comparators. Pure computation, no I/O."""
