"""One e-mail per official and run: the alerts in their subscriptions not yet sent to them, in plain text and simple
HTML, with links to the dashboard pages that show the same figures. In the official's saved language, else Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey.models import User
from survey.models_alerts import Alert, AlertRun
from survey.services.alerts.mail import Mailer, SmtpSettings
from survey.services.alerts.subscriptions import pending_digests, record_delivery


@dataclass(frozen=True)
class DigestLine:
    alert: Alert
    link: str  # the dashboard page with this office's figure for the procedure and the months judged


def dashboard_link(base_url: str, alert: Alert) -> str:
    """The dashboard's office comparison filtered to the alert's office, procedure and months: the office's row
    there counts its own answers, as the alert does (its detail page would add the offices under it)."""
    query = {
        "office": alert.office.code,
        "procedure": alert.procedure.code,
        "month_from": alert.month_from,
        "month_to": alert.month_to,
    }
    return f"{base_url}/dashboard/offices?{urlencode(query)}"


def digest_message(
    user: User, alerts: list[Alert], *, base_url: str, mail_from: str, now: datetime | None = None
) -> EmailMessage:
    """The digest for `user`: subject, plain text and an HTML alternative."""
    ordered = sorted(alerts, key=lambda a: (a.office.code, a.procedure.code, a.kind != "not_met"))
    lines = [DigestLine(alert, dashboard_link(base_url, alert)) for alert in ordered]
    context = {"user": user, "lines": lines, "base_url": base_url}
    with force_locale(user.locale or "vi"):
        subject = _("Citizen satisfaction: %(count)s new alerts", count=len(alerts))
        text = render_template("alerts/digest.txt", **context)
        html = render_template("alerts/digest.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = user.email
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2].strip(">") or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_digests(
    session: Session, smtp: SmtpSettings, *, base_url: str, mail_from: str, run_id: int | None = None
) -> int:
    """Mail each subscriber one digest of the open alerts never sent to them; returns how many were sent.

    Each delivery is recorded as soon as its message is accepted, so when the server fails half-way the next run
    sends only what is missing. The run (if given) keeps the number of digests sent.
    """
    pending = pending_digests(session)
    sent = 0
    try:
        if pending:
            with Mailer(smtp) as mailer:
                for user, alerts in sorted(pending.items(), key=lambda item: item[0].email):
                    mailer.send(digest_message(user, alerts, base_url=base_url, mail_from=mail_from))
                    record_delivery(session, user, alerts)
                    sent += 1
    finally:
        run = session.get(AlertRun, run_id) if run_id is not None else None
        if run is not None:
            run.mails_sent = sent
            session.commit()
    return sent
