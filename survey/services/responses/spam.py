"""Spam defence on public (poster) links: a score from a few plain rules; a high score holds the response back.

A poster link takes answers from anyone, so scripted submissions could sway an office's figures. Each
submission through a public link is scored; at `FLAG_SCORE` or more it is stored *flagged*: kept, but counted in
no rollup, figure, theme run or export until an admin releases it (survey.services.responses.held). Nothing a
person typed is ever thrown away, and the citizen sees the same thanks either way. Verified (one-time link)
responses are never scored.

The rules (points; 100 holds a response on its own, two 50s together do):
- `honeypot` 100: a box hidden from people and screen readers was filled in (robots fill every box);
- `no_stamp` 100: the form's signed render time is missing or altered (the form was not opened from us);
- `too_fast` 100: sent sooner than `min_fill_seconds` after the form was rendered;
- `link_cap` 100: the link already counted `link_daily_cap` answers today (Viet Nam day);
- `address_cap` 100: this connection already sent `address_daily_cap` answers today;
- `address_burst` 50: this connection sent `address_burst` answers within `address_window`;
- `identical_burst` 50: `identical_burst` identical answers on this link within `identical_window`.
Past `address_daily_limit` submissions a connection is refused outright (`TooManyToday`). When a connection's
submissions are held for the address rules, its earlier answers of the day are held with them, so a burst ends
up held whole, not after its first few.

The address itself is never stored: `submission_signals` keeps a keyed hash under a key that changes every day
(so it links one day's submissions and nothing else) and is deleted after `SIGNAL_DAYS`. Addresses in
`trusted_networks` (an office's Wi-Fi, its kiosk tablets) and loopback addresses (a reverse proxy that does not
pass the client's address on) are not hashed and skip the address rules.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from analysis.periods import LOCAL_TIME, local_date
from survey.models import ELEMENTS, Response, SubmissionSignal
from survey.services.responses.held import hold
from survey.services.responses.invitations import derived_key
from survey.services.transactions import rolls_back_on_error

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FLAG_SCORE = 100
POINTS = {
    "honeypot": 100,
    "no_stamp": 100,
    "too_fast": 100,
    "link_cap": 100,
    "address_cap": 100,
    "address_burst": 50,
    "identical_burst": 50,
}
ADDRESS_REASONS = ("address_cap", "address_burst")
SIGNAL_DAYS = 2
_STAMP_FUTURE_TOLERANCE = 5  # seconds: app servers' clocks may differ a little


@dataclass(frozen=True)
class SpamRules:
    """The thresholds, from the SPAM_* settings (survey.config)."""

    min_fill_seconds: float = 3
    link_daily_cap: int = 500
    address_daily_cap: int = 10
    address_daily_limit: int = 200
    address_burst: int = 3
    address_window: timedelta = timedelta(hours=1)
    identical_burst: int = 3
    identical_window: timedelta = timedelta(minutes=10)
    trusted_networks: tuple[Network, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SpamRules:
        return cls(
            min_fill_seconds=float(config.get("SPAM_MIN_FILL_SECONDS", cls.min_fill_seconds)),
            link_daily_cap=int(config.get("SPAM_LINK_DAILY_CAP", cls.link_daily_cap)),
            address_daily_cap=int(config.get("SPAM_ADDRESS_DAILY_CAP", cls.address_daily_cap)),
            address_daily_limit=int(config.get("SPAM_ADDRESS_DAILY_LIMIT", cls.address_daily_limit)),
            trusted_networks=tuple(
                ipaddress.ip_network(network, strict=False) for network in config.get("SPAM_TRUSTED_NETWORKS", ())
            ),
        )


@dataclass(frozen=True)
class Submission:
    """What a request tells about one submission through a public link; `address` is only hashed, never kept."""

    secret: str
    link_key: str  # the link's token id
    address: str | None
    honeypot: str
    stamp: str
    submission_key: str
    rules: SpamRules = field(default_factory=SpamRules)


@dataclass(frozen=True)
class Verdict:
    reasons: tuple[str, ...]
    link_key: str
    address_hash: str | None
    answers_hash: str

    @property
    def score(self) -> int:
        return sum(POINTS[reason] for reason in self.reasons)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_SCORE

    @property
    def reason_text(self) -> str | None:
        return ",".join(self.reasons) or None


class TooManyToday(Exception):
    """This connection sent more submissions today than anyone answering surveys could: refused, not stored."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many submissions from this connection today; try again in {retry_after} s")
        self.retry_after = retry_after  # seconds until the next Viet Nam day


# --- The form's signed render time ---------------------------------------------------------------------------


def _stamp_mac(secret: str, seconds: int, submission_key: str) -> str:
    message = f"{seconds}:{submission_key}".encode()
    return hmac.new(derived_key(secret, "render-stamp"), message, hashlib.sha256).hexdigest()[:20]


def render_stamp(secret: str, submission_key: str, now: datetime | None = None) -> str:
    """When the form was rendered, signed together with its nonce (so a stamp cannot be reused on another form)."""
    seconds = int((now or datetime.now(UTC)).timestamp())
    return f"{seconds}.{_stamp_mac(secret, seconds, submission_key)}"


def fill_seconds(secret: str, stamp: str, submission_key: str, now: datetime | None = None) -> float | None:
    """Seconds between rendering and `now` for a genuine stamp of this form; None for a missing or altered one."""
    seconds_text, _, mac = (stamp or "").partition(".")
    if not seconds_text.isdigit() or len(seconds_text) > 12:
        return None
    seconds = int(seconds_text)
    if not hmac.compare_digest(mac, _stamp_mac(secret, seconds, submission_key)):
        return None
    elapsed = (now or datetime.now(UTC)).timestamp() - seconds
    return None if elapsed < -_STAMP_FUTURE_TOLERANCE else max(elapsed, 0.0)


