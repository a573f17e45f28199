"""What the paper browser tests and bench/bench_paper_entry.py share: a seeded database with an official, signing
in through the form, and one sheet's answers as the keystrokes a person types (digits, TAB, Enter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

OFFICIAL = "official@example.gov.vn"
OFFICE = "79.01"
PROCEDURE = "1.001193"

# One full sheet as a clerk reads it: code, then the digit of each ticked box in the sheet's order ("" = nothing
# ticked: TAB only), the comment, age band and sex. Digits are box numbers printed on the sheet.
SHEET_DIGITS = {
    "rating": "4",
    "element_access": "5",
    "element_procedure": "4",
    "element_staff": "5",
    "element_result": "3",
    "element_feedback": "",
    "on_time": "2",
    "returns": "1",
    "agencies": "1",
    "extra_payment": "1",
    "service_mode": "1",
}
COMMENT = "Can bo nhiet tinh, cho hoi lau"  # 30 characters, typed as most keyboards type it quickly
TAIL_DIGITS = {"age_band": "5", "sex": "1"}


def seed(database_url: str, tmp_path: Path, password: str) -> None:
    """The starter catalog and one official of ward office 79.01 (who may print and key in its sheets)."""
    from survey.extensions import db
    from tests.conftest import make_app
    from tests.factories import load_catalog, make_user

    app = make_app(database_url, tmp_path)
    with app.app_context():
        load_catalog()
        make_user(email=OFFICIAL, role="official", office=OFFICE, password=password)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def sign_in(driver: Any, base_url: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/login")
    driver.find_element(By.NAME, "email").send_keys(OFFICIAL)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)


def sheet_keystrokes(code: str, *, comment: str = COMMENT) -> list[str]:
    """Every key pressed to key in one sheet, from the focused code box to Enter."""
    from selenium.webdriver.common.keys import Keys

    keys = [*code, Keys.TAB]
    for digit in SHEET_DIGITS.values():
        keys += [*digit, Keys.TAB]
    keys += [*comment, Keys.TAB, Keys.TAB]  # the call-back contact box stays empty: nothing ticked on this sheet
    tail = list(TAIL_DIGITS.values())
    for digit in tail[:-1]:
        keys += [*digit, Keys.TAB]
    keys += [*tail[-1], Keys.ENTER]
    return keys
