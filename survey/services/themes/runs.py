"""Complaint theme runs: theme what dissatisfied citizens wrote, per scope and period, and store the result.

A run covers an office subtree and/or one procedure (or everything) over a span of months. It reads the
stored, already redacted comments of dissatisfied responses (rating ≤ 3: we theme complaints, not praise),
fits `analysis.clustering.ComplaintThemer` aligned to the official seed themes, and stores the themes with
their size, monthly counts, top terms and a few representative examples, plus one `ResponseTheme` row per
themed comment. Everything the run ran with goes into `ThemeRun.parameters`, so a run can be repeated.
Reading runs back for officials lives in `survey.services.themes.pages`.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from analysis.periods import current_month, is_month, months_between, shift_month
from survey.models import Office, Procedure, Response, ResponseTheme, Theme, ThemeRun
from survey.services.accounts.scoping import subtree_ids

if TYPE_CHECKING:  # scikit-learn, numpy and scipy are imported by a run, not by every process that starts
    from analysis.clustering import ComplaintThemer
    from analysis.themes import SeedTheme

MAX_DISSATISFIED_RATING = 3  # 1 Rất không hài lòng, 2 Không hài lòng, 3 Bình thường: not satisfied
DEFAULT_MONTHS = 3
DEFAULT_MIN_COMMENTS = 20
DEFAULT_KEEP = 3
EXAMPLES_PER_THEME = 5
K_LIMITS = (2, 50)
INSERT_BATCH = 5000

Progress = Callable[[str], None]


class ThemeRunError(ValueError):
    """Arguments that cannot describe a run (unknown office, bad month…): nothing is stored."""


@dataclass(frozen=True)
class RunScope:
    """Whose complaints: an office and the offices under it (None: all), one procedure (None: all), months."""

    month_from: str
    month_to: str
    office_id: int | None = None
    procedure_id: int | None = None


@dataclass(frozen=True)
class RunSettings:
    """How to theme: number of themes ("auto" or a number), random seed, the floor of comments, runs kept."""

    k: int | str = "auto"
    seed: int = 0
    min_comments: int = DEFAULT_MIN_COMMENTS
    keep: int = DEFAULT_KEEP


@dataclass
class RunOutcome:
    """A stored run, or the reason none was stored (too few comments)."""

    scope: RunScope
    run: ThemeRun | None
    comments: int
    dissatisfied: int
    seconds: float
    skipped: str | None = None


# -- periods and arguments --------------------------------------------------------------------------------


def check_month(value: str, option: str) -> str:
    if not is_month(value):
        raise ThemeRunError(f"{option} must be a month written YYYY-MM, for example 2025-07; got {value!r}")
    return value


def resolve_period(month_from: str | None, month_to: str | None, now: datetime | None = None) -> tuple[str, str]:
    """The months to theme: default the last three, this month included; one end given, three months from it."""
    if month_to is not None:
        check_month(month_to, "--to")
    if month_from is not None:
        check_month(month_from, "--from")
    end = month_to or (current_month(now) if month_from is None else max(current_month(now), month_from))
    start = month_from or shift_month(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        raise ThemeRunError(f"the period starts ({start}) after it ends ({end})")
    if len(months_between(start, end)) > 120:
        raise ThemeRunError("the period is longer than ten years; choose a shorter one")
    return start, end


def resolve_k(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise ThemeRunError(f"--k must be `auto` or a whole number, not {value!r}") from None
    low, high = K_LIMITS
    if not low <= k <= high:
        raise ThemeRunError(f"--k must be between {low} and {high}, not {k}")
    return k


def office_by_code(session: Session, code: str) -> Office:
    office = session.scalars(select(Office).where(Office.code == code.strip())).one_or_none()
    if office is None:
        raise ThemeRunError(f"no office has the code {code!r}")
    return office


def procedure_by_code(session: Session, code: str) -> Procedure:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code.strip())).one_or_none()
    if procedure is None:
        raise ThemeRunError(f"no procedure has the code {code!r}")
    return procedure


def all_scopes(session: Session, month_from: str, month_to: str, *, communes: bool = False) -> list[RunScope]:
    """One scope per active province-level office (and per commune if asked), then the whole country."""
    levels = ("province", "commune") if communes else ("province",)
    offices = session.scalars(
        select(Office.id).where(Office.active.is_(True), Office.level.in_(levels)).order_by(Office.code)
    )
    scopes = [RunScope(month_from, month_to, office_id=office_id) for office_id in offices]
    return [*scopes, RunScope(month_from, month_to)]


def describe_scope(session: Session, scope: RunScope) -> str:
    """E.g. "79.00 Thành phố Hồ Chí Minh · all procedures · 2025-05..2025-07" for progress lines."""
    office = session.get(Office, scope.office_id) if scope.office_id is not None else None
    procedure = session.get(Procedure, scope.procedure_id) if scope.procedure_id is not None else None
    where = f"{office.code} {office.name}" if office else "all offices"
    what = f"procedure {procedure.code}" if procedure else "all procedures"
    return f"{where} · {what} · {scope.month_from}..{scope.month_to}"


# -- running ----------------------------------------------------------------------------------------------


def seed_themes_version(seeds: Sequence[SeedTheme]) -> str:
    """A short fingerprint of the seed theme list, so a run says which official list it aligned to."""
    canonical = json.dumps([[s.code, s.name_vi, list(s.seeds)] for s in seeds], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _scope_filter(session: Session, scope: RunScope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Response.flagged.is_(False),  # held back by the spam rules: counted nowhere
        Response.rating <= MAX_DISSATISFIED_RATING,
        Response.month >= scope.month_from,
        Response.month <= scope.month_to,
    ]
    if scope.office_id is not None:
        conditions.append(Response.office_id.in_(sorted(subtree_ids(session, scope.office_id))))
    if scope.procedure_id is not None:
        conditions.append(Response.procedure_id == scope.procedure_id)
    return conditions


def run_themes(
    session: Session,
    scope: RunScope,
    settings: RunSettings | None = None,
    *,
    seed_themes: Sequence[SeedTheme] | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Theme the complaints in `scope` and store the run (one commit); fewer comments than the floor: no run."""
    from analysis.clustering import ComplaintThemer
    from analysis.themes import load_seed_themes

    settings = settings or RunSettings()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    conditions = _scope_filter(session, scope)
    dissatisfied = session.scalar(select(func.count()).select_from(Response).where(*conditions)) or 0
    say(f"{dissatisfied} dissatisfied responses in scope; reading their comments")
    rows = [
        (response_id, month, comment)
        for response_id, month, comment in session.execute(
            select(Response.id, Response.month, Response.comment)
            .where(*conditions, Response.comment.is_not(None))
            .order_by(Response.id)
        )
        if comment and comment.strip()
    ]
    outcome = RunOutcome(scope, None, len(rows), dissatisfied, 0.0)
    if len(rows) < settings.min_comments:
        outcome.skipped = (
            f"only {len(rows)} comments from dissatisfied citizens (at least {settings.min_comments} needed)"
        )
        outcome.seconds = time.perf_counter() - started
        return outcome
    seeds = list(seed_themes) if seed_themes is not None else load_seed_themes()
    themer = ComplaintThemer(
        k=settings.k,
        seed_themes=seeds or None,
        n_representatives=EXAMPLES_PER_THEME,
        random_state=settings.seed,
        progress=say,
    )
    # Small or repetitive inputs make scikit-learn warn (e.g. fewer distinct clusters than asked): the run
    # still stands, so the warnings are kept in its parameters and shown as progress instead of escaping.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            themer.fit([comment for _, _, comment in rows])
        except ValueError as exc:
            outcome.skipped = f"no themes could be found ({exc})"
            outcome.seconds = time.perf_counter() - started
            return outcome
    notes = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    for note in notes:
        say(note)
    run = _store(session, scope, settings, seeds, themer, rows, dissatisfied, started)
    run.parameters = {**run.parameters, "warnings": notes}
    _prune(session, scope, settings.keep)
    session.commit()
    outcome.run = run
    outcome.seconds = time.perf_counter() - started
    return outcome


