"""Official themes and comments pages: filters that match a hand count, a toneless search, pages, scope, corrections
made from the page, themes classified on demand, and the links from a procedure's page."""

from __future__ import annotations

from sqlalchemy import select

from survey.models_themes import CommentLabel, ThemeCorrection
from tests.factories import load_catalog, make_response, make_user
from tests.pages import csrf_token, sign_in

WAITING = "Chờ đợi quá lâu, hẹn 3 ngày mà 2 tuần sau vẫn chưa có kết quả"


def rows(page) -> list[int]:
    return [int(tr["id"].removeprefix("comment-")) for tr in page.select("tr[id^=comment-]")]


def seed_comments() -> dict[str, int]:
    """Comments over offices, months, channels and ratings; every one different, so none is merged."""
    made = {}
    for office, month, channel, ratings in (
        ("79.01", "2025-03", "qr", (1, 2, 5)),
        ("79.01", "2025-04", "sms", (1, 3, 4)),
        ("79.01", "2025-05", "sms", (2,)),
        ("01.01", "2025-03", "sms", (1,)),
    ):
        for rating in ratings:
            key = f"{office} {month} {channel} {rating}"
            comment = f"Hồ sơ nộp tại quầy, góp ý số {len(made) + 1}: mong cán bộ xử lý nhanh hơn."
            made[key] = make_response(rating=rating, office=office, month=month, channel=channel, comment=comment)
    return made


def test_the_comments_page_filters_match_a_hand_count(app, client, client_request):
    load_catalog()
    made = seed_comments()
    sign_in(client, make_user(role="admin"))
    march_april = {"month_from": "2025-03", "month_to": "2025-04"}

    # sms, rated 1–3, March–April: 79.01's April 1 and 3, and 01.01's March 1
    page = client_request.get("/dashboard/themes/comments", channel="sms", rating="dissatisfied", **march_april)
    assert sorted(rows(page)) == sorted(
        [made["79.01 2025-04 sms 1"], made["79.01 2025-04 sms 3"], made["01.01 2025-03 sms 1"]]
    )
    page = client_request.get(
        "/dashboard/themes/comments", office="79.01", channel="sms", rating="dissatisfied", **march_april
    )
    assert sorted(rows(page)) == sorted([made["79.01 2025-04 sms 1"], made["79.01 2025-04 sms 3"]])
    page = client_request.get("/dashboard/themes/comments", rating="5", **march_april)
    assert rows(page) == [made["79.01 2025-03 qr 5"]]
    page = client_request.get("/dashboard/themes/comments", month_from="2025-03", month_to="2025-05")
    assert len(rows(page)) == len(made) == 8  # every comment, classified by the page on demand
    assert len(app.extensions["sqlalchemy"].session.scalars(select(CommentLabel)).all()) == 8


def test_the_search_ignores_tone_marks_and_case(client, client_request):
    load_catalog()
    waiting = make_response(rating=1, month="2025-03", comment=WAITING)
    make_response(rating=1, month="2025-03", comment="Cán bộ thân thiện nhưng phòng chờ nóng quá")
    sign_in(client, make_user(role="admin"))
    march = {"month_from": "2025-03", "month_to": "2025-03"}
    assert rows(client_request.get("/dashboard/themes/comments", q="cho doi", **march)) == [waiting]
    assert rows(client_request.get("/dashboard/themes/comments", q="CHỜ ĐỢI", **march)) == [waiting]
    assert rows(client_request.get("/dashboard/themes/comments", q="100%_x", **march)) == []


def test_comments_come_a_page_at_a_time(client, client_request):
    load_catalog()
    ids = [make_response(rating=2, month="2025-03", comment=f"{WAITING} (lần {n})") for n in range(30)]
    sign_in(client, make_user(role="admin"))
    first = client_request.get("/dashboard/themes/comments", month_from="2025-03", month_to="2025-03")
    second = client_request.get("/dashboard/themes/comments", month_from="2025-03", month_to="2025-03", page=2)
    assert len(rows(first)) == 25 and len(rows(second)) == 5
    assert sorted(rows(first) + rows(second)) == sorted(ids)
    odd = client_request.get("/dashboard/themes/comments", month_from="2025-03", month_to="2025-03", page="²")
    assert rows(odd) == rows(first)  # a page number that is not ASCII digits reads as the first page


def test_an_official_of_01_01_sees_and_corrects_only_their_comments(client, client_request, session):
    load_catalog()
    theirs = make_response(rating=1, office="79.01", month="2025-03", comment=WAITING)
    mine = make_response(rating=1, office="01.01", month="2025-03", comment=f"{WAITING}!")
    sign_in(client, make_user(office="01.01"))
    march = {"month_from": "2025-03", "month_to": "2025-03"}
    assert rows(client_request.get("/dashboard/themes/comments", **march)) == [mine]
    client_request.get("/dashboard/themes/comments", _expected_status=404, office="79.01", **march)
    client_request.get("/dashboard/themes/official", _expected_status=404, office="79.01", **march)
    token = csrf_token(client, "/dashboard/themes/comments?month_from=2025-03&month_to=2025-03")

    refused = client.post(f"/dashboard/themes/comments/{theirs}/theme", data={"theme": "fees", "csrf_token": token})
    done = client.post(f"/dashboard/themes/comments/{mine}/theme", data={"theme": "fees", "csrf_token": token})

    assert refused.status_code == done.status_code == 303
    assert session.get(CommentLabel, theirs) is None  # never labelled from 01.01's pages, and not corrected
    assert session.scalars(select(ThemeCorrection.response_id)).all() == [mine]
    assert (session.get(CommentLabel, mine).theme, session.get(CommentLabel, mine).source) == ("fees", "official")
    page = client_request.get("/dashboard/themes/official", **march)
    fees = page.find(id="official-fees").find_parent("article")
    assert f"{WAITING}!" in fees.get_text() and "100,0 %" in fees.get_text()
    assert page.find(id="official-waiting_time") is None  # the corrected comment left the classifier's theme


def test_the_official_themes_page_classifies_new_comments_and_shows_share_trend_and_quotes(client, client_request):
    load_catalog()
    make_response(rating=1, month="2025-03", comment=WAITING)
    make_response(rating=2, month="2025-04", comment="Nộp hồ sơ từ đầu tháng mà trễ hẹn trả kết quả gần một tháng")
    make_response(rating=2, month="2025-04")  # no comment: counts in the share's denominator only
    make_response(rating=5, month="2025-04", comment="Rất hài lòng")
    sign_in(client, make_user(role="admin"))

    page = client_request.get("/dashboard/themes/official", month_from="2025-03", month_to="2025-04")

    waiting = page.find(id="official-waiting_time").find_parent("article")
    text = waiting.get_text()
    assert "66,7 %" in text  # 2 of the 3 dissatisfied responses
    assert [td.get_text() for td in waiting.select("table.trend-numbers td")] == ["1", "1"]
    assert WAITING in text and "Rất hài lòng" not in page.get_text()


def test_a_procedure_page_with_dissatisfied_responses_links_to_its_themes_and_comments(client, client_request):
    load_catalog()
    make_response(rating=1, month="2025-03", comment=WAITING)
    sign_in(client, make_user(role="admin"))
    page = client_request.get("/dashboard/procedures/1.001193", month_from="2025-03", month_to="2025-03")
    links = {a["href"] for a in page.select("p.complaint-links a")}
    assert "/dashboard/themes/official?procedure=1.001193&month_from=2025-03&month_to=2025-03" in links
    comments = next(link for link in links if link.startswith("/dashboard/themes/comments"))
    assert rows(client_request.get(comments)) != []
