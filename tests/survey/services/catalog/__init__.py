"""Tests of catalog imports (survey/services/catalog)."""
