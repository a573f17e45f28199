"""Benchmark: how long a clerk takes to key in one paper sheet by keyboard, in a real browser.

Serves the survey with gunicorn on a throwaway SQLite database, signs an official in through the form in a
headless Chromium (JavaScript off, as the page needs none), prints sheets, then keys each one in exactly as a
person does: the code into the focused box, then for each question the digit of the ticked box and TAB (TAB
alone when nothing is ticked), the comment, and Enter. Keys are sent one at a time with a pause between them,
at an assumed typing speed (default 250 ms a key: 4 keys a second, about 48 words a minute, an ordinary office
typist reading from paper). The time runs from the first key until the page says the sheet is stored and is
ready for the next one. Two sheets: every question answered plus a 30-character comment, and the same without
a comment. Prints keys per sheet, the typing time the speed alone implies, and the measured time per sheet.

    apt-get install -y chromium chromium-driver
    .venv/bin/python bench/bench_paper_entry.py [--key-ms 250] [--sheets 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 20.0


def _migrated(database_url: str, folder: Path) -> None:
    from flask_migrate import upgrade

    from survey.extensions import db
    from tests.conftest import make_app

    app = make_app(database_url, folder)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def _key_in(driver, keys: list[str], pause: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the first key to the stored sheet's page, keys sent one by one with `pause` after each."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    chain = ActionChains(driver, duration=0)
    for key in keys:
        chain.send_keys(key).pause(pause)
    started = time.perf_counter()
    chain.perform()
    WebDriverWait(driver, 30, poll_frequency=0.02).until(
        lambda d: "Đã lưu phiếu" in d.page_source and d.switch_to.active_element.get_attribute("name") == "code"
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--key-ms", type=int, default=250, help="pause after each key, in milliseconds")
    parser.add_argument("--sheets", type=int, default=2, help="sheets keyed in per case (1-10)")
    args = parser.parse_args()
    sheets = max(1, min(args.sheets, 10))
    pause = args.key_ms / 1000

    from tests.browser.conftest import start_chromium
    from tests.browser.paper_flow import OFFICE, PROCEDURE, seed, sheet_keystrokes, sign_in
    from tests.factories import PASSWORD
    from tests.survey.citizen.server import gunicorn

    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager fetch anything
    with tempfile.TemporaryDirectory(prefix="bench-paper-") as folder:
        tmp = Path(folder)
        database_url = f"sqlite:///{tmp / 'bench.db'}"
        _migrated(database_url, tmp)
        seed(database_url, tmp, PASSWORD)
        driver = start_chromium(tmp, width=1280, height=900)
        try:
            with gunicorn(database_url, tmp) as server:
                sign_in(driver, server.url, PASSWORD)
                driver.get(f"{server.url}/paper/{OFFICE}?procedure={PROCEDURE}&sheets={2 * sheets}")
                from selenium.webdriver.common.by import By

                codes = [tag.text.replace("-", "") for tag in driver.find_elements(By.CSS_SELECTOR, ".sheet .code")]
                driver.get(f"{server.url}/paper/entry")
                print(f"assumed typing speed: {args.key_ms} ms a key ({1000 / args.key_ms:.1f} keys a second)")
                for case, comment in (
                    ("all questions + 30-character comment", None),
                    ("all questions, no comment", ""),
                ):
                    times = []
                    for _ in range(sheets):
                        keys = sheet_keystrokes(codes.pop(), **({} if comment is None else {"comment": comment}))
                        times.append(_key_in(driver, keys, pause))
                    typing = len(keys) * pause
                    median = statistics.median(times)
                    verdict = "under" if median < TARGET_SECONDS else "OVER"
                    spread = f"min {min(times):.1f}, max {max(times):.1f}, n={len(times)}"
                    print(f"{case}: {len(keys)} keys, typing alone {typing:.1f} s; measured per sheet median "
                          f"{median:.1f} s ({spread}); page and server {median - typing:.2f} s; "
                          f"{verdict} the {TARGET_SECONDS:.0f} s target")  # fmt: skip
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
