"""Human-readable names and examples for complaint themes, in whole Vietnamese words.

Officials read theme names, not cluster numbers. A name is the few most distinctive phrases of a theme
(class-based TF-IDF) made only of whole words: comments are cut into words by pyvi's offline segmenter
("kiến nghị", "xem xét", never "nghị xem"), phrases are one or two whole words inside one clause, and a
phrase may name a theme only if several of the theme's own comments contain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from analysis.text import _CLAUSE_BREAK as CLAUSE_BREAK
from analysis.text import NEGATIONS, ngrams, normalise, stopwords, syllables, word_segmenter

NAMING_SAMPLE = 20_000
# Words that say nothing about a theme on their own (negations, degree and aspect particles).
SKIP_WORDS = NEGATIONS | frozenset("được bị rất quá lắm thì nữa mới cũng vẫn qua nhiều nhieu đã".split())


@dataclass
class Theme:
    """One fitted theme. `code` is the official code (from the classifier), or None for a theme found in the data."""

    cluster: int
    name: str
    size: int
    share: float
    top_terms: list[str]
    representatives: list[int] = field(default_factory=list)
    code: str | None = None

    @property
    def label(self) -> str:
        """What a machine-readable output writes: the official code if there is one, else the name."""
        return self.code or self.name


def class_tfidf(counts: sparse.spmatrix, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Class-based TF-IDF: how distinctive each term is of each theme.

    Formula from BERTopic (Grootendorst 2022, arXiv:2203.05794): W(t, c) = tf(t, c) · log(1 + A / f(t)),
    tf(t, c) the frequency of t in theme c (normalised by the theme's length), f(t) the frequency of t
    over all themes, A the average number of terms per theme.
    """
    per_class = np.asarray((_membership(labels, n_classes) @ sparse.csr_matrix(counts)).todense(), dtype=float)
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.maximum(totals, 1.0)
    idf = np.log1p(totals.mean() / np.maximum(per_class.sum(axis=0), 1.0))
    return np.asarray(tf * idf)


def _membership(labels: np.ndarray, n_classes: int) -> sparse.csr_matrix:
    labels = np.asarray(labels)
    keep = np.flatnonzero((labels >= 0) & (labels < n_classes))
    return sparse.csr_matrix((np.ones(keep.size), (labels[keep], keep)), shape=(n_classes, len(labels)))


def top_terms(
    weights: np.ndarray,
    vocabulary: Sequence[str],
    n_terms: int = 8,
    skip: frozenset[str] = frozenset(),
    eligible: np.ndarray | None = None,
) -> list[list[str]]:
    """Per theme, the most distinctive phrases (each phrase: whole words joined by spaces).

    Most Vietnamese words have two syllables ("màn hình", "thái độ"), so a phrase of n syllables has its
    weight multiplied by n; a phrase sharing a syllable with a better one is skipped ("thái độ" then not
    "thái độ cán bộ"), and so are phrases whose every syllable is in `skip`. `eligible` (themes × terms,
    boolean) limits each theme to the phrases enough of its comments contain.
    """
    lengths = np.array([term.count(" ") + term.count("_") + 1 for term in vocabulary], dtype=float)
    result = []
    for row_index, row in enumerate(weights * lengths):
        chosen: list[str] = []
        used: set[str] = set()
        for index in np.argsort(-row, kind="stable"):
            if row[index] <= 0 or len(chosen) >= n_terms:
                break
            if eligible is not None and not eligible[row_index, index]:
                continue
            words = vocabulary[index].split(" ")
            if used.intersection(words) or all(w in skip for w in words):
                continue
            chosen.append(vocabulary[index])
            used.update(words)
        result.append(chosen)
    return result


def theme_name(terms: Sequence[str], n_words: int = 3) -> str:
    """A short name from the leading distinctive phrases, e.g. "thái độ, hách dịch, cán bộ"."""
    return ", ".join(terms[:n_words]) if terms else "(không rõ chủ đề)"


