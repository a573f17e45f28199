"""API keys: a checked key is trusted for a few seconds without a read, and a revocation still takes hold."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from survey.models import ApiKey
from survey.services.accounts import api_keys
from survey.services.accounts.api_keys import VERIFIED_FOR, revoke_api_key, verified_key
from tests.factories import load_catalog, make_api_key


def test_a_checked_key_is_not_read_again_within_its_window(app, session, monkeypatch):
    load_catalog()
    raw = make_api_key(office="01.00")
    key = session.scalar(select(ApiKey))
    clock = [1000.0]
    monkeypatch.setattr(api_keys.time, "monotonic", lambda: clock[0])
    first = verified_key(session, raw)
    assert first is not None and (first.id, first.prefix, first.office_id) == (key.id, key.prefix, key.office_id)
    # Revoked by another process (an admin's request served by another worker): this one reads it again only
    # once its window is over, so the revocation applies within VERIFIED_FOR seconds.
    session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
    session.commit()
    clock[0] += VERIFIED_FOR - 0.1
    assert verified_key(session, raw) == first
    clock[0] += 0.2
    assert verified_key(session, raw) is None
    assert verified_key(session, "sk_not-a-key") is None


def test_a_revocation_in_this_process_applies_at_once(app, session):
    load_catalog()
    raw = make_api_key()
    assert verified_key(session, raw) is not None
    revoke_api_key(session, session.scalar(select(ApiKey.id)))
    assert verified_key(session, raw) is None
