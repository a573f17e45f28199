"""The spam rules on public links, run through `store_response` with a chosen clock: people are counted, scripted
bursts are held back (kept, counted nowhere), one-time links are never judged, and no address is ever stored."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.models import Response, SubmissionSignal
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, satisfaction_summary
from survey.services.responses import spam
from survey.services.responses.invitations import public_link, resolve_link
from survey.services.responses.spam import SpamRules, Submission, TooManyToday, render_stamp
from survey.services.responses.store import Answers, store_response
from tests.factories import make_dossier_link

SECRET = "testing-secret-testing-secret-testing"
NOON = datetime(2025, 6, 10, 5, 0, tzinfo=UTC)  # 12:00 in Viet Nam


@pytest.fixture
def poster(catalog, app):
    link = public_link(catalog, secret=SECRET, base_url="http://x", office_code="79.01", procedure_code="1.001193")
    return resolve_link(catalog, link.token, secret=SECRET).invitation


def submit(session, invitation, *, at, address, opened=45.0, honeypot="", rules=None, stamp=None, rating=5, **answers):
    """One person (or script) sending the poster's form `opened` seconds after it was rendered."""
    key = secrets.token_urlsafe(24)
    stamp = render_stamp(SECRET, key, at - timedelta(seconds=opened)) if stamp is None else stamp
    elements = {name[8:]: answers.pop(name) for name in list(answers) if name.startswith("element_")}
    return store_response(
        session,
        answers=Answers(rating=rating, elements=elements, **answers),
        office_id=invitation.office_id,
        procedure_id=invitation.procedure_id,
        channel=invitation.channel,
        verified=False,
        invitation=invitation,
        submission_key=key,
        now=at,
        screening=Submission(SECRET, invitation.token_id, address, honeypot, stamp, key, rules or SpamRules()),
    )


def figures(session) -> tuple[int, int]:
    """(n, satisfied) over everything, read the way every page, download and the API read them."""
    rows = satisfaction_summary(session, None, ReportFilter(), group_by="office", settings=Settings(min_n=1))
    return sum(row["n"] for row in rows), sum(row["satisfied"] for row in rows)


def held(session) -> list[Response]:
    session.expire_all()
    return list(session.scalars(select(Response).where(Response.flagged.is_(True)).order_by(Response.id)))


def test_twenty_people_answering_one_poster_within_an_hour_are_all_counted(catalog, poster, backend):
    answers = [
        {"rating": 5}, {"rating": 4, "element_staff": 5}, {"rating": 5}, {"rating": 2, "comment": "Chờ quá lâu"},
        {"rating": 5, "on_time": "on_time"}, {"rating": 3, "returns": 1}, {"rating": 5}, {"rating": 4},
        {"rating": 5, "agencies": 1}, {"rating": 1, "extra_payment": "yes"}, {"rating": 5}, {"rating": 4},
        {"rating": 5, "element_access": 4}, {"rating": 4, "comment": "Cán bộ nhiệt tình"}, {"rating": 5},
        {"rating": 3}, {"rating": 5, "sex": "female"}, {"rating": 4, "age_band": "35_44"}, {"rating": 5},
        {"rating": 5, "on_time": "late"},
    ]  # fmt: skip
    for person, answer in enumerate(answers):
        at = NOON + timedelta(minutes=3 * person)  # one every three minutes: twenty within the hour
        stored = submit(catalog, poster, at=at, address=f"198.51.100.{10 + person}", opened=30 + 7 * person, **answer)
        assert stored.created
    assert held(catalog) == []
    satisfied = sum(1 for answer in answers if answer["rating"] >= 4)
    assert satisfied == 16  # by hand: all but the 2, 3, 1 and 3
    assert figures(catalog) == (20, 16)


def test_a_patient_script_from_one_address_ends_up_held_whole(catalog, poster, backend):
    """A script that waits out the minimum fill time still sends from one address, the same answers, fast."""
    for attempt in range(200):
        submit(catalog, poster, at=NOON + timedelta(seconds=5 * attempt), address="203.0.113.66", opened=4)
    assert len(held(catalog)) == 200  # the first three, counted at first, were held with the rest of the burst
    assert figures(catalog) == (0, 0)
    first = held(catalog)[0]
    assert "address_burst" in first.spam_reason.split(",") and first.released_at is None
    reasons = {reason for response in held(catalog) for reason in response.spam_reason.split(",")}
    assert {"address_burst", "address_cap", "identical_burst"} <= reasons


def test_a_short_burst_is_held_whole_too(catalog, poster):
    for attempt in range(6):
        submit(catalog, poster, at=NOON + timedelta(seconds=5 * attempt), address="203.0.113.66", opened=4)
    assert len(held(catalog)) == 6 and figures(catalog) == (0, 0)
    # the same person coming back once later that day with other answers is counted
    submit(catalog, poster, at=NOON + timedelta(hours=3), address="203.0.113.66", rating=2, comment="Sửa lại ý kiến")
    assert figures(catalog) == (1, 0)


def test_past_the_daily_limit_a_connection_is_refused(catalog, poster, backend):
    rules = SpamRules(address_daily_limit=12)
    for attempt in range(12):
        submit(catalog, poster, at=NOON + timedelta(minutes=attempt), address="203.0.113.9", rules=rules, rating=1)
    with pytest.raises(TooManyToday) as refused:
        submit(catalog, poster, at=NOON + timedelta(minutes=13), address="203.0.113.9", rules=rules)
    assert refused.value.retry_after == 11 * 3600 + 47 * 60 + 1  # sent at 12:13 in Viet Nam: 11 h 47 min to midnight
    assert catalog.scalar(select(func.count()).select_from(Response)) == 12
    tomorrow = NOON + timedelta(days=1)  # a new day, a new count (and a new key for the address hash)
    assert submit(catalog, poster, at=tomorrow, address="203.0.113.9", rules=rules).created


