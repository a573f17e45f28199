"""Paper sheets in a real Chromium served by gunicorn: the printed A4 sheet and the data-entry page pass axe with
no violation, printing gives one page per sheet, and a whole sheet is keyed in by keyboard alone.

axe-core (MPL-2.0) is vendored under tests/browser/vendor/axe-core/ for the tests only.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from survey.models import Response
from tests.browser.conftest import start_chromium
from tests.browser.paper_flow import OFFICE, PROCEDURE, seed, sheet_keystrokes, sign_in
from tests.browser.test_results_browser import _violations
from tests.factories import PASSWORD
from tests.survey.citizen.server import gunicorn

SCREENSHOTS = Path("/tmp")
A4 = (794, 1123)  # CSS pixels of an A4 page at 96 dpi


@pytest.fixture
def a4_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = start_chromium(tmp_path, javascript=True, width=A4[0], height=A4[1])
    try:
        yield driver
    finally:
        driver.quit()


def _pdf_pages(driver) -> int:  # type: ignore[no-untyped-def]
    """Pages of the page printed as the browser prints it (its own @page size and margins)."""
    printed = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    return len(re.findall(rb"/Type\s*/Page(?!s)", base64.b64decode(printed["data"])))


def _code_box_has_focus(driver) -> bool:  # type: ignore[no-untyped-def]
    """The sheet-code box holds the keyboard focus (the page's autofocus, or after a stored sheet)."""
    return driver.switch_to.active_element.get_attribute("name") == "code"


@pytest.mark.browser
def test_printed_sheets_and_the_entry_page_pass_axe_and_print_one_sheet_per_page(a4_browser, database_url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = a4_browser
    driver.set_script_timeout(60)
    seed(database_url, tmp_path, PASSWORD)
    with gunicorn(database_url, tmp_path) as server:
        sign_in(driver, server.url, PASSWORD)
        driver.get(f"{server.url}/paper/{OFFICE}?procedure={PROCEDURE}&sheets=3")
        assert len(driver.find_elements(By.CSS_SELECTOR, "section.sheet")) == 3
        assert _violations(driver) == []
        assert _pdf_pages(driver) == 3  # one sheet per A4 page, nothing spilling onto a fourth
        smallest = driver.execute_script(
            "return Math.min(...[...document.querySelectorAll('.sheet *')].filter(e => e.childNodes.length"
            " && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 16  # CSS pixels: 12 pt
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})  # as it comes out of the printer
        driver.save_screenshot(str(SCREENSHOTS / "paper_sheet_a4.png"))
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

        driver.get(f"{server.url}/paper/entry")
        WebDriverWait(driver, 10).until(_code_box_has_focus)  # autofocus lands at the next rendering step
        assert _violations(driver) == []
        driver.find_element(By.NAME, "code").send_keys("K7QX-M4PA")  # one character off: refused, explained
        driver.find_element(By.CSS_SELECTOR, "form[autocomplete=off] button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda d: 'id="code-error"' in d.page_source)
        assert "không hợp lệ" in driver.find_element(By.ID, "code-error").text
        assert _violations(driver) == []
        driver.save_screenshot(str(SCREENSHOTS / "paper_entry_error.png"))


@pytest.mark.browser
def test_a_whole_sheet_is_keyed_in_by_keyboard_alone(chromium, database_url, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium  # JavaScript off: the page needs none
    seed(database_url, tmp_path, PASSWORD)
    with gunicorn(database_url, tmp_path) as server:
        sign_in(driver, server.url, PASSWORD)
        driver.get(f"{server.url}/paper/{OFFICE}?procedure={PROCEDURE}&sheets=1")
        code = driver.find_element(By.CSS_SELECTOR, ".sheet .code").text.replace("-", "")
        driver.get(f"{server.url}/paper/entry")
        WebDriverWait(driver, 10).until(_code_box_has_focus)
        ActionChains(driver).send_keys(*sheet_keystrokes(code)).perform()  # to whatever has the focus
        stored = f"Đã lưu phiếu {code[:4]}-{code[4:]}."
        WebDriverWait(driver, 20).until(lambda d: stored in d.page_source)  # Enter sent the form; wait for the answer
        WebDriverWait(driver, 10).until(_code_box_has_focus)  # ready for the next sheet
        assert "Số phiếu đã nhập trong đợt này: 1" in driver.find_element(By.TAG_NAME, "main").text
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(Response)).one()
    engine.dispose()
    assert (stored.channel, stored.rating, stored.element_staff, stored.element_feedback) == ("paper", 4, 5, None)
    assert (stored.on_time, stored.returns, stored.agencies, stored.extra_payment) == ("on_time", 0, 1, "no")
    assert (stored.service_mode, stored.age_band, stored.sex) == ("in_person", "45_54", "female")
    assert stored.comment == "Can bo nhiet tinh, cho hoi lau"
