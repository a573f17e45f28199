"""Researchers' anonymised downloads."""
