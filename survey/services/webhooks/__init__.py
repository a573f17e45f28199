"""Webhooks for partner systems: endpoints, the outbox written with each event, and delivery outside requests."""
