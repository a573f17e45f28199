"""Tests of the admin area (survey/admin)."""
