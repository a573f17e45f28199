"""`flask alerts --send` against a real SMTP server started here (aiosmtpd): each subscribed official gets one digest
listing exactly the new alerts of their subscriptions and scope, a second run sends nothing, and an official of
79.01 never gets 01.01's alerts."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from survey.models_alerts import AlertRun, AlertSubscription
from survey.services.alerts.mail import MailError, parse_smtp_url
from survey.services.alerts.subscriptions import SubscriptionError, subscribe
from tests.factories import make_responses, make_user
from tests.survey.datasets.alerts import alerts_data
from tests.survey.datasets.dashboard import office, procedure

SENDER = "khaosat@example.gov.vn"


@dataclass
class Inbox:
    """What the SMTP server received: (recipients, parsed message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, email: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if email in recipients]

    def take(self) -> dict[str, EmailMessage]:
        """The messages received since the last call, by recipient (one each, or the test fails)."""
        by_recipient: dict[str, EmailMessage] = {}
        for recipients, message in self.received:
            for recipient in recipients:
                assert recipient not in by_recipient, f"two messages to {recipient} in one run"
                by_recipient[recipient] = message
        self.received.clear()
        return by_recipient


@pytest.fixture
def inbox(app) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_FROM=SENDER)
    try:
        yield inbox
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def listed(text: str) -> list[str]:
    """The numbered items of a digest: their first lines ("1. office (code): procedure (code)")."""
    return [line for line in text.splitlines() if line[:1].isdigit() and ". " in line[:4]]


def follow(session, email: str, office_code: str, procedure_code: str | None = None):
    user = make_user(email=email, office=office_code)
    procedure_id = procedure(session, procedure_code).id if procedure_code else None
    subscribe(session, user, office_id=office(session, office_code).id, procedure_id=procedure_id)
    return user


def alerts(runner, *args: str):
    result = runner.invoke(args=["alerts", "--month", "2025-06", *args])
    assert result.exit_code == 0, result.output
    return result


def test_each_official_gets_one_digest_of_exactly_the_new_alerts_they_follow(app, runner, session, inbox, backend):
    alerts_data()
    follow(session, "benthanh@example.gov.vn", "79.01")
    follow(session, "hoankiem@example.gov.vn", "01.01")
    follow(session, "hcm@example.gov.vn", "79.00")
    follow(session, "hcm-copies@example.gov.vn", "79.00", "2.000815")  # only certified copies: nothing to report
    make_user(email="idle@example.gov.vn", office="79.01")  # no subscription, no mail
    moved = make_user(email="moved@example.gov.vn", office="79.01")
    session.add(  # left over from a post at 01.01: the official's scope is 79.01 now
        AlertSubscription(user_id=moved.id, office_id=office(session, "01.01").id, created_at=moved.created_at)
    )
    session.commit()

    output = alerts(runner, "--send").output
    assert "3 new, 0 closed" in output and "3 digests sent." in output
    mails = inbox.take()
    assert sorted(mails) == ["benthanh@example.gov.vn", "hcm@example.gov.vn", "hoankiem@example.gov.vn"]

    ben_thanh = mails["benthanh@example.gov.vn"]
    assert ben_thanh["From"] == SENDER and ben_thanh["Subject"] == "Mức độ hài lòng của người dân: 2 cảnh báo mới"
    text = text_of(ben_thanh)
    assert listed(text) == [
        "1. Trung tâm Phục vụ hành chính công phường Bến Thành (79.01): Đăng ký khai sinh (1.001193)",
        "2. Trung tâm Phục vụ hành chính công phường Bến Thành (79.01): Đăng ký khai sinh (1.001193)",
    ]
    assert "Chưa đạt mục tiêu: 50,0 % hài lòng (khoảng tin cậy 95 % từ 35,2 % đến 64,8 %), 40 ý kiến" in text
    assert "Giảm rõ rệt: từ 95,0 % (40 ý kiến, từ 2025-01 đến 2025-03) xuống 50,0 % (40 ý kiến" in text
    link = "http://127.0.0.1:8000/dashboard/offices?office=79.01&procedure=1.001193&month_from=2025-04&month_to=2025-06"
    assert link in text and f'href="{link.replace("&", "&amp;")}"' in html_of(ben_thanh)
    assert "Hoàn Kiếm" not in text and "01.01" not in text

    hoan_kiem = text_of(mails["hoankiem@example.gov.vn"])
    assert listed(hoan_kiem) == [
        "1. Trung tâm Phục vụ hành chính công phường Hoàn Kiếm (01.01): Đăng ký khai sinh (1.001193)"
    ]
    assert "25,0 % hài lòng" in hoan_kiem
    assert len(listed(text_of(mails["hcm@example.gov.vn"]))) == 2  # 79.01 is under 79.00

    second = alerts(runner, "--send").output
    assert "0 new, 0 closed" in second and "0 digests sent." in second
    assert inbox.take() == {}

    make_responses(office="79.02", month="2025-06", ratings=[1] * 50)  # Sài Gòn: 50 of 100 now
    alerts(runner, "--send")
    mails = inbox.take()
    assert list(mails) == ["hcm@example.gov.vn"]
    assert listed(text_of(mails["hcm@example.gov.vn"])) == [
        "1. Trung tâm Phục vụ hành chính công phường Sài Gòn (79.02): Đăng ký khai sinh (1.001193)"
    ]
    assert inbox.to("moved@example.gov.vn") == []


