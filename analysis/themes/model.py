"""Train, evaluate, save and load the official-theme classifier; classify comments with the shipped model.

`train(corpus_rows, extra_rows=())` fits `ThemeClassifier` on the corpus rows whose split is `train` plus
any extra labelled rows (officials' corrections) and measures it on the rows whose split is `test`.
`load_default_model()` reads analysis/data/themes/model.joblib once per process (lazily: importing this
module imports neither scikit-learn nor joblib) and `classify(texts)` uses it.

The model file is a joblib pickle (lzma-compressed). A pickle is tied to the scikit-learn version that
wrote it, so the file records that version; when the running version differs, the shipped corpus is used
to train an identical model in memory instead (about half a minute), never an unpickled mismatch.
"""

from __future__ import annotations

import csv
import hashlib
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.themes.taxonomy import OFFICIAL_CODES, definition_examples

if TYPE_CHECKING:
    from analysis.themes.classifier import Classification, ThemeClassifier

MODEL_FILE = "model.joblib"
METRICS_FILE = "metrics.json"
CORPUS_PATTERN = "corpus_*.csv"
COLUMNS = ("id", "text", "theme", "theme2", "split")

Row = Mapping[str, str]


def data_dir() -> Path:
    """analysis/data/themes, where the corpus, the taxonomy, the model and its metrics live."""
    return Path(str(resources.files("analysis").joinpath("data/themes")))


def read_corpus(paths: Iterable[str | Path] | None = None) -> list[dict[str, str]]:
    """Rows (id, text, theme, theme2, split) of the labelled corpus files (default: the shipped shards)."""
    files = sorted(data_dir().glob(CORPUS_PATTERN)) if paths is None else [Path(p) for p in paths]
    rows: list[dict[str, str]] = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
            rows.extend({key: (row[key] or "").strip() for key in COLUMNS} for row in reader)
    return rows


