"""The council's rules: months and financial years, figures and rounding, RAG rating. Pure; imports nothing above it."""
