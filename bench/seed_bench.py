"""Bulk seeding of a bench database: millions of demo-like responses in minutes, not hours.

`seed-demo` draws each response in Python (about 80 µs) and inserts it through the ORM with its invitation, so
10 M responses take over an hour and a half. Here the same model is drawn with numpy, 50,000 rows at a time,
and inserted with one executemany of the Core insert per batch (one transaction per batch); the rollups are counted
with numpy on the way (what `rebuild_rollups` would count: INSERT … SELECT … GROUP BY takes longer than the seeding
at 10 M) and inserted at the end.

Same distributions as the demo, from its own generator (`survey.services.demo.seed.DemoGenerator`, built with
the same seed): the starter catalog and demo offices, office weights and effects, procedure weights per office,
office × procedure effects, channels, months and trend, the recent changes at busy pairs, the answers given the
rating, age band, sex, language, and comments drawn from the shipped comment pool (redacted once per text)
at the demo's rates. Not made: invitations (no export or table reads them). SQLite only (the bench's
database). Not part of the tests:

    PYTHONPATH=. .venv/bin/python bench/seed_bench.py --folder /work/benchdata/1m --responses 1000000
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 50_000
HOURS = (7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16)
ELEMENT_NAMES = ("access", "procedure", "staff", "result", "feedback")
WEAKEST = {
    "waiting_time": "result", "staff_attitude": "staff", "documents_repeat_visits": "procedure",
    "extra_payment": "staff", "fees": "procedure", "facilities": "access",
    "online_system": "access", "information_guidance": "access",
}  # fmt: skip
COLUMNS = (
    "created_at", "month", "procedure_id", "office_id", "channel", "service_mode", "verified",
    "questionnaire_version_id", "rating", *(f"element_{name}" for name in ELEMENT_NAMES), "on_time", "returns",
    "agencies", "extra_payment", "comment", "language", "age_band", "sex", "is_demo", "flagged",
)  # fmt: skip


def _weighted(rng: np.random.Generator, weights: list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _or_none(values: np.ndarray, keep: np.ndarray) -> list[Any]:
    """The values as Python objects, None where `keep` is false."""
    out = values.astype(object)
    out[~keep] = None
    return list(out)


class BulkModel:
    """The demo's model (from `DemoGenerator`, same seed), drawn a batch at a time with numpy."""

    def __init__(self, generator: Any, seed: int, questionnaire_id: int, redact: Any):
        from survey.models import AGE_BANDS, SEXES
        from survey.services.demo import comments as demo_comments
        from survey.services.demo.seed import CHANNEL_EFFECT, CHANNEL_WEIGHTS, PROCEDURE_WEIGHT, RECENT_MONTHS

        self.rng = np.random.default_rng(seed)
        self.questionnaire_id = questionnaire_id
        pairs, weights, effects = [], [], []
        total = sum(generator.office_weight)
        for office, office_weight in zip(generator.offices, generator.office_weight, strict=True):
            linked = generator.links[office.id]
            procedure_weights = [PROCEDURE_WEIGHT.get(p.code, 2) for p in linked]
            for procedure, weight in zip(linked, procedure_weights, strict=True):
                pairs.append((office.id, procedure.id))
                weights.append(office_weight / total * weight / sum(procedure_weights))
                effects.append(
                    generator.office_effect[office.id]
                    + generator.procedure_effect[procedure.id]
                    + generator._pair(office.id, procedure.id)
                )
        self.pair_office = np.array([o for o, _ in pairs])
        self.pair_procedure = np.array([p for _, p in pairs])
        self.pair_weights = np.array(weights) / sum(weights)
        self.pair_effect = np.array(effects)
        self.recent = np.array([generator.recent_change.get(pair, 0.0) for pair in pairs])
        self.channels = np.array(list(CHANNEL_WEIGHTS))
        self.channel_weights = list(CHANNEL_WEIGHTS.values())
        self.channel_effect = np.array([CHANNEL_EFFECT[c] for c in CHANNEL_WEIGHTS])
        self.months = generator.months
        self.recent_months = RECENT_MONTHS
        month_starts = [datetime(y, m, 1) for y, m in self.months]  # local time, naive
        self.month_start = np.array(month_starts, dtype="datetime64[s]")
        self.month_text = np.array([f"{y:04d}-{m:02d}" for y, m in self.months], dtype=object)
        self.age_bands = np.array(AGE_BANDS[1:], dtype=object)
        self.sexes = np.array(SEXES[:2] * 4 + SEXES[2:], dtype=object)
        self.themes = demo_comments.THEMES
        pool = demo_comments.pool()
        cleaned = {label: np.array([redact(text) for text in texts], dtype=object) for label, texts in pool.items()}
        self.pool = cleaned
        self.personal = np.array([redact(text) for text in demo_comments.WITH_PERSONAL_DATA], dtype=object)
        self.utc_offset = np.timedelta64(7, "h")  # Asia/Ho_Chi_Minh has no daylight saving time
        self.rollups: dict[tuple[str, str], np.ndarray] = {}

    def _pick(self, texts: np.ndarray, size: int) -> np.ndarray:
        return texts[self.rng.integers(0, len(texts), size)]

    def batch(self, size: int) -> list[tuple[Any, ...]]:
        rng = self.rng
        pair = rng.choice(len(self.pair_weights), size=size, p=self.pair_weights)
        channel = _weighted(rng, self.channel_weights, size)
        month = rng.integers(0, len(self.months), size)
        trend = 0.04 * (month - len(self.months) / 2)
        trend = trend + np.where(month >= len(self.months) - self.recent_months, self.recent[pair], 0.0)
        logit = 2.4 + self.pair_effect[pair] + self.channel_effect[channel] + trend
        satisfied = rng.random(size) < 1.0 / (1.0 + np.exp(-logit))
        rating = np.where(
            satisfied,
            np.array([4, 5, 5])[rng.integers(0, 3, size)],
            np.array([1, 2, 3])[_weighted(rng, [2, 3, 5], size)],
        )
        seconds = (
            (rng.integers(1, 29, size) - 1) * 86400
            + np.array(HOURS)[rng.integers(0, len(HOURS), size)] * 3600
            + rng.integers(0, 60, size) * 60
            + rng.integers(0, 60, size)
        )
        local = self.month_start[month] + seconds.astype("timedelta64[s]")
        created = np.char.replace(np.datetime_as_string(local - self.utc_offset, unit="us"), "T", " ")
        names = np.array(self.channels)[channel]
        complaint = rating <= 3
        theme_index = rng.integers(0, len(self.themes), size)
        theme = np.where(complaint, np.array(self.themes, dtype=object)[theme_index], None)
        online = names == "online"
        mode = np.where(rng.random(size) < 0.05, "postal", "in_person").astype(object)
        mode[rng.random(size) < 0.1] = None
        mode[online] = "online"
        verified = np.isin(names, ("qr", "sms", "kiosk", "online")) & (rng.random(size) < 0.85)
        language = np.where(rng.random(size) < 0.03, "en", "vi")
        answers: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # metric → (values, answered)
        answers["rating"] = (rating, np.ones(size, dtype=bool))
        for name in ELEMENT_NAMES:
            weakest = np.isin(theme, [t for t, w in WEAKEST.items() if w == name])
            value = np.clip(rating + np.array([-1, 0, 0, 0, 1])[rng.integers(0, 5, size)] - weakest, 1, 5)
            answers[f"element_{name}"] = (value, rng.random(size) >= 0.2)
        late = (theme == "waiting_time") | ((rating <= 2) & (rng.random(size) < 0.4))
        on_time = np.where(late, "late", np.array(["early", "on_time", "late"])[_weighted(rng, [3, 9, 1], size)])
        returns = np.where(
            complaint,
            np.array([0, 1, 2])[_weighted(rng, [12, 2, 1], size)],
            np.array([0, 1])[_weighted(rng, [12, 2], size)],
        )
        returns = np.where(theme == "documents_repeat_visits", 2, returns)
        agencies = np.array([1, 2, 3])[_weighted(rng, [14, 3, 1], size)]
        extra = np.array(["no", "yes", "prefer_not"])[_weighted(rng, [90, 2, 4], size)]
        extra = np.where(theme == "extra_payment", "yes", extra)
        answers["on_time"] = (on_time, rng.random(size) < 0.9)
        answers["returns"] = (returns, rng.random(size) < 0.9)
        answers["agencies"] = (agencies, rng.random(size) < 0.85)
        answers["extra_payment"] = (extra, rng.random(size) < 0.85)
        answers["service_mode"] = (mode.astype(str), mode != None)  # noqa: E711 - elementwise
        self._count(month, pair, channel, verified, answers)
        comment = self._comments(rating, theme, size)
        age = self._pick(self.age_bands, size)
        sex = self._pick(self.sexes, size)
        columns = [
            created.tolist(),
            list(self.month_text[month]),
            self.pair_procedure[pair].tolist(),
            self.pair_office[pair].tolist(),
            names.tolist(),
            list(mode),
            verified.astype(int).tolist(),
            [self.questionnaire_id] * size,
            rating.tolist(),
            *(_or_none(*answers[f"element_{name}"]) for name in ELEMENT_NAMES),
            *(_or_none(*answers[metric]) for metric in ("on_time", "returns", "agencies", "extra_payment")),
            list(comment),
            language.tolist(),
            _or_none(age, rng.random(size) < 0.6),
            _or_none(sex, rng.random(size) < 0.6),
            [1] * size,
            [0] * size,
        ]
        return list(zip(*columns, strict=True))

    def _count(self, month: np.ndarray, pair: np.ndarray, channel: np.ndarray, verified: np.ndarray,
               answers: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:  # fmt: skip
        """Add the batch to the rollup counts: cell (month, pair, channel, verified) × answer, per question."""
        head = ((month * len(self.pair_weights) + pair) * len(self.channels) + channel) * 2 + verified
        cells = len(self.months) * len(self.pair_weights) * len(self.channels) * 2
        for metric, (values, answered) in answers.items():
            for value in np.unique(values[answered]).tolist():
                chosen = head[answered & (values == value)]
                counts = self.rollups.setdefault((metric, str(value)), np.zeros(cells, dtype=np.int64))
                counts += np.bincount(chosen, minlength=cells)

    def rollup_rows(self) -> Iterator[dict[str, Any]]:
        """The fine rollup rows of everything drawn so far (what `rebuild_rollups` would count)."""
        channels, pairs = len(self.channels), len(self.pair_weights)
        for (metric, value), counts in self.rollups.items():
            for cell in np.flatnonzero(counts).tolist():
                rest, verified = divmod(cell, 2)
                rest, channel = divmod(rest, channels)
                month, pair = divmod(rest, pairs)
                yield {
                    "month": self.month_text[month], "office_id": int(self.pair_office[pair]),
                    "procedure_id": int(self.pair_procedure[pair]), "channel": str(self.channels[channel]),
                    "verified": bool(verified), "metric": metric, "value": value, "count": int(counts[cell]),
                }  # fmt: skip

    def _comments(self, rating: np.ndarray, theme: np.ndarray, size: int) -> np.ndarray:
        """The demo's comment rates: personal data 0.4 %; a complaint for 60 % of low ratings (4 % of those
        outside the themes); praise for 12 % of high ratings; 2 % neutral; the rest none."""
        rng = self.rng
        comment = np.full(size, None, dtype=object)
        draw = rng.random(size)
        personal = draw < 0.004
        rest = ~personal
        about_theme = rest & (theme != None) & (rng.random(size) < 0.6)  # noqa: E711 - elementwise
        outside = about_theme & (rng.random(size) < 0.04)
        for label in self.themes:
            chosen = about_theme & ~outside & (theme == label)
            comment[chosen] = self._pick(self.pool[label], int(chosen.sum()))
        comment[outside] = self._pick(self.pool["other"], int(outside.sum()))
        praised = rest & ~about_theme & (rating >= 4) & (rng.random(size) < 0.12)
        comment[praised] = self._pick(self.pool["praise"], int(praised.sum()))
        neutral = rest & ~about_theme & ~praised & (rng.random(size) < 0.02)
        comment[neutral] = self._pick(self.pool["neutral"], int(neutral.sum()))
        comment[personal] = self._pick(self.personal, int(personal.sum()))
        return comment


def seed_bulk(session: Any, responses: int, *, seed: int = 2025, months: int = 12) -> float:
    """Replace the demo responses with `responses` bulk-drawn ones; returns the seconds taken."""
    from sqlalchemy import delete, insert, text

    from analysis.redaction import redact
    from survey.models import Response, Rollup, SiteSetting
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.catalog.questionnaire import active_questionnaire
    from survey.services.demo.seed import DemoGenerator, offices_and_procedures, remove_demo_responses
    from survey.services.responses.invitation_rollups import rebuild_invitation_rollups
    from survey.services.responses.rollups import fill_rating_rollups_from_rollups

    started = time.perf_counter()
    load_starter_catalog(session, demo_offices=True)
    questionnaire = active_questionnaire(session)
    offices, links = offices_and_procedures(session)
    generator = DemoGenerator(random.Random(seed), offices, links, months)
    model = BulkModel(generator, seed, questionnaire.id, redact)
    remove_demo_responses(session)
    session.commit()
    table: Any = Response.__table__
    connection = session.connection()
    # Indexes are built once at the end: cheaper than keeping them sorted through millions of inserts.
    indexes = [index for index in table.indexes if not index.unique]
    for index in indexes:
        index.drop(connection)
    statement = f"INSERT INTO responses ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    session.commit()
    raw = session.connection().connection.driver_connection
    raw.execute("PRAGMA synchronous = OFF")  # a bench database: a crash while seeding means seeding again
    done = 0
    while done < responses:
        size = min(BATCH, responses - done)
        rows = model.batch(size)
        with raw:  # one transaction per batch
            raw.executemany(statement, rows)
        done += size
        rate = done / (time.perf_counter() - started)
        print(f"\r  {done:>12,} / {responses:,} responses ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    connection = session.connection()
    for index in indexes:
        print(f"  index {index.name}…", file=sys.stderr, flush=True)
        index.create(connection)
    session.merge(SiteSetting(key="demo_data", value=datetime.now(UTC).isoformat()))
    session.commit()
    print("  rollups…", file=sys.stderr, flush=True)
    session.execute(delete(Rollup))
    cells = model.rollup_rows()  # up to 1.7 M cells at 10 M responses: inserted a batch at a time
    while rows := list(itertools.islice(cells, BATCH)):
        session.execute(insert(Rollup), rows)
    fill_rating_rollups_from_rollups(session)
    rebuild_invitation_rollups(session)
    session.execute(text("ANALYZE"))
    session.commit()
    return time.perf_counter() - started


def compare(session: Any, size: int, seed: int = 2025) -> None:
    """Print the shares of a few columns drawn by the demo's generator and by the bulk model, side by side."""
    from collections import Counter

    from analysis.redaction import redact
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.catalog.questionnaire import active_questionnaire
    from survey.services.demo.seed import DemoGenerator, offices_and_procedures

    load_starter_catalog(session, demo_offices=True)
    offices, links = offices_and_procedures(session)
    generator = DemoGenerator(random.Random(seed), offices, links, 12)
    demo_rows = [generator.response() for _ in range(size)]
    bulk = BulkModel(DemoGenerator(random.Random(seed), offices, links, 12), seed, active_questionnaire(session).id,
                     redact)  # fmt: skip
    bulk_rows = [dict(zip(COLUMNS, row, strict=True)) for row in bulk.batch(size)]
    checks = {
        "satisfied (rating 4-5)": lambda r: r["rating"] >= 4,
        "rating 1": lambda r: r["rating"] == 1,
        "verified": lambda r: bool(r["verified"]),
        "channel qr": lambda r: r["channel"] == "qr",
        "channel online": lambda r: r["channel"] == "online",
        "comment": lambda r: r["comment"] is not None,
        "on_time late": lambda r: r["on_time"] == "late",
        "returns 2": lambda r: r["returns"] == 2,
        "extra_payment yes": lambda r: r["extra_payment"] == "yes",
        "age band given": lambda r: r["age_band"] is not None,
        "language en": lambda r: r["language"] == "en",
        "element_result 1": lambda r: r["element_result"] == 1,
    }
    print(f"{'share of ' + format(size, ',') + ' rows':28} {'demo':>7} {'bulk':>7}")
    for name, test in checks.items():
        demo_share = sum(map(test, demo_rows)) / size
        bulk_share = sum(map(test, bulk_rows)) / size
        print(f"{name:28} {100 * demo_share:6.2f}% {100 * bulk_share:6.2f}%")
    for key in ("office_id", "procedure_id", "month"):
        demo_top = Counter(r[key] for r in demo_rows).most_common(3)
        bulk_count = Counter(r[key] for r in bulk_rows)
        print(
            f"top {key}: "
            + ", ".join(
                f"{value}: {100 * n / size:.2f}% / {100 * bulk_count[value] / size:.2f}%" for value, n in demo_top
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--compare", action="store_true", help="only compare the shares drawn by demo and bulk")
    args = parser.parse_args()
    os.environ["SURVEY_ENV"] = "testing"
    os.environ["SURVEY_INSTANCE_PATH"] = str(args.folder)
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db

    args.folder.mkdir(parents=True, exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.folder / 'bench.db'}"})
    with app.app_context():
        upgrade()
        if args.compare:
            compare(db.session, args.responses, args.seed)
            return
        seconds = seed_bulk(db.session, args.responses, seed=args.seed)
    print(f"seeded {args.responses:,} responses in {seconds:.0f} s ({timedelta(seconds=round(seconds))})")


if __name__ == "__main__":
    main()
