"""The paper pages through the test client: printed sheets as an official reads them, keying in as a clerk
does it, and a clerk kept to that one page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.models import AuditEntry, Invitation, InvitationRollup, Response, User
from survey.models_contacts import CallbackContact
from survey.models_paper import PaperPrint, PaperSheet
from survey.services.paper import codes
from tests.factories import PASSWORD, PROCEDURE, load_catalog, make_user
from tests.pages import csrf_token, login, sign_in

SHEET_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


@pytest.fixture
def catalog(app):
    load_catalog()


def print_page(client_request, office="79.01", status=200, **query):
    return client_request.get(f"/paper/{office}", status, procedure=query.pop("procedure", PROCEDURE), **query)


def printed_codes(page) -> list[str]:
    return [tag.get_text(strip=True) for tag in page.select(".sheet .code")]


def key_in(client, code, **answers):
    data = {"code": code, "rating": "4", **answers, "csrf_token": csrf_token(client, "/paper/entry")}
    page = client.get("/paper/entry").get_data(as_text=True)
    data["submission_key"] = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/paper/entry", data=data)


def response_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Response)) or 0


def test_an_official_prints_a4_sheets_with_codes_questions_and_qr_codes(client, client_request, session, catalog):
    official = make_user(role="official", office="79.00")
    sign_in(client, official)
    page = print_page(client_request, sheets=3)
    sheets = page.select("section.sheet")
    assert len(sheets) == 3 and not page.find_all("script")
    shown = printed_codes(page)
    assert all(SHEET_CODE.match(code) and codes.problem(codes.normalise(code)) is None for code in shown)
    assert len(set(shown)) == 3
    first = sheets[0].get_text(" ", strip=True)
    assert "Đăng ký khai sinh" in first and "Trung tâm Phục vụ hành chính công phường Bến Thành" in first
    assert "Nhìn chung, ông/bà hài lòng thế nào với việc giải quyết thủ tục này?" in first
    assert "1 Sớm hơn hẹn" in first and "3 Trễ hẹn" in first and "7 65 trở lên" in first
    assert len(sheets[0].select(".grid tbody tr")) == 6 and len(sheets[0].select(".grid .box")) == 30
    assert sheets[0].select_one(".comment-box") is not None
    qr = sheets[0].select_one(".sheet-code img")
    assert qr["src"].startswith("data:image/svg+xml;base64,") and qr["alt"]
    stylesheet = client.get(page.find("link", href=re.compile("paper.css"))["href"])
    css = stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert "@page{size:A4" in css and "break-after:page" in css and "font-size:12pt" in css
    stored = session.scalars(select(PaperSheet.code)).all()
    assert sorted(stored) == sorted(codes.normalise(code) for code in shown)
    printing = session.scalars(select(PaperPrint)).one()
    assert (printing.user_id, printing.sheets) == (official.id, 3)
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == official.id)).all() == ["paper.print"]
    issued = session.scalar(select(InvitationRollup.issued).where(InvitationRollup.channel == "paper"))
    assert issued == 3
    english = print_page(client_request, lang="en")
    assert "Overall, how satisfied are you" in english.get_text() and "Sheet code" in english.get_text()


def test_who_may_print_and_what_is_refused(client, client_request, session, catalog):
    assert client.get(f"/paper/79.01?procedure={PROCEDURE}").status_code == 302  # to the sign-in page
    for role, office in (("clerk", "79.01"), ("researcher", None), ("official", "01.00")):
        sign_in(client, make_user(role=role, office=office))
        assert client.get(f"/paper/79.01?procedure={PROCEDURE}").status_code == 403, role
    sign_in(client, make_user(role="admin"))
    assert "Không có cơ quan" in print_page(client_request, office="99.99", status=404).get_text()
    assert "không giải quyết thủ tục" in print_page(client_request, status=404, procedure="9.999999").get_text()
    for sheets in ("0", "201", "ba", "²"):  # "²" passes str.isdigit, int() refuses it
        assert "Chọn từ 1 đến 200 phiếu" in print_page(client_request, status=400, sheets=sheets).get_text()
    assert "không phải là mã hồ sơ" in print_page(client_request, status=400, dossier="?!").get_text()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_sheet_keyed_in_stores_one_paper_response_and_a_second_entry_is_refused(client, client_request,
                                                                                   session, catalog):  # fmt: skip
    sign_in(client, make_user(role="admin"))
    code = printed_codes(print_page(client_request))[0]
    sign_in(client, make_user(role="clerk", office="79.01"))
    entry = client_request.get("/paper/entry")
    assert entry.find("input", id="code").has_attr("autofocus")
    order = [tag["name"] for tag in entry.select("form[method=post] input:not([type=hidden]), form textarea")]
    assert order == ["code", "rating", "element_access", "element_procedure", "element_staff", "element_result",
                     "element_feedback", "on_time", "returns", "agencies", "extra_payment", "service_mode",
                     "comment", "callback_contact", "age_band", "sex"]  # fmt: skip
    stored = key_in(client, code.lower(), rating="2", element_staff="1", on_time="3", returns="1", agencies="2",
                    extra_payment="2", service_mode="1", comment="Chờ lâu, gọi 0912 345 678", age_band="7",
                    sex="1")  # fmt: skip
    assert (stored.status_code, stored.headers["Location"]) == (303, "/paper/entry")
    response = session.scalars(select(Response)).one()
    assert (response.channel, response.verified, response.rating, response.element_staff) == ("paper", False, 2, 1)
    assert (response.on_time, response.returns, response.agencies) == ("late", 0, 2)
    assert (response.extra_payment, response.service_mode, response.age_band, response.sex) == (
        "yes", "in_person", "65_plus", "female")  # fmt: skip
    assert response.comment == "Chờ lâu, gọi [SĐT]"
    after = client_request.get("/paper/entry")
    assert f"Đã lưu phiếu {code}." in after.get_text()
    assert "Số phiếu đã nhập trong đợt này: 1" in after.get_text()
    assert after.find("input", id="code")["value"] == ""  # empty for the next sheet
    again = key_in(client, code, rating="5")
    assert again.status_code == 400
    assert "Phiếu này đã được trả lời" in again.get_data(as_text=True)
    assert response_count(session) == 1


def test_mistakes_are_explained_next_to_the_box_and_what_was_typed_stays(client, client_request, session, catalog):
    sign_in(client, make_user(role="official", office="79.01"))
    code = codes.normalise(printed_codes(print_page(client_request))[0])
    typo = code[:5] + ("2" if code[5] != "2" else "3") + code[6:]
    refused = key_in(client, typo, rating="4", element_access="6", comment="Cán bộ nhiệt tình")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "có một ký tự gõ sai hoặc hai ký tự bị đảo chỗ" in html
    assert "Nhập một chữ số từ 1 đến 5" in html
    assert (
        f'value="{typo}"' in html
        and "Cán bộ nhiệt tình" in html
        and 'name="rating" required size="2" type="text" value="4"' in html
    )
    missing = key_in(client, code, rating="")
    assert "Vui lòng nhập mức hài lòng chung" in missing.get_data(as_text=True)
    assert response_count(session) == 0


def test_undo_takes_back_exactly_the_last_sheet_and_frees_its_code(client, client_request, session, catalog):
    sign_in(client, make_user(role="official", office="79.01"))
    first, second = printed_codes(print_page(client_request, sheets=2))
    key_in(client, first, rating="5")
    key_in(client, second, rating="1")
    assert "Số phiếu đã nhập trong đợt này: 2" in client_request.get("/paper/entry").get_text()
    undone = client.post("/paper/entry/undo", data={"csrf_token": csrf_token(client, "/paper/entry")})
    assert undone.status_code == 303
    page = client_request.get("/paper/entry").get_text()
    assert f"Đã hủy phiếu {second} vừa nhập" in page and "Số phiếu đã nhập trong đợt này: 1" in page
    assert session.scalars(select(Response.rating)).all() == [5]
    assert session.scalar(select(InvitationRollup.answered)) == 1
    assert key_in(client, second, rating="3").status_code == 303
    assert sorted(session.scalars(select(Response.rating)).all()) == [3, 5]


def test_a_clerk_may_key_in_sheets_and_nothing_else(client, client_request, session, catalog):
    make_user(email="clerk@example.gov.vn", role="clerk", office="79.01")
    assert login(client, "clerk@example.gov.vn", PASSWORD).headers["Location"] == "/paper/entry"
    for path in ("/dashboard/", "/dashboard/themes", "/admin/", "/research", "/account/alerts", "/dashboard/coverage"):
        assert client.get(path).status_code == 403, path
    summary = client.get("/api/v1/summary")
    assert summary.status_code == 403 and summary.json["errors"][0]["message"]
    nav = client_request.get("/paper/entry").select_one("nav.officials-nav").get_text(" ", strip=True)
    assert "Phiếu giấy" in nav and "Bảng điều khiển" not in nav
    assert client.get("/results").status_code == 200  # the public pages stay open
    sign_in(client, make_user(role="admin"))
    elsewhere = printed_codes(print_page(client_request, office="01.01"))[0]
    sign_in(client, session.scalars(select(User).where(User.email == "clerk@example.gov.vn")).one())
    refused = key_in(client, elsewhere)
    assert refused.status_code == 400 and "thuộc cơ quan mà tài khoản của bạn không được nhập phiếu" in refused.text
    assert response_count(session) == 0


def test_a_dossier_sheet_is_verified_and_a_plain_sheet_answered_online_is_not(client, client_request, session,
                                                                               catalog):  # fmt: skip
    sign_in(client, make_user(role="official", office="79.01"))
    dossier = print_page(client_request, dossier="000.00.31.H56-250115-0042", sheets="1")
    assert len(dossier.select("section.sheet")) == 1
    assert key_in(client, printed_codes(dossier)[0], rating="5").status_code == 303
    plain = print_page(client_request)
    token = session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    from survey.services.responses.invitations import sign_token

    online = f"/s/{sign_token(client.application.config['SECRET_KEY'], token.token_id)}"
    form = client.get(online).get_data(as_text=True)
    assert "Đăng ký khai sinh" in form
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert client.post(online, data={**hidden, "rating": "2"}).status_code == 303
    rows = session.execute(select(Response.channel, Response.verified).order_by(Response.id)).all()
    assert [tuple(row) for row in rows] == [("paper", True), ("qr", False)]
    refused = key_in(client, printed_codes(plain)[0], rating="5")
    assert refused.status_code == 400 and "Phiếu này đã được trả lời" in refused.text


def test_an_admin_creates_a_clerk_bound_to_an_office(client, session, catalog):
    sign_in(client, make_user(role="admin"))
    data = {"email": "nhapphieu@example.gov.vn", "role": "clerk", "office_code": "79.01",
            "csrf_token": csrf_token(client, "/admin/users/new")}  # fmt: skip
    assert client.post("/admin/users/new", data=data).status_code in (200, 303)
    clerk = session.scalars(select(User).where(User.email == "nhapphieu@example.gov.vn")).one()
    assert (clerk.role, clerk.office.code) == ("clerk", "79.01")
    without = client.post("/admin/users/new", data={**data, "email": "b@example.gov.vn", "office_code": ""})
    assert "cần thuộc một cơ quan" in without.get_data(as_text=True)


def test_the_entry_page_offers_officials_a_print_form(client, client_request, catalog):
    sign_in(client, make_user(role="official", office="79.01"))
    form = client_request.get("/paper/entry").select_one("form[action='/paper/print']")
    assert form.find("input", attrs={"name": "office"})["value"] == "79.01"
    asked = client.get("/paper/print?office=79.01&procedure=1.001193&sheets=5&dossier=")
    assert asked.headers["Location"] == "/paper/79.01?procedure=1.001193&sheets=5"
    for_dossier = client.get("/paper/print?office=79.01&procedure=1.001193&sheets=20&dossier=000.00.31.H56-250115-0042")
    assert for_dossier.headers["Location"] == "/paper/79.01?procedure=1.001193&dossier=000.00.31.H56-250115-0042"
    sign_in(client, make_user(role="clerk", office="79.01"))
    assert client_request.get("/paper/entry").select_one("form[action='/paper/print']") is None
    assert client.get("/paper/print?office=79.01").status_code == 403


def test_a_keyed_sheet_cannot_be_erased_through_its_qr_code(client, client_request, session, catalog):
    from survey.services.responses.invitations import sign_token

    sign_in(client, make_user(role="official", office="79.01"))
    keyed, online = printed_codes(print_page(client_request, sheets=2))
    key_in(client, keyed, rating="1")
    secret = client.application.config["SECRET_KEY"]
    sheets = select(PaperSheet.code, Invitation.token_id).join(Invitation, Invitation.id == PaperSheet.invitation_id)
    links = {code: f"/s/{sign_token(secret, token_id)}" for code, token_id in session.execute(sheets)}
    page = client_request.get(f"{links[codes.normalise(keyed)]}/erase", 400)
    assert "Phiếu đã được trả lời trên giấy" in page.get_text() and page.find("form", method="post") is None
    assert response_count(session) == 1
    form = client.get(links[codes.normalise(online)]).get_data(as_text=True)  # the citizen answers online instead
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    client.post(links[codes.normalise(online)], data={**hidden, "rating": "5"})
    assert client.get(f"{links[codes.normalise(online)]}/erase").status_code == 200  # theirs to erase


def test_a_ticked_call_back_box_keyed_in_leaves_a_contact_for_that_office_only(client, client_request, session,
                                                                               catalog):  # fmt: skip
    sign_in(client, make_user(role="admin"))
    sheet = print_page(client_request, sheets=2)
    assert sheet.get_text().count("Tôi muốn được liên hệ lại") == 2  # the box is on every printed sheet
    first, second = printed_codes(sheet)[:2]
    sign_in(client, make_user(role="clerk", office="79.01"))
    refused = key_in(client, first, rating="2", callback_contact="gọi tôi nhé")
    assert refused.status_code == 400
    assert "Nhập số di động" in refused.get_data(as_text=True)
    assert response_count(session) == 0  # nothing stored; the clerk corrects the contact and sends again
    assert (
        key_in(client, first, rating="2", comment="Mong được gọi lại", callback_contact="0912 345 678").status_code
        == 303
    )
    assert key_in(client, second, rating="5").status_code == 303  # no box ticked: no contact
    contact = session.scalars(select(CallbackContact)).one()
    response = session.get(Response, contact.response_id)
    assert (contact.contact, contact.channel, contact.status) == ("+84912345678", "paper", "open")
    assert contact.office_id == response.office_id and response.channel == "paper"
    assert "0912" not in (response.comment or "")  # the contact is never part of the answer
