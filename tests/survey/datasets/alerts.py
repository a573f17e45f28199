"""Answers around June 2025 for the alert tests; `flask alerts --month 2025-06` judges April–June against
January–March.

79.01 Bến Thành, 1.001193: January–March 38 of 40 satisfied (95 %), April–June 20 of 40 (50 %, 95 % interval
      35.2–64.8 %): below the 90 % target AND a significant fall (two-proportion test, p < 0.001): two alerts.
01.01 Hoàn Kiếm, 1.001193: April–June 10 of 40 (25 %): below target; nothing before, so no fall can be judged.
79.02 Sài Gòn, 1.001193: April–June 50 of 50: nothing to report.
79.01 Bến Thành, 2.000815: April–June 30 of 35 (85.7 %, 95 % interval 70.6–93.7 %): can't tell, no alert.
"""

from __future__ import annotations

from tests.factories import load_catalog, make_responses


def alerts_data() -> None:
    load_catalog()
    make_responses(office="79.01", month="2025-02", ratings=[5] * 38 + [2] * 2)
    make_responses(office="79.01", month="2025-05", ratings=[5] * 20 + [1] * 20)
    make_responses(office="01.01", month="2025-05", ratings=[4] * 10 + [2] * 30)
    make_responses(office="79.02", month="2025-05", ratings=[5] * 50)
    make_responses(office="79.01", procedure="2.000815", month="2025-05", ratings=[5] * 30 + [3] * 5)
