"""Catalog imports: good files upsert by code; a file with any bad line imports nothing and says why."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from survey.models import Office, OfficeProcedure, Procedure
from survey.services.catalog.imports import CatalogImportError, import_catalog_file, load_starter_catalog

STARTER_CODES = {
    "1.001193", "1.000894", "1.000656", "1.004884", "1.000689", "2.000806", "1.004873", "1.000881", "2.000635",
    "2.000815", "2.000884", "1.004222", "1.004194", "1.002755", "1.003197", "1.010028", "3.000346", "3.000347",
    "3.000348", "1.001612", "2.000720", "1.013225", "1.014748", "1.001613",
}  # fmt: skip


def write(tmp_path, text, name="catalog.csv", encoding="utf-8"):
    path = tmp_path / name
    if encoding == "cp1258":  # Windows-1258 has base letters like ă, ơ and writes tone marks as combining ones
        path.write_bytes(b"".join(_cp1258(char) for char in text))
    else:
        path.write_bytes(text.encode(encoding))
    return path


def _cp1258(char):
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        base, *marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in "\u0306\u031b\u0302"))
        return base.encode("cp1258") + "".join(m for m in marks if m not in "\u0306\u031b\u0302").encode("cp1258")


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_starter_catalog_has_every_domain_procedure(session, backend):
    load_starter_catalog(session, demo_offices=True)
    procedures = {p.code: p for p in session.scalars(select(Procedure))}
    assert set(procedures) == STARTER_CODES
    assert procedures["1.001193"].name == "Đăng ký khai sinh"
    assert procedures["1.004222"].field == "Đăng ký, quản lý cư trú"
    offices = {o.code: o for o in session.scalars(select(Office))}
    provinces = {o.province_code for o in offices.values()}
    assert len(provinces) >= 3
    ward = offices["79.01"]
    assert ward.parent is not None and ward.parent.code == "79.00"
    assert ward.path.startswith(offices["79.00"].path) and ward.path != offices["79.00"].path
    assert count(session, OfficeProcedure) > 0


def test_import_procedures_creates_then_updates(session, tmp_path):
    first = write(tmp_path, "code,name,field,level,valid_from\n1.001193,Đăng ký khai sinh,Hộ tịch,Cấp xã,01/07/2025\n")
    result = import_catalog_file(session, first)
    assert (result.kind, result.created, result.updated) == ("procedures", 1, 0)
    again = write(
        tmp_path,
        "code,name,field,level,valid_from\n1.001193,Đăng ký khai sinh (mới),Hộ tịch,commune,2025-08-01\n",
    )
    result = import_catalog_file(session, again)
    assert (result.created, result.updated) == (0, 1)
    procedure = session.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    assert procedure.name == "Đăng ký khai sinh (mới)"
    assert procedure.valid_from.isoformat() == "2025-08-01"


def test_names_typed_in_decomposed_unicode_are_stored_nfc(session, tmp_path):
    name = unicodedata.normalize("NFD", "Chứng thực chữ ký")
    import_catalog_file(session, write(tmp_path, f"code,name,field,level\n2.000884,{name},Chứng thực,commune\n"))
    stored = session.scalar(select(Procedure.name))
    assert stored == "Chứng thực chữ ký" and unicodedata.is_normalized("NFC", stored)


def test_every_bad_line_is_reported_and_nothing_is_imported(session, tmp_path):
    path = write(
        tmp_path,
        "code,name,field,level,valid_from\n"
        "1.001193,Đăng ký khai sinh,Hộ tịch,commune,\n"
        "1001193,Sai mã,Hộ tịch,commune,\n"
        "1.000894,,Hộ tịch,commune,\n"
        "1.000656,Đăng ký khai tử,Hộ tịch,huyện,\n"
        "1.001193,Trùng mã,Hộ tịch,commune,\n"
        "1.004884,Đăng ký lại khai sinh,Hộ tịch,commune,31/02/2025\n"
        "1.004873,Thiếu cột,Hộ tịch\n",
    )
    with pytest.raises(CatalogImportError) as caught:
        import_catalog_file(session, path)
    problems = {(e.line, e.field) for e in caught.value.errors}
    assert problems == {(3, "code"), (4, "name"), (5, "level"), (6, "code"), (7, "valid_from"), (8, "line")}
    assert count(session, Procedure) == 0


def test_offices_need_known_provinces_parents_and_procedures(session, tmp_path):
    load_starter_catalog(session)
    path = write(
        tmp_path,
        "code,name,level,province_code,parent_code,procedure_codes\n"
        "38.00,Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa,province,38,,\n"
        "38.01,Trung tâm Phục vụ hành chính công phường Hạc Thành,commune,38,38.00,1.001193;2.000815\n"
        "99.01,Tỉnh không tồn tại,commune,99,,\n"
        "38.02,Cha không tồn tại,commune,38,38.99,\n"
        "38.03,Thủ tục lạ,commune,38,38.00,9.999999\n",
    )
    with pytest.raises(CatalogImportError) as caught:
        import_catalog_file(session, path)
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (4, "province_code"), (5, "parent_code"), (6, "procedure_codes"),
    }  # fmt: skip
    assert count(session, Office) == 0


def test_office_tree_cannot_become_circular(session, tmp_path):
    path = write(
        tmp_path,
        "code,name,level,province_code,parent_code\nA,Văn phòng A,province,01,B\nB,Văn phòng B,province,01,A\n",
    )
    with pytest.raises(CatalogImportError, match="circular"):
        import_catalog_file(session, path)


def test_offices_import_links_procedures_and_paths(session, tmp_path):
    load_starter_catalog(session)
    path = write(
        tmp_path,
        "code,name,level,province_code,parent_code,procedure_codes\n"
        "38.01,Trung tâm Phục vụ hành chính công phường Hạc Thành,commune,38,38.00,1.001193;2.000815\n"
        "38.00,Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa,province,38,,\n",
    )
    result = import_catalog_file(session, path)
    assert result.created == 2
    child = session.scalar(select(Office).where(Office.code == "38.01"))
    assert child.parent.code == "38.00"
    assert child.path == f"/{child.parent.id}/{child.id}/"
    linked = session.scalars(select(OfficeProcedure.procedure_id).where(OfficeProcedure.office_id == child.id)).all()
    assert len(linked) == 2


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("code,name,field,level\n1.001193,Đăng ký khai sinh,Hộ tịch,commune\n", "cp1258", "not UTF-8"),
        ("", "utf-8", "empty"),
        ("code,name\n1.001193,Đăng ký khai sinh\n", "utf-8", "cannot tell"),
        (
            'code,name,field,level\n1.001193,"Đăng ký khai sinh,Hộ tịch,commune\n',
            "utf-8",
            "fields where the header",
        ),
    ],
)
def test_unreadable_files_are_refused(session, tmp_path, content, encoding, message):
    with pytest.raises(CatalogImportError, match=message):
        import_catalog_file(session, write(tmp_path, content, encoding=encoding))
    assert count(session, Procedure) == 0


def test_import_catalog_command(runner, session, tmp_path):
    good = write(tmp_path, "code,name,field,level\n1.001193,Đăng ký khai sinh,Hộ tịch,commune\n")
    result = runner.invoke(args=["import-catalog", str(good)])
    assert result.exit_code == 0, result.output
    assert "procedures: 1 created, 0 updated" in result.output
    bad = write(tmp_path, "code,name,field,level\nxyz,Sai,Hộ tịch,commune\n", name="bad.csv")
    result = runner.invoke(args=["import-catalog", str(bad)])
    assert result.exit_code == 1
    assert "line 2, code" in result.output and "nothing imported" in result.output
    result = runner.invoke(args=["import-catalog", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1 and "cannot read" in result.output
    result = runner.invoke(args=["import-catalog"])
    assert result.exit_code == 2
    result = runner.invoke(args=["import-catalog", "--starter"])
    assert result.exit_code == 0 and "23 created, 1 updated" in result.output
