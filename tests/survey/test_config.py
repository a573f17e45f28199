"""Settings come from the environment; production refuses unsafe ones."""

from __future__ import annotations

import pytest

from survey import create_app
from survey.config import (
    DEVELOPMENT_SECRET,
    ConfigurationError,
    ProductionConfig,
    config_class,
    settings_from_environment,
)


def test_environment_chooses_the_config_class():
    assert config_class({}).ENV_NAME == "development"
    assert config_class({"SURVEY_ENV": "production"}).ENV_NAME == "production"
    with pytest.raises(ConfigurationError, match="SURVEY_ENV"):
        config_class({"SURVEY_ENV": "staging"})


def test_survey_variables_become_settings():
    settings = settings_from_environment(
        {
            "SURVEY_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "SURVEY_BASE_URL": "https://khaosat.example.gov.vn/",
            "SURVEY_RETENTION_DAYS": "30",
            "SURVEY_API_RATE_LIMIT": "100/minute",
        }
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["BASE_URL"] == "https://khaosat.example.gov.vn"
    assert settings["RETENTION_DAYS"] == 30
    assert settings["API_RATE_LIMIT"] == "100/minute"


@pytest.mark.parametrize("days", ["ba mươi", "0", "-5"])
def test_bad_retention_days_are_refused(days):
    with pytest.raises(ConfigurationError, match="SURVEY_RETENTION_DAYS"):
        settings_from_environment({"SURVEY_RETENTION_DAYS": days})


@pytest.mark.parametrize(("raw", "logged"), [("1", True), ("yes", True), (" ON ", True), ("0", False), ("no", False)])
def test_client_addresses_are_logged_only_when_asked(raw, logged):
    assert settings_from_environment({"SURVEY_LOG_IPS": raw})["LOG_IPS"] is logged
    assert "LOG_IPS" not in settings_from_environment({})  # the default: not logged


def test_an_unclear_answer_about_logging_addresses_is_refused():
    with pytest.raises(ConfigurationError, match="SURVEY_LOG_IPS"):
        settings_from_environment({"SURVEY_LOG_IPS": "maybe"})


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET, "short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    if secret:
        monkeypatch.setenv("SURVEY_SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="SURVEY_SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_a_real_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x" * 48)
    app = create_app(ProductionConfig)
    assert app.config["SECRET_KEY"] == "x" * 48
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEMO_ALLOWED"] is False


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'survey.db'}"


def test_a_local_run_on_another_port_builds_its_links_on_that_port():
    assert settings_from_environment({"PORT": "8101"})["BASE_URL"] == "http://127.0.0.1:8101"
    explicit = settings_from_environment({"PORT": "8101", "SURVEY_BASE_URL": "https://khaosat.example.gov.vn"})
    assert explicit["BASE_URL"] == "https://khaosat.example.gov.vn"


def test_spam_settings_come_from_the_environment():
    settings = settings_from_environment(
        {
            "SURVEY_SPAM_TRUSTED_NETWORKS": " 203.0.113.0/24, 2001:db8::/48 ,198.51.100.7",
            "SURVEY_SPAM_ADDRESS_DAILY_CAP": "25",
            "SURVEY_SPAM_LINK_DAILY_CAP": "2000",
            "SURVEY_SPAM_MIN_FILL_SECONDS": "5",
        }
    )
    assert settings["SPAM_TRUSTED_NETWORKS"] == ("203.0.113.0/24", "2001:db8::/48", "198.51.100.7")
    assert (settings["SPAM_ADDRESS_DAILY_CAP"], settings["SPAM_LINK_DAILY_CAP"]) == (25, 2000)
    assert settings["SPAM_MIN_FILL_SECONDS"] == 5
    with pytest.raises(ConfigurationError, match="SURVEY_SPAM_TRUSTED_NETWORKS"):
        settings_from_environment({"SURVEY_SPAM_TRUSTED_NETWORKS": "phòng một cửa"})
    with pytest.raises(ConfigurationError, match="SURVEY_SPAM_ADDRESS_DAILY_CAP"):
        settings_from_environment({"SURVEY_SPAM_ADDRESS_DAILY_CAP": "0"})


def test_the_kiosk_idle_time_is_read_as_whole_seconds():
    assert settings_from_environment({"SURVEY_KIOSK_IDLE_SECONDS": "300"})["KIOSK_IDLE_SECONDS"] == 300
    with pytest.raises(ConfigurationError, match="SURVEY_KIOSK_IDLE_SECONDS"):
        settings_from_environment({"SURVEY_KIOSK_IDLE_SECONDS": "two minutes"})
