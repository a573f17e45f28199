"""Complaint themes in the dashboard."""
