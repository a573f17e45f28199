"""Sending e-mail through the SMTP server named by SURVEY_SMTP_URL, from SURVEY_MAIL_FROM.

`smtp://host:port` speaks plain SMTP (add `?starttls=true` to upgrade the connection first), `smtps://host:port`
implicit TLS; `user:password@` in either signs in (percent-encode special characters). Default ports: 25 and 465.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 30


class MailError(RuntimeError):
    """Mail cannot be sent: a bad setting or an unreachable server (the message says which)."""


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings({self.scheme}://{self.host}:{self.port}, user={self.username!r})"


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://` or `smtps://[user:password@]host[:port][?starttls=true]` as settings; anything else is an error."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise MailError(f"SURVEY_SMTP_URL is not a valid URL: {exc}") from exc
    if parts.scheme not in DEFAULT_PORTS:
        raise MailError("SURVEY_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise MailError("SURVEY_SMTP_URL must name a host, e.g. smtps://user:password@mail.example.gov.vn:465")
    starttls = parse_qs(parts.query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
    return SmtpSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls and parts.scheme == "smtp",
    )


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.scheme == "smtps":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    connection = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    if settings.starttls:
        connection.starttls(context=context)
    return connection


class Mailer:
    """One SMTP connection for a run's digests: `with Mailer(settings) as mailer: mailer.send(message)`."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        try:
            self._connection = _connect(self.settings)
            if self.settings.username:
                self._connection.login(self.settings.username, self.settings.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot reach the mail server {self.settings.host}:{self.settings.port}: {exc}") from exc
        return self

    def send(self, message: EmailMessage) -> None:
        assert self._connection is not None, "use Mailer as a context manager"
        try:
            self._connection.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail server refused a message to {message['To']}: {exc}") from exc

    def __exit__(self, *exc_info: object) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                self._connection.close()
