"""Tests of the flask commands that are not covered with their service (survey/cli)."""
