"""Benchmark: what webhooks add to storing a response, and how fast the deliverer empties the outbox.

Posts API responses through Flask's test client to a file database, first with no endpoint registered, then with
one subscribed to `response.created` (the outbox row is written in the response's transaction; nothing is sent).
Prints CPU and wall milliseconds and SQL statements per submission for both, and their ratio. Then delivers the
outbox to a local http.server receiver and prints deliveries per second. Not part of the tests:

    .venv/bin/python bench/bench_webhook_outbox.py [--count 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_submit import timed
from loadkit import api_sender


def run(database_url: str, folder: Path, count: int) -> None:
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.models_actions import WebhookEvent
    from survey.services.webhooks.delivery import deliver_due
    from survey.services.webhooks.endpoints import register_endpoint
    from tests.survey.services.webhooks.receiver import receiver

    sender = api_sender(database_url, folder)
    app, api, statements = sender.app, sender.api, sender.statements

    print(f"== sqlite: {count} API submissions each")
    without = timed("no endpoint", count, api, 201, statements)
    with receiver() as hook, app.app_context():
        register_endpoint(db.session, url=hook.url, events=["response.created"], actor="bench", user_id=None,
                          allow_local_http=True)  # fmt: skip
        db.session.remove()
        subscribed = timed("an endpoint wants response.created", count, api, 201, statements)
        print(f"with a subscriber / without: {subscribed / without:.2f}x CPU")
        waiting = db.session.scalar(select(func.count()).select_from(WebhookEvent))
        start = time.perf_counter()
        delivered = 0
        while True:
            result = deliver_due(db.session)
            delivered += result.delivered
            if not result.delivered:
                break
        elapsed = time.perf_counter() - start
        print(f"outbox of {waiting} events: {delivered} delivered in {elapsed:.2f} s ({delivered / elapsed:.0f}/s)")
        assert len(hook.requests) == delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as name:
        folder = Path(name)
        run(f"sqlite:///{folder / 'survey.db'}", folder, options.count)


if __name__ == "__main__":
    main()
