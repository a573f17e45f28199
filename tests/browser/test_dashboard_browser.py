"""The officials' pages in a real Chromium at 1280 and 360 CSS pixels, served by gunicorn from demo data: an
official signs in through the form and opens the overview, procedures, offices, an office page and the themes; a
researcher opens /research (officials may not). axe-core finds no WCAG 2.2 A/AA violation on any of them, no page
scrolls sideways, and every page is saved as a full-page screenshot.

Screenshots go to build/screenshots/officials/ (or the folder in SURVEY_SCREENSHOTS), kept after the run
whatever its outcome, for CI to keep as artefacts and for people to look at.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.browser.conftest import start_chromium
from tests.survey.citizen.server import ROOT, gunicorn

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(os.environ.get("SURVEY_SCREENSHOTS") or ROOT / "build" / "screenshots" / "officials")
PASSWORD = "Mật-khẩu-thử-2026!"
OFFICIAL_PAGES = (
    "/dashboard/",
    "/dashboard/procedures",
    "/dashboard/offices",
    "/dashboard/offices/79.00",
    "/dashboard/themes",
)
RESEARCHER_PAGES = ("/research",)
WIDTHS = (1280, 360)
ACCOUNTS = (("official@example.gov.vn", OFFICIAL_PAGES), ("researcher@example.gov.vn", RESEARCHER_PAGES))


def _seed(database_url: str, tmp_path: Path) -> None:
    """Demo responses over six months, dossier volumes imported for two wards (so the weighted table shows), an
    official of Hồ Chí Minh City (79.00) and a researcher."""
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Office, OfficeFigures, RatingRollup
    from survey.services.accounts.users import create_user
    from survey.services.demo.seed import seed_demo
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path)
    with app.app_context():
        session = db.session()
        seed_demo(session, responses=3000, seed=7, months=6)
        for code, handled in (("79.01", 900), ("79.02", 150)):
            office = session.scalars(select(Office.id).where(Office.code == code)).one()
            for procedure, month in session.execute(
                select(RatingRollup.procedure_id, RatingRollup.month).where(RatingRollup.office_id == office)
            ):
                session.add(OfficeFigures(office_id=office, procedure_id=procedure, month=month,
                                          dossiers_handled=handled, imported_at=datetime.now(UTC)))  # fmt: skip
        session.commit()
        create_user(session, email="official@example.gov.vn", role="official", office_code="79.00", password=PASSWORD)
        create_user(session, email="researcher@example.gov.vn", role="researcher", password=PASSWORD)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = start_chromium(tmp_path, javascript=True, width=WIDTHS[0], height=900)
    try:
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()


def _width(driver, width: int) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def _sign_in(driver, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(f"{url}/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url or d.find_elements(By.CLASS_NAME, "error"))
    assert "/login" not in driver.current_url, driver.find_element(By.TAG_NAME, "main").text


def _violations(driver) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG)}}}, resultTypes: ['violations']}})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', description: String(e)}])));"
    )
    return [
        {"id": v["id"], "impact": v.get("impact"), "nodes": [n["target"] for n in v.get("nodes", [])][:3]}
        for v in json.loads(result)
    ]


def _full_page_screenshot(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole page, not only the window (Chromium's DevTools protocol)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}},
    )  # fmt: skip
    path.write_bytes(base64.b64decode(shot["data"]))


def _name(path: str, width: int) -> str:
    return f"{path.strip('/').replace('/', '_') or 'home'}-{width}.png"


@pytest.mark.browser
def test_officials_pages_pass_axe_at_1280_and_360_px(browser, database_url, tmp_path):
    driver = browser
    driver.get("data:text/html,<html><title>control</title><img src='x.png'></html>")
    assert "image-alt" in {v["id"] for v in _violations(driver)}  # axe runs and reports what it finds
    _seed(database_url, tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, object] = {}
    with gunicorn(database_url, tmp_path) as server:
        for email, paths in ACCOUNTS:
            _sign_in(driver, server.url, email)
            for width in WIDTHS:
                _width(driver, width)
                for path in paths:
                    driver.get(f"{server.url}{path}")
                    assert "/login" not in driver.current_url and driver.title, path
                    _full_page_screenshot(driver, SCREENSHOTS / _name(path, width))
                    violations = _violations(driver)
                    sideways = driver.execute_script("return document.documentElement.scrollWidth") > width
                    if violations or sideways:
                        found[f"{path} at {width} px"] = {"axe": violations, "scrolls sideways": sideways}
    assert found == {}
    assert {shot.name for shot in SCREENSHOTS.glob("*.png")} >= {
        _name(path, width) for path in OFFICIAL_PAGES + RESEARCHER_PAGES for width in WIDTHS
    }
