"""Official theme labels: the job classifies stored comments, officials correct them, every figure follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from survey.models import AuditEntry
from survey.models_themes import CommentLabel, ThemeCorrection
from survey.services.accounts.scoping import user_office_scope
from survey.services.reporting.query import ReportFilter
from survey.services.themes.corrections import CorrectionError, correct_label, training_rows
from survey.services.themes.installed import current_model
from survey.services.themes.labels import count_stale, count_unlabelled, label_comments
from survey.services.themes.official import CommentQuery, list_comments, official_themes
from tests.factories import load_catalog, make_response, make_responses, make_user

WAITING = (
    "Chờ đợi quá lâu, hẹn 3 ngày mà 2 tuần sau vẫn chưa có kết quả",
    "Nộp hồ sơ từ đầu tháng, trễ hẹn trả kết quả gần một tháng",
    "Phải ngồi chờ cả buổi sáng mới tới lượt, xếp hàng quá lâu",
)
MARCH = ReportFilter(month_from="2025-03", month_to="2025-03")


def _label(session, response_id: int) -> tuple[str, str | None, str]:
    label = session.get(CommentLabel, response_id)
    session.refresh(label)
    return label.theme, label.theme2, label.source


def _themes(session, scope, where=MARCH) -> dict[str, tuple[int, float | None, list[str]]]:
    summary = official_themes(session, scope, where)
    return {t.code: (t.count, t.share, [q.text for q in t.quotes]) for t in summary.themes}


def test_the_job_labels_stored_comments_and_they_appear_under_their_theme(runner, session, backend):
    load_catalog()
    ids = [make_response(rating=2, month="2025-03", comment=text) for text in WAITING]
    make_responses(ratings=[1, 2], month="2025-03")  # dissatisfied without a comment: in the share's denominator
    assert count_unlabelled(session) == 3

    result = runner.invoke(args=["classify-comments"])

    assert result.exit_code == 0, result.output
    assert "3 comments classified" in result.output
    assert [_label(session, i)[0] for i in ids] == ["waiting_time"] * 3
    count, share, quotes = _themes(session, None)["waiting_time"]
    assert (count, share) == (3, 3 / 5)  # 3 of the 5 dissatisfied responses
    assert sorted(quotes) == sorted(WAITING)
    again = runner.invoke(args=["classify-comments"])
    assert "nothing to do" in again.output


def test_a_correction_changes_the_figures_and_quotes_is_audited_and_a_later_one_supersedes_it(app, session):
    load_catalog()
    ids = [make_response(rating=1, month="2025-03", comment=text) for text in WAITING]
    label_comments(session, current_model(None))
    official = make_user(office="79.00")
    scope = user_office_scope(session, official)
    assert _themes(session, scope)["waiting_time"][0] == 3

    correct_label(session, official, scope, ids[0], "staff_attitude", None)

    themes = _themes(session, scope)
    assert themes["waiting_time"][:2] == (2, 2 / 3)
    assert WAITING[0] not in themes["waiting_time"][2]
    assert themes["staff_attitude"] == (1, 1 / 3, [WAITING[0]])
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "theme.correct"))
    assert (entry.actor, entry.target) == (official.email, f"response:{ids[0]}")
    assert entry.details == {"old": ["waiting_time", None], "new": ["staff_attitude", None]}

    correct_label(session, official, scope, ids[0], "not_complaint", None)  # the official changes their mind

    themes = _themes(session, scope)
    assert "staff_attitude" not in themes and themes["waiting_time"][0] == 2
    history = session.scalars(select(ThemeCorrection).order_by(ThemeCorrection.id)).all()
    assert [(c.old_theme, c.new_theme) for c in history] == [
        ("waiting_time", "staff_attitude"),
        ("staff_attitude", "not_complaint"),
    ]
    assert training_rows(session) == [
        {"id": f"correction-{history[1].id}", "text": WAITING[0], "theme": "neutral", "theme2": "", "split": "train"}
    ]
    label_comments(session, current_model(None))  # the job never overwrites an official's label
    assert _label(session, ids[0]) == ("not_complaint", None, "official")


def test_two_themes_at_most_and_only_known_codes(app, session):
    load_catalog()
    response_id = make_response(rating=1, month="2025-03", comment=WAITING[0])
    official = make_user(office="79.00")
    scope = user_office_scope(session, official)
    correct_label(session, official, scope, response_id, "waiting_time", "fees")
    assert _label(session, response_id) == ("waiting_time", "fees", "official")
    assert _themes(session, scope)["fees"][0] == 1  # a second theme counts for its theme too
    for theme, theme2 in (("slow", None), ("waiting_time", "waiting_time"), ("not_complaint", "fees")):
        with pytest.raises(CorrectionError):
            correct_label(session, official, scope, response_id, theme, theme2)


def test_an_official_of_01_01_can_neither_see_nor_correct_a_comment_of_79(app, session):
    load_catalog()
    theirs = make_response(rating=1, office="79.01", month="2025-03", comment=WAITING[0])
    mine = make_response(rating=1, office="01.01", month="2025-03", comment=WAITING[1])
    label_comments(session, current_model(None))
    hanoi = make_user(office="01.01")
    scope = user_office_scope(session, hanoi)

    with pytest.raises(CorrectionError, match="no such comment"):
        correct_label(session, hanoi, scope, theirs, "fees", None)

    assert _label(session, theirs)[2] == "model"
    assert session.scalars(select(ThemeCorrection)).all() == []
    page = list_comments(session, scope, CommentQuery(MARCH))
    assert [row.response_id for row in page.rows] == [mine]
    assert _themes(session, scope)["waiting_time"][0] == 1


def test_a_stored_theme_run_no_longer_quotes_a_comment_an_official_moved_to_another_theme(app, session):
    from survey.services.themes.pages import run_themes_for_page, theme_detail
    from survey.services.themes.runs import RunScope, RunSettings, run_themes

    load_catalog()
    texts = [
        *(f"{text} (lần {n})" for n in range(4) for text in WAITING),
        *(f"Cán bộ tiếp nhận nói chuyện cộc lốc, quát nạt người dân (lần {n})" for n in range(12)),
    ]
    for text in texts:
        make_response(rating=1, month="2025-03", comment=text)
    outcome = run_themes(session, RunScope("2025-03", "2025-03"), RunSettings(min_comments=5))
    assert outcome.run is not None, outcome.skipped
    [waiting] = [view for view in run_themes_for_page(session, outcome.run, None) if view.code == "waiting_time"]
    moved = waiting.examples[0]
    admin = make_user(role="admin")

    correct_label(session, admin, None, moved.response_id, "fees", None)

    [waiting] = [view for view in run_themes_for_page(session, outcome.run, None) if view.code == "waiting_time"]
    assert moved.response_id not in [example.response_id for example in waiting.examples]
    detail = theme_detail(session, None, waiting.id)
    assert detail is not None and moved.response_id not in [example.response_id for example in detail.examples]


def test_labels_an_older_model_gave_are_given_again_and_officials_corrections_are_kept(runner, session):
    """After an upgrade the job relabels what the previous model labelled (here: waiting comments it had put under
    fees); an official's correction stays, and a second run has nothing left to do."""
    load_catalog()
    ids = [make_response(rating=2, month="2025-03", comment=text) for text in WAITING]
    label_comments(session, current_model(None))
    session.execute(update(CommentLabel).values(theme="fees", model_version="shipped"))  # the previous release's
    session.commit()
    official = make_user(office="79.00")
    correct_label(session, official, user_office_scope(session, official), ids[2], "staff_attitude", None)
    assert count_stale(session, current_model(None).version) == 2

    result = runner.invoke(args=["classify-comments"])

    assert result.exit_code == 0, result.output
    assert "2 comments labelled again" in result.output
    assert [_label(session, i) for i in ids] == [
        ("waiting_time", None, "model"),
        ("waiting_time", None, "model"),
        ("staff_attitude", None, "official"),
    ]
    assert {session.get(CommentLabel, i).model_version for i in ids[:2]} == {current_model(None).version}
    assert "nothing to do" in runner.invoke(args=["classify-comments"]).output
