"""Find and replace personal data in Vietnamese citizen comments before they are stored.

NĐ 61/2018/NĐ-CP Điều 27 keeps the identity of whoever gives feedback confidential, and de-identified data
falls outside Luật 91/2025/QH15 (DOMAIN.md §5): so no stored comment or research export may carry a phone
number, ID number, e-mail or other personal detail a citizen typed. Recall on phone, ID and e-mail comes
first; ordinary numbers (money, dates, times, counts, procedure codes, legal document numbers) stay so the
comment still reads.

How it works: an ordered table of named rules, one job each (`RULES`). Every rule proposes spans; a span
that overlaps one taken by an earlier rule is dropped. "Keep" rules claim ordinary numbers so later, looser
rules cannot take them. No library recognises Vietnamese personal data well, so this is plain `re`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from analysis.redaction_names import capitals_mean_names, covers_place, find_names
from analysis.redaction_words import (
    BANK_NAMES,
    DATE_WORDS,
    HONORIFICS,
    LAST_WORD_RE,
    LOWER,
    NOT_A_NAME,
    NOT_NAME_WORDS,
    PLACE_KEYWORDS,
    PLACE_NAMES,
    ROOM_WORDS,
    STREET_END_WORDS,
    SURNAMES,
    UNIT_WORDS,
    UPPER,
    starts_with_any,
)

PLACEHOLDERS: dict[str, str] = {
    "phone": "[SĐT]",
    "id_number": "[CCCD]",
    "email": "[EMAIL]",
    "dossier_code": "[MÃ HỒ SƠ]",
    "licence_plate": "[BIỂN SỐ]",
    "bank_account": "[STK]",
    "person_name": "[HỌ TÊN]",
    "address": "[ĐỊA CHỈ]",
}
KEEP = "keep"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its kind (a key of PLACEHOLDERS) and where it sits in the NFC text."""

    kind: str
    start: int
    end: int
    text: str


Span = tuple[str, int, int]
Finder = Callable[[str, bytearray], Iterator[Span]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named step of the table: `find(text, taken)` yields (kind, start, end) proposals.

    `needs` is a cheap test the text must pass first (most comments hold no digit), for speed only.
    """

    name: str
    find: Finder
    needs: re.Pattern[str] | None = None


def redact(text: str) -> str:
    """Return the comment, NFC-normalised, with personal data replaced by the contract's placeholders."""
    return redact_with_findings(text)[0]


def find_personal_data(text: str) -> list[Finding]:
    """List what `redact` replaces; offsets refer to the NFC form of `text` (equal for NFC input).

    Only the first pass is listed: later passes of `redact` rarely find anything (see there).
    """
    return _scan(unicodedata.normalize("NFC", text))


_MAX_PASSES = 4


def redact_with_findings(text: str) -> tuple[str, list[Finding]]:
    """Redact and also return every finding, so callers can count them without scanning twice.

    Replacing can expose a leftover that was glued to what was removed ("Hà0012" → "Hà[…]"), so the
    text is scanned again while something changes: this makes `redact` idempotent. Findings of later
    passes carry offsets into that pass's text.
    """
    current = unicodedata.normalize("NFC", text)
    everything: list[Finding] = []
    for _ in range(_MAX_PASSES):
        findings = _scan(current)
        if not findings:
            break
        everything.extend(findings)
        current = redact_findings(current, findings)
    return current, everything


def redact_findings(text: str, findings: list[Finding]) -> str:
    """Replace each finding (sorted, non-overlapping, offsets into `text`) with its placeholder."""
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _scan(text: str) -> list[Finding]:
    """Run the rules in order; the first rule to claim a character owns it."""
    taken = bytearray(len(text))
    findings: list[Finding] = []
    passed: dict[re.Pattern[str], bool] = {}
    for rule in RULES:
        if rule.needs is not None:
            if rule.needs not in passed:
                passed[rule.needs] = rule.needs.search(text) is not None
            if not passed[rule.needs]:
                continue
        for kind, start, end in rule.find(text, taken):
            if start >= end or taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            if kind != KEEP:
                findings.append(Finding(kind, start, end, text[start:end]))
    findings.sort(key=lambda finding: finding.start)
    return _merge_address_parts(text, findings)


def _merge_address_parts(text: str, findings: list[Finding]) -> list[Finding]:
    """Join address pieces separated only by commas/spaces ("tổ 5, khu phố 3") into one placeholder."""
    merged: list[Finding] = []
    for finding in findings:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind == finding.kind == "address"
            and not text[previous.end : finding.start].strip(" ,")
        ):
            merged[-1] = Finding("address", previous.start, finding.end, text[previous.start : finding.end])
        else:
            merged.append(finding)
    return merged


