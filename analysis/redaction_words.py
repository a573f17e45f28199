"""Vocabulary for recognising personal data in Vietnamese comments: honorifics, surnames, banks, places.

Kept apart from the rules in analysis/redaction.py so the word lists can grow without touching the patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable


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
