"""Official seed themes and the human-readable naming of complaint themes.

Officials read theme names, not cluster numbers: a name is the few most distinctive phrases of a
theme (class-based TF-IDF), and a theme that matches one of the official seed themes carries that
theme's code (for machine-readable outputs) and Vietnamese display name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

DEFAULT_SEED_THEMES = "data/seed_themes.json"


@dataclass(frozen=True)
class SeedTheme:
    """An official theme: `code` for machines, `name_vi` for people, seed phrases citizens write."""

    code: str
    name_vi: str
    seeds: tuple[str, ...]


@dataclass
class Theme:
    """One fitted theme. `code` is the seed theme's code, or None for a theme found in the data."""

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


def load_seed_themes(path: str | Path | None = None) -> list[SeedTheme]:
    """Read seed themes from a JSON file shaped like analysis/data/seed_themes.json (default: that file)."""
    if path is None:
        raw = resources.files("analysis").joinpath(DEFAULT_SEED_THEMES).read_text(encoding="utf-8")
        source = DEFAULT_SEED_THEMES
    else:
        source = str(path)
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{source}: cannot read seed themes ({exc.strerror})") from exc
    try:
        document = json.loads(raw)
        entries = document["themes"] if isinstance(document, dict) else document
        themes = [
            SeedTheme(code=str(e["code"]), name_vi=str(e["name_vi"]), seeds=tuple(map(str, e["seeds"])))
            for e in entries
        ]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{source}: seed themes must be a list of {{code, name_vi, seeds}} objects ({exc})") from exc
    codes = [t.code for t in themes]
    if len(set(codes)) != len(codes) or any(not t.seeds for t in themes):
        raise ValueError(f"{source}: seed theme codes must be unique and every theme needs seed phrases")
    return themes


def class_tfidf(counts: sparse.spmatrix, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Class-based TF-IDF: how distinctive each term is of each theme.

    Formula from BERTopic (Grootendorst 2022, arXiv:2203.05794): W(t, c) = tf(t, c) · log(1 + A / f(t)),
    tf(t, c) the frequency of t in theme c (normalised by the theme's length), f(t) the frequency of t
    over all themes, A the average number of terms per theme.
    """
    membership = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(n_classes, len(labels))
    )
    per_class = np.asarray((membership @ sparse.csr_matrix(counts)).todense(), dtype=float)
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.maximum(totals, 1.0)
    term_totals = per_class.sum(axis=0)
    average = totals.mean()
    idf = np.log1p(average / np.maximum(term_totals, 1.0))
    return np.asarray(tf * idf)


def top_terms(
    weights: np.ndarray, vocabulary: Sequence[str], n_terms: int = 8, skip: frozenset[str] = frozenset()
) -> list[list[str]]:
    """Per theme, the most distinctive terms, as whole words where possible.

    Most Vietnamese words have two syllables ("màn hình", "thái độ"), so a phrase of n syllables has its
    weight multiplied by n; a term sharing a syllable with a better one is skipped ("nội dung" then
    not "dung môn"), and so are bare words in `skip` (negations say nothing about the topic).
    """
    lengths = np.array([term.count(" ") + 1 for term in vocabulary], dtype=float)
    result = []
    for row in weights * lengths:
        chosen: list[str] = []
        used: set[str] = set()
        for index in np.argsort(-row, kind="stable"):
            if row[index] <= 0 or len(chosen) >= n_terms:
                break
            words = vocabulary[index].split(" ")
            if used.intersection(words) or (len(words) == 1 and words[0] in skip):
                continue
            chosen.append(vocabulary[index])
            used.update(words)
        result.append(chosen)
    return result


def theme_name(terms: Sequence[str], n_words: int = 3) -> str:
    """A short name from the leading distinctive phrases, e.g. "thái độ, hách dịch, cán bộ"."""
    return ", ".join(terms[:n_words]) if terms else "(không rõ chủ đề)"


def representatives(
    vectors: np.ndarray, labels: np.ndarray, centers: np.ndarray, per_theme: int = 3
) -> list[list[int]]:
    """Indices of the comments closest (cosine) to each theme centre: the examples an official reads."""
    result: list[list[int]] = []
    norms = np.linalg.norm(vectors, axis=1) + 1e-12
    for cluster, center in enumerate(centers):
        members = np.flatnonzero(labels == cluster)
        if members.size == 0:
            result.append([])
            continue
        similarity = vectors[members] @ center / norms[members]
        order = np.argsort(-similarity, kind="stable")[:per_theme]
        result.append([int(i) for i in members[order]])
    return result


def seed_documents(seeds: Sequence[SeedTheme], normaliser: Callable[[str], str] | None = None) -> list[str]:
    """One pseudo-comment per seed theme (its phrases joined), to place the theme in vector space."""
    documents = [". ".join(theme.seeds) for theme in seeds]
    return [normaliser(d) for d in documents] if normaliser else documents
