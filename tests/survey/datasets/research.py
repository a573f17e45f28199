"""Skewed survey data for the research export tests, and readers that load an export back for checking.

On top of the demo data: one huge province (Hồ Chí Minh City gets thousands of extra responses), procedures
answered only a handful of times, and comments carrying a phone number, an ID number and an e-mail, both stored
through the normal path (redacted on the way in) and inserted raw, as old data from before redaction would be.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from survey.models import Office, OfficeProcedure, Procedure, Response
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.demo.seed import seed_demo
from survey.services.responses.rollups import rebuild_rollups
from survey.services.responses.store import Answers, store_response

PHONE, ID_NUMBER, EMAIL = "0912 345 678", "079203001234", "nguyen.van.a@gmail.com"
PII_STRINGS = (PHONE, PHONE.replace(" ", ""), ID_NUMBER, EMAIL)
PII_COMMENT = f"Cán bộ bảo gọi lại số {PHONE}, CCCD {ID_NUMBER}, email {EMAIL} mà chẳng ai gọi."
RARE = (("92.03", "2.000806", 3), ("48.04", "1.014748", 2), ("01.05", "1.003197", 1))
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")


def _row(office_id: int, procedure_id: int, version: int, rng: random.Random, month: str) -> dict[str, Any]:
    rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 8])[0]
    return {
        "created_at": datetime(int(month[:4]), int(month[5:]), 10, 3, tzinfo=UTC),
        "month": month,
        "procedure_id": procedure_id,
        "office_id": office_id,
        "channel": rng.choices(["qr", "kiosk", "sms", "online"], weights=[5, 3, 1, 1])[0],
        "service_mode": "in_person",
        "verified": rng.random() < 0.8,
        "questionnaire_version_id": version,
        "rating": rating,
        "language": "vi",
        "age_band": rng.choice([None, "25_34", "35_44", "45_54", "65_plus", "under_18"]),
        "sex": rng.choice([None, "female", "male", "male", "female", "other"]),
        "is_demo": False,
    }


def seed_skewed(session: Session, *, demo_responses: int = 3000, huge: int = 4000) -> None:
    """Demo data plus a huge province, rare procedures and comments with personal data."""
    seed_demo(session, responses=demo_responses, seed=11, months=6)
    rng = random.Random(5)
    version = active_questionnaire(session).id
    offices = dict(session.execute(select(Office.code, Office.id)).all())
    procedures = dict(session.execute(select(Procedure.code, Procedure.id)).all())
    hcm = [offices[code] for code in offices if code.startswith("79.")]
    links: dict[int, list[int]] = {}
    for office_id, procedure_id in session.execute(select(OfficeProcedure.office_id, OfficeProcedure.procedure_id)):
        links.setdefault(office_id, []).append(procedure_id)
    rows = []
    for _ in range(huge):
        office_id = rng.choice(hcm)
        rows.append(_row(office_id, rng.choice(sorted(links[office_id])), version, rng, rng.choice(MONTHS)))
    for office_code, procedure_code, count in RARE:
        for _ in range(count):
            rows.append(_row(offices[office_code], procedures[procedure_code], version, rng, "2025-03"))
    raw_pii = _row(offices["79.01"], procedures["1.001193"], version, rng, "2025-03")
    raw_pii.update(channel="qr", age_band=None, sex=None, comment=PII_COMMENT)  # old data, never redacted
    rows += [dict(raw_pii) for _ in range(3)]
    session.execute(insert(Response), rows)
    session.commit()
    rebuild_rollups(session)
    answers = Answers(rating=2, comment=PII_COMMENT)
    for _ in range(3):  # the normal path redacts before storing
        store_response(session, answers=answers, office_id=offices["79.01"], procedure_id=procedures["1.001193"],
                       channel="qr", verified=False, now=datetime(2025, 3, 10, 3, tzinfo=UTC))  # fmt: skip


def response_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def read_export(path: Path) -> pd.DataFrame:
    """The export as text columns, "" for not answered (CSV and Parquet alike)."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype(object).where(frame.notna(), "").astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_codebook(path: Path) -> dict[str, Any]:
    return dict(json.loads(Path(f"{path}.codebook.json").read_text("utf-8")))


def quasi_identifiers(codebook: dict[str, Any]) -> list[str]:
    return [column["name"] for column in codebook["columns"] if column["role"] == "quasi_identifier"]
