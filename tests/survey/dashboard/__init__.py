"""Tests of the dashboard pages and downloads (survey/dashboard): scoping and file formats."""
