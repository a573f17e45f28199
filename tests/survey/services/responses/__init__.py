"""Tests of storing responses, survey links and retention (survey/services/responses)."""
