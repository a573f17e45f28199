"""A citizen answers the survey in a real headless Chromium with JavaScript off, by taps and keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from survey.models import Response
from tests.survey.citizen.server import gunicorn, issue_test_link

SCREENSHOTS = Path("/tmp")
MIN_TAP = 44  # CSS pixels (WCAG 2.2 target size, enhanced)


def _dossier_link(database_url: str, tmp_path: Path) -> str:
    return issue_test_link(database_url, tmp_path, "000.00.31.H56-250115-0101")


def _label(driver, name: str, text: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    for label in driver.find_elements(By.CSS_SELECTOR, f"label:has(input[name='{name}'])"):
        if label.text.strip().endswith(text):
            return label
    raise AssertionError(f"no option {text!r} for {name}")


@pytest.mark.browser
def test_a_citizen_answers_with_javascript_off(chromium, database_url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium
    wait = WebDriverWait(driver, 20)
    driver.get("data:text/html,<title>before</title><script>document.title='script ran'</script>")
    assert driver.title == "before", "JavaScript must be off for this test"

    token = _dossier_link(database_url, tmp_path)
    with gunicorn(database_url, tmp_path) as server:
        driver.get(f"{server.url}/s/{token}")
        assert driver.title == "Đánh giá việc giải quyết thủ tục"
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
        driver.save_screenshot(str(SCREENSHOTS / "citizen_form_390x844.png"))
        driver.get(f"{server.url}/s/{token}#element_access-1")  # the five-point rows of the SIPAS elements
        driver.save_screenshot(str(SCREENSHOTS / "citizen_elements_390x844.png"))

        # Tap targets: every option, the language switch and the button are at least 44 × 44 CSS pixels.
        targets = driver.find_elements(By.CSS_SELECTOR, ".opts label, button, .top a, select, textarea")
        assert len(targets) > 50
        small = [(t.text[:30], t.size) for t in targets if t.size["height"] < MIN_TAP or t.size["width"] < MIN_TAP]
        assert small == []

        # Sending with nothing chosen: the error summary comes first and its link leads to the question.
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.title.startswith("Lỗi:"))
        summary = driver.find_element(By.CSS_SELECTOR, ".summary")
        assert "Vui lòng chọn mức độ hài lòng chung" in summary.text
        driver.save_screenshot(str(SCREENSHOTS / "citizen_errors_390x844.png"))
        summary.find_element(By.TAG_NAME, "a").click()
        wait.until(lambda d: d.current_url.endswith("#rating-1"))
        assert driver.switch_to.active_element.get_attribute("id") == "rating-1"

        # Now answer: taps on labels, the keyboard for a radio group and the comment.
        _label(driver, "rating", "Hài lòng").click()
        _label(driver, "element_staff", "Rất hài lòng").click()
        _label(driver, "returns", "Không lần nào").click()
        first_on_time = driver.find_element(By.ID, "on_time-1")
        first_on_time.send_keys(Keys.SPACE)  # "Sớm hơn hẹn"
        first_on_time.send_keys(Keys.ARROW_DOWN)  # arrow keys move the choice: "Đúng hẹn"
        comment = driver.find_element(By.ID, "comment")
        comment.send_keys("Cán bộ hướng dẫn tận tình, thủ tục nhanh.")
        driver.save_screenshot(str(SCREENSHOTS / "citizen_filled_390x844.png"))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.title == "Xin cảm ơn")
        assert "Chúng tôi đã nhận được câu trả lời" in driver.page_source
        driver.save_screenshot(str(SCREENSHOTS / "citizen_thanks_390x844.png"))

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(Response)).one()
    finally:
        engine.dispose()
    assert (stored.rating, stored.element_staff, stored.returns, stored.on_time) == (4, 5, 0, "on_time")
    assert stored.comment == "Cán bộ hướng dẫn tận tình, thủ tục nhanh."
