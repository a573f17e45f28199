"""Benchmark complaint themes: emergent-theme quality on real corpora, classifier quality, speed and memory.

Not part of the test suite; reads the research corpora from ../shared/data (never copied into the project).

1. Emergent themes (`--seed-themes none`: no taxonomy, no classifier) on VSFC complaints (sentiment
   negative, labelled by topic) and ViSFD single-aspect complaints (labelled by aspect), train + dev rows:
   NMI of `ComplaintThemer` (k=auto, as the command runs it) beside the plain baseline TF-IDF syllable
   1–2-grams + TruncatedSVD(100) + KMeans(k = number of labels), mean over 5 seeds; and whether every
   word of every theme name occurs, as whole words, in a comment of that theme.
2. The official-theme classifier: test-split metrics of the shipped model (analysis/data/themes/metrics.json).
3. Cost of classifying: time per comment, and time and peak Python memory (tracemalloc) for 100 k comments,
   extrapolated linearly to 1 M (classification is chunked, so memory does not grow with the input).

    python bench/bench_themes.py [--data-dir ../shared/data] [--seeds 5] [--skip-cost]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.clustering import ComplaintThemer
from analysis.text import normalise
from analysis.themes import Theme
from analysis.themes.model import METRICS_FILE, classify, data_dir, load_default_model, read_corpus


def load_corpora(data_dir: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    """VSFC negative feedback labelled by topic; ViSFD single-aspect complaints labelled by aspect."""
    with (data_dir / "vsfc_dev.csv").open(encoding="utf-8") as handle:
        vsfc = [r for r in csv.DictReader(handle) if r["sentiment_name"] == "negative"]
    with (data_dir / "visfd_dev.csv").open(encoding="utf-8") as handle:
        visfd = [r for r in csv.DictReader(handle) if r["single_neg_aspect"]]
    return {
        "VSFC complaints": ([r["text"] for r in vsfc], np.array([r["topic_name"] for r in vsfc])),
        "ViSFD single-aspect": ([r["text"] for r in visfd], np.array([r["single_neg_aspect"] for r in visfd])),
    }


def baseline(texts: list[str], k: int, seed: int) -> np.ndarray:
    features = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    reduced = TruncatedSVD(100, random_state=seed).fit_transform(features)
    return np.asarray(KMeans(k, random_state=seed).fit_predict(reduced))


def names_are_whole_words(themer: ComplaintThemer, texts: list[str]) -> tuple[int, int]:
    """(themes whose every name phrase occurs as whole words in one of the theme's comments, themes)."""
    normalised = [normalise(t) for t in texts]
    good = 0
    for theme in themer.themes_:
        members = [normalised[i] for i in np.flatnonzero(themer.labels_ == theme.cluster)]
        phrases = [p.strip() for p in theme.name.split(",")]
        good += all(any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", m) for m in members) for p in phrases)
    return good, len(themer.themes_)


def emergent(data_dir: Path, seeds: int, **params: Any) -> None:
    print(f"== emergent themes, --seed-themes none, mean of {seeds} seeds", flush=True)
    print(f"   {'corpus':<22}{'n':>6}{'labels':>7}{'baseline':>10}{'ours':>8}{'ratio':>7}{'themes':>8}  names whole")
    for corpus, (texts, truth) in load_corpora(data_dir).items():
        k = len(set(truth))
        base, ours, counts, whole = [], [], [], []
        started = time.perf_counter()
        for seed in range(seeds):
            base.append(normalized_mutual_info_score(truth, baseline(texts, k, seed)))
            themer = ComplaintThemer(random_state=seed, **params).fit(texts)
            ours.append(normalized_mutual_info_score(truth, themer.labels_))
            counts.append(themer.k_)
            whole.append(names_are_whole_words(themer, texts))
        ratio = np.mean(ours) / np.mean(base)
        names = f"{sum(g for g, _ in whole)}/{sum(n for _, n in whole)}"
        print(
            f"   {corpus:<22}{len(texts):>6}{k:>7}{np.mean(base):>10.3f}{np.mean(ours):>8.3f}{ratio:>7.2f}"
            f"{np.mean(counts):>8.1f}  {names}   ({(time.perf_counter() - started) / seeds:.1f} s/seed)",
            flush=True,
        )
        print("   themes (seed 0): " + "; ".join(f"{t.name} ({t.size})" for t in _seed0(texts, **params)))


def _seed0(texts: list[str], **params: Any) -> list[Theme]:
    return sorted(ComplaintThemer(random_state=0, **params).fit(texts).themes_, key=lambda t: -t.size)[:12]


def classifier_quality() -> None:
    metrics = json.loads((data_dir() / METRICS_FILE).read_text(encoding="utf-8"))
    print("== official-theme classifier, shipped model, test split", flush=True)
    print(
        f"   macro-F1 (8 themes) {metrics['macro_f1_official']:.3f}; accuracy {metrics['accuracy']:.3f};"
        f" multi-label macro-F1 {metrics['multi_label_macro_f1_official']:.3f};"
        f" train {metrics['training_rows']} rows, test {metrics['test_rows']};"
        f" thresholds {metrics['threshold']} / {metrics['second_threshold']}; model {metrics['model_bytes']:,} bytes"
    )
    print("   F1: " + ", ".join(f"{label} {v['f1']:.2f}" for label, v in metrics["per_label"].items()))


def cost(n: int) -> None:
    print("== cost of classifying (one process)", flush=True)
    started = time.perf_counter()
    load_default_model()
    print(f"   model load {time.perf_counter() - started:.2f} s")
    lines = [row["text"] for row in read_corpus()]
    texts = [lines[i % len(lines)] + ("" if i < len(lines) else f" {i}") for i in range(n)]
    started = time.perf_counter()
    classify(texts)
    per = (time.perf_counter() - started) / n
    print(f"   {n:,} comments: {per * n:.1f} s, {per * 1e3:.3f} ms a comment (tracemalloc off)")
    sample = texts[: max(n // 5, 1)]
    tracemalloc.start()
    results = classify(sample)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_result = kept / len(results)
    working = peak - kept
    print(
        f"   memory ({len(sample):,} comments, tracemalloc): working set of the chunked classifier"
        f" {working / 2**20:.0f} MiB, plus {per_result:.0f} bytes a kept result"
    )
    print(
        f"   1,000,000 comments (extrapolated from {n:,}): {per * 1e6 / 60:.1f} min,"
        f" peak ≈ {(working + per_result * 1e6) / 2**20:.0f} MiB (model and input texts not counted)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--skip-emergent", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--cost-size", type=int, default=100_000)
    parser.add_argument("--merge-terms", type=int, default=None, help="ComplaintThemer(merge_terms=…) to try")
    args = parser.parse_args()
    params = {} if args.merge_terms is None else {"merge_terms": args.merge_terms}
    if not args.skip_emergent:
        if not (args.data_dir / "vsfc_dev.csv").is_file():
            print(f"error: no vsfc_dev.csv in {args.data_dir}; pass --data-dir", file=sys.stderr)
            return 2
        emergent(args.data_dir, args.seeds, **params)
    classifier_quality()
    if not args.skip_cost:
        cost(args.cost_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
