"""The dashboard in a real browser: `ilacs dashboard` serves a small solved programme on a
free localhost port; headless Debian Chromium (Selenium) opens every page, runs a small
what-if, saves screenshots, and fails on any error a page shows.

Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium and
chromium-driver). Skipped where they are missing, except under CI, where it must run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.dashboard_programme import solved_programme

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1440,900")
PAGES = {"": "National overview", "region": "Region", "local-authority": "Local authority",
         "inspectors": "Inspectors", "what-if": "What-if", "downloads": "Downloads"}
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
START_SECONDS = 90
PAGE_SECONDS = 60
SCENARIO_SECONDS = 240


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


if _missing() and IN_CI:
    pytest.fail(f"CI must run the browser test: {_missing()}", pytrace=False)
pytestmark = pytest.mark.skipif(bool(_missing()), reason=str(_missing()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, server log) of `ilacs dashboard` over a solved programme."""
    folder = tmp_path_factory.mktemp("browser")
    data, out = solved_programme(folder)
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "scheduler.cli", "dashboard", "--out", str(out),
             "--data", str(data), "--port", str(port)],
            stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _healthy(url):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no dashboard after {START_SECONDS} s"
            time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def _wait(driver, condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert not _errors(driver), _errors(driver)
        assert time.monotonic() < deadline, f"{what}: not after {seconds} s"
        time.sleep(0.5)


def _css(driver, selector: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _idle(driver) -> bool:
    """The script has finished its run (and the page has drawn something)."""
    apps = _css(driver, '[data-testid="stApp"]')
    return bool(apps) and apps[0].get_attribute("data-test-script-state") == "notRunning" \
        and bool(_css(driver, "h1"))


def _sidebar_text(driver) -> str:
    """The sidebar's text, or "" while it is not drawn (or is being drawn again)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        sidebar = _css(driver, '[data-testid="stSidebar"]')
        return sidebar[0].text if sidebar else ""
    except StaleElementReferenceException:
        return ""


def _errors(driver) -> list[str]:
    """Every error a page shows: exceptions, error boxes, a traceback anywhere."""
    boxes = _css(driver, '[data-testid="stException"], [data-testid="stAlertContentError"]')
    found = [box.text for box in boxes]
    body = _css(driver, "body")
    if body and "Traceback" in body[0].text:
        found.append("a traceback on the page")
    return found


def _settle(driver, seconds: float = PAGE_SECONDS) -> None:
    time.sleep(1)  # let a click's rerun start before waiting for it to end
    _wait(driver, lambda: _idle(driver), seconds, "page run")


def _click(driver, label: str) -> None:
    from selenium.webdriver.common.by import By

    button = driver.find_element(By.XPATH, f'//button[normalize-space(.)="{label}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def _shoot(driver, shots: Path, name: str) -> None:
    # The page scrolls inside stMain, so the window grows to its height for a full picture.
    height = driver.execute_script(
        "const main = document.querySelector('[data-testid=\"stMain\"]');"
        "return main ? main.scrollHeight : document.body.scrollHeight;")
    driver.set_window_size(1440, min(max(900, height + 100), 6000))
    time.sleep(1)  # charts redraw at the new size
    driver.save_screenshot(str(shots / f"{name}.png"))
    driver.set_window_size(1440, 900)


def test_server_listens_on_localhost_only(served) -> None:
    _, log = served
    text = log.read_text()
    assert "http://127.0.0.1:" in text
    assert "Network URL" not in text and "External URL" not in text


@pytest.mark.parametrize("path", list(PAGES))
def test_page_shows_without_error(served, browser, shots: Path, path: str) -> None:
    url, _ = served
    browser.get(f"{url}/{path}")
    _settle(browser)
    # on a loaded machine the run may start after _settle's first look: wait for the sidebar
    _wait(browser, lambda: "Programme folder" in _sidebar_text(browser), PAGE_SECONDS,
          "the sidebar's programme folder")
    assert not _errors(browser), _errors(browser)
    assert _css(browser, "h1")[0].text == PAGES[path]
    if path in ("", "region"):
        assert _css(browser, ".js-plotly-plot"), "no chart drawn"
    _shoot(browser, shots, path or "overview")


def test_a_small_what_if_runs_and_is_compared(served, browser, shots: Path) -> None:
    url, _ = served
    browser.get(f"{url}/what-if")
    _settle(browser)
    _click(browser, "Add deferral (R-DEFER)")
    _settle(browser)
    assert "No edits yet" not in _css(browser, "body")[0].text  # the edit is listed
    _click(browser, "Run the scenario")
    _wait(browser, lambda: any("overdue LAs" in m.text
                               for m in _css(browser, '[data-testid="stMetric"]')),
          SCENARIO_SECONDS, "scenario comparison")
    _settle(browser)
    assert not _errors(browser), _errors(browser)
    assert "Programme folder" in _css(browser, '[data-testid="stSidebar"]')[0].text
    _shoot(browser, shots, "what-if-compared")
