"""The demo comment pool: large, varied, labelled by official theme, free of personal data and of the wording
of the theme classifier's training corpus; and the demo draws from it widely, complaints with low ratings."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis.redaction import find_personal_data, redact
from survey.models import Response
from survey.services.demo import comments as demo_comments
from survey.services.demo.comments import LABELS, NEUTRAL, OTHER, PRAISE, THEMES, DemoPoolError, read_pool
from survey.services.demo.seed import seed_demo
from tests.survey.datasets.themes import demo_theme_of

CORPUS_DIR = Path(__file__).resolve().parents[4] / "analysis" / "data" / "themes"
WORD = re.compile(r"\w+")
PHONE = re.compile(r"(?<!\d)(?:\+?84|0)[ .]?[35789](?:[ .]?\d){8}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)(?:\d{9}|\d{12})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
DOSSIER_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.\w+-\d{6}-\d{4}")


def words(text: str) -> list[str]:
    """Lower-case words with tone marks folded away, so "chờ đợi" and "cho doi" are the same words."""
    bare = nfd(text.lower().replace("đ", "d"))
    return WORD.findall("".join(c for c in bare if not unicodedata.combining(c)))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def five_grams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}


def pool_rows() -> list[tuple[str, str]]:
    return [(label, text) for label, texts in demo_comments.pool().items() for text in texts]


def test_the_pool_is_large_and_every_theme_has_about_a_hundred_comments():
    pool = demo_comments.pool()
    counts = {label: len(texts) for label, texts in pool.items()}
    assert sum(counts.values()) >= 1200, counts
    assert all(counts[theme] >= 100 for theme in THEMES), counts
    assert counts[PRAISE] >= 200 and counts[NEUTRAL] >= 40 and counts[OTHER] >= 30, counts
    folded = Counter(" ".join(words(text)) for _, text in pool_rows() if words(text))
    assert not [text for text, n in folded.items() if n > 1]  # no line twice, with or without tone marks


def test_the_pool_is_written_the_way_citizens_write():
    texts = [text for _, text in pool_rows()]
    toneless = [t for t in texts if words(t) and not any(c in "đĐ" or unicodedata.combining(c) for c in nfd(t))]
    assert 0.10 <= len(toneless) / len(texts) <= 0.25, len(toneless)  # typed without tone marks on a phone
    lengths = sorted(len(words(t)) for t in texts)
    assert lengths[len(lengths) // 10] <= 6 and lengths[-len(lengths) // 10] >= 20  # short and long ones
    for name in ("khai sinh", "kết hôn", "sổ đỏ", "CCCD", "tạm trú", "lý lịch", "bằng lái", "chứng thực"):
        assert any(name.lower() in t.lower() for t in texts), name
    assert sum("mong được gọi lại" in t.lower() for t in texts) >= 3
    assert all(unicodedata.is_normalized("NFC", t) and t == t.strip() for t in texts)


def test_no_comment_shares_a_five_word_sequence_with_the_training_corpus():
    corpus: dict[tuple[str, ...], str] = {}
    files = sorted(CORPUS_DIR.glob("corpus_*.csv"))
    assert files, CORPUS_DIR
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                corpus.update(dict.fromkeys(five_grams(row["text"]), row["text"]))
    shared = [(text, corpus[g]) for _, text in pool_rows() for g in five_grams(text) if g in corpus]
    assert not shared, shared[:5]


def test_the_pool_holds_no_personal_data():
    for _, text in pool_rows():
        for pattern in (PHONE, ID_NUMBER, EMAIL, DOSSIER_CODE):
            assert not pattern.search(text), text
        assert not find_personal_data(text), text  # so redaction leaves demo comments as written


def test_a_malformed_pool_file_is_refused(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("theme,tone,text\nwaiting_time,praise,Chờ lâu quá.\n", encoding="utf-8")
    with pytest.raises(DemoPoolError, match="tone"):
        read_pool(path)
    path.write_text("theme,tone,text\nweather,neutral,Trời mưa.\n", encoding="utf-8")
    with pytest.raises(DemoPoolError, match="unknown theme"):
        read_pool(path)
    path.write_text("theme,tone,text\nfees,complaint,Phí cao.\n", encoding="utf-8")
    assert read_pool(path)["fees"] == ("Phí cao.",) and set(read_pool(path)) == set(LABELS)


def test_draws_follow_the_seed_and_the_theme():
    first = [demo_comments.complaint(random.Random(5), theme) for theme in THEMES]
    assert first == [demo_comments.complaint(random.Random(5), theme) for theme in THEMES]
    assert all(demo_theme_of(text) == theme for text, theme in zip(first, THEMES, strict=True))
    with pytest.raises(ValueError):
        demo_comments.complaint(random.Random(5), "documents_returns")


def test_a_large_demo_uses_hundreds_of_distinct_comments_each_with_a_fitting_rating(session):
    seed_demo(session, responses=20000, seed=2025, months=12)
    rows = session.execute(select(Response.rating, Response.comment).where(Response.comment.is_not(None))).all()
    distinct = {comment for _, comment in rows}
    assert len(distinct) >= 800, len(distinct)
    labels = Counter((demo_theme_of(comment), rating <= 3) for rating, comment in rows)
    assert not [label for label, low in labels if label in (*THEMES, OTHER) and not low]  # complaints: low ratings
    assert not [label for label, low in labels if label == PRAISE and low]  # praise: high ratings
    assert all(labels[theme, True] >= 50 for theme in THEMES), labels
    unknown = {comment for _, comment in rows if demo_theme_of(comment) is None}
    assert unknown <= {redact(text) for text in demo_comments.WITH_PERSONAL_DATA}  # personal data, redacted


def test_the_demo_draws_exactly_the_official_themes_in_the_taxonomy_order():
    from analysis.themes import OFFICIAL_CODES
    from survey.services.demo.comments import THEMES

    assert THEMES == OFFICIAL_CODES  # kept as a copy so that the app starts without numpy; it must not drift
