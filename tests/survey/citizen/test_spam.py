"""Spam on a poster link, through the form as a browser or a script sends it: scripts are held back or refused,
people are counted, and the hidden robot trap is invisible to people and to screen readers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, satisfaction_summary
from tests.survey.citizen.helpers import open_form, opened_seconds_ago
from tests.survey.citizen.server import parse_html

ROOT = Path(__file__).resolve().parents[3]


def address(number: int) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{number}"}}


def counted() -> tuple[int, int]:
    rows = satisfaction_summary(db.session, None, ReportFilter(), group_by="office", settings=Settings(min_n=1))
    return sum(row["n"] for row in rows), sum(row["satisfied"] for row in rows)


def stored() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def test_a_scripted_burst_of_200_from_one_address_is_held_then_refused(app, client, links):
    token = links.poster_procedure
    bot = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
    statuses = []
    for _ in range(205):  # load the form, send it at once, again and again
        hidden = open_form(client, token)
        sent = client.post(f"/s/{token}", data={**hidden, "rating": "5", "comment": "Tuyệt vời"}, **bot)
        statuses.append(sent.status_code)
    assert statuses[:200] == [303] * 200  # the script sees the same thanks as a person…
    assert statuses[200:] == [429] * 5  # …until its connection's daily limit, then it is refused
    page = sent.get_data(as_text=True)
    assert "quá nhiều câu trả lời từ kết nối này" in page and "Tuyệt vời" in page  # a person would keep their text
    assert 0 < int(sent.headers["Retry-After"]) <= 24 * 3600  # until the next day in Viet Nam
    responses = stored()
    assert len(responses) == 200
    assert all(response.flagged for response in responses)  # …but nothing it sent is counted
    assert {"too_fast"} <= {reason for r in responses for reason in r.spam_reason.split(",")}
    assert counted() == (0, 0)


def test_twenty_people_on_the_same_poster_are_all_counted(app, client, links):
    token = links.poster_procedure
    ratings = [5, 4, 5, 3, 5, 5, 4, 2, 5, 4, 5, 5, 1, 4, 5, 4, 5, 3, 5, 4]
    comments = {3: "Phải chờ lâu", 7: "Cán bộ hướng dẫn chưa rõ", 12: "Phải đi lại ba lần"}
    for person, rating in enumerate(ratings):
        phone = app.test_client()  # each person on their own phone, connection and cookies
        hidden = open_form(phone, token)
        answers = {"rating": str(rating), "comment": comments.get(person, "")}
        if person % 3 == 0:
            answers["element_staff"] = str(max(rating - 1, 1))
        sent = phone.post(f"/s/{token}", data={**opened_seconds_ago(app, hidden, 30 + 4 * person), **answers},
                          **address(20 + person))  # fmt: skip
        assert sent.status_code == 303
    assert [response.flagged for response in stored()] == [False] * 20
    assert counted() == (20, 16)  # by hand: all but the 3, 2, 1 and 3


def test_a_filled_honeypot_or_a_too_fast_form_is_not_counted(app, client, links, backend):
    token = links.poster_procedure
    hidden = open_form(client, token)
    trap = {**opened_seconds_ago(app, hidden, 40), "rating": "5", "website": "http://cheap-pills.example"}
    assert client.post(f"/s/{token}", data=trap, **address(1)).status_code == 303
    hidden = open_form(client, token)
    assert client.post(f"/s/{token}", data={**hidden, "rating": "5"}, **address(2)).status_code == 303
    hidden = open_form(client, token)
    no_stamp = {**hidden, "started": "", "rating": "5"}
    assert client.post(f"/s/{token}", data=no_stamp, **address(3)).status_code == 303
    hidden = open_form(client, token)
    person = {**opened_seconds_ago(app, hidden, 40), "rating": "2"}
    assert client.post(f"/s/{token}", data=person, **address(4)).status_code == 303
    assert [(r.flagged, r.spam_reason) for r in stored()] == [
        (True, "honeypot"), (True, "too_fast"), (True, "no_stamp"), (False, None),
    ]  # fmt: skip
    assert counted() == (1, 0)


def test_a_one_time_link_is_never_judged(app, client, links):
    hidden = open_form(client, links.dossier)
    sent = client.post(f"/s/{links.dossier}", data={**hidden, "rating": "4", "website": "x"}, **address(9))
    assert sent.status_code == 303
    [response] = stored()
    assert (response.verified, response.flagged, response.spam_reason) == (True, False, None)
    assert counted() == (1, 1)


def test_the_form_keeps_its_start_time_when_it_comes_back_with_an_error(app, client, links):
    hidden = open_form(client, links.poster_procedure)
    again = client.post(f"/s/{links.poster_procedure}", data={**hidden, "comment": "quên chọn mức"}, **address(5))
    assert again.status_code == 400
    tree = parse_html(again.get_data(as_text=True))
    assert tree.find("input", name="started").attrs["value"] == hidden["started"]


def test_the_robot_trap_is_hidden_from_people_and_screen_readers(client, links):
    tree = parse_html(client.get(f"/s/{links.poster}").get_data(as_text=True))
    trap = tree.find("input", name="website")
    box = trap.parent
    assert box.attrs["class"] == "hp" and box.attrs["aria-hidden"] == "true"  # out of the accessibility tree
    assert trap.attrs["tabindex"] == "-1" and trap.attrs["autocomplete"] == "off"  # never reached with Tab
    label = box.find("label")
    assert label.attrs["for"] == trap.attrs["id"] and label.text() == "Để trống ô này"  # what CSS-less browsers show
    assert "style" not in box.attrs  # hidden by the stylesheet (the CSP allows no inline style)
    css = (ROOT / "static" / "citizen.css").read_text(encoding="utf-8")
    assert ".hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}" in css
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
