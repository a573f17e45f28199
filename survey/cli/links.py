"""`issue-link and create-api-key`."""

from __future__ import annotations

COMMANDS: tuple = ()
