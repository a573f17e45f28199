"""The official-theme classifier: a calibrated linear model on character and word n-grams.

Features (measured by 5-fold cross-validation on the training split of analysis/data/themes, see
bench/bench_themes.py): character n-grams (char_wb 1–5) of the toneless comment, so "cho doi lau" and
"chờ đợi lâu" meet, plus syllable 1–3-grams of both the toned and the toneless comment, all after
`analysis.text.normalise` (abbreviations, tone placement, stretched letters). A linear SVM whose scores
are turned into probabilities by sigmoid calibration on cross-validated folds (Platt 1999, as in
scikit-learn's `CalibratedClassifierCV`), then a logistic regression on the out-of-fold probabilities
of the SVM and of a complement naive Bayes on the same features (stacking) makes the final call.

A comment may raise two themes: the training rows' second theme is learnt as an extra, down-weighted
example, and at prediction the second most probable official theme is reported when its probability
passes `second_threshold_`. A main theme whose probability is under `threshold_` becomes `other`. Both
thresholds are chosen on out-of-fold predictions of the training rows only, never on the test split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from analysis.text import normalise, toneless
from analysis.themes.taxonomy import OFFICIAL_CODES, OTHER

SEPARATOR = "\x1f"
THRESHOLD_GRID = np.round(np.arange(0.0, 0.61, 0.02), 2)
SECOND_GRID = np.round(np.arange(0.1, 0.61, 0.02), 2)
_TOKEN = r"(?u)\b\w+\b"


class Classification(NamedTuple):
    """One comment's themes: main code, its calibrated probability, and a second official theme or None."""

    code: str
    probability: float
    code2: str | None


def prepare(text: object) -> str:
    """The normalised comment and its toneless copy, joined by a separator the vectorisers split on."""
    clean = normalise(text)
    return f"{clean}{SEPARATOR}{toneless(clean)}"


def _toned(prepared: str) -> str:
    return prepared.split(SEPARATOR, 1)[0]


def _toneless(prepared: str) -> str:
    return prepared.rsplit(SEPARATOR, 1)[-1]


