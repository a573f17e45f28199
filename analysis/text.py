"""Vietnamese comment normalisation and tokenisation for complaint theming.

Citizens type comments on phones: mixed tone-mark conventions, chat abbreviations ("ko", "dc"),
stretched letters ("lâuuuu"), emoji and links. `normalise` maps all of that to one canonical form so
that the same complaint written two ways counts as the same words. PII redaction lives in
`analysis.redaction`, not here.

Tone-mark convention: the "new style" (kiểu mới) of the 1984 Ministry of Education spelling rules,
used by the national textbooks: the tone mark sits on the main vowel, so an open "oa", "oe", "uy"
carries it on the second vowel ("hoà", "khoẻ", "thuỷ"), a vowel with a quality mark (ă â ê ô ơ ư)
always takes it ("thuở", "người"), and a closed syllable puts it on the last vowel ("hoàng").
"qui"/"quí" are written with y ("quy", "quý"), as the Vietnamese dictionaries do.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources

URL_TOKEN = "_url_"
EMAIL_TOKEN = "_email_"

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
QUALITY_VOWELS = frozenset("ăâêôơư")
PLAIN_VOWELS = frozenset("aeiouy")
VOWELS = QUALITY_VOWELS | PLAIN_VOWELS
# Open two-vowel rhymes whose second vowel is the main one (new style: hoà, khoẻ, thuỷ).
SECOND_VOWEL_MAIN = frozenset({"oa", "oe", "uy"})

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|gov|edu)(?:/\S*)?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Emoji, pictographs, dingbats, variation selectors, joiners and other symbols carry no theme.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff\U0000fe00-\U0000fe0f"
    "\U0000200d\U000020e3\U0001f1e6-\U0001f1ff\U000e0000-\U000e007f]+"
)
_WORD = re.compile(r"_url_|_email_|[^\W_]+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”…/|\n-]+")
_SPACES = re.compile(r"\s+")
_SYLLABLE = re.compile(r"[^\W\d_]+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_COMBINING = re.compile("[\u0300-\u036f]")
_D_BAR = str.maketrans("đĐ", "dD")

# Chat abbreviations that mean one thing whatever surrounds them (values are already normalised).
ABBREVIATIONS: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "hông": "không",
    "khg": "không",
    "kô": "không",
    "khong": "không",
    "dc": "được",
    "đc": "được",
    "duoc": "được",
    "vs": "với",
    "j": "gì",
    "ntn": "như thế nào",
    "mn": "mọi người",
    "mng": "mọi người",
    "r": "rồi",
    "nv": "nhân viên",
    "cb": "cán bộ",
    "kq": "kết quả",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "tks": "cảm ơn",
    "thks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "cám": "cảm",
    "mk": "mình",
    "mik": "mình",
    "trc": "trước",
    "wa": "quá",
    "qá": "quá",
    "ng": "người",
    "dt": "điện thoại",
    "đt": "điện thoại",
    "dthoai": "điện thoại",
    "cty": "công ty",
    "ubnd": "uỷ ban nhân dân",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "oke": "ok",
    "okie": "ok",
    "okela": "ok",
}
NEGATIONS = frozenset({"không", "chưa", "chẳng", "chả"})
# "đk" is "đăng ký" before what one registers, else the chat "được"; "bt" is "biết" after a negation.
REGISTRABLE = frozenset({"tạm", "thường", "kết", "khai", "kinh", "xe", "hộ", "thành", "lại", "mới", "online"})


def _strip_tone(char: str) -> tuple[str, str]:
    """Split one lower-case letter into its toneless form and its tone mark ('' if none)."""
    parts = unicodedata.normalize("NFD", char)
    tone = "".join(c for c in parts if c in TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
    return base, tone


def _tone_position(base: str) -> int | None:
    """Index of the vowel that carries the tone in a toneless syllable, new-style rules."""
    start = 0
    if base.startswith("qu"):
        start = 2
    elif base.startswith("gi") and any(c in VOWELS for c in base[2:]):
        start = 2
    positions = [i for i in range(start, len(base)) if base[i] in VOWELS]
    if not positions:
        return None
    first, last = positions[0], positions[-1]
    if positions != list(range(first, last + 1)):
        return None  # vowels not contiguous: not a Vietnamese syllable, leave it alone
    quality = [i for i in positions if base[i] in QUALITY_VOWELS]
    if quality:
        return quality[-1]
    if last < len(base) - 1 or len(positions) == 1:
        return last
    nucleus = base[first : last + 1]
    if len(positions) == 2:
        return last if nucleus in SECOND_VOWEL_MAIN else first
    return first + 1  # oai, oay, uya, uyu: the middle vowel


@lru_cache(maxsize=65536)
def place_tone(syllable: str) -> str:
    """Rewrite one lower-case syllable with its tone mark on the new-style vowel (idempotent)."""
    if syllable == "qui":
        return "quy"
    split = [_strip_tone(c) for c in syllable]
    marks = [tone for _, tone in split if tone]
    if len(marks) != 1:
        return syllable
    base = "".join(b for b, _ in split)
    if len(base) != len(syllable) or not base.isalpha():
        return syllable
    if base == "qui":
        base = "quy"
    position = _tone_position(base)
    if position is None:
        return syllable
    target = unicodedata.normalize("NFC", base[position] + marks[0])
    return base[:position] + target + base[position + 1 :]


def _squeeze_run(word: str) -> str:
    """Collapse three or more repeats of one letter (tone ignored) into one, keeping a toned copy."""
    out: list[str] = []
    i = 0
    while i < len(word):
        base = _strip_tone(word[i])[0]
        j = i
        while j < len(word) and _strip_tone(word[j])[0] == base:
            j += 1
        run = word[i:j]
        if len(run) >= 3:
            toned = [c for c in run if c != base]
            out.append(toned[0] if toned else run[0])
        else:
            out.append(run)
        i = j
    return "".join(out)


@lru_cache(maxsize=262144)
def canonical_word(word: str) -> str:
    """One lower-case word with stretched letters squeezed and its tone mark placed (cached: words repeat)."""
    return place_tone(_squeeze_run(word))


def _fix_syllable(match: re.Match[str]) -> str:
    return canonical_word(match.group(0))


def _expand_abbreviations(text: str) -> str:
    words = text.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        previous = out[-1].rsplit(" ", 1)[-1] if out else ""
        if word in {"đk", "dk"}:
            out.append("đăng ký" if following in REGISTRABLE else "được")
        elif word == "bt":
            out.append("biết" if previous in NEGATIONS else "bình thường")
        else:
            out.append(ABBREVIATIONS.get(word, word))
    return " ".join(out)


def normalise(text: object) -> str:
    """Canonical, lower-case NFC form of a comment; anything that is not a string gives ''."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text).lower()
    text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = _EMOJI.sub(" ", text)
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    text = _SYLLABLE.sub(_fix_syllable, text)
    # Punctuation glued to words ("dc,ko") must not hide an abbreviation.
    text = _PUNCTUATION.sub(r" \g<0> ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _expand_abbreviations(text)
    return unicodedata.normalize("NFC", text)


def toneless(text: str) -> str:
    """The text with every diacritic removed ("chờ đợi lâu" → "cho doi lau"), as people type without them.

    A comment typed without diacritics and one typed with them then share this form; it is lossy ("ma",
    "má", "mã" all become "ma"), so it is an extra view of a comment, never a replacement.
    """
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped.translate(_D_BAR))


