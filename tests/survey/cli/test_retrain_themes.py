"""`flask retrain-themes`: learns from officials' corrections, prints both models' held-out metrics side by side,
installs a model that is not worse and refuses one that is (built here from corrections contradicting the corpus)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from analysis.themes import read_corpus, save_model, train
from survey.models import AuditEntry
from survey.services.accounts.scoping import user_office_scope
from survey.services.themes.corrections import correct_label
from survey.services.themes.installed import current_model
from survey.services.themes.retrain import verdict
from tests.factories import load_catalog, make_responses, make_user


def test_the_rule_refuses_only_a_lower_macro_f1_on_the_held_out_split():
    assert verdict({"macro_f1_official": 0.7835}, {"macro_f1_official": 0.7835}) is None
    assert verdict({"macro_f1_official": 0.7835}, {"macro_f1_official": 0.7901}) is None
    reason = verdict({"macro_f1_official": 0.7835}, {"macro_f1_official": 0.7012})
    assert reason is not None and "macro-F1 0.7012 against 0.7835" in reason


def _macro_f1(output: str) -> tuple[float, float]:
    match = re.search(r"macro-F1 \(official themes\)\s+([0-9.]+)\s+([0-9.]+)", output)
    assert match, output
    return float(match.group(1)), float(match.group(2))


def _correct(session, rows: list[dict[str, str]], theme: str) -> None:
    official = make_user(office="79.00")
    scope = user_office_scope(session, official)
    for row in rows:
        [response_id] = make_responses(ratings=[1], month="2025-03", comment=row["text"])
        correct_label(session, official, scope, response_id, theme, None)


@pytest.mark.slow  # trains a classifier: minutes of CPU
def test_a_model_worse_on_the_held_out_split_is_refused_and_nothing_installed(runner, session, tmp_path):
    load_catalog()
    training = [row for row in read_corpus() if row["split"] == "train"]
    # Officials "correct" 200 waiting-time examples of the corpus to fees: the new model learns the contradiction
    # and gets held-out waiting comments wrong.
    _correct(session, [r for r in training if r["theme"] == "waiting_time"][:200], "fees")
    folder = tmp_path / "model"

    result = runner.invoke(args=["retrain-themes", "--out", str(folder)])

    assert result.exit_code == 1, result.output
    before, after = _macro_f1(result.output)
    assert after < before
    assert "Refused: the new model is worse on the shipped held-out split" in result.output
    assert re.search(r"F1 waiting_time\s+[0-9.]+\s+[0-9.]+\s+-0\.\d+", result.output)
    assert not (folder / "model.joblib").exists()
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "themes.retrain"))
    assert entry.details["installed"] is False and entry.details["corrections"] == 200
    assert current_model(folder).version.startswith("shipped:sha256:")


@pytest.mark.slow  # trains a classifier: minutes of CPU
def test_a_model_not_worse_is_installed_and_used_from_the_next_classification(runner, session, tmp_path):
    load_catalog()
    _correct(session, [{"text": "Chờ đợi quá lâu, hẹn 3 ngày mà 2 tuần sau vẫn chưa có kết quả"}], "waiting_time")
    folder = tmp_path / "model"
    # The model in use is a weak one, installed earlier from a tenth of the training lines: a retrain on the whole
    # corpus is surely not worse. (Against the shipped model one correction can move macro-F1 either way by a
    # thousandth, and the rule rightly refuses the lower one: the test above.)
    rows = read_corpus()
    tenth = [row for row in rows if row["split"] == "train"][::10] + [row for row in rows if row["split"] == "test"]
    weak, weak_metrics = train(tenth, definitions=False)
    folder.mkdir()
    save_model(weak, {**weak_metrics, "trained_at": "weak"}, folder)
    assert current_model(folder).version == "retrained:weak"

    result = runner.invoke(args=["retrain-themes", "--out", str(folder)])

    assert result.exit_code == 0, result.output
    before, after = _macro_f1(result.output)
    assert after > before
    assert "1 corrections used" in result.output and (folder / "model.joblib").is_file()
    loaded = current_model(folder)
    assert loaded.version.startswith("retrained:") and loaded.version != "retrained:weak"
    assert loaded.path == folder / "model.joblib"
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "themes.retrain"))
    assert entry.details["installed"] is True and entry.details["corrections"] == 1
