"""Tests of the citizen survey pages (survey/citizen): test client, hostile input and a real gunicorn server."""
