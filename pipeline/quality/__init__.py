"""Data-quality checks (believability) and the comparison with the register of published figures."""
