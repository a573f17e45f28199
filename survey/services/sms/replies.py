"""Reading an SMS reply: a rating 1-5, the words around it, the call-back and opt-out keywords.

People answer in any form: "5", "5 sao", "4 diem", "nam", "năm", "bon", "rat hai long", with or without diacritics,
often with extra words ("5 hai long, can bo nhiet tinh"). The rules, in order:
1. the first word is a number 1-5, in digits or in words (một/mot, hai, ba, bốn/bon/tư/tu, năm/nam; "hai" only
   when not followed by "long", which makes it "hài lòng");
2. else the message starts with a rating phrase: "rat hai long" 5, "hai long" 4, "binh thuong" 3,
   "khong hai long" / "chua hai long" 2, "rat khong hai long" 1;
3. else the message holds exactly one number written in digits, and it is 1-5 ("toi cho 4 diem").
Any other number ("0", "6", "10", "4.5") is not a rating: such a message is unreadable. The words after the rating
(and after a "sao"/"diem", "/5" or rating phrase that repeats it) are the comment, as the citizen wrote them. The
opt-out keyword wins over everything ("TU CHOI" is not a 4); a message with the call-back keyword has no comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.text import toneless

_WORD = re.compile(r"\w+(?:[.,]\d+)?")
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_PHRASES = (  # longest first
    (("rat", "khong", "hai", "long"), 1),
    (("khong", "hai", "long"), 2),
    (("chua", "hai", "long"), 2),
    (("rat", "hai", "long"), 5),
    (("hai", "long"), 4),
    (("binh", "thuong"), 3),
)
_UNITS = ("sao", "diem")
CALLBACK_KEYWORDS = (("goi", "lai"), ("lien", "he", "lai"))
OPT_OUT_KEYWORDS = (("tu", "choi"), ("huy",), ("stop",))
_OUT_OF_FIVE = re.compile(r"\s*[1-5]\s*/\s*5\b")  # "4/5"
_TRIM = " \t\r\n,.;:!-–"


@dataclass(frozen=True)
class Reply:
    rating: int | None
    comment: str | None  # the words after the rating, or the whole message when it has no rating
    callback: bool
    opt_out: bool


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    return any(tuple(words[i : i + len(phrase)]) == phrase for i in range(len(words) - len(phrase) + 1))


def _phrase_at(words: list[str], start: int) -> tuple[int, int] | None:
    for phrase, rating in _PHRASES:
        if tuple(words[start : start + len(phrase)]) == phrase:
            return rating, len(phrase)
    return None


def _leading_rating(words: list[str]) -> tuple[int, int] | None:
    """(rating, words it used) when the message starts with a rating; None otherwise."""
    first = words[0]
    if first.isdigit():
        return (int(first), 1) if 1 <= int(first) <= 5 and len(first) == 1 else None
    if first in _NUMBER_WORDS and not (first == "hai" and words[1:2] == ["long"]):
        return _NUMBER_WORDS[first], 1
    return _phrase_at(words, 0)


def _only_number(words: list[str]) -> int | None:
    numbers = [word for word in words if any(ch.isdigit() for ch in word)]
    if len(numbers) == 1 and numbers[0] in {"1", "2", "3", "4", "5"}:
        return int(numbers[0])
    return None


def read_reply(text: str) -> Reply:
    """What a reply says; `rating` None when it holds no readable rating."""
    spans = [(match.start(), match.end()) for match in _WORD.finditer(text)]
    words = [toneless(text[start:end]).lower() for start, end in spans]
    if any(_contains(words, keyword) for keyword in OPT_OUT_KEYWORDS):
        return Reply(None, None, callback=False, opt_out=True)
    callback = any(_contains(words, keyword) for keyword in CALLBACK_KEYWORDS)
    if not words:
        return Reply(None, None, callback, opt_out=False)
    leading = _leading_rating(words)
    if leading is None:
        rating = None if words[0].isdigit() else _only_number(words)
        return Reply(rating, None if callback else text.strip(_TRIM) or None, callback, opt_out=False)
    rating, used = leading
    if words[used : used + 1] and (words[used] in _UNITS or (words[used] == "5" and _OUT_OF_FIVE.match(text))):
        used += 1
    repeated = _phrase_at(words, used)
    if repeated is not None:
        used += repeated[1]
    rest = text[spans[used - 1][1] :].strip(_TRIM) if used < len(words) else ""
    return Reply(rating, None if callback else rest or None, callback, opt_out=False)
