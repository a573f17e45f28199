"""Officials choose which alerts reach them by e-mail: an office in their scope (with the offices under it), or one
procedure there. Who receives an alert is decided at sending time against the official's scope of that moment, so
an official moved to another office stops getting the old office's alerts even if a subscription remains.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office, Procedure, User
from survey.models_alerts import Alert, AlertDelivery, AlertSubscription
from survey.services import audit
from survey.services.accounts.scoping import subtree_ids, user_office_scope
from survey.services.transactions import rolls_back_on_error


class SubscriptionError(ValueError):
    """A subscription that cannot be made; `code` says why (`office`, `procedure`, `not_found`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SubscriptionLine:
    id: int
    office_code: str
    office_name: str
    procedure_code: str | None
    procedure_name: str | None


def list_subscriptions(session: Session, user: User) -> list[SubscriptionLine]:
    rows = session.execute(
        select(AlertSubscription, Office, Procedure)
        .join(Office, Office.id == AlertSubscription.office_id)
        .outerjoin(Procedure, Procedure.id == AlertSubscription.procedure_id)
        .where(AlertSubscription.user_id == user.id)
        .order_by(Office.code, Procedure.code)
    )
    return [SubscriptionLine(s.id, o.code, o.name, p.code if p else None, p.name if p else None) for s, o, p in rows]


@rolls_back_on_error
def subscribe(session: Session, user: User, *, office_id: int, procedure_id: int | None = None) -> AlertSubscription:
    """Subscribe `user` to an office of their scope (or one procedure there); subscribing twice changes nothing."""
    scope = user_office_scope(session, user)
    if session.get(Office, office_id) is None or (scope is not None and office_id not in scope):
        raise SubscriptionError("office")
    if procedure_id is not None and session.get(Procedure, procedure_id) is None:
        raise SubscriptionError("procedure")
    same_procedure = (
        AlertSubscription.procedure_id.is_(None)
        if procedure_id is None
        else AlertSubscription.procedure_id == procedure_id
    )
    existing = session.scalar(
        select(AlertSubscription).where(
            AlertSubscription.user_id == user.id, AlertSubscription.office_id == office_id, same_procedure
        )
    )
    if existing is not None:
        return existing
    subscription = AlertSubscription(
        user_id=user.id, office_id=office_id, procedure_id=procedure_id, created_at=datetime.now(UTC)
    )
    session.add(subscription)
    audit.record(
        session, actor=user.email, user_id=user.id, action="alerts.subscribe",
        target=f"office:{office_id}" + (f" procedure:{procedure_id}" if procedure_id else ""),
    )  # fmt: skip
    session.commit()
    return subscription


@rolls_back_on_error
def unsubscribe(session: Session, user: User, subscription_id: int) -> None:
    """Remove one of the user's own subscriptions (another user's is "not found")."""
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None or subscription.user_id != user.id:
        raise SubscriptionError("not_found")
    session.delete(subscription)
    audit.record(
        session,
        actor=user.email,
        user_id=user.id,
        action="alerts.unsubscribe",
        target=f"office:{subscription.office_id}",
    )
    session.commit()


def pending_digests(session: Session) -> dict[User, list[Alert]]:
    """For each active subscriber: the open alerts their subscriptions and present scope cover that were never
    mailed to them, oldest first."""
    open_alerts = list(session.scalars(select(Alert).where(Alert.closed_at.is_(None)).order_by(Alert.id)))
    if not open_alerts:
        return {}
    delivered = {(a, u) for a, u in session.execute(select(AlertDelivery.alert_id, AlertDelivery.user_id))}
    subscriptions = session.scalars(
        select(AlertSubscription).join(User, User.id == AlertSubscription.user_id).where(User.active.is_(True))
    )
    covered: dict[User, dict[int, Alert]] = defaultdict(dict)
    subtrees: dict[int, set[int]] = {}
    for subscription in subscriptions:
        user = subscription.user
        scope = user_office_scope(session, user)
        offices = subtrees.setdefault(subscription.office_id, subtree_ids(session, subscription.office_id))
        for alert in open_alerts:
            if (
                alert.office_id in offices
                and (scope is None or alert.office_id in scope)
                and subscription.procedure_id in (None, alert.procedure_id)
                and (alert.id, user.id) not in delivered
            ):
                covered[user][alert.id] = alert
    return {user: [alerts[key] for key in sorted(alerts)] for user, alerts in covered.items()}


def record_delivery(session: Session, user: User, alerts: list[Alert], *, now: datetime | None = None) -> None:
    """Note that these alerts reached `user` (after the mail went out), so no later digest repeats them."""
    moment = now or datetime.now(UTC)
    session.add_all(AlertDelivery(alert_id=alert.id, user_id=user.id, sent_at=moment) for alert in alerts)
    session.commit()
