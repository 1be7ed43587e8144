"""The agenda pack of a meeting: manifest, front sheet, merging and page stamping."""