# --- Scoring -------------------------------------------------------------------------------------------------


def address_hash(secret: str, address: str | None, rules: SpamRules, now: datetime) -> str | None:
    """A keyed hash of the address under today's key; None when the address rules do not apply to it."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if parsed.is_loopback or any(parsed in network for network in rules.trusted_networks):
        return None
    message = f"{local_date(now).isoformat()}\n{parsed.compressed}".encode()
    return hmac.new(derived_key(secret, "address"), message, hashlib.sha256).hexdigest()


def answers_hash(response: Response) -> str:
    """A fingerprint of what was answered (procedure, every answer, the comment as stored)."""
    answers = [response.procedure_id, response.rating, *(getattr(response, f"element_{e}") for e in ELEMENTS)]
    answers += [response.on_time, response.returns, response.agencies, response.extra_payment, response.service_mode]
    answers += [response.age_band, response.sex, (response.comment or "").casefold()]
    return hashlib.sha256(json.dumps(answers, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s Viet Nam day, as a UTC instant: daily caps reset then."""
    return datetime.combine(local_date(now), time.min, tzinfo=LOCAL_TIME).astimezone(UTC)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Built once, one round trip: a submission only binds values (the rules run on every poster submission).
_COUNTED = SubmissionSignal.flagged.is_(False)
_ON_LINK = SubmissionSignal.link_key == bindparam("link_key")
_FROM_ADDRESS = SubmissionSignal.address_hash == bindparam("address_hash")
_COUNTS = select(
    _count(and_(_ON_LINK, _COUNTED)),
    _count(and_(_ON_LINK, SubmissionSignal.answers_hash == bindparam("fingerprint"),
                SubmissionSignal.at >= bindparam("identical_since"))),
    _count(_FROM_ADDRESS),
    _count(and_(_FROM_ADDRESS, SubmissionSignal.at >= bindparam("recent_since"))),
).where(SubmissionSignal.at >= bindparam("today"), or_(_ON_LINK, _FROM_ADDRESS))  # fmt: skip


def judge(session: Session, submission: Submission, response: Response, now: datetime) -> Verdict:
    """Score a submission before it is stored; raises TooManyToday past the daily limit of its connection."""
    rules = submission.rules
    reasons = []
    if submission.honeypot.strip():
        reasons.append("honeypot")
    elapsed = fill_seconds(submission.secret, submission.stamp, submission.submission_key, now)
    if elapsed is None:
        reasons.append("no_stamp")
    elif elapsed < rules.min_fill_seconds:
        reasons.append("too_fast")
    fingerprint = answers_hash(response)
    hashed = address_hash(submission.secret, submission.address, rules, now)
    today = day_start(now)
    counted_today, identical, sent_today, recent = session.execute(
        _COUNTS,
        {
            "link_key": submission.link_key,
            "address_hash": hashed,
            "fingerprint": fingerprint,
            "today": today,
            "identical_since": now - rules.identical_window,
            "recent_since": now - rules.address_window,
        },
    ).one()  # fmt: skip  (a None address hash matches no row: the address rules then count nothing)
    if counted_today >= rules.link_daily_cap:
        reasons.append("link_cap")
    if identical >= rules.identical_burst:
        reasons.append("identical_burst")
    if sent_today >= rules.address_daily_limit:
        raise TooManyToday(int((today + timedelta(days=1) - now).total_seconds()) + 1)
    if sent_today >= rules.address_daily_cap:
        reasons.append("address_cap")
    if recent >= rules.address_burst:
        reasons.append("address_burst")
    return Verdict(tuple(reasons), submission.link_key, hashed, fingerprint)


def screen(session: Session, submission: Submission | None, response: Response, now: datetime) -> Verdict | None:
    """Judge a submission through a public link and put the verdict on the response about to be stored."""
    if submission is None:
        return None
    verdict = judge(session, submission, response, now)
    response.flagged = verdict.flagged
    response.spam_score = verdict.score
    response.spam_reason = verdict.reason_text
    return verdict


def remember(session: Session, verdict: Verdict | None, response_id: int, now: datetime) -> None:
    """Keep the submission's signals (in the caller's transaction); hold the rest of a burst with it."""
    if verdict is None:
        return
    session.add(
        SubmissionSignal(
            at=now,
            link_key=verdict.link_key,
            address_hash=verdict.address_hash,
            answers_hash=verdict.answers_hash,
            flagged=verdict.flagged,
            response_id=response_id,
        )
    )
    address_reasons = [reason for reason in verdict.reasons if reason in ADDRESS_REASONS]
    if verdict.flagged and address_reasons and verdict.address_hash is not None:
        earlier = select(SubmissionSignal.response_id).where(
            SubmissionSignal.address_hash == verdict.address_hash,
            SubmissionSignal.at >= day_start(now),
            SubmissionSignal.flagged.is_(False),
        )
        held = hold(session, earlier, reasons=address_reasons, score=verdict.score)
        if held:
            session.execute(
                update(SubmissionSignal)
                .where(SubmissionSignal.response_id.in_(held))
                .values(flagged=True)
                .execution_options(synchronize_session=False)
            )


@rolls_back_on_error
def forget_old_signals(session: Session, now: datetime | None = None) -> int:
    """Delete the signals (hashed addresses included) older than SIGNAL_DAYS; returns how many. Daily purge."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=SIGNAL_DAYS)
    deleted = session.execute(
        delete(SubmissionSignal).where(SubmissionSignal.at < cutoff).execution_options(synchronize_session=False)
    )
    session.commit()
    return int(deleted.rowcount)  # type: ignore[attr-defined]
