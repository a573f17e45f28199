"""Tests of accounts and passwords (survey/services/accounts)."""
