"""Checking a questionnaire file before anything is imported: the shipped JSON Schema first, then the rules that
need the database (version numbers, comparability, provinces and offices, how many local questions one form
shows). Every problem names where it is, as a JSON path (`$.local_questions[2].scope`), and says what to change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import (
    AGE_BANDS,
    ELEMENTS,
    EXTRA_PAYMENT,
    ON_TIME,
    SERVICE_MODES,
    SEXES,
    LocalQuestion,
    Office,
    Province,
    QuestionnaireVersion,
)
from survey.services.responses.store import COMMENT_MAX

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

CORE_CODES = ("rating", *(f"element_{name}" for name in ELEMENTS))
"""The national core: the overall rating and the five SIPAS elements keep their meaning across versions."""

CHOICE_CODES: dict[str, tuple[str, ...]] = {
    "on_time": ON_TIME,
    "returns": ("0", "1", "2"),
    "agencies": ("1", "2", "3"),
    "extra_payment": EXTRA_PAYMENT,
    "service_mode": SERVICE_MODES,
    "age_band": AGE_BANDS,
    "sex": SEXES,
}
"""The answers the responses table can hold for each national choice question (a version may offer fewer)."""

LOCAL_PER_FORM = 5
"""At most this many local questions on one office's form (a province's and its offices' together)."""

_MESSAGE_MAX = 240


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path in the file, e.g. $.local_questions[0].options
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def questionnaire_schema() -> dict[str, Any]:
    """The shipped JSON Schema (survey/data/questionnaire.schema.json)."""
    text = (resources.files("survey") / "data" / "questionnaire.schema.json").read_text("utf-8")
    return dict(json.loads(text))


def _schema_message(error: ValidationError) -> str:
    """One jsonschema ValidationError as the message an admin reads."""
    if error.validator is None or error.schema is False:  # a `false` subschema: the key is not allowed here
        return "not allowed here (options are only for choice questions)"
    message = error.message
    return message if len(message) <= _MESSAGE_MAX else message[: _MESSAGE_MAX - 1] + "…"


def schema_problems(data: Any) -> list[Problem]:
    """Every place where the file does not follow the schema, in file order."""
    from jsonschema import Draft202012Validator  # 80 ms to import: loaded by an import, not by every start

    validator = Draft202012Validator(questionnaire_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda error: [str(part) for part in error.absolute_path])
    return [Problem(error.json_path, _schema_message(error)) for error in errors]


def national_part(data: Mapping[str, Any]) -> dict[str, Any]:
    """The version's own definition as stored: everything but the local questions and comparability."""
    return {key: value for key, value in data.items() if key not in ("local_questions", "comparable_with")}


