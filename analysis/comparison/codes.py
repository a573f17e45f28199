"""The funnel codes of DESIGN.md §5, apart from the statistics so that schemas can name them without numpy."""

FUNNEL_CODES = ("within", "above_95", "below_95", "above_998", "below_998")
"""The `funnel` values of DESIGN.md §5 (`report --adjust procedure-mix`)."""
