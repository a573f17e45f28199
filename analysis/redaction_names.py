"""Personal names that the honorific rules miss: bare, lower-case, toneless or ALL CAPS.

Citizens name staff without an honorific ("gặp Hùng ở quầy 3"), in lower case ("chị lan"), without diacritics
("chi Lan o quay 3") or shouting ("CẢM ƠN CHỊ LAN"). Many given names are also everyday words ("bình thường",
"an toàn", "hạnh phúc", "hoa quả") or places ("An Giang", "đường Tôn Đức Thắng"), so a syllable is a name
only when its shape and the words around it agree. The evidence, all offline and pure Python:

- a lexicon of family, middle and given names (analysis/data/names_vi.txt, read by analysis/redaction_words.py);
- a gazetteer of provinces, wards, streets and landmarks: a place is never a bare name, and a word right
  before ("phường", "đường", "ở") makes what follows a place;
- the two-syllable words of pyvi's dictionary: a given name that forms a word with its neighbour is that word
  ("Bình thường", "hoa quả"). pyvi's tagger itself is not used: its proper-noun tag follows capitals, so on the
  labelled set it found 2 more names of 92 held out at 0.8 ms a comment and tripled findings on shop reviews;
  vetoing with it lost 7;
- capitals, when the comment uses them normally (not ALL CAPS, not Title Case On Every Word);
- cues: an honorific or a verb that takes a person before the name ("chị", "gặp"), or what staff do after
  it ("ở quầy", "hướng dẫn", "thái độ").

Decisions: lower-case "anh hùng" is the word "hero" unless a strong cue follows ("anh hùng ở quầy 2" is a
person); birth-order nicknames ("chú Tư") are names only after an honorific; a full name that is a street or
a place ("Trần Hưng Đạo", "Nguyễn Hữu Cảnh") is a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from itertools import accumulate

from analysis.redaction_words import (
    AMBIGUOUS_FOLDED_TITLES,
    UNIT_WORDS,
    Lexicon,
    PhraseSet,
    canonical,
    fold,
    lexicon,
)

Span = tuple[str, int, int]

_TOKEN = re.compile(r"(\[[^\[\]\n]{2,16}\]|\w+)")  # a placeholder from an earlier pass, or a word
_SENTENCE_BREAK = re.compile(r"[.!?](?!\d)|[;:\n…\"“(*•\-]")  # "1.000" is a number, not two sentences
_MAX_NAME = 4
PLACE, ACTION, QUALITY, WEAK = range(4)  # strength of the cue after a name, strongest first


class View:
    """One NFC comment as words: their keys and positions; what case, punctuation and places say about them
    is worked out only when a rule asks (most words of most comments are never looked at twice)."""

    def __init__(self, text: str, words: list[str], starts: list[int], ends: list[int], gaps: list[str]) -> None:
        self.text = text
        self.words = words
        self.starts = starts
        self.ends = ends
        self.gaps = gaps  # what stands between a word and the one before it (numbers, codes and placeholders too)
        self.toneless = text.isascii() or len(words) - sum(map(str.isascii, words)) < 0.2 * len(words)
        self.lex = lexicon(self.toneless)
        key = fold if self.toneless else canonical
        self.keys = tuple(map(key, words))

    @cached_property
    def informative(self) -> bool:
        """Whether capitals mean something: not ALL CAPS, not Title Case On Every Word, not none at all."""
        if self.text.islower():
            return False
        shapes = self.shapes
        count = max(len(shapes), 1)
        lower = shapes.count("l")
        caps = shapes.count("U") + sum(1 for word in self.words if len(word) == 1 and word.isupper())
        return lower > 0 and caps < 0.6 * count and not (count >= 4 and lower <= 0.15 * count)

    @cached_property
    def shapes(self) -> list[str]:
        return list(map(_shape, self.words))

    @cached_property
    def capital(self) -> tuple[bool, ...]:
        """Whether each word carries a capital that can mark a name."""
        if not self.informative:
            return (False,) * len(self.keys)
        names = self.lex.name_syllables
        return tuple(s == "T" or (s == "U" and k in names) for s, k in zip(self.shapes, self.keys, strict=True))

    @cached_property
    def run(self) -> tuple[int, ...]:
        """Words with the same run number are separated by spaces only."""
        run: list[int] = []
        for index, gap in enumerate(self.gaps):
            run.append(run[-1] if index and (gap == " " or not gap.strip(" \t\u00a0")) else index)
        return tuple(run)

    @cached_property
    def place(self) -> tuple[bool, ...]:
        return _places(self.keys, self.run, self.capital, self.lex)

    def opens(self, index: int) -> bool:
        """Whether word `index` is the first of a sentence."""
        return index == 0 or bool(_SENTENCE_BREAK.search(self.gaps[index]))

    def near(self, index: int) -> bool:
        """Whether only spaces or a comma come between word `index` and the one before."""
        return index > 0 and not self.gaps[index].strip(" \t\u00a0,")

    def numbered(self, index: int) -> bool:
        """Whether a number stands right before word `index` ("155 lê đình lý")."""
        return self.gaps[index].rstrip(" ,/")[-1:].isdigit()

    def joined(self, first: int, last: int) -> bool:
        """Whether words [first, last) are separated by spaces only (they can form one name or phrase)."""
        return 0 <= first < last <= len(self.keys) and self.run[first] == self.run[last - 1]

    def before(self, index: int, phrases: PhraseSet) -> int:
        """Length of the longest phrase ending right before word `index`, joined to it; 0 if none."""
        if index < 1 or self.keys[index - 1] not in phrases.lasts or not self.joined(index - 1, index + 1):
            return 0
        for size in phrases.sizes:
            if size <= index and self.joined(index - size, index) and self.keys[index - size : index] in phrases:
                return size
        return 0

    def after(self, index: int, phrases: PhraseSet) -> bool:
        """Whether a phrase starts at word `index`, in the same sentence (a comma may come between)."""
        if index >= len(self.keys) or self.keys[index] not in phrases.firsts or not self.near(index):
            return False
        keys = self.keys
        return any(self.joined(index, index + size) and keys[index : index + size] in phrases for size in phrases.sizes)

    def is_word(self, first: int, second: int) -> bool:
        """Whether two neighbouring words form an ordinary two-syllable word ("bình thường")."""
        return self.joined(first, second + 1) and (self.keys[first], self.keys[second]) in self.lex.words

    def cue(self, index: int, level: int, or_end: bool = False) -> bool:
        """Whether word `index` starts a cue of `level` or stronger (PLACE, ACTION, QUALITY, WEAK), or, with
        `or_end`, whether the clause ends there."""
        if or_end and (index == len(self.keys) or not self.near(index)):
            return True
        return any(self.after(index, phrases) for phrases in self.lex.cues[: level + 1])


def _shape(word: str) -> str:
    """'l' lower, 'T' Title (or a single capital), 'U' ALL CAPS, 'x' anything else ("VNeID")."""
    if word[0].islower():
        return "l"
    if len(word) == 1 or word[1:].islower():
        return "T"
    return "U" if word.isupper() else "x"


@lru_cache(maxsize=256)
def view(text: str) -> View:
    """The words of one NFC comment (cached: several rules look at the same comment).

    Numbers, codes ("A70", "5h") and placeholders of an earlier pass are no words: they stay in the gaps,
    where they split phrases. Built from list comprehensions: this runs for every comment submitted.
    """
    pieces = _TOKEN.split(text)  # gap, token, gap, token, …, gap
    bounds = list(accumulate(map(len, pieces)))
    kept = [index for index in range(1, len(pieces), 2) if pieces[index].isalpha()]
    starts = [bounds[index - 1] for index in kept]
    ends = [bounds[index] for index in kept]
    gaps = [text[end:start] for end, start in zip([0, *ends], starts, strict=False)]
    return View(text, [pieces[index] for index in kept], starts, ends, gaps)


def _places(keys: tuple[str, ...], run: tuple[int, ...], capital: tuple[bool, ...], lex: Lexicon) -> tuple[bool, ...]:
    """Which words are places: gazetteer names, and the capitalised words right after "phường", "xã", "ở"…"""
    firsts, openers = lex.places.firsts, lex.place_openers
    candidates = [index for index, key in enumerate(keys) if key in firsts or key in openers]
    if not candidates:
        return (False,) * len(keys)
    place = [False] * len(keys)
    covered = -1
    for index in candidates:
        if index <= covered:
            continue
        size = _place_at(keys, run, index, lex) if keys[index] in firsts else 0
        if size:
            place[index : index + size] = [True] * size
            covered = index + size - 1
        elif keys[index] in openers and not capital[index]:
            following = index + 1
            if following < len(keys) and keys[following] in lex.single_titles:
                continue
            while following < len(keys) and run[following] == run[index] and capital[following]:
                place[following] = True
                following += 1
            covered = following - 1
    return tuple(place)


def _place_at(keys: tuple[str, ...], run: tuple[int, ...], index: int, lex: Lexicon) -> int:
    """Length of the longest gazetteer name starting at word `index`, 0 if none."""
    for size in lex.places.sizes:
        last = index + size
        if last <= len(keys) and run[index] == run[last - 1] and keys[index:last] in lex.places:
            return size
    return 0


# --- the rules -------------------------------------------------------------------------------------------


def _extends(v: View, last: int, capital: bool) -> bool:
    """Whether word `last` continues the name that ends before it."""
    lex, key = v.lex, v.keys[last]
    if not v.joined(last - 1, last + 1) or key in lex.stop_words or v.place[last]:
        return False
    if capital:
        return v.capital[last]
    if v.capital[last] or (key not in lex.given and key not in lex.middle):
        return False
    if v.is_word(last - 1, last) or v.is_word(last, last + 1):
        return False
    everyday = key in lex.word_given or key in lex.single_titles  # "chị mai thu tiền", "em ngọc anh nhắn"
    return not everyday or v.cue(last + 1, WEAK)


def _name_run(v: View, first: int, capital: bool) -> int:
    """End of the name that starts at word `first`: joined words of the same kind, at most four."""
    last = first + 1
    while last < len(v.keys) and last - first < _MAX_NAME and _extends(v, last, capital):
        last += 1
    return last


def _full_names(v: View) -> Iterator[tuple[int, int]]:
    """A family name, then middle and given names: "Nguyen Van Hung", "nguyễn văn hùng", "PHẠM VĂN THÌN"."""
    lex, keys, names = v.lex, v.keys, v.lex.name_syllables
    for first in [index for index, key in enumerate(keys) if key in lex.surnames]:
        if not v.capital[first] and (first + 1 == len(keys) or keys[first + 1] not in names):
            continue  # quick rejection: "hồ sơ", "thái độ"
        if v.place[first] or (first and keys[first - 1] in lex.place_keywords):
            continue
        if v.is_word(first - 1, first) or v.numbered(first):
            continue  # "HIỆU ỨNG", "155 lê đình lý": part of a word, or a street after its house number
        if v.capital[first]:
            last = _name_run(v, first, capital=True)
            word = v.is_word(first, first + 1) and v.keys[first + 1] not in lex.name_markers
            if word and not _person_context(v, first, first):
                continue  # "HẦU NHƯ", "Hồ Sơ": a word in capitals, not a family name
        else:
            last = _lower_full_name(v, first)
        if last - first >= 2 and not any(v.place[first:last]):
            yield first, last


def _lower_full_name(v: View, first: int) -> int:
    """A full name without capitals must look like one: three name syllables, "văn"/"thị" in the middle, or a
    family name that is no everyday word before a given name ("nguyễn hùng", not "lý do", "phạm vi")."""
    lex, keys = v.lex, v.keys
    if not v.joined(first, first + 2) or v.capital[first + 1] or v.is_word(first, first + 1):
        return first
    marker = keys[first + 1] in lex.name_markers and keys[first] in lex.common_surnames
    if marker and v.joined(first, first + 3) and keys[first + 2] not in lex.stop_words:
        # Without diacritics "van"/"thi" are also vẫn/thì ("9 trieu thi hoi chat"): the given name must be known.
        if not v.is_word(first + 2, first + 3) and not v.capital[first + 2]:
            if not v.toneless or keys[first + 2] in lex.given:
                return _name_run(v, first + 2, capital=False)
    last = _name_run(v, first, capital=False)
    if last - first >= 3 and keys[last - 1] in lex.given:
        return last
    if last - first == 2 and keys[first] in lex.strong_surnames and keys[first + 1] in lex.given:
        return last
    return first


def _after_titles(v: View) -> Iterator[tuple[int, int]]:
    """A name right after an honorific or role: "chị lan", "chi Lan o quay 3", "CÁN BỘ HÙNG"."""
    lex, lasts = v.lex, v.lex.titles.lasts
    for first in [index for index in range(1, len(v.keys)) if v.keys[index - 1] in lasts]:
        key = v.keys[first]
        if not v.capital[first] and not lex.known(key):
            continue  # quick rejection: "cán bộ tiếp nhận", "cảm ơn nhiều"
        size = v.before(first, lex.titles)
        if not size or key in lex.single_titles or v.place[first - size]:
            continue
        if first > size and v.keys[first - size - 1] in lex.place_keywords and not v.toneless:
            continue  # "đường Bà Triệu"; without diacritics "so chu Lan" may be "sơ" or "số": the gazetteer decides
        ambiguous = v.toneless and size == 1 and v.keys[first - 1] in AMBIGUOUS_FOLDED_TITLES
        if v.capital[first]:
            if v.after(first, lex.not_a_name) or (ambiguous and not lex.known(key)):
                continue
            if v.keys[first - 1] not in lex.kinship and key not in lex.name_syllables:
                continue  # "cảm ơn Điện Máy Xanh": after thanks or a role, only a name-like word
            yield first, _name_run(v, first, capital=True)
        elif _lower_name_after_title(v, first, ambiguous):
            last = _name_run(v, first, capital=False)
            if key not in lex.word_given or v.cue(last, WEAK, or_end=True):
                yield first, last


def _lower_name_after_title(v: View, first: int, ambiguous: bool) -> bool:
    """A name without a capital after a title: a known given name that forms no word with its neighbours.

    "anh hùng" is a word ("hero") and "chị bảo" a pronoun and a verb ("she said"): a person only if a strong
    cue follows ("anh hùng ở quầy 2"). Without diacritics ("em lam ho so": làm or Lam?) a cue must follow.
    """
    lex, key = v.lex, v.keys[first]
    if not lex.known(key) or v.place[first] or v.is_word(first, first + 1):
        return False
    size = v.before(first, lex.titles)
    if first > size and v.keys[first - size - 1] in lex.plural_words:
        return False  # "các bạn nam": a group, not a person
    if first + 1 < len(v.keys) and v.joined(first, first + 2) and v.keys[first + 1] in lex.demonstratives:
        return False  # "em kỳ này": a noun
    if key in lex.nicknames and key not in lex.given:
        following = v.keys[first + 1] if first + 1 < len(v.keys) and v.joined(first, first + 2) else ""
        kin = v.keys[first - 1] in lex.kinship
        return kin and following not in UNIT_WORDS and following not in lex.single_titles
    if v.is_word(first - 1, first):
        return v.cue(first + 1, PLACE)
    if key in lex.verb_given:
        return v.cue(first + 1, ACTION)
    if ambiguous or v.toneless:
        return v.cue(first + 1, WEAK, or_end=True)
    return True


def _bare_given_names(v: View) -> Iterator[tuple[int, int]]:
    """A given name alone: capitalised inside a sentence ("gặp Hùng"), or with cues around it."""
    lex, verbs = v.lex, v.lex.person_verbs.lasts
    for first in [index for index, key in enumerate(v.keys) if key in lex.given]:
        key = v.keys[first]
        if not (v.capital[first] or v.opens(first) or v.keys[first - 1] in verbs):
            continue  # quick rejection: a lower-case word inside a sentence, after no verb that takes a person
        if key in lex.single_titles or v.place[first] or v.is_word(first, first + 1):
            continue
        if v.before(first, lex.not_before):
            continue
        level = ACTION if key in lex.verb_given else QUALITY if key in lex.word_given or v.toneless else WEAK
        if v.capital[first] and not v.opens(first):
            last = _capitalised_given(v, first)
        elif v.opens(first) or (v.before(first, lex.person_verbs) and not v.is_word(first - 1, first)):
            last = first + 1 if v.cue(first + 1, level) else first  # "Hoa ở quầy 3", "gặp hùng ở quầy 3"
        else:
            continue
        if last > first and not any(v.place[first:last]):
            yield first, last


def _capitalised_given(v: View, first: int) -> int:
    """End of a name that starts with a capitalised given name inside a sentence; `first` if it is none."""
    lex = v.lex
    if v.capital[first - 1] and not v.opens(first - 1) and v.joined(first - 1, first + 1):
        return first  # inside a capitalised phrase whose first word was not a name ("Lộc Ninh")
    if v.is_word(first - 1, first):
        return first  # "Chân Dung", "Tuy Nhiên"
    last = _name_run(v, first, capital=True)
    if not all(key in lex.name_syllables for key in v.keys[first:last]):
        return first  # "My Tom", "Kim Chung": a capitalised phrase with a word no name has
    everyday = v.keys[first] in lex.word_given or v.is_word(first, first + 1)
    if everyday and not _person_context(v, first, last):
        return first  # "hàng Việt", "Vân tay", "Liên Quân": a capitalised word, not a person
    return last


def _person_context(v: View, first: int, last: int) -> bool:
    """A verb that takes a person or a title before words [first, last), or something staff do after them."""
    lex = v.lex
    return bool(v.before(first, lex.person_verbs) or v.before(first, lex.titles)) or v.cue(last, WEAK)


def find_names(text: str, taken: bytearray) -> Iterator[Span]:
    """The redaction rule: full names, names after a title, then given names alone."""
    v = view(text)
    if v.lex.name_syllables.isdisjoint(v.keys):
        return
    for rule in (_full_names, _after_titles, _bare_given_names):
        for first, last in rule(v):
            yield "person_name", v.starts[first], v.ends[last - 1]


def capitals_mean_names(text: str) -> bool:
    """Whether capitals in `text` can mark a name: false for ALL CAPS, Title Case On Every Word, or none."""
    return view(text).informative


def covers_place(text: str, start: int, end: int) -> bool:
    """Whether a word within characters [start, end) belongs to a place name ("Hai Bà Trưng", "Bà Rịa")."""
    v = view(text)
    return any(
        place and start < word_end and word_start < end
        for place, word_start, word_end in zip(v.place, v.starts, v.ends, strict=True)
    )
