"""`import-figures: office figures from one-stop systems`."""

from __future__ import annotations

COMMANDS: tuple = ()
