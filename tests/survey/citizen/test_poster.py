"""The printable poster: opening it writes nothing, and a procedure its office does not handle is a plain 404."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from survey.extensions import db
from survey.models import Invitation, Office, OfficeProcedure, Procedure, Response
from tests.survey.citizen.helpers import open_form, response_count


def invitation_rows() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Invitation)) or 0)


def test_anonymous_poster_requests_write_no_rows(client, links):
    before = invitation_rows()  # the fixture's one-time link
    for procedure in ("1.001193", "2.000815", "1.004222", "1.000894", "1.000656"):
        for _ in range(5):
            assert client.get(f"/poster/79.01?procedure={procedure}").status_code == 200
    assert client.get("/poster/79.01").status_code == 200
    assert invitation_rows() == before


def test_a_procedure_the_office_does_not_handle_has_no_poster(client_request, links):
    page = client_request.get("/poster/79.01", procedure="3.000346", _expected_status=404)
    assert "Cơ quan này không giải quyết thủ tục này" in page.get_text()
    assert page.find("img") is None
    unknown = client_request.get("/poster/79.01", procedure="9.999999", _expected_status=404)
    assert "không giải quyết thủ tục này" in unknown.get_text()
    assert invitation_rows() == 1


def test_the_form_of_a_procedure_taken_off_the_office_list_is_a_404_and_stores_nothing(client, client_request, links):
    hidden = open_form(client, links.poster_procedure)  # printed while the office still handled it
    office_id = db.session.scalar(select(Office.id).where(Office.code == "79.01"))
    procedure_id = db.session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    db.session.execute(
        delete(OfficeProcedure).where(OfficeProcedure.office_id == office_id,
                                      OfficeProcedure.procedure_id == procedure_id)
    )  # fmt: skip
    db.session.commit()
    page = client_request.get(f"/s/{links.poster_procedure}", _expected_status=404)
    assert "không giải quyết thủ tục này" in page.get_text()
    assert page.find("form") is None
    posted = client.post(f"/s/{links.poster_procedure}", data={**hidden, "rating": "5"})
    assert posted.status_code == 404
    assert response_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
