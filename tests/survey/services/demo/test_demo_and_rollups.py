"""Demo data is believable, and rollups always agree with the responses they summarise."""

from __future__ import annotations

import re
from datetime import UTC

from sqlalchemy import case, func, select

from analysis.periods import local_month
from survey.models import Invitation, InvitationRollup, Office, RatedDossier, Response, Rollup, SiteSetting
from survey.services.demo.invitations import RESPONSE_RATES
from survey.services.demo.seed import seed_demo
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, satisfaction_summary
from survey.services.responses.rollups import rebuild_rollups

PHONE = re.compile(r"0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}")


def raw_counts(session, column, verified_only=False):
    satisfied = func.sum(case((Response.rating >= 4, 1), else_=0))
    statement = select(column, func.count(), satisfied).join(Office).group_by(column)
    if verified_only:
        statement = statement.where(Response.verified.is_(True))
    return {key: (n, int(s)) for key, n, s in sorted(session.execute(statement))}


def test_seed_demo_makes_varied_data_and_rollups_match_raw_counts(session, backend):
    summary = seed_demo(session, responses=3000, seed=7)
    assert summary.responses == 3000
    assert session.scalar(select(func.count()).select_from(Response)) == 3000
    assert session.get(SiteSetting, "demo_data") is not None
    offices = satisfaction_summary(session, None, ReportFilter(), group_by="office", settings=Settings(min_n=30))
    raw = raw_counts(session, Office.code)
    assert {row["office"]: (row["n"], row["satisfied"]) for row in offices} == raw
    shares = [row["share"] for row in offices if row["n"] >= 30]
    assert min(shares) < 0.85 < 0.93 < max(shares), shares  # some offices clearly below, some above
    channels = {
        row["channel"]
        for row in satisfaction_summary(session, None, ReportFilter(), group_by="channel", settings=Settings())
    }
    assert channels == {"qr", "sms", "kiosk", "online", "paper", "api"}
    months = satisfaction_summary(session, None, ReportFilter(), group_by="month", settings=Settings())
    assert len(months) == 12 and all(re.fullmatch(r"\d{4}-\d{2}", row["month"]) for row in months)
    verified = satisfaction_summary(
        session, None, ReportFilter(verified_only=True), group_by="office", settings=Settings()
    )
    assert {r["office"]: (r["n"], r["satisfied"]) for r in verified} == raw_counts(session, Office.code, True)


def test_seed_demo_is_deterministic_and_replaces_earlier_demo_data(session):
    seed_demo(session, responses=500, seed=3)
    first = session.execute(select(Response.rating, Response.comment).order_by(Response.id)).all()
    seed_demo(session, responses=500, seed=3)
    second = session.execute(select(Response.rating, Response.comment).order_by(Response.id)).all()
    assert first == second and len(second) == 500


def test_demo_comments_are_vietnamese_and_redacted(session):
    seed_demo(session, responses=4000, seed=11)
    comments = session.scalars(select(Response.comment).where(Response.comment.is_not(None))).all()
    assert len(comments) > 300
    assert any("chờ" in c.lower() or "cán bộ" in c.lower() for c in comments)
    assert not [c for c in comments if PHONE.search(c) or "@" in c]


def test_rebuild_rollups_reproduces_the_incremental_counts(session, backend):
    seed_demo(session, responses=1500, seed=5)
    before = session.execute(select(Rollup.month, Rollup.office_id, Rollup.procedure_id, Rollup.channel,
                                    Rollup.verified, Rollup.metric, Rollup.value, Rollup.count)).all()  # fmt: skip
    rebuild_rollups(session)
    after = session.execute(select(Rollup.month, Rollup.office_id, Rollup.procedure_id, Rollup.channel,
                                   Rollup.verified, Rollup.metric, Rollup.value, Rollup.count)).all()  # fmt: skip
    assert sorted(before) == sorted(after)
    ratings = session.scalar(select(func.sum(Rollup.count)).where(Rollup.metric == "rating"))
    assert ratings == 1500