# --- building blocks -------------------------------------------------------------------------------------

_SPACE = "[ \t\u00a0\u202f\u2009\u200b]"
_SEP = rf"(?:{_SPACE}{{1,2}}|{_SPACE}?[.\-–]{_SPACE}?)"
_TOKEN = r"\(?\+?\d+\)?"
# A run of digit groups joined by single spaces, dots or dashes: "0912 345 678", "(+84) 912.345.678".
_RUN = rf"(?:\({_SPACE}?)?\+?\d+\)?(?:{_SEP}{_TOKEN})*"
_RUN_RE = re.compile(rf"(?<!\d){_RUN}")
_GROUP_RE = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_CAPITAL = re.compile(f"[{UPPER}]")
_AT = re.compile(r"@|\bat\b|a còng")
_TITLE = rf"[{UPPER}][{LOWER}]*(?!\w)"
_TITLES = rf"{_TITLE}(?:[ ]{_TITLE}){{0,3}}"
_FIRST_TITLE_RE = re.compile(rf"(?<![\w])(?!(?i:số|nhà|đường|phố)\b){_TITLE}")
_NO_NUMBER_BEFORE = r"(?<![\d+])(?<!\d[ .,\-])"
_GAP = r"[ \t]*(?:[:=\-–.][ \t]*)?(?:(?:là|số|của[ \t]+(?:tôi|em|mình|con)|:)[ \t]*){0,3}"


def _ascii_digits(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.digit(char, 0)) for char in digits)


def _classify(digits: str, plus: bool) -> str | None:
    """Phone or ID number from the digits alone (DOMAIN.md §5: mobile 10 digits 03/05/07/08/09, landline
    02x + 8 digits, +84 forms; citizen ID 12 digits starting with a 0xx province code; old ID 9 digits)."""
    length = len(digits)
    if digits.startswith("84") and (plus or length in (11, 12)):
        rest = digits[3:] if digits[2:3] == "0" else digits[2:]
        if (len(rest) == 9 and rest[0] in "35789") or (len(rest) == 10 and rest[0] == "2"):
            return "phone"
    if plus and 8 <= length <= 15:
        return "phone"
    if digits[:1] == "0" and ((length == 10 and digits[1] in "235789") or (length == 11 and digits[1] in "12")):
        return "phone"
    if (length == 12 and digits[0] == "0") or length == 9:
        return "id_number"
    return None


def _groups(text: str, run: re.Match[str], taken: bytearray) -> list[list[tuple[int, int, str]]]:
    """Digit groups of a run as (start, end, digits), split where an earlier rule owns a group."""
    stretches: list[list[tuple[int, int, str]]] = [[]]
    for group in _GROUP_RE.finditer(text, run.start(), run.end()):
        if taken.find(1, group.start(), group.end()) != -1:
            stretches.append([])
            continue
        stretches[-1].append((group.start(), group.end(), _ascii_digits(group.group())))
    return [stretch for stretch in stretches if stretch]


def _start_of(text: str, groups: list[tuple[int, int, str]], index: int) -> tuple[int, bool]:
    """Start of group `index`, widened over a leading "+", "(" or "(+"; and whether a "+" was there."""
    start = groups[index][0]
    plus = False
    if start > 0 and text[start - 1] == "+":
        start, plus = start - 1, True
    if start > 0 and text[start - 1] == "(":
        start -= 1
    elif start > 1 and text[start - 1] in " \u00a0" and text[start - 2] == "(":
        start -= 2
    return start, plus


def _end_of(text: str, groups: list[tuple[int, int, str]], index: int) -> int:
    end = groups[index][1]
    return end + 1 if text[end : end + 1] == ")" and "(" in text[max(0, end - 6) : end] else end


def _strong_numbers(text: str, groups: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, Span]]:
    """Phones and IDs within a stretch of groups: at each start, the longest valid join of groups wins."""
    index = 0
    while index < len(groups):
        start, plus = _start_of(text, groups, index)
        joined, candidates = "", []
        for last in range(index, len(groups)):
            joined += groups[last][2]
            if len(joined) > 15:
                break
            candidates.append((last, joined))
        for last, digits in reversed(candidates):
            kind = _classify(digits, plus)
            if kind:
                yield index, last, (kind, start, _end_of(text, groups, last))
                index = last + 1
                break
        else:
            index += 1


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits[:2] in ("19", "20")