def _store(
    session: Session,
    scope: RunScope,
    settings: RunSettings,
    seeds: list[SeedTheme],
    themer: ComplaintThemer,
    rows: list[tuple[int, str, str]],
    dissatisfied: int,
    started: float,
) -> ThemeRun:
    from analysis.clustering import NO_THEME
    from analysis.redaction import redact

    labels = [int(label) for label in themer.labels_]
    themed = sum(1 for label in labels if label != NO_THEME)
    run = ThemeRun(
        created_at=datetime.now(UTC),
        office_id=scope.office_id,
        procedure_id=scope.procedure_id,
        month_from=scope.month_from,
        month_to=scope.month_to,
        comment_count=len(rows),
        dissatisfied_count=dissatisfied,
        parameters={},
    )
    session.add(run)
    months = months_between(scope.month_from, scope.month_to)
    per_month: dict[int, Counter[str]] = {}
    for (_, month, _), label in zip(rows, labels, strict=True):
        if label != NO_THEME:
            per_month.setdefault(label, Counter())[month] += 1
    by_cluster: dict[int, Theme] = {}
    for position, found in enumerate(sorted(themer.themes_, key=lambda t: (-t.size, t.cluster))):
        counts = per_month.get(found.cluster, Counter())
        theme = Theme(
            position=position,
            code=found.code,
            name=redact(found.name),
            size=found.size,
            dissatisfied_size=found.size,  # every comment in a run comes from a dissatisfied response
            top_terms=[redact(term) for term in found.top_terms],
            examples=[{"response_id": rows[i][0], "text": redact(rows[i][2])} for i in found.representatives],
            monthly_counts={month: counts.get(month, 0) for month in months},
        )
        run.themes.append(theme)
        by_cluster[found.cluster] = theme
    session.flush()
    links = [
        {"run_id": run.id, "response_id": response_id, "theme_id": by_cluster[label].id}
        for (response_id, _, _), label in zip(rows, labels, strict=True)
        if label != NO_THEME
    ]
    for start in range(0, len(links), INSERT_BATCH):
        session.execute(insert(ResponseTheme), links[start : start + INSERT_BATCH])
    run.parameters = {
        "k": settings.k,
        "k_chosen": int(themer.k_),
        "seed": settings.seed,
        "min_comments": settings.min_comments,
        "max_rating": MAX_DISSATISFIED_RATING,
        "seed_themes_version": seed_themes_version(seeds),
        "seed_theme_codes": [s.code for s in seeds],
        "comments": len(rows),
        "themed": themed,
        "unthemed": len(rows) - themed,
        "dissatisfied": dissatisfied,
        "bounded_memory": bool(themer.bounded_memory_),
        "duration_seconds": round(time.perf_counter() - started, 3),
    }
    return run


