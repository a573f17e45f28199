"""The QĐ 766 rate counts, as dissatisfied, only the answers to the very invitations (or imported dossiers) in its
denominator, month by month as the invitations were issued: a built case against a hand computation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.official_indices import Qd766Cell, qd766_from_cells
from survey.models import OfficeFigures
from survey.services.reporting.detail import detail
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from tests.factories import load_catalog, make_invitations, make_responses, make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import office


def built_case(session) -> None:
    """79.01, birth registration, QR invitations:
    2025-02: 10 issued; answered 5, 4, 2, 1 in February and 3 in March (it counts with February); 5 unanswered.
    2025-03: 20 issued; answered 5, 5, 5, 2; 16 unanswered. Also five verified 1s that came without invitations.
    79.02, 2025-03: 10 issued, answered 2 and 5, 8 unanswered; and an import: 200 dossiers, 3 overdue, 1 complained.
    """
    load_catalog()
    make_invitations(office="79.01", month="2025-02", answers=[5, 4, 2, 1], unanswered=5)
    make_invitations(office="79.01", month="2025-02", answered_month="2025-03", answers=[3])
    make_invitations(office="79.01", month="2025-03", answers=[5, 5, 5, 2], unanswered=16)
    make_responses(office="79.01", month="2025-03", ratings=[1] * 5, verified=True)
    make_invitations(office="79.02", month="2025-03", answers=[2, 5], unanswered=8)
    session.add(
        OfficeFigures(office_id=office(session, "79.02").id, procedure_id=None, month="2025-03", dossiers_handled=200,
                      dossiers_overdue=3, dossiers_complained=1, imported_at=datetime(2025, 4, 1, tzinfo=UTC))
    )  # fmt: skip
    session.commit()


def rate(session, **where):
    facts = detail(session, None, ReportFilter(**where), Settings())
    return facts.qd766


def test_qd766_equals_the_hand_computation(session, backend):
    built_case(session)
    bến_thành, sài_gòn, hcm = (office(session, code).id for code in ("79.01", "79.02", "79.00"))

    march = rate(session, office_id=bến_thành, month_from="2025-03", month_to="2025-03")
    # 20 invitations issued in March, one answered 1–3 (the 2); the five 1s without invitations are not dossiers
    # of this count, and February's invitation answered 3 in March belongs to February.
    assert march.rate == {"method": "qd766", "source": "invitations", "total_dossiers": 20,
                          "unsatisfied_or_complaint_or_overdue": 1, "rate": 19 / 20}  # fmt: skip
    both = rate(session, office_id=bến_thành, month_from="2025-02", month_to="2025-03")
    assert (both.rate["total_dossiers"], both.rate["unsatisfied_or_complaint_or_overdue"]) == (30, 4)  # 2, 1, 3, 2
    assert both.rate["rate"] == pytest.approx(26 / 30)

    imported = rate(session, office_id=sài_gòn, month_from="2025-03", month_to="2025-03")
    # 200 imported dossiers; bad = one invitation answered 2 + 3 overdue + 1 complained
    assert imported.rate["source"] == "imported" and imported.rate["rate"] == (200 - 5) / 200

    city = rate(session, office_id=hcm, month_from="2025-03", month_to="2025-03")
    # 79.01 from its 20 invitations (1 bad), 79.02 from its 200 imported dossiers (5 bad)
    assert city.rate["source"] == "mixed" and (city.imported_dossiers, city.invited_dossiers) == (200, 20)
    assert city.rate["rate"] == pytest.approx((220 - 6) / 220)
    by_qr = rate(session, office_id=hcm, month_from="2025-03", month_to="2025-03", channel="qr")
    # imported counts have no channel: only the 30 QR invitations, 2 answered 1–3
    assert by_qr.rate["source"] == "invitations" and by_qr.rate["rate"] == pytest.approx(28 / 30)
    assert rate(session, office_id=bến_thành, month_from="2025-04") is None


def test_qd766_cells_follow_the_formula():
    cells = [Qd766Cell(20, 1), Qd766Cell(10, 1, 200, 3, 1), Qd766Cell(0, 0), Qd766Cell(5, 5, 4, 1, 0)]
    result = qd766_from_cells(cells)
    # 20 − 1; 200 − (1 + 3 + 1); an empty cell adds nothing; 4 imported − min(5 + 1, 4)
    assert result == {"method": "qd766", "source": "mixed", "total_dossiers": 224,
                      "unsatisfied_or_complaint_or_overdue": 10, "rate": 214 / 224}  # fmt: skip
    assert qd766_from_cells([Qd766Cell(0, 0)]) is None
    with pytest.raises(ValueError):
        qd766_from_cells([Qd766Cell(3, 4)])


def test_the_office_page_says_where_the_qd766_dossiers_come_from(client, session):
    built_case(session)
    sign_in(client, make_user(role="official", office="79.00"))
    html = client.get("/dashboard/offices/79.01?month_from=2025-03&month_to=2025-03").get_data(as_text=True)
    assert "95,0 %" in html
    assert "20 lời mời khảo sát dùng một lần" in html and "1 lời mời trong số đó" in html
