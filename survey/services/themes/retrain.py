"""Retrain the official-theme classifier on the shipped corpus plus officials' corrections, and install it if not worse.

The new model is trained on the shipped corpus's training split plus the corrections in force (their stored,
already redacted text) with the shipped model's parameters, and both it and the model in use are measured on
the shipped held-out split. A new model whose macro-F1 over the official themes is lower than the current
one's is refused: nothing is installed. Otherwise it is written to the installed-model folder
(`survey.services.themes.installed`), where every process picks it up at its next classification. Every run
is audited, refused or not.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from survey.services import audit
from survey.services.themes.corrections import training_rows
from survey.services.themes.installed import current_model
from survey.services.transactions import rolls_back_on_error

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RetrainOutcome:
    """Both models' held-out metrics, what the new one learnt from, and whether it was installed (and where)."""

    current: dict[str, Any]
    current_version: str
    new: dict[str, Any]
    corrections: int
    installed: Path | None
    refused: str | None


def shipped_parameters() -> dict[str, Any]:
    """The shipped model's training parameters, as its metrics.json records them (tuples stored as lists)."""
    from analysis.themes.model import METRICS_FILE, data_dir

    path = data_dir() / METRICS_FILE
    document = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    stored = document.get("parameters", {})
    parameters = {key: tuple(value) if isinstance(value, list) else value for key, value in stored.items()}
    return {**parameters, "definitions": bool(document.get("definitions", True))}


def verdict(current: dict[str, Any], new: dict[str, Any]) -> str | None:
    """Why the new model must not be installed, or None when it is at least as good on the held-out split."""
    before, after = current["macro_f1_official"], new["macro_f1_official"]
    if after < before:
        return (
            f"the new model is worse on the shipped held-out split: macro-F1 {after:.4f} against {before:.4f} "
            "for the model in use; check the recent corrections (do some contradict each other or the corpus?)"
        )
    return None


@rolls_back_on_error
def retrain(
    session: Session,
    folder: Path,
    *,
    dry_run: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
) -> RetrainOutcome:
    """Train, compare with the model in use on the held-out split, install unless worse or `dry_run`; audited."""
    from analysis.themes.model import METRICS_FILE, MODEL_FILE, evaluate, read_corpus, save_model, train

    say = progress or (lambda _message: None)
    corpus = read_corpus()
    held_out = [row for row in corpus if row.get("split") == "test"]
    corrections = training_rows(session)
    loaded = current_model(folder)
    say(f"measuring the model in use ({loaded.version}) on {len(held_out)} held-out comments")
    current = evaluate(loaded.model, held_out)
    training = sum(1 for row in corpus if row.get("split", "train") == "train")
    say(f"training a new model on {training} corpus comments and {len(corrections)} corrections")
    # Corrections that contradict the corpus can keep the linear SVM from converging: scikit-learn warns, the
    # model is still measured (and refused if worse), and the warnings are shown instead of escaping.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model, new = train(corpus, corrections, **shipped_parameters())
    notes = sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught})
    for note in notes:
        say(note)
    refused = verdict(current, new)
    installed = None
    if refused is None and not dry_run:
        trained_at = datetime.now(UTC).isoformat(timespec="seconds")
        say(f"installing the new model in {folder}")
        incoming = folder / ".incoming"  # written beside, then moved in: a reader never sees half a file
        incoming.mkdir(parents=True, exist_ok=True)
        save_model(model, {**new, "trained_at": trained_at, "corrections": len(corrections)}, incoming)
        os.replace(incoming / METRICS_FILE, folder / METRICS_FILE)
        os.replace(incoming / MODEL_FILE, folder / MODEL_FILE)
        incoming.rmdir()
        installed = folder / MODEL_FILE
    audit.record(
        session,
        actor=actor,
        action="themes.retrain",
        target=str(folder),
        details={
            "corrections": len(corrections),
            "current_version": loaded.version,
            "current_macro_f1": current["macro_f1_official"],
            "new_macro_f1": new["macro_f1_official"],
            "installed": installed is not None,
            "dry_run": dry_run,
            "refused": refused,
            "warnings": notes,
        },
    )
    session.commit()
    return RetrainOutcome(current, loaded.version, new, len(corrections), installed, refused)
