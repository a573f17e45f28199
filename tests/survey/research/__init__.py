"""Tests of the researcher page (survey/research)."""
