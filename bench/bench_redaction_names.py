"""Benchmark: personal names in citizen comments, before and after the name rules.

Scores `analysis.redaction` on tests/analysis/data/redaction_names_eval.jsonl (hand-labelled name spans, see the
data card beside it) and times it. "Before" is the same script run on another git revision's `analysis`
package (default `main`), exported to a temporary folder, so both sides read the same labelled set:

    .venv/bin/python bench/bench_redaction_names.py [--baseline main|none] [--repeat 20] [--speed-csv FILE]

`--speed-csv FILE` (column `text`) also times `redact` on other comments, e.g. real feedback that mostly
holds no name (the labelled set is name-heavy, so it runs the second redaction pass more often).

Measures, each on the dev split, the held-out test split and both:
- names found: gold name spans whose every letter a `[HỌ TÊN]` covers (span-level recall);
- precision: `[HỌ TÊN]` findings that overlap a gold name;
- words kept: words outside every gold name that no `[HỌ TÊN]` touches;
- speed: comments per second through `redact` (all rules, every pass), after one warm-up call.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "analysis" / "data" / "redaction_names_eval.jsonl"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Scores:
    names: int
    found: int
    predicted: int
    correct: int
    words: int
    kept: int

    @property
    def recall(self) -> float:
        return self.found / self.names if self.names else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def words_kept(self) -> float:
        return self.kept / self.words if self.words else 1.0


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    """The labelled comments: id, split (dev/test), tag, text and names [{start, end, text}]."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where the redactor's first pass puts `[HỌ TÊN]` (offsets into the NFC text, equal for NFC input)."""
    from analysis.redaction import find_personal_data

    return [(f.start, f.end) for f in find_personal_data(text) if f.kind == "person_name"]


def score(rows: list[dict]) -> Scores:
    """Span-level recall, precision and words kept over `rows` (definitions in the module docstring)."""
    names = found = predicted = correct = words = kept = 0
    for row in rows:
        text, gold = row["text"], [(name["start"], name["end"]) for name in row["names"]]
        spans = name_spans(text)
        covered = bytearray(len(text))
        for start, end in spans:
            covered[start:end] = b"\x01" * (end - start)
        for start, end in gold:
            names += 1
            found += all(covered[i] for i in range(start, end) if text[i].isalnum())
        predicted += len(spans)
        correct += sum(any(s < ge and gs < e for gs, ge in gold) for s, e in spans)
        for word in _WORD.finditer(text):
            if any(word.start() < ge and gs < word.end() for gs, ge in gold):
                continue
            words += 1
            kept += not any(covered[word.start() : word.end()])
    return Scores(names, found, predicted, correct, words, kept)


def speed(rows: list[dict], repeat: int) -> float:
    """Comments per second through `redact`, after a warm-up call that loads the word lists."""
    from analysis.redaction import redact

    texts = [row["text"] for row in rows]
    redact(texts[0])
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            redact(text)
    return repeat * len(texts) / (time.perf_counter() - started)


def measure(repeat: int, speed_csv: str | None = None) -> dict:
    rows = load_eval_set()
    started = time.perf_counter()
    from analysis.redaction import redact

    redact("Cảm ơn chị Lan")
    first_call = time.perf_counter() - started
    splits = {"dev": [r for r in rows if r["split"] == "dev"], "test": [r for r in rows if r["split"] == "test"]}
    result = {name: asdict(score(part)) for name, part in {**splits, "all": rows}.items()}
    measured = {"scores": result, "per_second": speed(rows, repeat), "first_call_s": first_call}
    if speed_csv:
        with open(speed_csv, encoding="utf-8", newline="") as handle:
            other = [{"text": unicodedata.normalize("NFC", row["text"])} for row in csv.DictReader(handle)]
        measured["csv_per_second"] = speed(other, max(1, repeat // 10))
    return measured


def baseline(ref: str, repeat: int, speed_csv: str | None = None) -> dict:
    """The same measurement on `ref`'s analysis package, in a fresh interpreter."""
    archive = subprocess.run(["git", "archive", ref, "analysis"], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        env = {**os.environ, "PYTHONPATH": folder}
        command = [sys.executable, "-W", "ignore", __file__, "--json", "--repeat", str(repeat), "--baseline", "none"]
        command += ["--speed-csv", speed_csv] if speed_csv else []
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result: dict = json.loads(out)
    return result


def report(label: str, result: dict) -> None:
    print(
        f"{label}: {result['per_second']:,.0f} comments/s ({1e6 / result['per_second']:.0f} µs each), "
        f"first call {result['first_call_s'] * 1000:.0f} ms"
    )
    if "csv_per_second" in result:
        rate = result["csv_per_second"]
        print(f"  other comments (--speed-csv): {rate:,.0f} comments/s ({1e6 / rate:.0f} µs each)")
    for split, raw in result["scores"].items():
        s = Scores(**raw)
        print(
            f"  {split:>4}: names found {s.recall:6.1%} ({s.found}/{s.names})  precision {s.precision:6.1%} "
            f"({s.correct}/{s.predicted})  words kept {s.words_kept:6.1%} ({s.kept}/{s.words})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="git revision to compare with, or 'none'")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print this revision's measurement as JSON")
    parser.add_argument("--speed-csv", help="also time redaction on this CSV's `text` column")
    args = parser.parse_args()
    if not args.json:
        sys.path.insert(0, str(ROOT))  # this tree's analysis package; --json runs use the caller's PYTHONPATH
    if args.json:
        print(json.dumps(measure(args.repeat, args.speed_csv)))
        return
    if args.baseline != "none":
        report(f"before ({args.baseline})", baseline(args.baseline, args.repeat, args.speed_csv))
    report("after (this tree)", measure(args.repeat, args.speed_csv))


if __name__ == "__main__":
    main()
