"""Tests of the migrations on SQLite and PostgreSQL (migrations/)."""
