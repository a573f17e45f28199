"""Which official-theme model the service uses: a retrained one installed in the instance folder, else the shipped one.

`flask retrain-themes` writes model.joblib and metrics.json into the installed-model folder
(`SURVEY_THEMES_MODEL_DIR`, default `<instance folder>/themes`); the shipped default stays untouched in
analysis/data/themes. `current_model(folder)` checks the installed file's modification time on every call, so
every process (web workers, `classify-comments --loop`) picks up a newly installed model at its next
classification, without a restart; removing the folder's model.joblib goes back to the shipped model.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from analysis.themes.classifier import ThemeClassifier

SHIPPED = "shipped"


@dataclass(frozen=True)
class LoadedModel:
    """A classifier, the version its labels are stored with, and the file it came from (None: shipped)."""

    model: ThemeClassifier
    version: str
    path: Path | None


_lock = threading.Lock()
_installed: dict[str, tuple[int, LoadedModel]] = {}


def model_folder(app: Flask) -> Path:
    """Where a retrained model is installed: SURVEY_THEMES_MODEL_DIR, or `themes` in the instance folder."""
    configured = str(app.config.get("THEMES_MODEL_DIR") or "").strip()
    return Path(configured) if configured else Path(app.instance_path) / "themes"


def installed_metrics(folder: Path) -> dict[str, Any] | None:
    """The metrics.json written beside an installed model, or None when no model is installed there."""
    from analysis.themes.model import METRICS_FILE, MODEL_FILE

    if not (folder / MODEL_FILE).is_file() or not (folder / METRICS_FILE).is_file():
        return None
    document: dict[str, Any] = json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
    return document


def current_model(folder: Path | None) -> LoadedModel:
    """The installed model when `folder` holds a readable one (reloaded when its file changes), else the shipped."""
    from analysis.themes import load_default_model
    from analysis.themes.model import MODEL_FILE, load_model

    path = folder / MODEL_FILE if folder is not None else None
    if path is not None and path.is_file():
        stamp = path.stat().st_mtime_ns
        with _lock:
            cached = _installed.get(str(path))
            if cached is not None and cached[0] == stamp:
                return cached[1]
            model = load_model(path)
            if model is not None:
                metrics = installed_metrics(path.parent) or {}
                version = "retrained:" + str(metrics.get("trained_at", stamp))[:40]
                loaded = LoadedModel(model, version, path)
                _installed[str(path)] = (stamp, loaded)
                return loaded
    return LoadedModel(load_default_model(), shipped_version(), None)


def current_version(folder: Path | None) -> str:
    """The version `current_model(folder)` would give, without loading the shipped model to learn it."""
    from analysis.themes.model import MODEL_FILE

    if folder is not None and (folder / MODEL_FILE).is_file():
        return current_model(folder).version
    return shipped_version()


def shipped_version() -> str:
    """The shipped model's version, `shipped:<corpus fingerprint>`: a new release's model gets a new version, so
    the labels the previous one gave are known to be stale and `classify-comments` gives them again."""
    from analysis.themes.model import METRICS_FILE, data_dir

    try:
        document = json.loads((data_dir() / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SHIPPED
    return f"{SHIPPED}:{document.get('corpus_version', '')}"[:60]
