"""Demo invitations: every verified demo response answers a one-time invitation, and some invitations go unanswered.

A verified response is by definition an answer to a one-time link, so each one gets its invitation (issued a little
before the answer, on the same channel), and the dossier is marked as rated. Before each answered invitation
come the invitations nobody answered, drawn as the failures before a success at the channel's response rate, so
the demo's coverage is what a real office might see:

- kiosk (the counter tablet, right as the result is handed over): 70 %, the citizen is there and asked in person;
- QR code printed on the receipt, scanned later: 25 %;
- online (the link on the portal when the result is downloaded): 20 %;
- SMS with a link (one message and at most one reminder, NĐ 91/2020): 15 %.

These are working assumptions in the range public-service surveys report for each mode (in-person prompts far
above links sent afterwards), not measured Vietnamese figures. Each office's rates are scaled by its own factor
(0.5–1.3: some offices push the survey more than others), so a few offices fall under the coverage warning.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from analysis.periods import local_date
from survey.models import Invitation, RatedDossier

RESPONSE_RATES = {"kiosk": 0.70, "qr": 0.25, "online": 0.20, "sms": 0.15}
"""Share of one-time invitations answered, by channel (see the module docstring for why)."""
OFFICE_FACTOR = (0.5, 1.3)
DELAY_HOURS = {"kiosk": 0.2, "qr": 72.0, "online": 48.0, "sms": 36.0}
"""Longest time from the invitation to the answer, by channel (uniformly drawn up to it)."""
EXPIRES_DAYS = 30
UNANSWERED_SPREAD_DAYS = 10
"""Unanswered invitations are issued up to this many days before or after an answered one, within the period."""


class InvitationMaker:
    """Makes the invitation rows for a batch of stored demo responses; deterministic for a given generator."""

    def __init__(self, rng: random.Random, office_ids: Sequence[int], *, start: datetime, end: datetime):
        """`start` and `end`: the demo's period; no invitation is issued outside it."""
        self.rng = rng
        self.office_factor = {office_id: rng.uniform(*OFFICE_FACTOR) for office_id in office_ids}
        self.serial = 0
        self.start, self.end = start, end

    def _within(self, moment: datetime) -> datetime:
        return min(max(moment, self.start), self.end)

    def rate(self, office_id: int, channel: str) -> float:
        return min(0.95, max(0.02, RESPONSE_RATES[channel] * self.office_factor.get(office_id, 1.0)))

    def _unanswered(self, rate: float) -> int:
        """Invitations nobody answered before the next answered one: geometric, mean (1 − rate) / rate."""
        return int(math.log(1.0 - self.rng.random()) / math.log(1.0 - rate))

    def _row(self, response: dict[str, Any], created: datetime) -> dict[str, Any]:
        self.serial += 1
        return {
            "token_id": f"demo-{self.serial:09d}",  # a '-' never appears in a real token: it cannot be opened
            "office_id": response["office_id"],
            "procedure_id": response["procedure_id"],
            "channel": response["channel"],
            "is_public": False,
            "dossier_hash": f"{self.rng.getrandbits(256):064x}",
            "created_at": created,
            "expires_at": created + timedelta(days=EXPIRES_DAYS),
            "used_at": None,
            "response_id": None,
            "is_demo": True,
        }

    def rows(self, responses: Sequence[dict[str, Any]], ids: Sequence[int]) -> list[dict[str, Any]]:
        """Invitations for the verified responses among `responses` (stored with `ids`), answered and not."""
        rows = []
        for response, response_id in zip(responses, ids, strict=True):
            channel = response["channel"]
            if not response["verified"] or channel not in RESPONSE_RATES:
                continue
            answered_at: datetime = response["created_at"]
            issued = self._within(answered_at - timedelta(hours=self.rng.uniform(0.0, DELAY_HOURS[channel])))
            answered = self._row(response, issued)
            answered.update(used_at=answered_at, response_id=response_id)
            rows.append(answered)
            for _ in range(self._unanswered(self.rate(response["office_id"], channel))):
                moment = issued + timedelta(days=self.rng.uniform(-UNANSWERED_SPREAD_DAYS, UNANSWERED_SPREAD_DAYS))
                rows.append(self._row(response, self._within(moment)))
        return rows


def store_invitations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the invitation rows and mark the answered dossiers as rated, as a real answer would."""
    if not rows:
        return
    table: Any = Invitation.__table__
    session.connection().execute(insert(table), rows)
    rated = [
        {"dossier_hash": row["dossier_hash"], "rated_on": local_date(row["used_at"].astimezone(UTC))}
        for row in rows
        if row["used_at"] is not None
    ]
    if rated:
        rated_table: Any = RatedDossier.__table__
        session.connection().execute(insert(rated_table), rated)


def remove_demo_invitations(session: Session) -> None:
    """Delete the demo's invitations and the rated marks of their dossiers."""
    demo_hashes = select(Invitation.dossier_hash).where(Invitation.is_demo.is_(True))
    session.execute(delete(RatedDossier).where(RatedDossier.dossier_hash.in_(demo_hashes)))
    session.execute(delete(Invitation).where(Invitation.is_demo.is_(True)))
