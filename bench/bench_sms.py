"""Benchmark: the SMS flow end to end, against the plain API calls it stands beside.

On a fresh SQLite database (or --database URL), with the local gateway emulator: issues --invitations links
through `POST /api/v1/invitations`, alternating plain ones and SMS ones (reply mode, sent at once through the
emulator), then answers each SMS invitation with a signed reply "4" at `POST /api/v1/sms/inbound`, alternating
with kiosk answers at `POST /api/v1/responses`. Prints the median milliseconds of each and the ratios. Not part of
the tests:

    .venv/bin/python bench/bench_sms.py [--invitations 200] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-sms-secret"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitations", type=int, default=200)
    parser.add_argument("--database", default="", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    os.environ["SURVEY_ENV"] = "testing"
    os.environ["SURVEY_INSTANCE_PATH"] = str(folder)
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.services.accounts.api_keys import create_api_key
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.sms.gateway import sign
    from survey.sms import emulator

    gateway = emulator.start(secret=SECRET)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{folder / 'bench.db'}",
        "API_RATE_LIMIT": "1000000/minute", "SMS_GATEWAY_URL": gateway.url, "SMS_SECRET": SECRET,
        "SMS_DAY_START": 0, "SMS_DAY_END": 24,
    })  # fmt: skip
    with app.app_context():
        upgrade()
        load_starter_catalog(db.session, demo_offices=True)
        db.session.commit()
        key, _ = create_api_key(db.session, name="bench", office_code=None)
        headers = {"Authorization": f"Bearer {key}"}
        client = app.test_client()
        base = {"procedure_code": "1.001193", "office_code": "79.01"}
        plain, sms, replies, kiosk = [], [], [], []
        for i in range(args.invitations):
            for kind in ("plain", "sms"):
                body = {**base, "dossier_code": f"HS-{kind}-{i:06d}"}
                if kind == "sms":
                    body.update(phone=f"09{i:08d}", sms_mode="reply")
                started = time.perf_counter()
                answer = client.post("/api/v1/invitations", json=body, headers=headers)
                (sms if kind == "sms" else plain).append(time.perf_counter() - started)
                assert answer.status_code == 201, answer.get_json()
        assert len(gateway.messages) == args.invitations
        for i in range(args.invitations):
            raw = json.dumps({"message_id": f"in-{i}", "from": f"09{i:08d}", "text": "4"}).encode()
            started = time.perf_counter()
            answer = client.post("/api/v1/sms/inbound", data=raw, headers={"X-Signature": sign(SECRET, raw)})
            replies.append(time.perf_counter() - started)
            assert answer.get_json() == {"outcome": "rated"}, answer.get_json()
            started = time.perf_counter()
            answer = client.post("/api/v1/responses", json={**base, "channel": "kiosk", "rating": 4}, headers=headers)
            kiosk.append(time.perf_counter() - started)
            assert answer.status_code == 201
        gateway.shutdown()
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    ms = {name: statistics.median(values) * 1000 for name, values in
          (("plain", plain), ("sms", sms), ("reply", replies), ("kiosk", kiosk))}  # fmt: skip
    print(f"{args.invitations} of each, median ms per request ({'given database' if args.database else 'SQLite'}):")
    print(f"  invitation, plain link          {ms['plain']:7.2f}")
    print(f"  invitation + SMS sent at once   {ms['sms']:7.2f}   ratio {ms['sms'] / ms['plain']:.2f}")
    print(f"  kiosk answer (POST responses)   {ms['kiosk']:7.2f}")
    print(f"  signed SMS reply '4' stored     {ms['reply']:7.2f}   ratio {ms['reply'] / ms['kiosk']:.2f}")


if __name__ == "__main__":
    main()
