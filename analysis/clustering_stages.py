"""The default, swappable stages of complaint theming: vectoriser, reducer, clusterer.

Measured on real Vietnamese feedback (bench/bench_clustering.py): word unigrams (pyvi's offline
segmenter when installed, else syllables) with sublinear TF, L2-normalised LSA, and many small k-means
clusters merged by size-weighted Ward linkage recover human themes better than TF-IDF bigrams + SVD +
k-means, whose big themes get split at random. Tried and not kept (5 seeds, both corpora): syllable
bigrams, spectral clustering or connectivity-constrained Ward on the kNN graph, co-association
consensus over k-means restarts, LSA 50/200 dimensions, 15–100 small clusters (each helped one
corpus and hurt the other, or changed nothing beyond seed noise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from analysis.text import ComplaintAnalyzer, word_segmenter

GAP_TOLERANCE = 0.02


def default_vectorizer(min_df: int = 2, segment_words: bool = True) -> TfidfVectorizer:
    """Word unigrams of normalised comments, stopwords out, sublinear TF, terms seen `min_df`+ times.

    Words come from pyvi's offline segmenter when it is installed and `segment_words` is set, else
    the syllables are the words.
    """
    analyzer = ComplaintAnalyzer(ngram_range=(1, 1), segmenter=word_segmenter() if segment_words else None)
    return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min_df)


def bounded_memory_vectorizer(n_features: int = 2**18) -> Pipeline:
    """Syllable features through a stateless hash, so memory does not grow with the vocabulary.

    No word segmenter here: at about 1 ms a comment it alone would take 10–20 minutes for 1 M comments.
    """
    hashing = HashingVectorizer(
        analyzer=ComplaintAnalyzer(ngram_range=(1, 1)), n_features=n_features, alternate_sign=False, norm=None
    )
    return make_pipeline(hashing, TfidfTransformer(sublinear_tf=True))


def default_reducer(n_components: int = 100) -> Pipeline:
    """LSA: truncated SVD, then unit length so Euclidean k-means works as cosine (spherical) k-means."""
    return make_pipeline(TruncatedSVD(n_components=n_components), Normalizer(copy=False))


def ward_merge(
    centers: np.ndarray, weights: np.ndarray, n_groups: int, cannot_link: np.ndarray
) -> tuple[np.ndarray, list[float]]:
    """Merge centres into `n_groups` by size-weighted Ward linkage: the group of each centre, merge costs.

    Ward's criterion (Ward 1963): merging A and B costs |A||B| / (|A|+|B|) · ||c_A − c_B||².
    Two centres with different non-negative `cannot_link` tags (seeded themes) never merge.
    """
    centers = centers.astype(float).copy()
    sizes = np.maximum(weights.astype(float), 1e-9)
    tags = cannot_link.copy()
    groups = [[i] for i in range(len(centers))]
    alive = list(range(len(centers)))
    costs: list[float] = []
    while len(alive) > n_groups:
        best: tuple[float, int, int] | None = None
        for ai, a in enumerate(alive):
            for b in alive[ai + 1 :]:
                if tags[a] >= 0 and tags[b] >= 0 and tags[a] != tags[b]:
                    continue
                cost = sizes[a] * sizes[b] / (sizes[a] + sizes[b]) * float(np.sum((centers[a] - centers[b]) ** 2))
                if best is None or cost < best[0]:
                    best = (cost, a, b)
        if best is None:
            break  # only differently seeded centres are left
        cost, a, b = best
        costs.append(cost)
        centers[a] = (sizes[a] * centers[a] + sizes[b] * centers[b]) / (sizes[a] + sizes[b])
        sizes[a] += sizes[b]
        tags[a] = max(tags[a], tags[b])
        groups[a].extend(groups[b])
        alive.remove(b)
    assignment = np.empty(len(centers), dtype=int)
    for group_index, a in enumerate(alive):
        assignment[groups[a]] = group_index
    return assignment, costs


class MergedKMeans(ClusterMixin, BaseEstimator):
    """K-means into many small clusters, merged into `n_clusters` themes by weighted Ward linkage.

    Small clusters follow the data's real shape; merging them gives themes of very different sizes
    (complaints are imbalanced), where plain k-means cuts a big theme into equal slices.
    `seed_centers` (rows, unit length) start the first small clusters and never merge with each
    other, which is how official seed themes guide the result. `mini_batch` bounds memory and time.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        n_fine: int = 30,
        n_init: int = 10,
        seed_centers: np.ndarray | None = None,
        mini_batch: bool = False,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.n_fine = n_fine
        self.n_init = n_init
        self.seed_centers = seed_centers
        self.mini_batch = mini_batch
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> MergedKMeans:
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        rng = check_random_state(self.random_state)
        seeds = np.empty((0, X.shape[1])) if self.seed_centers is None else np.asarray(self.seed_centers)
        if len(seeds) >= X.shape[0]:
            seeds = seeds[:0]  # fewer comments than seed themes: nothing to align, cluster freely
        n_fine = int(min(max(self.n_fine, self.n_clusters, len(seeds) + 1), X.shape[0]))
        init: Any = "k-means++"
        if len(seeds):
            init = np.vstack([seeds, _plus_plus(X, seeds, n_fine - len(seeds), rng)]).astype(X.dtype)
        self.fine_model_ = self._fine_model(n_fine, init, rng).fit(X)
        self.n_seeds_ = len(seeds)
        return self.cut(min(self.n_clusters, n_fine))

    def cut(self, n_clusters: int) -> MergedKMeans:
        """Re-merge the fitted small clusters into `n_clusters` themes (cheap: no new k-means)."""
        check_is_fitted(self, "fine_model_")
        fine = self.fine_model_
        n_fine = fine.cluster_centers_.shape[0]
        weights = np.bincount(fine.labels_, minlength=n_fine)
        tags = np.full(n_fine, -1)
        tags[: self.n_seeds_] = np.arange(self.n_seeds_)
        self.fine_to_cluster_, self.merge_costs_ = ward_merge(fine.cluster_centers_, weights, n_clusters, tags)
        self.labels_ = self.fine_to_cluster_[fine.labels_]
        self.n_clusters_ = int(self.fine_to_cluster_.max()) + 1
        self.cluster_centers_ = np.vstack(
            [
                np.average(fine.cluster_centers_[group], axis=0, weights=np.maximum(weights[group], 1e-9))
                for group in (np.flatnonzero(self.fine_to_cluster_ == c) for c in range(self.n_clusters_))
            ]
        )
        self.seed_cluster_ = self.fine_to_cluster_[: self.n_seeds_]
        return self

    def ward_gap_k(self, low: int, high: int) -> int | None:
        """The number of themes in [low, high] after which the next merge costs most, relatively.

        The classic dendrogram-gap rule (e.g. Mojena 1977 in spirit): stop merging just before a merge
        that is much dearer than the one before it, i.e. maximise cost(k → k−1) / cost(k+1 → k).
        Needs a fit with n_clusters ≤ low; None when the history is too short.
        """
        check_is_fitted(self, "merge_costs_")
        n_fine = self.fine_model_.cluster_centers_.shape[0]
        costs = self.merge_costs_  # costs[i]: merging n_fine − i groups into n_fine − i − 1

        def merge_cost(groups: int) -> float | None:
            index = n_fine - groups
            return costs[index] if 0 <= index < len(costs) else None

        ratios = {}
        for k in range(max(low, 2), high + 1):
            down, before = merge_cost(k), merge_cost(k + 1)
            if down is not None and before is not None and before > 0:
                ratios[k] = down / before
        self.gap_ratios_ = ratios
        if not ratios:
            return None
        # Gaps within 2 % of the largest are alike: prefer fewer themes, an official reads every one.
        best = max(ratios.values())
        return min(k for k, ratio in ratios.items() if ratio >= best * (1 - GAP_TOLERANCE))

    def _fine_model(self, n_fine: int, init: Any, rng: np.random.RandomState) -> KMeans | MiniBatchKMeans:
        seed = rng.randint(np.iinfo(np.int32).max)
        n_init = 1 if not isinstance(init, str) else self.n_init
        if self.mini_batch:
            return MiniBatchKMeans(n_fine, init=init, n_init=n_init, batch_size=4096, random_state=seed)
        return KMeans(n_fine, init=init, n_init=n_init, random_state=seed)

    def predict(self, X: Any) -> np.ndarray:
        """Theme of new vectors: the theme of their nearest small cluster."""
        check_is_fitted(self, "fine_model_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        X = X.astype(self.fine_model_.cluster_centers_.dtype, copy=False)
        return np.asarray(self.fine_to_cluster_[self.fine_model_.predict(X)])


def _plus_plus(X: np.ndarray, existing: np.ndarray, n_new: int, rng: np.random.RandomState) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007) continued from centres already chosen."""
    sample = X[rng.choice(X.shape[0], size=min(X.shape[0], 20000), replace=False)]
    centers = list(existing)
    if not centers:
        centers.append(sample[rng.randint(len(sample))])
        n_new -= 1
    distance = np.min([np.sum((sample - c) ** 2, axis=1) for c in centers], axis=0)
    chosen = []
    for _ in range(max(n_new, 0)):
        total = distance.sum()
        index = rng.randint(len(sample)) if total <= 0 else rng.choice(len(sample), p=distance / total)
        chosen.append(sample[index])
        distance = np.minimum(distance, np.sum((sample - sample[index]) ** 2, axis=1))
    if existing is None or len(existing) == 0:
        chosen.insert(0, centers[0])
    return np.asarray(chosen).reshape(-1, X.shape[1])