def corpus_version(rows: Sequence[Row]) -> str:
    """A fingerprint of the labelled rows, so a model says which corpus taught it."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row.get(key, "") for key in COLUMNS).encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()[:16]


def train(
    corpus_rows: Sequence[Row], extra_rows: Iterable[Row] = (), *, definitions: bool = True, **params: Any
) -> tuple[ThemeClassifier, dict[str, Any]]:
    """Fit on the `train` rows plus `extra_rows` (all used for training); measure on the `test` rows.

    With `definitions`, the shipped taxonomy's example phrases and seed phrases are training rows too
    (about 90 short lines; measured: they fix plain complaints the varied corpus words differently, such
    as "dịch vụ công trực tuyến hay bị lỗi"). `params` go to `ThemeClassifier`. Returns the fitted model
    and its metrics (see `evaluate`).
    """
    from analysis.themes.classifier import ThemeClassifier

    extra = [dict(row) for row in extra_rows]
    defined = (
        [{"text": text, "theme": code, "theme2": ""} for code, text in definition_examples()] if definitions else []
    )
    training = [row for row in corpus_rows if row.get("split", "train") == "train"] + extra + defined
    test = [row for row in corpus_rows if row.get("split") == "test"]
    usable = [row for row in training if row.get("text", "").strip() and row.get("theme")]
    if len({row["theme"] for row in usable}) < 2:
        raise ValueError("need labelled training rows of at least two themes")
    model = ThemeClassifier(**params).fit(
        [row["text"] for row in usable], [row["theme"] for row in usable], [row.get("theme2", "") for row in usable]
    )
    metrics = evaluate(model, test) if test else {}
    metrics.update(
        {
            "corpus_version": corpus_version(corpus_rows),
            "training_rows": len(usable),
            "extra_rows": len(extra),
            "definitions": definitions,
            "definition_rows": len(defined),
            "parameters": {key: _jsonable(value) for key, value in model.get_params().items()},
            "cross_validated_on_training_split": getattr(model, "cv_scores_", {}),
            "threshold": model.threshold_,
            "second_threshold": model.second_threshold_,
            "labels": [str(c) for c in model.classes_],
        }
    )
    return model, metrics


def evaluate(model: ThemeClassifier, rows: Sequence[Row]) -> dict[str, Any]:
    """Main-label metrics on labelled rows: macro-F1 over the official themes, per-label F1, confusion matrix.

    Also a multi-label view: per official theme, gold = main or second theme, predicted = main or second.
    """
    import numpy as np
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    texts = [row["text"] for row in rows]
    truth = np.asarray([row["theme"] for row in rows], dtype=object)
    results = model.classify(texts)
    predicted = np.asarray([r.code for r in results], dtype=object)
    labels = sorted(set(truth) | set(predicted), key=_label_order)
    official = [c for c in OFFICIAL_CODES if c in set(truth)]
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    gold_sets = [{row["theme"], row.get("theme2", "")} - {""} for row in rows]
    predicted_sets = [{r.code, r.code2} - {None} for r in results]
    multi = [
        float(f1_score([code in gold for gold in gold_sets], [code in got for got in predicted_sets], zero_division=0))
        for code in official
    ]
    second_truth = [(row["text"], row.get("theme2", "")) for row in rows if row.get("theme2")]
    second_hits = sum(1 for row, r in zip(rows, results, strict=True) if r.code2 and r.code2 == row.get("theme2"))
    second_given = sum(1 for r in results if r.code2)
    return {
        "test_rows": len(rows),
        "macro_f1_official": round(float(f1_score(truth, predicted, labels=official, average="macro")), 4),
        "accuracy": round(float(np.mean(truth == predicted)), 4),
        "per_label": {
            label: {
                "precision": round(float(p), 3),
                "recall": round(float(r), 3),
                "f1": round(float(f), 3),
                "n": int(n),
            }
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": {
            "labels": labels,
            "rows_are_true_columns_predicted": confusion_matrix(truth, predicted, labels=labels).tolist(),
        },
        "multi_label_macro_f1_official": round(float(np.mean(multi)), 4) if multi else 0.0,
        "second_theme": {
            "rows_with_second_theme": len(second_truth),
            "given": second_given,
            "correct": second_hits,
        },
    }


def save_model(model: ThemeClassifier, metrics: Mapping[str, Any], directory: str | Path | None = None) -> Path:
    """Write model.joblib (lzma) and metrics.json into `directory` (default analysis/data/themes)."""
    import joblib
    import sklearn

    target = Path(directory) if directory is not None else data_dir()
    path = target / MODEL_FILE
    joblib.dump({"sklearn_version": sklearn.__version__, "model": model}, path, compress=("lzma", 6))
    document = {
        **metrics,
        "model_file": MODEL_FILE,
        "model_format": "joblib pickle, lzma-compressed",
        "model_bytes": path.stat().st_size,
        "sklearn_version": sklearn.__version__,
    }
    (target / METRICS_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load_model(path: str | Path) -> ThemeClassifier | None:
    """The model in a joblib file, or None when the file is missing or from another scikit-learn version."""
    import joblib
    import sklearn
    from sklearn.exceptions import InconsistentVersionWarning

    if not Path(path).is_file():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            stored = joblib.load(path)
        except (InconsistentVersionWarning, AttributeError, ModuleNotFoundError, ValueError, EOFError):
            return None
    if not isinstance(stored, dict) or stored.get("sklearn_version") != sklearn.__version__:
        return None
    model: ThemeClassifier = stored["model"]
    return model


@lru_cache(maxsize=1)
def load_default_model() -> ThemeClassifier:
    """The shipped classifier, loaded once per process; retrained from the shipped corpus if it cannot be read."""
    model = load_model(data_dir() / MODEL_FILE)
    if model is None:
        parameters = _shipped_parameters()
        model, _ = train(read_corpus(), **parameters)
    return model


def _shipped_parameters() -> dict[str, Any]:
    path = data_dir() / METRICS_FILE
    if not path.is_file():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    stored = document.get("parameters", {})
    parameters = {key: tuple(value) if isinstance(value, list) else value for key, value in stored.items()}
    return {**parameters, "definitions": bool(document.get("definitions", True))}


def classify(texts: Sequence[object], model: ThemeClassifier | None = None) -> list[Classification]:
    """(code, probability, second code or None) for each comment, with the shipped model by default.

    Comments without any word get ("", 0.0, None): there is nothing to classify.
    """
    from analysis.text import syllables

    chosen = model if model is not None else load_default_model()
    strings = [t if isinstance(t, str) else "" for t in texts]
    usable = [i for i, t in enumerate(strings) if syllables(t.lower())]
    results: list[Any] = [None] * len(strings)
    for start in range(0, len(usable), 5000):
        chunk = usable[start : start + 5000]
        for index, result in zip(chunk, chosen.classify([strings[i] for i in chunk]), strict=True):
            results[index] = result
    if len(usable) < len(strings):
        from analysis.themes.classifier import Classification

        empty = Classification("", 0.0, None)
        results = [empty if r is None else r for r in results]
    return results


def _label_order(label: str) -> tuple[int, str]:
    order = [*OFFICIAL_CODES, "other", "praise", "neutral", "off_topic"]
    return (order.index(label), label) if label in order else (len(order), label)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
