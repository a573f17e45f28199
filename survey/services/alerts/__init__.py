"""Alerts that reach officials: changes found by `flask alerts`, subscriptions, and one e-mail digest per run."""
