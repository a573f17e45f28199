"""Complaint theming: group citizens' comments into a few named themes, offline, in Vietnamese.

`ComplaintThemer` follows scikit-learn's estimator rules (parameters untouched in `__init__`, fitted
state in `name_` attributes, `fit` returns self) and, like BERTopic, takes its vectoriser, reducer and
clusterer as injectable stages. Comments with no usable words get theme -1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from analysis.clustering_stages import (
    MergedKMeans,
    bounded_memory_vectorizer,
    default_reducer,
    default_vectorizer,
)
from analysis.text import NEGATIONS, ComplaintAnalyzer, normalise
from analysis.themes import (
    SeedTheme,
    Theme,
    class_tfidf,
    representatives,
    seed_documents,
    theme_name,
    top_terms,
)

NO_THEME = -1
K_RANGE = (4, 20)
SMALL_INPUT = 500
# Below this cosine similarity a seeded theme's cluster has drifted away from the seed phrases.
SEED_MATCH_MIN_SIMILARITY = 0.3
# Above this cosine similarity a theme found in the data is the same complaint as a seed theme.
SEED_ABSORB_MIN_SIMILARITY = 0.4


class ComplaintThemer(BaseEstimator):
    """Find complaint themes in free-text comments and name them in Vietnamese.

    Parameters
    ----------
    k : "auto" or int
        Number of themes; "auto" picks it in `k_range` by silhouette (cosine) on a sample.
    seed_themes : official themes (`analysis.themes.SeedTheme`) the result aligns to, or None.
    vectorizer, reducer, clusterer : stages; None means the measured defaults. The clusterer gets
        `n_clusters` and `random_state` set on a clone, and `seed_centers` when it has that parameter.
    bounded_memory_threshold : above this many comments, hashing features and mini-batch k-means
        are used and the stages are fitted on a sample, so memory stays bounded.
    """

    def __init__(
        self,
        k: int | str = "auto",
        *,
        seed_themes: Sequence[SeedTheme] | None = None,
        vectorizer: Any = None,
        reducer: Any = None,
        clusterer: Any = None,
        k_range: tuple[int, int] = K_RANGE,
        bounded_memory_threshold: int = 50_000,
        sample_size: int = 20_000,
        n_representatives: int = 3,
        random_state: int | np.random.RandomState | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.k = k
        self.seed_themes = seed_themes
        self.vectorizer = vectorizer
        self.reducer = reducer
        self.clusterer = clusterer
        self.k_range = k_range
        self.bounded_memory_threshold = bounded_memory_threshold
        self.sample_size = sample_size
        self.n_representatives = n_representatives
        self.random_state = random_state
        self.progress = progress

    clusterer_: Any

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], y: Any = None) -> ComplaintThemer:
        """Learn the themes of `texts`; sets labels_, themes_, k_ and the fitted stages."""
        rng = check_random_state(self.random_state)
        texts = [t if isinstance(t, str) else "" for t in texts]
        if len(texts) < 2:
            raise ValueError("need at least two comments to find themes")
        self.bounded_memory_ = len(texts) > self.bounded_memory_threshold
        all_vectors = self._fit_embed(texts, rng)
        usable = np.flatnonzero(np.abs(all_vectors).sum(axis=1) > 0)
        self._say(f"{usable.size} of {len(texts)} comments have usable text")
        if usable.size < 2:
            raise ValueError("need at least two comments with words in common to find themes")
        vectors = all_vectors[usable]
        del all_vectors
        usable_texts = [texts[i] for i in usable]
        seeds = list(self.seed_themes or [])
        seed_vectors = self._embed(seed_documents(seeds)) if seeds else None
        self._probe_ = None
        self.k_ = self._choose_k(vectors, seed_vectors, rng)
        self._say(f"finding {self.k_} themes")
        if self._probe_ is not None:  # the probe already holds the small clusters: re-cut them
            self.clusterer_ = self._probe_.set_params(n_clusters=self.k_).cut(self.k_)
        else:
            self.clusterer_ = self._make_clusterer(self.k_, seed_vectors, rng).fit(vectors)
        del self._probe_
        labels = np.asarray(self.clusterer_.labels_)
        if seed_vectors is not None:
            labels = self._absorb_into_seeds(labels, vectors, seed_vectors)
            self.k_ = int(labels.max()) + 1
        self.labels_ = np.full(len(texts), NO_THEME, dtype=int)
        self.labels_[usable] = labels
        self.themes_ = self._describe(usable_texts, usable, vectors, labels, seeds, seed_vectors, rng)
        return self

    def _fit_embed(self, texts: list[str], rng: np.random.RandomState) -> np.ndarray:
        if self.vectorizer is not None:
            self.vectorizer_ = clone(self.vectorizer)
        else:
            # Dropping once-seen words removes typos in a large input but empties comments in a small one.
            min_df = 2 if len(texts) >= SMALL_INPUT else 1
            # Seed phrases are short and segmented out of context, so their words often miss the
            # comments' words; seeded runs align on syllables, which short phrases share reliably.
            segment = not self.seed_themes
            self.vectorizer_ = (
                bounded_memory_vectorizer() if self.bounded_memory_ else default_vectorizer(min_df, segment)
            )
        self.reducer_ = clone(self.reducer) if self.reducer is not None else default_reducer()
        _set_random_state(self.reducer_, rng)
        if not self.bounded_memory_:
            features = self.vectorizer_.fit_transform(texts)
            n_components = _reducer_components(self.reducer_)
            if n_components is not None and features.shape[1] <= n_components:
                _set_components(self.reducer_, max(1, features.shape[1] - 1))
            return np.asarray(self.reducer_.fit_transform(features))
        sample = rng.choice(len(texts), size=min(len(texts), self.sample_size), replace=False)
        self._say(f"bounded-memory mode: fitting features on a sample of {sample.size}")
        self.reducer_.fit(self.vectorizer_.fit_transform([texts[i] for i in sample]))
        return self._embed(texts)

    def _embed(self, texts: Sequence[str], chunk: int = 20_000) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), chunk):
            part = self.reducer_.transform(self.vectorizer_.transform(texts[start : start + chunk]))
            parts.append(np.asarray(part, dtype=np.float32))
            if len(texts) > chunk:
                self._say(f"embedded {min(start + chunk, len(texts))} of {len(texts)} comments")
        return np.vstack(parts)

    def _make_clusterer(self, k: int, seed_vectors: np.ndarray | None, rng: np.random.RandomState) -> Any:
        base = self.clusterer if self.clusterer is not None else MergedKMeans(mini_batch=self.bounded_memory_)
        model = clone(base)
        params: dict[str, Any] = {"n_clusters": k}
        if "random_state" in model.get_params():
            params["random_state"] = rng.randint(np.iinfo(np.int32).max)
        if seed_vectors is not None and "seed_centers" in model.get_params():
            params["seed_centers"] = seed_vectors
        return model.set_params(**params)

    def _choose_k(self, vectors: np.ndarray, seed_vectors: np.ndarray | None, rng: np.random.RandomState) -> int:
        low, high = self.k_range
        n_seeds = 0 if seed_vectors is None else len(seed_vectors)
        if self.k != "auto":
            if not isinstance(self.k, int | np.integer) or isinstance(self.k, bool) or self.k < 1:
                raise ValueError(f"k must be 'auto' or a positive whole number, not {self.k!r}")
            return int(min(self.k, len(vectors)))
        low, high = max(low, n_seeds, 2), max(min(high, len(vectors) - 1), 2)
        if high <= low:
            return max(min(low, len(vectors) - 1), 1)
        probe = self._make_clusterer(low, seed_vectors, rng)
        if hasattr(probe, "ward_gap_k"):
            probe.fit(vectors)
            chosen = probe.ward_gap_k(low, high)
            if chosen is not None:
                self.k_scores_ = dict(probe.gap_ratios_)
                self._probe_ = probe
                return int(chosen)
        return self._silhouette_k(vectors, seed_vectors, low, high, rng)

    def _silhouette_k(
        self,
        vectors: np.ndarray,
        seed_vectors: np.ndarray | None,
        low: int,
        high: int,
        rng: np.random.RandomState,
    ) -> int:
        """Fallback for injected clusterers: best mean silhouette (cosine) on a sample of ≤ 3000."""
        sample = rng.choice(len(vectors), size=min(len(vectors), 3000), replace=False)
        data = vectors[sample]
        scores = {}
        for k in range(low, high + 1):
            labels = self._make_clusterer(k, seed_vectors, check_random_state(0)).fit_predict(data)
            if len(set(labels)) > 1:
                scores[k] = float(silhouette_score(data, labels, metric="cosine"))
        self.k_scores_ = scores
        return max(scores, key=lambda k: (round(scores[k], 3), -k)) if scores else low

    # -- describing --------------------------------------------------------------------------------

    def _describe(
        self,
        texts: list[str],
        positions: np.ndarray,
        vectors: np.ndarray,
        labels: np.ndarray,
        seeds: list[SeedTheme],
        seed_vectors: np.ndarray | None,
        rng: np.random.RandomState,
    ) -> list[Theme]:
        n_themes = int(labels.max()) + 1
        sample = np.arange(len(texts))
        if len(texts) > self.sample_size * 5:
            sample = np.sort(rng.choice(len(texts), size=self.sample_size * 5, replace=False))
        counter = CountVectorizer(analyzer=ComplaintAnalyzer(ngram_range=(1, 3)), min_df=2)
        try:
            counts = counter.fit_transform([texts[i] for i in sample])
        except ValueError:  # every phrase occurs once: fall back to all of them
            counter = CountVectorizer(analyzer=ComplaintAnalyzer(ngram_range=(1, 3)))
            counts = counter.fit_transform([texts[i] for i in sample])
        weights = class_tfidf(counts, labels[sample], n_themes)
        terms = top_terms(weights, list(counter.get_feature_names_out()), skip=NEGATIONS | {"được"})
        centers = np.vstack([vectors[labels == c].mean(axis=0) for c in range(n_themes)])
        examples = representatives(vectors, labels, centers, self.n_representatives)
        codes = self._seed_codes(seeds, seed_vectors, centers, n_themes)
        sizes = np.bincount(labels, minlength=n_themes)
        themes = []
        for c in range(n_themes):
            seed = codes.get(c)
            themes.append(
                Theme(
                    cluster=c,
                    name=seed.name_vi if seed else theme_name(terms[c]),
                    size=int(sizes[c]),
                    share=float(sizes[c] / len(texts)),
                    top_terms=terms[c],
                    representatives=[int(positions[i]) for i in examples[c]],
                    code=seed.code if seed else None,
                )
            )
        return themes

    def _absorb_into_seeds(self, labels: np.ndarray, vectors: np.ndarray, seed_vectors: np.ndarray) -> np.ndarray:
        """Guided assignment: each seed theme's home is its most similar theme; found themes very close
        to a seed theme join its home. Seeded starting centres can drift, so homes go by similarity."""
        n_themes = int(labels.max()) + 1
        similarity = _centroid_similarity(vectors, labels, n_themes, seed_vectors)
        homes = _seed_homes(similarity)
        target = np.arange(n_themes)
        live = sorted(homes)
        for cluster in set(range(n_themes)) - set(homes.values()):
            if not live:
                break
            best = live[int(np.argmax(similarity[cluster, live]))]
            if similarity[cluster, best] >= SEED_ABSORB_MIN_SIMILARITY:
                target[cluster] = homes[best]
        # Every theme index occurs in labels_ and in the fine mapping, so both renumber alike.
        renumber = np.cumsum(np.bincount(target, minlength=n_themes) > 0) - 1
        clusterer: Any = self.clusterer_
        if hasattr(clusterer, "fine_to_cluster_"):  # keep predict() consistent with labels_
            clusterer.fine_to_cluster_ = renumber[target[clusterer.fine_to_cluster_]]
        return np.asarray(renumber[target[labels]])

    def _seed_codes(
        self, seeds: list[SeedTheme], seed_vectors: np.ndarray | None, centers: np.ndarray, n_themes: int
    ) -> dict[int, SeedTheme]:
        """Which theme carries which official seed theme: the seed's most similar theme, if close enough."""
        if not seeds or seed_vectors is None:
            return {}
        unit = centers / (np.linalg.norm(centers, axis=1, keepdims=True) + 1e-12)
        return {cluster: seeds[index] for index, cluster in _seed_homes(unit @ seed_vectors.T).items()}

    # -- using a fitted themer ---------------------------------------------------------------------

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """The reduced, unit-length vectors the themes were found in (comments without words: zeros)."""
        check_is_fitted(self, "themes_")
        texts = [t if isinstance(t, str) else "" for t in texts]
        return self._embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Theme of new comments (-1 for comments with no usable words)."""
        check_is_fitted(self, "themes_")
        texts = [t if isinstance(t, str) else "" for t in texts]
        result = np.full(len(texts), NO_THEME, dtype=int)
        if not texts:
            return result
        vectors = self._embed(texts)
        usable = np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)
        if usable.size:
            result[usable] = self.clusterer_.predict(vectors[usable])
        return result

    def fit_predict(self, texts: Sequence[str], y: Any = None) -> np.ndarray:
        return np.asarray(self.fit(texts).labels_)

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


def _centroid_similarity(
    vectors: np.ndarray, labels: np.ndarray, n_themes: int, seed_vectors: np.ndarray
) -> np.ndarray:
    centers = np.vstack([vectors[labels == c].mean(axis=0) for c in range(n_themes)])
    centers /= np.linalg.norm(centers, axis=1, keepdims=True) + 1e-12
    return np.asarray(centers @ seed_vectors.T)


def _seed_homes(similarity: np.ndarray) -> dict[int, int]:
    """Seed index → theme index: greedily the most similar pairs first, one seed per theme, above a floor."""
    homes: dict[int, int] = {}
    taken: set[int] = set()
    for flat in np.argsort(-similarity, axis=None, kind="stable"):
        cluster, seed = np.unravel_index(flat, similarity.shape)
        if similarity[cluster, seed] < SEED_MATCH_MIN_SIMILARITY:
            break
        if seed not in homes and cluster not in taken:
            homes[int(seed)] = int(cluster)
            taken.add(int(cluster))
    return homes


def _set_random_state(estimator: Any, rng: np.random.RandomState) -> None:
    """Give every stage that takes a random_state a seed drawn from the themer's own."""
    keys = [key for key in estimator.get_params() if key == "random_state" or key.endswith("__random_state")]
    estimator.set_params(**{key: rng.randint(np.iinfo(np.int32).max) for key in keys})


def _reducer_components(reducer: Any) -> int | None:
    for key, value in reducer.get_params().items():
        if key == "n_components" or key.endswith("__n_components"):
            return int(value)
    return None


def _set_components(reducer: Any, n_components: int) -> None:
    keys = [k for k in reducer.get_params() if k == "n_components" or k.endswith("__n_components")]
    reducer.set_params(**dict.fromkeys(keys, n_components))


__all__ = ["NO_THEME", "ComplaintThemer", "normalise"]
