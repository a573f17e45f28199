"""Local questions in the anonymised research export: one column per question (a province's or an office
subtree's own code, the same across questionnaire versions), with codebook entries. Kept apart from the export
itself, so any export can add them through one small hook.

THE HOOK: inside the export's read snapshot, an export calls
    local = LocalExport.load(connection, text=options.text)
and then
    1. columns:  `(*its_columns, *local.columns)`  (`Column`s of `columns.py`, role "other");
    2. SELECT:   `local.sources[name]` for each of those columns (a scalar subquery correlated with `responses`);
    3. each row: `local.value(name, raw, published_office)`, where `published_office` is the office column's
                 value after generalisation (an office, a province or a region code, or "*");
    4. codebook: `local.add_to_codebook(codebook)` once the JSON codebook is built (labels of each answer).

Disclosure: only offices in a question's scope are ever asked it, so an answer would tell where its citizen was
even when the office column was coarsened. `value` therefore leaves a local answer empty unless the published
office is at least as fine as the question's scope (an office in it, or its province for a province question).
Text answers are redacted again on the way out, like comments; with `text="drop"` they are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from survey.models import LocalAnswer, LocalQuestion, Office, QuestionnaireVersion, Response
from survey.services.research.columns import Column


def column_name(scope_code: str, code: str) -> str:
    """`local_79_parking`, `local_79_01_waiting`: the scope's dots and dashes become underscores."""
    scope = "".join(ch if ch.isalnum() else "_" for ch in scope_code)
    return f"local_{scope}_{code}"


def _bilingual(label: Mapping[str, str]) -> str:
    return f"{label['vi']} ({label['en']})" if label["vi"] != label["en"] else str(label["vi"])


@dataclass
class LocalExport:
    columns: tuple[Column, ...]
    sources: dict[str, Any]
    allowed_offices: dict[str, frozenset[str]]
    text_columns: frozenset[str]
    value_labels: dict[str, dict[str, str]]

    @classmethod
    def load(cls, connection: Connection, *, text: str = "redacted") -> LocalExport:
        """The local questions ever published, grouped by scope and code (the latest version's wording)."""
        q = LocalQuestion
        wanted = (q.id, q.scope_kind, q.scope_code, q.code, q.type, q.text, q.options)
        rows = connection.execute(select(*wanted).where(q.published_at.is_not(None))).all()
        groups: dict[str, list[Any]] = defaultdict(list)
        for question in sorted(rows, key=lambda row: (row.scope_kind == "office", row.id)):
            groups[column_name(question.scope_code, question.code)].append(question)
        scale = _scale_labels(connection)
        offices = connection.execute(select(Office.code, Office.province_code, Office.path)).all()
        export = cls((), {}, {}, frozenset(), {})
        columns, texts = [], set()
        for name, questions in groups.items():
            latest = questions[-1]
            if latest.type == "text" and text == "drop":
                continue
            columns.append(_column(name, latest))
            export.sources[name] = _source([q.id for q in questions], latest.type)
            export.allowed_offices[name] = _allowed(latest, offices)
            export.value_labels[name] = _labels(latest, scale)
            if latest.type == "text":
                texts.add(name)
        export.columns, export.text_columns = tuple(columns), frozenset(texts)
        return export

    def value(self, name: str, raw: Any, published_office: str | None) -> Any:
        """The cell written: empty when unanswered or when the row's office is published coarser than the scope."""
        if raw is None or published_office not in self.allowed_offices[name]:
            return None
        if name not in self.text_columns:
            return raw
        from analysis.redaction import redact  # loaded by an export, not by every start (its patterns are large)

        return redact(raw)

    def add_to_codebook(self, codebook: dict[str, Any]) -> None:
        for entry in codebook["columns"]:
            if entry["name"] in self.value_labels:
                entry["values"] = dict(self.value_labels[entry["name"]])


def _column(name: str, question: Any) -> Column:
    scope = f"{'tỉnh' if question.scope_kind == 'province' else 'cơ quan'} {question.scope_code}"
    scope_en = f"{'province' if question.scope_kind == 'province' else 'office'} {question.scope_code}"
    label_vi = f"Câu hỏi riêng của {scope} (chỉ hỏi tại đó): {question.text['vi']}"
    label_en = f"Local question of {scope_en} (asked only there): {question.text['en']}"
    kind = "integer" if question.type == "scale" else "string"
    return Column(name, kind, label_vi, label_en, "other", coded=question.type in ("choice", "yes_no"))


def _source(question_ids: list[int], kind: str) -> Any:
    value = {"scale": LocalAnswer.number, "text": LocalAnswer.text}.get(kind, LocalAnswer.code)
    return (
        select(value)
        .where(LocalAnswer.response_id == Response.id, LocalAnswer.question_id.in_(question_ids))
        .limit(1)
        .scalar_subquery()
    )


def _allowed(question: Any, offices: Sequence[Any]) -> frozenset[str]:
    if question.scope_kind == "province":
        return frozenset({o.code for o in offices if o.province_code == question.scope_code} | {question.scope_code})
    top = next((o for o in offices if o.code == question.scope_code), None)
    return frozenset(o.code for o in offices if top is not None and o.path.startswith(top.path))


def _scale_labels(connection: Connection) -> dict[str, str]:
    active = QuestionnaireVersion.active.is_(True)
    definition = connection.scalar(select(QuestionnaireVersion.definition).where(active))
    return {point: _bilingual(label) for point, label in (definition or {}).get("scale", {}).items()}


def _labels(question: Any, scale: dict[str, str]) -> dict[str, str]:
    if question.type == "scale":
        return dict(scale)
    if question.type == "yes_no":
        return {"yes": "Có (yes)", "no": "Không (no)"}
    return {code: _bilingual(label) for code, label in (question.options or {}).items()}
