"""A real headless Chromium with JavaScript switched off, as a citizen on a locked-down phone would have it.

Under CI=true a missing Chromium, chromedriver or selenium fails the test run; locally the browser tests skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PHONE = (390, 844)  # CSS pixels of a common phone screen


def _missing() -> list[str]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (Path(path).exists() or shutil.which(path))]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install selenium)")
    return missing


@pytest.fixture
def chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A headless Chromium at phone size, JavaScript off, a fresh profile and no background network."""
    yield from _chromium(tmp_path, monkeypatch, scripts=False)


@pytest.fixture
def chromium_with_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The same browser with JavaScript on, for checkers such as axe-core that run inside the page (the
    citizen pages have no script of their own, so they are the same pages)."""
    yield from _chromium(tmp_path, monkeypatch, scripts=True)


def _chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, scripts: bool) -> Iterator[object]:
    missing = _missing()
    if missing:
        message = f"browser test needs {', '.join(missing)}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=vi",
    ):  # fmt: skip
        options.add_argument(argument)
    if not scripts:
        options.add_argument("--blink-settings=scriptEnabled=false")
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(30)
        # A desktop window is never narrower than 500 px: give the page a phone's viewport instead (the
        # "mobileEmulation" option also fakes touch, and then clicks with JavaScript off never complete).
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True},
        )
        yield driver
    finally:
        driver.quit()