def test_an_official_cannot_subscribe_outside_their_office(session):
    alerts_data()
    user = make_user(office="79.01")
    with pytest.raises(SubscriptionError):
        subscribe(session, user, office_id=office(session, "01.01").id)
    with pytest.raises(SubscriptionError):
        subscribe(session, user, office_id=office(session, "79.00").id)  # above their office: not theirs either
    subscribe(session, user, office_id=office(session, "79.01").id)
    subscribe(session, user, office_id=office(session, "79.01").id)  # twice: still one
    assert session.scalar(select(func.count()).select_from(AlertSubscription)) == 1


def test_json_lists_the_new_alerts_with_codes_and_figures(runner, session):
    alerts_data()
    result = alerts(runner, "--format", "json", "--dry-run")
    rows = json.loads(result.stdout)
    assert [(r["office"], r["procedure"], r["kind"]) for r in rows] == [
        ("01.01", "1.001193", "not_met"),
        ("79.01", "1.001193", "not_met"),
        ("79.01", "1.001193", "fell"),
    ]
    fell = rows[2]
    assert (fell["n"], fell["satisfied"], fell["share"], fell["baseline_n"], fell["baseline_share"]) == (
        40,
        20,
        0.5,
        40,
        0.95,
    )
    assert session.scalar(select(func.count()).select_from(AlertRun)) == 0  # a dry run stores nothing


def test_send_without_mail_settings_fails_before_changing_anything(app, runner, session):
    alerts_data()
    app.config.update(SMTP_URL="", MAIL_FROM="")
    result = runner.invoke(args=["alerts", "--send", "--month", "2025-06"])
    assert result.exit_code != 0 and "SURVEY_SMTP_URL" in result.output
    assert session.scalar(select(func.count()).select_from(AlertRun)) == 0


def test_an_unreachable_server_keeps_the_alerts_for_the_next_send(app, runner, session):
    alerts_data()
    follow(session, "benthanh@example.gov.vn", "79.01")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{closed_port}", MAIL_FROM=SENDER)
    result = runner.invoke(args=["alerts", "--send", "--month", "2025-06"])
    assert result.exit_code != 0 and "cannot reach the mail server" in result.output
    assert session.scalar(select(func.count()).select_from(AlertRun)) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.gov.vn", ("smtp", "mail.example.gov.vn", 25, None, None, False)),
        (
            "smtps://khaosat:p%40ss%3Aw0rd@mail.example.gov.vn:2465",
            ("smtps", "mail.example.gov.vn", 2465, "khaosat", "p@ss:w0rd", False),
        ),
        ("smtps://u:p@mail.example.gov.vn", ("smtps", "mail.example.gov.vn", 465, "u", "p", False)),
        ("smtp://relay:587?starttls=true", ("smtp", "relay", 587, None, None, True)),
    ],
)
def test_smtp_urls_are_read_with_their_defaults(url, expected):
    settings = parse_smtp_url(url)
    assert (
        settings.scheme,
        settings.host,
        settings.port,
        settings.username,
        settings.password,
        settings.starttls,
    ) == expected
    assert "p@ss" not in repr(settings)


@pytest.mark.parametrize(
    "url", ["http://mail.example.gov.vn", "smtp://", "smtp://host:notaport", "mail.example.gov.vn"]
)
def test_bad_smtp_urls_are_refused_with_a_reason(url):
    with pytest.raises(MailError, match="SURVEY_SMTP_URL"):
        parse_smtp_url(url)
