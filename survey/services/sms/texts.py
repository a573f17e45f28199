"""The texts the service sends by SMS, in Vietnamese without diacritics.

Written without diacritics on purpose: a message in the GSM alphabet holds 160 characters, one with Vietnamese
diacritics only 70 (UCS-2), and older phones show them badly (DOMAIN.md §5b). Each text fits one message; the
tests check it. Office names are shortened and stripped of diacritics to fit.
"""

from __future__ import annotations

from analysis.text import toneless

SMS_LENGTH = 160
REPLY_QUESTION = "Tra loi 1-5: 5 = rat hai long, 1 = rat khong hai long. Nhan GOI LAI neu muon duoc lien he."
HELP = "Xin loi, chung toi chua doc duoc. Hay tra loi mot so tu 1 den 5 (5 = rat hai long). Nhan TU CHOI de dung."
OPTED_OUT = "Da ghi nhan: ban se khong nhan them tin khao sat nao cho ho so nay."


def _short(name: str, room: int) -> str:
    plain = toneless(name).strip()
    return plain if len(plain) <= room else plain[: max(room - 1, 0)].rstrip() + "."


def invitation_text(office_name: str, mode: str, url: str) -> str:
    """The invitation: the survey link, or the question to answer by reply."""
    if mode == "reply":
        head = "Danh gia ho so tai {office}. "
        tail = REPLY_QUESTION
    else:
        head = "Moi danh gia ho so tai {office}: "
        tail = url
    room = SMS_LENGTH - len(head.format(office="")) - len(tail)
    return head.format(office=_short(office_name, room)) + tail


def callback_text(days: int, retention_days: int) -> str:
    """Sent back when a citizen asks for a call-back by SMS: what they agreed to, and how long the number is kept."""
    return (
        f"Da ghi nhan yeu cau goi lai. Can bo se lien he so nay trong {days} ngay lam viec; "
        f"so chi dung cho viec nay va bi xoa sau {retention_days} ngay."
    )
