"""The default, swappable stages of emergent-theme clustering: word counts and a Dirichlet-multinomial mixture.

Measured on real Vietnamese feedback (bench/bench_themes.py, `--seed-themes none`, 5 seeds): whole words
(pyvi's offline segmenter) counted once, plus once more in the clauses that carry the complaint ("pin
tốt nhưng camera mờ" counts "camera mờ" twice), clustered by a Dirichlet-multinomial mixture fitted by
collapsed Gibbs sampling (GSDMM, Yin & Wang 2014, made for short texts: one topic per comment). This
recovers human themes better than TF-IDF + LSA + k-means, which the previous default used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import gammaln
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from analysis.text import _CLAUSE_BREAK as CLAUSE_BREAK
from analysis.text import ComplaintAnalyzer, normalise, syllables, word_segmenter

# Syllables that mark a clause as a complaint: negations, "bị" (adversative passive), and common
# negative judgements in public-service, product and course feedback. Hand-written, normalised.
COMPLAINT_CUES = frozenset(
    "không chưa chẳng chả bị kém yếu chậm lâu tệ dở lỗi hỏng hư hao nóng đơ giật lag mờ rè đắt khó thiếu"
    " mất tốn ít xấu sai trễ hết quá khong chua bi kem yeu cham lau te loi hong thieu mat ton sai tre".split()
)


class FocusedAnalyzer:
    """A picklable analyzer: the words of a comment, and again the words of its complaint clauses.

    `segment`: whole words from pyvi when installed (else syllables). Single words only (n-grams of
    words add little for clustering and double the vocabulary).
    """

    def __init__(self, segment: bool = True, repeat: int = 1) -> None:
        self.segment = segment
        self.repeat = repeat

    def __call__(self, text: str) -> list[str]:
        analyzer = ComplaintAnalyzer(ngram_range=(1, 1), segmenter=word_segmenter() if self.segment else None)
        clean = normalise(text)
        complaint = [part for part in CLAUSE_BREAK.split(clean) if COMPLAINT_CUES.intersection(syllables(part))]
        if complaint and self.repeat:
            clean = " . ".join([clean, *(complaint * self.repeat)])
        return analyzer(clean)


def default_vectorizer(n_comments: int, segment_words: bool = True) -> CountVectorizer:
    """Word counts: words seen in 2+ comments (all words in small inputs), none in more than half."""
    small = n_comments < 500
    return CountVectorizer(
        analyzer=FocusedAnalyzer(segment=segment_words),
        min_df=1 if small else 2,
        max_df=1.0 if n_comments < 50 else 0.5,
        dtype=np.float64,
    )


def bounded_memory_vectorizer(n_features: int = 2**18) -> HashingVectorizer:
    """Syllable counts through a stateless hash, so memory does not grow with the vocabulary.

    No word segmenter here: at about 0.2 ms a comment it would add minutes to a million comments.
    """
    return HashingVectorizer(
        analyzer=FocusedAnalyzer(segment=False), n_features=n_features, alternate_sign=False, norm=None
    )


class DirichletMultinomialMixture(ClusterMixin, BaseEstimator):
    """Cluster short texts (rows of a count matrix) with one topic each, by collapsed Gibbs sampling.

    GSDMM (Yin & Wang 2014, "A Dirichlet multinomial mixture model-based approach for short text
    clustering", KDD): p(z_d = k | rest) ∝ (m_k + α) · Π_w Π_{j<c_dw} (n_kw + β + j) / Π_{i<L_d} (n_k + Vβ + i).
    Starting from `n_clusters`, clusters that lose all members stay empty, so the result may have fewer;
    `labels_` are renumbered 0..n_clusters_-1. Columns never used in the fitted data are ignored.
    """

    def __init__(
        self,
        n_clusters: int = 20,
        alpha: float = 0.1,
        beta: float = 0.1,
        max_iter: int = 30,
        tol: float = 0.01,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.beta = beta
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> DirichletMultinomialMixture:
        counts = sparse.csr_matrix(X, dtype=np.float64)
        if counts.shape[0] < 1 or (counts.data < 0).any():
            raise ValueError("DirichletMultinomialMixture needs a non-empty matrix of non-negative counts")
        rng = check_random_state(self.random_state)
        self.n_features_in_ = counts.shape[1]
        self.columns_ = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel() > 0)
        counts = counts[:, self.columns_]
        z = self._sample(counts, rng)
        used, labels = np.unique(z, return_inverse=True)
        self.labels_ = labels.astype(int)
        self.n_clusters_ = int(used.size)
        self.word_counts_ = np.vstack(
            [np.asarray(counts[self.labels_ == c].sum(axis=0)).ravel() for c in range(self.n_clusters_)]
        )
        self.sizes_ = np.bincount(self.labels_, minlength=self.n_clusters_)
        return self

    def _sample(self, counts: sparse.csr_matrix, rng: np.random.RandomState) -> np.ndarray:
        n_docs, n_words = counts.shape
        k = int(max(1, min(self.n_clusters, n_docs)))
        z = rng.randint(k, size=n_docs)
        members = np.bincount(z, minlength=k).astype(float)
        word_counts = np.zeros((k, n_words))
        for cluster in range(k):
            word_counts[cluster] = np.asarray(counts[z == cluster].sum(axis=0)).ravel()
        totals = word_counts.sum(axis=1)
        vocabulary_prior = n_words * self.beta
        docs = [
            (
                counts.indices[counts.indptr[d] : counts.indptr[d + 1]],
                counts.data[counts.indptr[d] : counts.indptr[d + 1]],
            )
            for d in range(n_docs)
        ]
        for _ in range(self.max_iter):
            moved = 0
            for d in rng.permutation(n_docs):
                words, freq = docs[d]
                if words.size == 0:
                    continue
                old, length = z[d], freq.sum()
                members[old] -= 1
                word_counts[old, words] -= freq
                totals[old] -= length
                shifted = word_counts[:, words] + self.beta
                log_p = np.log(members + self.alpha)
                log_p += (gammaln(shifted + freq) - gammaln(shifted)).sum(axis=1)
                log_p -= gammaln(totals + vocabulary_prior + length) - gammaln(totals + vocabulary_prior)
                p = np.exp(log_p - log_p.max())
                new = rng.choice(k, p=p / p.sum())
                z[d] = new
                members[new] += 1
                word_counts[new, words] += freq
                totals[new] += length
                moved += new != old
            if moved <= self.tol * n_docs:
                break
        return z

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log posterior of each cluster for new rows (multinomial likelihood under the fitted clusters)."""
        check_is_fitted(self, "word_counts_")
        counts = sparse.csr_matrix(X, dtype=np.float64)[:, self.columns_]
        n_words = self.word_counts_.shape[1]
        log_phi = np.log(self.word_counts_ + self.beta) - np.log(
            self.word_counts_.sum(axis=1, keepdims=True) + n_words * self.beta
        )
        log_p = np.log(self.sizes_ + self.alpha) + np.asarray(counts @ log_phi.T)
        return log_p - np.logaddexp.reduce(log_p, axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable cluster of each row."""
        return np.asarray(self.predict_log_proba(X).argmax(axis=1))
