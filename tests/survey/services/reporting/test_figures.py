"""`import-figures`: one-stop-system figures per office, procedure and month; all or nothing, every bad line
reported; the figures complete the QĐ 766 rate and the TT 01/2018 band on the dashboard."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.models import OfficeFigures
from survey.services.reporting.detail import detail
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from tests.factories import load_catalog, make_responses, make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import office, procedure, standard_data

HEADER = (
    "office_code,procedure_code,month,dossiers_handled,dossiers_overdue,dossiers_complained,"
    "indicator_2,indicator_5,indicator_6,indicator_8,indicator_9\n"
)


def write(tmp_path, text: str, name: str = "figures.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_file_is_imported_and_a_second_import_updates(runner, session, tmp_path, backend):
    load_catalog()
    path = write(tmp_path, HEADER + "79.01,,2025-03,200,4,1,2,1.5,2,2,1\n79.01,1.001193,03/2025,80,1,0,,,,,\n")
    result = runner.invoke(args=["import-figures", path])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    rows = session.scalars(select(OfficeFigures).order_by(OfficeFigures.id)).all()
    assert [(r.procedure_id, r.month, r.dossiers_handled, r.indicator_5) for r in rows] == [
        (None, "2025-03", 200, 1.5),
        (procedure(session, "1.001193").id, "2025-03", 80, None),
    ]
    again = runner.invoke(args=["import-figures", write(tmp_path, HEADER + "79.01,,2025-03,210,4,1,2,1,2,2,1\n")])
    assert again.exit_code == 0 and "1 updated" in again.output
    assert session.scalar(select(func.count()).select_from(OfficeFigures)) == 2
    session.expire_all()
    assert (
        session.scalars(select(OfficeFigures.dossiers_handled).where(OfficeFigures.procedure_id.is_(None))).one() == 210
    )


def test_a_bad_file_imports_nothing_and_names_every_problem(runner, session, tmp_path):
    load_catalog()
    text = HEADER + (
        "79.01,,2025-03,200,4,1,2,1,2,2,1\n"  # fine, but the file has errors: not imported
        "99.99,,2025-03,10,,,,,,,\n"  # line 3: unknown office
        "79.01,9.999999,2025-03,10,,,,,,,\n"  # line 4: unknown procedure
        "79.01,,2025-13,10,,,,,,,\n"  # line 5: bad month
        "79.02,,2025-03,ten,20,,3,,,,\n"  # line 6: count not a number, indicator 3 > 2
        "79.02,,2025-04,10,11,,,,,,\n"  # line 7: overdue > handled
        "79.01,,2025-03,5,,,,,,,\n"  # line 8: same key as line 2
        "79.03,,2025-03\n"  # line 9: wrong number of fields
    )
    result = runner.invoke(args=["import-figures", write(tmp_path, text)])
    assert result.exit_code != 0
    output = result.output
    for expected in (
        "line 3, office_code: unknown office code '99.99'",
        "line 4, procedure_code: unknown procedure code '9.999999'",
        "line 5, month:",
        "line 6, dossiers_handled:",
        "line 6, indicator_2:",
        "line 7, dossiers_overdue: 11 is more than the 10 dossiers handled",
        "line 8, month: the same office, procedure and month are already on line 2",
        "line 9, line:",
        "nothing imported",
    ):
        assert expected in output, (expected, output)
    assert session.scalar(select(func.count()).select_from(OfficeFigures)) == 0


def test_bad_headers_and_files_are_refused(runner, session, tmp_path):
    load_catalog()
    cases = {
        "office,month\n79.01,2025-03\n": "office_code: missing column",
        "office_code,month,dossiers\n79.01,2025-03,3\n": "dossiers: unknown column",
        "office_code,month\n": "no figures in the file",
        "office_code,month\n79.01,2025-03\n": "line 2, line: no figures on this line",
    }
    for text, message in cases.items():
        result = runner.invoke(args=["import-figures", write(tmp_path, text)])
        assert result.exit_code != 0 and message in result.output, (text, result.output)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("office_code,month,dossiers_handled\n79.01,2025-03,3 hồ sơ\n".encode("utf-16"))
    result = runner.invoke(args=["import-figures", str(latin)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    missing = runner.invoke(args=["import-figures", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "cannot read" in missing.output


def test_imported_figures_give_the_band_and_the_qd766_rate(runner, client, session, tmp_path, backend):
    standard_data()
    runner.invoke(args=["import-figures", write(tmp_path, HEADER + "79.01,,2025-03,400,6,2,2,2,1.5,2,2\n")])
    bến_thành = office(session, "79.01").id
    where = ReportFilter(office_id=bến_thành, month_from="2025-03", month_to="2025-03")
    facts = detail(session, None, where, Settings(), office_id=bến_thành)
    # citizens: indicator 1 = 1.0, 3 = 2.0, 4 = 2.0, 7 = 2.0 → 7.0; imported 2 + 2 + 1.5 + 2 + 2 = 9.5 → 16.5
    assert facts.tt01_band == {"total": 16.5, "code": "xuat_sac", "label_vi": "Xuất sắc"}
    assert facts.qd766 is not None and facts.qd766.rate["source"] == "imported"
    # no invitation was answered 1–3 in 2025-03 at 79.01 (there are none) + 6 overdue + 2 complained
    assert facts.qd766.rate["total_dossiers"] == 400 and facts.qd766.rate["rate"] == (400 - 8) / 400
    sign_in(client, make_user(role="official", office="79.01"))
    html = client.get("/dashboard/offices/79.01?month_from=2025-03&month_to=2025-03&lang=en").get_data(as_text=True)
    assert "Xuất sắc" in html and "imported from the offices" in html
    province = detail(session, None, ReportFilter(office_id=office(session, "79.00").id), Settings())
    assert province.tt01_band is None  # a band is only given for a single office


def test_an_office_with_offices_under_it_gets_the_band_of_its_own_figures(runner, client, session, tmp_path):
    standard_data()
    make_responses(office="79.00", ratings=[4] * 10, on_time="early", returns=0, agencies=1, element_staff=5)
    runner.invoke(args=["import-figures", write(tmp_path, HEADER + "79.00,,2025-03,400,6,2,2,2,1.5,2,2\n")])
    sign_in(client, make_user(role="official", office="79.00"))
    html = client.get("/dashboard/offices/79.00?month_from=2025-03&month_to=2025-03").get_data(as_text=True)
    # its own ten answers: indicators 1, 3, 4, 7 all 2.0 → 8.0; imported 2 + 2 + 1.5 + 2 + 2 = 9.5 → 17.5. With
    # 79.01's twenty "on time" answers indicator 1 would be (10·2 + 20·1)/30 = 1.3 and the total 16.8.
    assert "Xếp loại theo TT 01/2018 của riêng cơ quan này: Xuất sắc (17,5 trên 18 điểm" in html
    assert ">1,3<" in html  # the table above it counts the offices under it
    commune = client.get("/dashboard/offices/79.02?month_from=2025-03&month_to=2025-03").get_data(as_text=True)
    assert "Chưa xếp loại: cần tiêu chí 2, 5, 6, 8 và 9" in commune