def _find_numbers(text: str, taken: bytearray) -> Iterator[Span]:
    """Phones, IDs, then bank accounts (10–19 digits) among the digit runs nobody has claimed yet."""
    for run in _RUN_RE.finditer(text):
        for groups in _groups(text, run, taken):
            used: set[int] = set()
            for first, last, span in _strong_numbers(text, groups):
                used.update(range(first, last + 1))
                yield span
            rest: list[tuple[int, int, str]] = []
            for position, group in enumerate([*groups, None]):
                if group is not None and position not in used:
                    rest.append(group)
                    continue
                digits = "".join(part[2] for part in rest)
                if 10 <= len(digits) <= 19 and not all(_is_year(part[2]) for part in rest):
                    yield "bank_account", _start_of(text, rest, 0)[0], rest[-1][1]
                rest = []


def _context_number_finder(kind: str, keywords: str, low: int, high: int) -> Finder:
    """Digits right after a keyword ("sđt", "stk", "CCCD"…) are that kind when their length fits."""
    pattern = re.compile(rf"(?i:\b(?:{keywords}))\b{_GAP}(?P<run>(?<!\d){_RUN})")

    def find(text: str, taken: bytearray) -> Iterator[Span]:
        for match in pattern.finditer(text):
            groups = [
                (group.start(), group.end(), _ascii_digits(group.group()))
                for group in _GROUP_RE.finditer(text, match.start("run"), match.end("run"))
            ]
            joined, longest, longest_strong = "", -1, -1
            for last, group in enumerate(groups):
                joined += group[2]
                if len(joined) > high:
                    break
                if low <= len(joined):
                    longest = last
                    if kind != "bank_account" and _classify(joined, False) is not None:
                        longest_strong = last
            best = longest_strong if longest_strong >= 0 else longest
            if best >= 0:
                yield kind, _start_of(text, groups, 0)[0], _end_of(text, groups, best)

    return find


def _regex_finder(
    kind: str, pattern: str, flags: int = 0, accept: Callable[[str, re.Match[str]], bool] | None = None
) -> Finder:
    """Spans of the named group `value` (or the whole match) for which `accept` agrees."""
    compiled = re.compile(pattern, flags)
    group = "value" if "value" in compiled.groupindex else 0

    def find(text: str, taken: bytearray) -> Iterator[Span]:
        for match in compiled.finditer(text):
            if accept is None or accept(text, match):
                yield kind, match.start(group), match.end(group)

    return find


def _word_before(text: str, position: int) -> str:
    """The word just before `position` (lower case), skipping spaces and commas."""
    match = LAST_WORD_RE.search(text[max(0, position - 30) : position])
    return match.group(1).lower() if match else ""


def _valid_date(text: str, match: re.Match[str]) -> bool:
    day, month = (
        int(match.group("day") or match.group("day2")),
        int(match.group("month") or match.group("month2")),
    )
    return 1 <= day <= 31 and 1 <= month <= 12


def _name_after_role(text: str, match: re.Match[str]) -> bool:
    if not capitals_mean_names(text):
        return False  # "Cán Bộ Vui Vẻ": in Title Case On Every Word, analysis.redaction_names decides
    following = text[match.start("value") : match.start("value") + 40].lower()
    if starts_with_any(following, NOT_A_NAME) or covers_place(text, match.start(), match.start("value")):
        return False
    return _word_before(text, match.start()) not in PLACE_KEYWORDS


def _bare_full_name(text: str, match: re.Match[str]) -> bool:
    if not capitals_mean_names(text):
        return False
    following = text[match.start() : match.start() + 40].lower()
    if starts_with_any(following, PLACE_NAMES) or covers_place(text, match.start(), match.end()):
        return False
    return _word_before(text, match.start()) not in PLACE_KEYWORDS


def _trimmed_finder(base: Finder, stop_words: frozenset[str]) -> Finder:
    """Cut a match at the first word after its start that cannot belong to it ("anh Tuấn Rất nhiệt tình")."""

    def find(text: str, taken: bytearray) -> Iterator[Span]:
        for kind, start, end in base(text, taken):
            position = start
            for word in text[start:end].split(" "):
                if position > start and word.lower() in stop_words:
                    break
                position += len(word) + 1
            yield kind, start, min(end, position - 1)

    return find


