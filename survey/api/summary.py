"""The query string of `GET /api/v1/summary`, read into the one report filter (`reporting.query.ReportFilter`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from analysis.periods import is_month
from survey.api.schemas import FieldError
from survey.cleaning import whole_number
from survey.services.reporting.comparison import ADJUSTMENTS, REFERENCES
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import GROUPS, Settings
from survey.services.reporting.weighted import WEIGHTED_GROUPS

PARAMETERS = (
    "group_by", "target", "min_n", "verified_only", "month_from", "month_to", "adjust", "reference", "weighted",
)  # fmt: skip
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")

MIN_N_MAX = 999_999_999  # the largest `min_n` (the OpenAPI document states it too)
MONTHS_REVERSED = "must not be after month_to"


@dataclass(frozen=True)
class SummaryQuery:
    group_by: str
    target: float | None  # None: each group's own target (admin settings, else the deployment default)
    settings: Settings
    where: ReportFilter
    adjust: str | None = None  # "procedure-mix": offices' shares adjusted for their procedure mix, with a funnel
    reference: str = "national"
    weighted: bool = False  # add shares weighted by the dossiers handled (Kish effective n)


def parse_summary_query(
    args: MultiDict[str, str], config: Mapping[str, Any]
) -> tuple[SummaryQuery | None, list[FieldError]]:
    """Defaults as `flask report`: by procedure, each group's target, the deployment's minimum n, all responses."""
    errors = [
        FieldError(name[:40], f"unknown parameter; allowed: {', '.join(PARAMETERS)}")
        for name in args
        if name not in PARAMETERS
    ]
    group_by = args.get("group_by", "procedure")
    if group_by not in GROUPS:
        errors.append(FieldError("group_by", f"must be one of {', '.join(GROUPS)}"))
    target: float | None = None
    if "target" in args:
        try:
            target = float(args["target"])
        except ValueError:
            target = -1.0
        if not 0 < target < 1:
            errors.append(FieldError("target", "must be a fraction between 0 and 1, e.g. 0.9"))
    min_n = int(config["MINIMUM_N"])
    if "min_n" in args:
        raw = args["min_n"]
        min_n = whole_number(raw, len(str(MIN_N_MAX))) or 0
        if not 1 <= min_n <= MIN_N_MAX:
            errors.append(FieldError("min_n", f"must be a whole number from 1 to {MIN_N_MAX}"))
    verified = args.get("verified_only", "false").lower()
    if verified not in _TRUE + _FALSE:
        errors.append(FieldError("verified_only", "must be true or false"))
    months = {}
    for name in ("month_from", "month_to"):
        value = args.get(name)
        if value is not None and not is_month(value):
            errors.append(FieldError(name, "must be a month as YYYY-MM"))
        months[name] = value or None
    if not errors and months["month_from"] and months["month_to"] and months["month_from"] > months["month_to"]:
        errors.append(FieldError("month_from", MONTHS_REVERSED))  # else the filter refuses them: a 500
    adjust, reference = args.get("adjust") or None, args.get("reference", "national")
    weighted = args.get("weighted", "false").lower()
    errors += _option_errors(adjust, reference, weighted, group_by)
    if errors:
        return None, errors
    where = ReportFilter(verified_only=verified in _TRUE, month_from=months["month_from"], month_to=months["month_to"])
    settings = Settings(default_target=float(config["SATISFACTION_TARGET"]), min_n=min_n)
    return SummaryQuery(group_by, target, settings, where, adjust, reference, weighted in _TRUE), []


def _option_errors(adjust: str | None, reference: str, weighted: str, group_by: str) -> list[FieldError]:
    errors = []
    if weighted not in _TRUE + _FALSE:
        errors.append(FieldError("weighted", "must be true or false"))
    elif weighted in _TRUE and group_by not in WEIGHTED_GROUPS:
        errors.append(FieldError("weighted", "weighted shares are by procedure, office or month"))
    if adjust is not None and adjust not in ADJUSTMENTS:
        errors.append(FieldError("adjust", f"must be one of {', '.join(ADJUSTMENTS)}"))
    elif adjust is not None and group_by != "office":
        errors.append(FieldError("adjust", "procedure-mix compares offices: use it with group_by=office"))
    if reference not in REFERENCES:
        errors.append(FieldError("reference", f"must be one of {', '.join(REFERENCES)}"))
    return errors