def syllables(text: str) -> list[str]:
    """The words (syllables, numbers, link tokens) of an already normalised comment, punctuation dropped."""
    return _WORD.findall(text)


def clauses(text: str) -> list[list[str]]:
    """The syllables of a normalised comment, split where punctuation breaks the sentence.

    N-grams are formed within a clause only: "đông, chờ lâu" must not yield the phrase "đông chờ".
    """
    return [words for part in _CLAUSE_BREAK.split(text) if (words := syllables(part))]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The curated stopword list shipped in analysis/data/stopwords_vi.txt (one entry a line, # comments)."""
    raw = resources.files("analysis").joinpath("data/stopwords_vi.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return frozenset(normalise(entry) for entry in entries if entry)


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def ngrams(tokens: Sequence[str], sizes: Iterable[int], skip: frozenset[str] = frozenset()) -> list[str]:
    """Syllable n-grams joined by spaces; an n-gram that starts or ends with a word in `skip` is dropped.

    Dropping by the ends rather than deleting stopwords first keeps phrases such as "không được"
    whole while never forming an n-gram across a removed word.
    """
    grams: list[str] = []
    for size in sizes:
        for start in range(len(tokens) - size + 1):
            gram = tokens[start : start + size]
            if gram[0] in skip or gram[-1] in skip or any(_has_digit(t) for t in gram):
                continue
            grams.append(" ".join(gram))
    return grams


class ComplaintAnalyzer:
    """A picklable scikit-learn `analyzer`: normalise, split into syllables, form n-grams.

    `segmenter`, if given, maps a normalised comment to a list of words (e.g. an offline word
    segmenter); by default the syllables themselves are the words.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        use_stopwords: bool = True,
        segmenter: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.use_stopwords = use_stopwords
        self.segmenter = segmenter

    def __call__(self, text: str) -> list[str]:
        clean = normalise(text)
        parts = [self.segmenter(part) for part in _CLAUSE_BREAK.split(clean)] if self.segmenter else clauses(clean)
        skip = stopwords() if self.use_stopwords else frozenset()
        sizes = range(self.ngram_range[0], self.ngram_range[1] + 1)
        return [gram for tokens in parts for gram in ngrams(tokens, sizes, skip)]


class PyviSegmenter:
    """pyvi's offline word segmenter (MIT; a CRF model shipped inside the package, no download).

    Joining syllables into words ("màn hình", "thái độ") makes each word one feature instead of two
    common syllables. Measured on ViSFD complaints (bench/bench_clustering.py): NMI 0.156 → 0.173 at
    k = number of labels. Words come back space-joined; a picklable class, not a closure, so a
    fitted vectoriser can be saved. About 1 ms a comment: too slow for the bounded-memory path.
    """

    def __call__(self, text: str) -> list[str]:
        tokenize = _pyvi_tokenize()
        if tokenize is None:
            raise RuntimeError("pyvi is not installed")
        return [w.replace("_", " ") for w in tokenize(text).split() if _WORD.search(w)]


@lru_cache(maxsize=1)
def _pyvi_tokenize() -> Callable[[str], str] | None:
    try:
        with warnings.catch_warnings():  # pyvi 0.1.1 has invalid escapes that warn when compiled
            warnings.simplefilter("ignore")
            from pyvi import ViTokenizer
    except ImportError:
        return None
    tokenize: Callable[[str], str] = ViTokenizer.tokenize
    return tokenize


def word_segmenter() -> PyviSegmenter | None:
    """The offline word segmenter if pyvi is installed, else None (syllables are then the words)."""
    return PyviSegmenter() if _pyvi_tokenize() is not None else None
