"""The public results pages in a real Chromium at 360 CSS pixels, served by gunicorn: axe-core finds no
accessibility violation (WCAG 2.x A and AA rules and best practices), and each page weighs at most 30 KB of HTML and
CSS as served.

axe-core (MPL-2.0) is vendored under tests/browser/vendor/axe-core/ for the tests only; the pages have no script,
so the browser runs JavaScript only to let axe inspect them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import start_chromium
from tests.survey.citizen.server import gunicorn, parse_html

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
NARROW = 360  # CSS pixels: the narrowest common phone
PAGE_BUDGET = 30 * 1024  # DESIGN.md §6: HTML + CSS as served, uncompressed
PAGES = (
    "/results",
    "/results?q=hoan+kiem",
    "/results?q=khong+co+ten+nay",
    "/results?under=79.00",
    "/results/79.00",
    "/results/79.00?page=2",
    "/results/79.01",
    "/results/01.01",
    "/results/79.00?lang=en",
    "/results/79.03",  # with published actions ("Bạn nói – chúng tôi làm"), the longest texts they may have
    "/results/79.03?lang=en",
)


def _seed(database_url: str, tmp_path: Path) -> None:
    """The results data set, and every procedure answered every month at the Hồ Chí Minh City wards: the
    heaviest office page (ten procedures, each with twelve published months); 79.03 also publishes the most
    actions its page shows, each with the longest texts."""
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Procedure
    from tests.conftest import make_app
    from tests.factories import make_responses
    from tests.survey.datasets.results import results_data

    app = make_app(database_url, tmp_path)
    with app.app_context():
        period = results_data()
        codes = list(db.session.scalars(select(Procedure.code).order_by(Procedure.code)))
        for index, code in enumerate(codes):
            for month in period.months:
                make_responses(office=f"79.0{index % 5 + 1}", procedure=code, month=month, ratings=[5] * 28 + [2] * 4)
        _publish_actions("79.03", period.months[-2])
        db.session.remove()
        db.engine.dispose()


def _publish_actions(office: str, month: str) -> None:
    import dataclasses
    from datetime import date

    from survey.extensions import db
    from survey.services.actions.public import PUBLIC_LIMIT
    from survey.services.actions.records import create_action
    from tests.survey.datasets.actions import done_action

    year, number = map(int, month.split("-"))
    for day in range(1, PUBLIC_LIMIT + 2):
        action = dataclasses.replace(
            done_action(office=office, public=True),
            done_on=date(year, number, day),
            theme_label="Phải chờ đợi lâu " * 20,
            change="Bố trí thêm cán bộ tiếp nhận " * 20,
        )
        create_action(db.session, None, action, actor="canbo@example.gov.vn", user_id=None)


@pytest.fixture
def narrow_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = start_chromium(tmp_path, javascript=True, width=NARROW, height=780)
    try:
        yield driver
    finally:
        driver.quit()


def _violations(driver) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', description: String(e)}])));"
    )
    return [
        {"id": v["id"], "impact": v.get("impact"), "nodes": [n["target"] for n in v.get("nodes", [])][:3]}
        for v in json.loads(result)
    ]


@pytest.mark.browser
def test_public_results_pass_axe_at_360_px_and_stay_light(narrow_browser, database_url, tmp_path):
    driver = narrow_browser
    driver.set_script_timeout(60)
    driver.get("data:text/html,<html><title>control</title><img src='x.png'></html>")
    assert "image-alt" in {v["id"] for v in _violations(driver)}  # axe runs and reports what it finds
    _seed(database_url, tmp_path)
    with gunicorn(database_url, tmp_path) as server:
        client = server.client()
        weights = {}
        for path in PAGES:
            page = client.get(path)
            assert page.status == 200, path
            stylesheets = [link.attrs["href"] for link in parse_html(page.text).find_all("link", rel="stylesheet")]
            css = sum(len(client.get(href).body) for href in stylesheets)
            weights[path] = len(page.body) + css
            assert "<script" not in page.text.lower(), path

            driver.get(f"{server.url}{path}")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= NARROW, path
            assert _violations(driver) == [], path
        driver.get(f"{server.url}/results/79.01?lang=vi#main")
        driver.execute_script("window.scrollTo(0, 420)")
        driver.save_screenshot("/tmp/results_office_360.png")
    assert max(weights.values()) <= PAGE_BUDGET, weights
    print("bytes of HTML + CSS as served:", weights)
