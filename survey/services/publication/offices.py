"""Which offices the public pages list: the top of the tree, the offices under one, or those a search finds.

A search ignores case and tone marks, so "hoan kiem" finds "Hoàn Kiếm" (people type without diacritics on many
phones): each word typed must begin a word of the office's name, or the text must begin its code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.redaction_words import fold
from survey.models import Office
from survey.services.reporting.query import OfficeInfo

PAGE_SIZE = 30
QUERY_MAX = 100
_WORD = re.compile(r"[^\W_]+")


def folded_words(text: str) -> list[str]:
    """Lower-case words without tone marks or đ: "Phường Hoàn Kiếm" → ["phuong", "hoan", "kiem"]."""
    return [fold(word) for word in _WORD.findall(text)]


def name_matches(query: str, name: str, code: str = "") -> bool:
    """Whether every word of `query` begins a word of `name` (accents ignored), or `query` begins `code`."""
    query = query.strip()[:QUERY_MAX]
    if code and query and code.startswith(query):
        return True
    wanted = folded_words(query)
    words = folded_words(name)
    return bool(wanted) and all(any(word.startswith(part) for word in words) for part in wanted)


def subtrees(session: Session, offices: Iterable[OfficeInfo]) -> tuple[set[int], dict[int, list[int]]]:
    """Every office id in the given offices' subtrees, and for each such id the given offices it counts towards
    (by the materialised path of ids that `survey.services.accounts.scoping` scopes officials with)."""
    wanted = {office.id for office in offices}
    owners: dict[int, list[int]] = {}
    for office_id, path in session.execute(select(Office.id, Office.path)):
        found = [int(part) for part in path.strip("/").split("/") if part and int(part) in wanted]
        if found:
            owners[office_id] = found
    return set(owners), owners


def _info(office: Office) -> OfficeInfo:
    return OfficeInfo(office.id, office.code, office.name, office.level, office.province_code, office.parent_id)


def find_office(session: Session, code: str) -> OfficeInfo | None:
    office = session.scalar(select(Office).where(Office.code == code))
    return None if office is None else _info(office)


def parent_of(session: Session, office: OfficeInfo) -> OfficeInfo | None:
    parent = session.get(Office, office.parent_id) if office.parent_id is not None else None
    return None if parent is None else _info(parent)


def count_under(session: Session, office: OfficeInfo) -> int:
    """How many active offices are directly under `office`."""
    statement = select(Office.id).where(Office.parent_id == office.id, Office.active.is_(True))
    return len(session.scalars(statement).all())


@dataclass(frozen=True)
class Listing:
    offices: list[OfficeInfo]
    total: int
    page: int
    pages: int


def list_offices(session: Session, *, query: str = "", under: OfficeInfo | None = None, page: int = 1) -> Listing:
    """One page of active offices in code order: matching `query`, else directly under `under`, else the top ones."""
    statement = select(Office).where(Office.active.is_(True)).order_by(Office.code)
    if not query and under is not None:
        statement = statement.where(Office.parent_id == under.id)
    elif not query:
        statement = statement.where(Office.parent_id.is_(None))
    offices = [_info(office) for office in session.scalars(statement)]
    if query:
        offices = [office for office in offices if name_matches(query, office.name, office.code)]
    pages = max(1, math.ceil(len(offices) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    return Listing(offices[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(offices), page, pages)
