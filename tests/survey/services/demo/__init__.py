"""Tests of demo data and the rollups it is counted into (survey/services/demo)."""
