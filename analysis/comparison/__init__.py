"""Fair office comparisons: procedure-mix adjustment, funnel plots and overdispersion (pure functions).

    reference = pooled_reference(counts_by_office, label="national")   # or references_by_group(…, province_of)
    result = compare_offices(counts_by_office, reference)              # one OfficeComparison per office
    curves = result.limits()                                           # for the funnel plot

`counts_by_office` maps office code → procedure code → (n answered, n satisfied) for one period.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from analysis.comparison.codes import FUNNEL_CODES

if TYPE_CHECKING:
    from analysis.comparison.dispersion import Dispersion, overdispersion, z_scores
    from analysis.comparison.funnel import FunnelLimits, binomial_limit, classify, funnel_limits
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

# numpy and scipy load with the first name used, not with the package: a schema may name FUNNEL_CODES cheaply.
_HOMES = {
    "Dispersion": "dispersion", "overdispersion": "dispersion", "z_scores": "dispersion",
    "FunnelLimits": "funnel", "binomial_limit": "funnel", "classify": "funnel", "funnel_limits": "funnel",
    "Comparison": "offices", "Measure": "offices", "OfficeComparison": "offices", "adjusted_interval": "offices",
    "compare_offices": "offices", "compare_within_groups": "offices",
    "ProcedureCounts": "reference", "Reference": "reference", "pooled_reference": "reference",
    "reference_from_procedures": "reference", "references_by_group": "reference",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"analysis.comparison.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'analysis.comparison' has no attribute {name!r}")


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
