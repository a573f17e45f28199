"""Tests of the anonymised research export (survey/services/research)."""
