"""Upgrading a database in use: the version answered so far becomes the published one, and one-time links not
yet answered keep answering it after a new version is published."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from survey.extensions import db
from tests.conftest import make_app

BEFORE = "a7c3e5d1f9b2"  # the revision before questionnaire versions had states


def test_upgrading_pins_open_links_to_the_version_in_use(request, backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        server.execute("CREATE DATABASE questionnaire_upgrade")
        url = server.url("questionnaire_upgrade")
    app = make_app(url, tmp_path)
    with app.app_context():
        try:
            _upgrade_with_data()
        finally:
            db.session.close()
            db.engine.dispose()


def _upgrade_with_data() -> None:
    upgrade(revision=BEFORE)
    statements = [
        "INSERT INTO offices (id, code, name, level, province_code, path, active) "
        "VALUES (1, '79.01', 'Phường Bến Thành', 'commune', '79', '/1/', true)",
        "INSERT INTO procedures (id, code, name, field, level, active) "
        "VALUES (1, '1.001193', 'Đăng ký khai sinh', 'Hộ tịch', 'commune', true)",
        "INSERT INTO questionnaire_versions (id, version, title, definition, created_at, active) "
        "VALUES (7, 1, 'Khảo sát', '{}', '2025-01-01 00:00:00+00', true)",
        "INSERT INTO invitations (id, token_id, office_id, procedure_id, channel, is_public, dossier_hash, "
        "created_at, used_at) VALUES (1, 'open', 1, 1, 'qr', false, 'a', '2025-01-02 00:00:00+00', NULL), "
        "(2, 'used', 1, 1, 'qr', false, 'b', '2025-01-02 00:00:00+00', '2025-01-03 00:00:00+00'), "
        "(3, 'poster', 1, NULL, 'qr', true, NULL, '2025-01-02 00:00:00+00', NULL)",
    ]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    db.session.close()  # release the connection: the upgrade alters these tables
    upgrade()
    version = db.session.execute(text("SELECT status, published_at FROM questionnaire_versions")).one()
    assert version.status == "published" and version.published_at is not None
    pinned = dict(db.session.execute(text("SELECT token_id, questionnaire_version_id FROM invitations")).all())
    assert pinned == {"open": 7, "used": None, "poster": None}
