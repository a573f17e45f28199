"""Benchmark: what the spam rules add to a submission through a poster link, on a busy day's signals.

Stores the same poster answers with and without screening, alternating in rounds so both see the same machine
load, on a fresh SQLite database whose `submission_signals` already holds a busy day (--signals rows spread over
the office's links and many addresses). Prints milliseconds per submission and the ratio. Not part of the tests:

    .venv/bin/python bench/bench_spam.py [--submissions 300] [--signals 50000] [--database sqlite|postgresql URL]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--signals", type=int, default=50_000)
    parser.add_argument("--database", default="", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-spam-"))
    os.environ["SURVEY_ENV"] = "testing"
    os.environ["SURVEY_INSTANCE_PATH"] = str(folder)
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from survey import create_app
    from survey.extensions import db
    from survey.models import Procedure, SubmissionSignal
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.responses.invitations import public_link, resolve_link
    from survey.services.responses.spam import SpamRules, Submission, render_stamp
    from survey.services.responses.store import Answers, store_response

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{folder / 'bench.db'}"})
    with app.app_context():
        upgrade()
        session = db.session
        load_starter_catalog(session, demo_offices=True)
        secret = app.config["SECRET_KEY"]
        token = public_link(session, secret=secret, base_url="http://x", office_code="79.01").token
        invitation = resolve_link(session, token, secret=secret).invitation
        assert invitation is not None
        now = datetime.now(UTC)
        busy_day = [
            {"at": now - timedelta(seconds=i % 80_000), "link_key": f"link{i % 400:04d}", "answers_hash": f"{i:032x}",
             "address_hash": f"{i % 20_000:064x}", "flagged": False, "response_id": 1}
            for i in range(args.signals)
        ]  # fmt: skip
        rules = SpamRules(address_daily_cap=10**9, address_daily_limit=10**9, link_daily_cap=10**9)
        timings: dict[str, list[float]] = {"without screening": [], "with screening": []}
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))

        def store(screened: bool, number: int) -> None:
            key = secrets.token_urlsafe(24)
            started = datetime.now(UTC) - timedelta(seconds=40)
            screening = Submission(secret, invitation.token_id, f"198.51.{number // 250}.{number % 250}", "",
                                   render_stamp(secret, key, started), key, rules)  # fmt: skip
            store_response(
                session, answers=Answers(rating=1 + number % 5, comment=f"Góp ý số {number}"),
                office_id=invitation.office_id, procedure_id=procedure_id, channel="qr", verified=False,
                invitation=invitation, submission_key=key, screening=screening if screened else None,
            )  # fmt: skip

        store(False, 0)  # installs the questionnaire and warms the caches
        first = store_first_response_id(session)
        for row in busy_day:
            row["response_id"] = first
        for start in range(0, len(busy_day), 5000):
            session.execute(insert(SubmissionSignal), busy_day[start : start + 5000])
        session.commit()
        for number in range(1, args.submissions + 1):
            for screened in (number % 2 == 0, number % 2 == 1):  # alternate which goes first
                began = time.perf_counter()
                store(screened, 2 * number + screened)
                timings["with screening" if screened else "without screening"].append(time.perf_counter() - began)
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    print(f"{dialect}, {args.signals:,} signals already stored today, {args.submissions} submissions each")
    medians = {}
    for name, values in timings.items():
        medians[name] = statistics.median(values) * 1000
        p90 = sorted(values)[int(0.9 * len(values))] * 1000
        print(f"  {name:18s} median {medians[name]:6.2f} ms   p90 {p90:6.2f} ms")
    print(f"  ratio (with / without): {medians['with screening'] / medians['without screening']:.2f}")


def store_first_response_id(session) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from survey.models import Response

    return int(session.scalar(select(func.min(Response.id))))


if __name__ == "__main__":
    main()
