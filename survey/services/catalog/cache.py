"""The catalog as every submission needs it, kept in each process for a short while instead of read each time.

A submission needs its office and procedure (by code from the API, by id from a survey link), an office-bound
key's subtree and the active questionnaire version. These change a few times a year (an import, an admin's edit,
a new questionnaire version), so each process keeps what it read for `FRESH_FOR` seconds:

- a change committed through a session of this process is seen at once: the commit drops the cache
  (`install` registers the hooks that notice catalog rows in a flush or in a bulk UPDATE/DELETE/INSERT);
- a change made by another process (a command, another worker, another host) is seen within `FRESH_FOR` seconds.

Entries are kept per database engine (tests run many apps in one process), only for things that exist (an unknown
code is read again next time, so a newly imported office is never refused from a stale cache), and at most
`MAX_ENTRIES` of them (made-up codes cannot grow it without bound). Values are shared by every request of the
process: never modify them.
"""

from __future__ import annotations

import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session

from survey.models import Office, OfficeProcedure, Procedure, QuestionnaireVersion

FRESH_FOR = 30.0  # seconds
MAX_ENTRIES = 4096
CATALOG_MODELS = (Office, Procedure, OfficeProcedure, QuestionnaireVersion)
CATALOG_TABLES = frozenset(model.__tablename__ for model in CATALOG_MODELS)
_CHANGED = "survey.catalog_changed"

T = TypeVar("T")


@dataclass(frozen=True)
class CatalogItem:
    """An office or a procedure as submissions see it."""

    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True)
class Questionnaire:
    """The active questionnaire version: its id (stored with each response) and its definition, shared by every
    request of the process, so never modified."""

    id: int
    definition: dict[str, Any]


_stores: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[float, Any]]] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def _store(session: Session) -> dict[Hashable, tuple[float, Any]]:
    bind: Any = session.get_bind()
    engine: Engine = getattr(bind, "engine", bind)
    store = _stores.get(engine)
    if store is None:
        with _stores_lock:
            store = _stores.setdefault(engine, {})
    return store


def remembered(session: Session, key: Hashable, load: Callable[[], T | None]) -> T | None:
    """`load()`'s value, read at most once per `FRESH_FOR` seconds; None (nothing found) is never kept."""
    store = _store(session)
    now = time.monotonic()
    entry = store.get(key)
    if entry is not None and now - entry[0] < FRESH_FOR:
        return entry[1]
    value = load()
    if value is not None:
        if len(store) >= MAX_ENTRIES:
            store.clear()
        store[key] = (now, value)
    return value


def forget(session: Session) -> None:
    """Drop everything kept for this session's database (done on every commit that changed the catalog)."""
    _store(session).clear()


def _lookup(session: Session, model: type[Office] | type[Procedure], column: str, value: object) -> CatalogItem | None:
    statement = select(model.id, model.code, model.name, model.active).where(getattr(model, column) == value)
    row = session.execute(statement).first()
    return None if row is None else CatalogItem(row.id, row.code, row.name, bool(row.active))


def office_by_code(session: Session, code: str) -> CatalogItem | None:
    return remembered(session, ("office", code), lambda: _lookup(session, Office, "code", code))


def office_by_id(session: Session, office_id: int) -> CatalogItem | None:
    return remembered(session, ("office", office_id), lambda: _lookup(session, Office, "id", office_id))


def procedure_by_code(session: Session, code: str) -> CatalogItem | None:
    return remembered(session, ("procedure", code), lambda: _lookup(session, Procedure, "code", code))


def procedure_by_id(session: Session, procedure_id: int) -> CatalogItem | None:
    return remembered(session, ("procedure", procedure_id), lambda: _lookup(session, Procedure, "id", procedure_id))


def office_subtree(session: Session, office_id: int) -> frozenset[int]:
    """The office and every office below it (by materialised path); empty for an unknown office."""

    def load() -> frozenset[int] | None:
        path = session.scalar(select(Office.path).where(Office.id == office_id))
        if path is None:
            return None
        return frozenset(session.scalars(select(Office.id).where(Office.path.startswith(path, autoescape=True))))

    return remembered(session, ("subtree", office_id), load) or frozenset()


def offered_procedure_ids(session: Session, office_id: int) -> frozenset[int]:
    """The ids of every procedure on the office's list (active or not)."""

    def load() -> frozenset[int]:
        offered = select(OfficeProcedure.procedure_id).where(OfficeProcedure.office_id == office_id)
        return frozenset(session.scalars(offered))

    return remembered(session, ("offered", office_id), load) or frozenset()


def office_procedures(session: Session, office_id: int) -> tuple[CatalogItem, ...]:
    """The active procedures an office offers, in the order a Vietnamese reader expects."""

    def load() -> tuple[CatalogItem, ...]:
        rows = session.execute(
            select(Procedure.id, Procedure.code, Procedure.name, Procedure.active)
            .join(OfficeProcedure, OfficeProcedure.procedure_id == Procedure.id)
            .where(OfficeProcedure.office_id == office_id, Procedure.active.is_(True))
        )
        items = (CatalogItem(row.id, row.code, row.name, True) for row in rows)
        return tuple(sorted(items, key=lambda item: reading_order(item.name)))

    return remembered(session, ("office-procedures", office_id), load) or ()


def reading_order(name: str) -> tuple[str, str]:
    """Alphabetical as a Vietnamese reader expects: "Đăng ký" among the D's, not after "Xóa" as bytes sort it."""
    base = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return base.replace("Đ", "D").replace("đ", "d").casefold(), name


def active_questionnaire(session: Session) -> Questionnaire | None:
    """The version citizens answer now, or None before one is installed (the first submission installs it)."""

    def load() -> Questionnaire | None:
        row = session.execute(
            select(QuestionnaireVersion.id, QuestionnaireVersion.definition)
            .where(QuestionnaireVersion.active.is_(True))
            .order_by(QuestionnaireVersion.version.desc())
            .limit(1)
        ).first()
        return None if row is None else Questionnaire(row.id, dict(row.definition))

    return remembered(session, "questionnaire", load)


def _note_catalog_changes(session: Session, _context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, CATALOG_MODELS) for instance in changed):
        session.info[_CHANGED] = True


def _note_bulk_changes(state: ORMExecuteState) -> None:
    """`session.execute(delete(OfficeProcedure)…)` and the like change the catalog without a flush."""
    if state.is_delete or state.is_update or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in CATALOG_TABLES:
            state.session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget(session)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


_installed = False


def install() -> None:
    """Drop the cache whenever a session of this process commits a change to the catalog (once per process)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _note_catalog_changes)
        event.listen(Session, "do_orm_execute", _note_bulk_changes)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))
        _installed = True
