"""Volume-weighted shares in `report --weighted` and `weighted=true` on the summary API, against a hand computation.

Bến Thành (79.01) in March 2025: birth registrations (1.001193) 40 answers, 36 satisfied, 200 dossiers handled;
certified copies (2.000815) 40 answers, 20 satisfied, 1,800 dossiers. Answered, the office looks 70 % satisfied;
weighted by dossiers it is (200·0.9 + 1800·0.5) / 2000 = 54 %, with n_eff = 2000² / (200²/40 + 1800²/40) = 48.8.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey.models import Office, OfficeFigures, Procedure
from tests.factories import bearer, load_catalog, make_api_key, make_responses


@pytest.fixture
def one_office(session):
    load_catalog()
    make_responses(office="79.01", procedure="1.001193", ratings=[5] * 36 + [2] * 4)
    make_responses(office="79.01", procedure="2.000815", ratings=[4] * 20 + [1] * 20)
    office = session.scalar(select(Office.id).where(Office.code == "79.01"))
    for code, handled in (("1.001193", 200), ("2.000815", 1800)):
        procedure = session.scalar(select(Procedure.id).where(Procedure.code == code))
        session.add(OfficeFigures(office_id=office, procedure_id=procedure, month="2025-03",
                                  dossiers_handled=handled, imported_at=datetime.now(UTC)))  # fmt: skip
    session.commit()
    return session


def test_report_weights_each_procedure_by_its_dossiers(app, one_office, backend):
    result = app.test_cli_runner().invoke(args=["report", "--group-by", "office", "--weighted", "--format", "json"])
    assert result.exit_code == 0, result.output
    row = next(row for row in json.loads(result.output) if row["office"] == "79.01")
    assert row["share"] == pytest.approx(56 / 80)
    assert row["weighted_share"] == pytest.approx(0.54)
    assert row["effective_n"] == pytest.approx(2000**2 / (200**2 / 40 + 1800**2 / 40), abs=0.05)
    assert row["volume"] == 2000 and row["weighted_status"] == "not_met"
    assert row["weighted_ci_low"] < 0.54 < row["weighted_ci_high"] < 0.9


def test_the_api_gives_the_same_weighted_figures(app, client, one_office):
    headers = bearer(make_api_key())
    api = client.get("/api/v1/summary?group_by=procedure&weighted=true&min_n=1", headers=headers).get_json()
    cli = app.test_cli_runner().invoke(
        args=["report", "--group-by", "procedure", "--weighted", "--min-n", "1", "--format", "json"]
    )
    assert api == json.loads(cli.output)
    births = next(row for row in api if row["procedure"] == "1.001193")
    assert births["weighted_share"] == pytest.approx(0.9) and births["effective_n"] == pytest.approx(40)
    refused = client.get("/api/v1/summary?group_by=channel&weighted=true", headers=headers)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "weighted"
    by_month = client.get("/api/v1/summary?group_by=month&weighted=yes&min_n=1", headers=headers).get_json()
    assert by_month[0]["weighted_share"] == pytest.approx(0.54)
