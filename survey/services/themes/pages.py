"""Stored complaint themes as officials may read them: scoped in the query, examples re-redacted on the way out.

An official sees a run only when its whole scope lies inside their office subtree (`ThemeRun.office_id` in
`user_office_scope`): a run for the whole country or for a neighbour's office mixes in comments they may not
read. Example comments are, in addition, taken only from responses of offices inside their scope, and pass
through `redact` again on display (comments stored before redaction improved, or inserted by other means).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from survey.models import Office, Procedure, Response, ResponseTheme, Theme, ThemeRun
from survey.models_themes import CommentLabel
from survey.services.themes.runs import theme_share, themes_of

Scope = set[int] | None  # office ids an official may see; None: every office


@dataclass(frozen=True)
class RunChoice:
    """The latest run of one scope and period, as an entry in the list of runs a user may open."""

    run_id: int
    office_code: str | None
    office_name: str | None
    procedure_code: str | None
    procedure_name: str | None
    month_from: str
    month_to: str
    comment_count: int
    created_at_iso: str

    @property
    def period(self) -> str:
        return f"{self.month_from}..{self.month_to}"


@dataclass(frozen=True)
class Example:
    response_id: int
    month: str
    text: str


@dataclass
class ThemeView:
    """One theme as a page shows it."""

    id: int
    code: str | None
    name: str
    seed_label: str | None
    size: int
    share: float | None
    top_terms: list[str]
    monthly: list[tuple[str, int]]
    examples: list[Example] = field(default_factory=list)


@dataclass
class ThemeDetail:
    run: ThemeRun
    heading: RunChoice
    theme: ThemeView
    examples: list[Example]
    total_examples: int
    page: int
    pages: int


@lru_cache(maxsize=1)
def seed_labels() -> dict[str, str]:
    """Official seed theme code → its Vietnamese label, from analysis/data/seed_themes.json."""
    from analysis.themes import load_seed_themes  # analysis.themes needs numpy and scipy: loaded on first use

    return {theme.code: theme.name_vi for theme in load_seed_themes()}


def _visible(scope: Scope) -> list[ColumnElement[bool]]:
    return [] if scope is None else [ThemeRun.office_id.in_(sorted(scope))]


def _in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Responses whose comments may be shown: counted ones (not held back as spam) of offices in scope."""
    counted = Response.flagged.is_(False)
    return [counted] if scope is None else [counted, Response.office_id.in_(sorted(scope))]


def latest_runs(session: Session, scope: Scope, limit: int = 200) -> list[RunChoice]:
    """The newest run of every (office, procedure, period) the user may see, newest first."""
    latest = (
        select(func.max(ThemeRun.id))
        .where(*_visible(scope))
        .group_by(ThemeRun.office_id, ThemeRun.procedure_id, ThemeRun.month_from, ThemeRun.month_to)
    )
    query = (
        select(ThemeRun, Office.code, Office.name, Procedure.code, Procedure.name)
        .outerjoin(Office, Office.id == ThemeRun.office_id)
        .outerjoin(Procedure, Procedure.id == ThemeRun.procedure_id)
        .where(ThemeRun.id.in_(latest))
        .order_by(ThemeRun.month_to.desc(), Office.code.is_not(None), Office.code, Procedure.code, ThemeRun.id.desc())
        .limit(limit)
    )
    return [
        RunChoice(
            run.id,
            office_code,
            office_name,
            procedure_code,
            procedure_name,
            run.month_from,
            run.month_to,
            run.comment_count,
            run.created_at.isoformat(timespec="minutes"),
        )
        for run, office_code, office_name, procedure_code, procedure_name in session.execute(query)
    ]


def describe_run(session: Session, run: ThemeRun) -> RunChoice:
    """The run's office, procedure and period by code and name, for headings and links."""
    office = session.get(Office, run.office_id) if run.office_id is not None else None
    procedure = session.get(Procedure, run.procedure_id) if run.procedure_id is not None else None
    return RunChoice(
        run.id,
        office.code if office else None,
        office.name if office else None,
        procedure.code if procedure else None,
        procedure.name if procedure else None,
        run.month_from,
        run.month_to,
        run.comment_count,
        run.created_at.isoformat(timespec="minutes"),
    )


