"""The JSON API for one-stop systems, kiosks and partners (/api/v1)."""
