"""Printing sheets and keying them in, through the services: one `paper` response per sheet code, counted like
every other answer, verified only for a dossier's sheet, scoped to the keyer's office, and an undo that leaves
every count exactly as a fresh count would give it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import AuditEntry, InvitationRollup, Office, RatingRollup, Response, Rollup
from survey.models_paper import PaperPrint, PaperSheet
from survey.services.paper import codes
from survey.services.paper.entry import EntryError, enter_sheet, undo_sheet
from survey.services.paper.sheets import PaperError, print_sheets
from survey.services.reporting.coverage import coverage
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from survey.services.responses.invitations import resolve_link
from survey.services.responses.rollups import rebuild_rollups
from survey.services.responses.store import Answers, store_response
from tests.factories import PROCEDURE, load_catalog, make_responses, make_user

SECRET = "testing-secret-testing-secret-testing"


def printed(session, user, *, sheets=1, dossier=None, office="79.01", procedure=PROCEDURE):
    return print_sheets(session, secret=SECRET, base_url="http://survey.test", user=user, office_code=office,
                        procedure_code=procedure, sheets=sheets, dossier_code=dossier)  # fmt: skip


def counts_table(session):
    """Every count a reader uses, as plain rows: fine rollups, rating rollups, invitation rollups."""
    return (
        sorted(tuple(row) for row in session.execute(select(*Rollup.__table__.c))),
        sorted(tuple(row) for row in session.execute(select(*RatingRollup.__table__.c))),
        sorted(tuple(row) for row in session.execute(select(*InvitationRollup.__table__.c))),
    )


def rating_counts_by_group_by(session):
    rows = session.execute(
        select(Response.month, Response.office_id, Response.procedure_id, Response.channel, Response.rating,
               func.count()).group_by(Response.month, Response.office_id, Response.procedure_id, Response.channel,
                                      Response.rating)
    )  # fmt: skip
    return {tuple(row[:5]): row[5] for row in rows}


def rating_counts_in_rollups(session):
    rows = session.execute(
        select(Rollup.month, Rollup.office_id, Rollup.procedure_id, Rollup.channel, Rollup.value, Rollup.count)
        .where(Rollup.metric == "rating")
    )  # fmt: skip
    counted: dict[tuple, int] = {}
    for month, office, procedure, channel, value, count in rows:
        key = (month, office, procedure, channel, int(value))
        counted[key] = counted.get(key, 0) + count
    return counted


def test_printed_codes_are_unique_valid_and_the_printing_is_recorded(app, session, backend):
    load_catalog()
    official = make_user(role="official", office="79.01")
    batch = printed(session, official, sheets=200)
    shown = [sheet.code for sheet in batch.sheets]
    assert len(set(shown)) == 200
    assert all(len(code) == 9 and code[4] == "-" and codes.problem(codes.normalise(code)) is None for code in shown)
    assert len({sheet.url for sheet in batch.sheets}) == 200
    recorded = session.scalars(select(PaperPrint)).one()
    assert (recorded.user_id, recorded.sheets, recorded.for_dossier) == (official.id, 200, False)
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "paper.print")).one()
    assert (audit.actor, audit.details["sheets"], audit.target) == (official.email, 200, "office:79.01")
    # each sheet's QR code opens the online form of that very sheet
    state = resolve_link(session, batch.sheets[0].url.rsplit("/", 1)[1], secret=SECRET)
    assert state.status == "valid" and state.invitation.channel == "paper"


def test_printed_sheets_count_as_paper_invitations_in_coverage(app, session):
    load_catalog()
    official = make_user(role="official", office="79.01")
    batch = printed(session, official, sheets=7)
    enter_sheet(session, user=official, code=batch.sheets[0].code, answers=Answers(rating=2))
    enter_sheet(session, user=official, code=batch.sheets[1].code, answers=Answers(rating=5))
    table = coverage(session, None, ReportFilter(), Settings(), by="channel")
    paper = next(row for row in table.rows if row.code == "paper")
    assert (paper.coverage["issued"], paper.coverage["answered"], paper.not_satisfied) == (7, 2, 1)


def test_a_keyed_sheet_stores_one_paper_response_and_a_second_entry_is_refused(app, session, backend):
    load_catalog()
    clerk = make_user(role="clerk", office="79.01")
    sheet = printed(session, make_user(role="admin"), sheets=1).sheets[0]
    answers = Answers(rating=4, elements={"staff": 5, "access": 2}, on_time="late", returns=2, agencies=1,
                      extra_payment="no", comment="Cán bộ tận tình, gọi tôi 0912 345 678", age_band="65_plus",
                      sex="female")  # fmt: skip
    entered = enter_sheet(session, user=clerk, code=sheet.code.lower().replace("-", " "), answers=answers)
    stored = session.get(Response, entered.response_id)
    assert (stored.channel, stored.verified, stored.rating, stored.element_staff, stored.element_access) == (
        "paper", False, 4, 5, 2)  # fmt: skip
    assert (stored.on_time, stored.returns, stored.agencies, stored.extra_payment) == ("late", 2, 1, "no")
    assert (stored.age_band, stored.sex) == ("65_plus", "female")
    assert stored.comment == "Cán bộ tận tình, gọi tôi [SĐT]"
    assert session.get(Office, stored.office_id).code == "79.01"
    before = counts_table(session)
    with pytest.raises(EntryError) as refused:
        enter_sheet(session, user=clerk, code=sheet.code, answers=Answers(rating=1))
    assert refused.value.reason == "used"
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert counts_table(session) == before
    # the sheet's QR code leads to an answered link too
    assert resolve_link(session, sheet.url.rsplit("/", 1)[1], secret=SECRET).status == "used"


def test_the_same_form_sent_twice_is_stored_once(app, session):
    load_catalog()
    clerk = make_user(role="clerk", office="79.01")
    sheet = printed(session, make_user(role="admin")).sheets[0]
    first = enter_sheet(session, user=clerk, code=sheet.code, answers=Answers(rating=3), submission_key="k" * 24)
    again = enter_sheet(session, user=clerk, code=sheet.code, answers=Answers(rating=3), submission_key="k" * 24)
    assert (again.response_id, again.created, first.created) == (first.response_id, False, True)
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_only_a_dossier_sheet_gives_a_verified_answer(app, session):
    load_catalog()
    official = make_user(role="official", office="79.01")
    plain = printed(session, official).sheets[0]
    for_dossier = printed(session, official, dossier="000.00.31.H56-250115-0042")
    assert for_dossier.for_dossier and len(for_dossier.sheets) == 1
    ids = [enter_sheet(session, user=official, code=sheet.code, answers=Answers(rating=5)).response_id
           for sheet in (plain, for_dossier.sheets[0])]  # fmt: skip
    assert [session.get(Response, i).verified for i in ids] == [False, True]
    # the dossier is now rated: a second sheet for it cannot be answered
    again = printed(session, official, dossier="000.00.31.h56-250115-0042").sheets[0]
    with pytest.raises(EntryError, match="used"):
        enter_sheet(session, user=official, code=again.code, answers=Answers(rating=1))


def test_a_clerk_keys_in_only_sheets_of_their_office_subtree(app, session):
    load_catalog()
    admin = make_user(role="admin")
    here, below, elsewhere = (printed(session, admin, office=code).sheets[0] for code in ("79.01", "79.02", "01.01"))
    clerk = make_user(role="clerk", office="79.00")
    with pytest.raises(EntryError, match="elsewhere"):
        enter_sheet(session, user=clerk, code=elsewhere.code, answers=Answers(rating=5))
    enter_sheet(session, user=clerk, code=here.code, answers=Answers(rating=5))
    enter_sheet(session, user=clerk, code=below.code, answers=Answers(rating=5))
    ward_clerk = make_user(role="clerk", office="79.01")
    with pytest.raises(PaperError, match="forbidden"):  # a clerk prints nothing
        printed(session, ward_clerk, office="79.01")
    with pytest.raises(PaperError, match="forbidden"):  # an official prints only for their own subtree
        printed(session, make_user(role="official", office="79.01"), office="01.01")


def test_mistyped_or_unknown_codes_and_bad_requests_are_refused(app, session):
    load_catalog()
    official = make_user(role="official", office="79.01")
    code = codes.normalise(printed(session, official).sheets[0].code)
    typo = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    swapped = code[1] + code[0] + code[2:] if code[0] != code[1] else code[:2] + code[3] + code[2] + code[4:]
    for wrong in (typo, swapped):
        with pytest.raises(EntryError, match="check"):
            enter_sheet(session, user=official, code=wrong, answers=Answers(rating=5))
    with pytest.raises(EntryError, match="unknown"):
        enter_sheet(session, user=official, code=codes.with_check("2345678"), answers=Answers(rating=5))
    with pytest.raises(PaperError, match="not_offered"):
        printed(session, official, procedure="9.999999")
    for sheets in (0, 201):
        with pytest.raises(PaperError, match="bad_input"):
            printed(session, official, sheets=sheets)
    with pytest.raises(PaperError, match="bad_input"):
        printed(session, official, sheets=2, dossier="000.00.31.H56-250115-0042")
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(func.count()).select_from(PaperSheet)) == 1


def test_undo_restores_every_count_exactly_and_frees_the_code(app, session, backend):
    load_catalog()
    clerk = make_user(role="clerk", office="79.01")
    make_responses(ratings=[5, 4, 2], channel="paper", month="2025-03")
    batch = printed(session, make_user(role="admin"), sheets=3)
    enter_sheet(session, user=clerk, code=batch.sheets[0].code, answers=Answers(rating=5, on_time="early"))
    before = counts_table(session)
    last = enter_sheet(session, user=clerk, code=batch.sheets[1].code,
                       answers=Answers(rating=1, elements={"staff": 1}, returns=2, comment="Chờ quá lâu"))  # fmt: skip
    assert counts_table(session) != before
    undone = undo_sheet(session, user=clerk, response_id=last.response_id)
    assert undone.code == batch.sheets[1].code
    assert counts_table(session) == before
    assert rating_counts_in_rollups(session) == rating_counts_by_group_by(session)
    rebuild_rollups(session)  # a recount from scratch agrees with what the undo left
    assert counts_table(session) == before
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "paper.undo")).one()
    assert (audit.actor, audit.target) == (clerk.email, f"response:{last.response_id}")
    again = enter_sheet(session, user=clerk, code=batch.sheets[1].code, answers=Answers(rating=4))
    assert session.get(Response, again.response_id).rating == 4
    with pytest.raises(EntryError, match="gone"):
        undo_sheet(session, user=clerk, response_id=10**9)


def test_undo_refuses_other_offices_and_other_channels(app, session):
    load_catalog()
    admin = make_user(role="admin")
    sheet = printed(session, admin, office="01.01").sheets[0]
    entered = enter_sheet(session, user=admin, code=sheet.code, answers=Answers(rating=3))
    with pytest.raises(EntryError, match="elsewhere"):
        undo_sheet(session, user=make_user(role="clerk", office="79.01"), response_id=entered.response_id)
    online = make_responses(ratings=[5], channel="qr")[0]
    with pytest.raises(EntryError, match="gone"):
        undo_sheet(session, user=admin, response_id=online)
    assert session.scalar(select(func.count()).select_from(Response)) == 2


def test_a_sheet_answered_online_cannot_be_keyed_in(app, session):
    load_catalog()
    official = make_user(role="official", office="79.01")
    sheet = printed(session, official).sheets[0]
    invitation = resolve_link(session, sheet.url.rsplit("/", 1)[1], secret=SECRET).invitation
    store_response(session, answers=Answers(rating=5), office_id=invitation.office_id,
                   procedure_id=invitation.procedure_id, channel="qr", verified=False,
                   invitation=invitation)  # fmt: skip
    with pytest.raises(EntryError, match="used"):
        enter_sheet(session, user=official, code=sheet.code, answers=Answers(rating=1))
