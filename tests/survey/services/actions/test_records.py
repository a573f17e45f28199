"""Actions: the before/after effect equals a hand count; an official sees and edits only their offices' actions;
every creation and change is in the audit log; publishing adds an `action.published` event."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from sqlalchemy import select

from survey.models import AuditEntry
from survey.models_actions import WebhookEvent
from survey.services.accounts.scoping import user_office_scope
from survey.services.actions.effect import action_effect, effect_windows
from survey.services.actions.records import ActionError, create_action, list_actions, update_action, visible_action
from survey.services.reporting.summary import Settings
from survey.services.webhooks.endpoints import register_endpoint
from tests.factories import make_user
from tests.survey.datasets.actions import actions_data, done_action, waiting_theme

SETTINGS = Settings(default_target=0.9, min_n=30)


def scope_of(session, office: str):
    return user_office_scope(session, make_user(office=office))


def create(session, scope, data):
    return create_action(session, scope, data, actor="canbo@example.gov.vn", user_id=None)


def test_the_effect_is_the_hand_count_before_and_after_the_month_of_the_action(catalog, backend):
    session = catalog
    actions_data()
    scope = scope_of(session, "79.01")
    action = create(session, scope, done_action())
    effect = action_effect(session, scope, action, settings=SETTINGS, today=date(2025, 11, 2))
    assert effect is not None and effect.complete
    assert effect.windows == effect_windows(date(2025, 5, 15))
    assert (effect.windows.before_from, effect.windows.before_to) == ("2025-02", "2025-04")
    assert (effect.windows.after_from, effect.windows.after_to) == ("2025-06", "2025-08")
    assert (effect.before["n"], effect.before["satisfied"]) == (50, 26)  # 12 + 10 + 4 of 20 + 20 + 10
    assert (effect.after["n"], effect.after["satisfied"]) == (50, 44)  # 18 + 17 + 9
    assert effect.before["share"] == pytest.approx(0.52) and effect.after["share"] == pytest.approx(0.88)
    # Wilson 95 %: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
    assert (effect.before["ci_low"], effect.before["ci_high"]) == pytest.approx((0.3851, 0.6520), abs=1e-4)
    assert (effect.after["ci_low"], effect.after["ci_high"]) == pytest.approx((0.7620, 0.9438), abs=1e-4)
    assert (effect.before["status"], effect.after["status"]) == ("not_met", "cant_tell")
    # pooled p = 70/100; z = 0.36 / sqrt(0.7·0.3·(1/50 + 1/50)) = 3.928; p = erfc(z/√2) = 8.6e-5
    assert effect.test["difference"] == pytest.approx(0.36)
    assert effect.test["z"] == pytest.approx(3.9279, abs=1e-4)
    assert effect.test["p_value"] == pytest.approx(8.568e-5, rel=1e-3) and effect.test["significant"]


def test_the_effect_is_provisional_until_the_months_after_have_ended(catalog):
    session = catalog
    actions_data()
    action = create(session, None, done_action())
    assert not action_effect(session, None, action, settings=SETTINGS, today=date(2025, 8, 20)).complete
    planned = create(session, None, dataclasses.replace(done_action(), status="planned", done_on=None))
    assert action_effect(session, None, planned, settings=SETTINGS, today=date(2025, 8, 20)) is None


def test_an_official_sees_and_edits_only_their_offices_actions(catalog, backend):
    session = catalog
    actions_data()
    ben_thanh, hoan_kiem, province = scope_of(session, "79.01"), scope_of(session, "01.01"), scope_of(session, "79.00")
    ours = create(session, ben_thanh, done_action())
    theirs = create(session, hoan_kiem, dataclasses.replace(done_action(office="01.01"), status="planned"))
    assert [a.id for a in list_actions(session, ben_thanh)] == [ours.id]
    assert [a.id for a in list_actions(session, hoan_kiem)] == [theirs.id]
    assert [a.id for a in list_actions(session, province)] == [ours.id]  # the province sees its wards
    assert {a.id for a in list_actions(session, None)} == {ours.id, theirs.id}  # admins see all
    assert visible_action(session, hoan_kiem, ours.id) is None
    changed = dataclasses.replace(done_action(office="01.01"), change="Đổi sang ý khác")
    assert update_action(session, hoan_kiem, ours.id, changed, actor="x", user_id=None) is None
    with pytest.raises(ActionError) as refused:
        create(session, hoan_kiem, done_action(office="79.01"))
    assert refused.value.code == "office"
    with pytest.raises(ActionError) as moved:  # nor move one's own action to an office outside the scope
        update_action(session, hoan_kiem, theirs.id, done_action(office="79.01"), actor="x", user_id=None)
    assert moved.value.code == "office"
    session.refresh(ours)
    assert ours.change == "Mở thêm một quầy tiếp nhận khai sinh vào buổi sáng"


def test_a_theme_of_another_office_cannot_be_answered(catalog):
    session = catalog
    actions_data()
    theme = waiting_theme("79.01")
    with pytest.raises(ActionError) as refused:
        create(session, scope_of(session, "01.01"), done_action(office="01.01", theme_id=theme.id))
    assert refused.value.code == "theme"
    assert create(session, scope_of(session, "79.01"), done_action(theme_id=theme.id)).theme_id == theme.id


def test_filters_overdue_and_status(catalog):
    session = catalog
    actions_data()
    late = create(session, None, dataclasses.replace(done_action(), status="in_progress", done_on=None))
    create(session, None, done_action())
    on_time = create(session, None, dataclasses.replace(done_action(), status="planned", due_on=date(2025, 9, 1)))
    today = date(2025, 6, 1)
    assert [a.id for a in list_actions(session, None, overdue=True, today=today)] == [late.id]
    assert [a.id for a in list_actions(session, None, status="planned", today=today)] == [on_time.id]


def test_only_a_done_action_can_be_public(catalog):
    session = catalog
    actions_data()
    with pytest.raises(ActionError) as refused:
        create(session, None, dataclasses.replace(done_action(), status="in_progress", public=True))
    assert refused.value.code == "public"
    with pytest.raises(ActionError) as undated:
        create(session, None, dataclasses.replace(done_action(), done_on=None))
    assert undated.value.code == "done_on"


def test_every_creation_and_change_is_audited_and_publishing_is_an_event(catalog):
    session = catalog
    actions_data()
    register_endpoint(session, url="https://portal.example.gov.vn/hook", events=["action.published"],
                      actor="admin@example.gov.vn", user_id=None, allow_local_http=False)  # fmt: skip
    scope = scope_of(session, "79.01")
    action = create(session, scope, dataclasses.replace(done_action(), status="in_progress", done_on=None))
    assert session.scalars(select(WebhookEvent)).all() == []
    update_action(session, scope, action.id, done_action(public=True), actor="truong@example.gov.vn", user_id=None)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.target == f"action:{action.id}")
                              .order_by(AuditEntry.id)).all()  # fmt: skip
    assert [(e.action, e.actor) for e in entries] == [
        ("action.create", "canbo@example.gov.vn"), ("action.update", "truong@example.gov.vn")
    ]  # fmt: skip
    assert entries[1].details == {"status": ["in_progress", "done"], "done_on": [None, "2025-05-15"],
                                  "public": [False, True]}  # fmt: skip
    event = session.scalars(select(WebhookEvent)).one()
    body = json.loads(event.body)
    assert body["type"] == "action.published" and body["data"]["action_id"] == action.id
    assert (body["data"]["office_code"], body["data"]["procedure_code"], body["data"]["done_on"]) == (
        "79.01", "1.001193", "2025-05-15"
    )  # fmt: skip
    assert "quầy" not in event.body  # ids, codes and times only
