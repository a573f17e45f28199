"""Complaint theme runs: `flask recluster` on demo data, what a run stores, determinism, scopes and bad input."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey.models import Office, Procedure, Response, ResponseTheme, Theme, ThemeRun
from survey.services.accounts.scoping import subtree_ids
from survey.services.catalog.imports import load_starter_catalog
from survey.services.themes.runs import (
    RunScope,
    RunSettings,
    ThemeRunError,
    months_between,
    resolve_k,
    resolve_period,
    run_themes,
    themes_of,
)
from tests.survey.datasets.themes import add_comment, demo_theme_of, office_id, period, seed


def runs(session) -> list[ThemeRun]:
    return list(session.scalars(select(ThemeRun).order_by(ThemeRun.id)))


def members(session, theme: Theme) -> list[Response]:
    query = select(Response).join(ResponseTheme, ResponseTheme.response_id == Response.id)
    return list(session.scalars(query.where(ResponseTheme.theme_id == theme.id)))


def test_recluster_stores_a_run_with_its_parameters_and_themes(runner, session, backend):
    seed(session)
    start, end = period()
    result = runner.invoke(args=["recluster", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "themes in" in result.output and "dissatisfied responses" in result.output
    [run] = runs(session)
    assert (run.office_id, run.procedure_id, run.month_from, run.month_to) == (None, None, start, end)

    in_period = (Response.month >= start, Response.month <= end, Response.rating <= 3)
    dissatisfied = session.scalar(select(func.count()).select_from(Response).where(*in_period))
    commented = session.scalar(
        select(func.count()).select_from(Response).where(*in_period, Response.comment.is_not(None))
    )
    assert run.dissatisfied_count == dissatisfied and run.comment_count == commented > 100
    parameters = run.parameters
    assert parameters["k"] == "auto" and parameters["seed"] == 4 and parameters["max_rating"] == 3
    assert parameters["seed_themes_version"].startswith("sha256:") and len(parameters["seed_theme_codes"]) == 8
    assert parameters["comments"] == commented and parameters["dissatisfied"] == dissatisfied
    assert parameters["k_chosen"] >= len(run.themes) >= 4 and parameters["duration_seconds"] > 0

    themes = themes_of(run)
    links = session.scalar(select(func.count()).select_from(ResponseTheme).where(ResponseTheme.run_id == run.id))
    assert sum(t.size for t in themes) == links == parameters["themed"]
    assert [t.position for t in themes] == list(range(len(themes)))
    assert [t.size for t in themes] == sorted((t.size for t in themes), reverse=True)
    for theme in themes:
        assert theme.dissatisfied_size == theme.size and theme.name
        assert theme.top_terms or theme.size < 5  # typical words are words shared by at least two of its comments
        assert list(theme.monthly_counts) == months_between(start, end) and len(theme.monthly_counts) == 3
        rows = members(session, theme)
        assert all(r.rating <= 3 and start <= r.month <= end and r.comment for r in rows)
        assert Counter(r.month for r in rows) == {m: c for m, c in theme.monthly_counts.items() if c}
        assert 1 <= len(theme.examples) <= 5
        assert {e["response_id"] for e in theme.examples} <= {r.id for r in rows}


def test_the_run_recovers_the_demo_complaint_themes(session):
    seed(session)
    outcome = run_themes(session, RunScope(*period()), RunSettings(seed=0))
    assert outcome.run is not None
    themes = themes_of(outcome.run)
    codes = {t.code for t in themes if t.code}
    assert len(codes) >= 5, codes  # of the 8 official themes the demo comments are written from
    themed = agreeing = representative = coded = matching = own = 0
    for theme in themes:
        truth = Counter(demo_theme_of(r.comment) for r in members(session, theme))
        dominant, count = truth.most_common(1)[0]
        themed += theme.size
        agreeing += count
        examples = [demo_theme_of(session.get(Response, e["response_id"]).comment) for e in theme.examples]
        representative += examples.count(dominant) * 2 > len(examples)
        if theme.code:
            coded += 1
            own += dominant == theme.code
            matching += examples.count(theme.code) * 2 > len(examples)
    # Measured with this seed on the hand-written demo pool (about 50 varied comments per theme here, not the
    # handful of near-identical templates the demo used before, which gave purity 0.61): all 8 codes found,
    # 7 of the 8 coded themes mostly hold comments written for their code, purity 0.38, 5 of 9 themes show
    # examples of their main complaint, 5 of 8 coded themes show examples of their code.
    assert own >= 6
    assert agreeing / themed >= 0.33
    assert representative / len(themes) >= 0.5
    assert matching / coded >= 0.5


def test_the_same_seed_gives_the_same_themes(session, backend):
    seed(session)
    scope = RunScope(*period(), office_id=office_id(session, "79.00"))
    first = run_themes(session, scope, RunSettings(seed=9, min_comments=5, keep=0)).run
    second = run_themes(session, scope, RunSettings(seed=9, min_comments=5, keep=0)).run
    assert first is not None and second is not None and first.id != second.id

    def shape(run: ThemeRun) -> list[tuple]:
        return [(t.code, t.name, t.size, t.top_terms, t.monthly_counts, t.examples) for t in themes_of(run)]

    def assignment(run: ThemeRun) -> dict[int, int]:
        position = {t.id: t.position for t in run.themes}
        query = select(ResponseTheme.response_id, ResponseTheme.theme_id).where(ResponseTheme.run_id == run.id)
        return {response_id: position[theme_id] for response_id, theme_id in session.execute(query)}

    assert shape(first) == shape(second)
    assert assignment(first) == assignment(second)


def test_an_office_and_procedure_scope_themes_only_their_comments(runner, session):
    seed(session)
    result = runner.invoke(
        args=["recluster", "--office", "79.00", "--procedure", "2.000815", "--min-comments", "5", "--k", "4"]
    )
    assert result.exit_code == 0, result.output
    [run] = runs(session)
    hcmc = session.scalars(select(Office).where(Office.code == "79.00")).one()
    procedure = session.scalars(select(Procedure).where(Procedure.code == "2.000815")).one()
    assert (run.office_id, run.procedure_id, run.parameters["k"]) == (hcmc.id, procedure.id, 4)
    allowed = subtree_ids(session, hcmc.id)
    query = select(Response).join(ResponseTheme, ResponseTheme.response_id == Response.id)
    themed = list(session.scalars(query.where(ResponseTheme.run_id == run.id)))
    assert themed and all(r.office_id in allowed and r.procedure_id == procedure.id for r in themed)


def test_all_scopes_runs_every_province_office_and_the_whole_country(runner, session):
    seed(session)
    result = runner.invoke(args=["recluster", "--all-scopes"])
    assert result.exit_code == 0, result.output
    provinces = set(session.scalars(select(Office.id).where(Office.level == "province")))
    stored = runs(session)
    assert {r.office_id for r in stored} == provinces | {None}
    assert len(stored) == len(provinces) + 1 and all(r.procedure_id is None for r in stored)
    assert f"{len(stored)} runs stored, 0 scopes skipped" in result.output


def test_too_few_comments_stores_nothing_and_says_why(runner, session, backend):
    load_starter_catalog(session, demo_offices=True)
    for text in ["Chờ lâu quá", "Cán bộ cáu gắt", "Phí cao"]:
        add_comment(office_code="79.01", comment=text)
    result = runner.invoke(args=["recluster"])
    assert result.exit_code == 0, result.output
    assert "skipped, only 3 comments from dissatisfied citizens (at least 20 needed); nothing stored" in result.output
    assert runs(session) == []


def test_older_runs_of_the_same_scope_and_period_are_pruned(runner, session, backend):
    seed(session)
    for _ in range(3):
        assert runner.invoke(args=["recluster", "--office", "92.00", "--keep", "2", "--k", "5"]).exit_code == 0
    stored = runs(session)
    assert len(stored) == 2
    kept = {r.id for r in stored}
    assert set(session.scalars(select(ResponseTheme.run_id).distinct())) == kept
    assert set(session.scalars(select(Theme.run_id).distinct())) == kept


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--office", "99.99"], "no office has the code '99.99'"),
        (["--procedure", "9.999999"], "no procedure has the code '9.999999'"),
        (["--from", "2025-13"], "--from must be a month written YYYY-MM"),
        (["--to", "2025/07"], "--to must be a month written YYYY-MM"),
        (["--from", "2025-08", "--to", "2025-07"], "the period starts (2025-08) after it ends (2025-07)"),
        (["--k", "1"], "--k must be between 2 and 50"),
        (["--k", "many"], "--k must be `auto` or a whole number"),
        (["--all-scopes", "--office", "79.00"], "--all-scopes chooses the offices itself"),
        (["--communes"], "--communes only goes with --all-scopes"),
        (["--seed", "abc"], "'abc' is not a valid integer"),
        (["--min-comments", "1"], "--min-comments"),
    ],
)
def test_bad_arguments_exit_non_zero_and_store_nothing(runner, session, arguments, message):
    load_starter_catalog(session, demo_offices=True)
    for number in range(25):  # enough for a run, had the arguments been good
        add_comment(office_code="79.01", comment=f"Chờ đợi quá lâu lần thứ {number}, cán bộ cáu gắt")
    result = runner.invoke(args=["recluster", *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert runs(session) == []


def test_the_default_period_is_the_last_three_months():
    now = datetime(2025, 1, 31, 18, tzinfo=UTC)  # already 1 February in Ho Chi Minh City
    assert resolve_period(None, None, now) == ("2024-12", "2025-02")
    assert resolve_period(None, "2025-07", now) == ("2025-05", "2025-07")
    assert resolve_period("2024-06", None, now) == ("2024-06", "2025-02")
    assert resolve_period("2024-06", "2024-06", now) == ("2024-06", "2024-06")
    with pytest.raises(ThemeRunError):
        resolve_period("2014-01", "2025-01", now)
    assert resolve_k(" AUTO ") == "auto" and resolve_k("7") == 7
