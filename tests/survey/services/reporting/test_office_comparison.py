"""`report --adjust procedure-mix` and `adjust=procedure-mix` on the summary API: offices compared fairly.

Two communes handle birth registrations (1.001193) and certified copies (2.000815) equally well — 90 % and 50 %
satisfied in each — but in opposite proportions, so their raw shares differ (82 % vs 58 %). Adjusted for their
procedure mix against the national rates (here: the two offices pooled, 90 % and 50 %), both equal the reference
share, 70 of 100 = 70 %.
"""

from __future__ import annotations

import json

import pytest

from survey.services.accounts.api_keys import create_api_key
from tests.factories import load_catalog, make_responses


@pytest.fixture
def two_mixes(session):
    load_catalog()
    make_responses(office="79.01", procedure="1.001193", ratings=[5] * 36 + [2] * 4)
    make_responses(office="79.01", procedure="2.000815", ratings=[4] * 5 + [1] * 5)
    make_responses(office="79.02", procedure="1.001193", ratings=[5] * 9 + [2])
    make_responses(office="79.02", procedure="2.000815", ratings=[4] * 20 + [3] * 20)
    return session


def test_the_same_per_procedure_rates_give_the_same_adjusted_share(app, two_mixes, backend):
    result = app.test_cli_runner().invoke(
        args=["report", "--group-by", "office", "--adjust", "procedure-mix", "--format", "json", "--min-n", "5"]
    )
    assert result.exit_code == 0, result.output
    rows = {row["office"]: row for row in json.loads(result.output)}
    assert rows["79.01"]["share"] == pytest.approx(41 / 50) and rows["79.02"]["share"] == pytest.approx(29 / 50)
    assert rows["79.01"]["expected_share"] == pytest.approx((40 * 0.9 + 10 * 0.5) / 50)
    assert rows["79.02"]["expected_share"] == pytest.approx((10 * 0.9 + 40 * 0.5) / 50)
    for code in ("79.01", "79.02"):
        assert rows[code]["adjusted_share"] == pytest.approx(0.70, abs=1e-9)
        assert rows[code]["adj_ci_low"] < 0.70 < rows[code]["adj_ci_high"]
        assert rows[code]["funnel"] == "within"


def test_the_api_gives_the_same_adjusted_figures_and_refuses_bad_options(app, client, two_mixes):
    key, _ = create_api_key(two_mixes, name="Cổng tỉnh")
    headers = {"Authorization": f"Bearer {key}"}
    api = client.get("/api/v1/summary?group_by=office&adjust=procedure-mix&min_n=5", headers=headers).get_json()
    cli = app.test_cli_runner().invoke(
        args=["report", "--group-by", "office", "--adjust", "procedure-mix", "--format", "json", "--min-n", "5"]
    )
    assert api == json.loads(cli.output)
    wrong_group = client.get("/api/v1/summary?group_by=procedure&adjust=procedure-mix", headers=headers)
    assert wrong_group.status_code == 422 and wrong_group.get_json()["errors"][0]["field"] == "adjust"
    wrong_reference = client.get("/api/v1/summary?group_by=office&adjust=procedure-mix&reference=x", headers=headers)
    assert wrong_reference.status_code == 422
    refused = app.test_cli_runner().invoke(args=["report", "--group-by", "procedure", "--adjust", "procedure-mix"])
    assert refused.exit_code != 0 and "--group-by office" in refused.output
