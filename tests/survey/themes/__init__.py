"""Tests of the complaint theme pages (survey/themes)."""
