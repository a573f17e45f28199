"""The reference an office is measured against: per-procedure satisfied rates, and the share they pool to.

Fair comparison asks "what would this office show if it handled each of its procedures at the reference
rate?" (indirect standardisation). The reference is always chosen explicitly and carries a label
(`national`, a province code), so every adjusted figure can say what it is adjusted to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from analysis.checks import count

ProcedureCounts = Mapping[str, tuple[int, int]]
"""Procedure code → (n answered, n satisfied) for one office in one period; satisfied = rating 4 or 5."""


@dataclass(frozen=True)
class Reference:
    """Satisfied rates per procedure and the reference share P = Σ satisfied / Σ n over the same answers."""

    label: str
    n: int
    satisfied: int
    rates: Mapping[str, float] = field(repr=False)

    @property
    def share(self) -> float:
        return self.satisfied / self.n


def checked_counts(owner: str, counts: ProcedureCounts) -> dict[str, tuple[int, int]]:
    """Validated (n, satisfied) pairs; procedures with no answers are dropped (they carry no information)."""
    checked: dict[str, tuple[int, int]] = {}
    for procedure, pair in counts.items():
        try:
            raw_n, raw_satisfied = pair
        except (TypeError, ValueError):
            raise ValueError(f"{owner}, procedure {procedure}: expected (n, satisfied), got {pair!r}") from None
        n = count("n", raw_n)
        satisfied = count("satisfied", raw_satisfied)
        if satisfied > n:
            raise ValueError(f"{owner}, procedure {procedure}: satisfied ({satisfied}) cannot exceed n ({n})")
        if n:
            checked[procedure] = (n, satisfied)
    return checked


def reference_from_procedures(procedures: ProcedureCounts, *, label: str) -> Reference:
    """A reference from pooled per-procedure counts, e.g. a national rollup for the same period."""
    checked = checked_counts(f"reference {label}", procedures)
    n = sum(k for k, _ in checked.values())
    if n == 0:
        raise ValueError(f"reference {label} has no answers")
    return Reference(
        label=label,
        n=n,
        satisfied=sum(s for _, s in checked.values()),
        rates=MappingProxyType({procedure: s / k for procedure, (k, s) in checked.items()}),
    )


def _pool(offices: Mapping[str, ProcedureCounts]) -> dict[str, tuple[int, int]]:
    pooled: dict[str, tuple[int, int]] = {}
    for office, counts in offices.items():
        for procedure, (k, s) in checked_counts(f"office {office}", counts).items():
            n0, s0 = pooled.get(procedure, (0, 0))
            pooled[procedure] = (n0 + k, s0 + s)
    return pooled


def pooled_reference(offices: Mapping[str, ProcedureCounts], *, label: str) -> Reference:
    """Reference rates pooled over the offices given (the country's, when given every office of the period)."""
    return reference_from_procedures(_pool(offices), label=label)


def references_by_group(offices: Mapping[str, ProcedureCounts], group_of: Mapping[str, str]) -> dict[str, Reference]:
    """One pooled reference per group (e.g. province code → that province's rates), labelled by the group.

    A group none of whose offices has answers has no rates, so it gets no reference.
    """
    groups: dict[str, dict[str, ProcedureCounts]] = {}
    for office, counts in offices.items():
        if office not in group_of:
            raise ValueError(f"office {office} has no group (province) given")
        groups.setdefault(group_of[office], {})[office] = counts
    pooled = {group: _pool(members) for group, members in groups.items()}
    return {group: reference_from_procedures(counts, label=group) for group, counts in pooled.items() if counts}
