"""Argument checks shared by the statistics modules, so every function refuses bad input the same way."""

from __future__ import annotations

import operator
from typing import Any


def count(name: str, value: Any) -> int:
    """Accept Python or numpy integers (not bools, not floats) that are >= 0."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not a bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    return number


def check_target(target: float) -> float:
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be a share strictly between 0 and 1, got {target!r}")
    return float(target)


def check_min_n(min_n: int) -> int:
    min_n = count("min_n", min_n)
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    return min_n


def known(value: float | None) -> float:
    """A share that must be present (callers check for None first)."""
    if value is None:
        raise ValueError("expected a share, found none")
    return value