def test_seed_demo_command_reports_a_summary(runner):
    result = runner.invoke(args=["seed-demo", "--responses", "200", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Demo data ready: 200 responses" in result.output
    assert runner.invoke(args=["seed-demo", "--responses", "-5"]).exit_code == 2
    assert runner.invoke(args=["seed-demo", "--responses", "nhiều"]).exit_code == 2


def test_seed_demo_is_refused_in_production(runner, app):
    app.config["DEMO_ALLOWED"] = False
    result = runner.invoke(args=["seed-demo", "--responses", "10"])
    assert result.exit_code == 1 and "refused in production" in result.output


def test_compact_rating_rollups_match_raw_counts(session, backend):
    from survey.models import RatingRollup

    seed_demo(session, responses=1200, seed=13)
    raw = {}
    for month, office_id, procedure_id, rating, verified, count in session.execute(
        select(
            Response.month, Response.office_id, Response.procedure_id, Response.rating, Response.verified, func.count()
        ).group_by(Response.month, Response.office_id, Response.procedure_id, Response.rating, Response.verified)
    ):
        row = raw.setdefault((month, office_id, procedure_id), [0] * 10)
        row[rating - 1] += count
        if verified:
            row[5 + rating - 1] += count
    stored = {
        (r.month, r.office_id, r.procedure_id): [
            getattr(r, f"{kind}_{v}") for kind in ("rating", "verified") for v in "12345"
        ]
        for r in session.scalars(select(RatingRollup))
    }
    assert stored == raw


def test_demo_invitations_are_consistent_with_the_verified_responses(session, backend):
    """Every verified demo response answers exactly one invitation on its channel at its office and procedure,
    issued before it; some invitations go unanswered, fewer on the kiosk than by SMS; counts match a hand count."""
    seed_demo(session, responses=3000, seed=9)
    verified = {r.id: r for r in session.scalars(select(Response).where(Response.verified.is_(True)))}
    invitations = session.scalars(select(Invitation).where(Invitation.is_demo.is_(True))).all()
    answered = [i for i in invitations if i.response_id is not None]
    assert sorted(i.response_id for i in answered) == sorted(verified)  # one each, no more
    for invitation in answered:
        response = verified[invitation.response_id]
        assert (invitation.office_id, invitation.procedure_id, invitation.channel) == (
            response.office_id, response.procedure_id, response.channel)  # fmt: skip
        assert invitation.created_at <= response.created_at and invitation.used_at is not None
    assert session.scalar(select(func.count()).select_from(RatedDossier)) == len(answered)
    rates = {}
    for channel in RESPONSE_RATES:
        mine = [i for i in invitations if i.channel == channel]
        rates[channel] = sum(i.response_id is not None for i in mine) / len(mine)
    assert rates["kiosk"] > 0.5 > rates["qr"] > rates["sms"] > 0.05, rates
    hand: dict[tuple, list[int]] = {}
    for invitation in invitations:
        month = local_month(invitation.created_at.replace(tzinfo=invitation.created_at.tzinfo or UTC))
        cell = hand.setdefault((month, invitation.office_id, invitation.procedure_id, invitation.channel), [0, 0, 0])
        cell[0] += 1
        if invitation.response_id is not None:
            cell[1] += 1
            cell[2] += verified[invitation.response_id].rating <= 3
    stored = {
        (r.month, r.office_id, r.procedure_id, r.channel): [r.issued, r.answered, r.not_satisfied]
        for r in session.scalars(select(InvitationRollup))
    }
    assert stored == hand
    seed_demo(session, responses=300, seed=9)  # a new seed replaces the demo's invitations too
    assert session.scalar(select(func.count()).select_from(Invitation).where(Invitation.response_id.is_not(None))) == (
        session.scalar(select(func.count()).select_from(Response).where(Response.verified.is_(True)))
    )
