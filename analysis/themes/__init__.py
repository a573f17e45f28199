"""Complaint themes: the official-theme classifier, its taxonomy, and the naming of emergent themes.

Importing this package is cheap (no scikit-learn): the classifier is loaded on first use by
`load_default_model()` or `classify()`.
"""

from analysis.themes.model import classify, evaluate, load_default_model, read_corpus, save_model, train
from analysis.themes.naming import Theme, class_tfidf, describe_terms, theme_name, top_terms
from analysis.themes.taxonomy import (
    NON_COMPLAINT_CODES,
    OFFICIAL_CODES,
    OTHER,
    SeedTheme,
    load_seed_themes,
    load_taxonomy,
)

__all__ = [
    "NON_COMPLAINT_CODES",
    "OFFICIAL_CODES",
    "OTHER",
    "SeedTheme",
    "Theme",
    "class_tfidf",
    "classify",
    "describe_terms",
    "evaluate",
    "load_default_model",
    "load_seed_themes",
    "load_taxonomy",
    "read_corpus",
    "save_model",
    "theme_name",
    "top_terms",
    "train",
]