def features(
    char_ngram_range: tuple[int, int], word_ngram_range: tuple[int, int], toned_chars: bool = False
) -> FeatureUnion:
    """Character n-grams of the toneless text, syllable n-grams of the toned and the toneless text."""
    common: dict[str, Any] = {"sublinear_tf": True, "dtype": np.float32, "lowercase": False}
    parts = []
    if toned_chars:
        parts.append(
            (
                "toned_chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=char_ngram_range, min_df=2, preprocessor=_toned, **common
                ),
            )
        )
    return FeatureUnion(
        [
            *parts,
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=char_ngram_range, min_df=2, preprocessor=_toneless, **common
                ),
            ),
            (
                "words",
                TfidfVectorizer(ngram_range=word_ngram_range, token_pattern=_TOKEN, preprocessor=_toned, **common),
            ),
            (
                "toneless_words",
                TfidfVectorizer(ngram_range=word_ngram_range, token_pattern=_TOKEN, preprocessor=_toneless, **common),
            ),
        ]
    )


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Classify comments into the official themes (plus other / praise / neutral / off_topic).

    Parameters
    ----------
    C : inverse regularisation of the linear SVM.
    char_ngram_range, word_ngram_range : n-gram sizes of the character and syllable features.
    second_theme_weight : weight of a training row's second theme, learnt as an extra example.
    threshold, second_threshold : "auto" (chosen on out-of-fold predictions of the training rows) or a
        probability; under `threshold` the main theme becomes `fallback`.
    toned_chars : also character n-grams of the toned text (measured: no gain).
    stack : a logistic regression on the out-of-fold probabilities makes the final call (stacking).
    calibration_folds : folds for the sigmoid calibration, the stacking and the thresholds.
    random_state : seed of the fold shuffling.

    `fit(texts, y, y2=None)`: `y` the main label of each text, `y2` an optional second theme ("" for none).
    """

    def __init__(
        self,
        *,
        C: float = 0.5,
        char_ngram_range: tuple[int, int] = (1, 5),
        word_ngram_range: tuple[int, int] = (1, 3),
        second_theme_weight: float = 0.5,
        threshold: float | str = "auto",
        second_threshold: float | str = "auto",
        fallback: str = OTHER,
        toned_chars: bool = False,
        stack: bool = True,
        calibration_folds: int = 5,
        random_state: int | None = 0,
    ) -> None:
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.second_theme_weight = second_theme_weight
        self.threshold = threshold
        self.second_threshold = second_threshold
        self.fallback = fallback
        self.toned_chars = toned_chars
        self.stack = stack
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[str], y2: Sequence[str | None] | None = None) -> ThemeClassifier:
        texts = [prepare(t) for t in X]
        main = np.asarray([str(label) for label in y], dtype=object)
        second = np.asarray(["" if not s else str(s) for s in (y2 if y2 is not None else [""] * len(main))])
        if len(texts) != len(main) or len(second) != len(main):
            raise ValueError("texts, y and y2 must have the same length")
        self._fit_prepared(texts, main, second)
        folds = StratifiedKFold(_n_folds(main, self.calibration_folds), shuffle=True, random_state=self.random_state)
        probabilities = None
        if self.stack or self.threshold == "auto" or self.second_threshold == "auto":
            probabilities = self._out_of_fold(texts, main, second, folds)
        self.stacker_ = None
        self.classes_ = self.base_classes_
        if self.stack and probabilities is not None:
            # Stacked generalisation (Wolpert 1992): a logistic regression on the out-of-fold log-probabilities
            # of the SVM and of naive Bayes learns which themes they confuse and which to trust (5-fold CV on
            # the training split, macro-F1 of the eight themes: SVM 0.761, stacked SVM 0.769, both 0.786).
            stacker = LogisticRegression(C=1.0, max_iter=2000)
            self.stacker_ = clone(stacker).fit(_log(probabilities), main)
            self.classes_ = np.asarray(self.stacker_.classes_)
            probabilities = cross_val_predict(stacker, _log(probabilities), main, cv=folds, method="predict_proba")
        if probabilities is not None and self.threshold == "auto":
            self.threshold_ = _best_threshold(probabilities, self.classes_, main, self.fallback)
        else:
            self.threshold_ = float(self.threshold) if self.threshold != "auto" else 0.0
        self.cv_scores_ = _cv_scores(probabilities, self.classes_, main, self.threshold_, self.fallback)
        if probabilities is not None and self.second_threshold == "auto":
            self.second_threshold_ = _best_second_threshold(probabilities, self.classes_, main, second)
        else:
            self.second_threshold_ = float(self.second_threshold) if self.second_threshold != "auto" else 1.0
        return self

    def _fit_prepared(self, texts: list[str], main: np.ndarray, second: np.ndarray) -> None:
        extra = np.flatnonzero((second != "") & (second != main))
        rows = texts + [texts[i] for i in extra]
        labels = np.concatenate([main, second[extra]])
        weights = np.concatenate([np.ones(len(texts)), np.full(extra.size, self.second_theme_weight)])
        self.features_ = features(self.char_ngram_range, self.word_ngram_range, self.toned_chars)
        matrix = self.features_.fit_transform(rows)
        folds = _n_folds(labels, self.calibration_folds)
        self.model_ = CalibratedClassifierCV(LinearSVC(C=self.C), method="sigmoid", cv=folds, ensemble=False)
        self.model_.fit(matrix, labels, sample_weight=weights)
        self.base_classes_ = np.asarray(self.model_.classes_)
        self.naive_bayes_ = None
        if self.stack:  # a second, differently biased view for the stacker: complement naive Bayes
            self.naive_bayes_ = ComplementNB(alpha=0.3).fit(matrix, labels, sample_weight=weights)
            self.naive_bayes_.feature_log_prob_ = self.naive_bayes_.feature_log_prob_.astype(np.float32)
            del self.naive_bayes_.feature_count_, self.naive_bayes_.feature_all_  # only needed to refit

    def _out_of_fold(
        self, texts: list[str], main: np.ndarray, second: np.ndarray, folds: StratifiedKFold
    ) -> np.ndarray:
        """Base-model probabilities of each training row from a model that did not see it."""
        views = 2 if self.stack else 1
        n_classes = len(self.base_classes_)
        result = np.zeros((len(texts), n_classes * views))
        for train, held_out in folds.split(texts, main):
            part = clone(self).set_params(threshold=0.0, second_threshold=1.0)
            part._fit_prepared([texts[i] for i in train], main[train], second[train])
            columns = np.searchsorted(self.base_classes_, part.base_classes_)
            columns = np.concatenate([columns + view * n_classes for view in range(views)])
            result[np.ix_(held_out, columns)] = part._base_probabilities([texts[i] for i in held_out])
        return result

    # -- predicting --------------------------------------------------------------------------------

    def _base_probabilities(self, prepared: list[str]) -> np.ndarray:
        """The calibrated SVM's probabilities, then (when stacking) naive Bayes's, side by side."""
        matrix = self.features_.transform(prepared)
        views = [self.model_.predict_proba(matrix)]
        if self.naive_bayes_ is not None:
            views.append(self.naive_bayes_.predict_proba(matrix))
        return np.hstack(views)

    def _probabilities(self, prepared: list[str]) -> np.ndarray:
        base = self._base_probabilities(prepared)
        return base if self.stacker_ is None else np.asarray(self.stacker_.predict_proba(_log(base)))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated probability of every class in `classes_`, one row per comment."""
        check_is_fitted(self, "model_")
        return self._probabilities([prepare(t) for t in X])

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The main code of each comment (`fallback` under the threshold)."""
        return np.asarray([c.code for c in self.classify(X)], dtype=object)

    def classify(self, X: Sequence[str]) -> list[Classification]:
        """(code, probability, second code or None) per comment."""
        return decide(self.predict_proba(X), self.classes_, self.threshold_, self.second_threshold_, self.fallback)


def _n_folds(labels: np.ndarray, wanted: int) -> int:
    return int(max(2, min(wanted, np.unique(labels, return_counts=True)[1].min())))


def _log(probabilities: np.ndarray) -> np.ndarray:
    return np.asarray(np.log(probabilities + 1e-4))


def decide(
    probabilities: np.ndarray, classes: np.ndarray, threshold: float, second_threshold: float, fallback: str
) -> list[Classification]:
    """Main theme = most probable class, `fallback` under `threshold`; second = next official theme above its own."""
    official = np.isin(classes, OFFICIAL_CODES)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    result = []
    for row, ranking in zip(probabilities, order, strict=True):
        best = ranking[0]
        code, probability = str(classes[best]), float(row[best])
        if probability < threshold:
            fallback_column = np.flatnonzero(classes == fallback)
            code = fallback
            probability = float(row[fallback_column[0]]) if fallback_column.size else 1.0 - probability
        code2 = None
        if code in OFFICIAL_CODES and len(ranking) > 1:
            runner_up = ranking[1]
            if official[runner_up] and row[runner_up] >= second_threshold:
                code2 = str(classes[runner_up])
        result.append(Classification(code, probability, code2))
    return result


def _official_macro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    labels = [c for c in OFFICIAL_CODES if c in set(truth)]
    if not labels:
        return 0.0
    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


def _cv_scores(
    probabilities: np.ndarray | None, classes: np.ndarray, truth: np.ndarray, threshold: float, fallback: str
) -> dict[str, float]:
    """Out-of-fold F1 of each official theme and their macro mean on the training rows (empty without folds).

    Every row is predicted by a model that did not see it, so this is a cross-validated estimate on the
    training split alone (the threshold was chosen on the same predictions: slightly optimistic).
    """
    if probabilities is None:
        return {}
    predicted = np.where(probabilities.max(axis=1) < threshold, fallback, classes[probabilities.argmax(axis=1)])
    labels = [c for c in OFFICIAL_CODES if c in set(truth)]
    scores = f1_score(truth, predicted.astype(object), labels=labels, average=None, zero_division=0)
    result = {label: round(float(score), 4) for label, score in zip(labels, scores, strict=True)}
    result["macro_f1_official"] = round(float(np.mean(scores)), 4) if labels else 0.0
    return result


def _best_threshold(probabilities: np.ndarray, classes: np.ndarray, truth: np.ndarray, fallback: str) -> float:
    """The threshold (0–0.6) that maximises macro-F1 over the official themes; ties go to the lowest."""
    best_probability = probabilities.max(axis=1)
    argmax = classes[probabilities.argmax(axis=1)]
    scores = [
        _official_macro_f1(truth, np.where(best_probability < t, fallback, argmax).astype(object))
        for t in THRESHOLD_GRID
    ]
    return float(THRESHOLD_GRID[int(np.argmax(np.round(scores, 4)))])


def _best_second_threshold(
    probabilities: np.ndarray, classes: np.ndarray, main: np.ndarray, second: np.ndarray
) -> float:
    """The threshold that maximises F1 of second themes (right code on the right comment)."""
    if not (second != "").any():
        return 1.0
    official = np.isin(classes, OFFICIAL_CODES)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    runner_up = order[:, 1] if probabilities.shape[1] > 1 else order[:, 0]
    runner_p = probabilities[np.arange(len(main)), runner_up]
    runner_code = classes[runner_up]
    eligible = official[runner_up] & np.isin(classes[order[:, 0]], OFFICIAL_CODES)
    best, best_score = 1.0, -1.0
    for t in SECOND_GRID:
        proposed = eligible & (runner_p >= t)
        hits = int(np.sum(proposed & (runner_code == second)))
        precision = hits / max(int(proposed.sum()), 1)
        recall = hits / int((second != "").sum())
        score = 2 * precision * recall / (precision + recall) if hits else 0.0
        if score > best_score + 1e-9:
            best, best_score = float(t), score
    return best
