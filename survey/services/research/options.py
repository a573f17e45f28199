"""The options of a research export: the format, k, the period and the columns the researcher chooses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.periods import is_month
from survey.services.research.columns import (
    DEFAULT_QUASI,
    FORMATS,
    OTHER_COLUMNS,
    QUASI_IDENTIFIERS,
    TEXT_MODES,
    Column,
    export_columns,
)
from survey.services.research.plan import ExportError


def _named(names: Sequence[str] | None, what: str, allowed: Sequence[str]) -> tuple[str, ...] | None:
    if names is None:
        return None
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ExportError(f"{', '.join(unknown)}: not {what}; choose from {', '.join(allowed)}")
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class ExportOptions:
    """What the researcher asked for; `check` explains anything that cannot be done.

    `quasi`: the quasi-identifiers in the file (None = DEFAULT_QUASI); `columns`: the other columns, answers
    and facts (None = all). A quasi-identifier named in `columns` is one of the file's quasi-identifiers:
    with `quasi` not given, those named replace the default; with `quasi` given, it must be among them.
    """

    file_format: str = "csv"
    k: int = 5
    text: str = "redacted"
    month_from: str | None = None
    month_to: str | None = None
    l_diversity: int | None = None
    quasi: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    max_suppression: float = 0.05

    def check(self) -> None:
        if self.file_format not in FORMATS:
            raise ExportError(f"unknown format {self.file_format!r}; choose one of {', '.join(FORMATS)}")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 2:
            raise ExportError(f"k must be a whole number of at least 2 (k = {self.k} protects nobody)")
        if self.l_diversity is not None and not 2 <= self.l_diversity <= 5:
            raise ExportError("l-diversity must be between 2 and 5 (ratings take five values)")
        if self.text not in TEXT_MODES:
            raise ExportError(f"unknown text handling {self.text!r}; choose one of {', '.join(TEXT_MODES)}")
        for name, month in (("from", self.month_from), ("to", self.month_to)):
            if month is not None and not is_month(month):
                raise ExportError(f"the {name} month must look like 2025-07 (YYYY-MM), not {month!r}")
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise ExportError(f"the period starts ({self.month_from}) after it ends ({self.month_to})")
        if not 0 <= self.max_suppression < 0.5:
            raise ExportError("the largest share of rows to drop must be from 0 to below 0.5, e.g. 0.05")
        self.chosen()

    def chosen(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(quasi-identifiers, other columns) of the file, each in the file's order."""
        quasi = _named(self.quasi, "a quasi-identifier", QUASI_IDENTIFIERS)
        columns = _named(self.columns, "a column of the export", ("row_id", *QUASI_IDENTIFIERS, *OTHER_COLUMNS))
        named_quasi = [name for name in columns or () if name in QUASI_IDENTIFIERS]
        if quasi is None:
            quasi = tuple(named_quasi) or DEFAULT_QUASI
        stray = [name for name in named_quasi if name not in quasi]
        if stray:
            raise ExportError(
                f"{', '.join(stray)} is a quasi-identifier: name it among the quasi-identifiers too, or leave it out"
            )
        if not quasi:
            raise ExportError(f"choose at least one quasi-identifier: {', '.join(QUASI_IDENTIFIERS)}")
        others = OTHER_COLUMNS if columns is None else tuple(name for name in columns if name in OTHER_COLUMNS)
        return (
            tuple(name for name in QUASI_IDENTIFIERS if name in quasi),
            tuple(name for name in OTHER_COLUMNS if name in others),
        )

    @property
    def chosen_quasi(self) -> tuple[str, ...]:
        return self.chosen()[0]

    def file_columns(self) -> tuple[Column, ...]:
        quasi, others = self.chosen()
        return export_columns(quasi=quasi, others=others, text=self.text)

    def parameters(self) -> dict[str, Any]:
        quasi, others = self.chosen()
        return {
            "format": self.file_format,
            "k": self.k,
            "l_diversity": self.l_diversity,
            "text": self.text,
            "month_from": self.month_from,
            "month_to": self.month_to,
            "quasi": list(quasi),
            "columns": list(others),
            "max_suppression": self.max_suppression,
        }