def word_phrases(text: str) -> list[str]:
    """Phrases of one or two whole words within a clause, words joined inside by "_" ("thái_độ hách_dịch").

    Words come from pyvi. A two-word phrase needs two words of two or more syllables, or a negation
    and such a word ("không đăng_nhập"): "cán_bộ gây" or "lại hồ_sơ" read as fragments. Phrases that
    start or end with a stopword, or hold a digit, are left out. Without pyvi the syllables are the
    words and only single syllables are used, so that no phrase cuts a word in two.
    """
    segmenter = word_segmenter()
    skip = stopwords()
    phrases: list[str] = []
    for part in CLAUSE_BREAK.split(normalise(text)):
        if segmenter is None:
            phrases.extend(ngrams(syllables(part), (1,), skip))
            continue
        words = [word.replace(" ", "_") for word in segmenter(part)]
        phrases.extend(gram for gram in ngrams(words, (1, 2), skip) if _reads_whole(gram))
    return phrases


def _reads_whole(phrase: str) -> bool:
    words = phrase.split(" ")
    if len(words) == 1:
        return True
    return "_" in words[-1] and ("_" in words[0] or words[0] in NEGATIONS)


def display(term: str) -> str:
    """A phrase as people read it: "thái_độ hách_dịch" → "thái độ hách dịch"."""
    return term.replace("_", " ")


def describe_terms(
    texts: Sequence[str],
    labels: np.ndarray,
    n_themes: int,
    scores: np.ndarray,
    n_examples: int,
    by_score: Sequence[bool],
    n_terms: int = 8,
) -> tuple[list[list[str]], list[list[int]]]:
    """Per theme: its distinctive whole-word phrases and the indices of the comments to show.

    A phrase is eligible for a theme when at least max(2, 3 % of its sampled comments) of them contain it
    (one comment suffices in a theme of one). Examples: for themes with `by_score` (classifier themes), the
    comments with the highest `scores`; otherwise the comments that contain most of the theme's leading
    phrases, shorter ones first.
    """
    labels = np.asarray(labels)
    themed = np.flatnonzero(labels >= 0)
    sample = themed
    if themed.size > NAMING_SAMPLE:
        sample = np.sort(np.random.RandomState(0).choice(themed, size=NAMING_SAMPLE, replace=False))
    phrases = [word_phrases(texts[int(i)]) for i in sample]
    vocabulary = sorted({p for doc in phrases for p in doc})
    if not vocabulary:
        return [[] for _ in range(n_themes)], [_first(labels, t, n_examples) for t in range(n_themes)]
    column = {term: j for j, term in enumerate(vocabulary)}
    rows = np.repeat(np.arange(len(phrases)), [len(doc) for doc in phrases])
    columns = np.fromiter((column[p] for doc in phrases for p in doc), dtype=int)
    counts = sparse.csr_matrix((np.ones(columns.size), (rows, columns)), shape=(len(phrases), len(vocabulary)))
    sample_labels = labels[sample]
    membership = _membership(sample_labels, n_themes)
    presence = counts.copy()
    presence.data[:] = 1.0
    in_theme = np.asarray((membership @ presence).todense())
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    needed = np.minimum(np.maximum(2, np.ceil(0.03 * sizes)), np.maximum(sizes, 1))
    eligible = in_theme >= needed[:, None]
    raw = top_terms(class_tfidf(counts, sample_labels, n_themes), vocabulary, n_terms, SKIP_WORDS, eligible)
    position = {int(i): j for j, i in enumerate(sample)}
    examples = []
    for theme in range(n_themes):
        members = [int(i) for i in np.flatnonzero(labels == theme)]
        if by_score[theme] or not raw[theme]:
            order = sorted(members, key=lambda i: (-float(scores[i]), len(texts[i]), i))
        else:
            lead = set(raw[theme][:3])
            order = sorted(
                members,
                key=lambda i: (
                    -len(lead.intersection(phrases[position[i]])) if i in position else 0,
                    abs(len(texts[i]) - 80),
                    i,
                ),
            )
        examples.append([int(i) for i in order[:n_examples]])
    return [[display(term) for term in found] for found in raw], examples


def _first(labels: np.ndarray, theme: int, n: int) -> list[int]:
    return [int(i) for i in np.flatnonzero(labels == theme)[:n]]


__all__ = [
    "Theme",
    "class_tfidf",
    "describe_terms",
    "display",
    "theme_name",
    "top_terms",
    "word_phrases",
]
