"""Tests of complaint theme runs (survey/services/themes)."""
