"""The columns of the anonymised research export: names, meanings in Vietnamese and English, types, roles.

One table describes the file, so the writers, the codebook and the researcher page cannot disagree. What is
left out is as deliberate as what is in: no internal ids, no time finer than a month, nothing from the
invitation or the dossier, no submission key, no contact details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.models import ELEMENTS
from survey.services.catalog.questionnaire import shipped_definition

QUASI_IDENTIFIERS = ("month", "office", "procedure", "channel", "age_band", "sex", "language")
"""Columns an outsider could know about a citizen: generalised until every combination is shared by k rows.

Language is one: few people answer in English, and knowing that someone is a foreigner narrows them down.
Any of them that is in the file is a quasi-identifier; a researcher chooses which are in the file."""

DEFAULT_QUASI = ("month", "office", "procedure", "age_band", "sex")
"""The quasi-identifiers of a file when the researcher names none: when, where and what (the questions asked
first), with age band and sex kept where the data allow. Channel and language are added on request: each
added quasi-identifier splits the groups further and costs detail in the others (on 20,000 demo responses,
adding the channel turns one procedure in six into its field)."""

SENSITIVE = ("rating", "satisfied")
TEXT_MODES = ("redacted", "drop")
FORMATS = ("csv", "parquet", "sav", "dta")


@dataclass(frozen=True)
class Column:
    """One column of the export file."""

    name: str
    type: str  # string, integer or boolean
    label_vi: str
    label_en: str
    role: str  # quasi_identifier, sensitive or other
    coded: bool = False  # a few codes with labels: categorical in Parquet, labelled values in SPSS and Stata


def _role(name: str) -> str:
    if name in QUASI_IDENTIFIERS:
        return "quasi_identifier"
    return "sensitive" if name in SENSITIVE else "other"


CODED = frozenset({*QUASI_IDENTIFIERS, "service_mode", "on_time", "extra_payment"})


def _column(name: str, type_: str, vi: str, en: str) -> Column:
    return Column(name, type_, vi, en, _role(name), name in CODED)


_QUESTIONS = {question["code"]: question for question in shipped_definition(1)["questions"]}


def _asked(code: str) -> tuple[str, str]:
    text = _QUESTIONS[code]["text"]
    return str(text["vi"]), str(text["en"])


ALL_COLUMNS: tuple[Column, ...] = (
    _column("row_id", "string", "Mã dòng ngẫu nhiên, chỉ có nghĩa trong tệp này",
            "Random row id, meaningful only within this file"),
    _column("month", "string", "Tháng trả lời (YYYY-MM, giờ Việt Nam); ở nhóm ít dòng là quý (YYYY-Qn)",
            "Month of the response (YYYY-MM, Vietnam time); a quarter (YYYY-Qn) where the group is small"),
    _column("office", "string", "Cơ quan giải quyết; ở nhóm ít dòng là mã tỉnh, hiếm hơn là vùng",
            "Office that handled the procedure; its province code (or region) where the group is small"),
    _column("procedure", "string", "Mã thủ tục hành chính; ở nhóm ít dòng là tên lĩnh vực, hiếm hơn là «khác»",
            "Administrative procedure code; its field (lĩnh vực) where the group is small, else «khác» (other)"),
    _column("channel", "string", "Kênh trả lời khảo sát", "How the response arrived"),
    _column("age_band", "string", "Nhóm tuổi (có thể gộp thành nhóm rộng hơn)", "Age band (possibly wider)"),
    _column("sex", "string", "Giới tính", "Sex"),
    _column("service_mode", "string", "Cách làm thủ tục", "How the citizen did the procedure"),
    _column("verified", "boolean", "Trả lời qua đường dẫn dùng một lần gắn với một hồ sơ",
            "Answered through a one-time link tied to a dossier"),
    _column("questionnaire_version", "integer", "Phiên bản bảng hỏi", "Questionnaire version answered"),
    _column("language", "string", "Ngôn ngữ trả lời (vi, en)", "Language of the answers (vi, en)"),
    _column("rating", "integer", *_asked("rating")),
    _column("satisfied", "boolean", "Hài lòng: mức 4 hoặc 5", "Satisfied: rating 4 or 5"),
    *(_column(f"element_{name}", "integer", *_asked(f"element_{name}")) for name in ELEMENTS),
    _column("on_time", "string", *_asked("on_time")),
    _column("returns", "integer", *_asked("returns")),
    _column("agencies", "integer", *_asked("agencies")),
    _column("extra_payment", "string", *_asked("extra_payment")),
    _column("comment", "string", "Góp ý của người dân, đã che thông tin cá nhân",
            "Citizen's comment, with personal data replaced by placeholders"),
)  # fmt: skip


OTHER_COLUMNS = tuple(c.name for c in ALL_COLUMNS if c.name != "row_id" and c.name not in QUASI_IDENTIFIERS)
"""The answers and facts a researcher may choose (`--columns`); all of them by default."""


def export_columns(*, quasi: tuple[str, ...], others: tuple[str, ...], text: str) -> tuple[Column, ...]:
    """The columns of one export in the file's order: the random row id, the chosen quasi-identifiers, the
    chosen other columns (without the comment when comments are left out)."""
    wanted = {"row_id", *quasi, *others} - ({"comment"} if text == "drop" else set())
    return tuple(column for column in ALL_COLUMNS if column.name in wanted)


COLUMNS_BY_NAME = {column.name: column for column in ALL_COLUMNS}


def _bilingual(option: dict[str, Any]) -> str:
    return f"{option['vi']} ({option['en']})" if option["vi"] != option["en"] else str(option["vi"])


SCALE_LABELS: dict[str, str] = {code: _bilingual(label) for code, label in shipped_definition(1)["scale"].items()}

FIXED_VALUES: dict[str, dict[str, str]] = {
    **{
        code: {value: _bilingual(option) for value, option in question["options"].items()}
        for code, question in _QUESTIONS.items()
        if "options" in question
    },
    "rating": SCALE_LABELS,
    **{f"element_{name}": SCALE_LABELS for name in ELEMENTS},
    "channel": {
        "qr": "Mã QR trên giấy hẹn (QR code on the receipt)",
        "sms": "Đường dẫn qua tin nhắn (SMS link)",
        "kiosk": "Máy tính bảng tại quầy (kiosk at the counter)",
        "online": "Cổng dịch vụ công trực tuyến (online portal)",
        "paper": "Phiếu giấy nhập lại (paper form, typed in)",
        "api": "Hệ thống khác gửi qua API (partner system)",
    },
    "verified": {"true": "Có (yes)", "false": "Không (no)"},
    "satisfied": {"true": "Hài lòng, mức 4–5 (satisfied)", "false": "Chưa hài lòng, mức 1–3 (not satisfied)"},
    "language": {"vi": "Tiếng Việt (Vietnamese)", "en": "Tiếng Anh (English)"},
}
"""Labels of the codes of the columns that are not generalised (and of the ungeneralised QI codes)."""

GENERALISED_LABELS: dict[str, str] = {
    "khác": "Gộp các giá trị ít gặp (rare values merged: other)",
    "*": "Không công bố (withheld: not published at this k)",
    "under_25": "Dưới 25 (under 25)",
    "25_44": "25–44",
    "45_64": "45–64",
    "under_45": "Dưới 45 (under 45)",
    "45_plus": "45 trở lên (45 or over)",
    "": "Không trả lời (not answered)",
}
