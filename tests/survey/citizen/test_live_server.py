"""The citizen page through a real gunicorn server: the operator's commands, plain HTTP, no JavaScript.

Issue 3 is done when, from a link printed by `issue-link`, the page weighs at most 30 KB with no script,
submits without JavaScript, stores exactly one response for one valid submit plus replays, refuses a post
without CSRF token, and 20 simultaneous submissions of one one-time link store one response.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, func, select

from survey.models import Invitation, RatedDossier, Response
from tests.survey.citizen.server import (
    WebClient,
    flask_command,
    free_port,
    gunicorn,
    hidden_fields,
    issue_test_link,
    parse_html,
    server_environment,
)

PAGE_BUDGET = 30 * 1024  # DESIGN.md §6: HTML + CSS as served, uncompressed
PAGE_GUARD = 20 * 1024  # what the page weighs today plus room; growing past it deserves a look


def count(database_url: str, model: type) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def page_weight(client: WebClient, path: str) -> tuple[int, int, str]:
    page = client.get(path)
    assert page.status == 200
    tree = parse_html(page.text)
    stylesheets = [link.attrs["href"] for link in tree.find_all("link", rel="stylesheet")]
    css = sum(len(client.get(href).body) for href in stylesheets)
    return len(page.body), css, page.text


def test_a_link_from_issue_link_works_without_javascript_and_counts_once(tmp_path: Path):
    database_url = f"sqlite:///{tmp_path / 'live.db'}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_environment(database_url, tmp_path, base_url)
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed-demo", "--responses", "0")
    printed = flask_command(
        env, "issue-link", "--office", "79.01", "--procedure", "1.001193", "--dossier", "000.00.31.H56-250115-0042"
    ).strip()
    assert printed.startswith(f"{base_url}/s/")
    path = urlsplit(printed).path

    with gunicorn(database_url, tmp_path, port=port) as server:
        citizen = server.client()
        html_bytes, css_bytes, html = page_weight(citizen, path)
        assert html_bytes + css_bytes <= PAGE_BUDGET
        assert html_bytes + css_bytes <= PAGE_GUARD, (html_bytes, css_bytes)
        assert "<script" not in html.lower()
        tree = parse_html(html)
        for node in tree.iter():
            for name in ("href", "src", "action"):
                value = node.attrs.get(name, "")
                assert not value.startswith(("http:", "https:", "//")), f"external resource {value}"
        hidden = hidden_fields(html)
        answers = {"rating": "5", "element_staff": "4", "on_time": "on_time", "comment": "Nhanh gọn, cảm ơn."}

        without_token = citizen.post(path, {"submission_key": hidden["submission_key"], **answers})
        assert without_token.status == 400
        assert count(database_url, Response) == 0

        sent = {**hidden, **answers}
        first = citizen.post(path, sent)
        assert first.status == 303
        assert first.headers["Location"].endswith(f"{path}/thanks")
        thanks = citizen.get(urlsplit(first.headers["Location"]).path)
        assert thanks.status == 200
        assert "Xin cảm ơn" in thanks.text
        for _ in range(3):  # double tap, browser resubmit, replay
            again = citizen.post(path, sent)
            assert again.status == 303
        stranger = WebClient(*server.host_port).post(path, sent)  # a replay without the session: CSRF refuses it
        assert stranger.status == 400
        assert citizen.get(path).status == 200  # the used link is a friendly page, not an error

    assert count(database_url, Response) == 1
    assert count(database_url, RatedDossier) == 1


def _issue(database_url: str, tmp_path: Path) -> str:
    return issue_test_link(database_url, tmp_path, "000.00.31.H56-250115-0777")


@pytest.mark.slow
@pytest.mark.parametrize("same_form", [True, False], ids=["one-form-twenty-taps", "twenty-forms"])
def test_twenty_simultaneous_submissions_of_one_link_store_one_response(backend, database_url, tmp_path, same_form):
    token = _issue(database_url, tmp_path)
    path = f"/s/{token}"
    with gunicorn(database_url, tmp_path, workers=4, threads=5) as server:
        first = server.client()
        first_hidden = hidden_fields(first.get(path).text)
        clients: list[tuple[WebClient, dict[str, str]]] = []
        for _ in range(20):
            if same_form:
                clients.append((WebClient(*server.host_port, cookies=dict(first.cookies)), first_hidden))
            else:
                browser = server.client()
                clients.append((browser, hidden_fields(browser.get(path).text)))
        barrier = threading.Barrier(len(clients))
        statuses: list[int] = []
        lock = threading.Lock()

        def submit(client: WebClient, hidden: dict[str, str]) -> None:
            barrier.wait()
            reply = client.post(path, {**hidden, "rating": "2", "comment": "Phải chờ lâu"})
            with lock:
                statuses.append(reply.status)

        threads = [threading.Thread(target=submit, args=pair) for pair in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert len(statuses) == 20
    assert all(status < 500 for status in statuses), statuses
    if same_form:
        assert statuses == [303] * 20  # every tap of the one form sees the same thank-you
    else:
        assert sorted(statuses) == [200] * 19 + [303]  # one thank-you, nineteen "already answered" pages
    assert count(database_url, Response) == 1
    assert count(database_url, RatedDossier) == 1
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            used = connection.execute(select(Invitation.used_at, Invitation.response_id)).one()
    finally:
        engine.dispose()
    assert used.used_at is not None and used.response_id is not None
