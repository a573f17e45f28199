"""Tests of the landing page, health check and demo links (survey/main)."""
