"""Demo survey links for the landing page in demo mode, so a visitor can try the citizen form at once.

A handful of links is made once and remembered in the site settings: one-time dossier links on three
channels, two office poster links (one with the procedure pre-selected, one where the citizen picks it) and a
counter-tablet (kiosk) link. A one-time link that has been used or has expired is replaced by a fresh one, so
the list stays the same size and every link on it still works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office, OfficeProcedure, Procedure, SiteSetting
from survey.services.responses.invitations import LinkError, issue_dossier_link, public_link, resolve_link
from survey.services.transactions import rolls_back_on_error

SETTING_KEY = "demo_links"
PREFERRED_PROCEDURES = ("1.001193", "2.000815", "1.004222")
DOSSIER_CHANNELS = ("qr", "sms", "online")


@dataclass(frozen=True)
class DemoLink:
    kind: str  # "dossier" (one-time), "poster" (public) or "kiosk" (public, counter tablet)
    token: str
    channel: str
    office_code: str
    office_name: str
    procedure_code: str | None
    procedure_name: str | None


def _load(session: Session) -> dict[str, Any]:
    raw = session.scalar(select(SiteSetting.value).where(SiteSetting.key == SETTING_KEY))
    try:
        stored = json.loads(raw) if raw else {}
    except ValueError:
        stored = {}
    return stored if isinstance(stored, dict) and isinstance(stored.get("links"), list) else {"serial": 0, "links": []}


def _pick_offices(session: Session) -> list[tuple[Office, list[Procedure]]]:
    """Two offices that handle procedures, each with its procedures, preferred procedures first."""
    picked: list[tuple[Office, list[Procedure]]] = []
    for office in session.scalars(select(Office).where(Office.active.is_(True)).order_by(Office.code)):
        procedures = list(
            session.scalars(
                select(Procedure)
                .join(OfficeProcedure, OfficeProcedure.procedure_id == Procedure.id)
                .where(OfficeProcedure.office_id == office.id, Procedure.active.is_(True))
                .order_by(Procedure.code)
            )
        )
        if len(procedures) >= 2:
            rank = {code: i for i, code in enumerate(PREFERRED_PROCEDURES)}
            procedures.sort(key=lambda p: (rank.get(p.code, len(rank)), p.code))
            picked.append((office, procedures))
        if len(picked) == 2:
            break
    return picked


def _plan(session: Session) -> list[dict[str, Any]]:
    """Which links the demo shows: (kind, office, procedure, channel) without tokens yet."""
    offices = _pick_offices(session)
    if not offices:
        return []
    (first, first_procedures), (second, second_procedures) = offices[0], offices[-1]
    plan: list[dict[str, Any]] = [
        {"kind": "dossier", "office": first.code, "procedure": first_procedures[0].code, "channel": "qr"},
        {"kind": "dossier", "office": first.code, "procedure": first_procedures[1].code, "channel": "sms"},
        {"kind": "dossier", "office": second.code, "procedure": second_procedures[0].code, "channel": "online"},
        {"kind": "poster", "office": first.code, "procedure": None, "channel": "qr"},
        {"kind": "poster", "office": second.code, "procedure": second_procedures[0].code, "channel": "qr"},
        {"kind": "kiosk", "office": first.code, "procedure": None, "channel": "kiosk"},
    ]
    return plan


def _issue(session: Session, entry: dict[str, Any], serial: int, *, secret: str, base_url: str) -> str:
    if entry["kind"] == "dossier":
        today = datetime.now(UTC).strftime("%y%m%d")
        return issue_dossier_link(
            session,
            secret=secret,
            base_url=base_url,
            office_code=entry["office"],
            procedure_code=entry["procedure"],
            dossier_code=f"000.00.00.DEMO-{today}-{serial:04d}",
            channel=entry["channel"],
        ).token
    return public_link(
        session,
        secret=secret,
        base_url=base_url,
        office_code=entry["office"],
        procedure_code=entry["procedure"],
        channel=entry["channel"],
    ).token


@rolls_back_on_error
def demo_links(session: Session, *, secret: str, base_url: str) -> list[DemoLink]:
    """The landing page's demo links, made on first call; used or expired one-time links are replaced."""
    stored = _load(session)
    entries: list[dict[str, Any]] = stored["links"] or _plan(session)
    serial = int(stored.get("serial") or 0)
    changed = not stored["links"]
    try:
        for entry in entries:
            token = entry.get("token")
            if not token or resolve_link(session, token, secret=secret).status != "valid":
                serial += 1
                entry["token"] = _issue(session, entry, serial, secret=secret, base_url=base_url)
                changed = True
    except LinkError:  # the catalog changed under the demo: plan afresh next time
        session.rollback()
        entries, changed = [], True
    if changed:
        session.merge(SiteSetting(key=SETTING_KEY, value=json.dumps({"serial": serial, "links": entries})))
        session.commit()
    return _describe(session, entries)


def _describe(session: Session, entries: list[dict[str, Any]]) -> list[DemoLink]:
    offices: dict[str, str] = {row.code: row.name for row in session.execute(select(Office.code, Office.name))}
    procedures = {row.code: row.name for row in session.execute(select(Procedure.code, Procedure.name))}
    return [
        DemoLink(
            kind=entry["kind"],
            token=entry["token"],
            channel=entry["channel"],
            office_code=entry["office"],
            office_name=offices.get(entry["office"], entry["office"]),
            procedure_code=entry["procedure"],
            procedure_name=procedures.get(entry["procedure"]) if entry["procedure"] else None,
        )
        for entry in entries
    ]
