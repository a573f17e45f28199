"""Vietnamese normalisation and tokenisation for complaint theming."""

import pickle
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.text as text_module
from analysis.text import (
    ComplaintAnalyzer,
    PyviSegmenter,
    clauses,
    ngrams,
    normalise,
    place_tone,
    stopwords,
    word_segmenter,
)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("hòa", "hoà"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("quí", "quý"),
        ("qui", "quy"),
        ("Thanh Hóa", "thanh hoá"),
    ],
)
def test_one_tone_mark_convention(old_style, new_style):
    assert normalise(old_style) == new_style
    assert normalise(new_style) == new_style


@pytest.mark.parametrize(
    "word",
    ["hoàng", "người", "thuở", "khuya", "gìn", "già", "giữ", "quyết", "tiếp", "nhận", "hồ", "sơ", "được"],
)
def test_correct_syllables_are_left_alone(word):
    assert place_tone(word) == word


def test_decomposed_input_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Cán bộ hướng dẫn tận tình")
    assert normalise(decomposed) == "cán bộ hướng dẫn tận tình"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Chờ lâuuuuu quáaaa", "chờ lâu quá"),
        ("ko dc tiếp nhận", "không được tiếp nhận"),
        ("k nộp đc hồ sơ", "không nộp được hồ sơ"),
        ("hok bít j", "không bít gì"),
        ("nv nói ntn mn ơi", "nhân viên nói như thế nào mọi người ơi"),
        ("gọi sdt mãi r", "gọi số điện thoại mãi rồi"),
        ("tks cán bộ", "cảm ơn cán bộ"),
        ("đk tạm trú 2 lần", "đăng ký tạm trú 2 lần"),
        ("mãi mới đk", "mãi mới được"),
        ("ko bt nộp ở đâu", "không biết nộp ở đâu"),
        ("thái độ bt", "thái độ bình thường"),
        ("ko,dc", "không , được"),
        ("cb bảo chờ kq tuần sau", "cán bộ bảo chờ kết quả tuần sau"),
    ],
)
def test_chat_abbreviations_expand_by_context(typed, expected):
    assert normalise(typed) == expected


def test_thousands_suffix_is_not_read_as_negation():
    assert "không" not in normalise("phải đưa thêm 200k")


def test_links_emails_and_emoji():
    text = normalise("Xem https://dichvucong.gov.vn/p/123 hoặc gửi a.b@gmail.com 😡😡 🙏")
    assert text == "xem _url_ hoặc gửi _email_"


@pytest.mark.parametrize("value", [None, 3, b"bytes", float("nan")])
def test_non_text_gives_empty(value):
    assert normalise(value) == ""


def test_stopwords_keep_negations_and_domain_words():
    words = stopwords()
    assert {"là", "thì", "mà", "của"} <= words
    assert not {"không", "chưa", "chẳng", "hồ", "sơ", "thủ", "tục", "cán", "bộ", "tiền", "chờ"} & words


def test_ngrams_stay_within_a_clause_and_skip_stopword_ends():
    grams = ngrams(["chờ", "rất", "lâu"], range(1, 3), frozenset({"rất"}))
    assert grams == ["chờ", "lâu"]
    assert clauses(normalise("Phòng chờ đông, không có ghế")) == [
        ["phòng", "chờ", "đông"],
        ["không", "có", "ghế"],
    ]


def test_analyzer_gives_words_and_phrases():
    terms = ComplaintAnalyzer(ngram_range=(1, 2))("Cán bộ thái độ hách dịch, nói trống không")
    assert {"cán bộ", "thái độ", "hách dịch", "trống không", "không"} <= set(terms)
    assert "dịch nói" not in terms


def test_word_segmenter_joins_compound_words_and_survives_pickling():
    # pyvi is a run-time dependency (MIT): the word-level default is what the quality numbers rest on
    segmenter = word_segmenter()
    assert isinstance(segmenter, PyviSegmenter)
    analyzer = pickle.loads(pickle.dumps(ComplaintAnalyzer(ngram_range=(1, 1), segmenter=segmenter)))
    terms = analyzer("Nhân viên thái độ hách dịch, màn hình bị lỗi")
    assert {"nhân viên", "thái độ", "màn hình", "lỗi"} <= set(terms)
    assert "màn" not in terms and "hình" not in terms


def test_without_pyvi_the_syllables_are_the_words(monkeypatch):
    monkeypatch.setattr(text_module, "_pyvi_tokenize", lambda: None)
    assert word_segmenter() is None
    with pytest.raises(RuntimeError, match="pyvi"):
        PyviSegmenter()("màn hình")
    assert ComplaintAnalyzer(ngram_range=(1, 1))("màn hình bị lỗi") == ["màn", "hình", "lỗi"]


VIETNAMESE_LETTERS = (
    "aăâeêioôơuưyđqgkhnAĂÂĐàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    " .,!?@/:0123456789😀\u0301\u0300\u0309\u200d"
)
vietnamese_text = st.text(alphabet=VIETNAMESE_LETTERS, max_size=60) | st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(vietnamese_text)
def test_normalise_is_idempotent_and_nfc(text):
    once = normalise(text)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
