"""Benchmark complaint theming: quality on the real labelled corpora, and cost at 100 k / 1 M comments.

Not part of the test suite. Quality: NMI / ARI / purity, mean ± std over 5 seeds, at k = number of
labels, for `ComplaintThemer` (no seed themes: the corpora are about courses and phones) next to the
plain baseline TF-IDF syllable 1–2-grams + TruncatedSVD(100) + KMeans run in the same process.
Cost: wall time and peak memory (RSS high-water mark of a child process) for synthetic volumes made by
recombining real complaint sentences.

    python bench/bench_clustering.py [--data-dir ../shared/data] [--skip-cost] [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import resource
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.clustering import ComplaintThemer

SEEDS = range(5)


def load_corpora(data_dir: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    """VSFC negative feedback labelled by topic; ViSFD single-aspect complaints labelled by aspect."""
    with (data_dir / "vsfc_dev.csv").open(encoding="utf-8") as handle:
        vsfc = [r for r in csv.DictReader(handle) if r["sentiment_name"] == "negative"]
    with (data_dir / "visfd_dev.csv").open(encoding="utf-8") as handle:
        visfd = [r for r in csv.DictReader(handle) if r["single_neg_aspect"]]
    return {
        "VSFC complaints": ([r["text"] for r in vsfc], np.array([r["topic_name"] for r in vsfc])),
        "ViSFD single-aspect": (
            [r["text"] for r in visfd],
            np.array([r["single_neg_aspect"] for r in visfd]),
        ),
    }


def baseline(texts: list[str], k: int, seed: int) -> np.ndarray:
    features = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    reduced = TruncatedSVD(100, random_state=seed).fit_transform(features)
    return np.asarray(KMeans(k, random_state=seed).fit_predict(reduced))


def ours(texts: list[str], k: int, seed: int) -> np.ndarray:
    return np.asarray(ComplaintThemer(k=k, random_state=seed).fit(texts).labels_)


def purity(truth: np.ndarray, labels: np.ndarray) -> float:
    table = contingency_matrix(truth, labels)
    return float(table.max(axis=0).sum() / table.sum())


def quality(data_dir: Path) -> None:
    print("== quality at k = number of labels, 5 seeds (mean ± std)", flush=True)
    for corpus, (texts, truth) in load_corpora(data_dir).items():
        k = len(set(truth))
        print(f"-- {corpus}: {len(texts)} comments, {k} labels", flush=True)
        means = {}
        for name, method in (("baseline", baseline), ("ComplaintThemer", ours)):
            scores: dict[str, list[float]] = {"NMI": [], "ARI": [], "purity": []}
            started = time.perf_counter()
            for seed in SEEDS:
                labels = method(texts, k, seed)
                scores["NMI"].append(normalized_mutual_info_score(truth, labels))
                scores["ARI"].append(adjusted_rand_score(truth, labels))
                scores["purity"].append(purity(truth, labels))
            elapsed = (time.perf_counter() - started) / len(SEEDS)
            means[name] = float(np.mean(scores["NMI"]))
            shown = "  ".join(f"{m} {np.mean(v):.3f} ± {np.std(v):.3f}" for m, v in scores.items())
            print(f"   {name:<16} {shown}   ({elapsed:.1f} s/run)", flush=True)
        gain = means["ComplaintThemer"] / means["baseline"] - 1
        print(f"   NMI gain over baseline: {gain:+.1%} (target ≥ +15 %)", flush=True)
        themer = ComplaintThemer(random_state=0).fit(texts)
        names = "; ".join(f"{t.name} ({t.size})" for t in sorted(themer.themes_, key=lambda t: -t.size))
        print(f"   k=auto → {themer.k_} themes: {names}", flush=True)


def synthetic(data_dir: Path, size: int, seed: int = 0) -> list[str]:
    """`size` comments, each 1–3 real complaint sentences recombined at random."""
    sentences = [s for texts, _ in load_corpora(data_dir).values() for t in texts for s in t.split(".") if s.strip()]
    rng = np.random.default_rng(seed)
    picks = rng.integers(len(sentences), size=(size, 3))
    lengths = rng.integers(1, 4, size=size)
    return [". ".join(sentences[j] for j in row[:n]) for row, n in zip(picks, lengths, strict=True)]


def _progress(message: str) -> None:
    print(f"   … {time.strftime('%H:%M:%S')} {message}", flush=True)


def _cost_child(data_dir: str, size: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    texts = synthetic(Path(data_dir), size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    themer = ComplaintThemer(random_state=0, progress=_progress).fit(texts)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, before / 1024, peak / 1024, themer.k_, themer.bounded_memory_))
    names = "; ".join(f"{t.name} ({t.size})" for t in sorted(themer.themes_, key=lambda t: -t.size)[:6])
    print(f"   largest themes: {names}", flush=True)


def cost(data_dir: Path, sizes: list[int]) -> None:
    print("== cost (k=auto, one process; peak RSS includes the synthetic input)", flush=True)
    for size in sizes:
        # spawn, not fork: a forked child deadlocks in the OpenMP pool the quality runs started.
        queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
        child = multiprocessing.get_context("spawn").Process(target=_cost_child, args=(str(data_dir), size, queue))
        child.start()
        elapsed, before, peak, k, bounded = queue.get()
        child.join()
        print(
            f"   {size:>9,} comments: {elapsed:7.1f} s, peak RSS {peak:,.0f} MiB"
            f" (input alone {before:,.0f} MiB),"
            f" k={k}, bounded-memory={bounded}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    if not (args.data_dir / "vsfc_dev.csv").is_file():
        print(f"error: no vsfc_dev.csv in {args.data_dir}; pass --data-dir", file=sys.stderr)
        return 2
    if not args.skip_quality:
        quality(args.data_dir)
    if not args.skip_cost:
        cost(args.data_dir, [int(s) for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