@pytest.mark.parametrize(
    ("reason", "kwargs"),
    [
        ("honeypot", {"honeypot": "http://cheap-pills.example"}),
        ("too_fast", {"opened": 1.2}),
        ("no_stamp", {"stamp": ""}),
        ("no_stamp", {"stamp": "1749531600.0123456789abcdef0123"}),  # made up, not signed by us
    ],
)
def test_a_robot_form_is_held_on_its_own(catalog, poster, reason, kwargs):
    submit(catalog, poster, at=NOON, address="198.51.100.7", **kwargs)
    [response] = held(catalog)
    assert response.spam_reason == reason and response.spam_score == 100
    assert figures(catalog) == (0, 0)


def test_a_stamp_cannot_be_reused_on_another_form(catalog, poster):
    old_key = secrets.token_urlsafe(24)
    stamp = render_stamp(SECRET, old_key, NOON - timedelta(minutes=5))  # a genuine stamp, of another form
    submit(catalog, poster, at=NOON, address="198.51.100.7", stamp=stamp)
    assert [response.spam_reason for response in held(catalog)] == ["no_stamp"]


def test_identical_answers_alone_are_not_enough_but_with_one_address_they_are(catalog, poster):
    for person in range(5):  # five people tapping only "5" within ten minutes: counted
        submit(catalog, poster, at=NOON + timedelta(minutes=2 * person), address=f"198.51.100.{person + 1}")
    assert held(catalog) == [] and figures(catalog) == (5, 5)
    response = catalog.scalars(select(Response).order_by(Response.id.desc())).first()
    assert (response.spam_reason, response.spam_score, response.flagged) == ("identical_burst", 50, False)


def test_a_link_past_its_daily_cap_holds_further_answers_until_the_next_day(catalog, poster):
    rules = SpamRules(link_daily_cap=4)
    for person in range(6):
        submit(catalog, poster, at=NOON + timedelta(minutes=person), address=f"198.51.100.{person + 1}",
               rules=rules, rating=1 + person % 5, element_staff=1 + person % 5)  # fmt: skip
    assert [response.spam_reason for response in held(catalog)] == ["link_cap", "link_cap"]
    assert figures(catalog)[0] == 4
    submit(catalog, poster, at=NOON + timedelta(days=1), address="198.51.100.99", rules=rules)
    assert figures(catalog)[0] == 5


def test_trusted_networks_and_a_local_proxy_skip_the_address_rules(catalog, poster):
    rules = SpamRules(trusted_networks=(spam.ipaddress.ip_network("203.0.113.0/28"),), address_daily_cap=2)
    for person in range(6):  # a kiosk tablet on the office network: one address, many citizens
        submit(catalog, poster, at=NOON + timedelta(minutes=4 * person), address="203.0.113.5", rules=rules,
               rating=1 + person % 5, comment=f"Người thứ {person + 1}")  # fmt: skip
    for person in range(4):  # behind a reverse proxy that does not pass the address on
        submit(catalog, poster, at=NOON + timedelta(minutes=4 * person, seconds=30), address="127.0.0.1",
               rules=rules, rating=1 + person % 5, on_time="late")  # fmt: skip
    assert held(catalog) == []
    assert catalog.scalar(select(func.count()).where(SubmissionSignal.address_hash.is_not(None))) == 0


def test_the_address_is_stored_only_as_a_hash_that_changes_every_day(catalog, poster, backend):
    submit(catalog, poster, at=NOON, address="2001:db8::7")
    submit(catalog, poster, at=NOON + timedelta(days=1), address="2001:db8::7", rating=4)
    hashes = catalog.scalars(select(SubmissionSignal.address_hash).order_by(SubmissionSignal.id)).all()
    assert len(hashes) == 2 and len(set(hashes)) == 2 and all(len(value) == 64 for value in hashes)
    for table in (Response.__table__, SubmissionSignal.__table__):
        for row in catalog.execute(select(table)).mappings():
            assert not any("2001:db8" in str(value) for value in row.values()), table.name


def test_one_time_links_are_never_judged(catalog, app):
    link = make_dossier_link()
    invitation = resolve_link(catalog, link.token, secret=app.config["SECRET_KEY"]).invitation
    store_response(
        catalog,
        answers=Answers(rating=5),
        office_id=invitation.office_id,
        procedure_id=invitation.procedure_id,
        channel="qr",
        verified=True,
        invitation=invitation,
        submission_key=secrets.token_urlsafe(24),
        screening=Submission(SECRET, invitation.token_id, "203.0.113.66", "filled by a robot", "", "k"),
    )
    response = catalog.scalars(select(Response)).one()
    assert (response.flagged, response.spam_reason, response.verified) == (False, None, True)
    assert catalog.scalar(select(func.count()).select_from(SubmissionSignal)) == 0
    assert figures(catalog) == (1, 1)


def test_old_signals_are_forgotten(catalog, poster):
    submit(catalog, poster, at=NOON - timedelta(days=3), address="198.51.100.1")
    submit(catalog, poster, at=NOON - timedelta(hours=30), address="198.51.100.2", rating=4)
    assert spam.forget_old_signals(catalog, now=NOON) == 1
    assert catalog.scalar(select(func.count()).select_from(SubmissionSignal)) == 1
    assert catalog.scalar(select(func.count()).select_from(Response)) == 2  # the responses stay