def _prune(session: Session, scope: RunScope, keep: int) -> None:
    """Keep only the newest `keep` runs of the same scope and period (0 keeps every run)."""
    if keep <= 0:
        return
    same = select(ThemeRun.id).where(
        ThemeRun.office_id.is_(None) if scope.office_id is None else ThemeRun.office_id == scope.office_id,
        ThemeRun.procedure_id.is_(None) if scope.procedure_id is None else ThemeRun.procedure_id == scope.procedure_id,
        ThemeRun.month_from == scope.month_from,
        ThemeRun.month_to == scope.month_to,
    )
    old = list(session.scalars(same.order_by(ThemeRun.id.desc()).offset(keep)))
    if old:
        session.execute(delete(ResponseTheme).where(ResponseTheme.run_id.in_(old)))
        session.execute(delete(Theme).where(Theme.run_id.in_(old)))
        session.execute(delete(ThemeRun).where(ThemeRun.id.in_(old)))


def themes_of(run: ThemeRun) -> list[Theme]:
    return sorted(run.themes, key=lambda t: t.position)


def theme_share(theme: Theme, run: ThemeRun) -> float | None:
    """Share of the scope's dissatisfied responses (with or without a comment) that fall in this theme."""
    return theme.dissatisfied_size / run.dissatisfied_count if run.dissatisfied_count else None


def run_summary(run: ThemeRun) -> dict[str, Any]:
    """Plain facts of a run, for the command line."""
    return {
        "id": run.id,
        "themes": [
            {"name": t.name, "code": t.code, "size": t.size, "share": theme_share(t, run)} for t in themes_of(run)
        ],
    }
