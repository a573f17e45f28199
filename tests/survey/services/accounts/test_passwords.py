"""Password hashes: production keeps argon2id's RFC 9106 low-memory profile; only the tests hash cheaply."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters, profiles

from survey import create_app
from survey.config import ConfigurationError, DevelopmentConfig, ProductionConfig
from survey.services.accounts.passwords import hash_password, needs_rehash, verify_password

PASSWORD = "một câu dài đủ nhớ 2025"


@pytest.mark.parametrize("config", [ProductionConfig, DevelopmentConfig])
def test_production_and_development_hash_with_the_rfc_9106_low_memory_profile(config, monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x" * 48)
    with create_app(config).app_context():
        password_hash = hash_password(PASSWORD)
        assert extract_parameters(password_hash) == profiles.RFC_9106_LOW_MEMORY  # argon2id, 64 MiB, 3 passes
        assert verify_password(password_hash, PASSWORD) and not needs_rehash(password_hash)


def test_the_test_configuration_hashes_cheaply_and_production_upgrades_such_hashes(app, monkeypatch, tmp_path):
    cheap = hash_password(PASSWORD)
    assert extract_parameters(cheap) == profiles.CHEAPEST
    assert verify_password(cheap, PASSWORD) and not verify_password(cheap, PASSWORD + "!")
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "production"))
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x" * 48)
    with create_app(ProductionConfig).app_context():
        assert verify_password(cheap, PASSWORD)  # the parameters travel in the hash
        assert needs_rehash(cheap)  # a cheap hash that reached production is replaced at the next sign-in


def test_an_unknown_cost_is_refused(app):
    app.config["PASSWORD_HASH_COST"] = "free"
    with pytest.raises(ConfigurationError, match="PASSWORD_HASH_COST"):
        hash_password(PASSWORD)