def _street_number(text: str, match: re.Match[str]) -> bool:
    before = _word_before(text, match.start())
    first_name_word = _FIRST_TITLE_RE.search(text, match.start(), match.end())
    if first_name_word and first_name_word.group().lower() in UNIT_WORDS:
        return False
    return before not in DATE_WORDS and before not in ROOM_WORDS


_EMAIL = (
    r"(?<![\w.+\-])(?:\"[^\"\n@]{1,64}\"|[\w!#$%&'*+/=?^`{|}~\-]+(?:\.[\w!#$%&'*+/=?^`{|}~\-]+)*)"
    r"[ ]?(?:@|\((?:at|a còng)\)|\[(?:at|a còng)\]| a còng )[ ]?"
    r"(?:[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}|\[\d{1,3}(?:\.\d{1,3}){3}\]|(?:gmail|yahoo|hotmail|outlook|icloud)\b)"
)
_DOSSIER = r"(?<![\w.])(?:[A-Za-z0-9]{1,5}\.){0,5}[A-Za-z0-9]{1,5}-\d{6}-\d{3,6}(?!\w)"
_DOSSIER_AFTER_KEYWORD = (
    r"(?i:\b(?:mã\s+hồ\s+sơ|mã\s+hs|số\s+hồ\s+sơ|hồ\s+sơ\s+số|mã\s+biên\s+nhận|số\s+biên\s+nhận))\b"
    rf"{_GAP}(?P<value>(?=[A-Za-z0-9.\-/]*\d)[A-Za-z0-9][A-Za-z0-9.\-/]*[A-Za-z0-9])"
)
_PLATE = (
    r"(?<![\w.])\d{2}[ \-]?(?:[A-ZĐ]{1,2}\d{0,2}(?:[ \-.]|[ ]-[ ])?(?:\d{3}\.\d{2}|\d{4,5})"
    r"|[a-zđ]{1,2}\d{0,2}(?:[ \-.]|[ ]-[ ])?\d{3}\.\d{2})(?![\w]|\.\d)"
)
_PROCEDURE_CODE = rf"{_NO_NUMBER_BEFORE}\d\.\d{{6}}(?:\.\d{{3}}\.\d{{2}}\.\d{{2}})?(?:\.[A-Z]\d{{2}})?(?![\d])"
_LEGAL_NUMBER = r"(?<![\w/])\d+(?:/\d{4})?/[A-ZĐ][\wĐđ]*(?:-[A-ZĐ][\wĐđ]*)*"
_DATE = (
    rf"{_NO_NUMBER_BEFORE}(?:(?P<day>\d{{1,2}})(?P<sep>[/.\-])(?P<month>\d{{1,2}})(?P=sep)\d{{4}}"
    r"|\d{4}-(?P<month2>\d{2})-(?P<day2>\d{2}))(?![.\-/]?\d)"
)
_MONEY = (
    rf"{_NO_NUMBER_BEFORE}(?:\d{{1,3}}(?:[ .,]\d{{3}})+(?:,\d+)?|\d{{1,7}}(?:[.,]\d{{1,3}})?)[ ]?"
    r"(?i:đồng(?![ ]ý)|vnđ|vnd|đ|k|nghìn|ngàn|triệu|tr|tỷ|usd|\$)(?!\w)"
)
_HOUSE = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?){0,3}"
_STREET_NAME = rf"(?:{_TITLES}|số[ ]\d+|\d+(?:/\d+)?)"
_STREET = rf"(?i:(?:số[ ](?:nhà[ ])?|nhà[ ]số[ ])?){_HOUSE},?[ ](?i:đường|phố|đ\.|p\.)[ ]?{_STREET_NAME}"
_HOUSE_AND_NAME = rf"(?i:số[ ](?:nhà[ ])?|nhà[ ]số[ ])?{_HOUSE}[ ]{_TITLE}[ ]{_TITLES}"
_SLASH_AND_NAME = rf"\d+[A-Za-z]?(?:/\d+[A-Za-z]?){{1,3}}[ ]{_TITLES}"
_HOUSE_ONLY = rf"(?i:số[ ]nhà|nhà[ ]số)[ ]{_HOUSE}"
_LANE = rf"\b(?i:ngõ|ngách|hẻm|hẽm|kiệt|kiệt)[ ](?:{_HOUSE}(?:,?[ ](?i:đường|phố)?[ ]?{_TITLES})?|{_TITLES})"
_LOCALITY = (
    r"\b(?i:tổ(?:[ ]dân[ ]phố)?|khu[ ]phố|kp|tdp|thôn|ấp|xóm|khóm|khu[ ]tập[ ]thể|ktt)[ ](?i:số[ ])?"
    rf"(?:\d+[A-Za-z]?(?![ ]cửa)(?!\w)|{_TITLES})"
)