def question_problems(data: Mapping[str, Any]) -> list[Problem]:
    """The national questions: each once, the overall rating asked and required, answers the database can hold."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, question in enumerate(data["questions"]):
        path, code = f"$.questions[{index}]", question["code"]
        if code in seen:
            problems.append(Problem(f"{path}.code", f"{code} is already asked at $.questions[{seen[code]}]"))
        seen.setdefault(code, index)
        allowed = CHOICE_CODES.get(code, ())
        for option in question.get("options", {}) if allowed else ():
            if option not in allowed:
                problems.append(
                    Problem(f"{path}.options.{option}", f"not an answer of {code}; use {', '.join(allowed)}")
                )
        if code == "comment" and question.get("max_length", COMMENT_MAX) > COMMENT_MAX:
            problems.append(Problem(f"{path}.max_length", f"at most {COMMENT_MAX} characters are stored"))
    rating = next((q for q in data["questions"] if q["code"] == "rating"), None)
    if rating is None:
        problems.append(Problem("$.questions", "the overall rating (code rating) must be asked"))
    elif not rating["required"]:
        problems.append(Problem(f"$.questions[{seen['rating']}].required", "the overall rating must be required"))
    if not {"4", "5"} & set(data["scale"]):
        problems.append(Problem("$.scale", "needs point 4 or 5: those answers count as satisfied"))
    return problems


def core_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """How the national core differs between two definitions, in words (empty: it means the same)."""
    changes = []
    if sorted(old["scale"]) != sorted(new["scale"]):
        changes.append(
            f"the scale has points {', '.join(sorted(new['scale']))} instead of {', '.join(sorted(old['scale']))}"
        )
    elif old["scale"] != new["scale"]:
        changes.append("the wording of the scale")
    old_texts = {q["code"]: q["text"] for q in old["questions"] if q["code"] in CORE_CODES}
    new_texts = {q["code"]: q["text"] for q in new["questions"] if q["code"] in CORE_CODES}
    for code in CORE_CODES:
        if code in old_texts and code not in new_texts:
            changes.append(f"{code} is no longer asked")
        elif code in new_texts and code not in old_texts:
            changes.append(f"{code} is asked again")
        elif old_texts.get(code) != new_texts.get(code):
            changes.append(f"the wording of {code}")
    return changes


def version_problems(
    data: Mapping[str, Any], versions: Sequence[QuestionnaireVersion]
) -> tuple[list[Problem], QuestionnaireVersion | None]:
    """Numbering and comparability; also returns the existing version the file appends local questions to."""
    by_number = {version.version: version for version in versions}
    number = data["version"]
    existing = by_number.get(number)
    if existing is not None:
        if existing.definition != national_part(data):
            return [Problem("$.version", f"version {number} already exists with other questions: a changed "
                                         "questionnaire needs a new, higher version number")], None  # fmt: skip
        if existing.status == "retired":
            return [Problem("$.version", f"version {number} is retired: local questions cannot be added to it")], None
        if not data.get("local_questions"):
            return [Problem("$.version", f"version {number} is already imported and the file adds no local "
                                         "questions")], None  # fmt: skip
        return [], existing
    highest = max(by_number, default=0)
    if number < highest:
        return [Problem("$.version", f"versions are numbered in order: use a number above {highest}")], None
    return comparability_problems(data, by_number), None


def comparability_problems(data: Mapping[str, Any], by_number: Mapping[int, QuestionnaireVersion]) -> list[Problem]:
    """A version that changes the core must say which versions it stays comparable with, and cannot claim a
    version on another scale."""
    listed = data.get("comparable_with")
    if listed is None:
        current = next((v for v in by_number.values() if v.active), None)
        changes = core_changes(current.definition, data) if current else []
        if changes and current is not None:
            return [Problem("$.comparable_with", f"{'; '.join(changes)} differ(s) from version {current.version}: "
                            f"say which versions this one stays comparable with, e.g. [{current.version}], "
                            "or [] if none")]  # fmt: skip
        return []
    problems = []
    for index, number in enumerate(listed):
        other = by_number.get(number)
        if number == data["version"]:
            problems.append(Problem(f"$.comparable_with[{index}]", "a version is always comparable with itself"))
        elif other is None:
            problems.append(Problem(f"$.comparable_with[{index}]", f"no version {number} has been imported"))
        elif sorted(other.definition["scale"]) != sorted(data["scale"]):
            problems.append(Problem(f"$.comparable_with[{index}]", f"version {number} has another scale: ratings on "
                                    "different scales are not comparable"))  # fmt: skip
    return problems


def resolved_comparable_with(data: Mapping[str, Any], versions: Sequence[QuestionnaireVersion]) -> list[int]:
    """What is stored: the file's list, or (when it says nothing and the core is unchanged) the current version."""
    if data.get("comparable_with") is not None:
        return sorted(int(number) for number in data["comparable_with"])
    current = next((v for v in versions if v.active), None)
    return [current.version] if current is not None and current.version != data["version"] else []


@dataclass(frozen=True)
class OfficeNode:
    id: int
    code: str
    province_code: str
    ancestors: frozenset[str]  # its own code and the codes of the offices above it


def office_nodes(session: Session) -> list[OfficeNode]:
    rows = session.execute(select(Office.id, Office.code, Office.province_code, Office.path)).all()
    codes = {row.id: row.code for row in rows}
    nodes = []
    for row in rows:
        above = {codes[int(part)] for part in row.path.strip("/").split("/") if part and int(part) in codes}
        nodes.append(OfficeNode(row.id, row.code, row.province_code, frozenset(above | {row.code})))
    return nodes