def find_run(
    session: Session, scope: Scope, *, office_id: int | None, procedure_id: int | None, period: str | None
) -> ThemeRun | None:
    """The newest visible run of exactly this office and procedure (None: all), in `period` or the latest one."""
    if scope is not None and office_id not in scope:
        return None
    query = select(ThemeRun).where(
        *_visible(scope),
        ThemeRun.office_id.is_(None) if office_id is None else ThemeRun.office_id == office_id,
        ThemeRun.procedure_id.is_(None) if procedure_id is None else ThemeRun.procedure_id == procedure_id,
    )
    if period:
        month_from, _, month_to = period.partition("..")
        query = query.where(ThemeRun.month_from == month_from, ThemeRun.month_to == month_to)
    return session.scalars(query.order_by(ThemeRun.month_to.desc(), ThemeRun.id.desc()).limit(1)).first()


def visible_run(session: Session, scope: Scope, run_id: int) -> ThemeRun | None:
    return session.scalars(select(ThemeRun).where(ThemeRun.id == run_id, *_visible(scope))).first()


def _view(theme: Theme, run: ThemeRun) -> ThemeView:
    from analysis.redaction import (
        redact,  # its patterns take ~0.1 s to compile: loaded on first use, not at every start
    )

    return ThemeView(
        id=theme.id,
        code=theme.code,
        name=redact(theme.name),
        seed_label=seed_labels().get(theme.code) if theme.code else None,
        size=theme.size,
        share=theme_share(theme, run),
        top_terms=[redact(str(term)) for term in theme.top_terms],
        monthly=sorted((str(month), int(count)) for month, count in theme.monthly_counts.items()),
    )


def _example(response_id: int, month: str, comment: str | None) -> Example:
    from analysis.redaction import (
        redact,  # its patterns take ~0.1 s to compile: loaded on first use, not at every start
    )

    return Example(response_id, month, redact(comment or ""))


def _representatives(session: Session, themes: Sequence[Theme], scope: Scope) -> dict[int, list[Example]]:
    """Each theme's stored representative comments that still exist, lie in scope and were not corrected by an
    official to another theme, in stored order."""
    wanted = {int(e["response_id"]) for t in themes for e in t.examples if isinstance(e, dict) and "response_id" in e}
    if not wanted:
        return {}
    found: dict[int, Example] = {}
    corrected: dict[int, set[str | None]] = {}
    query = (
        select(Response.id, Response.month, Response.comment)
        .add_columns(CommentLabel.source, CommentLabel.theme, CommentLabel.theme2)
        .outerjoin(CommentLabel, CommentLabel.response_id == Response.id)
        .where(Response.id.in_(sorted(wanted)), Response.comment.is_not(None), *_in_scope(scope))
    )
    for response_id, month, comment, source, theme, theme2 in session.execute(query):
        found[response_id] = _example(response_id, month, comment)
        if source == "official":
            corrected[response_id] = {theme, theme2}
    return {
        t.id: [
            found[int(e["response_id"])]
            for e in t.examples
            if int(e.get("response_id", -1)) in found and _still_in(t, corrected.get(int(e["response_id"])))
        ]
        for t in themes
    }


def _still_in(theme: Theme, corrected_to: set[str | None] | None) -> bool:
    """Whether a comment still reads as an official theme: not when an official has set other themes for it."""
    return not theme.code or corrected_to is None or theme.code in corrected_to


def _not_corrected_away(theme: Theme) -> list[ColumnElement[bool]]:
    if not theme.code:
        return []
    return [
        or_(
            CommentLabel.source.is_(None),
            CommentLabel.source != "official",
            CommentLabel.theme == theme.code,
            CommentLabel.theme2 == theme.code,
        )
    ]


def _members(session: Session, theme: Theme, scope: Scope, *, limit: int, offset: int = 0) -> list[Example]:
    query = (
        select(Response.id, Response.month, Response.comment)
        .join(ResponseTheme, ResponseTheme.response_id == Response.id)
        .outerjoin(CommentLabel, CommentLabel.response_id == Response.id)
        .where(
            ResponseTheme.theme_id == theme.id,
            Response.comment.is_not(None),
            *_in_scope(scope),
            *_not_corrected_away(theme),
        )
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_example(*row) for row in session.execute(query)]


