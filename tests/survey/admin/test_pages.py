"""The admin area: only admins get in; accounts, catalog import, API keys, targets, questionnaires, audit log."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from survey.auth.guards import login_required, role_required
from survey.models import ApiKey, AuditEntry, Office, Procedure, Target, User
from survey.services.catalog.questionnaire import active_questionnaire
from tests.factories import PASSWORD, load_catalog, make_user
from tests.pages import csrf_token, login, post_form

ADMIN_PAGES = ("/admin/", "/admin/users", "/admin/users/new", "/admin/catalog", "/admin/api-keys", "/admin/targets",
               "/admin/held", "/admin/questionnaires", "/admin/audit")  # fmt: skip


@pytest.fixture
def admin_client(client, session):
    load_catalog()
    make_user(email="boss@example.gov.vn", role="admin")
    assert login(client, "boss@example.gov.vn").status_code == 302
    return client


def test_every_admin_page_renders_in_vietnamese_with_the_nav(admin_client, client_request, session):
    active_questionnaire(session)
    session.commit()
    for path in ADMIN_PAGES:
        page = client_request.get(path)  # admin_client's session: client_request uses the same client
        text = page.get_text()
        assert page.html["lang"] == "vi" and "Quản trị" in text and "Đăng xuất" in text, path
        assert page.find("script") is None, path
    version = session.scalar(select(func.min(Procedure.id)))  # any id; the questionnaire page is checked below
    assert version is not None
    detail = admin_client.get("/admin/questionnaires/1")
    assert detail.status_code == 200 and "&#34;version&#34;: 1" in detail.get_data(as_text=True)
    assert admin_client.get("/admin/questionnaires/999").status_code == 404


@pytest.mark.parametrize("role", ["official", "researcher"])
def test_officials_and_researchers_cannot_open_admin(client, session, role, backend):
    load_catalog()
    make_user(email="someone@example.gov.vn", role=role, office="79.01" if role == "official" else None)
    login(client, "someone@example.gov.vn")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    assert post_form(client, "/admin/users/1/disable", page="/account/password").status_code == 403
    assert session.get(User, 1).active
    page = client.get("/account/password").get_data(as_text=True)
    assert "/admin/" not in page  # the nav hides what the role may not open


def test_nav_follows_the_role(client, session):
    load_catalog()
    make_user(email="ward@example.gov.vn", role="official", office="79.01")
    login(client, "ward@example.gov.vn")
    page = client.get("/account/password").get_data(as_text=True)
    assert 'href="/admin/"' not in page
    if "research.index" in client.application.view_functions:
        assert re.search(r'href="/research[^"]*"', page) is None


def test_strangers_are_sent_to_sign_in_and_api_paths_get_json_401(app, client):
    app.add_url_rule("/api/v1/probe", "probe", login_required(lambda: "ok"))
    app.add_url_rule("/probe-admin", "probe_admin", role_required("admin")(lambda: "ok"))
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/admin"), path
    assert client.get("/probe-admin?x=1").headers["Location"] == "/login?next=/probe-admin?x%3D1"
    api = client.get("/api/v1/probe")
    assert api.status_code == 401 and api.is_json and api.get_json()["errors"][0]["message"]


def test_admin_creates_an_account_and_sees_the_one_time_password_once(admin_client, session, app):
    bad = post_form(admin_client, "/admin/users/new", {"email": "ward@example.gov.vn", "role": "official"})
    assert bad.status_code == 200 and "Cán bộ hoặc nhân viên nhập phiếu cần thuộc một cơ quan" in bad.get_data(
        as_text=True
    )
    for data, message in [
        ({"email": "không phải email", "role": "admin"}, "ten@example.gov.vn"),
        ({"email": "boss@example.gov.vn", "role": "admin"}, "Đã có tài khoản"),
        ({"email": "x@example.gov.vn", "role": "official", "office_code": "00.99"}, "Không có cơ quan nào"),
        ({"email": "x@example.gov.vn", "role": "admin", "office_code": "79.01"}, "Chỉ cán bộ"),
    ]:
        assert message in post_form(admin_client, "/admin/users/new", data).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 1
    created = post_form(
        admin_client, "/admin/users/new", {"email": " Ward@Example.gov.vn ", "role": "official", "office_code": "79.01"}
    )
    assert created.status_code == 200
    one_time = re.search(r'<p class="once">([^<]+)</p>', created.get_data(as_text=True)).group(1)
    ward = session.scalars(select(User).where(User.email == "ward@example.gov.vn")).one()
    assert ward.must_change_password and ward.office.code == "79.01"
    assert one_time not in admin_client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "ward@example.gov.vn", one_time).headers["Location"] == "/account/password"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).all()[-1]
    assert (entry.actor, entry.target) == ("boss@example.gov.vn", "ward@example.gov.vn")


def test_admin_disables_enables_and_resets(admin_client, session, app):
    ward = make_user(email="ward@example.gov.vn", role="official", office="79.01")
    ward_client = app.test_client()
    login(ward_client, "ward@example.gov.vn")
    assert post_form(admin_client, f"/admin/users/{ward.id}/disable", page="/admin/users").status_code == 302
    assert ward_client.get("/account/password").status_code == 302
    assert login(app.test_client(), "ward@example.gov.vn").status_code == 200  # refused, generic
    post_form(admin_client, f"/admin/users/{ward.id}/enable", page="/admin/users")
    assert login(app.test_client(), "ward@example.gov.vn").status_code == 302
    reset = post_form(admin_client, f"/admin/users/{ward.id}/reset-password", page="/admin/users")
    one_time = re.search(r'<p class="once">([^<]+)</p>', reset.get_data(as_text=True)).group(1)
    assert login(app.test_client(), "ward@example.gov.vn", one_time).headers["Location"] == "/account/password"
    boss = session.scalars(select(User).where(User.email == "boss@example.gov.vn")).one()
    post_form(admin_client, f"/admin/users/{boss.id}/disable", page="/admin/users")
    assert session.get(User, boss.id).active
    assert post_form(admin_client, "/admin/users/999/disable", page="/admin/users").status_code == 404
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "boss@example.gov.vn")))
    assert {"user.disable", "user.enable", "user.reset_password"} <= set(actions)


def upload(client, text, name="catalog.csv"):
    token = csrf_token(client, "/admin/catalog")
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/admin/catalog/import", data=data, content_type="multipart/form-data")


def test_catalog_upload_with_errors_imports_nothing_and_lists_every_error(admin_client, session, backend):
    before = session.scalar(select(func.count()).select_from(Procedure))
    response = upload(
        admin_client,
        "code,name,field,level,valid_from\n"
        "1.999001,Thủ tục mới,Hộ tịch,Cấp xã,01/07/2025\n"
        "bad-code,Thủ tục hỏng,Hộ tịch,Cấp xã,\n"
        "1.999003,Thủ tục khác,Hộ tịch,cấp vũ trụ,32/13/2025\n",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chưa nhập gì: tệp có 3 lỗi" in page
    for line in ('<td class="number">3</td>', '<td class="number">4</td>'):
        assert line in page
    assert session.scalar(select(func.count()).select_from(Procedure)) == before


def test_catalog_upload_imports_and_is_audited(admin_client, session):
    response = upload(admin_client, "code,name,field,level\n1.999001,Thủ tục mới,Hộ tịch,Cấp xã\n")
    assert response.status_code == 302
    assert session.scalar(select(Procedure.name).where(Procedure.code == "1.999001")) == "Thủ tục mới"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.import")).one()
    assert entry.details["created"] == 1 and entry.actor == "boss@example.gov.vn"
    assert "Đã nhập danh sách thủ tục: 1 mới" in admin_client.get("/admin/catalog").get_data(as_text=True)


def test_catalog_upload_needs_a_file_and_a_token(admin_client, session):
    assert upload(admin_client, "", name="").status_code == 400
    no_token = admin_client.post(
        "/admin/catalog/import", data={"file": (io.BytesIO(b"code\n"), "x.csv")}, content_type="multipart/form-data"
    )
    assert no_token.status_code == 400
    assert (
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "catalog.import")) == 0
    )


def test_office_tree_is_listed_parent_first(admin_client, session):
    page = admin_client.get("/admin/catalog").get_data(as_text=True)
    province, ward = session.get(Office, 1), None
    ward = session.scalars(select(Office).where(Office.code == "79.01")).one()
    assert page.index(f"<td>{ward.parent.code}</td>") < page.index(f"<td>{ward.code}</td>")
    assert province is not None


def test_api_key_created_in_the_ui_works_until_revoked(admin_client, session, app):
    bad = post_form(admin_client, "/admin/api-keys", {"name": "", "office_code": "00.99"}, page="/admin/api-keys")
    assert bad.status_code == 400 and session.scalar(select(func.count()).select_from(ApiKey)) == 0
    created = post_form(admin_client, "/admin/api-keys", {"name": "Một cửa phường 1", "office_code": "79.01"})
    raw_key = re.search(r'<p class="once">([^<]+)</p>', created.get_data(as_text=True)).group(1)
    key = session.scalars(select(ApiKey)).one()
    assert key.office.code == "79.01" and raw_key not in admin_client.get("/admin/api-keys").get_data(as_text=True)
    system = app.test_client()
    bearer = {"Authorization": f"Bearer {raw_key}"}
    assert system.get("/api/v1/summary", headers=bearer).status_code == 200
    assert post_form(admin_client, f"/admin/api-keys/{key.id}/revoke", page="/admin/api-keys").status_code == 302
    assert system.get("/api/v1/summary", headers=bearer).status_code == 401
    assert {"api_key.create", "api_key.revoke"} <= set(session.scalars(select(AuditEntry.action)))


def test_targets_are_set_and_cleared_through_the_ui(admin_client, session):
    for data, message in [
        ({"percentage": "90"}, "Vui lòng nhập mã thủ tục, mã cơ quan hoặc cả hai"),
        ({"procedure_code": "1.001193", "percentage": "100"}, "lớn hơn 0 và nhỏ hơn 100"),
        ({"procedure_code": "1.001193", "percentage": "chín mươi"}, "lớn hơn 0 và nhỏ hơn 100"),
        ({"procedure_code": "9.999999", "percentage": "90"}, "Không có thủ tục nào mang mã 9.999999"),
    ]:
        response = post_form(admin_client, "/admin/targets", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    assert session.scalar(select(func.count()).select_from(Target)) == 0
    saved = post_form(admin_client, "/admin/targets", {"procedure_code": "1.001193", "office_code": "79.01",
                                                       "percentage": "92,5"})  # fmt: skip
    assert saved.status_code == 302
    target = session.scalars(select(Target)).one()
    assert target.target == pytest.approx(0.925)
    assert "92,5 %" in admin_client.get("/admin/targets").get_data(as_text=True)
    post_form(admin_client, f"/admin/targets/{target.id}/clear", page="/admin/targets")
    assert session.scalar(select(func.count()).select_from(Target)) == 0
    logged = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
    assert [action for action in logged if action.startswith("target.")] == ["target.set", "target.clear"]


def test_audit_log_filters_and_pages(admin_client, session, backend):
    from datetime import UTC, datetime

    from survey.services import audit

    for number in range(60):
        audit.record(session, actor=f"user{number % 3}@example.gov.vn", action="export.download", target=str(number))
    old = audit.record(session, actor="old@example.gov.vn", action="user.create", target="old")
    session.flush()
    old.at = datetime(2024, 1, 15, 3, 0, tzinfo=UTC)
    session.commit()
    page = admin_client.get("/admin/audit?action=export.download").get_data(as_text=True)
    assert "60 mục, trang 1/2" in page and "old@example.gov.vn" not in page
    second = admin_client.get("/admin/audit?action=export.download&page=2").get_data(as_text=True)
    assert "trang 2/2" in second and 'rel="prev"' in second
    by_actor = admin_client.get("/admin/audit?actor=USER1@").get_data(as_text=True)
    assert "20 mục" in by_actor
    by_day = admin_client.get("/admin/audit?date_from=15/01/2024&date_to=2024-01-15").get_data(as_text=True)
    assert "1 mục" in by_day and "old@example.gov.vn" in by_day and "2024-01-15 10:00:00" in by_day
    assert "0 mục" in admin_client.get("/admin/audit?date_from=2024-01-16&date_to=2024-01-31").get_data(as_text=True)
    wrong = admin_client.get("/admin/audit?date_from=hôm qua")
    assert wrong.status_code == 400 and "2025-07-01" in wrong.get_data(as_text=True)
    login_entries = admin_client.get("/admin/audit?action=login").get_data(as_text=True)
    assert "boss@example.gov.vn" in login_entries


def test_admin_nav_lists_every_area_that_exists(admin_client, app):
    page = admin_client.get("/admin/").get_data(as_text=True)
    for endpoint, path in (("dashboard.overview", "/dashboard"), ("research.index", "/research")):
        if endpoint in app.view_functions:
            assert f'href="{path}' in page


def test_password_hashes_never_reach_the_pages(admin_client, session):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "$argon2" not in page and PASSWORD not in page
