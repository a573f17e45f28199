"""Invitation counts follow the product's own paths — issuing a link, answering it, erasing the answer — and a
rebuild from the invitations gives the same counts, in the month the invitation was issued."""

from __future__ import annotations

from sqlalchemy import select

from analysis.periods import current_month
from survey.models import Invitation, InvitationRollup, Office, Procedure
from survey.services.responses.retention import erase_response_by_link
from survey.services.responses.rollups import rebuild_rollups
from survey.services.responses.store import Answers, store_response
from tests.factories import load_catalog, make_dossier_link, make_poster_link


def counts(session) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    rows = session.execute(
        select(InvitationRollup, Office.code, Procedure.code)
        .join(Office, Office.id == InvitationRollup.office_id)
        .join(Procedure, Procedure.id == InvitationRollup.procedure_id)
    )
    return {
        (office, procedure, rollup.channel): (rollup.issued, rollup.answered, rollup.not_satisfied)
        for rollup, office, procedure in rows
        if rollup.month == current_month()
    }


def answer(session, link, rating: int) -> None:
    invitation = session.get(Invitation, link.invitation_id)
    store_response(session, answers=Answers(rating=rating), office_id=invitation.office_id,
                   procedure_id=invitation.procedure_id, channel=invitation.channel, verified=True,
                   invitation=invitation)  # fmt: skip


def test_issue_answer_and_erase_are_counted_and_a_rebuild_agrees(app, session, backend):
    load_catalog()
    links = [make_dossier_link(channel="qr") for _ in range(4)] + [make_dossier_link(channel="sms")]
    make_poster_link()  # a poster link is for no dossier: never counted
    assert counts(session) == {("79.01", "1.001193", "qr"): (4, 0, 0), ("79.01", "1.001193", "sms"): (1, 0, 0)}
    answer(session, links[0], 5)
    answer(session, links[1], 3)
    answer(session, links[2], 1)
    assert counts(session)[("79.01", "1.001193", "qr")] == (4, 3, 2)  # ratings 3 and 1 are not satisfied
    erase_response_by_link(session, links[2].token, secret=app.config["SECRET_KEY"])
    # the dossier was rated (answered stays), but its erased rating no longer counts as dissatisfied
    assert counts(session)[("79.01", "1.001193", "qr")] == (4, 3, 1)
    before = counts(session)
    rebuild_rollups(session)
    assert counts(session) == before