_PHONE_WORDS = (
    r"sđt|sdt|số\s+điện\s+thoại|so\s+dien\s+thoai|điện\s+thoại|đt|dt|đtdđ|dđ|di\s+động|zalo|hotline"
    r"|tel|phone|mobile|liên\s+hệ|liên\s+lạc|gọi|gọi\s+lại|nhắn|nhắn\s+tin|số\s+máy"
)
_ID_WORDS = (
    r"cccd|cmnd|cmt|cc|căn\s+cước(?:\s+công\s+dân)?|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?"
    r"|số\s+định\s+danh(?:\s+cá\s+nhân)?|mã\s+định\s+danh|định\s+danh|hộ\s+chiếu|passport|mã\s+số\s+thuế|mst"
)
_BANK_WORDS = rf"stk|số\s+tài\s+khoản|số\s+tk|tài\s+khoản|tk|account|{BANK_NAMES}"

RULES: tuple[Rule, ...] = (
    Rule("email", _regex_finder("email", _EMAIL), _AT),
    Rule("dossier code", _regex_finder("dossier_code", _DOSSIER), _DIGIT),
    Rule("dossier code after keyword", _regex_finder("dossier_code", _DOSSIER_AFTER_KEYWORD), _DIGIT),
    Rule("keep: procedure code", _regex_finder(KEEP, _PROCEDURE_CODE), _DIGIT),
    Rule("keep: legal document number", _regex_finder(KEEP, _LEGAL_NUMBER), _DIGIT),
    Rule("keep: date", _regex_finder(KEEP, _DATE, accept=_valid_date), _DIGIT),
    Rule("keep: money", _regex_finder(KEEP, _MONEY), _DIGIT),
    Rule("phone after keyword", _context_number_finder("phone", _PHONE_WORDS, 7, 13), _DIGIT),
    Rule("ID number after keyword", _context_number_finder("id_number", _ID_WORDS, 8, 13), _DIGIT),
    Rule("bank account after keyword", _context_number_finder("bank_account", _BANK_WORDS, 6, 19), _DIGIT),
    Rule("licence plate", _regex_finder("licence_plate", _PLATE), _DIGIT),
    Rule("lane", _regex_finder("address", _LANE)),
    Rule("hamlet, group, quarter", _regex_finder("address", _LOCALITY)),
    Rule(
        "street address",
        _trimmed_finder(_regex_finder("address", _STREET, accept=_street_number), STREET_END_WORDS),
        _DIGIT,
    ),
    Rule(
        "house number and street name",
        _trimmed_finder(_regex_finder("address", _HOUSE_AND_NAME, accept=_street_number), STREET_END_WORDS),
        _DIGIT,
    ),
    Rule(
        "slashed house number and street",
        _trimmed_finder(_regex_finder("address", _SLASH_AND_NAME, accept=_street_number), STREET_END_WORDS),
        _DIGIT,
    ),
    Rule("house number", _regex_finder("address", _HOUSE_ONLY), _DIGIT),
    Rule("phone, ID or account number", _find_numbers, _DIGIT),
    Rule(
        "name after a role or honorific",
        _trimmed_finder(
            _regex_finder(
                "person_name",
                rf"(?i:\b(?:{HONORIFICS}))[ \t]+(?P<value>{_TITLES})",
                accept=_name_after_role,
            ),
            NOT_NAME_WORDS,
        ),
        _CAPITAL,
    ),
    Rule(
        "full name with a Vietnamese surname",
        _trimmed_finder(
            _regex_finder("person_name", rf"\b(?:{SURNAMES})(?:[ ]{_TITLE}){{1,3}}", accept=_bare_full_name),
            NOT_NAME_WORDS,
        ),
        _CAPITAL,
    ),
    Rule("name from its shape and context", find_names),
)
