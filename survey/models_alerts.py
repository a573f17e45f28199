"""The alerts' tables: runs of `flask alerts`, the alerts they raised, officials' subscriptions and what was mailed.

Kept beside `survey.models` (which imports this module at its end, so `Base.metadata` always holds these tables):
an alert is open while its change lasts, and a partial unique index allows one open alert per procedure, office
and kind, so the same change is never raised twice, not even by two runs at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models import Base, Invitation, Office, Procedure, User

ALERT_KINDS = ("not_met", "fell")
"""`not_met`: the share is now clearly below its target; `fell`: it is significantly lower than in the months before."""


class AlertRun(Base):
    """One run of `flask alerts`: the months it judged and the months it compared them with."""

    __tablename__ = "alert_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    month_from: Mapped[str] = mapped_column(String(7))
    month_to: Mapped[str] = mapped_column(String(7))
    baseline_from: Mapped[str] = mapped_column(String(7))
    baseline_to: Mapped[str] = mapped_column(String(7))
    raised: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    mails_sent: Mapped[int] = mapped_column(Integer, default=0)


class Alert(Base):
    """A change worth an official's attention at one office for one procedure, open until it is over."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("kind IN ('not_met', 'fell')", name="kind"),
        Index(
            "uq_alerts_open_change",
            "office_id",
            "procedure_id",
            "kind",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("alert_runs.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    month_from: Mapped[str] = mapped_column(String(7))
    month_to: Mapped[str] = mapped_column(String(7))
    n: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    baseline_n: Mapped[int | None] = mapped_column(Integer)
    baseline_satisfied: Mapped[int | None] = mapped_column(Integer)
    p_value: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    run: Mapped[AlertRun] = relationship()
    office: Mapped[Office] = relationship()
    procedure: Mapped[Procedure] = relationship()

    @property
    def share(self) -> float:
        return self.satisfied / self.n

    @property
    def baseline_share(self) -> float | None:
        return (
            self.baseline_satisfied / self.baseline_n
            if self.baseline_n and self.baseline_satisfied is not None
            else None
        )


class AlertSubscription(Base):
    """An official's wish to be mailed the alerts of an office (and the offices under it), or one procedure there."""

    __tablename__ = "alert_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "office_id", "procedure_id", name="uq_alert_subscriptions_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
    office: Mapped[Office] = relationship()
    procedure: Mapped[Procedure | None] = relationship()


class AlertDelivery(Base):
    """An alert mailed to one official, so the next digest never repeats it."""

    __tablename__ = "alert_deliveries"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Response rates on the public results pages count invitations per office and month of issue.
Index("ix_invitations_office_created", Invitation.office_id, Invitation.created_at)
