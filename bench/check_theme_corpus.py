"""Check the hand-written theme corpus: labels, split, spelling mix and repeated wording.

Reads every analysis/data/themes/corpus_*.csv (columns id,text,theme,theme2,split) and prints, per shard and for
all shards together: counts per label (main and second theme), the test share, the share of lines written
without tone marks, the most repeated 4-word phrases (tone marks folded, counted once per line), and any problem found:
unknown labels, a second theme equal to the first or outside the eight themes, duplicate ids, text that is not
NFC, exact or near-duplicate lines, 4-word phrases in more than --max-lines lines.

    python bench/check_theme_corpus.py [--dir analysis/data/themes] [--top 20] [--max-lines 5]

Exit status 1 when a problem is found, so it can run in CI.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"\w+", re.UNICODE)
COLUMNS = ["id", "text", "theme", "theme2", "split"]


def words(text: str) -> list[str]:
    """Words with tone marks folded away, so "chờ đợi" and "cho doi" count as the same phrase."""
    return [w for w in fold(text).split() if not w.isdigit() or len(w) < 5]


def toneless(text: str) -> bool:
    """True when the line has letters but none with a Vietnamese diacritic (tone mark, circumflex, breve, horn, đ)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    decomposed = unicodedata.normalize("NFD", "".join(letters))
    return not any(unicodedata.combining(c) for c in decomposed) and not any(c in "đĐ" for c in letters)


def fold(text: str) -> str:
    """Lowercase, tone marks removed, only letters and digits: the key for near-duplicate detection."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(WORD.findall(bare))


def shingles(tokens: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)} or {tuple(tokens)}


def ngrams(tokens: list[str], n: int = 4) -> set[str]:
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def load_labels(directory: Path) -> tuple[set[str], set[str]]:
    taxonomy = json.loads((directory / "taxonomy.json").read_text(encoding="utf-8"))
    themes = {t["code"] for t in taxonomy["themes"]}
    non_themes = {t["code"] for t in taxonomy["non_themes"]}
    return themes, non_themes


def read_rows(path: Path, problems: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            problems.append(f"{path.name}: columns {reader.fieldnames}, expected {COLUMNS}")
            return []
        return list(reader)


def report(
    name: str, rows: list[dict[str, str]], top: int, max_lines: int, problems: list[str], enforce: bool = True
) -> None:
    """Print the numbers of one shard; `enforce` turns phrases in more than `max_lines` lines into problems."""
    print(f"== {name}: {len(rows)} lines")
    if not rows:
        return
    main = Counter(r["theme"] for r in rows)
    second = Counter(r["theme2"] for r in rows if r["theme2"])
    print(f"{'label':26} {'main':>6} {'second':>7} {'test':>5}")
    for label in sorted(set(main) | set(second), key=lambda code: (-main[code], code)):
        tests = sum(1 for r in rows if r["theme"] == label and r["split"] == "test")
        print(f"{label:26} {main[label]:>6} {second[label]:>7} {tests:>5}")
    n = len(rows)
    test = sum(r["split"] == "test" for r in rows)
    bare = sum(toneless(r["text"]) for r in rows)
    two = sum(bool(r["theme2"]) for r in rows)
    print(f"test share {test / n:.1%} · without tone marks {bare / n:.1%} · with a second theme {two / n:.1%}")

    phrase_lines: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for g in ngrams(words(r["text"])):
            phrase_lines[g].add(r["id"])
    ranked = sorted(phrase_lines.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    print("most repeated 4-word phrases (lines containing them):")
    for phrase, ids in ranked[:top]:
        print(f"  {len(ids):>3}  {phrase}")
    for phrase, ids in ranked:
        if not enforce or len(ids) <= max_lines:
            break
        problems.append(f"{name}: '{phrase}' in {len(ids)} lines ({', '.join(sorted(ids)[:8])}…)")


def check_rows(
    path: Path, rows: list[dict[str, str]], themes: set[str], non_themes: set[str], problems: list[str]
) -> None:
    ids = Counter(r["id"] for r in rows)
    problems += [f"{path.name}: id {i} used {c} times" for i, c in ids.items() if c > 1]
    for r in rows:
        rid = r["id"]
        if r["theme"] not in themes | non_themes:
            problems.append(f"{path.name} {rid}: unknown label {r['theme']!r}")
        if r["theme2"]:
            if r["theme2"] not in themes - {"other"}:
                problems.append(f"{path.name} {rid}: second theme {r['theme2']!r} is not one of the eight themes")
            if r["theme2"] == r["theme"] or r["theme"] in non_themes | {"other"}:
                problems.append(f"{path.name} {rid}: second theme {r['theme2']!r} with main label {r['theme']!r}")
        if r["split"] not in {"train", "test"}:
            problems.append(f"{path.name} {rid}: split {r['split']!r}")
        if unicodedata.normalize("NFC", r["text"]) != r["text"]:
            problems.append(f"{path.name} {rid}: text is not NFC")
        if not r["text"].strip() or r["text"] != r["text"].strip():
            problems.append(f"{path.name} {rid}: empty text or surrounding spaces")
        if re.search(r"\d{9,}|\b0[35789]\d{8}\b|@\w+\.\w+", r["text"]):
            problems.append(f"{path.name} {rid}: looks like personal data (long number or e-mail)")


def near_duplicates(rows: list[dict[str, str]], problems: list[str], threshold: float = 0.7) -> None:
    seen: dict[str, str] = {}
    keyed = []
    for r in rows:
        key = fold(r["text"])
        if key in seen:
            problems.append(f"duplicate: {seen[key]} and {r['id']} ({r['text'][:50]!r})")
        seen.setdefault(key, r["id"])
        tokens = key.split()
        if len(tokens) >= 5:
            keyed.append((r["id"], shingles(tokens)))
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, (_, sh) in enumerate(keyed):
        for s in sh:
            index[s].append(i)
    for i, (rid, sh) in enumerate(keyed):
        shared = Counter(j for s in sh for j in index[s] if j > i)
        for j, common in shared.items():
            other_id, other = keyed[j]
            jaccard = common / len(sh | other)
            if jaccard >= threshold:
                problems.append(f"near-duplicate ({jaccard:.2f}): {rid} and {other_id}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "analysis" / "data" / "themes")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument(
        "--max-lines", type=int, default=5, help="a 4-word phrase may appear in at most this many lines"
    )
    args = parser.parse_args()

    themes, non_themes = load_labels(args.dir)
    problems: list[str] = []
    everything: list[dict[str, str]] = []
    shards = sorted(args.dir.glob("corpus_*.csv"))
    if not shards:
        print(f"no corpus_*.csv in {args.dir}")
        return 1
    for path in shards:
        rows = read_rows(path, problems)
        check_rows(path, rows, themes, non_themes, problems)
        report(path.name, rows, args.top, args.max_lines, problems)
        everything += rows
        print()
    if len(shards) > 1:
        # The phrase limit is a per-writer rule; the union is reported, not enforced.
        report("all shards", everything, args.top, args.max_lines, problems, enforce=False)
        print()
    near_duplicates(everything, problems)
    print(f"{len(problems)} problem(s)")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
