"""The official complaint taxonomy: theme codes for machines, Vietnamese names for people.

Two file shapes are read. `analysis/data/themes/taxonomy.json` (the default) lists the eight official
themes and `other` under "themes" and the labels that are not complaints (praise, neutral, off_topic)
under "non_themes". The older seed-theme shape (`analysis/data/seed_themes.json`: a list of
{code, name_vi, seeds}) is still accepted; its seed phrases are kept for callers that show them but
no longer steer anything: official themes come only from the classifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_TAXONOMY = "data/themes/taxonomy.json"
DEFAULT_SEED_THEMES = "data/seed_themes.json"

OTHER = "other"
OFFICIAL_CODES = (
    "waiting_time",
    "staff_attitude",
    "documents_repeat_visits",
    "extra_payment",
    "fees",
    "facilities",
    "online_system",
    "information_guidance",
)
NON_COMPLAINT_CODES = ("praise", "neutral", "off_topic")


@dataclass(frozen=True)
class SeedTheme:
    """A labelled theme: `code` for machines, `name_vi` for people (`seeds`: example phrases, informative only)."""

    code: str
    name_vi: str
    seeds: tuple[str, ...] = ()


def _read(path: str | Path | None, default: str, what: str) -> tuple[object, str]:
    if path is None:
        return json.loads(resources.files("analysis").joinpath(default).read_text(encoding="utf-8")), default
    source = str(path)
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")), source
    except OSError as exc:
        raise ValueError(f"{source}: cannot read {what} ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: {what} must be JSON ({exc})") from exc


def _themes(entries: Iterable[Any], source: str, what: str) -> list[SeedTheme]:
    try:
        themes = [
            SeedTheme(code=str(e["code"]), name_vi=str(e["name_vi"]), seeds=tuple(map(str, e.get("seeds", ()))))
            for e in entries
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: {what} must be a list of {{code, name_vi}} objects ({exc})") from exc
    codes = [t.code for t in themes]
    if not themes or len(set(codes)) != len(codes) or not all(codes):
        raise ValueError(f"{source}: {what} need at least one theme and unique, non-empty codes")
    return themes


def load_seed_themes(path: str | Path | None = None) -> list[SeedTheme]:
    """Read seed themes shaped like analysis/data/seed_themes.json (default: that file)."""
    document, source = _read(path, DEFAULT_SEED_THEMES, "seed themes")
    entries = document.get("themes") if isinstance(document, dict) else document
    themes = _themes(entries or [], source, "seed themes")  # type: ignore[arg-type]
    if any(not t.seeds for t in themes):
        raise ValueError(
            f"{source}: seed themes must be a list of {{code, name_vi, seeds}} objects, every one with seeds"
        )
    return themes


def load_taxonomy(path: str | Path | None = None) -> list[SeedTheme]:
    """Every label of a taxonomy file (default: analysis/data/themes/taxonomy.json): themes, then non-themes.

    A seed-theme file is accepted as a taxonomy too (its themes, no non-themes).
    """
    document, source = _read(path, DEFAULT_TAXONOMY, "taxonomy")
    if isinstance(document, dict):
        entries = [*document.get("themes", []), *document.get("non_themes", [])]
    else:
        entries = document if isinstance(document, list) else []
    return _themes(entries, source, "taxonomy themes")


@lru_cache(maxsize=1)
def default_names() -> dict[str, str]:
    """Code → Vietnamese name of every label of the shipped taxonomy."""
    return {theme.code: theme.name_vi for theme in load_taxonomy()}


def definition_examples(taxonomy: str | Path | None = None, seeds: str | Path | None = None) -> list[tuple[str, str]]:
    """(code, phrase) pairs the official definitions give: the taxonomy's "includes_vi" examples and the
    seed phrases. They teach the classifier the plain wording of each theme ("lỗi hệ thống")."""
    document, _ = _read(taxonomy, DEFAULT_TAXONOMY, "taxonomy")
    pairs: list[tuple[str, str]] = []
    if isinstance(document, dict):
        for entry in [*document.get("themes", []), *document.get("non_themes", [])]:
            pairs.extend((str(entry["code"]), str(phrase)) for phrase in entry.get("includes_vi", []))
    pairs.extend((theme.code, phrase) for theme in load_seed_themes(seeds) for phrase in theme.seeds)
    return pairs
