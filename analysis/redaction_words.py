"""Vocabulary for recognising personal data in Vietnamese comments: honorifics, surnames, banks, places.

Kept apart from the rules in analysis/redaction.py so the word lists can grow without touching the patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec

from analysis.regions import PROVINCES
from analysis.text import canonical_word


def _letters(predicate: Callable[[str], bool]) -> str:
    """Latin letters (with every Vietnamese diacritic) for which `predicate` holds, as a regex class body."""
    ranges = (range(0x41, 0x24F), range(0x1E00, 0x1F00))
    return "".join(chr(code) for block in ranges for code in block if predicate(chr(code)) and chr(code).isalpha())


UPPER = _letters(str.isupper)
LOWER = _letters(str.islower)
LAST_WORD_RE = re.compile(r"(\w+)[\s,]*$")


def _alternation(phrases: str) -> str:
    """'a b|c' → regex alternation with flexible spaces, longest first so "cán bộ tên" beats "cán bộ"."""
    items = sorted({phrase.strip() for phrase in phrases.split("|") if phrase.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in item.split()) for item in items)


def starts_with_any(text: str, phrases: frozenset[str]) -> bool:
    """Whether lower-case `text` begins with one of `phrases` as whole words."""
    return any(text.startswith(phrase) and not text[len(phrase) : len(phrase) + 1].isalnum() for phrase in phrases)


HONORIFICS = _alternation(
    "anh|chị|ông|bà|em|cô|chú|bác|cậu|dì|mợ|thím|cháu|bạn|thầy|đồng chí|đ/c|cán bộ|cán bộ tên|công chức"
    "|công chức tên|nhân viên|tên|nhân viên tên|chuyên viên|tên là|tên tôi là|tên em là|tôi là|em là|tôi tên"
    "|em tên|họ tên|họ và tên|người tên|cảm ơn|bé|con tôi là|vợ tôi là|chồng tôi là"
)
SURNAMES = _alternation(
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đinh|Đào|Trương|Trịnh"
    "|Lương|Đoàn|Lâm|Tô|Hà|Cao|Tạ|Châu|Thái|Quách|Lưu|Vương|Triệu|Kiều|Tăng|Phùng|Hứa|Chu|Lã|Doãn"
    "|Khổng|Đàm|Nông|Mạc|Âu|Tôn|Thân|Diệp|Hoàng Thị"
)
BANK_NAMES = _alternation(
    "vietcombank|vcb|techcombank|tcb|bidv|agribank|vietinbank|mbbank|mb bank|mb|acb|sacombank|vpbank"
    "|tpbank|shb|hdbank|vib|ocb|seabank|eximbank|lienvietpostbank|lpbank|msb|nam a bank|bac a bank"
    "|abbank|pvcombank|scb|vietabank|kienlongbank|ngân hàng|momo|zalopay|viettel money|viettelpay"
)
# Capitalised words after an honorific that start an office, a place or a field, not a person.
NOT_A_NAME = frozenset(
    "công an|ủy ban|uỷ ban|ubnd|hđnd|bộ phận|một cửa|phường|xã|quận|huyện|tỉnh|thành phố|thị xã|thị trấn"
    "|sở|phòng|ban|bộ|cục|chi cục|chi nhánh|trung tâm|ngân hàng|bệnh viện|trường|tòa án|toà án|viện"
    "|nhà nước|việt nam|hà nội|sài gòn|đảng|tư pháp|hộ tịch|địa chính|tiếp nhận|trả kết quả|văn phòng"
    "|văn hóa|văn hoá|lao động|thương binh|xã hội|tài chính|kế toán|quân sự|xây dựng|môi trường|thuế"
    "|dân số|y tế|giáo dục|kinh tế|nội vụ|thống kê|bảo hiểm|hải quan|kho bạc|bưu điện|điện lực|cấp nước"
    "|tháng|thứ|chủ nhật|ngày|tết|rịa|bà rịa|chiểu|điểm|đen|lãnh|tô|hồ chí minh|bác hồ|trời|phật|chúa"
    "|rất|cảm ơn|xin|tôi|không|và|nhưng|thì|là|đã|đang|sẽ|rồi|nên|vì|do|khi|nếu|thủ tục|hồ sơ|cán bộ"
    "|công chức|nhân viên|bảo vệ|quản lý|quản lí|ok|oke|ạ|nhé|vậy|làm|giúp|hướng dẫn|tận tình"
    "|nhiệt tình|chu đáo|anh|chị|em|cô|chú|bác|ông|bà|các|mọi".split("|")
)
# Words that end a name when typed with a capital by mistake ("anh Tuấn Rất nhiệt tình").
NOT_NAME_WORDS = frozenset(
    "rất|cảm|xin|tôi|không|và|nhưng|thì|là|đã|đang|sẽ|rồi|nên|vì|do|khi|nếu|ở|tại|của|phường|xã|quận"
    "|huyện|tỉnh|tp|ubnd|bộ|sở|phòng|ban|tháng|ngày|thứ|làm|giúp|hướng|nhiệt|tận|hỗ"
    "|hôm|nay|qua|lúc|với|cho|cũng|còn|được|bị|có".split("|")
)
PLACE_NAMES = frozenset(
    "hồ chí minh|hồ gươm|hồ tây|hồ hoàn kiếm|hà nội|hà tĩnh|hà giang|hà nam|hà đông|cao bằng|lâm đồng"
    "|phan thiết|phan rang|thái nguyên|thái bình|châu đốc|châu thành|lý sơn|tô lịch|cao lãnh|lê chân"
    "|hoàng mai|hoàng sa|trường sa|đồng tháp|lương sơn|hà tiên|đà nẵng|tây ninh|hồ sơ".split("|")
)
# A word right before a capitalised name that makes it a street, ward or other place.
PLACE_KEYWORDS = frozenset(
    "đường|phố|phường|xã|quận|huyện|tỉnh|tp|thành|thị|trấn|trường|cầu|chợ|ngõ|ngách|hẻm|kiệt|khu|ấp"
    "|thôn|xóm|bản|làng|số|tổ|đ|p|q|h|ở|tại|sông|núi|hồ|đảo|cảng|sân|bến|bệnh|viện|tòa|nhà|đại|lộ".split("|")
)
# Words after a number that make it a quantity, not a house number ("3 Ngày Rồi…" in title-case text).
UNIT_WORDS = frozenset(
    "ngày|tháng|năm|tuần|giờ|phút|giây|lần|người|cái|con|chiếc|tầng|triệu|nghìn|ngàn|tỷ|đồng|km|mét"
    "|bộ|bản|tờ|trang|quyển|loại|cấp|sao|điểm|số|hồ|quầy|phòng|buổi|lượt|tiếng|bước|khâu".split("|")
)
# Words that end a street name ("12 Nguyễn Trãi Quận 5").
STREET_END_WORDS = frozenset("quận|phường|xã|huyện|tỉnh|tp|thành|thị|p|q".split("|"))
DATE_WORDS = frozenset("ngày|hôm|từ|đến|tới|trước|sau|hạn|lúc|hẹn|tháng|năm".split("|"))
ROOM_WORDS = frozenset("quầy|phòng|bàn|cửa|tầng|lầu|lần|ô|ghế|vé|stt|thứ|tự".split("|"))

# --- names written without an honorific (analysis/redaction_names.py) -------------------------------------
# Phrases are lower case with diacritics; the rules compare them in canonical form (analysis.text) and, for
# comments typed without diacritics, in folded form ("cán bộ" → "can bo").

# Words right before a person's name: kinship terms used as honorifics, roles, thanks.
NAME_TITLES = (
    "anh|chị|em|cô|chú|bác|ông|bà|cậu|dì|mợ|thím|cháu|bạn|thầy|bé|đồng chí|cán bộ|công chức|nhân viên"
    "|chuyên viên|cảm ơn|cám ơn|tên|tên là|chủ tịch|phó chủ tịch|trưởng phòng|phó phòng|giám đốc|kế toán"
    "|tổ trưởng|trưởng ấp|trưởng thôn|anh trai|chị gái|em trai|em gái|vợ tôi|chồng tôi|con tôi|mẹ tôi|bố tôi"
    "|cha tôi|thanks|thank|tks|thank you"
)
# Words before a title that make it anyone of a group, not one person ("các bạn nam", "những cô").
PLURAL_WORDS = frozenset("các|những|mấy|mọi|nhiều|vài|hai|ba|cả".split("|"))
# Words after a noun that show it is one ("kỳ này", "lần đó"): a name is not followed by them.
DEMONSTRATIVES = frozenset("này|đó|kia|ấy|nọ|nay".split("|"))
# Kinship words before a birth-order nickname ("chú Tư", "bác Ba"): "cảm ơn hai chị" is a number.
KINSHIP_TITLES = frozenset("anh|chị|em|cô|chú|bác|ông|bà|cậu|dì|mợ|thím|dượng".split("|"))
# Folded titles that are also everyday words without diacritics ("co" có/cô, "chi" chi/chỉ/chị, "ba" ba/bà):
# a lower-case name after them needs a cue after it too.
AMBIGUOUS_FOLDED_TITLES = frozenset("co|chi|chu|ba|bac|ong|ban|thay|di|cau|be|ten|chau|thim|mo".split("|"))
# Verbs that take a person as object: a bare given name right after them is probably a name ("gặp Hùng").
PERSON_VERBS = "gặp|hỏi|nhờ|cảm ơn|cám ơn|khen|khen ngợi|gọi|nhắn|nhắn cho|thanks|thank|tks|cảm ơn bạn"
# What follows a name, strongest evidence first: where staff sit, what staff do, how they are, then weaker
# words. A given name that is also an everyday word needs a strong cue ("Mai ở quầy 3", not "Mai tôi quay lại");
# one that is also a verb or an adjective ("thầy hiền nhiệt tình": gentle) needs a place or an action; one that
# forms a word with the title before it ("anh hùng", "chú trọng") needs a place.
PLACE_CUES = (
    "ở quầy|ở bàn|ở bộ phận|ở phòng|ở ubnd|ở một cửa|ở cửa số|bên một cửa|bên bộ phận|bên phòng|bên hộ tịch"
    "|bên địa chính|bên tư pháp|bên công an"
)
ACTION_CUES = (
    "tiếp nhận|hướng dẫn|giải thích|làm việc|bảo|nói|hẹn|đòi|quát|gắt|cáu|không có mặt|tư vấn|nhận hồ sơ"
    "|trả kết quả|trả lời|giải quyết|hỗ trợ|phụ trách"
)
QUALITY_CUES = "thái độ|rất nhiệt tình|nhiệt tình|tận tình|tận tâm|vui vẻ|chu đáo|niềm nở|dễ thương"
WEAK_NAME_CUES = (
    "nhận|trả|ghi|gọi|nhắc|nhắn|trực|ký|nghỉ|rất|đã|đang|mới|xử lý|kiểm tra|chỉ|thu|giữ|mang|giúp|làm"
    "|cũng|luôn|hay|ạ|ơi|nhé|nha|bên|ở|nhiều|và|bộ phận|phòng|quầy|bàn"
)
# Words before a capitalised word that make it a place, a language, a people, a date or a counter number.
NOT_PERSON_BEFORE = (
    "quê|về|vào|lên|xuống|gần|qua|sang|miền|vùng|tiếng|người|nước|chữ|thứ|tháng|mùng|ngày|năm|số|quầy"
    "|phòng|bàn|tầng|lầu|cửa|chợ|cầu|bến|sông|trường|khu|đường|phố|phường|xã|quận|huyện|tỉnh|tp|thành phố"
    "|thị xã|thị trấn|ấp|thôn|xóm|bản|làng|ở|tại|từ|đại lộ|quốc lộ|ngõ|ngách|hẻm|kiệt|công ty|cty"
)

# Words after which the capitalised words that follow are a place, whatever they are ("xã Tam Phước").
PLACE_OPENERS = (
    "đường|phố|phường|xã|quận|huyện|tỉnh|tp|thị|trấn|ấp|thôn|xóm|bản|làng|kp|tdp|p|q|x|h|tt|tx|đ|ngõ|ngách|hẻm"
    "|kiệt|lộ|chợ|cầu|bến|sông|núi|đảo|cảng|ga|chùa|đình|trường|viện|ở|siêu|shop|nhánh"
)

# --- the name lexicon, keyed for toned or toneless text ---------------------------------------------------


@lru_cache(maxsize=131072)
def canonical(word: str) -> str:
    """Lower-case NFC with the tone mark on the new-style vowel: "Hòa" and "Hoà" give one key."""
    return canonical_word(unicodedata.normalize("NFC", word.lower()))


@lru_cache(maxsize=131072)
def fold(word: str) -> str:
    """The toneless key of text typed without diacritics: "Nguyễn" → "nguyen", "Đức" → "duc"."""
    bare = unicodedata.normalize("NFD", canonical(word).replace("đ", "d"))
    return "".join(char for char in bare if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Phrases as tuples of keys, with their first and last words and lengths for quick rejection."""

    phrases: frozenset[tuple[str, ...]]
    firsts: frozenset[str]
    lasts: frozenset[str]
    sizes: tuple[int, ...]  # longest first

    @classmethod
    def of(cls, phrases: Iterable[tuple[str, ...]]) -> PhraseSet:
        items = frozenset(phrase for phrase in phrases if phrase)
        return cls(
            items,
            frozenset(phrase[0] for phrase in items),
            frozenset(phrase[-1] for phrase in items),
            tuple(sorted({len(phrase) for phrase in items}, reverse=True)),
        )

    def __contains__(self, phrase: object) -> bool:
        return phrase in self.phrases


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Name syllables, places, ordinary two-syllable words and cue phrases, all keyed one way."""

    surnames: frozenset[str]
    strong_surnames: frozenset[str]  # not everyday words: may start a two-syllable name in lower case
    common_surnames: frozenset[str]  # may start a lower-case name with "văn"/"thị" in the middle
    middle: frozenset[str]
    given: frozenset[str]
    nicknames: frozenset[str]
    word_given: frozenset[str]  # given names that are everyday words on their own
    verb_given: frozenset[str]  # given names that are verbs after a pronoun ("chị bảo")
    name_syllables: frozenset[str]
    name_markers: frozenset[str]  # "văn", "thị": whatever follows them is a given name
    single_titles: frozenset[str]
    kinship: frozenset[str]
    plural_words: frozenset[str]
    demonstratives: frozenset[str]
    places: PhraseSet
    words: frozenset[tuple[str, ...]]
    titles: PhraseSet
    person_verbs: PhraseSet
    cues: tuple[PhraseSet, ...]  # place, action, quality, weak
    not_before: PhraseSet
    not_a_name: PhraseSet
    place_keywords: frozenset[str]
    place_openers: frozenset[str]  # words after which capitalised words are a place ("xã Tam Phước")
    stop_words: frozenset[str]

    def known(self, key: str) -> bool:
        return key in self.given or key in self.nicknames


def _sections(name: str) -> dict[str, list[str]]:
    """Entries of a shipped list under their "[section]" headers; "#" starts a comment."""
    raw = resources.files("analysis").joinpath(f"data/{name}").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in raw.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("[") and entry.endswith("]"):
            current = sections.setdefault(entry[1:-1], [])
        elif entry:
            current.append(unicodedata.normalize("NFC", entry))
    return sections


def _dictionary_words() -> list[str]:
    """Two-syllable words of pyvi's dictionary (MIT, models/words.txt inside the package), read as a plain list
    so that the slow tagger is never imported; none when pyvi is not installed."""
    if find_spec("pyvi") is None:
        return []
    raw = resources.files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8")
    return [line for line in raw.splitlines() if line.count(" ") == 1]


@lru_cache(maxsize=2)
def lexicon(toneless: bool) -> Lexicon:
    """The word lists keyed for toned text, or folded for text typed without diacritics (built once each)."""
    key = fold if toneless else canonical
    names = _sections("names_vi.txt")
    provinces = [name.removeprefix("Thành phố ") for name in PROVINCES.values()]
    place_names = [entry for section in _sections("places_vi.txt").values() for entry in section] + provinces

    def words(entries: Iterable[str]) -> frozenset[str]:
        return frozenset(key(entry) for entry in entries)

    def phrases(entries: Iterable[str]) -> Iterator[tuple[str, ...]]:
        return (tuple(key(part) for part in entry.split()) for entry in entries if entry.strip())

    given = words(names["given"])
    titles = PhraseSet.of(phrases(NAME_TITLES.split("|")))
    surnames, middle, nicknames = words(names["surnames"]), words(names["middle"]), words(names["nicknames"])
    not_a_name = (p for p in phrases(sorted(NOT_A_NAME)) if not (toneless and len(p) == 1 and p[0] in given))
    return Lexicon(
        surnames=surnames,
        strong_surnames=words(names["strong_surnames"]),
        common_surnames=words(names["common_surnames"]),
        middle=middle,
        given=given,
        nicknames=nicknames,
        word_given=words([*names["word_given"], *names["verb_given"]]),
        verb_given=words(names["verb_given"]),
        name_syllables=surnames | middle | given | nicknames,
        name_markers=words(["văn", "thị"]),
        single_titles=frozenset(phrase[0] for phrase in titles.phrases if len(phrase) == 1),
        kinship=words(KINSHIP_TITLES),
        plural_words=words(PLURAL_WORDS),
        demonstratives=words(DEMONSTRATIVES),
        places=PhraseSet.of(p for p in phrases(place_names) if len(p) >= 2),
        words=frozenset(phrases([*_dictionary_words(), *names.get("words", [])])),
        titles=titles,
        person_verbs=PhraseSet.of(phrases(PERSON_VERBS.split("|"))),
        cues=tuple(
            PhraseSet.of(phrases(group.split("|"))) for group in (PLACE_CUES, ACTION_CUES, QUALITY_CUES, WEAK_NAME_CUES)
        ),
        not_before=PhraseSet.of(phrases(NOT_PERSON_BEFORE.split("|"))),
        not_a_name=PhraseSet.of(not_a_name),
        place_keywords=words(PLACE_KEYWORDS),
        place_openers=words(PLACE_OPENERS.split("|")),
        # Folded, some words that end a name are name syllables themselves ("thì" and "Thị" are both "thi").
        stop_words=words(NOT_NAME_WORDS) - (surnames | middle | given if toneless else frozenset()),
    )
