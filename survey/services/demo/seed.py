"""Demo data: the starter catalog, demo offices and believable synthetic responses.

Satisfaction differs by office, procedure, channel and month, so some procedures in some offices are clearly
above the 90 % target, some clearly below and some too close to call; comments follow the answers (a late
result brings complaints about waiting). Every verified response answers a one-time invitation, and other
invitations go unanswered at each channel's response rate (survey/services/demo/invitations.py), so the QĐ 766
rate and coverage are counted from consistent data. Deterministic for a given seed and day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from analysis.periods import LOCAL_TIME, local_month
from survey.models import (
    AGE_BANDS,
    SEXES,
    Invitation,
    Office,
    OfficeProcedure,
    Procedure,
    Response,
    ResponseTheme,
    SiteSetting,
)
from survey.services.catalog.imports import load_starter_catalog
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.demo import comments as demo_comments
from survey.services.demo.invitations import InvitationMaker, remove_demo_invitations, store_invitations
from survey.services.responses.rollups import rebuild_rollups

CHANNEL_WEIGHTS = {"qr": 34, "kiosk": 26, "sms": 14, "online": 16, "paper": 7, "api": 3}
CHANNEL_EFFECT = {"qr": 0.0, "kiosk": 0.15, "sms": -0.1, "online": -0.35, "paper": 0.3, "api": 0.0}
PROCEDURE_WEIGHT = {"1.001193": 9, "2.000815": 12, "2.000884": 5, "1.004222": 6, "1.004194": 7, "1.000894": 4}
BATCH = 5000
RECENT_MONTHS = 3
RECENT_CHANGES = (-1.6, -1.2, 1.4)
"""Changes (in log-odds) of satisfaction in the last three months at a few busy pairs: two worse, one better."""


@dataclass
class SeedSummary:
    responses: int
    offices: int
    procedures: int
    months: list[str]
    comments: int
    seconds: float


def _months_back(today: datetime, count: int) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class DemoGenerator:
    """Draws responses from a simple model: P(satisfied) = sigmoid(base + office + procedure + channel + trend),
    with a recent change at a few pairs."""

    def __init__(self, rng: random.Random, offices: list[Office], links: dict[int, list[Procedure]], months: int):
        self.rng = rng
        self.offices = [o for o in offices if links.get(o.id)]
        self.links = links
        self.office_effect = {o.id: rng.gauss(0.0, 0.7) for o in self.offices}
        self.office_weight = [rng.uniform(0.4, 2.5) for _ in self.offices]
        procedures = {p.id: p for ps in links.values() for p in ps}
        self.procedure_effect = {pid: rng.gauss(0.0, 0.45) for pid in procedures}
        self.pair_effect: dict[tuple[int, int], float] = {}
        self.months = _months_back(datetime.now(LOCAL_TIME), months)
        self.recent_change = self._recent_changes()
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(CHANNEL_WEIGHTS.values())

    def _recent_changes(self) -> dict[tuple[int, int], float]:
        """A few busy office × procedure pairs whose satisfaction changed in the last `RECENT_MONTHS` months (a
        counter short of staff, a new online form), so the watch list has real changes to find."""
        busiest = sorted(zip(self.office_weight, self.offices, strict=True), key=lambda item: -item[0])
        pairs = []
        for rank, (_, office) in enumerate(busiest[: len(RECENT_CHANGES)]):
            common = sorted(self.links[office.id], key=lambda p: (-PROCEDURE_WEIGHT.get(p.code, 2), p.code))
            pairs.append((office.id, common[rank % len(common)].id))
        return dict(zip(pairs, RECENT_CHANGES, strict=True))

    def _pair(self, office_id: int, procedure_id: int) -> float:
        key = (office_id, procedure_id)
        if key not in self.pair_effect:
            self.pair_effect[key] = self.rng.gauss(0.0, 0.4)
        return self.pair_effect[key]

    def _moment(self, index: int) -> datetime:
        year, month = self.months[index]
        day = self.rng.randint(1, 28)
        hour = self.rng.choice([7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16])
        local = datetime(year, month, day, hour, self.rng.randint(0, 59), self.rng.randint(0, 59), tzinfo=LOCAL_TIME)
        return local.astimezone(UTC)

    def response(self) -> dict[str, Any]:
        rng = self.rng
        office = rng.choices(self.offices, weights=self.office_weight)[0]
        procedures = self.links[office.id]
        procedure = rng.choices(procedures, weights=[PROCEDURE_WEIGHT.get(p.code, 2) for p in procedures])[0]
        channel = rng.choices(self.channels, weights=self.channel_weights)[0]
        month_index = rng.randrange(len(self.months))
        trend = 0.04 * (month_index - len(self.months) / 2)
        if month_index >= len(self.months) - RECENT_MONTHS:
            trend += self.recent_change.get((office.id, procedure.id), 0.0)
        logit = (
            2.4
            + self.office_effect[office.id]
            + self.procedure_effect[procedure.id]
            + self._pair(office.id, procedure.id)
            + CHANNEL_EFFECT[channel]
            + trend
        )
        satisfied = rng.random() < _sigmoid(logit)
        rating = rng.choice([4, 5, 5]) if satisfied else rng.choices([1, 2, 3], weights=[2, 3, 5])[0]
        created = self._moment(month_index)
        theme = rng.choice(demo_comments.THEMES) if rating <= 3 else None
        values: dict[str, Any] = {
            "created_at": created,
            "month": local_month(created),
            "procedure_id": procedure.id,
            "office_id": office.id,
            "channel": channel,
            "service_mode": self._service_mode(channel),
            "verified": channel in ("qr", "sms", "kiosk", "online") and rng.random() < 0.85,
            "rating": rating,
            "language": "en" if rng.random() < 0.03 else "vi",
            "is_demo": True,
        }
        values.update(self._elements(rating, theme))
        values.update(self._facts(rating, theme))
        values["comment"] = self._comment(rating, theme)
        values["age_band"] = rng.choice(AGE_BANDS[1:]) if rng.random() < 0.6 else None
        values["sex"] = rng.choice(SEXES[:2] * 4 + SEXES[2:]) if rng.random() < 0.6 else None
        return values

    def _service_mode(self, channel: str) -> str | None:
        if channel == "online":
            return "online"
        if self.rng.random() < 0.1:
            return None
        return "postal" if self.rng.random() < 0.05 else "in_person"

    def _elements(self, rating: int, theme: str | None) -> dict[str, Any]:
        weakest = {
            "waiting_time": "result", "staff_attitude": "staff", "documents_repeat_visits": "procedure",
            "extra_payment": "staff", "fees": "procedure", "facilities": "access",
            "online_system": "access", "information_guidance": "access",
        }.get(theme or "")  # fmt: skip
        elements: dict[str, int | None] = {}
        for name in ("access", "procedure", "staff", "result", "feedback"):
            if self.rng.random() < 0.2:
                elements[f"element_{name}"] = None
                continue
            value = rating + self.rng.choice([-1, 0, 0, 0, 1]) - (1 if name == weakest else 0)
            elements[f"element_{name}"] = min(5, max(1, value))
        return elements

    def _facts(self, rating: int, theme: str | None) -> dict[str, Any]:
        rng = self.rng
        late = theme == "waiting_time" or (rating <= 2 and rng.random() < 0.4)
        on_time = "late" if late else rng.choices(["early", "on_time", "late"], weights=[3, 9, 1])[0]
        if theme == "documents_repeat_visits":
            returns = 2
        else:
            returns = rng.choices([0, 1, 2], weights=[12, 2, 1 if rating <= 3 else 0])[0]
        extra = "yes" if theme == "extra_payment" else rng.choices(["no", "yes", "prefer_not"], weights=[90, 2, 4])[0]
        return {
            "on_time": on_time if rng.random() < 0.9 else None,
            "returns": returns if rng.random() < 0.9 else None,
            "agencies": rng.choices([1, 2, 3], weights=[14, 3, 1])[0] if rng.random() < 0.85 else None,
            "extra_payment": extra if rng.random() < 0.85 else None,
        }

    def _comment(self, rating: int, theme: str | None) -> str | None:
        rng = self.rng
        if rng.random() < 0.004:
            return demo_comments.with_personal_data(rng)
        if theme is not None and rng.random() < 0.6:
            # now and then the complaint is about something outside the eight themes
            return demo_comments.other(rng) if rng.random() < 0.04 else demo_comments.complaint(rng, theme)
        if rating >= 4 and rng.random() < 0.12:
            return demo_comments.praise(rng)
        if rng.random() < 0.02:
            return demo_comments.neutral(rng)  # "bình thường", "ok", what was done
        return None


def _batches(generator: DemoGenerator, total: int) -> Iterator[list[dict[str, Any]]]:
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        yield [generator.response() for _ in range(size)]
        made += size


def remove_demo_responses(session: Session) -> None:
    remove_demo_invitations(session)
    demo = select(Response.id).where(Response.is_demo.is_(True))
    session.execute(update(Invitation).where(Invitation.response_id.in_(demo)).values(response_id=None))
    session.execute(delete(ResponseTheme).where(ResponseTheme.response_id.in_(demo)))
    session.execute(delete(Response).where(Response.is_demo.is_(True)))


def offices_and_procedures(session: Session) -> tuple[list[Office], dict[int, list[Procedure]]]:
    """Every office by code, and the procedures each one offers by code: what the demo generator draws from."""
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    procedures = {p.id: p for p in session.scalars(select(Procedure).order_by(Procedure.code))}
    links: dict[int, list[Procedure]] = {}
    for office_id, procedure_id in session.execute(select(OfficeProcedure.office_id, OfficeProcedure.procedure_id)):
        links.setdefault(office_id, []).append(procedures[procedure_id])
    for linked in links.values():
        linked.sort(key=lambda p: p.code)
    return offices, links


def seed_demo(
    session: Session,
    *,
    responses: int = 20000,
    seed: int = 2025,
    months: int = 12,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Load the catalog and demo offices, replace earlier demo responses with `responses` new ones."""
    from analysis.redaction import (
        redact,  # its patterns take ~0.1 s to compile: loaded on first use, not at every start
    )

    if responses < 0:
        raise ValueError("the number of responses cannot be negative")
    if not 1 <= months <= 60:
        raise ValueError("months must be between 1 and 60")
    started = datetime.now(UTC)
    load_starter_catalog(session, demo_offices=True)
    questionnaire = active_questionnaire(session)
    offices, links = offices_and_procedures(session)
    generator = DemoGenerator(random.Random(seed), offices, links, months)
    first_year, first_month = generator.months[0]
    invitations = InvitationMaker(
        random.Random(seed + 1),
        [office.id for office in generator.offices],
        start=datetime(first_year, first_month, 1, tzinfo=LOCAL_TIME).astimezone(UTC),
        end=started,
    )
    remove_demo_responses(session)
    comments = 0
    done = 0
    table: Any = Response.__table__
    for batch in _batches(generator, responses):
        for row in batch:
            row["questionnaire_version_id"] = questionnaire.id
            if row["comment"]:
                row["comment"] = redact(row["comment"])
                comments += 1
        ids = list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), batch))
        store_invitations(session, invitations.rows(batch, ids))
        done += len(batch)
        if progress:
            progress(done, responses)
    session.merge(SiteSetting(key="demo_data", value=started.isoformat()))
    session.commit()
    rebuild_rollups(session)
    return SeedSummary(
        responses=responses,
        offices=len(generator.offices),
        procedures=session.scalar(select(func.count()).select_from(Procedure)) or 0,
        months=[f"{y:04d}-{m:02d}" for y, m in generator.months],
        comments=comments,
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )
