"""Tests of the dashboard figures, targets and imported figures (survey/services/reporting)."""
