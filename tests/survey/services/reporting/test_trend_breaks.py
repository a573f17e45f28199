"""The trend breaks where the questionnaire stops being comparable, and only there."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import QuestionnaireVersion
from survey.services.reporting.dashboard import overview
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from survey.services.reporting.trend_breaks import TrendBreak, trend_breaks
from tests.factories import make_responses, make_user
from tests.pages import ClientRequest, sign_in
from tests.questionnaires import import_version, questionnaire_file, reworded

SETTINGS = Settings(default_target=0.9, min_n=5)


def version_id(session, number: int) -> int:
    return session.scalars(select(QuestionnaireVersion.id).where(QuestionnaireVersion.version == number)).one()


def two_versions(session, *, comparable: bool) -> None:
    """Version 1 answered January to March, version 2 (the overall rating reworded) April and May."""
    for month in ("2025-01", "2025-02", "2025-03"):
        make_responses(ratings=[5, 5, 4, 4, 4, 4, 3, 2], month=month)
    changed = reworded(questionnaire_file(comparable_with=[1] if comparable else []), "rating", "Mức độ hài lòng?")
    import_version(changed)
    for month in ("2025-04", "2025-05"):
        make_responses(ratings=[5, 3, 2, 2, 1, 1, 1, 1], month=month)


def test_a_version_not_comparable_with_the_one_before_breaks_the_trend(catalog, backend):
    two_versions(catalog, comparable=False)
    assert trend_breaks(catalog) == [TrendBreak("2025-04", 2, (1,), None)]

    data = overview(catalog, None, ReportFilter(), SETTINGS)

    assert data.breaks == [TrendBreak("2025-04", 2, (1,), None)]
    by_month = {month["month"]: month for month in data.trend}
    assert by_month["2025-04"]["share"] == 1 / 8 and by_month["2025-03"]["share"] == 6 / 8
    # 75 % → 12.5 % would be a significant fall, but it is two instruments, not a change in satisfaction
    assert by_month["2025-04"]["change"] is None and not by_month["2025-04"]["change_significant"]
    assert by_month["2025-05"]["change"] == 0.0  # within the new series, months compare as before


def test_a_comparable_version_keeps_one_trend(catalog):
    two_versions(catalog, comparable=True)
    assert trend_breaks(catalog) == []
    data = overview(catalog, None, ReportFilter(), SETTINGS)
    april = next(month for month in data.trend if month["month"] == "2025-04")
    assert april["change"] == 1 / 8 - 6 / 8 and april["change_significant"]


def test_answers_through_old_links_after_the_break_are_reported_as_mixing_both(catalog, backend):
    two_versions(catalog, comparable=False)
    make_responses(ratings=[4, 4], month="2025-05", questionnaire_version_id=version_id(catalog, 1))
    assert trend_breaks(catalog) == [TrendBreak("2025-04", 2, (1,), "2025-05")]
    later = ReportFilter(month_from="2025-04")
    assert overview(catalog, None, later, SETTINGS).breaks == []  # the break is not inside the months shown


def test_the_overview_page_marks_the_break_with_a_line_and_a_sentence(client, catalog):
    two_versions(catalog, comparable=False)
    sign_in(client, make_user(role="admin"))
    page = ClientRequest(client).get("/dashboard/", lang="en")

    sentence = " ".join(page.select_one("p.trend-break").get_text(" ").split())
    assert sentence.startswith("The questionnaire changed in 2025-04. From then on answers come from version 2, "
                               "which is not comparable with version 1")  # fmt: skip
    line = page.select_one("svg line.chart-break")
    april_x = float(line["x1"])
    dots = [float(dot["cx"]) for dot in page.select("svg circle.chart-dot")]
    assert dots[2] < april_x < dots[3]  # between March and April
    assert page.select_one("svg text.chart-break-label").get_text() == "Version 2"
