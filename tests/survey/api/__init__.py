"""Tests of the JSON API (survey/api)."""
