"""Anonymised research exports: the plan, the columns, the writers and the codebook."""
