"""The local questions' tables of an office page, shown there and downloaded like the dashboard's other tables:
scale questions with their share satisfied (4–5), n and 95 % interval; choice, yes/no and text questions with
the count and share of each answer."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from survey.services.reporting.downloads import Column, Table
from survey.services.reporting.local_figures import LocalFigure

LOCAL_TABLES = ("local_scale", "local_choices")


def _language() -> str:
    return str(get_locale() or "vi")


def _pick(texts: dict[str, str]) -> str:
    return texts.get(_language()) or texts.get("vi", "")


def _head() -> list[Column]:
    return [
        Column("scope", str(_l("Province or office")), figure=False),
        Column("question", str(_l("Question code")), figure=False),
        Column("text", str(_l("Question")), figure=False),
    ]


def scale_table(figures: Sequence[LocalFigure]) -> Table:
    columns = [
        *_head(),
        Column("n", str(_l("Answers"))),
        Column("satisfied", str(_l("Answering 4 or 5"))),
        Column("share", str(_l("Share answering 4 or 5"))),
        Column("ci_low", str(_l("95 %(percent)s interval, low", percent="%"))),
        Column("ci_high", str(_l("95 %(percent)s interval, high", percent="%"))),
    ]
    rows = [
        {"scope": f.scope_code, "question": f.code, "text": _pick(f.text), "n": f.n, "satisfied": f.satisfied,
         "share": f.share, "ci_low": f.ci_low, "ci_high": f.ci_high}
        for f in figures
        if f.type == "scale"
    ]  # fmt: skip
    return Table("local_scale", str(_l("Local scale questions")), columns, rows)


def _answer_label(figure: LocalFigure, code: str, label: dict[str, str]) -> str:
    if figure.type == "yes_no":
        return str(_l("Yes") if code == "yes" else _l("No"))
    return _pick(label) if label else code


def choice_table(figures: Sequence[LocalFigure]) -> Table:
    columns = [
        *_head(),
        Column("answer", str(_l("Answer code")), figure=False),
        Column("answer_label", str(_l("Answer")), figure=False),
        Column("count", str(_l("Responses"))),
        Column("n", str(_l("Answered the question"))),
        Column("share", str(_l("Share of those who answered"))),
    ]
    rows = []
    for figure in figures:
        head = {"scope": figure.scope_code, "question": figure.code, "text": _pick(figure.text), "n": figure.n}
        if figure.type == "text":
            rows.append({**head, "answer": "text", "answer_label": str(_l("Written answer")), "count": figure.n,
                         "share": 1.0 if figure.n else None})  # fmt: skip
        for answer in figure.answers:
            label = _answer_label(figure, answer.code, answer.label)
            rows.append({**head, "answer": answer.code, "answer_label": label, "count": answer.count,
                         "share": answer.share})  # fmt: skip
    return Table("local_choices", str(_l("Local choice, yes/no and text questions")), columns, rows, count_key="count")


def local_tables(figures: Sequence[LocalFigure]) -> dict[str, Table]:
    """The tables that have rows (an office whose scope asks no scale question gets no scale table)."""
    tables = {"local_scale": scale_table(figures), "local_choices": choice_table(figures)}
    return {name: table for name, table in tables.items() if table.rows}
