"""Fair office comparisons: procedure-mix adjustment, funnel plots and overdispersion (pure functions).

    reference = pooled_reference(counts_by_office, label="national")   # or references_by_group(…, province_of)
    result = compare_offices(counts_by_office, reference)              # one OfficeComparison per office
    curves = result.limits()                                           # for the funnel plot

`counts_by_office` maps office code → procedure code → (n answered, n satisfied) for one period.
"""

from analysis.comparison.dispersion import Dispersion, overdispersion, z_scores
from analysis.comparison.funnel import FUNNEL_CODES, FunnelLimits, binomial_limit, classify, funnel_limits
from analysis.comparison.offices import (
    Comparison,
    Measure,
    OfficeComparison,
    adjusted_interval,
    compare_offices,
    compare_within_groups,
)
from analysis.comparison.reference import (
    ProcedureCounts,
    Reference,
    pooled_reference,
    reference_from_procedures,
    references_by_group,
)

__all__ = [
    "FUNNEL_CODES",
    "Comparison",
    "Dispersion",
    "FunnelLimits",
    "Measure",
    "OfficeComparison",
    "ProcedureCounts",
    "Reference",
    "adjusted_interval",
    "binomial_limit",
    "classify",
    "compare_offices",
    "compare_within_groups",
    "funnel_limits",
    "overdispersion",
    "pooled_reference",
    "reference_from_procedures",
    "references_by_group",
    "z_scores",
]
