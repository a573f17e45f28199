"""Benchmark: what local questions cost a submission, an office page and the dashboard trend.

On a fresh SQLite database (the embedded default): the same citizen answer stored through `store_response`
without local questions and with two (a yes/no and a scale question of province 79), alternating so both see
the same database; then the local figures of an office page and the trend breaks the overview reads. Prints
milliseconds and the ratio with to without. Not part of the tests:

    .venv/bin/python bench/bench_local_questions.py [--submissions 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-local-")
    os.environ.update(SURVEY_ENV="testing", SURVEY_INSTANCE_PATH=folder)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from analysis.periods import local_date
    from survey import create_app
    from survey.extensions import db
    from survey.models import Office, Procedure
    from survey.services.accounts.users import CLI
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.catalog.local_questions import in_force, office_questions
    from survey.services.catalog.questionnaire_import import import_questionnaire
    from survey.services.reporting.local_figures import local_figures
    from survey.services.reporting.query import ReportFilter
    from survey.services.reporting.trend_breaks import trend_breaks
    from survey.services.responses.local_answers import LocalSubmission
    from survey.services.responses.store import Answers, store_response
    from tests.questionnaires import local_question, questionnaire_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    with app.app_context():
        upgrade()
        session = db.session
        load_starter_catalog(session, demo_offices=True)
        session.commit()
        questions = [
            local_question(scope="79", code="parking"),
            local_question(scope="79", code="waiting", type="scale"),
        ]
        outcome = import_questionnaire(session, questionnaire_file(local_questions=questions), actor=CLI, publish=True)
        office = session.scalars(select(Office.id).where(Office.code == "79.01")).one()
        procedure = session.scalars(select(Procedure.id).where(Procedure.code == "1.001193")).one()
        items = in_force(office_questions(session, outcome.version_id, office), local_date(datetime.now(UTC)))
        local = LocalSubmission(
            outcome.version_id, items, {items[0].id: "yes", items[1].id: 4}, ("1", "2", "3", "4", "5")
        )
        timings: dict[bool, list[float]] = {False: [], True: []}
        for index in range(2 * args.submissions):
            with_local = index % 2 == 1
            start = time.perf_counter()
            store_response(session, answers=Answers(rating=4, elements={"staff": 5}), office_id=office,
                           procedure_id=procedure, channel="qr", verified=False,
                           questionnaire_version_id=outcome.version_id,
                           local=local if with_local else None)  # fmt: skip
            timings[with_local].append(time.perf_counter() - start)
        plain, extra = statistics.median(timings[False]), statistics.median(timings[True])
        print(f"store a response, median of {args.submissions}: {plain * 1000:.2f} ms without local questions, "
              f"{extra * 1000:.2f} ms with two ({extra / plain:.2f}×)")  # fmt: skip
        where = ReportFilter(office_id=office)
        start = time.perf_counter()
        figures = local_figures(session, None, where)
        print(f"local figures of office 79.01 ({sum(f.n for f in figures)} answers): "
              f"{(time.perf_counter() - start) * 1000:.1f} ms")  # fmt: skip
        start = time.perf_counter()
        trend_breaks(session)
        print(f"trend breaks (2 versions): {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
