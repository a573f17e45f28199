"""Responses placed in the public results' 12-month window (which ends this month), with every count known.

79.01 Bến Thành (under 79.00):
    1.001193: last month 20 answers (17 satisfied), this month 12 (10 satisfied): 32 answers, 27 satisfied (84.4 %);
              13 months ago 50 answers of 1 out of 5: outside the window.
    2.000815: 29 answers, all 5 out of 5: one short of publishing, so no share anywhere.
79.02 Sài Gòn (under 79.00): 1.001193 last month 40 answers, 36 satisfied (90 %).
01.01 Hoàn Kiếm: 1.001193 this month 35 answers, 35 satisfied.
So 79.00 with its offices: 1.001193 72 answers, 63 satisfied (87.5 %); 2.000815 29; all 101 answers, 92 satisfied.
"""

from __future__ import annotations

from analysis.periods import shift_month
from survey.services.publication.period import Period, public_period
from tests.factories import load_catalog, make_responses


def results_data() -> Period:
    load_catalog()
    period = public_period()
    this_month, last_month = period.month_to, shift_month(period.month_to, -1)
    make_responses(office="79.01", month=last_month, ratings=[5] * 15 + [4] * 2 + [2] * 3)
    make_responses(office="79.01", month=this_month, ratings=[5] * 10 + [1] * 2, comment="Cán bộ hách dịch quá")
    make_responses(office="79.01", month=shift_month(period.month_from, -1), ratings=[1] * 50)
    make_responses(office="79.01", procedure="2.000815", month=last_month, ratings=[5] * 29)
    make_responses(office="79.02", month=last_month, ratings=[5] * 36 + [3] * 4)
    make_responses(office="01.01", month=this_month, ratings=[5] * 35)
    return period
