"""Vietnamese comments for demo data, by the official complaint theme they raise (or praise, neutral, other).

The pool is `survey/data/demo_comments.csv` (columns theme, tone, text): over a thousand comments written by
hand in the voice of citizens after a procedure, about a hundred per official theme, so a demo shows varied
comments and themes that read like real ones. It is not the theme classifier's training corpus
(`analysis/data/themes/corpus_*.csv`) and shares no wording with it, so demo themes are not graded on text the
classifier has seen. The pool holds no personal data; the few comments below that carry some (on purpose, so
the redaction can be tried) are kept apart, and the store path redacts them.

The file is read once; choices follow its order, so the same seed gives the same demo.
"""

from __future__ import annotations

import csv
import random
from functools import lru_cache
from importlib import resources
from pathlib import Path

# The official complaint themes (analysis/data/themes/taxonomy.json), in the order the demo draws them.
THEMES: tuple[str, ...] = (
    "waiting_time",
    "staff_attitude",
    "documents_repeat_visits",
    "extra_payment",
    "fees",
    "facilities",
    "online_system",
    "information_guidance",
)
PRAISE, NEUTRAL, OTHER = "praise", "neutral", "other"
LABELS: tuple[str, ...] = (*THEMES, PRAISE, NEUTRAL, OTHER)
TONES = {PRAISE: "praise", NEUTRAL: "neutral"}  # every other label is a complaint
POOL_FILE = "demo_comments.csv"

WITH_PERSONAL_DATA = [
    "Tôi là Nguyễn Văn Hùng, số điện thoại 0912 345 678, mong được gọi lại giải thích.",
    "Hồ sơ của tôi mã 000.00.12.H55-250715-0012 vẫn chưa có kết quả, liên hệ 0987.654.321.",
    "Gửi phản ánh qua email hung.nguyen@example.com mà chưa thấy trả lời.",
    "Cán bộ Trần Thị Lan ở quầy 2 làm việc rất tốt, cảm ơn chị.",
]


class DemoPoolError(ValueError):
    """The shipped comment pool is malformed (unknown label, tone that does not match it, empty text)."""


def pool_path() -> Path:
    return Path(str(resources.files("survey") / "data" / POOL_FILE))


def read_pool(path: Path) -> dict[str, tuple[str, ...]]:
    """Comments by label, in file order; every label of `LABELS` is present (possibly empty)."""
    grouped: dict[str, list[str]] = {label: [] for label in LABELS}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            label, tone, text = row.get("theme") or "", row.get("tone") or "", (row.get("text") or "").strip()
            if label not in grouped:
                raise DemoPoolError(f"{path.name} line {line}: unknown theme {label!r}")
            if tone != TONES.get(label, "complaint"):
                raise DemoPoolError(f"{path.name} line {line}: tone {tone!r} does not fit theme {label!r}")
            if not text:
                raise DemoPoolError(f"{path.name} line {line}: empty text")
            grouped[label].append(text)
    return {label: tuple(texts) for label, texts in grouped.items()}


@lru_cache(maxsize=1)
def pool() -> dict[str, tuple[str, ...]]:
    """The shipped pool, read once."""
    comments = read_pool(pool_path())
    missing = [label for label in LABELS if not comments[label]]
    if missing:
        raise DemoPoolError(f"{POOL_FILE} has no comments for {', '.join(missing)}")
    return comments


def complaint(rng: random.Random, theme: str) -> str:
    """A comment complaining about `theme` (one of `THEMES`)."""
    if theme not in THEMES:
        raise ValueError(f"not an official complaint theme: {theme!r}")
    return rng.choice(pool()[theme])


def praise(rng: random.Random) -> str:
    return rng.choice(pool()[PRAISE])


def neutral(rng: random.Random) -> str:
    return rng.choice(pool()[NEUTRAL])


def other(rng: random.Random) -> str:
    """A complaint outside the eight themes (an error in the result, a policy, unanswered feedback…)."""
    return rng.choice(pool()[OTHER])


def with_personal_data(rng: random.Random) -> str:
    return rng.choice(WITH_PERSONAL_DATA)
