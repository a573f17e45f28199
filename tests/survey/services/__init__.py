"""Tests of the services (survey/services), one folder per package."""
