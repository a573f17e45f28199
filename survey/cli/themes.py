"""`recluster: complaint themes per scope and period`."""

from __future__ import annotations

COMMANDS: tuple = ()
