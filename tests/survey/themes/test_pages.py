"""Complaint theme pages: who may see which runs, what a theme shows, and that personal data never shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.models import Response, ResponseTheme, Theme, ThemeRun
from survey.services.accounts.scoping import subtree_ids
from survey.services.themes import pages as theme_pages
from survey.services.themes.runs import RunScope, RunSettings, run_themes, themes_of
from tests.factories import make_user
from tests.pages import sign_in
from tests.survey.datasets.themes import add_comment, office_id, period, seed

PII_COMMENT = (
    "Chờ đợi quá lâu, hẹn mãi chưa có kết quả. Gọi tôi 0912 345 678 hoặc 0987.654.321, "
    "CCCD 079123456789, email nguyen.van.an@gmail.com"
)
RAW_PII = ("0912 345 678", "0912345678", "0987.654.321", "079123456789", "nguyen.van.an@gmail.com", "@gmail")


def run_for(session, office_code: str | None, **settings) -> ThemeRun:
    scope = RunScope(*period(), office_id=office_id(session, office_code) if office_code else None)
    outcome = run_themes(session, scope, RunSettings(min_comments=5, **settings))
    assert outcome.run is not None, outcome.skipped
    return outcome.run


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def demo(session):
    seed(session)
    return session


def test_strangers_sign_in_and_researchers_are_refused(client, demo):
    assert client.get("/dashboard/themes").status_code == 302
    sign_in(client, make_user(role="researcher"))
    assert client.get("/dashboard/themes").status_code == 403


def test_before_any_run_the_page_says_so_and_sends_the_reader_to_the_official_themes(client, demo):
    """With no stored run there is no run below to pick: the page says how themes are found and links the
    official themes, which are never empty while there are comments."""
    sign_in(client, make_user(role="admin"))
    html = page_text(client.get("/dashboard/themes"))
    assert "Chưa tìm được chủ đề nào trong các góp ý" in html
    assert "hãy chọn một lần tính bên dưới" not in html
    assert 'href="/dashboard/themes/official"' in html
    run_for(demo, "79.01")  # a run exists, just not for the whole country: the page offers it
    html = page_text(client.get("/dashboard/themes"))
    assert "hãy chọn một lần tính bên dưới" in html and "79.01" in html


def test_admin_sees_the_whole_country_run_with_names_shares_trends_and_examples(client, client_request, demo):
    run = run_for(demo, None)
    sign_in(client, make_user(role="admin"))
    client_request.get("/dashboard/themes")
    response = client_request.response
    html = page_text(response)
    assert "<script" not in html and "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    first = themes_of(run)[0]
    assert first.name in html
    share = f"{100 * first.dissatisfied_size / run.dissatisfied_count:.1f}".replace(".", ",")
    assert f"{share} %" in html  # Vietnamese decimal comma
    assert html.count('<svg class="sparkline" role="img"') == len(run.themes)
    assert re.search(r"<title id=\"trend-\d+-title\">[^<]*\d{2}/\d{4}: \d+", html)
    assert html.count("<blockquote>") >= 2 * len(run.themes)
    assert "Chủ đề phản ánh" in html  # Vietnamese first


def test_detail_shows_the_seed_theme_and_pages_through_comments(client, demo):
    run = run_for(demo, None)
    theme = next(t for t in themes_of(run) if t.code)  # the largest theme aligned to an official one
    assert theme.size > 20
    sign_in(client, make_user(role="admin"))
    html = page_text(client.get(f"/dashboard/themes/{theme.id}"))
    labels = theme_pages.seed_labels()
    assert f"<code>{theme.code}</code> {labels[theme.code]}" in html
    assert f"{theme.size} phản ánh" in html or f"{theme.size} lượt" in html
    assert "Trang 1 / " in html and 'rel="next"' in html
    first_page = re.findall(r"<blockquote>(.*?)</blockquote>", html)
    second = page_text(client.get(f"/dashboard/themes/{theme.id}?page=2"))
    assert "Trang 2 / " in second and 'rel="prev"' in second
    assert set(re.findall(r"<blockquote>(.*?)</blockquote>", second)) - set(first_page)
    assert client.get(f"/dashboard/themes/{theme.id}?page=abc").status_code == 200
    assert client.get("/dashboard/themes/999999").status_code == 404


def test_a_commune_official_sees_only_runs_and_comments_of_their_commune(client, demo, backend):
    own = run_for(demo, "79.01")
    other = run_for(demo, "79.02")
    country = run_for(demo, None)
    official = make_user(role="official", office="79.01")
    sign_in(client, official)
    html = page_text(client.get("/dashboard/themes"))
    assert themes_of(own)[0].name in html and "79.01" in html
    assert "79.02" not in html  # neither offered in the filters nor listed among runs
    assert client.get("/dashboard/themes?office=79.02").status_code == 400
    assert client.get("/dashboard/themes?office=").status_code == 200  # empty: their own office
    for theme in [*other.themes, *country.themes]:
        assert client.get(f"/dashboard/themes/{theme.id}").status_code == 404
    assert client.get(f"/dashboard/themes/{own.themes[0].id}").status_code == 200

    # In the query layer too: even handed the country's run, only comments of the official's offices come out.
    scope = subtree_ids(demo, official.office_id)
    assert theme_pages.visible_run(demo, scope, country.id) is None
    assert theme_pages.find_run(demo, scope, office_id=None, procedure_id=None, period=None) is None
    views = theme_pages.run_themes_for_page(demo, country, scope, examples=3)
    shown = [e.response_id for v in views for e in v.examples]
    assert shown and {demo.get(Response, i).office_id for i in shown} <= scope
    listed = theme_pages.latest_runs(demo, scope)
    assert [r.run_id for r in listed] == [own.id]


def test_a_province_official_picks_runs_by_office_and_period(client, demo):
    start, end = period()
    province = run_for(demo, "79.00")
    commune = run_for(demo, "79.03")
    last_month = run_themes(
        demo, RunScope(end, end, office_id=office_id(demo, "79.00")), RunSettings(min_comments=5)
    ).run
    assert last_month is not None
    sign_in(client, make_user(role="official", office="79.00"))
    html = page_text(client.get("/dashboard/themes"))  # their own office, latest period (the one-month run)
    assert f"{last_month.comment_count} phản ánh" in html
    html = page_text(client.get(f"/dashboard/themes?office=79.00&period={start}..{end}"))
    assert f"{province.comment_count} phản ánh" in html
    html = page_text(client.get(f"/dashboard/themes?office=79.03&period={start}..{end}"))
    assert themes_of(commune)[0].name in html
    bad = client.get("/dashboard/themes?period=2001-01..2001-03")
    assert bad.status_code == 400 and "Hãy chọn một kỳ trong danh sách." in page_text(bad)


def test_personal_data_in_an_old_raw_comment_never_shows(client, demo, backend):
    newest = datetime.now(UTC) + timedelta(days=1)
    raw_id = add_comment(office_code="79.01", comment=PII_COMMENT, created_at=newest)
    run = run_for(demo, "79.01")
    theme_id = demo.scalar(
        select(ResponseTheme.theme_id).where(ResponseTheme.run_id == run.id, ResponseTheme.response_id == raw_id)
    )
    assert theme_id is not None
    for theme in demo.scalars(select(Theme).where(Theme.run_id == run.id)):
        stored = " ".join([theme.name, *theme.top_terms, *(e["text"] for e in theme.examples)])
        assert not any(raw in stored for raw in RAW_PII)
    for user in (make_user(role="admin"), make_user(role="official", office="79.01")):
        sign_in(client, user)
        pages = [
            page_text(client.get(f"/dashboard/themes/{theme_id}")),
            page_text(client.get("/dashboard/themes?office=79.01")),
        ]
        assert "[SĐT]" in pages[0] and "[CCCD]" in pages[0] and "[EMAIL]" in pages[0]  # newest first: it is there
        for html in pages:
            assert not any(raw in html for raw in RAW_PII)
