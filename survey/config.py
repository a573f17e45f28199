"""Settings: defaults per environment (a small class chain) and values from SURVEY_* variables.

Secrets come only from the environment; production refuses to start without them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

DEVELOPMENT_SECRET = "development-only-secret-not-for-production"


class ConfigurationError(RuntimeError):
    """The service cannot start safely with these settings."""


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = DEVELOPMENT_SECRET
    SQLALCHEMY_DATABASE_URI = ""  # empty = SQLite file in the instance folder
    # pre_ping: a connection the database dropped (a restart, a failover) is replaced before use, so the service
    # recovers by itself; hide_parameters: an SQL error in the log never shows the values (comments, answers).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True, "hide_parameters": True}
    BASE_URL = "http://127.0.0.1:8000"
    API_RATE_LIMIT = "600/minute"
    SUBMIT_RATE_LIMIT = "30/minute"
    LOGIN_RATE_LIMIT = "10/minute"
    RATELIMIT_STORAGE_URI = "database://"  # shared by every worker and host (survey/ratelimit.py); or redis://…
    RATELIMIT_SWALLOW_ERRORS = True  # a limit store that fails logs and lets the request through: nothing is lost
    RATELIMIT_HEADERS_ENABLED = True
    METRICS_ALLOW = "127.0.0.1,::1"  # who may read /metrics without the token (addresses or networks)
    METRICS_TOKEN = ""  # a scraper's `Authorization: Bearer <token>`; empty = addresses only
    RETENTION_DAYS = 90
    SATISFACTION_TARGET = 0.90
    MINIMUM_N = 30
    MINIMUM_RESPONSE_RATE = 0.20  # coverage below this share of invitations answered is flagged
    TIME_ZONE = "Asia/Ho_Chi_Minh"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    WTF_CSRF_TIME_LIMIT = 4 * 3600  # a citizen may leave the form open while queueing
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    HSTS_MAX_AGE = 365 * 24 * 3600  # Strict-Transport-Security, sent wherever SESSION_COOKIE_SECURE is on
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)  # an official's sign-in lasts a working day
    MAX_CONTENT_LENGTH = 256 * 1024
    DEMO_ALLOWED = True
    LOG_IPS = False  # client addresses stay out of the access log unless SURVEY_LOG_IPS says otherwise
    PASSWORD_HASH_COST = "standard"  # argon2id, RFC 9106 low-memory profile (survey/services/accounts/passwords.py)
    SMTP_URL = ""  # smtp://host:port or smtps://user:password@host:port: where `flask alerts --send` mails digests
    MAIL_FROM = ""
    THEMES_MODEL_DIR = ""  # where `flask retrain-themes` installs a retrained model; empty = <instance>/themes
    # Spam defence on public (poster) links, survey/services/responses/spam.py: answers sent sooner than this after
    # the form opened, or beyond a daily cap, are held back (kept, not counted) until an admin releases them.
    SPAM_MIN_FILL_SECONDS = 3
    SPAM_LINK_DAILY_CAP = 500  # counted answers per poster link and day
    SPAM_ADDRESS_DAILY_CAP = 10  # answers per connection and day before they are held back
    SPAM_ADDRESS_DAILY_LIMIT = 200  # submissions per connection and day before they are refused
    SPAM_TRUSTED_NETWORKS: ClassVar[tuple[str, ...]] = ()  # e.g. the office Wi-Fi, kiosk tablets: no address rules
    # SMS (survey/services/sms/): the gateway messages go to, the key that signs them both ways, how long a reply
    # is accepted (and the number's hash kept), and the hours invitations may be sent (Vietnam time).
    SMS_GATEWAY_URL = ""
    SMS_GATEWAY_TOKEN = ""  # sent as `Authorization: Bearer …` to the gateway when set
    SMS_SECRET = ""  # empty: every inbound message is refused (401)
    SMS_REPLY_HOURS = 72
    SMS_DAY_START = 7
    SMS_DAY_END = 21
    SMS_SEND_AT_ONCE = True  # the API tries a new invitation's SMS at once; `send-sms` sends what is left
    CALLBACK_WORKING_DAYS = 2  # the thank-you page and the SMS say a call-back comes within this many working days
    # SURVEY_KIOSK_IDLE_SECONDS: a kiosk form left alone this long goes back to a fresh, empty form (a meta refresh,
    # no JavaScript), so the next citizen never sees the last one's half-filled answers. Counted from when the form
    # was shown: keep it above the time a citizen needs to fill it in.
    KIOSK_IDLE_SECONDS = 120


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-testing-secret-testing"
    PASSWORD_HASH_COST = "test"  # argon2's cheapest profile: signing in costs microseconds, not 60 ms


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = ""
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    DEMO_ALLOWED = False


ENVIRONMENTS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _whole_number(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1, got {value}")
    return value


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _yes_or_no(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE + _FALSE:
        raise ConfigurationError(f"{name} must be one of {', '.join(_TRUE + _FALSE)}, got {raw!r}")
    return value in _TRUE


def settings_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read SURVEY_* variables into config keys; only variables that are set are returned."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    plain = {
        "SURVEY_SECRET_KEY": "SECRET_KEY",
        "SURVEY_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "SURVEY_API_RATE_LIMIT": "API_RATE_LIMIT",
        "SURVEY_RATELIMIT_STORAGE_URL": "RATELIMIT_STORAGE_URI",
        "SURVEY_SMTP_URL": "SMTP_URL",
        "SURVEY_THEMES_MODEL_DIR": "THEMES_MODEL_DIR",
        "SURVEY_MAIL_FROM": "MAIL_FROM",
        "SURVEY_METRICS_ALLOW": "METRICS_ALLOW",
        "SURVEY_METRICS_TOKEN": "METRICS_TOKEN",
        "SURVEY_SMS_GATEWAY_URL": "SMS_GATEWAY_URL",
        "SURVEY_SMS_GATEWAY_TOKEN": "SMS_GATEWAY_TOKEN",
        "SURVEY_SMS_SECRET": "SMS_SECRET",
    }
    for variable, key in plain.items():
        if environ.get(variable, "").strip():
            settings[key] = environ[variable].strip()
    if environ.get("SURVEY_BASE_URL", "").strip():
        settings["BASE_URL"] = environ["SURVEY_BASE_URL"].strip().rstrip("/")
    elif environ.get("PORT", "").strip():  # a local run on another port: links and QR codes follow it
        settings["BASE_URL"] = f"http://127.0.0.1:{_whole_number('PORT', environ['PORT'])}"
    if environ.get("SURVEY_LOG_IPS", "").strip():
        settings["LOG_IPS"] = _yes_or_no("SURVEY_LOG_IPS", environ["SURVEY_LOG_IPS"])
    if environ.get("SURVEY_RETENTION_DAYS", "").strip():
        settings["RETENTION_DAYS"] = _whole_number("SURVEY_RETENTION_DAYS", environ["SURVEY_RETENTION_DAYS"])
    for variable, key in (("SURVEY_SMS_REPLY_HOURS", "SMS_REPLY_HOURS"),
                          ("SURVEY_CALLBACK_WORKING_DAYS", "CALLBACK_WORKING_DAYS")):  # fmt: skip
        if environ.get(variable, "").strip():
            settings[key] = _whole_number(variable, environ[variable])
    if (idle := environ.get("SURVEY_KIOSK_IDLE_SECONDS", "")).strip():
        settings["KIOSK_IDLE_SECONDS"] = _whole_number("SURVEY_KIOSK_IDLE_SECONDS", idle)
    settings.update(_spam_settings(environ))
    return settings


def _spam_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    numbers = {
        "SURVEY_SPAM_MIN_FILL_SECONDS": "SPAM_MIN_FILL_SECONDS",
        "SURVEY_SPAM_LINK_DAILY_CAP": "SPAM_LINK_DAILY_CAP",
        "SURVEY_SPAM_ADDRESS_DAILY_CAP": "SPAM_ADDRESS_DAILY_CAP",
        "SURVEY_SPAM_ADDRESS_DAILY_LIMIT": "SPAM_ADDRESS_DAILY_LIMIT",
    }
    for variable, key in numbers.items():
        if environ.get(variable, "").strip():
            settings[key] = _whole_number(variable, environ[variable])
    raw = environ.get("SURVEY_SPAM_TRUSTED_NETWORKS", "")
    networks = tuple(part.strip() for part in raw.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ConfigurationError(
                f"SURVEY_SPAM_TRUSTED_NETWORKS must list addresses or networks such as 203.0.113.0/24, got {network!r}"
            ) from exc
    if networks:
        settings["SPAM_TRUSTED_NETWORKS"] = networks
    return settings


def config_class(environ: Mapping[str, str] | None = None) -> type[Config]:
    """The defaults for SURVEY_ENV (development when unset); an unknown name is an error."""
    environ = os.environ if environ is None else environ
    name = (environ.get("SURVEY_ENV") or "development").strip().lower()
    try:
        return ENVIRONMENTS[name]
    except KeyError as exc:
        raise ConfigurationError(f"SURVEY_ENV must be one of {', '.join(ENVIRONMENTS)}, got {name!r}") from exc


def check_production_settings(config: Mapping[str, Any]) -> None:
    """Refuse to run production with a missing, default or short secret key."""
    if config.get("ENV_NAME") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEVELOPMENT_SECRET or len(secret) < 32:
        raise ConfigurationError(
            "SURVEY_SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
