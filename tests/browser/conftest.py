"""A real headless Chromium with JavaScript switched off, as a citizen on a locked-down phone would have it.

Under CI=true a missing Chromium, chromedriver or selenium fails the test run; locally the browser tests skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def start_chromium(tmp_path: Path, *, javascript: bool = False, width: int = PHONE[0], height: int = PHONE[1]) -> Any:
    """A headless Chromium at phone size, a fresh profile and no background network; JavaScript off unless asked
    (the accessibility checks inject axe-core, which needs it; the pages themselves have no script)."""
    missing = _missing()
    if missing:
        message = f"browser test needs {', '.join(missing)}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={width},{height}", "--lang=vi",
    ):  # fmt: skip
        options.add_argument(argument)
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(30)
        # A desktop window is never narrower than 500 px: give the page a phone's viewport instead (the
        # "mobileEmulation" option also fakes touch, and then clicks with JavaScript off never complete).
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )
    except BaseException:
        driver.quit()
        raise
    return driver


@pytest.fixture
def chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A headless Chromium at phone size, JavaScript off, a fresh profile and no background network."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = start_chromium(tmp_path)
    try:
        yield driver
    finally:
        driver.quit()
