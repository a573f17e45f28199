"""Storing responses: normalised, redacted, counted once, rollups in step, one-time links claimed exactly once."""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from analysis.periods import local_month
from survey.models import Invitation, Office, Procedure, RatedDossier, Response, Rollup
from survey.services.catalog.imports import load_starter_catalog
from survey.services.responses.invitations import issue_dossier_link, resolve_link
from survey.services.responses.rollups import count_cells, response_values
from survey.services.responses.store import AlreadyRated, Answers, InvalidAnswers, store_response

SECRET = "a-test-secret-a-test-secret-a-test-secret"


@pytest.fixture
def ids(session):
    load_starter_catalog(session, demo_offices=True)
    office = session.scalar(select(Office.id).where(Office.code == "01.01"))
    procedure = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    return office, procedure


def store(session, ids, answers=None, **options):
    values = {"office_id": ids[0], "procedure_id": ids[1], "channel": "kiosk", "verified": False}
    values.update(options)
    return store_response(session, answers=answers or Answers(rating=4), **values)


def rollup_counts(session):
    rows = session.execute(
        select(
            Rollup.month,
            Rollup.office_id,
            Rollup.procedure_id,
            Rollup.channel,
            Rollup.verified,
            Rollup.metric,
            Rollup.value,
            Rollup.count,
        )
    )
    return Counter({tuple(row[:7]): row[7] for row in rows if row[7]})


def raw_counts(session):
    return count_cells(response_values(r) for r in session.scalars(select(Response)))


def test_a_repeated_submission_key_stores_once_and_rollups_match(session, ids, backend):
    answers = Answers(rating=2, elements={"staff": 1, "access": None}, on_time="late", returns=2, agencies=3)
    first = store(session, ids, answers, submission_key="nonce-1")
    again = store(session, ids, answers, submission_key="nonce-1")
    other = store(session, ids, Answers(rating=5, service_mode="online"), submission_key="nonce-2")
    plain = store(session, ids, Answers(rating=5, extra_payment="no"))
    assert first.created and not again.created and again.id == first.id
    assert other.created and plain.created and len({first.id, other.id, plain.id}) == 3
    assert session.scalar(select(func.count()).select_from(Response)) == 3
    assert rollup_counts(session) == raw_counts(session)
    cells = rollup_counts(session)
    assert sum(count for key, count in cells.items() if key[5] == "rating") == 3
    assert sum(count for key, count in cells.items() if key[5] == "element_access") == 0


def test_comment_is_redacted_normalised_and_limited(session, ids):
    decomposed = unicodedata.normalize("NFD", "Cán bộ hướng dẫn tận tình")
    comment = f" {decomposed}\x00\x07. Gọi 0912 345 678, CCCD 079203001234, mail nguyen.van.a@gmail.com\r\n "
    stored = store(session, ids, Answers(rating=5, comment=comment))
    text = session.get(Response, stored.id).comment
    assert text.startswith("Cán bộ hướng dẫn tận tình. Gọi [SĐT], CCCD [CCCD], mail [EMAIL]")
    assert unicodedata.is_normalized("NFC", text) and "\x00" not in text and "\r" not in text
    for secret in ("0912", "079203001234", "gmail"):
        assert secret not in text
    assert session.get(Response, store(session, ids, Answers(rating=5, comment=" \n\t")).id).comment is None
    with pytest.raises(InvalidAnswers) as caught:
        store(session, ids, Answers(rating=5, comment="x" * 2001))
    assert "comment" in caught.value.problems


def test_month_is_counted_in_vietnam_time(session, ids):
    late_evening_utc = datetime(2025, 1, 31, 18, 30, tzinfo=UTC)  # 01:30 on 1 February in Hà Nội
    stored = store(session, ids, now=late_evening_utc)
    assert session.get(Response, stored.id).month == "2025-02" == local_month(late_evening_utc)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (Answers(rating=0), "rating"),
        (Answers(rating=True), "rating"),
        (Answers(rating=3, elements={"mood": 3}), "elements.mood"),
        (Answers(rating=3, elements={"staff": 6}), "elements.staff"),
        (Answers(rating=3, on_time="soon"), "on_time"),
        (Answers(rating=3, returns=3), "returns"),
        (Answers(rating=3, agencies=0), "agencies"),
        (Answers(rating=3, sex="x"), "sex"),
        (Answers(rating=3, language="fr"), "language"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_stored(session, ids, answers, field):
    with pytest.raises(InvalidAnswers) as caught:
        store(session, ids, answers)
    assert field in caught.value.problems
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def one_time_invitation(session):
    link = issue_dossier_link(
        session,
        secret=SECRET,
        base_url="http://x",
        office_code="01.01",
        procedure_code="1.001193",
        dossier_code="000.00.31.H56-240115-0001",
    )
    return resolve_link(session, link.token, secret=SECRET).invitation


def test_one_time_link_is_claimed_once(session, ids, backend):
    invitation = one_time_invitation(session)
    first = store(session, ids, invitation=invitation, verified=True, submission_key="tap-1")
    double_tap = store(session, ids, invitation=invitation, verified=True, submission_key="tap-1")
    assert first.created and double_tap == type(first)(first.id, False)
    with pytest.raises(AlreadyRated):
        store(session, ids, invitation=invitation, verified=True, submission_key="another-browser")
    with pytest.raises(AlreadyRated):
        store(session, ids, invitation=invitation, verified=True)
    session.expire_all()
    stored = session.get(Invitation, invitation.id)
    assert stored.response_id == first.id and stored.used_at is not None
    assert session.scalar(select(func.count()).select_from(RatedDossier)) == 1
    assert session.get(Response, first.id).verified


def test_a_link_for_another_office_is_refused(session, ids):
    invitation = one_time_invitation(session)
    other_office = session.scalar(select(Office.id).where(Office.code == "48.01"))
    with pytest.raises(InvalidAnswers):
        store(session, (other_office, ids[1]), invitation=invitation, verified=True)


def _race(app, count, submit):
    """Run `submit(session)` from `count` threads released at the same moment; returns outcomes."""
    from survey.extensions import db

    barrier = threading.Barrier(count)
    outcomes: list[object] = []
    lock = threading.Lock()

    def worker(index):
        with app.app_context():
            barrier.wait()
            try:
                result: object = submit(db.session, index)
            except Exception as exc:  # recorded and asserted on below
                result = exc
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_twenty_simultaneous_submissions_on_one_link_store_one(app, session, ids, backend):
    invitation_id = one_time_invitation(session).id
    session.commit()

    def submit(db_session, index):
        invitation = db_session.get(Invitation, invitation_id)
        return store(db_session, ids, Answers(rating=1 + index % 5), invitation=invitation, verified=True,
                     submission_key=f"device-{index}")  # fmt: skip

    outcomes = _race(app, 20, submit)
    created = [o for o in outcomes if getattr(o, "created", False)]
    refused = [o for o in outcomes if isinstance(o, AlreadyRated)]
    assert len(outcomes) == 20 and len(created) == 1 and len(refused) == 19, outcomes
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert rollup_counts(session) == raw_counts(session)


def test_twenty_simultaneous_replays_of_one_submission_store_one(app, session, ids, backend):
    outcomes = _race(app, 20, lambda db_session, _i: store(db_session, ids, submission_key="same-nonce"))
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert len({o.id for o in outcomes}) == 1 and sum(o.created for o in outcomes) == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert rollup_counts(session) == raw_counts(session)
