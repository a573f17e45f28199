"""Benchmark: the officials' dashboard on 1 M (or 10 M) responses, on SQLite and PostgreSQL.

Bulk-generates synthetic responses with numpy (a thousand offices in the 34 provinces, the starter procedures,
12 months), stores them with their rollup counts, then times the dashboard's overview and procedure ranking
(read from the rollups, as the pages do) against the same numbers computed by GROUP BY over the raw responses
table, checks both give identical results, and prints a table. Not part of the tests:

    .venv/bin/python bench/bench_dashboard.py [--responses 1000000] [--ten-million] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import case, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey.models import Office, OfficeProcedure, Procedure, Province, RatingRollup, Response
from survey.services.accounts.scoping import subtree_ids
from survey.services.catalog.imports import import_catalog_file, load_starter_catalog
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.reporting.dashboard import overview, procedure_ranking
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from survey.services.responses.rollups import rebuild_rollups

CHANNELS = np.array(["qr", "sms", "kiosk", "online", "paper", "api"])
CHANNEL_P = np.array([34, 14, 26, 16, 7, 3]) / 100
ON_TIME = np.array(["early", "on_time", "late"])
EXTRA = np.array(["no", "yes", "prefer_not"])
MODES = np.array(["in_person", "online", "postal"])
CHUNK = 200_000
COLUMNS = (
    "created_at", "month", "procedure_id", "office_id", "channel", "service_mode", "verified",
    "questionnaire_version_id", "rating", "element_access", "element_procedure", "element_staff",
    "element_result", "element_feedback", "on_time", "returns", "agencies", "extra_payment", "language", "is_demo",
)  # fmt: skip


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the catalog: ~30 commune offices under each province office --------------------------------------------


def build_catalog(session: Session, communes_per_province: int, folder: Path) -> None:
    load_starter_catalog(session)
    lines = ["code,name,level,province_code,parent_code"]
    for code, name in session.execute(select(Province.code, Province.name).order_by(Province.code)):
        lines.append(f"{code}.000,Trung tâm Phục vụ hành chính công {name},province,{code},")
        lines += [f"{code}.{i:03d},Xã số {i} {name},commune,{code},{code}.000" for i in range(1, communes_per_province)]
    path = folder / "bench_offices.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_catalog_file(session, path, "offices")
    load_starter_catalog(session)  # links every new office to the procedures of its level
    active_questionnaire(session)
    session.commit()


# --- responses: numpy columns, chunk by chunk -----------------------------------------------------------------


class Generator:
    def __init__(self, session: Session, seed: int):
        self.rng = np.random.default_rng(seed)
        links: dict[int, list[int]] = {}
        for office_id, procedure_id in session.execute(select(OfficeProcedure.office_id, OfficeProcedure.procedure_id)):
            links.setdefault(office_id, []).append(procedure_id)
        self.offices = np.array(sorted(links))
        self.links = [np.array(sorted(links[o])) for o in self.offices]
        self.office_effect = self.rng.normal(0, 0.7, len(self.offices))
        self.weights = self.rng.uniform(0.4, 2.5, len(self.offices))
        self.weights /= self.weights.sum()
        self.months = [f"2025-{m:02d}" for m in range(1, 13)]
        self.questionnaire = active_questionnaire(session).id

    def chunk(self, size: int) -> dict[str, np.ndarray]:
        rng = self.rng
        office_index = rng.choice(len(self.offices), size=size, p=self.weights)
        picks = rng.random(size)
        procedure = np.empty(size, dtype=np.int64)
        for index in np.unique(office_index):
            mask = office_index == index
            options = self.links[index]
            procedure[mask] = options[(picks[mask] * len(options)).astype(int)]
        month = rng.integers(0, 12, size)
        channel = rng.choice(6, size=size, p=CHANNEL_P)
        logit = 2.2 + self.office_effect[office_index] + 0.03 * (month - 6) - 0.3 * (channel == 3)
        satisfied = rng.random(size) < 1 / (1 + np.exp(-logit))
        rating = np.where(satisfied, rng.choice([4, 5, 5], size), rng.choice([1, 2, 3, 3], size))
        columns = {
            "office": self.offices[office_index],
            "procedure": procedure,
            "month": month,
            "channel": channel,
            "verified": (channel < 4) & (rng.random(size) < 0.85),
            "rating": rating,
        }
        for name in ("access", "procedure", "staff", "result", "feedback"):
            value = np.clip(rating + rng.choice([-1, 0, 0, 0, 1], size), 1, 5)
            columns[f"element_{name}"] = np.where(rng.random(size) < 0.8, value, 0)  # 0 = not answered
        columns["on_time"] = np.where(rng.random(size) < 0.9, rng.choice(3, size, p=[0.2, 0.7, 0.1]) + 1, 0)
        columns["returns"] = np.where(rng.random(size) < 0.9, rng.choice(3, size, p=[0.85, 0.1, 0.05]) + 1, 0)
        columns["agencies"] = np.where(rng.random(size) < 0.85, rng.choice(3, size, p=[0.8, 0.15, 0.05]) + 1, 0)
        columns["extra_payment"] = np.where(rng.random(size) < 0.85, rng.choice(3, size, p=[0.94, 0.02, 0.04]) + 1, 0)
        columns["service_mode"] = np.where(channel == 3, 2, rng.choice(3, size, p=[0.05, 0.9, 0.05]) + 1)
        columns["second"] = rng.integers(0, 27 * 86400, size)
        return columns

    def rows(self, c: dict[str, np.ndarray]) -> Iterator[tuple[Any, ...]]:
        """Database rows (codes as text, 0 → NULL), in COLUMNS order."""

        def text(codes: np.ndarray, labels: np.ndarray) -> list[str | None]:
            return [None if v == 0 else str(labels[v - 1]) for v in codes.tolist()]

        def number(values: np.ndarray, shift: int = 0) -> list[int | None]:
            return [None if v == 0 else v - shift for v in values.tolist()]

        months = self.months
        starts = [datetime(2025, m, 1, tzinfo=UTC).timestamp() - 7 * 3600 for m in range(1, 13)]  # in Hà Nội time
        created = [
            datetime.fromtimestamp(starts[m] + s, UTC).strftime("%Y-%m-%d %H:%M:%S")
            for m, s in zip(c["month"].tolist(), c["second"].tolist(), strict=True)
        ]
        yield from zip(
            created, [months[m] for m in c["month"].tolist()], c["procedure"].tolist(), c["office"].tolist(),
            CHANNELS[c["channel"]].tolist(), text(c["service_mode"], MODES), c["verified"].tolist(),
            [self.questionnaire] * len(created), c["rating"].tolist(),
            *(number(c[f"element_{e}"]) for e in ("access", "procedure", "staff", "result", "feedback")),
            text(c["on_time"], ON_TIME), number(c["returns"], 1), number(c["agencies"]),
            text(c["extra_payment"], EXTRA), ["vi"] * len(created), [False] * len(created),
            strict=True,
        )  # fmt: skip


def load(engine: Engine, generator: Generator, total: int) -> None:
    """Insert `total` responses (COPY on PostgreSQL, executemany on SQLite), then count their rollups in SQL."""
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        _insert(engine, "responses", COLUMNS, generator.rows(generator.chunk(size)))
        done += size
        rate = done / (time.perf_counter() - started)
        say(f"  {done:>11,} / {total:,} responses stored ({rate:,.0f}/s)")
    with Session(engine) as session:
        cells = rebuild_rollups(session)
        compact = session.scalar(select(func.count()).select_from(RatingRollup))
    say(f"  {cells:,} rollup cells and {compact:,} compact rating rollup rows counted in SQL")
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _insert(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    raw: Any = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            raw.cursor().executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()


# --- the timed questions ----------------------------------------------------------------------------------------

SATISFIED = func.sum(case((Response.rating >= 4, 1), else_=0))


def raw_counts(session: Session, column: Any, scope: set[int] | None) -> dict[Any, tuple[int, int]]:
    statement = select(column, func.count(), SATISFIED).group_by(column)
    if scope is not None:
        statement = statement.where(Response.office_id.in_(sorted(scope)))
    return {key: (int(n), int(s)) for key, n, s in session.execute(statement)}


def timed(action: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(engine: Engine, backend: str, repeats: int) -> list[tuple[Any, ...]]:
    results = []
    settings, everything = Settings(), ReportFilter()
    with Session(engine) as session:
        codes = dict(session.execute(select(Procedure.id, Procedure.code)).all())
        hcm = session.scalar(select(Office.id).where(Office.code == "79.000"))
        commune = session.scalar(select(Office.id).where(Office.code == "79.001"))
        scopes = {"national": None, "province 79": subtree_ids(session, hcm), "commune 79.001": {commune}}
        for scope_name, scope in scopes.items():
            rollup_time, view = timed(lambda scope=scope: overview(session, scope, everything, settings), repeats)
            raw_time, months = timed(lambda scope=scope: raw_counts(session, Response.month, scope), repeats)
            same = {m["month"]: (m["n"], m["satisfied"]) for m in view.trend} == months
            totals = (sum(n for n, _ in months.values()), sum(s for _, s in months.values()))
            same = same and (view.summary["n"], view.summary["satisfied"]) == totals
            results.append((backend, "overview", scope_name, view.summary["n"], rollup_time, raw_time, same))
            rollup_time, ranking = timed(
                lambda scope=scope: procedure_ranking(session, scope, everything, settings), repeats
            )
            raw_time, groups = timed(lambda scope=scope: raw_counts(session, Response.procedure_id, scope), repeats)
            same = {g.code: (g.summary["n"], g.summary["satisfied"]) for g in ranking} == {
                codes[k]: v for k, v in groups.items()
            }
            results.append((backend, "procedure ranking", scope_name, len(ranking), rollup_time, raw_time, same))
            say(f"  {backend} {scope_name}: measured")
    return results


def prepare(backend: str, folder: Path, server: Any) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}"
    server.execute("CREATE DATABASE bench")
    return str(server.url("bench"))


def migrate(url: str, folder: Path) -> None:
    from flask_migrate import upgrade

    from survey import create_app

    os.environ["SURVEY_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from survey.extensions import db

        db.engine.dispose()


def run_backend(backend: str, args: argparse.Namespace, folder: Path, server: Any) -> list[tuple[Any, ...]]:
    url = prepare(backend, folder, server)
    say(f"{backend}: migrating the schema")
    migrate(url, folder)
    engine = create_engine(url)
    with Session(engine) as session:
        build_catalog(session, args.communes_per_province, folder)
        generator = Generator(session, args.seed)
        say(f"{backend}: {len(generator.offices)} offices; generating {args.responses:,} responses")
    started = time.perf_counter()
    load(engine, generator, args.responses)
    say(f"{backend}: loaded in {time.perf_counter() - started:.0f} s; timing (median of {args.repeats})")
    results = measure(engine, backend, args.repeats)
    engine.dispose()
    return results


def report(results: list[tuple[Any, ...]], responses: int) -> None:
    header = ("backend", "question", "scope", "groups/n", "rollups ms", "raw GROUP BY ms", "raw/rollups", "equal")
    lines = [
        (b, q, s, f"{n:,}", f"{r * 1000:.1f}", f"{w * 1000:.0f}", f"{w / r:.1f}x", "yes" if same else "NO")
        for b, q, s, n, r, w, same in results
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    print()
    print(f"Dashboard at {responses:,} responses")
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
    print()
    worst = max(results, key=lambda row: row[4])
    print(f"Slowest dashboard read: {worst[1]} ({worst[2]}) on {worst[0]}, {worst[4] * 1000:.0f} ms from rollups.")
    ratios = [row[5] / row[4] for row in results]
    print(f"Raw GROUP BY takes {min(ratios):.1f}x to {max(ratios):.1f}x the time of the rollup reads.")
    print("All rollup numbers equal the raw GROUP BY numbers." if all(r[6] for r in results) else "MISMATCH found!")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--ten-million", action="store_true", help="generate 10 M responses")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--communes-per-province", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    if args.ten_million:
        args.responses = 10_000_000
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if set(backends) - {"sqlite", "postgresql"} or args.responses < 1:
        parser.error("--backends takes sqlite and/or postgresql; --responses must be positive")
    results: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o755)
        server = None
        if "postgresql" in backends:
            from tests.postgres_server import start_server

            say("starting a throwaway PostgreSQL server")
            server = start_server()
            if server is None:
                print("PostgreSQL binaries not found", file=sys.stderr)
                return 1
        try:
            for backend in backends:
                results += run_backend(backend, args, folder, server)
        finally:
            if server is not None:
                server.stop()
    report(results, args.responses)
    return 0 if all(row[6] for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