def _gist(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _distinct(examples: Sequence[Example], limit: int) -> list[Example]:
    """Up to `limit` examples that say different things: one contained in another (same words, an added
    "Góp ý:" or "Mong cải thiện.") would show the official the same comment twice."""
    chosen: list[Example] = []
    gists: list[str] = []
    for example in examples:
        gist = _gist(example.text)
        if gist and not any(gist in other or other in gist for other in gists):
            chosen.append(example)
            gists.append(gist)
        if len(chosen) == limit:
            break
    return chosen


def run_themes_for_page(session: Session, run: ThemeRun, scope: Scope, examples: int = 3) -> list[ThemeView]:
    """The run's themes, largest first, each with up to `examples` redacted comments from inside the scope."""
    themes = themes_of(run)
    stored = _representatives(session, themes, scope)
    views = []
    for theme in themes:
        view = _view(theme, run)
        view.examples = _distinct(stored.get(theme.id, []), examples)
        if len(view.examples) < examples:  # top up with the newest comments the user may read
            newest = _members(session, theme, scope, limit=examples * 10)
            view.examples = _distinct([*view.examples, *newest], examples)
        views.append(view)
    return views


def theme_detail(
    session: Session, scope: Scope, theme_id: int, *, page: int = 1, per_page: int = 20
) -> ThemeDetail | None:
    """A theme of a visible run with one page of its comments (newest first, inside the scope), or None."""
    theme = session.get(Theme, theme_id)
    if theme is None or visible_run(session, scope, theme.run_id) is None:
        return None
    run = theme.run
    total = (
        session.scalar(
            select(func.count())
            .select_from(ResponseTheme)
            .join(Response, Response.id == ResponseTheme.response_id)
            .where(ResponseTheme.theme_id == theme_id, Response.comment.is_not(None), *_in_scope(scope))
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    view = _view(theme, run)
    view.examples = _distinct(_representatives(session, [theme], scope).get(theme.id, []), len(theme.examples))
    examples = _members(session, theme, scope, limit=per_page, offset=(page - 1) * per_page)
    return ThemeDetail(run, describe_run(session, run), view, examples, total, page, pages)


# --- complaint themes of office × procedure pairs (the dashboard's watch list) -------------------------------


@dataclass(frozen=True)
class PairTheme:
    id: int
    name: str
    comments: int  # this pair's comments in the theme, within the period


@dataclass(frozen=True)
class PairThemes:
    """The top themes of one office × procedure pair in the newest visible run that themed its comments."""

    run: RunChoice
    themes: list[PairTheme]


def pair_themes(
    session: Session,
    scope: Scope,
    pairs: Sequence[tuple[int, int]],
    *,
    month_from: str | None = None,
    month_to: str | None = None,
    limit: int = 3,
) -> dict[tuple[int, int], PairThemes]:
    """For each (office id, procedure id) pair, its `limit` largest themes (by its own comments in the period) in
    the newest visible run holding any of them; pairs no run themed are left out. One grouped query."""
    if not pairs:
        return {}
    wanted = set(pairs)
    query = (
        select(ResponseTheme.run_id, Response.office_id, Response.procedure_id, ResponseTheme.theme_id, func.count())
        .join(Response, Response.id == ResponseTheme.response_id)
        .join(ThemeRun, ThemeRun.id == ResponseTheme.run_id)
        .where(
            *_visible(scope),
            *_in_scope(scope),
            Response.office_id.in_(sorted({office for office, _ in wanted})),
            Response.procedure_id.in_(sorted({procedure for _, procedure in wanted})),
        )
        .group_by(ResponseTheme.run_id, Response.office_id, Response.procedure_id, ResponseTheme.theme_id)
    )
    if month_from:
        query = query.where(Response.month >= month_from)
    if month_to:
        query = query.where(Response.month <= month_to)
    counts: dict[tuple[int, int], dict[int, dict[int, int]]] = {}
    for run_id, office_id, procedure_id, theme_id, count in session.execute(query):
        if (office_id, procedure_id) in wanted:
            counts.setdefault((office_id, procedure_id), {}).setdefault(run_id, {})[theme_id] = int(count)
    chosen = {pair: max(runs) for pair, runs in counts.items()}  # the newest run that themed the pair
    themes = {t.id: t for t in session.scalars(select(Theme).where(Theme.run_id.in_(sorted(set(chosen.values())))))}
    runs = {run_id: describe_run(session, themes_run) for run_id, themes_run in _runs(session, set(chosen.values()))}
    result = {}
    for pair, run_id in chosen.items():
        ranked = sorted(counts[pair][run_id].items(), key=lambda item: (-item[1], item[0]))[:limit]
        result[pair] = PairThemes(
            run=runs[run_id],
            themes=[PairTheme(theme_id, theme_name(themes[theme_id]), count) for theme_id, count in ranked],
        )
    return result


def _runs(session: Session, run_ids: set[int]) -> list[tuple[int, ThemeRun]]:
    return [(run.id, run) for run in session.scalars(select(ThemeRun).where(ThemeRun.id.in_(sorted(run_ids))))]


def theme_name(theme: Theme) -> str:
    """The official theme's label when the theme is a seeded one, else its (re-redacted) emergent name."""
    from analysis.redaction import redact  # its patterns take ~0.1 s to compile: loaded on first use

    return (seed_labels().get(theme.code) if theme.code else None) or redact(theme.name)
