"""The admin's webhooks page: register an endpoint (the secret is shown once, never again), refuse plain http://
to other machines, and list each delivery's tries as `flask deliver-webhooks --once` made them."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEntry
from survey.models_actions import WebhookEndpoint
from tests.factories import make_user
from tests.pages import csrf_token, sign_in
from tests.survey.services.webhooks.receiver import receiver
from tests.survey.services.webhooks.test_delivery import store


def text(element) -> str:
    return element.get_text(" ", strip=True).replace("\xa0", " ")


def test_an_admin_registers_an_endpoint_and_reads_every_try(client, client_request, catalog, runner):
    admin = make_user(role="admin", email="quantri@example.gov.vn")
    sign_in(client, admin)
    with receiver(statuses=[500]) as hook:
        token = csrf_token(client, "/admin/webhooks")
        page = client_request.post("/admin/webhooks", {"url": hook.url, "events": ["response.created"],
                                                       "csrf_token": token})  # fmt: skip
        secret = text(page.find(class_="once"))
        assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret)
        assert secret not in client.get("/admin/webhooks").get_data(as_text=True)  # shown once
        endpoint_id = db.session.scalars(select(WebhookEndpoint.id)).one()
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook.register")).one()
        assert entry.actor == "quantri@example.gov.vn" and secret not in json.dumps(entry.details)
        response_id = store(db.session, now=None)  # now: the command runs on the real clock
        assert runner.invoke(args=["deliver-webhooks", "--once"]).output.strip() == (
            "new deliveries 1, delivered 0, to retry 1, given up 0"
        )
    received = hook.requests[0]
    assert received.headers["X-Signature"] == hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert json.loads(received.body)["data"]["response_id"] == response_id
    page = client_request.get(f"/admin/webhooks/{endpoint_id}")
    row = text(page.select_one("tbody tr"))
    assert "response.created" in row and "HTTP 500" in row and "đang chờ hoặc thử lại" in row


def test_plain_http_to_another_machine_is_refused(client, client_request, catalog):
    sign_in(client, make_user(role="admin"))
    token = csrf_token(client, "/admin/webhooks")
    page = client_request.post("/admin/webhooks", {"url": "http://portal.example.gov.vn/hook",
                                                   "events": ["alert.raised"], "csrf_token": token}, 400)  # fmt: skip
    assert "https://" in text(page.find(class_="error-summary"))
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_officials_cannot_open_the_webhooks_page(client, catalog):
    sign_in(client, make_user(office="79.01"))
    assert client.get("/admin/webhooks").status_code == 403