def covers(scope_kind: str, scope_code: str, office: OfficeNode) -> bool:
    """Whether a local question of this scope is asked at this office."""
    if scope_kind == "province":
        return office.province_code == scope_code
    return scope_code in office.ancestors


def _dates(question: Mapping[str, Any]) -> tuple[date | None, date | None]:
    start, end = question.get("valid_from"), question.get("valid_to")
    return (date.fromisoformat(start) if start else None), (date.fromisoformat(end) if end else None)


def local_problems(
    session: Session, data: Mapping[str, Any], version: QuestionnaireVersion | None
) -> tuple[list[Problem], list[tuple[int, str]]]:
    """The local questions: a known scope, sensible dates, the same meaning as before, few enough per form.

    Returns the problems and, for each new question, its index and scope kind (questions already in `version`
    exactly as written are skipped)."""
    provinces = set(session.scalars(select(Province.code)))
    nodes = office_nodes(session)
    office_codes = {node.code for node in nodes}
    earlier = {(q.scope_code, q.code): q for q in session.scalars(select(LocalQuestion).order_by(LocalQuestion.id))}
    in_version = {
        key: q for key, q in earlier.items() if version is not None and q.questionnaire_version_id == version.id
    }
    problems: list[Problem] = []
    new: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, question in enumerate(data.get("local_questions") or ()):
        path, key = f"$.local_questions[{index}]", (question["scope"], question["code"])
        kind = "province" if question["scope"] in provinces else "office" if question["scope"] in office_codes else None
        start, end = _dates(question)
        if kind is None:
            problems.append(Problem(f"{path}.scope", f"no province or office has the code {question['scope']}"))
        if start and end and start > end:
            problems.append(Problem(f"{path}.valid_to", "ends before it starts (valid_from)"))
        if key in seen:
            problems.append(Problem(f"{path}.code", f"{question['code']} appears twice for scope {question['scope']}"))
        seen.add(key)
        before = earlier.get(key)
        if before is not None and _meaning(before) != _meaning_of(question):
            problems.append(Problem(f"{path}.code", f"{question['code']} was asked differently before in this scope: "
                                    "a changed question needs a new code"))  # fmt: skip
        elif key in in_version:
            if _dates_of(in_version[key]) != (start, end):
                problems.append(Problem(f"{path}.valid_from", "already in this version with other dates"))
        elif kind is not None:
            new.append((index, kind))
    if not problems:
        problems += _per_form_problems(data, new, list(in_version.values()), nodes)
    return problems, new


def _meaning(question: LocalQuestion) -> tuple[str, Any, Any]:
    return question.type, question.text, sorted(question.options or {})


def _meaning_of(question: Mapping[str, Any]) -> tuple[str, Any, Any]:
    return question["type"], question["text"], sorted(question.get("options") or {})


def _dates_of(question: LocalQuestion) -> tuple[date | None, date | None]:
    return question.valid_from, question.valid_to


def _per_form_problems(
    data: Mapping[str, Any], new: list[tuple[int, str]], existing: list[LocalQuestion], nodes: list[OfficeNode]
) -> list[Problem]:
    """No office's form may show more than LOCAL_PER_FORM local questions, nor one code twice."""
    questions = [(q.scope_kind, q.scope_code, q.code) for q in existing]
    questions += [(kind, data["local_questions"][i]["scope"], data["local_questions"][i]["code"]) for i, kind in new]
    for node in nodes:
        codes = [code for kind, scope, code in questions if covers(kind, scope, node)]
        if len(codes) > LOCAL_PER_FORM:
            return [Problem("$.local_questions", f"the form of office {node.code} would show {len(codes)} local "
                            f"questions; at most {LOCAL_PER_FORM} (its province's and its own together)")]  # fmt: skip
        if len(set(codes)) < len(codes):
            twice = sorted({code for code in codes if codes.count(code) > 1})
            return [Problem("$.local_questions", f"the form of office {node.code} would ask {', '.join(twice)} twice "
                            "(from two scopes): give the questions different codes")]  # fmt: skip
    return []
