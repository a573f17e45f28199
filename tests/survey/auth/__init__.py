"""Tests of signing in and out and of password changes (survey/auth)."""
