"""Migrations build the whole schema from empty on SQLite and PostgreSQL, and running them again is harmless."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from survey.extensions import db
from survey.models import Base, Province
from tests.conftest import fresh_database_url, make_app


def test_upgrade_from_empty_creates_every_table_and_is_idempotent(request, backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        server.execute("CREATE DATABASE migration_from_empty")
        url = server.url("migration_from_empty")
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        upgrade()  # a second run changes nothing and does not fail
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert db.session.scalar(text("SELECT count(*) FROM provinces")) == 34
        db.session.close()  # release its locks: the downgrade drops these tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert db.session.scalar(text("SELECT count(*) FROM provinces")) == 34
        db.session.close()
        db.engine.dispose()


def test_migrated_schema_matches_the_models(request, backend, tmp_path):
    """Autogenerate finds nothing to add: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = make_app(fresh_database_url(request, backend, tmp_path), tmp_path)
    with app.app_context():
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        db.engine.dispose()
    assert differences == []


def test_provinces_and_regions_match_the_analysis_package(session):
    from analysis.regions import PROVINCE_REGION, PROVINCES

    stored = {p.code: (p.name, p.region_code) for p in session.scalars(select(Province))}
    assert stored == {code: (name, PROVINCE_REGION[code]) for code, name in PROVINCES.items()}
    assert stored["79"] == ("Thành phố Hồ Chí Minh", "DNB")


def test_after_migrating_a_clerk_needs_an_office_like_an_official(request, backend, tmp_path):
    import pytest
    from sqlalchemy.exc import IntegrityError

    app = make_app(fresh_database_url(request, backend, tmp_path), tmp_path)
    with app.app_context():
        office_id = db.session.scalar(text("SELECT min(id) FROM offices"))
        if office_id is None:
            db.session.execute(text("INSERT INTO offices (code, name, level, province_code, path, active) "
                                    "VALUES ('79', 'Sở', 'province', '79', '/', true)"))  # fmt: skip
            office_id = db.session.scalar(text("SELECT min(id) FROM offices"))
        insert = text(
            "INSERT INTO users (email, password_hash, role, office_id, active, must_change_password, created_at) "
            "VALUES (:email, 'x', :role, :office, true, false, CURRENT_TIMESTAMP)"
        )
        db.session.execute(insert, {"email": "clerk@example.vn", "role": "clerk", "office": office_id})
        db.session.commit()
        for role in ("clerk", "typist"):
            with pytest.raises(IntegrityError):
                db.session.execute(insert, {"email": f"{role}2@example.vn", "role": role, "office": None})
            db.session.rollback()
        db.engine.dispose()
