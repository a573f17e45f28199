"""Complaint theming: official themes from the classifier, emergent themes from clustering the rest.

`ComplaintThemer` follows scikit-learn's estimator rules (parameters untouched in `__init__`, fitted
state in `name_` attributes, `fit` returns self) and, like BERTopic, takes its vectoriser, reducer and
clusterer as injectable stages.

With `seed_themes` (the official taxonomy), every comment first goes through the official-theme
classifier (`analysis.themes`): a comment it gives an official code, or a non-complaint label (praise,
neutral, off_topic), joins that code's theme. Only the comments it calls `other` are clustered, and the
clusters are named with whole words of their own comments. Nothing pulls a cluster towards an official
theme: official names come only from the classifier. Without `seed_themes` everything is clustered.

Small inputs are not cut into crumbs: a theme has at least `min_theme_size` comments (default 5, or 2 %
of the clustered comments if more), and clusters that would carry the same name are merged.
Comments with no usable words get theme -1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from analysis.clustering_stages import DirichletMultinomialMixture, bounded_memory_vectorizer, default_vectorizer
from analysis.text import normalise
from analysis.themes.naming import Theme, describe_terms, theme_name
from analysis.themes.taxonomy import NON_COMPLAINT_CODES, OTHER, SeedTheme, default_names

NO_THEME = -1
K_RANGE = (2, 10)
MIN_THEME_SIZE = 5
MIN_THEME_SHARE = 0.02
NAME_TERMS = 3
MERGE_TERMS = 2
CHUNK = 20_000
_LETTER = re.compile(r"[^\W\d_]")


class ComplaintThemer(BaseEstimator):
    """Sort free-text complaints into official themes and named emergent themes.

    Parameters
    ----------
    k : "auto" or int
        Emergent themes: "auto" lets the clusterer find up to `k_range[1]`, then enforces the minimum
        size and merges near duplicates; a number asks the clusterer for that many (at most).
    seed_themes : the official themes (`SeedTheme`, e.g. from `load_taxonomy()`); None: no classifier.
    classifier : a fitted `ThemeClassifier`; None: the shipped model (`analysis.themes.load_default_model`).
    vectorizer, reducer, clusterer : emergent-theme stages; None means the measured defaults (word counts,
        no reducer, `DirichletMultinomialMixture`). The clusterer gets `n_clusters` and `random_state`.
    min_theme_size : smallest emergent theme; None: max(5, 2 % of the clustered comments).
    merge_terms : emergent clusters sharing this many of their 3 most distinctive words are one theme
        (0: no merging of near duplicates).
    bounded_memory_threshold : above this many comments to cluster, hashing features are used and the
        clusterer is fitted on `sample_size` of them, so memory stays bounded.
    """

    def __init__(
        self,
        k: int | str = "auto",
        *,
        seed_themes: Sequence[SeedTheme] | None = None,
        classifier: Any = None,
        vectorizer: Any = None,
        reducer: Any = None,
        clusterer: Any = None,
        k_range: tuple[int, int] = K_RANGE,
        min_theme_size: int | None = None,
        merge_terms: int = MERGE_TERMS,
        bounded_memory_threshold: int = 50_000,
        sample_size: int = 20_000,
        n_representatives: int = 3,
        random_state: int | np.random.RandomState | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.k = k
        self.seed_themes = seed_themes
        self.classifier = classifier
        self.vectorizer = vectorizer
        self.reducer = reducer
        self.clusterer = clusterer
        self.k_range = k_range
        self.min_theme_size = min_theme_size
        self.merge_terms = merge_terms
        self.bounded_memory_threshold = bounded_memory_threshold
        self.sample_size = sample_size
        self.n_representatives = n_representatives
        self.random_state = random_state
        self.progress = progress

    vectorizer_: Any
    reducer_: Any
    clusterer_: Any

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, texts: Sequence[object], y: Any = None) -> ComplaintThemer:
        """Find the themes of `texts`; sets labels_, themes_, k_ and the fitted stages."""
        rng = check_random_state(self.random_state)
        strings = [t if isinstance(t, str) else "" for t in texts]
        self._check_k()
        usable = np.asarray([bool(_LETTER.search(t)) for t in strings])
        if usable.sum() < 2:
            raise ValueError("need at least two comments with words to find themes")
        codes = self._official_codes(strings, usable)
        rest = np.flatnonzero(usable & (codes == ""))
        self._say(f"{int(usable.sum())} comments with words; {rest.size} to cluster into emergent themes")
        emergent = self._fit_emergent([strings[i] for i in rest], rng)
        if self.seed_themes is None and not (emergent >= 0).any():
            raise ValueError("need at least two comments with words in common to find themes")
        self._assemble(strings, codes, rest, emergent)
        return self

    def _check_k(self) -> None:
        if self.k != "auto" and (not isinstance(self.k, int | np.integer) or isinstance(self.k, bool) or self.k < 1):
            raise ValueError(f"k must be 'auto' or a positive whole number, not {self.k!r}")

    def _official_codes(self, strings: list[str], usable: np.ndarray) -> np.ndarray:
        """Per comment: the classifier's code when it is kept as a theme, else "" (to be clustered)."""
        codes = np.full(len(strings), "", dtype=object)
        self.probabilities_ = np.zeros(len(strings), dtype=np.float32)
        if self.seed_themes is None:
            self.classifier_ = None
            return codes
        from analysis.themes.model import classify, load_default_model

        self.classifier_ = self.classifier if self.classifier is not None else load_default_model()
        kept = {theme.code for theme in self.seed_themes} | set(NON_COMPLAINT_CODES)
        positions = np.flatnonzero(usable)
        for start in range(0, positions.size, CHUNK):
            chunk = positions[start : start + CHUNK]
            for index, result in zip(chunk, classify([strings[i] for i in chunk], self.classifier_), strict=True):
                if result.code in kept and result.code != OTHER:
                    codes[index] = result.code
                self.probabilities_[index] = result.probability
            if positions.size > CHUNK:
                self._say(f"classified {min(start + CHUNK, positions.size)} of {positions.size} comments")
        return codes

    def _min_size(self, n: int) -> int:
        if self.min_theme_size is not None:
            return max(1, int(self.min_theme_size))
        return max(MIN_THEME_SIZE, math.ceil(MIN_THEME_SHARE * n))

    def _fit_emergent(self, texts: list[str], rng: np.random.RandomState) -> np.ndarray:
        """Cluster ids 0..m-1 of `texts` (-1: no usable words); sets the stages used by `predict`."""
        self.vectorizer_ = self.reducer_ = self.clusterer_ = None
        self.mapping_ = np.zeros(0, dtype=int)
        self.bounded_memory_ = len(texts) > self.bounded_memory_threshold
        min_size = self._min_size(len(texts))
        if len(texts) < max(2, 2 * min_size):
            return np.zeros(len(texts), dtype=int)  # too few for more than one theme
        if self.vectorizer is not None:
            self.vectorizer_ = clone(self.vectorizer)
        elif self.bounded_memory_:
            self.vectorizer_ = bounded_memory_vectorizer()
        else:
            self.vectorizer_ = default_vectorizer(len(texts))
        fit_rows = np.arange(len(texts))
        if self.bounded_memory_:
            fit_rows = np.sort(rng.choice(len(texts), size=min(len(texts), self.sample_size), replace=False))
            self._say(f"bounded-memory mode: fitting on a sample of {fit_rows.size}")
        try:
            counts = self.vectorizer_.fit_transform([texts[i] for i in fit_rows])
        except ValueError:  # no word survives the vectoriser's document-frequency limits
            return np.full(len(texts), NO_THEME, dtype=int)
        has_words = np.asarray(counts.sum(axis=1)).ravel() > 0
        if has_words.sum() < 2:
            return np.where(has_words, 0, NO_THEME) if not self.bounded_memory_ else np.zeros(len(texts), dtype=int)
        features = self._reduce(counts[has_words], rng, fit=True)
        fine = self._fit_clusterer(features, int(has_words.sum()), min_size, rng)
        self.mapping_ = self._merge(counts[has_words], fine, min_size)
        if not self.bounded_memory_:
            labels = np.full(len(texts), NO_THEME, dtype=int)
            labels[np.flatnonzero(has_words)] = self.mapping_[fine]
            return labels
        return self._predict_emergent(texts)

    def _reduce(self, counts: Any, rng: np.random.RandomState, fit: bool) -> Any:
        if self.reducer is None:
            return counts
        if fit:
            self.reducer_ = clone(self.reducer)
            _set_random_state(self.reducer_, rng)
            return self.reducer_.fit_transform(counts)
        assert self.reducer_ is not None
        return self.reducer_.transform(counts)

    def _fit_clusterer(self, features: Any, n: int, min_size: int, rng: np.random.RandomState) -> np.ndarray:
        low, high = self.k_range
        wanted = int(self.k) if self.k != "auto" else max(low, min(high, n // min_size))
        base = self.clusterer if self.clusterer is not None else DirichletMultinomialMixture()
        model = clone(base)
        params: dict[str, Any] = {"n_clusters": int(min(wanted, n))}
        if "random_state" in model.get_params():
            params["random_state"] = rng.randint(np.iinfo(np.int32).max)
        self.clusterer_ = model.set_params(**params).fit(features)
        raw = np.asarray(self.clusterer_.labels_)
        self.fine_ids_ = np.unique(raw)
        return np.searchsorted(self.fine_ids_, raw).astype(int)

    def _merge(self, counts: Any, fine: np.ndarray, min_size: int) -> np.ndarray:
        """Fine cluster → theme. Clusters that would carry the same name are one theme: those sharing
        `merge_terms` of their `NAME_TERMS` most distinctive words (class-based TF-IDF, computed once, so
        merging does not snowball). Then clusters under `min_size` join their most similar theme (cosine
        of class-based TF-IDF profiles), and the most similar themes merge while there are more than
        k_range[1] (or k)."""
        n_fine = int(fine.max()) + 1
        word_counts = np.asarray((_membership(fine, n_fine) @ sparse.csr_matrix(counts)).todense(), dtype=float)
        sizes = np.bincount(fine, minlength=n_fine).astype(int)
        groups = {c: [c] for c in range(n_fine)}

        def join(keep: int, gone: int) -> int:
            if sizes[gone] > sizes[keep]:
                keep, gone = gone, keep
            word_counts[keep] += word_counts[gone]
            sizes[keep] += sizes[gone]
            groups[keep].extend(groups.pop(gone))
            return keep

        if self.k == "auto" and self.merge_terms:
            for members in _same_name_groups(word_counts, NAME_TERMS, self.merge_terms):
                kept = members[0]
                for other in members[1:]:
                    kept = join(kept, other)
        high = self.k_range[1] if self.k == "auto" else int(self.k)
        while len(groups) > 1:
            alive = sorted(groups, key=lambda c: (sizes[c], c))
            profiles = normalize(_class_profiles(word_counts[alive]))
            similarity = profiles @ profiles.T
            np.fill_diagonal(similarity, -1.0)
            if sizes[alive[0]] < min_size:
                join(alive[int(np.argmax(similarity[0]))], alive[0])
            elif len(groups) > high:
                a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
                join(alive[a], alive[b])
            else:
                break
        mapping = np.empty(n_fine, dtype=int)
        for theme, members in enumerate(sorted(groups.values(), key=lambda g: -sum(sizes[c] for c in g))):
            mapping[members] = theme
        return mapping

    def _predict_emergent(self, texts: Sequence[str]) -> np.ndarray:
        labels = np.full(len(texts), NO_THEME, dtype=int)
        if self.clusterer_ is None:
            if self.vectorizer_ is None:
                labels[:] = 0
            return labels
        for start in range(0, len(texts), CHUNK):
            counts = self.vectorizer_.transform(list(texts[start : start + CHUNK]))
            has_words = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() > 0)
            if has_words.size:
                fine = np.asarray(
                    self.clusterer_.predict(self._reduce(counts[has_words], check_random_state(0), False))
                )
                labels[start + has_words] = self.mapping_[np.searchsorted(self.fine_ids_, fine)]
        return labels

    # -- describing --------------------------------------------------------------------------------

    def _assemble(self, strings: list[str], codes: np.ndarray, rest: np.ndarray, emergent: np.ndarray) -> None:
        """Number the themes by size (largest first), name them, pick the examples an official reads."""
        names = default_names()
        official = {theme.code: theme.name_vi for theme in self.seed_themes or ()}
        keys = np.full(len(strings), None, dtype=object)
        for index in np.flatnonzero(codes != ""):
            keys[index] = ("code", codes[index])
        for position, label in zip(rest, emergent, strict=True):
            if label >= 0:
                keys[position] = ("cluster", int(label))
        present = [key for key in keys if key is not None]
        sizes: dict[tuple[str, Any], int] = {}
        for key in present:
            sizes[key] = sizes.get(key, 0) + 1
        order = sorted(sizes, key=lambda key: (-sizes[key], str(key[1])))
        number = {key: i for i, key in enumerate(order)}
        self.labels_ = np.asarray([NO_THEME if key is None else number[key] for key in keys], dtype=int)
        self.theme_codes_ = {number[key]: key[1] for key in order if key[0] == "code"}
        self.cluster_themes_ = {key[1]: number[key] for key in order if key[0] == "cluster"}
        total = int((self.labels_ >= 0).sum())
        by_score = [key[0] == "code" for key in order]
        terms, examples = describe_terms(
            strings, self.labels_, len(order), self.probabilities_, self.n_representatives, by_score
        )
        leftovers = self.seed_themes is not None and self.clusterer_ is None
        themes = []
        for theme_id, key in enumerate(order):
            code = key[1] if key[0] == "code" else None
            if code is None and leftovers:
                code = OTHER  # too few comments left to cluster: they stay the classifier's `other`
            name = official.get(code or "", names.get(code or "", "")) or theme_name(terms[theme_id])
            themes.append(
                Theme(
                    cluster=theme_id,
                    name=name,
                    size=sizes[key],
                    share=sizes[key] / total,
                    top_terms=terms[theme_id],
                    representatives=examples[theme_id],
                    code=code,
                )
            )
        self.themes_ = themes
        self.k_ = len(themes)
        self._say(f"{self.k_} themes: {sum(t.code is not None for t in themes)} coded, the rest emergent")

    # -- using a fitted themer ---------------------------------------------------------------------

    def predict(self, texts: Sequence[object]) -> np.ndarray:
        """Theme of new comments (-1 for comments with no usable words or no matching theme)."""
        check_is_fitted(self, "themes_")
        strings = [t if isinstance(t, str) else "" for t in texts]
        usable = np.asarray([bool(_LETTER.search(t)) for t in strings], dtype=bool)
        result = np.full(len(strings), NO_THEME, dtype=int)
        if not strings:
            return result
        by_code = {code: theme for theme, code in self.theme_codes_.items()}
        codes = np.full(len(strings), "", dtype=object)
        if self.classifier_ is not None:
            from analysis.themes.model import classify

            kept = set(by_code)
            for index, found in zip(
                np.flatnonzero(usable),
                classify([strings[i] for i in np.flatnonzero(usable)], self.classifier_),
                strict=True,
            ):
                if found.code in kept and found.code != OTHER:
                    codes[index] = found.code
        for index in np.flatnonzero(codes != ""):
            result[index] = by_code[codes[index]]
        rest = np.flatnonzero(usable & (codes == ""))
        if rest.size:
            emergent = self._predict_emergent([strings[i] for i in rest])
            mapped = np.asarray([self.cluster_themes_.get(int(label), NO_THEME) for label in emergent], dtype=int)
            if OTHER in by_code:
                mapped[mapped == NO_THEME] = by_code[OTHER]
            result[rest] = mapped
        return result

    def fit_predict(self, texts: Sequence[object], y: Any = None) -> np.ndarray:
        return np.asarray(self.fit(texts).labels_)

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


def _same_name_groups(word_counts: np.ndarray, n_top: int, shared: int) -> list[list[int]]:
    """Clusters linked (transitively) when they share `shared` of their `n_top` most distinctive words."""
    profiles = _class_profiles(word_counts)
    tops = [set(np.argsort(-row, kind="stable")[:n_top].tolist()) for row in profiles]
    owner = list(range(len(tops)))

    def root(c: int) -> int:
        while owner[c] != c:
            c = owner[c]
        return c

    for a in range(len(tops)):
        for b in range(a + 1, len(tops)):
            if len(tops[a] & tops[b]) >= shared:
                owner[root(b)] = root(a)
    found: dict[int, list[int]] = {}
    for c in range(len(tops)):
        found.setdefault(root(c), []).append(c)
    return list(found.values())


def _class_profiles(word_counts: np.ndarray) -> np.ndarray:
    """Class-based TF-IDF of per-cluster word counts (BERTopic's c-TF-IDF, see `analysis.themes.class_tfidf`)."""
    totals = word_counts.sum(axis=1, keepdims=True)
    idf = np.log1p(totals.mean() / np.maximum(word_counts.sum(axis=0), 1.0))
    return np.asarray(word_counts / np.maximum(totals, 1.0) * idf)


def _membership(labels: np.ndarray, n: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(n, len(labels)))


def _set_random_state(estimator: Any, rng: np.random.RandomState) -> None:
    """Give every stage that takes a random_state a seed drawn from the themer's own."""
    keys = [key for key in estimator.get_params() if key == "random_state" or key.endswith("__random_state")]
    estimator.set_params(**{key: rng.randint(np.iinfo(np.int32).max) for key in keys})


__all__ = ["NO_THEME", "ComplaintThemer", "normalise"]
