"""Officials read names, not codes: the ranking charts and tables label each procedure or office by its name with
the code in small print; the phone chart is drawn 1:1 at 360 px so no label shrinks under 12 px, and the "100 %"
tick label fits inside the chart."""

from __future__ import annotations

import re
from pathlib import Path

from survey.dashboard.charts import PHONE_WIDTH, WIDTH, Point, ranking_chart, stacked_ranking_chart, wrap
from tests.factories import make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import standard_data

CSS = (Path(__file__).parents[3] / "static" / "dashboard.css").read_text(encoding="utf-8")
BIRTH = "Đăng ký khai sinh"


def font_size(css_class: str) -> int:
    found = re.search(r"\." + css_class + r"\{[^}]*font-size:(\d+)px", CSS)
    assert found, css_class
    return int(found.group(1))


def points() -> list[Point]:
    long_name = (
        "Giải quyết hưởng bảo hiểm xã hội một lần cho người lao động đã nghỉ việc và không tiếp tục đóng bảo hiểm "
        "xã hội tự nguyện theo quy định của Luật Bảo hiểm xã hội năm 2024"
    )
    return [
        Point(long_name, 0.62, 0.58, 0.66, 0.9, "chart-dot status-not_met", "tip", code="1.001613"),
        Point(BIRTH, 0.95, 0.91, 0.97, 0.9, "chart-dot status-met", "tip", code="1.001193"),
    ]


def test_long_names_wrap_on_words_and_end_with_an_ellipsis_past_three_lines():
    assert wrap("Đăng ký khai sinh", 32) == ["Đăng ký khai sinh"]
    long_name = "Đăng ký khai sinh kết hợp nhận cha, mẹ, con"
    assert wrap(long_name, 20) == ["Đăng ký khai sinh", "kết hợp nhận cha,", "mẹ, con"]
    lines = wrap("một " * 40, 12, 3)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(line) <= 12 for line in lines)


def test_both_charts_name_each_row_with_its_code_in_small_print():
    for chart in (ranking_chart(points(), title="T", desc="D"), stacked_ranking_chart(points(), title="T", desc="D")):
        texts = [(label.text, label.css) for label in chart.labels]
        assert (BIRTH, "chart-label") in texts and ("1.001193", "chart-code") in texts
        name_lines = [text for text, css in texts if css == "chart-label"]
        assert "".join(name_lines).startswith("Giải quyết hưởng") and name_lines[2].endswith("…")
        hundred = next(label for label in chart.labels if label.text.startswith("100"))
        assert hundred.anchor == "middle" and hundred.x + 20 <= chart.width  # "100 %" is about 36 px wide at 12 px


def test_the_phone_chart_is_drawn_at_least_1_to_1_at_360_px_so_text_stays_12_px_or_more():
    chart = stacked_ranking_chart(points(), title="T", desc="D")
    assert chart.width == PHONE_WIDTH <= 360 - 2 * 16  # the page's side padding is 1 rem
    assert min(font_size("chart-label"), font_size("chart-code"), font_size("chart-axis")) >= 12
    assert all(label.x >= 0 for label in chart.labels)
    assert WIDTH == 640 and ".chart-scroll figure{min-width:640px}" in CSS  # the wide charts scroll, never shrink


def test_the_procedures_page_shows_names_in_its_charts_and_table(client, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    html = client.get("/dashboard/procedures").get_data(as_text=True)
    for chart_id in ("procedures-chart", "procedures-chart-phone"):
        svg = html[html.index(f'id="{chart_id}-title"') :]
        svg = svg[: svg.index("</svg>")]
        assert f'class="chart-label">{BIRTH}</text>' in svg
        assert 'class="chart-code">1.001193</text>' in svg
        assert 'class="chart-label">1.001193' not in svg
    row = re.search(r'<th scope="row"><a href="/dashboard/procedures/1\.001193">([^<]+)</a> <small class="code">', html)
    assert row and row.group(1) == BIRTH
    offices = client.get("/dashboard/offices").get_data(as_text=True)
    assert '<small class="code">79.02</small>' in offices
