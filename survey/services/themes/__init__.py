"""Complaint themes: theming dissatisfied citizens' comments and reading the stored themes."""
