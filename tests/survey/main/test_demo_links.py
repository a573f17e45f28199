"""In demo mode the landing page lists working demo survey links; they stay a handful and keep working."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey.models import Invitation
from survey.services.demo.links import demo_links
from survey.services.demo.seed import seed_demo


def _survey_paths(html: str) -> list[str]:
    return re.findall(r'href="(/s/[A-Za-z0-9_-]{22})"', html)


def test_landing_page_lists_demo_links_only_in_demo_mode(client, session):
    assert _survey_paths(client.get("/").get_data(as_text=True)) == []
    seed_demo(session, responses=20)
    html = client.get("/?lang=en").get_data(as_text=True)
    paths = _survey_paths(html)
    assert len(paths) == 6
    assert "/poster/" in html
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_demo_links_are_made_once_and_a_used_one_is_replaced(app, client, session):
    seed_demo(session, responses=0)
    settings = {"secret": app.config["SECRET_KEY"], "base_url": app.config["BASE_URL"]}
    first = demo_links(session, **settings)
    assert [link.kind for link in first] == ["dossier", "dossier", "dossier", "poster", "poster", "kiosk"]
    invitations = session.scalar(select(func.count()).select_from(Invitation))
    assert [link.token for link in demo_links(session, **settings)] == [link.token for link in first]
    assert session.scalar(select(func.count()).select_from(Invitation)) == invitations  # idempotent

    dossier = first[0].token
    page = client.get(f"/s/{dossier}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(csrf_token|submission_key)" value="([^"]+)"', page))
    assert client.post(f"/s/{dossier}", data={**hidden, "rating": "5"}).status_code == 303
    again = demo_links(session, **settings)
    assert again[0].token != dossier  # the used link gave way to a fresh one
    assert [link.token for link in again[1:]] == [link.token for link in first[1:]]
    assert client.get(f"/s/{again[0].token}").status_code == 200
