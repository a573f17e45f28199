"""The citizen form with two local questions, as served by gunicorn: at most 30 KB of HTML and CSS, and no
accessibility violation found by axe-core (vendored in tests/browser/vendor/axe-core/, run inside a real Chromium
with JavaScript on only so that axe can inspect the page; the page has no script)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import start_chromium
from tests.survey.citizen.server import SECRET, WebClient, gunicorn, parse_html

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PAGE_BUDGET = 30 * 1024  # DESIGN.md §6: HTML + CSS as served, uncompressed
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
   .then(result => done(result.violations.map(v => ({id: v.id, impact: v.impact,
                                                    nodes: v.nodes.map(n => n.target.join(" "))}))))
   .catch(error => done([{id: "axe-error", impact: String(error), nodes: []}]));
"""


def _link_with_two_local_questions(database_url: str, tmp_path: Path) -> str:
    """Version 2 published with a required yes/no question of province 79 and a scale question of 79.01."""
    from survey.extensions import db
    from tests.conftest import make_app
    from tests.factories import load_catalog, make_dossier_link
    from tests.questionnaires import import_version, local_question, questionnaire_file

    app = make_app(database_url, tmp_path, SECRET_KEY=SECRET)
    with app.app_context():
        load_catalog()
        db.session.commit()
        import_version(questionnaire_file(local_questions=[
            local_question(scope="79", code="parking", type="yes_no", required=True),
            local_question(scope="79.01", code="waiting", type="scale"),
        ]))  # fmt: skip
        token = make_dossier_link(dossier="000.00.31.H56-250115-0303").token
        db.session.remove()
        db.engine.dispose()
    return token


def weight(client: WebClient, path: str) -> tuple[int, int, str]:
    page = client.get(path)
    assert page.status == 200
    stylesheets = [link.attrs["href"] for link in parse_html(page.text).find_all("link", rel="stylesheet")]
    return len(page.body), sum(len(client.get(href).body) for href in stylesheets), page.text


def violations(driver) -> list[dict[str, object]]:
    driver.execute_script(AXE.read_text("utf-8"))
    driver.set_script_timeout(60)
    return list(driver.execute_async_script(RUN_AXE))


@pytest.fixture
def chromium_with_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = start_chromium(tmp_path, javascript=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.browser
def test_the_form_with_two_local_questions_weighs_under_30_kb_and_axe_finds_nothing(
    chromium_with_scripts, database_url, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    token = _link_with_two_local_questions(database_url, tmp_path)
    path = f"/s/{token}"
    with gunicorn(database_url, tmp_path) as server:
        html_bytes, css_bytes, html = weight(server.client(), path)
        print(f"citizen form with two local questions: {html_bytes} B HTML + {css_bytes} B CSS")
        assert "Có chỗ gửi xe thuận tiện không?" in html and "thời gian chờ ở quầy" in html
        assert html_bytes + css_bytes <= PAGE_BUDGET

        driver = chromium_with_scripts
        driver.get("data:text/html,<title>t</title><img src=x.png>")
        assert "image-alt" in [v["id"] for v in violations(driver)]  # axe runs and reports what it finds
        for query in ("", "?lang=en"):
            driver.get(f"{server.url}{path}{query}")
            assert violations(driver) == [], query
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # nothing chosen: the errors
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".summary"))
        assert "local_parking-1" in driver.find_element(By.CSS_SELECTOR, ".summary").get_attribute("innerHTML")
        assert violations(driver) == []
