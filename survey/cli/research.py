"""`export-anonymised and purge`."""

from __future__ import annotations

COMMANDS: tuple = ()
