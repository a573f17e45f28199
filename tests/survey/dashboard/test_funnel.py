"""The fair-comparison page: offices on a funnel plot, adjusted for procedure mix, named by their verdict.

Seventeen communes handle the same two procedures in the same proportions, 200 citizens each. Sixteen satisfy 88 %
or 92 % (ordinary chance variation); Bến Thành (79.01) satisfies 60 %: far outside the 99.8 % limits around the pooled
reference, so it alone is "clearly different: lower" — the other offices do not vary more than chance allows, so the
limits are not widened. An official of Hồ Chí Minh City sees only the city's communes in the table, compared with the
national rates, or with the city's own rates when asked.
"""

from __future__ import annotations

import re

import pytest
from scipy.stats import binom

from tests.factories import load_catalog, make_responses, make_user
from tests.pages import sign_in

COMMUNES = ("01.01", "01.02", "01.03", "01.04", "01.05", "79.02", "79.03", "79.04", "79.05", "48.01", "48.02", "48.03",
            "48.04", "92.01", "92.02", "92.03")  # fmt: skip
SHARES = {"79.01": 0.60} | {code: (0.88 if index % 2 else 0.92) for index, code in enumerate(COMMUNES)}
HCMC = {"79.01", "79.02", "79.03", "79.04", "79.05"}


@pytest.fixture
def five_communes(session):
    load_catalog()
    for office, share in SHARES.items():
        for procedure, n in (("1.001193", 150), ("2.000815", 50)):
            satisfied = round(share * n)
            make_responses(office=office, procedure=procedure, ratings=[5] * satisfied + [2] * (n - satisfied))
    return session


def verdicts(html: str) -> dict[str, str]:
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?<small class=\"code\">([\d.]+)</small>.*?</tr>", html, re.S)
    found = {}
    for code in rows:
        row = re.search(rf"<small class=\"code\">{re.escape(code)}</small>(.*?)</tr>", html, re.S)
        assert row is not None
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        found[code] = re.sub(r"<[^>]+>", "", cells[-1]).strip()
    return found


def test_only_the_office_outside_the_limits_is_called_clearly_different(client, five_communes):
    sign_in(client, make_user(role="admin"))
    html = client.get("/dashboard/funnel?lang=en").get_data(as_text=True)
    found = verdicts(html)
    assert set(found) == set(SHARES)
    assert found["79.01"] == "Clearly different: lower"
    assert all(found[code].startswith("Within normal variation") for code in SHARES if code != "79.01")
    # Hand check of the verdicts at the pooled reference θ and n = 200 (exact binomial): 120 satisfied lies below
    # the 99.8 % limits, 176 and 184 inside the 95 % limits.
    theta = sum(round(share * 150) + round(share * 50) for share in SHARES.values()) / (200 * len(SHARES))
    assert binom.cdf(120, 200, theta) < 0.001
    assert all(0.025 < binom.cdf(k, 200, theta) < 0.975 for k in (176, 184))
    assert "overdispersion" not in html
    assert html.count('class="chart-dot funnel-') == len(SHARES)


def test_an_official_sees_their_offices_against_national_rates(client, five_communes):
    sign_in(client, make_user(role="official", office="79.00"))
    html = client.get("/dashboard/funnel?lang=en").get_data(as_text=True)
    assert set(verdicts(html)) == HCMC
    national = sum(round(share * 150) + round(share * 50) for share in SHARES.values()) / (200 * len(SHARES))
    city = sum(round(SHARES[code] * 150) + round(SHARES[code] * 50) for code in HCMC) / (200 * len(HCMC))
    assert f"reference {100 * national:.1f} %" in html
    province = client.get("/dashboard/funnel?lang=en&reference=province").get_data(as_text=True)
    assert f"reference {100 * city:.1f} %" in province
    assert set(verdicts(province)) == HCMC


def test_the_offices_page_and_a_procedure_page_lead_to_the_fair_comparison(client, five_communes):
    sign_in(client, make_user(role="admin"))
    assert "/dashboard/funnel" in client.get("/dashboard/offices").get_data(as_text=True)
    procedure_page = client.get("/dashboard/procedures/2.000815").get_data(as_text=True)
    assert "/dashboard/funnel?procedure=2.000815" in procedure_page
    only_copies = client.get("/dashboard/funnel?procedure=2.000815&lang=en").get_data(as_text=True)
    assert set(verdicts(only_copies)) == set(SHARES)
