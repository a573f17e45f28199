"""Benchmark: the officials' dashboard pages as they are opened, at 1 M responses (SQLite; PostgreSQL on request).

Builds the database as bench_dashboard.py does (a thousand offices in the 34 provinces, the starter procedures,
12 months of 2025), adds one-time invitations — every verified response answers one, and others go unanswered
at the demo's response rates by channel (survey/services/demo/invitations.py) — and counts them into the
invitation rollups. Then it checks that the QĐ 766 and coverage counts read from those rollups equal a GROUP BY
over the invitations, and times each page through the Flask test client for an admin (every office) and a
province official (about 30 offices), median of --repeats after one warm-up. Not part of the tests:

    .venv/bin/python bench/bench_pages.py [--responses 1000000] [--backends sqlite,postgresql] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SURVEY_ENV", "testing")  # cheap password hashing for the two bench accounts

from bench.bench_dashboard import Generator, _insert, build_catalog, load, migrate, prepare, say
from survey.services.demo.invitations import OFFICE_FACTOR, RESPONSE_RATES
from survey.services.reporting.query import ReportFilter, read_invitation_counts
from survey.services.responses.invitation_rollups import rebuild_invitation_rollups

PAGES = (
    ("overview + watch list", "/dashboard/"),
    ("procedures ranked", "/dashboard/procedures"),
    ("offices compared", "/dashboard/offices"),
    ("province office page", "/dashboard/offices/79.000"),
    ("commune office page", "/dashboard/offices/79.001"),
    ("coverage by office", "/dashboard/coverage?by=office"),
    ("watch list download", "/dashboard/download/watch.csv"),
)
INVITATION_COLUMNS = (
    "token_id", "office_id", "procedure_id", "channel", "is_public", "dossier_hash", "created_at", "expires_at",
    "used_at", "response_id", "is_demo",
)  # fmt: skip
START = datetime(2025, 1, 1, tzinfo=UTC) - timedelta(hours=7)  # 1 January 2025 in Hà Nội


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def invitation_rows(engine: Engine, seed: int) -> Iterator[tuple[Any, ...]]:
    """One answered invitation per verified response, preceded by a geometric number of unanswered ones."""
    rng = np.random.default_rng(seed + 1)
    postgres = engine.dialect.name == "postgresql"

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S") + ("+00" if postgres else "")

    with engine.connect() as connection:
        offices = [row[0] for row in connection.execute(text("SELECT id FROM offices ORDER BY id"))]
        factor = dict(zip(offices, rng.uniform(*OFFICE_FACTOR, len(offices)).tolist(), strict=True))
        result = connection.execution_options(stream_results=True).execute(
            text(
                "SELECT id, office_id, procedure_id, channel, created_at FROM responses "
                "WHERE verified AND channel IN ('kiosk', 'qr', 'online', 'sms') ORDER BY id"
            )
        )
        serial = 0
        for rows in iter(lambda: result.fetchmany(100_000), []):
            rates = np.array([min(0.95, RESPONSE_RATES[r[3]] * factor[r[1]]) for r in rows])
            unanswered = rng.geometric(rates) - 1
            delays = rng.uniform(0, 72, len(rows))
            for row, extra, delay in zip(rows, unanswered.tolist(), delays.tolist(), strict=True):
                response_id, office_id, procedure_id, channel, created = row
                answered_at = _moment(created)
                issued = max(START, answered_at - timedelta(hours=delay))
                for spread in [*rng.uniform(0, 240, extra).tolist(), None]:
                    serial += 1
                    at = issued if spread is None else max(START, issued - timedelta(hours=spread))
                    yield (
                        f"bench-{serial}", office_id, procedure_id, channel, False, f"{serial:064x}", stamp(at),
                        stamp(at + timedelta(days=30)), None if spread is not None else stamp(answered_at),
                        None if spread is not None else response_id, False,
                    )  # fmt: skip


def add_invitations(engine: Engine, seed: int) -> None:
    started = time.perf_counter()
    _insert(engine, "invitations", INVITATION_COLUMNS, invitation_rows(engine, seed))
    with Session(engine) as session:
        rebuild_invitation_rollups(session)
        session.commit()
        issued = session.scalar(text("SELECT count(*) FROM invitations"))
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    say(f"  {issued:,} invitations stored and counted in {time.perf_counter() - started:.0f} s")


def check_invitation_counts(engine: Engine) -> tuple[bool, float, float]:
    """Rollup read vs GROUP BY over the invitations (national, by office): equal? and both times."""
    with Session(engine) as session:
        started = time.perf_counter()
        rolled = read_invitation_counts(session, None, ReportFilter(), by=("office_id",))
        rollup_time = time.perf_counter() - started
        started = time.perf_counter()
        raw = session.execute(
            text(
                "SELECT i.office_id, count(*), sum(CASE WHEN i.used_at IS NOT NULL THEN 1 ELSE 0 END), "
                "sum(CASE WHEN r.rating <= 3 THEN 1 ELSE 0 END) FROM invitations i "
                "LEFT JOIN responses r ON r.id = i.response_id WHERE NOT i.is_public GROUP BY i.office_id"
            )
        ).all()
        raw_time = time.perf_counter() - started
    same = rolled == {(office,): (int(n), int(a), int(u)) for office, n, a, u in raw}
    return same, rollup_time, raw_time


def time_pages(url: str, folder: Path, repeats: int) -> list[tuple[str, str, float, int]]:
    from survey import create_app
    from survey.extensions import db
    from survey.services.accounts.users import create_user
    from tests.pages import sign_in

    os.environ["SURVEY_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    password = "một câu dài đủ nhớ 2025"
    results = []
    with app.app_context():
        admin, _ = create_user(db.session, email="admin@bench.vn", role="admin", password=password)
        official, _ = create_user(db.session, email="hcm@bench.vn", role="official", office_code="79.000",
                                  password=password)  # fmt: skip
        for who, user in (("admin (all offices)", admin), ("official 79.000", official)):
            client = app.test_client()
            sign_in(client, user)
            for name, path in PAGES:
                assert client.get(path).status_code == 200, path  # warm-up: templates compiled
                times = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - started)
                results.append((who, name, statistics.median(times), len(response.data)))
        db.engine.dispose()
    return results


def run(backend: str, args: argparse.Namespace, folder: Path, server: Any) -> None:
    url = prepare(backend, folder, server)
    say(f"{backend}: migrating the schema")
    migrate(url, folder)
    engine = create_engine(url)
    with Session(engine) as session:
        build_catalog(session, args.communes_per_province, folder)
        generator = Generator(session, args.seed)
    started = time.perf_counter()
    load(engine, generator, args.responses)
    add_invitations(engine, args.seed)
    say(f"{backend}: database built in {time.perf_counter() - started:.0f} s")
    same, rollup_time, raw_time = check_invitation_counts(engine)
    engine.dispose()
    pages = time_pages(url, folder, args.repeats)
    print(f"\nDashboard pages at {args.responses:,} responses on {backend} (median of {args.repeats})")
    for who, name, seconds, size in pages:
        print(f"  {who:<22} {name:<24} {seconds * 1000:8.0f} ms  {size / 1024:6.0f} KB")
    print(
        f"  invitation counts by office: rollups {rollup_time * 1000:.0f} ms, GROUP BY over invitations "
        f"{raw_time * 1000:.0f} ms ({raw_time / rollup_time:.0f}x); {'equal' if same else 'MISMATCH'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--communes-per-province", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", type=Path, help="build the SQLite database in this new folder and keep it")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if set(backends) - {"sqlite", "postgresql"} or args.responses < 1:
        parser.error("--backends takes sqlite and/or postgresql; --responses must be positive")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        if args.keep is not None:
            args.keep.mkdir(parents=True)
            folder = args.keep
        os.chmod(folder, 0o755)
        server = None
        if "postgresql" in backends:
            from tests.postgres_server import start_server

            server = start_server()
            if server is None:
                print("PostgreSQL binaries not found", file=sys.stderr)
                return 1
        try:
            for backend in backends:
                run(backend, args, folder, server)
        finally:
            if server is not None:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
